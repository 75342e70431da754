//! Applying (`/hall/apply/{code}`): a form generated from the item's materials, files
//! optional. A window clerk uses the same form to receive an applicant at the window (首接).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::case::CaseError;
use tongban_core::identity::Role;
use tongban_core::item::{Channel, ItemCode, MaterialForm, ServiceItem};

use super::{field_message, kind_radios, see_other};
use crate::AppState;
use crate::app;
use crate::app::{Account, AppError, ItemRow};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted, Upload};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// The channel a role applies through: online for applicants, the window for clerks.
fn channel_for(role: Role) -> Option<Channel> {
    match role {
        Role::Applicant => Some(Channel::Online),
        Role::WindowClerk => Some(Channel::Window),
        _ => None,
    }
}

async fn apply_setup(state: &AppState, ctx: &Ctx, code: &str) -> Result<(ItemRow, Channel), WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let channel = channel_for(account.role)
        .ok_or_else(|| ctx.fail(AppError::Forbidden(format!("a {} may not apply", account.role))))?;
    let not_found = || ctx.fail(AppError::NotFound(format!("item {code:?} does not exist")));
    let parsed = ItemCode::parse(code).map_err(|_| not_found())?;
    let row = crate::app::public::item(state, &parsed).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)?;
    Ok((row, channel))
}

/// One material on the apply form.
#[derive(Debug, Clone)]
pub struct MaterialChoice {
    /// Its name.
    pub name: String,
    /// Original, copy or electronic.
    pub form: MaterialForm,
    /// Whether the item cannot be accepted without it.
    pub required: bool,
    /// Whether it was ticked as handed in.
    pub ticked: bool,
    /// Whether its box takes the focus.
    pub autofocus: bool,
}

/// The apply form, as shown or as sent back.
#[derive(Debug, Clone)]
pub struct ApplyForm {
    /// The item's code.
    pub code: String,
    /// The item's name.
    pub item: String,
    /// The channel applied through.
    pub channel: Channel,
    /// Whether applicants apply for themselves (their identity is fixed).
    pub own: bool,
    /// Individual or enterprise.
    pub kind: String,
    /// The applicant's name.
    pub name: String,
    /// The identity number or credit code.
    pub id_number: String,
    /// The phone.
    pub phone: String,
    /// The item's materials, in order (file field `file.N` is material N).
    pub materials: Vec<MaterialChoice>,
    /// What was wrong.
    pub errors: FieldErrors,
}

impl ApplyForm {
    /// The form for `item` through `channel`, filled from `account` when applicants apply
    /// for themselves, or with what was typed when sent back.
    pub fn of(
        account: Option<&Account>,
        item: &ServiceItem,
        channel: Channel,
        fields: Option<&Fields>,
        errors: FieldErrors,
    ) -> ApplyForm {
        let own = account.is_some_and(|a| a.role == Role::Applicant);
        let default = |f: &str| -> String {
            match (account, f) {
                (Some(a), "name") if own => a.display_name.clone(),
                (Some(a), "id_number") if own => a.id_number.clone().unwrap_or_default(),
                (Some(a), "phone") if own => a.phone.clone().unwrap_or_default(),
                (Some(a), "kind") if own => a.applicant_kind.clone().unwrap_or_else(|| "individual".into()),
                (_, "kind") => "individual".into(),
                _ => String::new(),
            }
        };
        let value = |f: &str| fields.map_or_else(|| default(f), |x| x.get(f).to_owned());
        let materials = item
            .materials
            .iter()
            .enumerate()
            .map(|(n, m)| MaterialChoice {
                name: m.name.clone(),
                form: m.form,
                required: m.required,
                ticked: fields.is_some_and(|f| f.has("materials", &m.name)),
                autofocus: own && n == 0,
            })
            .collect();
        ApplyForm {
            code: item.code.to_string(),
            item: item.name.clone(),
            channel,
            own,
            kind: value("kind"),
            name: value("name"),
            id_number: value("id_number"),
            phone: value("phone"),
            materials,
            errors,
        }
    }
}

/// Draws the apply form.
pub fn render_apply(ctx: &Ctx, f: &ApplyForm) -> Markup {
    let errors = &f.errors;
    let materials_invalid = errors.get("materials").is_some();
    html! {
        nav.crumbs aria-label=(ctx.t("nav.crumbs")) { a href=(format!("/items/{}", f.code)) { (f.item) } " › " span { (ctx.t("apply.title")) } }
        h1 { (ctx.tf("apply.heading", &[("item", &f.item)])) }
        p.lead { (ctx.t(&format!("apply.channel.{}", f.channel.as_str()))) }
        (view::form_error(errors))
        form.stack method="post" action=(format!("/hall/apply/{}", f.code)) enctype="multipart/form-data" novalidate {
            (view::csrf(ctx))
            fieldset {
                legend { (ctx.t("apply.applicant")) }
                (kind_radios(ctx, &f.kind, errors))
                (view::input(ctx.t("apply.name"), "name", &f.name, errors, Input { required: true, autofocus: !f.own, ..Input::default() }))
                (view::input(ctx.t("apply.id_number"), "id_number", &f.id_number, errors,
                    Input { required: true, readonly: f.own, hint: f.own.then(|| ctx.t("apply.own_id")), ..Input::default() }))
                (view::input(ctx.t("apply.phone"), "phone", &f.phone, errors, Input { kind: "tel", autocomplete: Some("tel"), ..Input::default() }))
            }
            fieldset class=(if materials_invalid { "field invalid" } else { "field" }) aria-describedby=[materials_invalid.then_some("err-materials")] {
                legend { (ctx.t("apply.materials")) }
                p.hint { (ctx.t("apply.materials_hint")) }
                (view::field_error(errors, "materials"))
                @for (n, m) in f.materials.iter().enumerate() {
                    div.material {
                        label.choice {
                            input type="checkbox" name="materials" value=(m.name) checked[m.ticked] autofocus[m.autofocus];
                            " " (m.name) " "
                            span.hint { "(" (ctx.t(&format!("form.{}", m.form.as_str()))) ", " @if m.required { (ctx.t("item.required_short")) } @else { (ctx.t("item.optional")) } ")" }
                        }
                        @let file = format!("file.{n}");
                        div class=(if errors.get(&file).is_some() { "field file invalid" } else { "field file" }) {
                            label for=(format!("f-file-{n}")) { (ctx.tf("apply.file_for", &[("material", &m.name)])) }
                            input id=(format!("f-file-{n}")) type="file" name=(file) accept="application/pdf,image/jpeg,image/png";
                            (view::field_error(errors, &file))
                        }
                    }
                }
            }
            button.primary type="submit" accesskey="s" { (ctx.t("apply.submit")) }
        }
    }
}

/// The item does not take applications through the caller's channel.
#[derive(Debug, Clone)]
pub struct NotOffered {
    /// The item's code.
    pub code: String,
    /// The item's name.
    pub item: String,
    /// The caller's channel.
    pub channel: Channel,
}

/// Draws the note that the item is not offered through the caller's channel.
pub fn render_not_offered(ctx: &Ctx, v: &NotOffered) -> Markup {
    html! {
        h1 { (v.item) }
        p.notice { (ctx.t(&format!("apply.not_offered.{}", v.channel.as_str()))) }
        p { a href=(format!("/items/{}", v.code)) { (ctx.t("apply.back")) } }
    }
}

/// `GET /hall/apply/{code}`.
pub async fn apply_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (row, channel) = apply_setup(&state, &ctx, &code).await?;
    if !row.item.channels.contains(&channel) {
        let model = NotOffered { code: row.item.code.to_string(), item: row.item.name.clone(), channel };
        return Ok(page(&ctx, &row.item.name, render_not_offered(&ctx, &model)));
    }
    let model = ApplyForm::of(ctx.account(), &row.item, channel, None, FieldErrors::default());
    Ok(page(&ctx, ctx.t("apply.title"), render_apply(&ctx, &model)))
}

/// Where a case rule's complaint belongs on the apply form.
pub fn case_error_field(ctx: &Ctx, e: &AppError) -> Option<(&'static str, String)> {
    let list = |l: &[String]| l.join(ctx.t("list.sep"));
    Some(match e {
        AppError::Case(CaseError::MissingMaterials(l)) => {
            ("materials", ctx.tf("err.missing_materials", &[("list", &list(l))]))
        }
        AppError::Case(CaseError::UnknownMaterials(l)) => {
            ("materials", ctx.tf("err.unknown_materials", &[("list", &list(l))]))
        }
        AppError::Case(CaseError::BadText(field, max)) => {
            (field.name(), ctx.tf("err.text", &[("max", &max.to_string())]))
        }
        AppError::Case(CaseError::ChannelNotOffered { .. }) => ("", ctx.t("err.channel").to_owned()),
        AppError::Case(CaseError::BadRating) => ("score", ctx.t("err.rating").to_owned()),
        AppError::Case(CaseError::NotOfferedToYou) => ("", ctx.t("err.not_offered").to_owned()),
        AppError::Case(CaseError::IllegalTransition { .. }) => ("", ctx.t("err.illegal").to_owned()),
        AppError::Conflict(_) => ("", ctx.t("err.conflict").to_owned()),
        AppError::NoAuthority(_) => ("", ctx.t("err.no_authority").to_owned()),
        AppError::UnsupportedType(_) => ("", ctx.t("err.file_type").to_owned()),
        AppError::TooLarge(_) => ("", ctx.t("err.file_size").to_owned()),
        _ => return None,
    })
}

/// Checks posted files before anything is written: `file.N` is material N of the item.
/// Returns (material, file) pairs, adding each material with a file to those handed in.
pub fn check_files(
    ctx: &Ctx,
    materials: &[tongban_core::item::Material],
    files: Vec<Upload>,
    handed_in: &mut Vec<String>,
    errors: &mut FieldErrors,
) -> Vec<(String, Upload)> {
    let mut out = Vec::new();
    for f in files {
        let Some(m) =
            f.field.strip_prefix("file.").and_then(|n| n.parse::<usize>().ok()).and_then(|n| materials.get(n))
        else {
            continue;
        };
        match app::check_file(&f.content_type, &f.bytes) {
            Ok(_) => {
                if !handed_in.contains(&m.name) {
                    handed_in.push(m.name.clone());
                }
                out.push((m.name.clone(), f));
            }
            Err(e) => {
                let field = f.field.clone();
                let message = case_error_field(ctx, &e).map_or_else(|| e.to_string(), |(_, m)| m);
                errors.add(&field, message);
            }
        }
    }
    out
}

/// Stores checked files on a case.
pub async fn store_files(
    state: &AppState,
    ctx: &Ctx,
    number: &tongban_core::case::CaseNumber,
    files: Vec<(String, Upload)>,
) -> Result<(), WebError> {
    for (material, f) in files {
        app::upload_material(state, &ctx.principal, number, &material, &f.content_type, f.bytes.to_vec())
            .await
            .map_err(|e| ctx.fail(e))?;
    }
    Ok(())
}

/// `POST /hall/apply/{code}`.
pub async fn apply(
    State(state): State<AppState>,
    Path(code): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    let (row, channel) = apply_setup(&state, &ctx, &code).await?;
    let mut errors = FieldErrors::default();
    let mut materials = fields.all("materials");
    let files = check_files(&ctx, &row.item.materials, files, &mut materials, &mut errors);
    if errors.is_empty() {
        let request = tongban_core::case::SubmissionRequest {
            item: row.item.code.to_string(),
            applicant_kind: fields.get("kind").to_owned(),
            name: fields.get("name").trim().to_owned(),
            id_number: fields.get("id_number").trim().to_owned(),
            phone: Some(fields.get("phone").trim().to_owned()).filter(|p| !p.is_empty()),
            channel: channel.as_str().to_owned(),
            materials: materials.clone(),
            received_by: None,
        };
        match request.parse() {
            Err(list) => {
                for (f, m) in list {
                    let f = if f == "applicant.kind" { "kind".to_owned() } else { f };
                    errors.add(&f, field_message(&ctx, &f, &m));
                }
            }
            Ok((item, submission)) => match app::submit_case(&state, &ctx.principal, &item, submission).await {
                Ok(case) => {
                    store_files(&state, &ctx, &case.number, files).await?;
                    return Ok(see_other(&ctx, &format!("/cases/{}?done=submitted", case.number)));
                }
                Err(crate::app::AppError::Forbidden(_)) if ctx.role() == Role::Applicant => {
                    errors.add("id_number", ctx.t("err.own_id"));
                }
                Err(e) => match case_error_field(&ctx, &e) {
                    Some((field, message)) => errors.add(field, message),
                    None => return Err(ctx.fail(e)),
                },
            },
        }
    }
    let model = ApplyForm::of(ctx.account(), &row.item, channel, Some(&fields), errors);
    let body = render_apply(&ctx, &model);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("apply.title"), body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn form(own: bool, errors: FieldErrors) -> ApplyForm {
        let material = |name: &str, n: usize| MaterialChoice {
            name: name.into(),
            form: MaterialForm::Original,
            required: n == 0,
            ticked: n == 1,
            autofocus: own && n == 0,
        };
        ApplyForm {
            code: "FGW-001".into(),
            item: "Permit".into(),
            channel: Channel::Online,
            own,
            kind: "enterprise".into(),
            name: "Li".into(),
            id_number: "91350100M000100Y43".into(),
            phone: String::new(),
            materials: vec![material("Licence", 0), material("Plan", 1)],
            errors,
        }
    }

    #[test]
    fn an_applicant_applying_for_themselves_cannot_change_the_identity_number() {
        let ctx = Ctx::for_test(Lang::En);
        let html = render_apply(&ctx, &form(true, FieldErrors::default())).into_string();
        assert!(html.contains("value=\"91350100M000100Y43\" required readonly"), "{html}");
        assert!(html.contains("value=\"enterprise\" checked"), "{html}");
        assert!(html.contains("value=\"Plan\" checked"), "{html}");
        assert!(!html.contains("value=\"Licence\" checked"), "{html}");
        let html = render_apply(&ctx, &form(false, FieldErrors::default())).into_string();
        assert!(!html.contains("readonly"), "{html}");
    }

    #[test]
    fn a_refused_file_is_marked_beside_its_material() {
        let ctx = Ctx::for_test(Lang::En);
        let mut errors = FieldErrors::default();
        errors.add("file.1", "not a PDF");
        let html = render_apply(&ctx, &form(true, errors)).into_string();
        assert!(html.contains("class=\"field file invalid\""), "{html}");
        assert!(html.contains("id=\"err-file-1\" role=\"alert\">not a PDF<"), "{html}");
    }
}
