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
}
