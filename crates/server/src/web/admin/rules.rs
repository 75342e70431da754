//! `/admin/rules` — the supervision rules (center, department, item).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::supervision::{Rule, RuleBook};

use super::{DoneQuery, access, field_message, read_only_note, section_tabs, see_other};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self, Input};

/// What the rules page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct RulesView {
    /// Whether the viewer may set rules.
    pub may_change: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The rules in force: the center's, then by department, then by item.
    pub rows: Vec<RuleLine>,
    /// The form, as typed when shown again.
    pub form: RuleForm,
}

/// One rule as listed.
#[derive(Debug, Clone)]
pub(super) struct RuleLine {
    /// What it applies to.
    pub scope: RuleScope,
    /// Yellow at this share of the allowed time used.
    pub used_percent: u8,
    /// Yellow when this few working minutes remain.
    pub remaining_minutes: i64,
}

/// What a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RuleScope {
    /// The center; whether its rule is the default one.
    Center {
        /// The rule is the default.
        default: bool,
    },
    /// A department: (name, code).
    Department(String, String),
    /// An item, by code.
    Item(String),
}

/// The rule form's values.
#[derive(Debug, Clone, Default)]
pub(super) struct RuleForm {
    /// `center`, `department` or `item`.
    pub scope: String,
    /// The department's or item's code.
    pub key: String,
    /// Used share, as typed.
    pub used_percent: String,
    /// Remaining minutes, as typed.
    pub remaining_minutes: String,
    /// Its errors.
    pub errors: FieldErrors,
}

/// The rules page's model: the `book` in force (its center rule compared with `default`),
/// and the form as typed when shown again.
pub(super) fn view(
    book: &RuleBook,
    default: &Rule,
    departments: &[(String, String)],
    failed: Option<(&Fields, &FieldErrors)>,
    may_change: bool,
    done: Option<&str>,
) -> RulesView {
    let line = |scope, r: &Rule| RuleLine {
        scope,
        used_percent: r.used_percent(),
        remaining_minutes: i64::from(r.remaining_minutes()),
    };
    let mut rows = vec![line(RuleScope::Center { default: book.center == *default }, &book.center)];
    rows.extend(book.departments.iter().map(|(d, r)| {
        line(RuleScope::Department(department_name(departments, d.as_str()).to_owned(), d.to_string()), r)
    }));
    rows.extend(book.items.iter().map(|(i, r)| line(RuleScope::Item(i.to_string()), r)));
    let (fields, errors) = failed.map_or((None, FieldErrors::default()), |(f, e)| (Some(f), e.clone()));
    let typed = |name: &str, default: &'static str| view::typed(fields, name, default).to_owned();
    RulesView {
        may_change,
        done: done.map(str::to_owned),
        rows,
        form: RuleForm {
            scope: typed("scope", "center"),
            key: typed("key", ""),
            used_percent: typed("used_percent", "80"),
            remaining_minutes: typed("remaining_minutes", "480"),
            errors,
        },
    }
}

/// The rules page's body.
pub(super) fn render(ctx: &Ctx, v: &RulesView) -> Markup {
    let f = &v.form;
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("rules.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        (view::done_notice(ctx, v.done.as_deref()))
        p.lead { (ctx.t("rules.lead")) }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("rules.scope")) }
                    th scope="col" { (ctx.t("rules.key")) }
                    th scope="col" { (ctx.t("rules.used_percent")) }
                    th scope="col" { (ctx.t("rules.remaining")) }
                } }
                tbody {
                    @for r in &v.rows {
                        tr {
                            @match &r.scope {
                                RuleScope::Center { default } => {
                                    th scope="row" { (ctx.t("rules.scope_center")) } td { "–" @if *default { " (" (ctx.t("rules.default")) ")" } }
                                }
                                RuleScope::Department(name, code) => {
                                    th scope="row" { (ctx.t("rules.scope_department")) } td { (name) " " code { (code) } }
                                }
                                RuleScope::Item(code) => {
                                    th scope="row" { (ctx.t("rules.scope_item")) } td { a href=(format!("/items/{code}")) { code { (code) } } }
                                }
                            }
                            td { (r.used_percent) "%" }
                            td { (view::minutes(ctx, r.remaining_minutes)) }
                        }
                    }
                }
            }
        }
        p.hint { (ctx.t("rules.effect")) }
        @if v.may_change {
            section.action id="set-rule" aria-labelledby="h-set-rule" {
                h2 id="h-set-rule" { (ctx.t("rules.set")) }
                @if !errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
                form.stack method="post" action="/admin/rules" novalidate {
                    (view::csrf(ctx))
                    fieldset class=(if errors.get("scope").is_some() { "field invalid" } else { "field" }) {
                        legend { (ctx.t("rules.scope")) }
                        @for s in ["center", "department", "item"] {
                            label.choice { input type="radio" name="scope" value=(s) checked[f.scope == s]; " " (ctx.t(&format!("rules.scope_{s}"))) }
                        }
                        (view::field_error(errors, "scope"))
                    }
                    (view::input(ctx.t("rules.key"), "key", &f.key, errors, Input { hint: Some(ctx.t("rules.key_hint")), ..Input::default() }))
                    (view::input(ctx.t("rules.used_percent"), "used_percent", &f.used_percent, errors,
                        Input { kind: "number", required: true, hint: Some(ctx.t("rules.used_hint")), ..Input::default() }))
                    (view::input(ctx.t("rules.remaining_minutes"), "remaining_minutes", &f.remaining_minutes, errors,
                        Input { kind: "number", required: true, hint: Some(ctx.t("rules.remaining_hint")), ..Input::default() }))
                    button.primary type="submit" { (ctx.t("rules.submit")) }
                }
            }
        }
    }
}

async fn rules_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    failed: Option<(&Fields, &FieldErrors)>,
) -> Result<Response, WebError> {
    let may_change = access(ctx, true)?;
    let default = Rule::center_default(state.calendars().base());
    let book = app::rule_book(state).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let model = view(&book, &default, &departments, failed, may_change, done);
    Ok(page(ctx, ctx.t("rules.title"), render(ctx, &model)))
}

/// `GET /admin/rules` — the supervision rules.
pub async fn rules(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    rules_page(&state, &ctx, q.done.as_deref(), None).await
}

/// `POST /admin/rules` — sets a supervision rule.
pub async fn set_rule(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    // Who may set rules is checked before what they typed.
    app::authorize(&ctx.principal, tongban_core::access::Action::ConfigureSupervision).map_err(|e| ctx.fail(e))?;
    let mut errors = FieldErrors::default();
    let used = fields.get("used_percent").trim().parse::<u8>().ok().filter(|p| *p <= 100);
    let remaining = fields.get("remaining_minutes").trim().parse::<u32>().ok();
    if used.is_none() {
        errors.add("used_percent", ctx.t("admin_err.used_percent"));
    }
    if remaining.is_none() {
        errors.add("remaining_minutes", ctx.t("admin_err.remaining_minutes"));
    }
    let scope = fields.get("scope");
    if scope != "center" && fields.get("key").trim().is_empty() {
        errors.add("key", ctx.t("err.required"));
    }
    if let (Some(used), Some(remaining), true) = (used, remaining, errors.is_empty()) {
        match app::set_supervision_rule(&state, &ctx.principal, scope, fields.get("key"), used, remaining).await {
            Ok(()) => return Ok(see_other(&ctx, "/admin/rules?done=rule_set".to_owned())),
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    if errors.get(&f).is_none() {
                        let message = field_message(&ctx, &f, &m);
                        errors.add(&f, message);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let response = rules_page(&state, &ctx, None, Some((&fields, &errors))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;
    use tongban_core::org::DepartmentCode;

    #[test]
    fn the_rules_in_force_are_listed_center_first_and_the_default_is_said() {
        let default = Rule::new(80, 480).expect("a rule");
        let mut book = RuleBook::new(default);
        book.departments.insert(DepartmentCode::parse("fgw").expect("a code"), Rule::new(60, 120).expect("a rule"));
        let v = view(&book, &default, &[("fgw".into(), "DRC".into())], None, true, Some("rule_set"));
        assert_eq!(v.rows[0].scope, RuleScope::Center { default: true });
        assert_eq!(v.form.used_percent, "80", "the form starts from the usual values");
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &v).into_string();
        assert!(html.contains(&format!("<td>– ({})</td><td>80%</td>", Lang::En.t("rules.default"))), "{html}");
        assert!(html.contains("<td>DRC <code>fgw</code></td><td>60%</td>"), "{html}");
        assert!(html.contains(r#"<input type="radio" name="scope" value="center" checked>"#), "{html}");
    }

    #[test]
    fn a_refused_rule_is_shown_again_as_typed() {
        let default = Rule::new(80, 480).expect("a rule");
        let fields = Fields(vec![("scope".into(), "item".into()), ("used_percent".into(), "120".into())]);
        let mut errors = FieldErrors::default();
        errors.add("used_percent", "0 to 100");
        let v = view(&RuleBook::new(default), &default, &[], Some((&fields, &errors)), true, None);
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &v).into_string();
        assert!(html.contains(r#"value="item" checked"#), "{html}");
        assert!(html.contains(r#"value="120""#) && html.contains("0 to 100"), "{html}");
    }
}
