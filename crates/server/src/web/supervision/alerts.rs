//! `/supervision/alerts` — alerts with their escalation level.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::supervision::{AlertKind, Colour, Level};

use super::{SHOWN, colour_label, person, section_tabs};
use crate::AppState;
use crate::app::{self, AlertRow};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view;

/// What the alerts page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct AlertsView {
    /// Alerts the viewer may see.
    pub total: usize,
    /// Of them, red ones.
    pub red: usize,
    /// Of them, the ones escalated to the chief.
    pub chief: usize,
    /// Of them, the ones escalated to the supervisor.
    pub supervisor: usize,
    /// The first [`SHOWN`] alerts, newest first.
    pub rows: Vec<AlertLine>,
    /// Every kind among the viewer's alerts with its count, by name.
    pub kinds: Vec<(AlertKind, usize)>,
    /// The kind asked for; none for all.
    pub wanted: Option<AlertKind>,
}

/// The alerts page's query: one kind of alert, or all.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AlertsQuery {
    /// A kind's name.
    pub kind: Option<String>,
}

/// One alert as listed.
#[derive(Debug, Clone)]
pub(super) struct AlertLine {
    /// Case number.
    pub case_number: String,
    /// What is watched.
    pub kind: AlertKind,
    /// Yellow or red.
    pub colour: Colour,
    /// When the colour began.
    pub since: jiff::Timestamp,
    /// The owner, as shown.
    pub owner: String,
    /// The department's name.
    pub department: String,
    /// When raised.
    pub raised_at: jiff::Timestamp,
    /// Who has been told so far.
    pub level: Level,
    /// When last escalated.
    pub escalated_at: Option<jiff::Timestamp>,
    /// The 审批第一责任人 named at the last level, as shown.
    pub responsible: Option<String>,
}

/// The alerts page's model from the alerts read, the departments' names and people's names.
pub(super) fn view(rows: &[AlertRow], departments: &[(String, String)], names: &HashMap<String, String>) -> AlertsView {
    let mut kinds = std::collections::BTreeMap::new();
    for a in rows {
        *kinds.entry(a.kind.clone()).or_insert(0usize) += 1;
    }
    let count = |f: &dyn Fn(&AlertRow) -> bool| rows.iter().filter(|a| f(a)).count();
    AlertsView {
        kinds: kinds.into_iter().collect(),
        wanted: None,
        total: rows.len(),
        red: count(&|a| a.colour == Colour::Red),
        chief: count(&|a| a.level == Level::Chief),
        supervisor: count(&|a| a.level == Level::Supervisor),
        rows: rows
            .iter()
            .take(SHOWN)
            .map(|a| AlertLine {
                case_number: a.case_number.clone(),
                kind: a.kind.clone(),
                colour: a.colour,
                since: a.since,
                owner: person(names, &a.owner),
                department: department_name(departments, &a.department).to_owned(),
                raised_at: a.raised_at,
                level: a.level,
                escalated_at: a.escalated_at,
                responsible: a.responsible.as_deref().map(|r| person(names, r)),
            })
            .collect(),
    }
}

/// The page's model narrowed to one kind (the kinds' counts stay those of every alert).
fn filtered(
    all: AlertsView,
    rows: &[AlertRow],
    wanted: Option<AlertKind>,
    departments: &[(String, String)],
    names: &HashMap<String, String>,
) -> AlertsView {
    let Some(kind) = wanted else { return all };
    let mine: Vec<AlertRow> = rows.iter().filter(|a| a.kind == kind).cloned().collect();
    AlertsView { kinds: all.kinds, wanted: Some(kind), ..view(&mine, departments, names) }
}

/// An alert kind's name: the known watches by their message, any other (a watch added
/// later) by its stable name.
pub(super) fn kind_label(ctx: &Ctx, kind: &AlertKind) -> String {
    match kind.as_str() {
        k @ ("due" | "act_by" | "hand_over" | "rating") => ctx.t(&format!("alert_kind.{k}")).to_owned(),
        other => other.to_owned(),
    }
}

/// The alerts page's body.
pub(super) fn render(ctx: &Ctx, v: &AlertsView) -> Markup {
    html! {
        h1 { (ctx.t("sup.alerts_title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("sup.alerts_lead")) }
        @if v.kinds.len() > 1 || v.wanted.is_some() {
            nav.filters aria-label=(ctx.t("sup.kind")) {
                ul {
                    li { a href="/supervision/alerts" aria-current=[v.wanted.is_none().then_some("true")] { (ctx.t("acct.all")) } }
                    @for (kind, n) in &v.kinds {
                        li {
                            a href=(format!("/supervision/alerts?kind={kind}")) aria-current=[(v.wanted.as_ref() == Some(kind)).then_some("true")] {
                                (kind_label(ctx, kind)) " (" (n) ")"
                            }
                        }
                    }
                }
            }
        }
        ul.kpis {
            li { span.k { (v.total) } span.l { (ctx.t("sup.alerts_all")) } }
            li { span.k { (v.red) } span.l { (ctx.t("level.red")) } }
            li { span.k { (v.chief) } span.l { (ctx.t("escalation.chief")) } }
            li { span.k { (v.supervisor) } span.l { (ctx.t("escalation.supervisor")) } }
        }
        @if v.rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if v.total > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("sup.alerts_title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("case.number")) }
                        th scope="col" { (ctx.t("sup.kind")) }
                        th scope="col" { (ctx.t("sup.colour")) }
                        th scope="col" { (ctx.t("sup.since")) }
                        th scope="col" { (ctx.t("sup.owner")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("sup.raised")) }
                        th scope="col" { (ctx.t("sup.level")) }
                    } }
                    tbody {
                        @for a in &v.rows {
                            tr {
                                td { a href=(format!("/cases/{}", a.case_number)) { (a.case_number) } }
                                td { span class=(format!("kind kind-{}", a.kind)) { (kind_label(ctx, &a.kind)) } }
                                td { (colour_label(ctx, a.colour)) }
                                td { (view::time(a.since)) }
                                td { (a.owner) }
                                td { (a.department) }
                                td { (view::time(a.raised_at)) }
                                td {
                                    span class=(format!("badge escalation-{}", a.level.as_str())) { (ctx.t(&format!("escalation.{}", a.level.as_str()))) }
                                    @if let Some(at) = a.escalated_at { " " span.when { (view::time(at)) } }
                                    @if let Some(r) = &a.responsible { br; span.responsible { (ctx.t("sup.responsible")) ": " (r) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /supervision/alerts`.
pub async fn alerts(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<AlertsQuery>,
) -> Result<Response, WebError> {
    let rows = app::alerts(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    // An unknown name shows every alert, as the plain page does.
    let wanted = q.kind.as_deref().and_then(|k| AlertKind::parse(k.trim()).ok());
    let model = filtered(view(&rows, &departments, &names), &rows, wanted, &departments, &names);
    Ok(page(&ctx, ctx.t("sup.alerts_title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    fn alert(number: &str, colour: Colour, level: Level) -> AlertRow {
        let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("a moment");
        AlertRow {
            case_number: number.into(),
            kind: tongban_core::supervision::AlertKind::DUE,
            colour,
            since: at,
            owner: "wang.fang".into(),
            department: "fgw".into(),
            raised_at: at,
            level,
            escalated_at: (level != Level::Owner).then_some(at),
            responsible: (level == Level::Supervisor).then(|| "li.head".to_owned()),
        }
    }

    #[test]
    fn alerts_are_counted_by_colour_and_level_and_named() {
        let rows = [
            alert("LZ-1", Colour::Red, Level::Supervisor),
            alert("LZ-2", Colour::Yellow, Level::Chief),
            alert("LZ-3", Colour::Red, Level::Owner),
        ];
        let departments = [("fgw".to_owned(), "DRC".to_owned())];
        let names = HashMap::from([("wang.fang".to_owned(), "Wang Fang".to_owned())]);
        let v = view(&rows, &departments, &names);
        assert_eq!((v.total, v.red, v.chief, v.supervisor), (3, 2, 1, 1));
        assert_eq!(v.rows[0].owner, "Wang Fang (wang.fang)");
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &v).into_string();
        assert!(html.contains(r#"<span class="level-red">"#), "{html}");
        assert!(html.contains(r#"<span class="badge escalation-supervisor">"#), "{html}");
        assert!(html.contains("<td>DRC</td>"), "{html}");
        assert!(html.contains(r#"<a href="/cases/LZ-2">LZ-2</a>"#), "{html}");
    }

    #[test]
    fn each_alert_shows_its_kind_and_the_last_level_names_the_first_responsible() {
        let kinds = ["act_by", "hand_over", "rating", "later_watch"];
        let rows: Vec<AlertRow> = kinds
            .iter()
            .map(|k| AlertRow {
                kind: AlertKind::parse(k).expect("a kind"),
                ..alert(&format!("LZ-{k}"), Colour::Red, Level::Supervisor)
            })
            .collect();
        let names = HashMap::from([("li.head".to_owned(), "Li".to_owned())]);
        let v = view(&rows, &[], &names);
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &v).into_string();
        assert!(html.contains(r#"<span class="kind kind-act_by">First contact: act-by time</span>"#), "{html}");
        assert!(html.contains(r#"<span class="kind kind-hand_over">Hand-over not taken up</span>"#), "{html}");
        assert!(html.contains(r#"<span class="kind kind-rating">Bad rating not rectified in time</span>"#), "{html}");
        // A watch added later shows by its stable name.
        assert!(html.contains(r#"<span class="kind kind-later_watch">later_watch</span>"#), "{html}");
        assert!(html.contains("First responsible: Li (li.head)"), "{html}");
        // One kind asked for: only its alerts, every kind still offered.
        let one = filtered(v.clone(), &rows, Some(AlertKind::HAND_OVER), &[], &names);
        assert_eq!((one.total, one.rows.len(), one.kinds.len()), (1, 1, 4));
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &one).into_string();
        assert!(html.contains(r#"<a href="/supervision/alerts?kind=hand_over" aria-current="true">"#), "{html}");
        assert!(!html.contains("LZ-act_by</a>"), "{html}");
    }
}
