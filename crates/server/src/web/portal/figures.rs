//! The open figures (`/figures`): cases received and delivered and the on-time rate per
//! month, and how applicants rated the service, as charts followed by the same numbers.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use crate::AppState;
use crate::app::MonthFigures;
use crate::web::chart::{self, Bar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;

/// Months shown.
const MONTHS: usize = 12;

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// One month's row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    /// The month, `2026-03`.
    pub month: String,
    /// Cases received.
    pub received: u64,
    /// Cases delivered.
    pub delivered: u64,
    /// The on-time rate, as shown (`95.0%`, `–` when nothing was delivered).
    pub on_time: String,
}

/// The figures page.
#[derive(Debug, Clone)]
pub struct FiguresView {
    /// Cases received in all.
    pub received: u64,
    /// Cases delivered in all.
    pub delivered: u64,
    /// The on-time rate, as shown.
    pub on_time: String,
    /// The share of ratings of 4 or 5, as shown.
    pub satisfaction: String,
    /// The recent months' bars: received, with the on-time rate as a line.
    pub month_bars: Vec<Bar>,
    /// The recent months, oldest first.
    pub months: Vec<MonthRow>,
    /// Ratings given, 1 to 5.
    pub rating_bars: Vec<Bar>,
    /// Ratings in all.
    pub rated: u64,
    /// The published satisfaction per month (好差评, upheld appeals excluded): bars of the
    /// ratings given, with the satisfaction rate as a line.
    pub satisfaction_bars: Vec<Bar>,
    /// The same months as rows, oldest first.
    pub satisfaction_months: Vec<SatisfactionMonth>,
}

/// One published month of satisfaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SatisfactionMonth {
    /// The month, `2026-03`.
    pub month: String,
    /// Ratings counted.
    pub rated: u64,
    /// 满意率 (基本满意 and above), as shown.
    pub rate: String,
    /// How many gave each level, 1 to 5.
    pub counts: [u64; 5],
}

impl FiguresView {
    /// The figures of `months` (oldest first) and the counted ratings of each month, by
    /// level 1–5.
    pub fn of(ctx: &Ctx, months: &[MonthFigures], rated_months: &[(String, [u64; 5])]) -> FiguresView {
        let mut ratings = [0u64; 5];
        for (_, counts) in rated_months {
            for (sum, n) in ratings.iter_mut().zip(counts) {
                *sum += n;
            }
        }
        let ratings = &ratings;
        let recent_ratings: Vec<_> = rated_months.iter().rev().take(MONTHS).rev().collect();
        let recent: Vec<_> = months.iter().rev().take(MONTHS).rev().collect();
        let (received, delivered, on_time) =
            months.iter().fold((0, 0, 0), |(r, d, o), m| (r + m.received, d + m.delivered, o + m.on_time));
        let rated: u64 = ratings.iter().sum();
        // 满意 as the national rules count it: 基本满意 and above.
        let satisfied = ratings[2] + ratings[3] + ratings[4];
        FiguresView {
            received,
            delivered,
            on_time: pct(percent(on_time, delivered)),
            satisfaction: pct(percent(satisfied, rated)),
            month_bars: recent
                .iter()
                .map(|m| Bar { label: m.month.clone(), value: m.received, rate: percent(m.on_time, m.delivered) })
                .collect(),
            months: recent
                .iter()
                .map(|m| MonthRow {
                    month: m.month.clone(),
                    received: m.received,
                    delivered: m.delivered,
                    on_time: pct(percent(m.on_time, m.delivered)),
                })
                .collect(),
            rating_bars: ratings
                .iter()
                .enumerate()
                .map(|(i, n)| Bar { label: ctx.t(&format!("rating.{}", i + 1)).to_owned(), value: *n, rate: None })
                .collect(),
            rated,
            satisfaction_bars: recent_ratings
                .iter()
                .map(|(month, c)| {
                    let n: u64 = c.iter().sum();
                    Bar { label: month.clone(), value: n, rate: percent(c[2] + c[3] + c[4], n) }
                })
                .collect(),
            satisfaction_months: recent_ratings
                .iter()
                .map(|(month, c)| {
                    let n: u64 = c.iter().sum();
                    SatisfactionMonth {
                        month: month.clone(),
                        rated: n,
                        rate: pct(percent(c[2] + c[3] + c[4], n)),
                        counts: *c,
                    }
                })
                .collect(),
        }
    }
}

/// Draws the figures.
pub fn render(ctx: &Ctx, v: &FiguresView) -> Markup {
    html! {
        h1 { (ctx.t("figures.title")) }
        ul.kpis {
            li { span.k { (v.received) } span.l { (ctx.t("figures.received")) } }
            li { span.k { (v.delivered) } span.l { (ctx.t("figures.delivered")) } }
            li { span.k { (v.on_time) } span.l { (ctx.t("figures.on_time_rate")) } }
            li { span.k { (v.satisfaction) } span.l { (ctx.t("figures.satisfaction")) } }
        }
        section {
            h2 { (ctx.t("figures.by_month")) }
            (chart::bars("months", ctx.t("figures.by_month"), ctx.t("figures.by_month_desc"), &v.month_bars))
            p.legend { span.key.bar-key {} (ctx.t("figures.received")) " " span.key.rate-key {} (ctx.t("figures.on_time_rate")) }
            div.table-wrap {
                table {
                    caption { (ctx.t("figures.table")) }
                    thead { tr { th scope="col" { (ctx.t("figures.month")) } th scope="col" { (ctx.t("figures.received")) } th scope="col" { (ctx.t("figures.delivered")) } th scope="col" { (ctx.t("figures.on_time_rate")) } } }
                    tbody {
                        @for m in &v.months {
                            tr { td { (m.month) } td { (m.received) } td { (m.delivered) } td { (m.on_time) } }
                        }
                    }
                }
            }
        }
        section {
            h2 { (ctx.t("figures.ratings")) }
            @if v.rated > 0 {
                (chart::bars("ratings", ctx.t("figures.ratings"), ctx.t("figures.ratings_desc"), &v.rating_bars))
            }
            p { (ctx.tf("figures.rated", &[("n", &v.rated.to_string())])) }
        }
        @if !v.satisfaction_months.is_empty() {
            section {
                h2 { (ctx.t("figures.satisfaction_by_month")) }
                (chart::bars("satisfaction", ctx.t("figures.satisfaction_by_month"), ctx.t("figures.satisfaction_by_month_desc"), &v.satisfaction_bars))
                p.legend { span.key.bar-key {} (ctx.t("figures.rated_count")) " " span.key.rate-key {} (ctx.t("figures.satisfaction")) }
                div.table-wrap {
                    table {
                        caption { (ctx.t("figures.satisfaction_table")) }
                        thead { tr {
                            th scope="col" { (ctx.t("figures.month")) }
                            th scope="col" { (ctx.t("figures.rated_count")) }
                            th scope="col" { (ctx.t("figures.satisfaction")) }
                            @for level in 1..=5 { th scope="col" { (ctx.t(&format!("rating.{level}"))) } }
                        } }
                        tbody {
                            @for m in &v.satisfaction_months {
                                tr { td { (m.month) } td { (m.rated) } td { (m.rate) } @for n in m.counts { td { (n) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /figures` — open figures: volume and on-time rate per month, satisfaction.
pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let months = crate::app::public::monthly_figures(&state).await.map_err(|e| ctx.fail(e))?;
    let ratings = crate::app::ratings::monthly_satisfaction(&state).await.map_err(|e| ctx.fail(e))?;
    let model = FiguresView::of(&ctx, &months, &ratings);
    Ok(page(&ctx, ctx.t("figures.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn rates_are_shown_to_a_tenth_of_a_percent_and_a_dash_when_nothing_counts() {
        assert_eq!(pct(percent(2, 3)), "66.7%");
        assert_eq!(pct(percent(0, 0)), "–");
    }

    #[test]
    fn the_ratings_chart_is_drawn_only_once_someone_rated() {
        let ctx = Ctx::for_test(Lang::En);
        let model = FiguresView::of(&ctx, &[], &[]);
        assert_eq!(model.on_time, "–");
        let html = render(&ctx, &model).into_string();
        assert!(!html.contains("id=\"ratings\""), "{html}");
        let model =
            FiguresView::of(&ctx, &[], &[("2026-02".into(), [1, 0, 1, 0, 0]), ("2026-03".into(), [0, 1, 1, 1, 2])]);
        // 基本满意 and above count as satisfied: 5 of 7.
        assert_eq!(model.satisfaction, "71.4%");
        assert_eq!(model.satisfaction_months[1].rate, "80.0%");
        let html = render(&ctx, &model).into_string();
        assert!(html.contains("id=\"ratings\""), "{html}");
        assert!(html.contains(Lang::En.t("rating.5")), "{html}");
        assert!(html.contains("id=\"satisfaction\""), "the monthly satisfaction chart: {html}");
    }
}
