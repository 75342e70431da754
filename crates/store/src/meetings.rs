//! Joint review meetings (联审联批): the meeting, its agenda with the decision on each
//! project, and the roadmap tasks (路线图) with the follow-up each is supervised as.

use jiff::civil::Date;
use serde::Serialize;
use tongban_core::division::DivisionCode;
use tongban_core::joint_review::{DecidedRow, Decision, Meeting, Representative, Task};
use tongban_core::org::DepartmentCode;
use tongban_core::plan::ProjectCode;

use crate::catalog::json;
use crate::{Conn, Row, Store, StoreError, format_ts, parse_ts};

/// A roadmap task as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRow {
    /// Its id.
    pub id: i64,
    /// The meeting that gave it.
    pub meeting: i64,
    /// The project.
    pub project: ProjectCode,
    /// What is to be done, its owner, start and deadline.
    pub task: Task,
    /// The follow-up (督办事项) it is supervised as.
    pub follow_up_id: Option<i64>,
    /// When it was done.
    pub done_at: Option<jiff::Timestamp>,
    /// Who said so.
    pub done_by: Option<String>,
}

/// A project on a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgendaRow {
    /// The project.
    pub project: ProjectCode,
    /// Its name in the library.
    pub name: String,
    /// 总投资, yuan.
    pub investment_yuan: u64,
    /// The decision (none: on the agenda, not decided).
    pub decision: Option<Decision>,
    /// The reasons given.
    pub reasons: String,
    /// The blockages recorded as solved.
    pub blockages: Vec<String>,
    /// For an unblocked project: it was running already, its run left as it was.
    pub was_running: bool,
    /// The roadmap's tasks.
    pub tasks: Vec<TaskRow>,
}

/// A meeting as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingRow {
    /// Its id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The day it was held.
    pub date: Date,
    /// The county or functional zone.
    pub division: DivisionCode,
    /// Leaders.
    pub leaders: Vec<String>,
    /// Chief representatives (首席代表).
    pub representatives: Vec<Representative>,
    /// Project units.
    pub units: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Who recorded it, and when.
    pub recorded_by: String,
    /// When.
    pub recorded_at: jiff::Timestamp,
    /// The agenda, in order, with the decisions.
    pub projects: Vec<AgendaRow>,
}

/// Stores a meeting's own record (not its agenda); returns its id.
#[tracing::instrument(skip_all)]
pub async fn insert_meeting(
    conn: &mut Conn,
    m: &Meeting,
    recorded_by: &str,
    now: jiff::Timestamp,
) -> Result<i64, StoreError> {
    conn.query(
        "insert into meeting (title, held_on, division_code, leaders, representatives, units, minutes, \
         recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning meeting_id",
    )
    .bind(m.title.as_str())
    .bind(m.date.to_string())
    .bind(m.division.as_str())
    .bind(json(&m.leaders))
    .bind(json(&m.representatives))
    .bind(json(&m.units))
    .bind(m.minutes.as_str())
    .bind(recorded_by)
    .bind(format_ts(now))
    .scalar()
    .await
}

/// Puts a project on meeting `meeting`'s agenda at `position`, with its decision if any.
#[expect(clippy::too_many_arguments, reason = "one agenda row, every column")]
pub async fn insert_agenda_project(
    conn: &mut Conn,
    meeting: i64,
    position: usize,
    project: &ProjectCode,
    decision: Option<Decision>,
    reasons: &str,
    blockages: &[String],
    was_running: bool,
) -> Result<(), StoreError> {
    conn.query(
        "insert into meeting_project (meeting_id, project_code, position, decision, reasons, blockages, was_running) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(meeting)
    .bind(project.as_str())
    .bind(i64::try_from(position).unwrap_or(i64::MAX))
    .bind(decision.map(Decision::as_str))
    .bind(reasons)
    .bind(json(&blockages))
    .bind(i64::from(was_running))
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("project {project} on meeting {meeting}")))?;
    Ok(())
}

/// Stores a roadmap task with the follow-up it is supervised as; returns its id.
pub async fn insert_roadmap_task(
    conn: &mut Conn,
    meeting: i64,
    project: &ProjectCode,
    t: &Task,
    follow_up_id: Option<i64>,
) -> Result<i64, StoreError> {
    conn.query(
        "insert into roadmap_task (meeting_id, project_code, title, department_code, person, started_at, days, \
         due_at, follow_up_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning task_id",
    )
    .bind(meeting)
    .bind(project.as_str())
    .bind(t.title.as_str())
    .bind(t.department.as_str())
    .bind(t.person.as_deref())
    .bind(format_ts(t.started_at))
    .bind(i64::from(t.days))
    .bind(format_ts(t.due_at))
    .bind(follow_up_id)
    .scalar()
    .await
}

/// Marks an open task done; `None` when there is no such open task, else its follow-up id
/// (if it has one).
pub async fn finish_roadmap_task(
    conn: &mut Conn,
    id: i64,
    by: &str,
    at: jiff::Timestamp,
) -> Result<Option<Option<i64>>, StoreError> {
    let row = conn
        .query(
            "update roadmap_task set done_at = $1, done_by = $2 where task_id = $3 and done_at is null \
             returning follow_up_id",
        )
        .bind(format_ts(at))
        .bind(by)
        .bind(id)
        .fetch_optional()
        .await?;
    row.map(|r| r.try_get::<Option<i64>, _>("follow_up_id")).transpose()
}

/// Closes every open roadmap task of `project` (it left the approval process); returns the
/// follow-up ids of those closed.
pub async fn close_roadmap_tasks_of(
    conn: &mut Conn,
    project: &ProjectCode,
    by: &str,
    at: jiff::Timestamp,
) -> Result<Vec<i64>, StoreError> {
    let rows = conn
        .query(
            "update roadmap_task set done_at = $1, done_by = $2 where project_code = $3 and done_at is null \
             returning follow_up_id",
        )
        .bind(format_ts(at))
        .bind(by)
        .bind(project.as_str())
        .fetch_all()
        .await?;
    rows.iter().filter_map(|r| r.try_get::<Option<i64>, _>("follow_up_id").transpose()).collect()
}

fn corrupt(table: &'static str) -> impl Fn(&dyn std::fmt::Display) -> StoreError {
    move |e| StoreError::corrupt(table, e.to_string())
}

const TASK_COLUMNS: &str = "task_id, meeting_id, project_code, title, department_code, person, started_at, days, \
    due_at, follow_up_id, done_at, done_by";

fn task_of(r: &Row) -> Result<TaskRow, StoreError> {
    let bad = corrupt("roadmap_task");
    let ts = |name: &str| -> Result<jiff::Timestamp, StoreError> {
        parse_ts("roadmap_task", &r.try_get::<String, _>(name)?)
    };
    let done_at = match r.try_get::<Option<String>, _>("done_at")? {
        Some(t) => Some(parse_ts("roadmap_task", &t)?),
        None => None,
    };
    Ok(TaskRow {
        id: r.try_get("task_id")?,
        meeting: r.try_get("meeting_id")?,
        project: ProjectCode::parse(&r.try_get::<String, _>("project_code")?).map_err(|e| bad(&e))?,
        task: Task {
            title: r.try_get("title")?,
            department: DepartmentCode::parse(&r.try_get::<String, _>("department_code")?).map_err(|e| bad(&e))?,
            person: r.try_get("person")?,
            started_at: ts("started_at")?,
            days: u32::try_from(r.try_get::<i64, _>("days")?).map_err(|e| bad(&e))?,
            due_at: ts("due_at")?,
        },
        follow_up_id: r.try_get("follow_up_id")?,
        done_at,
        done_by: r.try_get("done_by")?,
    })
}

fn decision_of(r: &Row) -> Result<Option<Decision>, StoreError> {
    match r.try_get::<Option<String>, _>("decision")? {
        None => Ok(None),
        Some(d) => Decision::parse(&d).map(Some).ok_or_else(|| StoreError::corrupt("meeting_project", d)),
    }
}

fn date_of(r: &Row) -> Result<Date, StoreError> {
    let d: String = r.try_get("held_on")?;
    d.parse().map_err(|e: jiff::Error| StoreError::corrupt("meeting", e.to_string()))
}

fn list<T: serde::de::DeserializeOwned>(r: &Row, column: &str) -> Result<Vec<T>, StoreError> {
    let text: String = r.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| StoreError::corrupt("meeting", e.to_string()))
}

impl Store {
    async fn rows(&self, sql: &str, id: Option<i64>) -> Result<Vec<Row>, StoreError> {
        let q = sqlx::query(sql);
        let q = match id {
            Some(id) => q.bind(id),
            None => q,
        };
        q.fetch_all(self.reader()).await?.iter().map(Row::from_any).collect()
    }

    /// Meetings, the latest first; only meeting `id` when given.
    pub async fn meetings(&self, id: Option<i64>) -> Result<Vec<MeetingRow>, StoreError> {
        let filter = if id.is_some() { "where m.meeting_id = $1" } else { "" };
        let meetings = self
            .rows(
                &format!(
                    "select meeting_id, title, held_on, division_code, leaders, representatives, units, minutes, \
                     recorded_by, recorded_at from meeting m {filter} order by held_on desc, meeting_id desc"
                ),
                id,
            )
            .await?;
        let agenda = self
            .rows(
                &format!(
                    "select mp.meeting_id, mp.project_code, p.name, p.investment_fen, mp.decision, mp.reasons, \
                     mp.blockages, mp.was_running from meeting_project mp \
                     join project p on p.project_code = mp.project_code {} order by mp.meeting_id, mp.position",
                    filter.replace("m.", "mp.")
                ),
                id,
            )
            .await?;
        let tasks = self
            .rows(&format!("select {TASK_COLUMNS} from roadmap_task {} order by task_id", filter.replace("m.", "")), id)
            .await?;
        let mut tasks: Vec<TaskRow> = tasks.iter().map(task_of).collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(meetings.len());
        for m in &meetings {
            let mid: i64 = m.try_get("meeting_id")?;
            let mut projects = Vec::new();
            for a in agenda.iter().filter(|a| a.try_get::<i64, _>("meeting_id").is_ok_and(|x| x == mid)) {
                let project =
                    ProjectCode::parse(&a.try_get::<String, _>("project_code")?).map_err(|e| corrupt("meeting")(&e))?;
                let (mine, rest): (Vec<TaskRow>, Vec<TaskRow>) =
                    tasks.into_iter().partition(|t| t.meeting == mid && t.project == project);
                tasks = rest;
                projects.push(AgendaRow {
                    project,
                    name: a.try_get("name")?,
                    investment_yuan: u64::try_from(a.try_get::<i64, _>("investment_fen")? / 100).unwrap_or(0),
                    decision: decision_of(a)?,
                    reasons: a.try_get("reasons")?,
                    blockages: list(a, "blockages")?,
                    was_running: a.try_get::<i64, _>("was_running")? != 0,
                    tasks: mine,
                });
            }
            out.push(MeetingRow {
                id: mid,
                title: m.try_get("title")?,
                date: date_of(m)?,
                division: DivisionCode::parse(&m.try_get::<String, _>("division_code")?)
                    .map_err(|e| corrupt("meeting")(&e))?,
                leaders: list(m, "leaders")?,
                representatives: list(m, "representatives")?,
                units: list(m, "units")?,
                minutes: m.try_get("minutes")?,
                recorded_by: m.try_get("recorded_by")?,
                recorded_at: parse_ts("meeting", &m.try_get::<String, _>("recorded_at")?)?,
                projects,
            });
        }
        Ok(out)
    }

    /// How many meetings there are, and every agenda row with its project's investment, for
    /// the figures.
    pub async fn decided_rows(&self) -> Result<(u64, Vec<DecidedRow>), StoreError> {
        let count: i64 = sqlx::query_scalar("select count(*) from meeting").fetch_one(self.reader()).await?;
        let rows = self
            .rows(
                "select mp.meeting_id, m.held_on, mp.project_code, mp.decision, p.investment_fen, \
                 p.annual_investment_fen from meeting_project mp join meeting m on m.meeting_id = mp.meeting_id \
                 join project p on p.project_code = mp.project_code",
                None,
            )
            .await?;
        let fen = |r: &Row, c: &str| -> Result<u64, StoreError> {
            Ok(u64::try_from(r.try_get::<i64, _>(c)? / 100).unwrap_or(0))
        };
        let rows = rows
            .iter()
            .map(|r| {
                Ok(DecidedRow {
                    meeting: r.try_get("meeting_id")?,
                    date: date_of(r)?,
                    project: ProjectCode::parse(&r.try_get::<String, _>("project_code")?)
                        .map_err(|e| corrupt("meeting_project")(&e))?,
                    decision: decision_of(r)?,
                    investment_yuan: fen(r, "investment_fen")?,
                    annual_investment_yuan: fen(r, "annual_investment_fen")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((u64::try_from(count).unwrap_or(0), rows))
    }

    /// Roadmap tasks, by id; only the open ones (or only the done ones) when asked.
    pub async fn roadmap_tasks(&self, open: Option<bool>) -> Result<Vec<TaskRow>, StoreError> {
        let filter = match open {
            Some(true) => "where done_at is null",
            Some(false) => "where done_at is not null",
            None => "",
        };
        let rows =
            self.rows(&format!("select {TASK_COLUMNS} from roadmap_task {filter} order by task_id"), None).await?;
        rows.iter().map(task_of).collect()
    }

    /// The projects at the pre-consultation stage with an annual planned investment (年度计划投资
    /// above 0) — this year's joint review candidates — by code, with their division and unit.
    pub async fn joint_review_candidates(&self) -> Result<Vec<(ProjectCode, DivisionCode, String)>, StoreError> {
        let rows = self
            .rows(
                "select project_code, division_code, unit from project where annual_investment_fen > 0 \
                 and stage = 'pre_consultation' order by project_code",
                None,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let bad = corrupt("project");
                Ok((
                    ProjectCode::parse(&r.try_get::<String, _>("project_code")?).map_err(|e| bad(&e))?,
                    DivisionCode::parse(&r.try_get::<String, _>("division_code")?).map_err(|e| bad(&e))?,
                    r.try_get("unit")?,
                ))
            })
            .collect()
    }

    /// The names of the divisions holding meetings: (code, name).
    pub async fn meeting_division_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .rows(
                "select d.division_code, d.name from division d \
                 where d.division_code in (select division_code from meeting) order by d.division_code",
                None,
            )
            .await?;
        rows.iter().map(|r| Ok((r.try_get("division_code")?, r.try_get("name")?))).collect()
    }

    /// One roadmap task.
    pub async fn roadmap_task(&self, id: i64) -> Result<Option<TaskRow>, StoreError> {
        let rows = self.rows(&format!("select {TASK_COLUMNS} from roadmap_task where task_id = $1"), Some(id)).await?;
        rows.first().map(task_of).transpose()
    }
}
