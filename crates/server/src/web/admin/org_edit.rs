//! `/admin/org/{kind}/{key}` — editing one record of the organisation, and
//! `/admin/org/{kind}/{key}/retire` — retiring it after a confirmation (a page of its own,
//! so that no JavaScript is needed to ask). Retiring keeps the record's history; it is
//! refused while things in service depend on it, and the page says which.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::org::import::{OrgKind, Record};

use super::forms::admin_only;
use super::org_form::{Choices, RecordForm, load_choices, record_form, refusals};
use super::org_kind::{anchor, kind_of, org_tabs};
use super::{section_tabs, see_other};
use crate::AppState;
use crate::app::AppError;
use crate::app::organisation as org;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::page;

/// The edit page's body.
pub(super) fn render_edit(ctx: &Ctx, form: &RecordForm, choices: &Choices, retired: bool) -> Markup {
    let kind = form.kind.as_str();
    let key = form.editing.as_deref().unwrap_or("");
    html! {
        h1 { (ctx.tf(&format!("org.edit_title.{kind}"), &[("key", key)])) }
        (section_tabs(ctx))
        (org_tabs(ctx))
        @if retired { p.notice role="note" { (ctx.t("org.retired_note")) } }
        @if !form.errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
        (record_form(ctx, form, choices, &format!("/admin/org/{kind}/{key}")))
        p { a href=(format!("/admin/org/{kind}#{}", anchor(key))) { (ctx.t("org.back")) } }
    }
}

/// The retire confirmation's body; `blocked` is why the last attempt was refused.
pub(super) fn render_retire(ctx: &Ctx, kind: OrgKind, key: &str, blocked: Option<&str>) -> Markup {
    let kind_name = kind.as_str();
    html! {
        h1 { (ctx.tf(&format!("org.retire_title.{kind_name}"), &[("key", key)])) }
        (section_tabs(ctx))
        (org_tabs(ctx))
        @if let Some(why) = blocked {
            div.notice.error role="alert" {
                p { (ctx.t("org.retire_blocked")) }
                @match super::problems::say(ctx.lang, why) {
                    (said, true) => p { (said) },
                    (english, false) => p lang="en" { (english) },
                }
            }
        }
        p.lead { (ctx.t(&format!("org.retire_lead.{kind_name}"))) }
        form.stack method="post" action=(format!("/admin/org/{kind_name}/{key}/retire")) {
            (crate::web::view::csrf(ctx))
            button.primary.danger type="submit" { (ctx.tf("org.retire_confirm", &[("key", key)])) }
        }
        p { a href=(format!("/admin/org/{kind_name}#{}", anchor(key))) { (ctx.t("org.cancel")) } }
    }
}

/// The stored record of `kind` with `key`, and whether it is retired; 404 when none.
async fn record(state: &AppState, ctx: &Ctx, kind: OrgKind, key: &str) -> Result<(Record, bool), WebError> {
    let records = org::org_records(state, &ctx.principal, kind).await.map_err(|e| ctx.fail(e))?;
    records
        .into_iter()
        .find(|(r, _)| r.key() == key)
        .ok_or_else(|| ctx.fail(AppError::NotFound(format!("no {} {key:?}", kind.as_str()))))
}

async fn edit_page(state: &AppState, ctx: &Ctx, form: RecordForm, retired: bool) -> Result<Response, WebError> {
    let choices = load_choices(state, ctx, form.kind).await?;
    let key = form.editing.clone().unwrap_or_default();
    let title = ctx.tf(&format!("org.edit_title.{}", form.kind.as_str()), &[("key", &key)]);
    Ok(page(ctx, &title, render_edit(ctx, &form, &choices, retired)))
}

/// `GET /admin/org/{kind}/{key}` — the record's form, filled in.
pub async fn edit_record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, WebError> {
    admin_only(&ctx, "only administrators change the organisation")?;
    let kind = kind_of(&ctx, &kind)?;
    let (record, retired) = record(&state, &ctx, kind, &key).await?;
    let mut form = RecordForm::of(&record);
    if kind == OrgKind::Departments {
        let named = org::department_first_responsible(&state, &key).await.map_err(|e| ctx.fail(e))?;
        form.add_first_responsible(named.unwrap_or_default());
    }
    edit_page(&state, &ctx, form, retired).await
}

/// `POST /admin/org/{kind}/{key}` — saves the record (a retired one comes back).
pub async fn edit_record(
    State(state): State<AppState>,
    Path((kind, key)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    admin_only(&ctx, "only administrators change the organisation")?;
    let kind = kind_of(&ctx, &kind)?;
    let (_, retired) = record(&state, &ctx, kind, &key).await?;
    let mut form = RecordForm::typed(kind, Some(key.clone()), Some(&fields), FieldErrors::default());
    match org::put_org_record(&state, &ctx.principal, kind, &form.fields()).await {
        Ok(_) => {
            let to = format!("/admin/org/{}?done=org_saved#{}", kind.as_str(), anchor(&key));
            return Ok(see_other(&ctx, to));
        }
        Err(AppError::Invalid(list)) => form.errors = refusals(&ctx, kind, list),
        Err(e) => return Err(ctx.fail(e)),
    }
    let response = edit_page(&state, &ctx, form, retired).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}

/// `GET /admin/org/{kind}/{key}/retire` — asks to confirm.
pub async fn retire_record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, WebError> {
    admin_only(&ctx, "only administrators change the organisation")?;
    let kind = kind_of(&ctx, &kind)?;
    record(&state, &ctx, kind, &key).await?;
    let title = ctx.tf(&format!("org.retire_title.{}", kind.as_str()), &[("key", &key)]);
    Ok(page(&ctx, &title, render_retire(&ctx, kind, &key, None)))
}

/// `POST /admin/org/{kind}/{key}/retire` — retires the record; refused (409, the page
/// again saying why) while things in service depend on it.
pub async fn retire_record(
    State(state): State<AppState>,
    Path((kind, key)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let kind = kind_of(&ctx, &kind)?;
    match org::retire_org_record(&state, &ctx.principal, kind, &key).await {
        Ok(()) => {
            let to = format!("/admin/org/{}?done=org_retired#{}", kind.as_str(), anchor(&key));
            Ok(see_other(&ctx, to))
        }
        Err(AppError::Conflict(why)) => {
            let title = ctx.tf(&format!("org.retire_title.{}", kind.as_str()), &[("key", &key)]);
            let body = render_retire(&ctx, kind, &key, Some(&why));
            Ok((StatusCode::CONFLICT, page(&ctx, &title, body)).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use crate::web::form::Fields;
    use tongban_core::identity::Role;

    #[test]
    fn a_refused_edit_keeps_what_was_typed_beside_its_errors_and_the_key_fixed() {
        let fields = Fields(vec![
            ("code".into(), "other".into()),
            ("name".into(), "<Natural & Resources>".into()),
            ("division".into(), "99".into()),
            ("site".into(), "gone".into()),
        ]);
        let mut errors = FieldErrors::default();
        errors.add("division", "not a division");
        let form = RecordForm::typed(OrgKind::Departments, Some("zrzy".into()), Some(&fields), errors);
        assert_eq!(form.fields()["code"], "zrzy", "the key is the edited record's");
        let choices = Choices { sites: vec![("main".into(), "Hall".into())], ..Choices::default() };
        let html = render_edit(&Ctx::for_test_as(Lang::En, Role::Administrator), &form, &choices, false).into_string();
        assert!(html.contains(r#"action="/admin/org/departments/zrzy""#), "{html}");
        assert!(html.contains(r#"value="&lt;Natural &amp; Resources&gt;""#), "{html}");
        assert!(html.contains(r#"value="99" autocomplete="off" required aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"<p class="field-error" id="err-division" role="alert">not a division</p>"#), "{html}");
        assert!(
            html.contains(r#"<option value="gone" selected>gone</option>"#),
            "a site no longer offered is kept: {html}"
        );
        assert!(
            html.contains(r#"name="code" type="text" value="zrzy" autocomplete="off" required readonly>"#),
            "{html}"
        );
    }

    #[test]
    fn a_blocked_retirement_says_why_and_asks_again() {
        let ctx = Ctx::for_test_as(Lang::Zh, Role::Administrator);
        let html = render_retire(&ctx, OrgKind::Windows, "W-21", Some("window W-21 is still used by staff li.na"))
            .into_string();
        assert!(html.contains(r#"action="/admin/org/windows/W-21/retire""#), "{html}");
        assert!(html.contains(Lang::Zh.t("org.retire_blocked")) && html.contains("staff li.na"), "{html}");
        assert!(!html.contains("[?]"), "{html}");
    }
}
