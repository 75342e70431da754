//! `/assessment?period=YYYY-MM&by=window|department|staff|site` — the month's ranked table,
//! a chart of the totals, 红旗窗口 and 服务之星 named, and CSV/xlsx downloads.

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::assessment::{Grouping, Period};

use super::score;
use crate::AppState;
use crate::app::assessment::{Assessment, AssessmentRow, assessment as compute};
use crate::web::chart::{self, HBar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;

/// `?period=&by=` as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AssessmentQuery {
    /// `YYYY-MM`; default the month before this one.
    #[serde(default)]
    pub period: String,
    /// The grouping; default windows.
    #[serde(default)]
    pub by: String,
}

/// Rows drawn in the chart at most (the table has them all).
const CHARTED: usize = 20;

fn named(a: &Assessment) -> Vec<&AssessmentRow> {
    a.rows.iter().filter(|r| r.red_flag == Some(true) || r.star == Some(true)).collect()
}

/// The page's body.
pub(super) fn render(ctx: &Ctx, a: &Assessment, bad_period: bool) -> Markup {
    let period = a.period.to_string();
    let by = a.by.as_str();
    let download = |format: &str| format!("/api/v1/assessment?period={period}&by={by}&format={format}");
    let bars: Vec<HBar> = a
        .rows
        .iter()
        .take(CHARTED)
        .map(|r| HBar {
            label: r.name.clone(),
            share: r.total.points() / 100.0,
            text: r.total.to_string(),
            tone: Some(if r.red_flag == Some(true) || r.star == Some(true) { "good" } else { "fair" }),
        })
        .collect();
    let honours = named(a);
    html! {
        h1 { (ctx.t("assess.title")) }
        (crate::web::supervision::section_tabs(ctx))
        p.hint { a href="/attendance" { (ctx.t("attend.title")) } " · " a href="/surveys" { (ctx.t("survey.list")) } }
        form.search method="get" action="/assessment" {
            div class=(if bad_period { "field invalid" } else { "field" }) {
                label for="a-period" { (ctx.t("assess.period")) }
                input id="a-period" name="period" type="month" value=(period);
                @if bad_period { p.field-error role="alert" { (ctx.t("assess.bad_period")) } }
            }
            div.field {
                label for="a-by" { (ctx.t("assess.by")) }
                select id="a-by" name="by" {
                    @for g in Grouping::ALL {
                        option value=(g.as_str()) selected[g == a.by] { (ctx.t(&format!("assess.by_{}", g.as_str()))) }
                    }
                }
            }
            button type="submit" { (ctx.t("assess.show")) }
        }
        @if matches!(a.by, Grouping::Window | Grouping::Staff) {
            section.honours {
                h2 { (ctx.t(if a.by == Grouping::Window { "assess.red_flags" } else { "assess.stars" })) }
                @if honours.is_empty() { p { (ctx.t("assess.none_named")) } } @else {
                    ul { @for r in &honours { li { strong { (r.name) } " (" (r.code) ") · " (r.total) } } }
                }
            }
        }
        @if a.rows.is_empty() {
            p { (ctx.t("assess.no_rows")) }
        } @else {
            section {
                h2 { (ctx.t("assess.chart")) }
                (chart::hbars("totals", ctx.t("assess.chart"), ctx.t("assess.chart_desc"), &bars))
            }
            p.hint {
                a href=(download("csv")) { (ctx.t("assess.csv")) } " · " a href=(download("xlsx")) { (ctx.t("assess.xlsx")) }
            }
            div.table-wrap {
                table.assessment {
                    caption { (ctx.tf("assess.caption", &[("period", &period)])) }
                    thead { tr {
                        th scope="col" { (ctx.t("assess.rank")) }
                        th scope="col" { (ctx.t(&format!("assess.by_{by}"))) }
                        th scope="col" { (ctx.t("assess.on_time")) }
                        th scope="col" { (ctx.t("assess.satisfaction")) }
                        th scope="col" { (ctx.t("assess.attendance")) }
                        th scope="col" { (ctx.t("assess.evaluation")) }
                        th scope="col" { (ctx.t("assess.third_party")) }
                        th scope="col" { (ctx.t("assess.accountability")) }
                        th scope="col" { (ctx.t("assess.total")) }
                    } }
                    tbody {
                        @for r in &a.rows {
                            tr {
                                td { (r.rank) }
                                th scope="row" {
                                    (r.name) " (" (r.code) ")"
                                    @if r.red_flag == Some(true) { " " span.badge { (ctx.t("assess.red_flag")) } }
                                    @if r.star == Some(true) { " " span.badge { (ctx.t("assess.star")) } }
                                }
                                td { (score(r.components.on_time)) }
                                td { (score(r.components.satisfaction)) }
                                td { (score(r.components.attendance)) }
                                td { (score(r.components.evaluation)) }
                                td { (score(r.components.third_party)) }
                                td { (r.components.accountability) }
                                td { strong { (r.total) } }
                            }
                        }
                    }
                }
            }
            p.hint { (ctx.tf("assess.weights", &[
                ("on_time", &a.weights.on_time.to_string()),
                ("satisfaction", &a.weights.satisfaction.to_string()),
                ("attendance", &a.weights.attendance.to_string()),
                ("evaluation", &a.weights.evaluation.to_string()),
                ("third_party", &a.weights.third_party.to_string()),
                ("deduction", &a.weights.deduction.to_string()),
            ])) }
        }
    }
}

/// `GET /assessment`.
pub async fn assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AssessmentQuery>,
) -> Result<axum::response::Response, WebError> {
    let last = Period::of(state.now()).previous();
    let (period, bad_period) = match q.period.trim() {
        "" => (last, false),
        t => Period::parse(t).map_or((last, true), |p| (p, false)),
    };
    let by = Grouping::parse(q.by.trim()).unwrap_or(Grouping::Window);
    let a = compute(&state, &ctx.principal, period, by).await.map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("assess.title"), render(&ctx, &a, bad_period)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::assessment::{Components, Score, Weights};
    use tongban_core::identity::Role;

    fn row(code: &str, total: u32, rank: u32, red_flag: bool) -> AssessmentRow {
        AssessmentRow {
            code: code.into(),
            name: format!("{code} window"),
            department: Some("fgw".into()),
            components: Components { third_party: Some(Score::from_hundredths(total)), ..Components::default() },
            total: Score::from_hundredths(total),
            rank,
            red_flag: Some(red_flag),
            star: None,
        }
    }

    #[test]
    fn the_table_ranks_names_the_red_flags_and_links_the_downloads() {
        for lang in [Lang::En, Lang::Zh] {
            let ctx = Ctx::for_test_as(lang, Role::Supervisor);
            let a = Assessment {
                period: Period::parse("2026-02").expect("period"),
                by: Grouping::Window,
                weights: Weights::default(),
                rows: vec![row("W01", 9550, 1, true), row("W02", 7000, 2, false)],
            };
            let html = render(&ctx, &a, false).into_string();
            assert!(html.contains("<li><strong>W01 window</strong> (W01) · 95.50</li>"), "{html}");
            assert!(!html.contains("<strong>W02 window</strong>"), "{html}");
            assert!(
                html.contains(r#"href="/api/v1/assessment?period=2026-02&amp;by=window&amp;format=csv""#),
                "{html}"
            );
            assert!(
                html.contains(r#"href="/api/v1/assessment?period=2026-02&amp;by=window&amp;format=xlsx""#),
                "{html}"
            );
            assert!(html.contains("<svg"), "a chart: {html}");
            assert!(html.contains(r#"href="/supervision/concerns""#), "the supervision section's tabs: {html}");
            assert!(html.contains(r#"value="2026-02""#), "{html}");
            assert!(!html.contains("assess."), "every message is found: {html}");
        }
    }
}
