//! 好差评 tables: ratings (one per case per channel, with whom they count for), the
//! rectifications bad ratings open, and appeals. Rules are core's (`tongban_core::rating`);
//! these functions read and write rows.

use jiff::Timestamp;
use serde::Serialize;
use tongban_core::attribution::{Attribution, Post};

use crate::time::{format_ts, parse_ts};
use crate::{Conn, Row, Store, StoreError};

/// A rating as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingRow {
    /// Its id.
    pub rating_id: i64,
    /// The case.
    pub case_number: String,
    /// `window_device`, `online`, `kiosk`, `app` or `sms`.
    pub channel: String,
    /// 1–5, the latest given through this channel.
    pub score: u8,
    /// The rater's comment.
    pub comment: String,
    /// Who rated.
    pub rater: String,
    /// When.
    pub rated_at: Timestamp,
    /// Whom and where it counts for.
    pub attribution: Attribution,
    /// The item.
    pub item: String,
    /// Excluded by an upheld appeal.
    pub excluded: bool,
}

const RATING_COLUMNS: &str = "rating_id, case_number, channel, score, comment, rater, rated_at, staff_id, \
    window_code, site_code, department_code, item_code, excluded";

fn rating_of(r: &Row) -> Result<RatingRow, StoreError> {
    Ok(RatingRow {
        rating_id: r.try_get("rating_id")?,
        case_number: r.try_get("case_number")?,
        channel: r.try_get("channel")?,
        score: u8::try_from(r.try_get::<i64, _>("score")?).unwrap_or(0),
        comment: r.try_get("comment")?,
        rater: r.try_get("rater")?,
        rated_at: parse_ts("rating", &r.try_get::<String, _>("rated_at")?)?,
        attribution: Attribution {
            staff: r.try_get("staff_id")?,
            window: r.try_get("window_code")?,
            site: r.try_get("site_code")?,
            department: r.try_get("department_code")?,
        },
        item: r.try_get("item_code")?,
        excluded: r.try_get::<i64, _>("excluded")? != 0,
    })
}

/// Records a rating; returns its id. `month` is core's month of `rated_at`.
pub async fn insert_rating(conn: &mut Conn, r: &RatingRow, month: &str) -> Result<i64, StoreError> {
    let a = &r.attribution;
    conn.query(
        "insert into rating (case_number, channel, score, comment, rater, rated_at, rated_month, staff_id, \
         window_code, site_code, department_code, item_code) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning rating_id",
    )
    .bind(&r.case_number)
    .bind(&r.channel)
    .bind(i64::from(r.score))
    .bind(&r.comment)
    .bind(&r.rater)
    .bind(format_ts(r.rated_at))
    .bind(month)
    .bind(a.staff.clone())
    .bind(a.window.clone())
    .bind(a.site.clone())
    .bind(&a.department)
    .bind(&r.item)
    .scalar()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("rating of case {} through {}", r.case_number, r.channel)))
}

/// A re-rating replaces the score of its channel (the case's events keep both).
pub async fn update_rating_score(
    conn: &mut Conn,
    rating_id: i64,
    score: u8,
    comment: &str,
    at: Timestamp,
    month: &str,
) -> Result<(), StoreError> {
    conn.query("update rating set score = $1, comment = $2, rated_at = $3, rated_month = $4 where rating_id = $5")
        .bind(i64::from(score))
        .bind(comment)
        .bind(format_ts(at))
        .bind(month)
        .bind(rating_id)
        .execute()
        .await?;
    Ok(())
}

/// A rectification as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RectificationRow {
    /// Its id.
    pub rectification_id: i64,
    /// The rating that opened it.
    pub rating_id: i64,
    /// The case.
    pub case_number: String,
    /// The department that answers.
    pub department: String,
    /// The bad score.
    pub score: u8,
    /// `opened`, `verified`, `rectified`, `fed_back`, `accepted` or `rerated`.
    pub stage: String,
    /// When opened.
    pub opened_at: Timestamp,
    /// When it must be fed back (none until computed for one carried over).
    pub due_at: Option<Timestamp>,
    /// 核实 — what was found.
    pub verification: Option<String>,
    /// 整改 — what was done.
    pub measures: Option<String>,
    /// 反馈 — what the rater was told.
    pub feedback: Option<String>,
    /// When fed back.
    pub fed_back_at: Option<Timestamp>,
    /// When the rater answered.
    pub answered_at: Option<Timestamp>,
    /// When found overdue.
    pub overdue_at: Option<Timestamp>,
}

const RECT_COLUMNS: &str = "rectification_id, rating_id, case_number, department_code, score, stage, opened_at, \
    due_at, verification, measures, feedback, fed_back_at, answered_at, overdue_at";

fn ts(r: &Row, column: &str) -> Result<Option<Timestamp>, StoreError> {
    r.try_get::<Option<String>, _>(column)?.as_deref().map(|t| parse_ts("rectification", t)).transpose()
}

fn rectification_of(r: &Row) -> Result<RectificationRow, StoreError> {
    Ok(RectificationRow {
        rectification_id: r.try_get("rectification_id")?,
        rating_id: r.try_get("rating_id")?,
        case_number: r.try_get("case_number")?,
        department: r.try_get("department_code")?,
        score: u8::try_from(r.try_get::<i64, _>("score")?).unwrap_or(0),
        stage: r.try_get("stage")?,
        opened_at: parse_ts("rectification", &r.try_get::<String, _>("opened_at")?)?,
        due_at: ts(r, "due_at")?,
        verification: r.try_get("verification")?,
        measures: r.try_get("measures")?,
        feedback: r.try_get("feedback")?,
        fed_back_at: ts(r, "fed_back_at")?,
        answered_at: ts(r, "answered_at")?,
        overdue_at: ts(r, "overdue_at")?,
    })
}

/// Opens a rectification for a bad rating; returns its id.
pub async fn insert_rectification(
    conn: &mut Conn,
    rating_id: i64,
    case_number: &str,
    department: &str,
    score: u8,
    opened_at: Timestamp,
    due_at: Timestamp,
) -> Result<i64, StoreError> {
    conn.query(
        "insert into rectification (rating_id, case_number, department_code, score, stage, opened_at, due_at) \
         values ($1, $2, $3, $4, 'opened', $5, $6) returning rectification_id",
    )
    .bind(rating_id)
    .bind(case_number)
    .bind(department)
    .bind(i64::from(score))
    .bind(format_ts(opened_at))
    .bind(format_ts(due_at))
    .scalar()
    .await
}

/// Moves a rectification from `from` to `to` (core decided), recording the step's text, who
/// and when; false when it was no longer at `from` (a concurrent step won).
#[expect(clippy::too_many_arguments, reason = "one row's step, all of it recorded")]
pub async fn advance_rectification(
    conn: &mut Conn,
    id: i64,
    from: &str,
    to: &str,
    step: &str,
    text: &str,
    by: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    // The step names its columns; none comes from input.
    let set = match step {
        "verify" => "verification = $4, verified_by = $5, verified_at = $6",
        "rectify" => "measures = $4, rectified_by = $5, rectified_at = $6",
        "feed_back" => "feedback = $4, fed_back_by = $5, fed_back_at = $6",
        // The rater's answer: accepted or rated again; the re-rating itself is a rating.
        _ => {
            let sql =
                "update rectification set stage = $1, answered_at = $4 where rectification_id = $2 and stage = $3";
            let done = conn.query(sql).bind(to).bind(id).bind(from).bind(format_ts(at)).execute().await?;
            return Ok(done.rows_affected() == 1);
        }
    };
    let sql = format!("update rectification set stage = $1, {set} where rectification_id = $2 and stage = $3");
    let done =
        conn.query(&sql).bind(to).bind(id).bind(from).bind(text.trim()).bind(by).bind(format_ts(at)).execute().await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a rectification overdue once; true only the first time (so the alert and the
/// accountability record it opens are raised exactly once).
pub async fn mark_rectification_overdue(conn: &mut Conn, id: i64, at: Timestamp) -> Result<bool, StoreError> {
    let done = conn
        .query("update rectification set overdue_at = $1 where rectification_id = $2 and overdue_at is null")
        .bind(format_ts(at))
        .bind(id)
        .execute()
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the deadline of a rectification carried over without one.
pub async fn set_rectification_due(conn: &mut Conn, id: i64, due: Timestamp) -> Result<(), StoreError> {
    conn.query("update rectification set due_at = $1 where rectification_id = $2 and due_at is null")
        .bind(format_ts(due))
        .bind(id)
        .execute()
        .await?;
    Ok(())
}

/// An appeal (申诉) as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppealRow {
    /// Its id.
    pub appeal_id: i64,
    /// The rating appealed.
    pub rating_id: i64,
    /// The appealing department.
    pub department: String,
    /// Why the rating is mistaken or malicious.
    pub reasons: String,
    /// Who appealed.
    pub appealed_by: String,
    /// When.
    pub appealed_at: Timestamp,
    /// `pending`, `upheld` or `rejected`.
    pub verdict: String,
    /// The reviewer's note.
    pub note: Option<String>,
    /// Who reviewed.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<Timestamp>,
}

const APPEAL_COLUMNS: &str =
    "appeal_id, rating_id, department_code, reasons, appealed_by, appealed_at, verdict, note, reviewed_by, reviewed_at";

fn appeal_of(r: &Row) -> Result<AppealRow, StoreError> {
    Ok(AppealRow {
        appeal_id: r.try_get("appeal_id")?,
        rating_id: r.try_get("rating_id")?,
        department: r.try_get("department_code")?,
        reasons: r.try_get("reasons")?,
        appealed_by: r.try_get("appealed_by")?,
        appealed_at: parse_ts("rating_appeal", &r.try_get::<String, _>("appealed_at")?)?,
        verdict: r.try_get("verdict")?,
        note: r.try_get("note")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: ts(r, "reviewed_at")?,
    })
}

/// Records an appeal; returns its id.
pub async fn insert_appeal(
    conn: &mut Conn,
    rating_id: i64,
    department: &str,
    reasons: &str,
    by: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    conn.query(
        "insert into rating_appeal (rating_id, department_code, reasons, appealed_by, appealed_at) \
         values ($1, $2, $3, $4, $5) returning appeal_id",
    )
    .bind(rating_id)
    .bind(department)
    .bind(reasons.trim())
    .bind(by)
    .bind(format_ts(at))
    .scalar()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("appeal of rating {rating_id}")))
}

/// Records the review of a pending appeal; an upheld one excludes its rating. False when it
/// was no longer pending.
pub async fn review_appeal(
    conn: &mut Conn,
    appeal_id: i64,
    verdict: &str,
    note: &str,
    by: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = conn
        .query(
            "update rating_appeal set verdict = $1, note = $2, reviewed_by = $3, reviewed_at = $4 \
             where appeal_id = $5 and verdict = 'pending'",
        )
        .bind(verdict)
        .bind(note.trim())
        .bind(by)
        .bind(format_ts(at))
        .bind(appeal_id)
        .execute()
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    if verdict == "upheld" {
        conn.query("update rating set excluded = 1 where rating_id = (select rating_id from rating_appeal where appeal_id = $1)")
            .bind(appeal_id)
            .execute()
            .await?;
    }
    Ok(true)
}

impl Store {
    async fn read(&self) -> Result<Conn, StoreError> {
        Ok(Conn::pooled(self.reader().acquire().await?))
    }

    /// The ratings of a case, by channel.
    pub async fn ratings_of_case(&self, case: &str) -> Result<Vec<RatingRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!("select {RATING_COLUMNS} from rating where case_number = $1 order by channel");
        conn.query(&sql).bind(case).fetch_all().await?.iter().map(rating_of).collect()
    }

    /// One rating.
    pub async fn rating_by_id(&self, id: i64) -> Result<Option<RatingRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!("select {RATING_COLUMNS} from rating where rating_id = $1");
        conn.query(&sql).bind(id).fetch_optional().await?.as_ref().map(rating_of).transpose()
    }

    /// The ratings given in `[from, to)` that count (no upheld appeal), oldest first.
    pub async fn counted_ratings_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<RatingRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!(
            "select {RATING_COLUMNS} from rating where rated_at >= $1 and rated_at < $2 and excluded = 0 \
             order by rated_at, rating_id"
        );
        conn.query(&sql).bind(format_ts(from)).bind(format_ts(to)).fetch_all().await?.iter().map(rating_of).collect()
    }

    /// Counted ratings per month (`YYYY-MM`, China Standard Time) and score, for the public
    /// figures: (month, score, count), oldest first.
    pub async fn rating_counts_by_month(&self) -> Result<Vec<(String, u8, u64)>, StoreError> {
        let mut conn = self.read().await?;
        let rows = conn
            .query(
                "select rated_month, score, count(*) as n from rating where excluded = 0 \
                 group by rated_month, score order by rated_month, score",
            )
            .fetch_all()
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("rated_month")?,
                    u8::try_from(r.try_get::<i64, _>("score")?).unwrap_or(0),
                    u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// One rectification.
    pub async fn rectification_by_id(&self, id: i64) -> Result<Option<RectificationRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!("select {RECT_COLUMNS} from rectification where rectification_id = $1");
        conn.query(&sql).bind(id).fetch_optional().await?.as_ref().map(rectification_of).transpose()
    }

    /// The rectifications of a case, oldest first.
    pub async fn rectifications_of_case(&self, case: &str) -> Result<Vec<RectificationRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!("select {RECT_COLUMNS} from rectification where case_number = $1 order by rectification_id");
        conn.query(&sql).bind(case).fetch_all().await?.iter().map(rectification_of).collect()
    }

    /// The newest rectifications (at most `limit`), of one department or all.
    pub async fn rectifications(
        &self,
        department: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RectificationRow>, StoreError> {
        let mut conn = self.read().await?;
        let rows = match department {
            Some(d) => {
                let sql = format!(
                    "select {RECT_COLUMNS} from rectification where department_code = $1 \
                     order by rectification_id desc limit $2"
                );
                conn.query(&sql).bind(d).bind(i64::from(limit)).fetch_all().await?
            }
            None => {
                let sql = format!("select {RECT_COLUMNS} from rectification order by rectification_id desc limit $1");
                conn.query(&sql).bind(i64::from(limit)).fetch_all().await?
            }
        };
        rows.iter().map(rectification_of).collect()
    }

    /// Rectifications the department still owes feedback on whose deadline passed before
    /// `now` and that were not yet found overdue; and those carried over without a deadline.
    pub async fn rectifications_to_watch(&self, now: Timestamp) -> Result<Vec<RectificationRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!(
            "select {RECT_COLUMNS} from rectification where stage in ('opened', 'verified', 'rectified') \
             and overdue_at is null and (due_at is null or due_at < $1) order by rectification_id"
        );
        conn.query(&sql).bind(format_ts(now)).fetch_all().await?.iter().map(rectification_of).collect()
    }

    /// The appeals of one verdict (all when none), newest first, at most `limit`.
    pub async fn appeals(&self, verdict: Option<&str>, limit: u32) -> Result<Vec<AppealRow>, StoreError> {
        let mut conn = self.read().await?;
        let rows = match verdict {
            Some(v) => {
                let sql = format!(
                    "select {APPEAL_COLUMNS} from rating_appeal where verdict = $1 order by appeal_id desc limit $2"
                );
                conn.query(&sql).bind(v).bind(i64::from(limit)).fetch_all().await?
            }
            None => {
                let sql = format!("select {APPEAL_COLUMNS} from rating_appeal order by appeal_id desc limit $1");
                conn.query(&sql).bind(i64::from(limit)).fetch_all().await?
            }
        };
        rows.iter().map(appeal_of).collect()
    }

    /// One appeal.
    pub async fn appeal_by_id(&self, id: i64) -> Result<Option<AppealRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!("select {APPEAL_COLUMNS} from rating_appeal where appeal_id = $1");
        conn.query(&sql).bind(id).fetch_optional().await?.as_ref().map(appeal_of).transpose()
    }

    /// The appeals of a rating (at most one).
    pub async fn appeals_of_rating(&self, rating_id: i64) -> Result<Vec<AppealRow>, StoreError> {
        let mut conn = self.read().await?;
        let sql = format!("select {APPEAL_COLUMNS} from rating_appeal where rating_id = $1");
        conn.query(&sql).bind(rating_id).fetch_all().await?.iter().map(appeal_of).collect()
    }

    /// Where a department's staff member sits, for attribution; none for any other account.
    pub async fn post_of(&self, login: &str) -> Result<Option<Post>, StoreError> {
        let mut conn = self.read().await?;
        let row = conn
            .query(
                "select a.role, a.window_code, w.site_code as window_site, d.site_code as department_site \
                 from account a left join service_window w on w.window_code = a.window_code \
                 left join department d on d.department_code = a.department_code \
                 where a.account_id = $1 and a.kind = 'staff'",
            )
            .bind(login)
            .fetch_optional()
            .await?;
        // Which roles are a department's staff is core's rule.
        let staff = |r: &Row| -> Result<bool, StoreError> {
            Ok(tongban_core::identity::Role::parse(&r.try_get::<String, _>("role")?)
                .is_some_and(tongban_core::identity::Role::is_department_staff))
        };
        let Some(r) = row else { return Ok(None) };
        if !staff(&r)? {
            return Ok(None);
        }
        Some(r)
            .map(|r| {
                Ok(Post {
                    window: r.try_get("window_code")?,
                    window_site: r.try_get("window_site")?,
                    department_site: r.try_get("department_site")?,
                })
            })
            .transpose()
    }

    /// Names for the keys of satisfaction rows: (key, name) of staff, windows, sites,
    /// departments or items, chosen by `by`.
    pub async fn names_for(&self, by: &str) -> Result<Vec<(String, String)>, StoreError> {
        let sql = match by {
            "staff" => "select account_id, display_name from account where kind = 'staff'",
            "window" => "select window_code, name from service_window",
            "site" => "select site_code, name from site",
            "department" => "select department_code, name from department",
            // The newest version's name of each item.
            _ => {
                "select i.item_code, i.name from item i where i.version = \
                  (select max(j.version) from item j where j.item_code = i.item_code)"
            }
        };
        let mut conn = self.read().await?;
        conn.query(sql).fetch_all().await?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
    }
}

impl Store {
    /// Ratings in case histories without a row of their own (stored by bulk loads of
    /// histories): (case, rater, when, score, channel), oldest first.
    pub async fn unrecorded_ratings(
        &self,
    ) -> Result<Vec<(String, String, Timestamp, u8, Option<tongban_core::rating::RatingChannel>)>, StoreError> {
        let mut conn = self.read().await?;
        let rows = conn
            .query(
                "select e.case_number, e.actor, e.at, e.payload from event e where e.kind = 'rated' \
                 and not exists (select 1 from rating r where r.case_number = e.case_number) order by e.event_id",
            )
            .fetch_all()
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let payload: String = r.try_get("payload")?;
            let event: tongban_core::case::CaseEvent =
                serde_json::from_str(&payload).map_err(|e| StoreError::corrupt("event", e))?;
            if let tongban_core::case::CaseEvent::Rated { score, channel, .. } = event {
                let at = parse_ts("event", &r.try_get::<String, _>("at")?)?;
                out.push((r.try_get("case_number")?, r.try_get("actor")?, at, score, channel));
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The rectifications of the ratings `rater` gave, newest first (at most 100).
    pub async fn rectifications_of_rater(&self, rater: &str) -> Result<Vec<RectificationRow>, StoreError> {
        let mut conn = self.read().await?;
        let columns = RECT_COLUMNS.split(", ").map(|c| format!("x.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "select {columns} from rectification x join rating r on r.rating_id = x.rating_id \
             where r.rater = $1 order by x.rectification_id desc limit 100"
        );
        conn.query(&sql).bind(rater).fetch_all().await?.iter().map(rectification_of).collect()
    }
}
