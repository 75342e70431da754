//! The configurable weights of an assessment and who is named 红旗窗口 and 服务之星.

use serde::{Deserialize, Serialize};

use super::score::{Ranked, Score};

/// How the parts weigh, in whole percent that sum to 100, and what an accountability
/// record costs. Defaults: on time 30, satisfaction 25, attendance 15, democratic
/// evaluation 20, third party 10; 2.00 points per accountability record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    /// 按时办结率, percent.
    pub on_time: u32,
    /// 满意度, percent.
    pub satisfaction: u32,
    /// 考勤, percent.
    pub attendance: u32,
    /// 民主评议, percent.
    pub evaluation: u32,
    /// 第三方评估, percent.
    pub third_party: u32,
    /// Points taken off the total per accountability record of the month (问责扣分).
    pub deduction: Score,
    /// Who among the windows is 红旗窗口.
    pub red_flag: Honours,
    /// Who among the staff is 服务之星.
    pub star: Honours,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            on_time: 30,
            satisfaction: 25,
            attendance: 15,
            evaluation: 20,
            third_party: 10,
            deduction: Score::from_hundredths(200),
            red_flag: Honours::default(),
            star: Honours::default(),
        }
    }
}

/// Who is named best of the month: the rows ranked within the best `percent` of the
/// grouping (rounded up), but never fewer than `at_least` ranks, and only with a total of
/// at least `min_total` and with cases delivered in the month (an on-time rate): a window
/// or a person who served no one is not the best at serving, however good their
/// attendance. Rows tied at the cut are all named. Default: the best 10 %, at least 1,
/// with at least 80.00 points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Honours {
    /// Share of the grouping's rows, percent (0–100).
    pub percent: u32,
    /// The floor: this many ranks are named even when the share is smaller.
    pub at_least: u32,
    /// No one below this total is named, however few rows there are.
    pub min_total: Score,
}

impl Default for Honours {
    fn default() -> Self {
        Honours { percent: 10, at_least: 1, min_total: Score::from_hundredths(8000) }
    }
}

impl Honours {
    /// How many ranks are named among `rows` rows.
    pub fn cut(&self, rows: usize) -> u32 {
        let rows = u64::try_from(rows).unwrap_or(u64::MAX);
        let share = rows.saturating_mul(u64::from(self.percent)).div_ceil(100);
        u32::try_from(share).unwrap_or(u32::MAX).max(self.at_least)
    }

    /// Whether `row`, ranked among `rows` rows, is named.
    pub fn names<K>(&self, row: &Ranked<K>, rows: usize) -> bool {
        row.rank <= self.cut(rows) && row.total >= self.min_total && row.components.on_time.is_some()
    }
}

/// Why weights are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeightsError {
    /// The five parts must make up the whole total.
    #[error("the weights add up to {0} %, not 100 %")]
    NotWhole(u32),
    /// A share above 100 % means nothing.
    #[error("a share of {0} % is more than the whole")]
    ShareTooLarge(u32),
    /// More than a full score off for one record is a typo.
    #[error("a deduction of {0} points per record is more than the whole score")]
    DeductionTooLarge(Score),
}

impl Weights {
    /// Checks the weights sum to 100 and the honours' shares are shares.
    pub fn check(&self) -> Result<(), WeightsError> {
        let parts = [self.on_time, self.satisfaction, self.attendance, self.evaluation, self.third_party];
        let sum = parts.iter().fold(0u32, |a, &b| a.saturating_add(b));
        if sum != 100 {
            return Err(WeightsError::NotWhole(sum));
        }
        for share in [self.red_flag.percent, self.star.percent] {
            if share > 100 {
                return Err(WeightsError::ShareTooLarge(share));
            }
        }
        if self.deduction > Score::FULL {
            return Err(WeightsError::DeductionTooLarge(self.deduction));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_whole_and_others_are_checked() {
        assert_eq!(Weights::default().check(), Ok(()));
        let w = Weights { on_time: 50, ..Weights::default() };
        assert_eq!(w.check(), Err(WeightsError::NotWhole(120)));
        let w = Weights { red_flag: Honours { percent: 150, ..Honours::default() }, ..Weights::default() };
        assert_eq!(w.check(), Err(WeightsError::ShareTooLarge(150)));
    }

    #[test]
    fn the_cut_rounds_up_with_a_floor() {
        let h = Honours { percent: 10, at_least: 1, min_total: Score::ZERO };
        assert_eq!(h.cut(0), 1);
        assert_eq!(h.cut(9), 1);
        assert_eq!(h.cut(11), 2);
        assert_eq!(Honours { at_least: 3, ..h }.cut(11), 3);
    }
}
