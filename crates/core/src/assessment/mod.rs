//! 窗口考核评议 — the monthly assessment of windows, departments, staff and sites.
//!
//! One subject's month has six parts: the on-time rate (按时办结率), satisfaction (好差评),
//! attendance (考勤台账), democratic evaluation (民主评议), a third-party score (第三方评估,
//! imported) and accountability deductions (问责扣分). The first five are scores out of
//! 100 weighted into a total; each accountability record of the month then takes a fixed
//! number of points off. Rows are ranked within their grouping; the best windows are 红旗窗口
//! and the best staff 服务之星 ([`Honours`]).
//!
//! Every score is an exact integer in hundredths of a point ([`Score`]), so a total and a
//! rank are reproducible: the same facts give the same figures on any machine.

mod attendance;
mod evaluation;
mod period;
mod score;
mod weights;

pub use attendance::{AttendanceMark, AttendanceTally, DayStatus, Shift, day_status};
pub use evaluation::{EvaluationTally, Respondent, SurveyAnswerError, check_answer};
pub use period::{Period, PeriodError};
pub use score::{Components, Grouping, Ranked, Score, rank, ratio_score, total};
pub use weights::{Honours, Weights, WeightsError};

#[cfg(test)]
mod oracle;
