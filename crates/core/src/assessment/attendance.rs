//! 考勤台账 — the attendance ledger: a clerk checks in and out at the seat; the chief or
//! the administrator records leave, lateness and absence. Each day of a person gets one
//! status, and the month's days give the attendance score.

use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use super::score::{Score, ratio_score};

/// What the chief or the administrator records for a day; it outranks the seat's times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceMark {
    /// 请假 — approved leave: the day does not count.
    Leave,
    /// 迟到 — late (or left early).
    Late,
    /// 旷工 — absent without leave.
    Absent,
}

impl AttendanceMark {
    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceMark::Leave => "leave",
            AttendanceMark::Late => "late",
            AttendanceMark::Absent => "absent",
        }
    }

    /// Parses a machine name or the ledger's Chinese word (请假, 迟到, 早退, 旷工, 缺勤).
    pub fn parse(text: &str) -> Option<AttendanceMark> {
        match text.trim() {
            "leave" | "请假" => Some(AttendanceMark::Leave),
            "late" | "迟到" | "早退" => Some(AttendanceMark::Late),
            "absent" | "旷工" | "缺勤" => Some(AttendanceMark::Absent),
            _ => None,
        }
    }
}

/// The seat's working hours (local time). Default 09:00–17:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// Check in at or before this.
    pub start: Time,
    /// Check out at or after this.
    pub end: Time,
}

impl Default for Shift {
    fn default() -> Self {
        Shift { start: Time::constant(9, 0, 0, 0), end: Time::constant(17, 0, 0, 0) }
    }
}

/// One person's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// 出勤 — in on time and out on time.
    Present,
    /// 迟到/早退 — in late, out early, or never checked out.
    Late,
    /// 请假.
    Leave,
    /// 旷工 — marked absent, or never checked in.
    Absent,
}

/// A day's status: a recorded mark decides; otherwise the seat's times against the shift.
/// A day with a check-out but no check-in is absent (the seat was not taken on arrival).
pub fn day_status(
    check_in: Option<Time>,
    check_out: Option<Time>,
    mark: Option<AttendanceMark>,
    shift: Shift,
) -> DayStatus {
    match (mark, check_in) {
        (Some(AttendanceMark::Leave), _) => DayStatus::Leave,
        (Some(AttendanceMark::Absent), _) | (None, None) => DayStatus::Absent,
        (Some(AttendanceMark::Late), _) => DayStatus::Late,
        (None, Some(arrived)) => {
            let full = arrived <= shift.start && check_out.is_some_and(|left| left >= shift.end);
            if full { DayStatus::Present } else { DayStatus::Late }
        }
    }
}

/// A month's days of one person or of a group of people (a window's, a department's, a site's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceTally {
    /// Days present.
    pub present: u64,
    /// Days late or early.
    pub late: u64,
    /// Days on leave (not counted).
    pub leave: u64,
    /// Days absent.
    pub absent: u64,
}

impl AttendanceTally {
    /// Counts one more day.
    pub fn add(&mut self, day: DayStatus) {
        match day {
            DayStatus::Present => self.present += 1,
            DayStatus::Late => self.late += 1,
            DayStatus::Leave => self.leave += 1,
            DayStatus::Absent => self.absent += 1,
        }
    }

    /// Adds another tally (a window's tally is its staff's).
    pub fn merge(&mut self, other: AttendanceTally) {
        self.present += other.present;
        self.late += other.late;
        self.leave += other.leave;
        self.absent += other.absent;
    }

    /// The score: a day present is worth 1, a late day ½, an absent day nothing, over the
    /// days that count (leave does not); none when no day counts.
    pub fn score(&self) -> Option<Score> {
        let days = u128::from(self.present + self.late + self.absent);
        ratio_score(2 * u128::from(self.present) + u128::from(self.late), 2 * days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i8, m: i8) -> Option<Time> {
        Some(Time::constant(h, m, 0, 0))
    }

    #[test]
    fn a_day_is_judged_by_mark_then_times() {
        let s = Shift::default();
        assert_eq!(day_status(t(8, 55), t(17, 5), None, s), DayStatus::Present);
        assert_eq!(day_status(t(9, 10), t(17, 5), None, s), DayStatus::Late);
        assert_eq!(day_status(t(8, 55), None, None, s), DayStatus::Late);
        assert_eq!(day_status(t(8, 55), t(16, 0), None, s), DayStatus::Late);
        assert_eq!(day_status(None, t(17, 5), None, s), DayStatus::Absent);
        assert_eq!(day_status(None, None, Some(AttendanceMark::Leave), s), DayStatus::Leave);
        assert_eq!(day_status(t(8, 0), t(18, 0), Some(AttendanceMark::Absent), s), DayStatus::Absent);
    }

    #[test]
    fn leave_does_not_count_and_late_is_half() {
        let tally = AttendanceTally { present: 3, late: 2, leave: 5, absent: 1 };
        assert_eq!(tally.score(), Some(Score::from_hundredths(6667)));
        assert_eq!(AttendanceTally { leave: 4, ..Default::default() }.score(), None);
    }
}
