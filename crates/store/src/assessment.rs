//! Window assessment (窗口考核评议): the attendance ledger, democratic evaluation surveys and
//! answers, third-party scores and the weights; and the facts the assessment reads from
//! cases, accountability records and the organisation. Core scores; this only stores and
//! reads.

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

/// Where a department's staff member sits (for [`tongban_core::attribution::Post`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPost {
    /// Login.
    pub account: String,
    /// Display name.
    pub name: String,
    /// Department.
    pub department: String,
    /// Window.
    pub window: Option<String>,
    /// The window's site.
    pub window_site: Option<String>,
    /// The department's site.
    pub department_site: Option<String>,
}

/// A subject that can be assessed: a window, department or site in service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its department (windows) — none for departments and sites.
    pub department: Option<String>,
}

/// A delivered case's facts for the on-time rate and its attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredFacts {
    /// The account that handed the submission in.
    pub submitted_by: String,
    /// Owners in order, the submission's first.
    pub owners: Vec<String>,
    /// The item's department.
    pub item_department: String,
    /// Delivered by its due time.
    pub on_time: bool,
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

    /// Where every department's staff member sits (accounts of the department roles).
    pub async fn staff_posts(&self) -> Result<Vec<StaffPost>, StoreError> {
        let rows = sqlx::query(
            "select a.account_id, a.display_name, a.department_code, a.window_code, w.site_code as window_site, \
             d.site_code as department_site from account a \
             join department d on d.department_code = a.department_code \
             left join service_window w on w.window_code = a.window_code \
             where a.kind = 'staff' and a.disabled = 0 \
             and a.role in ('window_clerk', 'reviewer', 'approver', 'department_head') order by a.account_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffPost {
                    account: r.try_get("account_id")?,
                    name: r.try_get("display_name")?,
                    department: r.try_get("department_code")?,
                    window: r.try_get("window_code")?,
                    window_site: r.try_get("window_site")?,
                    department_site: r.try_get("department_site")?,
                })
            })
            .collect()
    }

    /// The windows, departments or sites in service (`kind` is `window`, `department` or `site`).
    pub async fn assessment_subjects(&self, kind: &str) -> Result<Vec<SubjectRow>, StoreError> {
        let sql = match kind {
            "window" => {
                "select window_code as code, name, department_code as department from service_window \
                 where retired_at is null order by window_code"
            }
            "department" => {
                "select department_code as code, name, null as department from department \
                 where retired_at is null order by department_code"
            }
            "site" => {
                "select site_code as code, name, null as department from site where retired_at is null order by site_code"
            }
            _ => return Ok(Vec::new()),
        };
        let rows = sqlx::query(sql).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                Ok(SubjectRow {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    department: r.try_get("department")?,
                })
            })
            .collect()
    }

    /// The cases delivered in a month (`YYYY-MM`, China Standard Time) with who handed each
    /// in and who owned it, oldest case number first.
    pub async fn delivered_facts(&self, period: &str) -> Result<Vec<DeliveredFacts>, StoreError> {
        let rows = sqlx::query(
            "select c.case_number, cast(c.delivered_on_time as bigint) as delivered_on_time, i.department_code, e.kind, e.actor, e.payload \
             from service_case c \
             join item i on i.item_code = c.item_code and i.version = c.item_version \
             join event e on e.case_number = c.case_number \
             where c.closed_month = $1 and c.delivered_on_time is not null \
             and e.kind in ('submitted', 'handed_over', 'reassigned') \
             order by c.case_number, e.seq",
        )
        .bind(period.to_owned())
        .fetch_all(self.reader())
        .await?;
        let mut out: Vec<(String, DeliveredFacts)> = Vec::new();
        for r in &rows {
            let number: String = r.try_get("case_number")?;
            let payload: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("payload")?)
                .map_err(|e| StoreError::corrupt("event", e))?;
            let kind: String = r.try_get("kind")?;
            if out.last().is_none_or(|(n, _)| *n != number) {
                let on_time: i64 = r.try_get("delivered_on_time")?;
                out.push((
                    number,
                    DeliveredFacts {
                        submitted_by: String::new(),
                        owners: Vec::new(),
                        item_department: r.try_get("department_code")?,
                        on_time: on_time == 1,
                    },
                ));
            }
            let Some((_, facts)) = out.last_mut() else { continue };
            if kind == "submitted" {
                facts.submitted_by = r.try_get("actor")?;
                let owner = payload.pointer("/submission/owner").and_then(serde_json::Value::as_str);
                facts.owners.extend(owner.map(str::to_owned));
            } else if let Some(to) = payload.get("to").and_then(serde_json::Value::as_str) {
                facts.owners.push(to.to_owned());
            }
        }
        Ok(out.into_iter().map(|(_, f)| f).collect())
    }

    /// Owner and department of each accountability record opened in `[from, to)`.
    pub async fn accountability_opened_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "select owner, department_code from accountability where opened_at >= $1 and opened_at < $2 \
             order by opened_at",
        )
        .bind(format_ts(from))
        .bind(format_ts(to))
        .fetch_all(self.reader())
        .await?)
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
