//! `/supervision/accountability` — records, the department's answer, the supervisor's
//! conclusion.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{SHOWN, allow, person, section_tabs};
use crate::AppState;
use crate::app::{self, AccountabilityRow};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self};
use tongban_core::access::{Action, role_may};
use tongban_core::supervision::AccountabilityState;

/// `?state=&done=` of the accountability page.
#[derive(Debug, Default, Deserialize)]
pub struct AccountabilityQuery {
    /// `open`, `answered`, `closed`; all when none.
    pub state: Option<String>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

/// The form of one record being shown again: (case number, since, what was typed, errors).
type FailedStep<'a> = Option<(&'a str, &'a str, &'a Fields, &'a FieldErrors)>;

/// What the accountability page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct AccountabilityView {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The alert over the page when a form failed: its own message, or "see the fields".
    pub alert: Option<String>,
    /// The state asked for; all when none.
    pub wanted: Option<AccountabilityState>,
    /// Records the viewer may see.
    pub total: usize,
    /// Records per state, in the order listed.
    pub counts: Vec<(AccountabilityState, usize)>,
    /// Records shown: waiting on someone first, at most [`SHOWN`].
    pub records: Vec<RecordView>,
    /// Records matching the filter, shown or not.
    pub matching: usize,
}

/// One accountability record as shown.
#[derive(Debug, Clone)]
pub(super) struct RecordView {
    /// The element id.
    pub id: String,
    /// Case number.
    pub case_number: String,
    /// Its state.
    pub state: AccountabilityState,
    /// The department's name.
    pub department: String,
    /// The owner, as shown.
    pub owner: String,
    /// The watch that opened it.
    pub kind: tongban_core::supervision::AlertKind,
    /// The 审批第一责任人 named on it, as shown.
    pub first_responsible: Option<String>,
    /// When the case turned red.
    pub since: jiff::Timestamp,
    /// `since` as the forms post it back.
    pub since_key: String,
    /// Opened at.
    pub opened_at: jiff::Timestamp,
    /// The department's answer.
    pub answer: Option<StatementView>,
    /// The supervisor's conclusion.
    pub conclusion: Option<StatementView>,
    /// The form its viewer may use on it.
    pub form: Option<StepForm>,
}

/// An answer or a conclusion as shown.
#[derive(Debug, Clone)]
pub(super) struct StatementView {
    /// What was said.
    pub text: String,
    /// Who said it, as shown ("" when not recorded).
    pub by: String,
    /// When.
    pub at: Option<jiff::Timestamp>,
}

/// The answer or closing form of a record.
#[derive(Debug, Clone)]
pub(super) struct StepForm {
    /// `answer` or `close`.
    pub step: &'static str,
    /// The message keys of its label and its button.
    pub keys: (&'static str, &'static str),
    /// What was typed, when shown again.
    pub typed: String,
    /// Its errors, when shown again.
    pub errors: FieldErrors,
}

fn record_id(number: &str, since: &str) -> String {
    format!("rec-{number}-{since}").replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-")
}

/// The accountability page's model: the records the viewer may see (`all`), filtered by
/// the query, each with the form its viewer may use on it, and the form that failed.
pub(super) fn view(
    principal: &app::Principal,
    all: &[AccountabilityRow],
    q: &AccountabilityQuery,
    departments: &[(String, String)],
    names: &HashMap<String, String>,
    failed: FailedStep<'_>,
    see_fields: &str,
) -> AccountabilityView {
    let wanted = q.state.as_deref().and_then(AccountabilityState::parse);
    let mut shown: Vec<&AccountabilityRow> = all.iter().filter(|r| wanted.is_none_or(|s| r.state == s)).collect();
    // The ones waiting on someone first: open, then answered, then closed; newest first within.
    shown.sort_by_key(|r| AccountabilityState::ALL.iter().position(|s| *s == r.state).unwrap_or(3));
    let role = principal.role();
    let statement = |text: &Option<String>, by: &Option<String>, at: Option<jiff::Timestamp>| {
        text.as_ref().map(|t| StatementView {
            text: t.clone(),
            by: by.as_deref().map(|b| person(names, b)).unwrap_or_default(),
            at,
        })
    };
    let record = |r: &AccountabilityRow| {
        let since_key = app::format_ts(r.since);
        let step = match r.state {
            AccountabilityState::Open
                if role_may(role, Action::AnswerAccountability)
                    && app::may_see_department(principal, &r.department) =>
            {
                Some(("answer", ("acct.answer_label", "acct.answer_submit")))
            }
            AccountabilityState::Answered if role_may(role, Action::CloseAccountability) => {
                Some(("close", ("acct.close_label", "acct.close_submit")))
            }
            _ => None,
        };
        let mine = failed.filter(|(n, s, _, _)| *n == r.case_number && *s == since_key);
        RecordView {
            id: record_id(&r.case_number, &since_key),
            case_number: r.case_number.clone(),
            state: r.state,
            department: department_name(departments, &r.department).to_owned(),
            owner: person(names, &r.owner),
            kind: r.kind.clone(),
            first_responsible: r.first_responsible.as_deref().map(|p| person(names, p)),
            since: r.since,
            opened_at: r.opened_at,
            answer: statement(&r.answer, &r.answered_by, r.answered_at),
            conclusion: statement(&r.conclusion, &r.closed_by, r.closed_at),
            form: step.map(|(step, keys)| StepForm {
                step,
                keys,
                typed: mine.map_or("", |(_, _, f, _)| f.get("text")).to_owned(),
                errors: mine.map(|(_, _, _, e)| e.clone()).unwrap_or_default(),
            }),
            since_key,
        }
    };
    AccountabilityView {
        done: q.done.clone(),
        alert: failed.and_then(|(_, _, _, e)| match e.get("") {
            Some(m) => Some(m.to_owned()),
            None => (!e.is_empty()).then(|| see_fields.to_owned()),
        }),
        wanted,
        total: all.len(),
        counts: AccountabilityState::ALL.map(|s| (s, all.iter().filter(|r| r.state == s).count())).to_vec(),
        matching: shown.len(),
        records: shown.into_iter().take(SHOWN).map(record).collect(),
    }
}

/// One accountability record with the form its viewer may use on it.
fn record(ctx: &Ctx, r: &RecordView) -> Markup {
    let state = r.state.as_str();
    let statement = |s: &StatementView| {
        html! { p.statement { (s.text) } span.when { (s.by) @if let Some(t) = s.at { " · " (view::time(t)) } } }
    };
    html! {
        article.record id=(r.id) {
            header {
                h3 { a href=(format!("/cases/{}", r.case_number)) { (r.case_number) } }
                span class=(format!("badge acct-{state}")) { (ctx.t(&format!("acct_state.{state}"))) }
            }
            dl.facts {
                dt { (ctx.t("item.department")) } dd { (r.department) }
                dt { (ctx.t("sup.owner")) } dd { (r.owner) }
                dt { (ctx.t("acct.kind")) } dd { (super::alerts::kind_label(ctx, &r.kind)) }
                @if let Some(p) = &r.first_responsible { dt { (ctx.t("acct.first_responsible")) } dd { (p) } }
                dt { (ctx.t("acct.red_since")) } dd { (view::time(r.since)) }
                dt { (ctx.t("acct.opened")) } dd { (view::time(r.opened_at)) }
                @if let Some(a) = &r.answer {
                    dt { (ctx.t("acct.answer")) }
                    dd { (statement(a)) }
                }
                @if let Some(c) = &r.conclusion {
                    dt { (ctx.t("acct.conclusion")) }
                    dd { (statement(c)) }
                }
            }
            @if let Some(f) = &r.form {
                form.stack method="post" action=(format!("/supervision/accountability/{}/{}", r.case_number, f.step)) novalidate {
                    (view::csrf(ctx))
                    input type="hidden" name="since" value=(r.since_key);
                    (view::textarea(ctx.t(f.keys.0), "text", &f.typed, &f.errors, true, &r.id))
                    button.primary type="submit" { (ctx.t(f.keys.1)) }
                }
            }
        }
    }
}

/// The accountability page's body.
pub(super) fn render(ctx: &Ctx, v: &AccountabilityView) -> Markup {
    html! {
        h1 { (ctx.t("acct.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("acct.lead")) }
        (view::done_notice(ctx, v.done.as_deref()))
        @if let Some(m) = &v.alert { div.notice.error role="alert" { (m) } }
        nav.filters aria-label=(ctx.t("acct.filter")) {
            ul {
                li { @if v.wanted.is_none() { a href="/supervision/accountability" aria-current="true" { (ctx.t("acct.all")) " (" (v.total) ")" } } @else { a href="/supervision/accountability" { (ctx.t("acct.all")) " (" (v.total) ")" } } }
                @for (s, n) in &v.counts {
                    @let s = s.as_str();
                    li {
                        @if v.wanted.is_some_and(|w| w.as_str() == s) {
                            a href=(format!("/supervision/accountability?state={s}")) aria-current="true" { (ctx.t(&format!("acct_state.{s}"))) " (" (n) ")" }
                        } @else {
                            a href=(format!("/supervision/accountability?state={s}")) { (ctx.t(&format!("acct_state.{s}"))) " (" (n) ")" }
                        }
                    }
                }
            }
        }
        @if v.records.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if v.matching > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.records {
                @for r in &v.records { (record(ctx, r)) }
            }
        }
    }
}

async fn accountability_page(
    state: &AppState,
    ctx: &Ctx,
    q: &AccountabilityQuery,
    failed: FailedStep<'_>,
) -> Result<Response, WebError> {
    let all = app::accountability_records(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let model = view(&ctx.principal, &all, q, &departments, &names, failed, ctx.t("err.see_fields"));
    Ok(page(ctx, ctx.t("acct.title"), render(ctx, &model)))
}

/// `GET /supervision/accountability`.
pub async fn accountability(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AccountabilityQuery>,
) -> Result<Response, WebError> {
    accountability_page(&state, &ctx, &q, None).await
}

async fn step(state: &AppState, number: &str, posted: Posted, close: bool) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    // Who may answer or close is checked before what they typed.
    let action = if close { Action::CloseAccountability } else { Action::AnswerAccountability };
    allow(&ctx, action)?;
    let since = fields.get("since").to_owned();
    let mut errors = FieldErrors::default();
    let text = fields.get("text").trim().to_owned();
    if text.is_empty() {
        errors.add("text", ctx.t("err.required"));
    } else {
        match app::accountability_step(state, &ctx.principal, number, &since, &text, close).await {
            Ok(()) => {
                let done = if close { "accountability_closed" } else { "accountability_answered" };
                let to = format!("/supervision/accountability?done={done}");
                return Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)])));
            }
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "text" { "text" } else { "" };
                    errors.add(field, if field == "text" { ctx.t("acct.text_invalid").to_owned() } else { m });
                }
            }
            Err(crate::app::AppError::Conflict(_)) => {
                errors.add("", ctx.t(if close { "acct.not_answered" } else { "acct.not_open" }));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let status = if errors.get("").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let q = AccountabilityQuery::default();
    let response = accountability_page(state, &ctx, &q, Some((number, &since, &fields, &errors))).await?;
    Ok((status, response).into_response())
}

/// `POST /supervision/accountability/{number}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    step(&state, &number, posted, false).await
}

/// `POST /supervision/accountability/{number}/close`.
pub async fn close(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    step(&state, &number, posted, true).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    fn record(number: &str, state: AccountabilityState) -> AccountabilityRow {
        let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("a moment");
        let answered = state != AccountabilityState::Open;
        AccountabilityRow {
            case_number: number.into(),
            kind: tongban_core::supervision::AlertKind::DUE,
            since: at,
            department: "fgw".into(),
            owner: "wang.fang".into(),
            first_responsible: Some("li.head".to_owned()),
            state,
            opened_at: at,
            answer: answered.then(|| "the expert review took longer".to_owned()),
            answered_by: answered.then(|| "li.head".to_owned()),
            answered_at: answered.then_some(at),
            conclusion: None,
            closed_by: None,
            closed_at: None,
        }
    }

    #[test]
    fn a_supervisor_sees_the_records_waiting_first_with_the_close_form_on_answered_ones() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Supervisor);
        let all = [record("LZ-1", AccountabilityState::Answered), record("LZ-2", AccountabilityState::Open)];
        let names = HashMap::from([("li.head".to_owned(), "Li".to_owned())]);
        let q = AccountabilityQuery::default();
        let v = view(&ctx.principal, &all, &q, &[("fgw".into(), "DRC".into())], &names, None, "see");
        assert_eq!(v.records.iter().map(|r| r.case_number.as_str()).collect::<Vec<_>>(), ["LZ-2", "LZ-1"]);
        assert_eq!(
            v.counts,
            [(AccountabilityState::Open, 1), (AccountabilityState::Answered, 1), (AccountabilityState::Closed, 0)]
        );
        assert!(v.records[0].form.is_none(), "a supervisor does not answer for the department");
        assert_eq!(v.records[1].form.as_ref().map(|f| f.step), Some("close"));
        let html = render(&ctx, &v).into_string();
        assert!(html.contains(r#"action="/supervision/accountability/LZ-1/close""#), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="since" value="2026-03-02T02:00:00.000000Z">"#), "{html}");
        assert!(html.contains(r#"id="rec-LZ-1-2026-03-02T02-00-00-000000Z""#), "{html}");
        assert!(html.contains("<span class=\"when\">Li (li.head) · "), "{html}");
    }

    #[test]
    fn a_failed_answer_is_shown_again_with_its_text_and_the_alert() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Supervisor);
        let all = [record("LZ-1", AccountabilityState::Answered)];
        let fields = Fields(vec![("text".into(), "typed before".into())]);
        let mut errors = FieldErrors::default();
        errors.add("", "not answered yet");
        let failed = Some(("LZ-1", "2026-03-02T02:00:00.000000Z", &fields, &errors));
        let q = AccountabilityQuery { state: Some("answered".into()), done: None };
        let v = view(&ctx.principal, &all, &q, &[], &HashMap::new(), failed, "see");
        assert_eq!(v.alert.as_deref(), Some("not answered yet"));
        assert_eq!(v.wanted, Some(AccountabilityState::Answered));
        let html = render(&ctx, &v).into_string();
        assert!(html.contains(">typed before</textarea>"), "{html}");
        assert!(html.contains(r#"href="/supervision/accountability?state=answered" aria-current="true""#), "{html}");
    }
}
