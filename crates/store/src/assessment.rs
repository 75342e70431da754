//! Window assessment (窗口考核评议): the attendance ledger, democratic evaluation surveys and
//! answers, third-party scores and the weights; and the facts the assessment reads from
//! cases, accountability records and the organisation. Core scores; this only stores and
//! reads.

mod facts;

pub use facts::{DeliveredFacts, StaffPost, SubjectRow};

use sqlx::Row as _;
use tongban_core::assessment::Weights;

use crate::{Conn, Store, StoreError, format_ts, parse_ts};

/// One person's day in the attendance ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    /// The staff account.
    pub account: String,
    /// `YYYY-MM-DD`, China Standard Time.
    pub day: String,
    /// Local `HH:MM` checked in at the seat.
    pub check_in: Option<String>,
    /// Local `HH:MM` checked out.
    pub check_out: Option<String>,
    /// `leave`, `late` or `absent`, recorded by the chief or the administrator.
    pub mark: Option<String>,
    /// Who wrote the row last.
    pub recorded_by: String,
}

/// A democratic evaluation survey (民主评议), one per month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    /// `YYYY-MM`.
    pub period: String,
    /// Its title.
    pub title: String,
    /// Who opened it.
    pub opened_by: String,
    /// When.
    pub opened_at: jiff::Timestamp,
}

/// One answer of a survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    /// `user`, `department` or `leader`.
    pub respondent: String,
    /// The answering account, none on the public page.
    pub account: Option<String>,
    /// `window`, `department`, `staff` or `site`.
    pub subject_kind: String,
    /// The subject's code (a staff member's login).
    pub subject_code: String,
    /// 1–5.
    pub grade: i64,
    /// Free text.
    pub comment: String,
}

/// An imported third-party score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThirdPartyRow {
    /// `YYYY-MM`.
    pub period: String,
    /// `window`, `department`, `staff` or `site`.
    pub subject_kind: String,
    /// The subject's code.
    pub subject_code: String,
    /// Hundredths of a point.
    pub score: u32,
    /// The assessing body, as the file names it.
    pub source: String,
}

fn attendance_row(r: &sqlx::any::AnyRow) -> Result<AttendanceRow, StoreError> {
    Ok(AttendanceRow {
        account: r.try_get("account_id")?,
        day: r.try_get("day")?,
        check_in: r.try_get("check_in")?,
        check_out: r.try_get("check_out")?,
        mark: r.try_get("mark")?,
        recorded_by: r.try_get("recorded_by")?,
    })
}

impl Store {
    /// The ledger's days of a month (`YYYY-MM`), by person and day; of one person when given.
    pub async fn attendance_in(&self, period: &str, account: Option<&str>) -> Result<Vec<AttendanceRow>, StoreError> {
        let rows = sqlx::query(
            "select account_id, day, check_in, check_out, mark, recorded_by from attendance_day \
             where day >= $1 and day <= $2 and ($3 = '' or account_id = $3) order by account_id, day",
        )
        .bind(format!("{period}-01"))
        .bind(format!("{period}-31"))
        .bind(account.unwrap_or("").to_owned())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(attendance_row).collect()
    }

    /// The survey of a month.
    pub async fn survey(&self, period: &str) -> Result<Option<SurveyRow>, StoreError> {
        Ok(self.surveys().await?.into_iter().find(|s| s.period == period))
    }

    /// Every survey, newest first.
    pub async fn surveys(&self) -> Result<Vec<SurveyRow>, StoreError> {
        let rows =
            sqlx::query("select period, title, opened_by, opened_at from evaluation_survey order by period desc")
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(SurveyRow {
                    period: r.try_get("period")?,
                    title: r.try_get("title")?,
                    opened_by: r.try_get("opened_by")?,
                    opened_at: parse_ts("evaluation_survey", &r.try_get::<String, _>("opened_at")?)?,
                })
            })
            .collect()
    }

    /// A month's survey answers.
    pub async fn answers_in(&self, period: &str) -> Result<Vec<AnswerRow>, StoreError> {
        let rows = sqlx::query(
            "select respondent, account_id, subject_kind, subject_code, grade, comment from evaluation_answer \
             where period = $1 order by answer_id",
        )
        .bind(period.to_owned())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AnswerRow {
                    respondent: r.try_get("respondent")?,
                    account: r.try_get("account_id")?,
                    subject_kind: r.try_get("subject_kind")?,
                    subject_code: r.try_get("subject_code")?,
                    grade: r.try_get("grade")?,
                    comment: r.try_get("comment")?,
                })
            })
            .collect()
    }

    /// A month's third-party scores.
    pub async fn third_party_scores(&self, period: &str) -> Result<Vec<ThirdPartyRow>, StoreError> {
        let rows = sqlx::query(
            "select period, subject_kind, subject_code, score, source from third_party_score where period = $1 \
             order by subject_kind, subject_code",
        )
        .bind(period.to_owned())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let score: i64 = r.try_get("score")?;
                Ok(ThirdPartyRow {
                    period: r.try_get("period")?,
                    subject_kind: r.try_get("subject_kind")?,
                    subject_code: r.try_get("subject_code")?,
                    score: u32::try_from(score).map_err(|e| StoreError::corrupt("third_party_score", e))?,
                    source: r.try_get("source")?,
                })
            })
            .collect()
    }

    /// The configured weights, or the defaults when none were set.
    pub async fn assessment_weights(&self) -> Result<Weights, StoreError> {
        let text: Option<String> = sqlx::query_scalar("select weights from assessment_weights where weights_id = 1")
            .fetch_optional(self.reader())
            .await?;
        match text {
            None => Ok(Weights::default()),
            Some(t) => serde_json::from_str(&t).map_err(|e| StoreError::corrupt("assessment_weights", e)),
        }
    }
}

/// Checks a person in or out at the seat: the first check-in of the day stands, the last
/// check-out counts.
pub async fn record_check(
    conn: &mut Conn,
    account: &str,
    day: &str,
    check_in: Option<&str>,
    check_out: Option<&str>,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into attendance_day (account_id, day, check_in, check_out, recorded_by, recorded_at) \
         values ($1, $2, $3, $4, $1, $5) on conflict (account_id, day) do update set \
         check_in = coalesce(attendance_day.check_in, excluded.check_in), \
         check_out = coalesce(excluded.check_out, attendance_day.check_out), recorded_at = excluded.recorded_at",
    )
    .bind(account)
    .bind(day)
    .bind(check_in)
    .bind(check_out)
    .bind(format_ts(at))
    .execute()
    .await?;
    Ok(())
}

/// Writes a whole day of the ledger (a mark, or an imported row), replacing what was there.
pub async fn put_attendance_day(conn: &mut Conn, row: &AttendanceRow, at: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query(
        "insert into attendance_day (account_id, day, check_in, check_out, mark, recorded_by, recorded_at) \
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (account_id, day) do update set \
         check_in = excluded.check_in, check_out = excluded.check_out, mark = excluded.mark, \
         recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    )
    .bind(row.account.as_str())
    .bind(row.day.as_str())
    .bind(row.check_in.as_deref())
    .bind(row.check_out.as_deref())
    .bind(row.mark.as_deref())
    .bind(row.recorded_by.as_str())
    .bind(format_ts(at))
    .execute()
    .await?;
    Ok(())
}

/// Opens a month's survey; [`StoreError::Duplicate`] if it is already open.
pub async fn insert_survey(conn: &mut Conn, s: &SurveyRow) -> Result<(), StoreError> {
    conn.query("insert into evaluation_survey (period, title, opened_by, opened_at) values ($1, $2, $3, $4)")
        .bind(s.period.as_str())
        .bind(s.title.as_str())
        .bind(s.opened_by.as_str())
        .bind(format_ts(s.opened_at))
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("the survey for {}", s.period)))?;
    Ok(())
}

/// Stores an answer; [`StoreError::Duplicate`] if the account already graded the subject.
pub async fn insert_answer(
    conn: &mut Conn,
    period: &str,
    a: &AnswerRow,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into evaluation_answer (period, respondent, account_id, subject_kind, subject_code, grade, comment, \
         answered_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(period)
    .bind(a.respondent.as_str())
    .bind(a.account.as_deref())
    .bind(a.subject_kind.as_str())
    .bind(a.subject_code.as_str())
    .bind(a.grade)
    .bind(a.comment.as_str())
    .bind(format_ts(at))
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("an answer about {} {}", a.subject_kind, a.subject_code)))?;
    Ok(())
}

/// Stores (or replaces) a third-party score.
pub async fn put_third_party_score(conn: &mut Conn, s: &ThirdPartyRow, at: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query(
        "insert into third_party_score (period, subject_kind, subject_code, score, source, imported_at) \
         values ($1, $2, $3, $4, $5, $6) on conflict (period, subject_kind, subject_code) do update set \
         score = excluded.score, source = excluded.source, imported_at = excluded.imported_at",
    )
    .bind(s.period.as_str())
    .bind(s.subject_kind.as_str())
    .bind(s.subject_code.as_str())
    .bind(i64::from(s.score))
    .bind(s.source.as_str())
    .bind(format_ts(at))
    .execute()
    .await?;
    Ok(())
}

/// Stores the weights (already checked by core).
pub async fn put_assessment_weights(
    conn: &mut Conn,
    w: &Weights,
    by: &str,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(w).map_err(|e| StoreError::corrupt("assessment_weights", e))?;
    conn.query(
        "insert into assessment_weights (weights_id, weights, set_by, set_at) values (1, $1, $2, $3) \
         on conflict (weights_id) do update set weights = excluded.weights, set_by = excluded.set_by, \
         set_at = excluded.set_at",
    )
    .bind(text)
    .bind(by)
    .bind(format_ts(at))
    .execute()
    .await?;
    Ok(())
}
