//! Charts drawn on the server as SVG: no script, readable by screen readers (a title and a
//! description; every chart is followed by the same numbers in a table).

use maud::{Markup, html};

/// One bar of a chart, with an optional rate (0–1) drawn as a line over the bars.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Height.
    pub value: u64,
    /// The rate drawn as a line, if any.
    pub rate: Option<f64>,
}

const W: f64 = 720.0;
const H: f64 = 300.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 48.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

fn nice_max(max: u64) -> u64 {
    let max = max.max(1);
    let magnitude = 10u64.pow(max.ilog10());
    let steps = [1, 2, 5, 10];
    steps.iter().map(|s| s * magnitude).find(|m| *m >= max).unwrap_or(max)
}

/// A bar chart of `bars`, with the rate line when any bar has one. `id` must be unique on the page.
pub fn bars(id: &str, title: &str, description: &str, bars: &[Bar]) -> Markup {
    let max = nice_max(bars.iter().map(|b| b.value).max().unwrap_or(0));
    let n = bars.len().max(1) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / n;
    let bar_w = (slot * 0.7).max(1.0);
    let y = |v: f64| TOP + plot_h - v / max as f64 * plot_h;
    let rate_y = |r: f64| TOP + plot_h - r.clamp(0.0, 1.0) * plot_h;
    let points: Vec<String> = bars
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.rate.map(|r| format!("{:.1},{:.1}", LEFT + slot * (i as f64 + 0.5), rate_y(r))))
        .collect();
    let label_every = (bars.len() / 12).max(1);
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    html! {
        svg.chart id=(id) viewBox=(format!("0 0 {W} {H}")) role="img" aria-labelledby=(format!("{title_id} {desc_id}"))
            xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (description) }
            @for i in 0..=4u64 {
                @let v = max * i / 4;
                @let gy = y(v as f64);
                line.grid x1=(LEFT) x2=(W - RIGHT) y1=(format!("{gy:.1}")) y2=(format!("{gy:.1}")) {}
                text.axis x=(LEFT - 6.0) y=(format!("{:.1}", gy + 4.0)) text-anchor="end" { (v) }
                @if !points.is_empty() {
                    text.axis.rate-axis x=(W - RIGHT + 6.0) y=(format!("{:.1}", gy + 4.0)) { (i * 25) "%" }
                }
            }
            @for (i, b) in bars.iter().enumerate() {
                @let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                @let top = y(b.value as f64);
                rect.bar x=(format!("{x:.1}")) y=(format!("{top:.1}")) width=(format!("{bar_w:.1}"))
                    height=(format!("{:.1}", TOP + plot_h - top)) {
                    title { (b.label) ": " (b.value) }
                }
                @if i % label_every == 0 {
                    text.axis x=(format!("{:.1}", x + bar_w / 2.0)) y=(H - BOTTOM + 16.0) text-anchor="middle" { (b.label) }
                }
            }
            @if !points.is_empty() {
                polyline.rate points=(points.join(" ")) fill="none" {}
            }
        }
    }
}

/// One bar of a horizontal chart: a labelled group, its length as a share of the longest
/// (0–1), and the text written after it.
#[derive(Debug, Clone)]
pub struct HBar {
    /// The group's name, left of the bar.
    pub label: String,
    /// Length, 0–1 of the plot's width.
    pub share: f64,
    /// The value as read, right of the bar (`96.5%`, `1,204`).
    pub text: String,
    /// A class for the bar's colour (`good`, `fair`, `poor`), if any.
    pub tone: Option<&'static str>,
}

const H_ROW: f64 = 26.0;
const H_LABEL: f64 = 190.0;
const H_TEXT: f64 = 70.0;

/// A horizontal bar chart, one row per group with its name on the left: readable with
/// long names (departments, windows, people) at any width. `id` must be unique on the page.
pub fn hbars(id: &str, title: &str, description: &str, bars: &[HBar]) -> Markup {
    let h = TOP + H_ROW * bars.len().max(1) as f64 + 8.0;
    let plot_w = W - H_LABEL - H_TEXT;
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    // Long names are cut to fit the label column; the full name is in the bar's title.
    let short = |s: &str| {
        let n = s.chars().count();
        if n > 14 { format!("{}…", s.chars().take(13).collect::<String>()) } else { s.to_owned() }
    };
    html! {
        div.chart-scroll {
        svg.chart.hchart id=(id) viewBox=(format!("0 0 {W} {h:.0}")) role="img" aria-labelledby=(format!("{title_id} {desc_id}"))
            xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (description) }
            @for q in 0..=4u32 {
                @let gx = H_LABEL + plot_w * f64::from(q) / 4.0;
                line.grid x1=(format!("{gx:.1}")) x2=(format!("{gx:.1}")) y1=(TOP - 4.0) y2=(format!("{:.1}", h - 8.0)) {}
            }
            @for (i, b) in bars.iter().enumerate() {
                @let y = TOP + H_ROW * i as f64;
                @let len = (b.share.clamp(0.0, 1.0) * plot_w).max(1.0);
                text.axis.label x=(H_LABEL - 8.0) y=(format!("{:.1}", y + H_ROW * 0.62)) text-anchor="end" { (short(&b.label)) }
                rect class=(match b.tone { Some(t) => format!("bar {t}"), None => "bar".to_owned() })
                    x=(H_LABEL) y=(format!("{:.1}", y + 4.0)) width=(format!("{len:.1}")) height=(format!("{:.1}", H_ROW - 8.0)) {
                    title { (b.label) ": " (b.text) }
                }
                text.axis x=(format!("{:.1}", H_LABEL + len + 6.0)) y=(format!("{:.1}", y + H_ROW * 0.62)) { (b.text) }
            }
        }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_ends_at_a_round_number() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(13), 20);
        assert_eq!(nice_max(420), 500);
        assert_eq!(nice_max(1000), 1000);
    }

    #[test]
    fn a_chart_has_one_bar_per_value_and_a_rate_line() {
        let data: Vec<Bar> = (1..=3).map(|i| Bar { label: format!("m{i}"), value: i * 10, rate: Some(0.5) }).collect();
        let svg = bars("c", "t", "d", &data).into_string();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("<polyline") && svg.contains("role=\"img\""));
    }

    #[test]
    fn a_horizontal_chart_has_one_row_per_group() {
        let data: Vec<HBar> = ["a", "a very long department name indeed"]
            .iter()
            .map(|l| HBar { label: (*l).to_owned(), share: 0.5, text: "50%".into(), tone: Some("good") })
            .collect();
        let svg = hbars("h", "t", "d", &data).into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("class=\"bar good\"") && svg.contains("a very long depar"));
    }
}
