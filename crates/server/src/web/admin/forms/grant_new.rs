//! `/admin/grants/new` — a delegation grant (授权): the caller gives what they hold, never
//! more. Department heads and approvers reach it from their inbox, administrators from the
//! grants page.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::access::{Action, role_may};
use tongban_core::identity::{Power, Role};

use super::refused;
use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::web::admin::see_other;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// `?done=` and the grant just given.
#[derive(Debug, Default, Deserialize)]
pub struct GrantDone {
    /// The notice.
    pub done: Option<String>,
    /// The grant's id.
    pub id: Option<String>,
}

/// The new grant page: the notice of the grant just given, and the form as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct GrantForm {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The id of the grant just given.
    pub id: Option<String>,
    /// The departments offered: (code, name).
    pub departments: Vec<(String, String)>,
    /// Who receives it (login).
    pub grantee: String,
    /// The department chosen (code).
    pub department: String,
    /// The powers ticked, by `Power::as_str`.
    pub powers: Vec<String>,
    /// The items' codes, as typed.
    pub items: String,
    /// The last day, as typed.
    pub valid_until: String,
    /// The errors beside the fields.
    pub errors: FieldErrors,
    /// Whether the way back leads to the inbox (department heads and approvers) rather than
    /// the grants page.
    pub back_to_inbox: bool,
}

/// The form's model: empty, in the caller's own department, when first shown; else as
/// `fields` were posted.
pub(super) fn form(
    ctx: &Ctx,
    departments: Vec<(String, String)>,
    fields: Option<&Fields>,
    errors: FieldErrors,
) -> GrantForm {
    let own = ctx.account().and_then(|a| a.department.as_ref()).map(ToString::to_string);
    let typed = |name: &str| view::typed(fields, name, "").to_owned();
    GrantForm {
        done: None,
        id: None,
        departments,
        grantee: typed("grantee"),
        department: fields.map_or_else(|| own.unwrap_or_default(), |f| f.get("department").to_owned()),
        powers: fields.map(|f| f.all("powers")).unwrap_or_default(),
        items: typed("items"),
        valid_until: typed("valid_until"),
        errors,
        back_to_inbox: matches!(ctx.role(), Role::Approver | Role::DepartmentHead),
    }
}

/// The new grant page's body.
pub(super) fn render(ctx: &Ctx, v: &GrantForm) -> Markup {
    let errors = &v.errors;
    let powers_invalid = errors.get("powers").is_some();
    html! {
        (view::done_notice(ctx, v.done.as_deref()))
        @if let Some(id) = &v.id { p.notice.ok role="status" { code { (id) } } }
        h1 { (ctx.t("grant.new_title")) }
        p.lead { (ctx.t("grant.new_lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/admin/grants/new" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("grant.grantee"), "grantee", &v.grantee, errors,
                Input { required: true, autofocus: true, hint: Some(ctx.t("grant.grantee_hint")), ..Input::default() }))
            div class=(if errors.get("department").is_some() { "field invalid" } else { "field" }) {
                label for="f-department" { (ctx.t("grant.department")) }
                select id="f-department" name="department"
                    aria-describedby=[errors.get("department").map(|_| "err-department")] {
                    @for (code, name) in &v.departments {
                        option value=(code) selected[*code == v.department] { (name) " (" (code) ")" }
                    }
                }
                (view::field_error(errors, "department"))
            }
            fieldset class=(if powers_invalid { "field invalid" } else { "field" })
                aria-describedby=[powers_invalid.then_some("err-powers")] {
                legend { (ctx.t("grant.powers")) }
                @for p in Power::ALL {
                    label.check {
                        input type="checkbox" name="powers" value=(p.as_str())
                            checked[v.powers.iter().any(|t| t == p.as_str())];
                        " " (ctx.t(&format!("power.{}", p.as_str())))
                    }
                }
                (view::field_error(errors, "powers"))
            }
            (view::input(ctx.t("grant.items"), "items", &v.items, errors,
                Input { hint: Some(ctx.t("grant.items_hint")), ..Input::default() }))
            (view::input(ctx.t("grant.valid_until"), "valid_until", &v.valid_until, errors,
                Input { kind: "date", hint: Some(ctx.t("grant.valid_until_hint")), ..Input::default() }))
            button.primary type="submit" { (ctx.t("grant.create")) }
        }
        @if v.back_to_inbox {
            p { a href="/inbox" { (ctx.t("inbox.title")) } }
        } @else {
            p { a href="/admin/grants" { (ctx.t("grant.back")) } }
        }
    }
}

/// Whether the caller may delegate (department heads and approvers: what they hold).
fn may_delegate(ctx: &Ctx) -> Result<(), WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    if role_may(account.role, Action::Delegate) {
        Ok(())
    } else {
        Err(ctx.fail(AppError::Forbidden(format!("a {} gives no grants", account.role))))
    }
}

/// `GET /admin/grants/new`.
pub async fn grant_new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<GrantDone>,
) -> Result<Response, WebError> {
    may_delegate(&ctx)?;
    let departments = app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let model = GrantForm {
        done: q.done,
        id: q.id.filter(|i| i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')),
        ..form(&ctx, departments, None, FieldErrors::default())
    };
    Ok(page(&ctx, ctx.t("grant.new_title"), render(&ctx, &model)))
}

/// The request as posted: items split on commas, spaces, new lines and 、; a date's last
/// moment in China.
fn new_grant(fields: &Fields) -> app::NewGrant {
    let items: Vec<String> = fields
        .get("items")
        .split([',', ' ', '\n', '\u{3001}'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().to_owned())
        .collect();
    let until = fields.get("valid_until").trim();
    let valid_until = (!until.is_empty()).then(|| match until.parse::<jiff::civil::Date>() {
        Ok(d) => format!("{d}T23:59:59+08:00"),
        Err(_) => until.to_owned(),
    });
    app::NewGrant {
        grantee: fields.get("grantee").trim().to_owned(),
        department: fields.get("department").to_owned(),
        items: (!items.is_empty()).then_some(items),
        powers: fields.all("powers"),
        valid_until,
    }
}

/// `POST /admin/grants/new`.
pub async fn grant_new(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    may_delegate(&ctx)?;
    let departments = app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let mut errors = FieldErrors::default();
    let req = new_grant(&fields);
    if req.grantee.is_empty() {
        errors.add("grantee", ctx.t("err.required"));
    }
    if req.powers.is_empty() {
        errors.add("powers", ctx.t("grant_err.no_power"));
    }
    if errors.is_empty() {
        match app::create_grant(&state, &ctx.principal, req).await {
            Ok(g) => return Ok(see_other(&ctx, format!("/admin/grants/new?done=grant_created&id={}", g.id))),
            Err(AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "grant" { "" } else { f.as_str() };
                    if errors.get(field).is_none() {
                        let message = ctx.lang.get(&format!("grant_err.{f}")).map_or(m, str::to_owned);
                        errors.add(field, message);
                    }
                }
            }
            Err(AppError::NoAuthority(m)) => errors.add("powers", format!("{} ({m})", ctx.t("grant_err.exceeds"))),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = render(&ctx, &form(&ctx, departments, Some(&fields), errors));
    Ok(refused(&ctx, ctx.t("grant.new_title"), body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;

    fn departments() -> Vec<(String, String)> {
        vec![("fgw".to_owned(), "DRC".to_owned()), ("sjj".to_owned(), "Market".to_owned())]
    }

    #[test]
    fn a_refused_grant_is_shown_again_as_typed_with_the_error_beside_its_field() {
        let ctx = Ctx::for_test_as(Lang::En, Role::DepartmentHead);
        let fields = Fields(vec![
            ("grantee".into(), "zhao.deputy".into()),
            ("department".into(), "sjj".into()),
            ("powers".into(), "approve".into()),
            ("items".into(), "X1 X2".into()),
            ("valid_until".into(), "2026-13-01".into()),
        ]);
        let mut errors = FieldErrors::default();
        errors.add("valid_until", "not a date");
        let v = form(&ctx, departments(), Some(&fields), errors);
        assert!(v.back_to_inbox);
        let html = render(&ctx, &v).into_string();
        assert!(html.contains(r#"name="grantee" type="text" value="zhao.deputy""#), "{html}");
        assert!(html.contains(r#"<option value="sjj" selected>Market (sjj)</option>"#), "{html}");
        assert!(html.contains(r#"<option value="fgw">DRC (fgw)</option>"#), "{html}");
        assert!(html.contains(r#"value="approve" checked>"#), "{html}");
        assert!(html.contains(r#"value="sign">"#), "{html}");
        assert!(html.contains(r#"name="items" type="text" value="X1 X2""#), "{html}");
        assert!(
            html.contains(
                r#"value="2026-13-01" aria-invalid="true" aria-describedby="err-valid-until"><p class="field-error" id="err-valid-until" role="alert">not a date</p>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<a href="/inbox">"#), "{html}");
    }

    #[test]
    fn the_form_first_shown_ticks_nothing_and_names_the_grant_just_given() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Administrator);
        let v = GrantForm {
            done: Some("grant_created".into()),
            id: Some("g-1".into()),
            ..form(&ctx, departments(), None, FieldErrors::default())
        };
        let html = render(&ctx, &v).into_string();
        assert!(html.starts_with(r#"<div class="notice ok" role="status">"#), "{html}");
        assert!(html.contains(r#"<p class="notice ok" role="status"><code>g-1</code></p>"#), "{html}");
        assert!(!html.contains("checked") && !html.contains("selected"), "{html}");
        assert!(html.contains(r#"<a href="/admin/grants">"#), "{html}");
    }

    #[test]
    fn items_split_on_any_separator_and_a_date_runs_to_its_last_moment_in_china() {
        let fields = Fields(vec![
            ("grantee".into(), " zhao.deputy ".into()),
            ("items".into(), "X1, X2\u{3001}X3\n".into()),
            ("valid_until".into(), "2026-12-31".into()),
        ]);
        let req = new_grant(&fields);
        assert_eq!(req.grantee, "zhao.deputy");
        assert_eq!(req.items, Some(vec!["X1".into(), "X2".into(), "X3".into()]));
        assert_eq!(req.valid_until.as_deref(), Some("2026-12-31T23:59:59+08:00"));
        assert!(req.powers.is_empty());
    }
}
