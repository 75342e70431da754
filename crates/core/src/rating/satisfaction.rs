//! 满意度 — satisfaction of a group of ratings: how many were given, how many were 基本满意
//! or better, the rate and the average score. Counts are exact; the rate and average are
//! derived from them.

use serde::Serialize;

use super::Level;

/// The tally of one group's ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Ratings counted.
    pub rated: u64,
    /// Of those, 基本满意 or better.
    pub satisfied: u64,
    /// Sum of their scores.
    pub score_sum: u64,
}

impl Tally {
    /// Adds one rating.
    pub fn add(&mut self, level: Level) {
        self.rated += 1;
        self.satisfied += u64::from(level.is_satisfied());
        self.score_sum += u64::from(level.score());
    }

    /// 满意率: satisfied / rated, 0 to 1; none when nothing was rated.
    pub fn rate(&self) -> Option<f64> {
        ratio(self.satisfied, self.rated)
    }

    /// The average score, 1 to 5; none when nothing was rated.
    pub fn average(&self) -> Option<f64> {
        ratio(self.score_sum, self.rated)
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Tallies ratings by key (window, department, staff, item or site), in key order.
pub fn tally<K: Ord>(ratings: impl IntoIterator<Item = (K, Level)>) -> std::collections::BTreeMap<K, Tally> {
    let mut out = std::collections::BTreeMap::<K, Tally>::new();
    for (key, level) in ratings {
        out.entry(key).or_default().add(level);
    }
    out
}
