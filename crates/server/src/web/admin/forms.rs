//! Administration forms that create things from documents: importing an approval plan
//! from BPMN 2.0, a delegation grant, and a year's holiday schedule for the calendar. The rules live in [`crate::app`], shared with the JSON API.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::identity::{Power, Role};

use super::{access, section_tabs, see_other};
use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::app::MAX_BPMN_BYTES;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};
use tongban_core::access::{Action, role_may};

fn plan_form(ctx: &Ctx, text: &str, errors: &FieldErrors) -> Markup {
    let invalid = errors.get("bpmn").is_some();
    html! {
        h1 { (ctx.t("plans.import_title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("plans.import_lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/admin/plans/import" enctype="multipart/form-data" novalidate {
            (view::csrf(ctx))
            div class=(if errors.get("file").is_some() { "field invalid" } else { "field" }) {
                label for="f-file" { (ctx.t("plans.import_file")) }
                input id="f-file" type="file" name="file" accept=".bpmn,.xml,application/xml,text/xml"
                    aria-invalid=[errors.get("file").map(|_| "true")]
                    aria-describedby=[errors.get("file").map(|_| "err-file")];
                (view::field_error(errors, "file"))
            }
            div class=(if invalid { "field invalid" } else { "field" }) {
                label for="f-bpmn" { (ctx.t("plans.import_text")) }
                textarea id="f-bpmn" name="bpmn" rows="14" spellcheck="false"
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then_some("err-bpmn")] { (text) }
                (view::field_error(errors, "bpmn"))
            }
            button.primary type="submit" { (ctx.t("plans.import_submit")) }
        }
        p { a href="/admin/plans" { (ctx.t("plans.back")) } }
    }
}

/// `GET /admin/plans/import`.
pub async fn plan_import_page(ctx: Ctx) -> Result<Response, WebError> {
    if !access(&ctx, false)? {
        return Err(ctx.fail(AppError::Forbidden("only administrators import plans here".into())));
    }
    Ok(page(&ctx, ctx.t("plans.import_title"), plan_form(&ctx, "", &FieldErrors::default())))
}

/// `POST /admin/plans/import`: a file, or the document pasted; errors come back beside the
/// field, naming the element, its id and line.
pub async fn plan_import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    if !access(&ctx, false)? {
        return Err(ctx.fail(AppError::Forbidden("only administrators import plans here".into())));
    }
    let typed = fields.get("bpmn").to_owned();
    let mut errors = FieldErrors::default();
    let file = files.iter().find(|f| f.field == "file" && !f.bytes.is_empty());
    let text = match file {
        Some(f) if f.bytes.len() > MAX_BPMN_BYTES => {
            errors.add("file", ctx.tf("plans.too_large", &[("n", &(MAX_BPMN_BYTES / 1024 / 1024).to_string())]));
            None
        }
        Some(f) => match std::str::from_utf8(&f.bytes) {
            Ok(t) => Some(t.to_owned()),
            Err(_) => {
                errors.add("file", ctx.t("plans.not_utf8"));
                None
            }
        },
        None if typed.trim().is_empty() => {
            errors.add("bpmn", ctx.t("plans.nothing"));
            None
        }
        None => Some(typed.clone()),
    };
    if let Some(text) = text {
        match app::import_plan(&state, &ctx.principal, &text).await {
            Ok((plan, version)) => {
                return Ok(see_other(&ctx, format!("/admin/plans?done=plan_imported&v={version}#plan-{}", plan.id())));
            }
            Err(crate::app::AppError::Invalid(list)) => {
                let field = if file.is_some() { "file" } else { "bpmn" };
                let all: Vec<String> =
                    list.iter().map(|(f, m)| if f == "bpmn" { m.clone() } else { format!("{f}: {m}") }).collect();
                errors.add(field, all.join(" · "));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = plan_form(&ctx, &typed, &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("plans.import_title"), body)).into_response())
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

/// `?done=` and the grant just given.
#[derive(Debug, Default, Deserialize)]
pub struct GrantDone {
    /// The notice.
    pub done: Option<String>,
    /// The grant's id.
    pub id: Option<String>,
}

fn grant_form(ctx: &Ctx, departments: &[(String, String)], fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    let own = ctx.principal.account.as_ref().and_then(|a| a.department.as_ref()).map(ToString::to_string);
    let department = fields.map_or_else(|| own.clone().unwrap_or_default(), |f| f.get("department").to_owned());
    let powers_invalid = errors.get("powers").is_some();
    html! {
        h1 { (ctx.t("grant.new_title")) }
        p.lead { (ctx.t("grant.new_lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/admin/grants/new" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("grant.grantee"), "grantee", view::typed(fields, "grantee", ""), errors,
                Input { required: true, autofocus: true, hint: Some(ctx.t("grant.grantee_hint")), ..Input::default() }))
            div class=(if errors.get("department").is_some() { "field invalid" } else { "field" }) {
                label for="f-department" { (ctx.t("grant.department")) }
                select id="f-department" name="department"
                    aria-describedby=[errors.get("department").map(|_| "err-department")] {
                    @for (code, name) in departments {
                        option value=(code) selected[*code == department] { (name) " (" (code) ")" }
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
                            checked[fields.is_some_and(|f| f.has("powers", p.as_str()))];
                        " " (ctx.t(&format!("power.{}", p.as_str())))
                    }
                }
                (view::field_error(errors, "powers"))
            }
            (view::input(ctx.t("grant.items"), "items", view::typed(fields, "items", ""), errors,
                Input { hint: Some(ctx.t("grant.items_hint")), ..Input::default() }))
            (view::input(ctx.t("grant.valid_until"), "valid_until", view::typed(fields, "valid_until", ""), errors,
                Input { kind: "date", hint: Some(ctx.t("grant.valid_until_hint")), ..Input::default() }))
            button.primary type="submit" { (ctx.t("grant.create")) }
        }
        @if matches!(ctx.role(), Role::Approver | Role::DepartmentHead) {
            p { a href="/inbox" { (ctx.t("inbox.title")) } }
        } @else {
            p { a href="/admin/grants" { (ctx.t("grant.back")) } }
        }
    }
}

/// `GET /admin/grants/new`.
pub async fn grant_new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<GrantDone>,
) -> Result<Response, WebError> {
    may_delegate(&ctx)?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let id = q.id.filter(|i| i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let body = html! {
        (view::done_notice(&ctx, q.done.as_deref()))
        @if let Some(id) = id { p.notice.ok role="status" { code { (id) } } }
        (grant_form(&ctx, &departments, None, &FieldErrors::default()))
    };
    Ok(page(&ctx, ctx.t("grant.new_title"), body))
}

/// `POST /admin/grants/new`: the caller gives what they hold, never more.
pub async fn grant_new(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    may_delegate(&ctx)?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let mut errors = FieldErrors::default();
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
    let powers = fields.all("powers");
    if fields.get("grantee").trim().is_empty() {
        errors.add("grantee", ctx.t("err.required"));
    }
    if powers.is_empty() {
        errors.add("powers", ctx.t("grant_err.no_power"));
    }
    if errors.is_empty() {
        let req = app::NewGrant {
            grantee: fields.get("grantee").trim().to_owned(),
            department: fields.get("department").to_owned(),
            items: (!items.is_empty()).then_some(items),
            powers,
            valid_until,
        };
        match app::create_grant(&state, &ctx.principal, req).await {
            Ok(g) => return Ok(see_other(&ctx, format!("/admin/grants/new?done=grant_created&id={}", g.id))),
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "grant" { "" } else { f.as_str() };
                    if errors.get(field).is_none() {
                        let message = ctx.lang.get(&format!("grant_err.{f}")).map_or(m, str::to_owned);
                        errors.add(field, message);
                    }
                }
            }
            Err(crate::app::AppError::NoAuthority(m)) => {
                errors.add("powers", format!("{} ({m})", ctx.t("grant_err.exceeds")))
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = grant_form(&ctx, &departments, Some(&fields), &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("grant.new_title"), body)).into_response())
}

/// The import form, its year given by `?year=` or else the year after today's.
fn calendar_form(ctx: &Ctx, year: i16, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    let year = year.to_string();
    let csv_invalid = errors.get("csv").is_some();
    html! {
        h1 { (ctx.t("cal.import_title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("cal.import_lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/admin/calendar/import" enctype="multipart/form-data" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("cal.import_year"), "year", view::typed(fields, "year", &year), errors,
                Input { kind: "number", required: true, ..Input::default() }))
            div.field {
                label for="f-file" { (ctx.t("cal.import_file")) }
                input id="f-file" type="file" name="file" accept=".csv,text/csv,text/plain";
            }
            div class=(if csv_invalid { "field invalid" } else { "field" }) {
                label for="f-csv" { (ctx.t("cal.import_text")) }
                p.hint { code { "date,kind,name" } " · " (ctx.t("cal.import_text_hint")) }
                textarea id="f-csv" name="csv" rows="12" spellcheck="false"
                    aria-invalid=[csv_invalid.then_some("true")]
                    aria-describedby=[csv_invalid.then_some("err-csv")] { (view::typed(fields, "csv", "")) }
                (view::field_error(errors, "csv"))
            }
            button.primary type="submit" { (ctx.t("cal.import_submit")) }
        }
        p { a href="/admin/calendar" { (ctx.t("cal.back")) } }
    }
}

/// `GET /admin/calendar/import[?year=Y]`: the year offered is the one asked for, else next year.
pub async fn calendar_import_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::calendar::YearQuery>,
) -> Result<Response, WebError> {
    if !access(&ctx, false)? {
        return Err(ctx.fail(AppError::Forbidden("only administrators import the calendar".into())));
    }
    let year = q.year.unwrap_or_else(|| tongban_core::case::CaseNumber::year_of(state.now()) + 1);
    Ok(page(&ctx, ctx.t("cal.import_title"), calendar_form(&ctx, year, None, &FieldErrors::default())))
}

/// `POST /admin/calendar/import`: a CSV file, or the rows pasted, for one year.
pub async fn calendar_import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    if !access(&ctx, false)? {
        return Err(ctx.fail(AppError::Forbidden("only administrators import the calendar".into())));
    }
    let mut errors = FieldErrors::default();
    let year = fields.get("year").trim().parse::<i16>().ok();
    if year.is_none() {
        errors.add("year", ctx.t("cal.err_year"));
    }
    let file = files.iter().find(|f| f.field == "file" && !f.bytes.is_empty());
    let text = match file {
        Some(f) => String::from_utf8(f.bytes.to_vec()).ok(),
        None => Some(fields.get("csv").to_owned()),
    };
    let text = text.filter(|t| !t.trim().is_empty());
    if text.is_none() {
        errors.add("csv", ctx.t("cal.err_nothing"));
    }
    if let (Some(year), Some(text), true) = (year, text, errors.is_empty()) {
        match app::import_calendar_year(&state, &ctx.principal, year, &text).await {
            Ok(_) => {
                return Ok(see_other(&ctx, format!("/admin/calendar?year={year}&done=calendar_imported")));
            }
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "year" { "year" } else { "csv" };
                    if errors.get(field).is_none() {
                        errors.add(field, m);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = calendar_form(
        &ctx,
        year.unwrap_or_else(|| tongban_core::case::CaseNumber::year_of(state.now()) + 1),
        Some(&fields),
        &errors,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("cal.import_title"), body)).into_response())
}

fn closure_form(ctx: &Ctx, divisions: &[String], fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    let chosen = view::typed(fields, "division", divisions.first().map_or("", String::as_str)).to_owned();
    let division_invalid = errors.get("division").is_some();
    html! {
        h1 { (ctx.t("cal.closure_title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("cal.closures_hint")) }
        (view::form_error(errors))
        form.stack method="post" action="/admin/calendar/closures" novalidate {
            (view::csrf(ctx))
            div class=(if division_invalid { "field invalid" } else { "field" }) {
                label for="f-division" { (ctx.t("cal.division")) }
                select id="f-division" name="division" aria-invalid=[division_invalid.then_some("true")] {
                    @for d in divisions {
                        option value=(d) selected[*d == chosen] { (d) }
                    }
                }
                (view::field_error(errors, "division"))
            }
            (view::input(ctx.t("cal.date"), "date", view::typed(fields, "date", ""), errors,
                Input { kind: "date", required: true, ..Input::default() }))
            (view::input(ctx.t("cal.reason"), "name", view::typed(fields, "name", ""), errors,
                Input { required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("cal.closure_submit")) }
        }
        p { a href="/admin/calendar#closures" { (ctx.t("cal.back")) } }
    }
}

async fn division_options(state: &AppState, ctx: &Ctx) -> Result<Vec<String>, WebError> {
    let codes = crate::app::public::division_codes(state).await.map_err(|e| ctx.fail(e))?;
    Ok(codes.into_iter().map(|c| c.to_string()).collect())
}

/// `GET /admin/calendar/closures`: the form for a new closure (闭厅).
pub async fn closure_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if !access(&ctx, false)? {
        return Err(ctx.fail(AppError::Forbidden("only administrators change the calendar".into())));
    }
    let divisions = division_options(&state, &ctx).await?;
    Ok(page(&ctx, ctx.t("cal.closure_title"), closure_form(&ctx, &divisions, None, &FieldErrors::default())))
}

/// `POST /admin/calendar/closures` (add) and `POST /admin/calendar/closures/lift`.
async fn closure_post(state: AppState, posted: Posted, lift: bool) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    if !access(&ctx, false)? {
        return Err(ctx.fail(AppError::Forbidden("only administrators change the calendar".into())));
    }
    let mut errors = FieldErrors::default();
    let division = tongban_core::division::DivisionCode::parse(fields.get("division").trim()).ok();
    if division.is_none() {
        errors.add("division", ctx.t("cal.err_division"));
    }
    let date = fields.get("date").trim().parse::<jiff::civil::Date>().ok();
    if date.is_none() {
        errors.add("date", ctx.t("cal.err_date"));
    }
    if let (Some(division), Some(date), true) = (division, date, errors.is_empty()) {
        let closure = tongban_core::calendar::Closure { division, date, name: fields.get("name").to_owned() };
        match app::set_closure(&state, &ctx.principal, closure, lift).await {
            Ok(_) => {
                let done = if lift { "closure_lifted" } else { "closure_saved" };
                return Ok(see_other(&ctx, format!("/admin/calendar?year={}&done={done}", date.year())));
            }
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    if errors.get(&f).is_none() {
                        errors.add(&f, m);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let divisions = division_options(&state, &ctx).await?;
    let body = closure_form(&ctx, &divisions, Some(&fields), &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("cal.closure_title"), body)).into_response())
}

/// `POST /admin/calendar/closures`: adds a closure.
pub async fn closure_add(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    closure_post(state, posted, false).await
}

/// `POST /admin/calendar/closures/lift`: lifts a closure.
pub async fn closure_lift(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    closure_post(state, posted, true).await
}

/// This module's pages.
pub(in crate::web) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/grants/new", get(grant_new_page).post(grant_new))
        .route("/admin/calendar/import", get(calendar_import_page).post(calendar_import))
        .route("/admin/calendar/closures", get(closure_page).post(closure_add))
        .route("/admin/calendar/closures/lift", post(closure_lift))
        .route("/admin/plans/import", get(plan_import_page).post(plan_import))
}
