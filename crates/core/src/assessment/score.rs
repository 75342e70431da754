//! Scores, the weighted total and the rank within a grouping.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::weights::Weights;

/// A score in hundredths of a point: 0 ..= 10 000 is 0.00 ..= 100.00. Integers keep a
/// total and a rank exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Score(u32);

impl Score {
    /// Full marks, 100.00.
    pub const FULL: Score = Score(10_000);
    /// Nothing, 0.00.
    pub const ZERO: Score = Score(0);

    /// A score of `hundredths` / 100 points, capped at full marks.
    pub fn from_hundredths(hundredths: u32) -> Score {
        Score(hundredths.min(Self::FULL.0))
    }

    /// The score in hundredths of a point.
    pub fn hundredths(self) -> u32 {
        self.0
    }

    /// The score in points (for charts and JSON; exact to the hundredth).
    pub fn points(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// Parses `95`, `95.5` or `95.25` (0–100, at most two decimals), as the third-party
    /// reports write it.
    pub fn parse(text: &str) -> Option<Score> {
        let text = text.trim();
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() || whole.len() > 3 || frac.len() > 2 {
            return None;
        }
        if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: u32 = whole.parse().ok()?;
        let frac: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
        let hundredths = whole.checked_mul(100)?.checked_add(frac)?;
        (hundredths <= Self::FULL.0).then_some(Score(hundredths))
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// `numerator / denominator` as a score out of 100, rounded half up to the hundredth;
/// none when there is nothing to divide by.
pub fn ratio_score(numerator: u128, denominator: u128) -> Option<Score> {
    if denominator == 0 {
        return None;
    }
    let (mut n, mut d) = (numerator.min(denominator), denominator);
    // Only absurd counts (beyond 2^110) lose their last bits here; no real month comes near.
    while d > u128::MAX / 40_000 {
        n >>= 1;
        d >>= 1;
    }
    let scaled = (n * 20_000 + d) / (2 * d);
    Some(Score(u32::try_from(scaled).unwrap_or(Score::FULL.0)))
}

/// What a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// 窗口.
    Window,
    /// 部门.
    Department,
    /// 工作人员.
    Staff,
    /// 办事地点 — the main hall or a 分中心, assessed alike.
    Site,
}

impl Grouping {
    /// Every grouping, in the order pages list them.
    pub const ALL: [Grouping; 4] = [Grouping::Window, Grouping::Department, Grouping::Staff, Grouping::Site];

    /// The machine name (`window`, `department`, `staff`, `site`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Window => "window",
            Grouping::Department => "department",
            Grouping::Staff => "staff",
            Grouping::Site => "site",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Grouping> {
        Grouping::ALL.into_iter().find(|g| g.as_str() == text)
    }
}

/// One subject's month, part by part. A part without facts (no delivered case, no rating,
/// no attendance day, no answer, no imported score) is none, and the parts that have
/// facts carry the weight between them (see [`total`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    /// 按时办结率: delivered on time / delivered, as a score.
    pub on_time: Option<Score>,
    /// 满意度: the 满意率 of the month's counted ratings (基本满意 or better / rated), as the
    /// 好差评 figures report it.
    pub satisfaction: Option<Score>,
    /// 考勤.
    pub attendance: Option<Score>,
    /// 民主评议.
    pub evaluation: Option<Score>,
    /// 第三方评估.
    pub third_party: Option<Score>,
    /// 问责 — accountability records of the month against the subject.
    pub accountability: u32,
}

impl Components {
    /// The five weighted parts with their weights, in a fixed order.
    pub fn weighted(&self, w: &Weights) -> [(Option<Score>, u32); 5] {
        [
            (self.on_time, w.on_time),
            (self.satisfaction, w.satisfaction),
            (self.attendance, w.attendance),
            (self.evaluation, w.evaluation),
            (self.third_party, w.third_party),
        ]
    }
}

/// The total: the weighted mean of the parts that have facts, rounded half up to the
/// hundredth, less [`Weights::deduction`] for each accountability record, never below 0.
/// A subject with no facts at all scores 0.
pub fn total(c: &Components, w: &Weights) -> Score {
    let (sum, weight) = c
        .weighted(w)
        .iter()
        .filter_map(|&(s, wt)| s.map(|s| (u128::from(s.0) * u128::from(wt), u128::from(wt))))
        .fold((0u128, 0u128), |(a, b), (x, y)| (a + x, b + y));
    let mean = if weight == 0 { 0 } else { (2 * sum + weight) / (2 * weight) };
    let deducted = u128::from(c.accountability) * u128::from(w.deduction.0);
    Score(u32::try_from(mean.saturating_sub(deducted)).unwrap_or(Score::FULL.0))
}

/// A row with its total and rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked<K> {
    /// The subject.
    pub key: K,
    /// Its parts.
    pub components: Components,
    /// Its [`total`].
    pub total: Score,
    /// 1 for the best; rows with equal totals share a rank and the next rank skips
    /// (competition ranking, "1, 2, 2, 4"), so a rank is 1 + the number of rows strictly ahead.
    pub rank: u32,
}

/// Totals and ranks a grouping's rows, best first (equal totals keep the input order).
pub fn rank<K>(rows: Vec<(K, Components)>, w: &Weights) -> Vec<Ranked<K>> {
    let mut out: Vec<Ranked<K>> = rows
        .into_iter()
        .map(|(key, components)| {
            let total = total(&components, w);
            Ranked { key, components, total, rank: 0 }
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.total));
    let mut previous: Option<(Score, u32)> = None;
    for (i, row) in out.iter_mut().enumerate() {
        let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
        row.rank = match previous {
            Some((t, r)) if t == row.total => r,
            _ => position,
        };
        previous = Some((row.total, row.rank));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_parse_as_reports_write_them() {
        assert_eq!(Score::parse("95.5"), Some(Score(9550)));
        assert_eq!(Score::parse("100"), Some(Score::FULL));
        assert_eq!(Score::parse(" 7.25 "), Some(Score(725)));
        for bad in ["", "101", "95.555", "-1", "9 5", ".5", "abc", "1e2"] {
            assert_eq!(Score::parse(bad), None, "{bad}");
        }
        assert_eq!(Score(9505).to_string(), "95.05");
    }

    #[test]
    fn ratios_round_half_up() {
        assert_eq!(ratio_score(2, 3), Some(Score(6667)));
        assert_eq!(ratio_score(1, 8), Some(Score(1250)));
        assert_eq!(ratio_score(0, 0), None);
    }

    #[test]
    fn missing_parts_leave_the_weight_to_the_others() {
        let w = Weights::default();
        let only = Components { on_time: Some(Score(8000)), ..Default::default() };
        assert_eq!(total(&only, &w), Score(8000));
        assert_eq!(total(&Components::default(), &w), Score::ZERO);
        let punished = Components { accountability: 100, ..only };
        assert_eq!(total(&punished, &w), Score::ZERO);
    }

    #[test]
    fn ties_share_a_rank() {
        let w = Weights::default();
        let c = |s| Components { on_time: Some(Score(s)), ..Default::default() };
        let ranked = rank(vec![("a", c(5000)), ("b", c(9000)), ("c", c(5000)), ("d", c(1000))], &w);
        let got: Vec<_> = ranked.iter().map(|r| (r.key, r.rank)).collect();
        assert_eq!(got, [("b", 1), ("a", 2), ("c", 2), ("d", 4)]);
    }
}
