//! Follow-ups (督办事项): problems and roadmap tasks owed to projects by a deadline, with
//! the colour the worker keeps and the alerts it raised; and a project's exit (退出).

use tongban_core::followup::FollowUpKind;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::ProjectCode;
use tongban_core::supervision::Colour;

use crate::{Conn, Row, Store, StoreError, format_ts, parse_ts};

/// A follow-up as opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    /// The project it is owed to.
    pub project: ProjectCode,
    /// A problem or a roadmap task.
    pub kind: FollowUpKind,
    /// What is to be done.
    pub title: String,
    /// The department that owes it.
    pub department: DepartmentCode,
    /// The person named, if any.
    pub owner: Option<String>,
    /// When it was opened: its clock starts.
    pub started_at: jiff::Timestamp,
    /// Its deadline in working days.
    pub days: u32,
    /// Its due time (core's `followup::due_after`).
    pub due_at: jiff::Timestamp,
}

/// A follow-up as read, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRow {
    /// Its id.
    pub id: i64,
    /// What was opened.
    pub follow_up: NewFollowUp,
    /// When it was done; none while open.
    pub done_at: Option<jiff::Timestamp>,
    /// Its colour when last measured (a done one keeps its last).
    pub colour: Colour,
    /// Since when it has had that colour.
    pub colour_since: jiff::Timestamp,
}

/// Which follow-ups to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    /// One project's only.
    pub project: Option<ProjectCode>,
    /// One kind only.
    pub kind: Option<FollowUpKind>,
    /// One colour only.
    pub colour: Option<Colour>,
    /// Open ones only.
    pub open: bool,
    /// At most this many.
    pub limit: u32,
}

const COLUMNS: &str = "follow_up_id, project_code, kind, title, department_code, owner, started_at, days, due_at, \
                       done_at, colour, colour_since";

fn row(r: &Row) -> Result<FollowUpRow, StoreError> {
    let bad = |what: &str| StoreError::corrupt("follow_up", what.to_owned());
    let ts = |c: &str| -> Result<jiff::Timestamp, StoreError> { parse_ts("follow_up", &r.try_get::<String, _>(c)?) };
    Ok(FollowUpRow {
        id: r.try_get("follow_up_id")?,
        follow_up: NewFollowUp {
            project: ProjectCode::parse(&r.try_get::<String, _>("project_code")?).map_err(|e| bad(&e.to_string()))?,
            kind: FollowUpKind::parse(&r.try_get::<String, _>("kind")?).ok_or_else(|| bad("unknown kind"))?,
            title: r.try_get("title")?,
            department: DepartmentCode::parse(&r.try_get::<String, _>("department_code")?)
                .map_err(|e| bad(&e.to_string()))?,
            owner: r.try_get("owner")?,
            started_at: ts("started_at")?,
            days: u32::try_from(r.try_get::<i64, _>("days")?).map_err(|_| bad("days"))?,
            due_at: ts("due_at")?,
        },
        done_at: r.try_get::<Option<String>, _>("done_at")?.map(|t| parse_ts("follow_up", &t)).transpose()?,
        colour: Colour::parse(&r.try_get::<String, _>("colour")?).ok_or_else(|| bad("unknown colour"))?,
        colour_since: ts("colour_since")?,
    })
}

/// Opens a follow-up, green from its start; returns its id.
pub async fn insert_follow_up(conn: &mut Conn, f: &NewFollowUp) -> Result<i64, StoreError> {
    conn.query(
        "insert into follow_up (project_code, kind, title, department_code, owner, started_at, days, due_at, \
         colour, colour_since) values ($1, $2, $3, $4, $5, $6, $7, $8, 'green', $6) returning follow_up_id",
    )
    .bind(f.project.as_str())
    .bind(f.kind.as_str())
    .bind(&f.title)
    .bind(f.department.as_str())
    .bind(f.owner.clone())
    .bind(format_ts(f.started_at))
    .bind(i64::from(f.days))
    .bind(format_ts(f.due_at))
    .scalar()
    .await
}

/// Marks follow-up `id` done at `at`; false when it is unknown or done already.
pub async fn close_follow_up(conn: &mut Conn, id: i64, at: jiff::Timestamp) -> Result<bool, StoreError> {
    let r = conn
        .query("update follow_up set done_at = $1 where follow_up_id = $2 and done_at is null")
        .bind(format_ts(at))
        .bind(id)
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records that open follow-up `id` turned `colour` at `since`, and for yellow and red its
/// alert (once per colour); answers whether the alert is new.
pub async fn set_follow_up_colour(
    conn: &mut Conn,
    f: &FollowUpRow,
    colour: Colour,
    since: jiff::Timestamp,
    raised_at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    conn.query("update follow_up set colour = $1, colour_since = $2 where follow_up_id = $3 and done_at is null")
        .bind(colour.as_str())
        .bind(format_ts(since))
        .bind(f.id)
        .execute()
        .await?;
    if colour == Colour::Green {
        return Ok(false);
    }
    let r = conn
        .query(
            "insert into follow_up_alert (follow_up_id, colour, since, raised_at, department_code) \
             values ($1, $2, $3, $4, $5) on conflict (follow_up_id, colour) do nothing",
        )
        .bind(f.id)
        .bind(colour.as_str())
        .bind(format_ts(since))
        .bind(format_ts(raised_at))
        .bind(f.follow_up.department.as_str())
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// 退出 — moves project `code` to `exited` with the reasons told to the investor; false
/// when there is no such project.
pub async fn exit_project(
    conn: &mut Conn,
    code: &ProjectCode,
    reasons: &str,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query("update project set stage = 'exited', exit_reasons = $1, updated_at = $2 where project_code = $3")
        .bind(reasons)
        .bind(format_ts(at))
        .bind(code.as_str())
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

impl Store {
    /// Every open follow-up, soonest due first.
    pub async fn open_follow_ups(&self) -> Result<Vec<FollowUpRow>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        let rows = conn
            .query(&format!("select {COLUMNS} from follow_up where done_at is null order by due_at, follow_up_id"))
            .fetch_all()
            .await?;
        rows.iter().map(row).collect()
    }

    /// Follow-ups matching `filter`, newest first.
    pub async fn follow_ups(&self, filter: &FollowUpFilter) -> Result<Vec<FollowUpRow>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        let rows = conn
            .query(&format!(
                "select {COLUMNS} from follow_up where ($1 = '' or project_code = $1) and ($2 = '' or kind = $2) \
                 and ($3 = '' or colour = $3) and ($4 = 0 or done_at is null) order by follow_up_id desc limit $5"
            ))
            .bind(filter.project.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default())
            .bind(filter.kind.map(FollowUpKind::as_str).unwrap_or_default())
            .bind(filter.colour.map(Colour::as_str).unwrap_or_default())
            .bind(i64::from(filter.open))
            .bind(i64::from(filter.limit))
            .fetch_all()
            .await?;
        rows.iter().map(row).collect()
    }

    /// The alerts raised on follow-ups, newest first: (follow-up id, colour, since, raised at).
    pub async fn follow_up_alerts(
        &self,
        limit: u32,
    ) -> Result<Vec<(i64, Colour, jiff::Timestamp, jiff::Timestamp)>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        let rows = conn
            .query(
                "select follow_up_id, colour, since, raised_at from follow_up_alert \
                 order by raised_at desc, alert_id desc limit $1",
            )
            .bind(i64::from(limit))
            .fetch_all()
            .await?;
        rows.iter()
            .map(|r| {
                let colour = Colour::parse(&r.try_get::<String, _>("colour")?)
                    .ok_or_else(|| StoreError::corrupt("follow_up_alert", "unknown colour".to_owned()))?;
                Ok((
                    r.try_get("follow_up_id")?,
                    colour,
                    parse_ts("follow_up_alert", &r.try_get::<String, _>("since")?)?,
                    parse_ts("follow_up_alert", &r.try_get::<String, _>("raised_at")?)?,
                ))
            })
            .collect()
    }

    /// The reasons project `code` left the approval process with, if it did.
    pub async fn exit_reasons(&self, code: &ProjectCode) -> Result<Option<String>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        Ok(conn
            .query("select exit_reasons from project where project_code = $1")
            .bind(code.as_str())
            .scalar_optional::<Option<String>>()
            .await?
            .flatten())
    }
}
