//! Proactive project service tables (issue 19): training sessions (集中培训查堵) with their
//! attendees and projects, problems found on projects (对症下药开方), and coordination
//! meetings (协调会商). Rules are core's (`tongban_core::project_service`); these functions
//! read and write rows. Writes take the caller's transaction, so a problem and its
//! follow-up, or a meeting and the problems it closes, commit together.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::ProjectCode;
use tongban_core::project_service::{
    Attendee, Closing, Coordinated, Coordination, CoordinationDecision, Handling, NewProblem, Opinion, ProblemClass,
    ProblemSource, Training,
};

use crate::catalog::json;
use crate::time::{format_ts, parse_ts};
use crate::{Conn, Row, Store, StoreError};

/// A training session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingRow {
    /// Its id.
    pub id: i64,
    /// The session.
    pub training: Training,
    /// The problems found at it (their ids).
    pub problems: Vec<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: Timestamp,
}

/// A problem as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemRow {
    /// Its id.
    pub id: i64,
    /// The project it blocks.
    pub project: ProjectCode,
    /// The problem.
    pub problem: NewProblem,
    /// When it was found (its follow-up's clock starts).
    pub found_at: Timestamp,
    /// When it is due (the end of its last working day).
    pub due_at: Timestamp,
    /// Its follow-up (督办事项).
    pub follow_up_id: i64,
    /// How it was closed; none while open.
    pub closing: Option<Closing>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// The coordination meeting that closed it, if one did.
    pub closed_by_coordination: Option<i64>,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A coordination meeting as stored, with the problems it closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoordinationRow {
    /// Its id.
    pub id: i64,
    /// The meeting.
    pub coordination: Coordination,
    /// The problems it closed.
    pub solved: Vec<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: Timestamp,
}

/// Which problems to list.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    /// One class only.
    pub class: Option<ProblemClass>,
    /// Open (true) or closed (false) only.
    pub open: Option<bool>,
    /// One project's only.
    pub project: Option<ProjectCode>,
}

/// Problem counts by class and handling (none: open), for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProblemCounts {
    /// `(class, handling or none while open, count)`.
    pub rows: Vec<(ProblemClass, Option<Handling>, u64)>,
}

fn corrupt(table: &'static str) -> impl Fn(String) -> StoreError {
    move |why| StoreError::corrupt(table, why)
}

/// Records a training session with its attendees and projects; returns its id.
#[tracing::instrument(skip_all)]
pub async fn insert_training(conn: &mut Conn, t: &Training, by: &str, at: Timestamp) -> Result<i64, StoreError> {
    let id: i64 = conn
        .query(
            "insert into training (topic, held_on, departments, policy_packs, people, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning training_id",
        )
        .bind(&t.topic)
        .bind(t.date.to_string())
        .bind(json(&t.departments))
        .bind(json(&t.policy_packs))
        .bind(i64::try_from(t.people.len()).unwrap_or(i64::MAX))
        .bind(by)
        .bind(format_ts(at))
        .scalar()
        .await?;
    for (seq, a) in (1_i64..).zip(&t.people) {
        conn.query("insert into training_attendee (training_id, seq, name, unit, phone) values ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(seq)
            .bind(&a.name)
            .bind(&a.unit)
            .bind(a.phone.as_deref())
            .execute()
            .await?;
    }
    for p in &t.projects {
        conn.query("insert into training_project (training_id, project_code) values ($1, $2)")
            .bind(id)
            .bind(p.as_str())
            .execute()
            .await?;
    }
    Ok(id)
}

/// Records a coordination meeting with its opinions and projects; returns its id.
#[tracing::instrument(skip_all)]
pub async fn insert_coordination(
    conn: &mut Conn,
    c: &Coordination,
    by: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let id: i64 = conn
        .query(
            "insert into coordination (title, held_on, conclusion, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5) returning coordination_id",
        )
        .bind(&c.title)
        .bind(c.date.to_string())
        .bind(&c.conclusion)
        .bind(by)
        .bind(format_ts(at))
        .scalar()
        .await?;
    for o in &c.opinions {
        conn.query("insert into coordination_opinion (coordination_id, department_code, opinion) values ($1, $2, $3)")
            .bind(id)
            .bind(o.department.as_str())
            .bind(&o.opinion)
            .execute()
            .await?;
    }
    for p in &c.projects {
        conn.query(
            "insert into coordination_project (coordination_id, project_code, decision, reasons) \
             values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(p.project.as_str())
        .bind(p.decision.as_str())
        .bind(p.reasons.as_deref())
        .execute()
        .await?;
    }
    Ok(id)
}

/// A problem to record: the checked problem, its project, its clock and its follow-up.
#[derive(Debug, Clone)]
pub struct ProblemToInsert<'a> {
    /// The project.
    pub project: &'a ProjectCode,
    /// The problem.
    pub problem: &'a NewProblem,
    /// When it was found.
    pub found_at: Timestamp,
    /// When it is due.
    pub due_at: Timestamp,
    /// Its follow-up, opened in the same transaction.
    pub follow_up_id: i64,
    /// Who recorded it.
    pub by: &'a str,
    /// When it was recorded.
    pub at: Timestamp,
}

/// Records a problem on its project; returns its id.
#[tracing::instrument(skip_all, fields(project.code = %p.project))]
pub async fn insert_problem(conn: &mut Conn, p: &ProblemToInsert<'_>) -> Result<i64, StoreError> {
    let n = p.problem;
    conn.query(
        "insert into project_problem (project_code, class, description, remedy, department_code, days, found_at, \
         due_at, source_kind, source_id, follow_up_id, recorded_by, recorded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning problem_id",
    )
    .bind(p.project.as_str())
    .bind(n.class.as_str())
    .bind(&n.description)
    .bind(n.remedy.as_deref())
    .bind(n.department.as_str())
    .bind(n.days)
    .bind(format_ts(p.found_at))
    .bind(format_ts(p.due_at))
    .bind(n.source.kind())
    .bind(n.source.id())
    .bind(p.follow_up_id)
    .bind(p.by)
    .bind(format_ts(p.at))
    .scalar()
    .await
}

/// Closes an open problem; false when it was closed already (or does not exist).
#[tracing::instrument(skip_all, fields(problem.id = id))]
pub async fn close_problem(
    conn: &mut Conn,
    id: i64,
    closing: &Closing,
    coordination: Option<i64>,
    by: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query(
            "update project_problem set handling = $1, note = $2, exit_reasons = $3, closed_at = $4, closed_by = $5, \
             closed_by_coordination = $6 where problem_id = $7 and closed_at is null",
        )
        .bind(closing.handling.as_str())
        .bind(&closing.note)
        .bind(closing.reasons.as_deref())
        .bind(format_ts(at))
        .bind(by)
        .bind(coordination)
        .bind(id)
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

const PROBLEM_COLUMNS: &str = "problem_id, project_code, class, description, remedy, department_code, days, \
    found_at, due_at, source_kind, source_id, follow_up_id, handling, note, exit_reasons, closed_at, closed_by, \
    closed_by_coordination, recorded_by";

fn problem_of(r: &Row) -> Result<ProblemRow, StoreError> {
    let bad = corrupt("project_problem");
    let class: String = r.try_get("class")?;
    let kind: String = r.try_get("source_kind")?;
    let handling: Option<String> = r.try_get("handling")?;
    let closing = match handling {
        None => None,
        Some(h) => Some(Closing {
            handling: Handling::parse(&h).ok_or_else(|| bad(format!("handling {h:?}")))?,
            note: r.try_get::<Option<String>, _>("note")?.unwrap_or_default(),
            reasons: r.try_get("exit_reasons")?,
        }),
    };
    let ts = |name: &str| -> Result<Option<Timestamp>, StoreError> {
        r.try_get::<Option<String>, _>(name)?.map(|t| parse_ts("project_problem", &t)).transpose()
    };
    Ok(ProblemRow {
        id: r.try_get("problem_id")?,
        project: ProjectCode::parse(&r.try_get::<String, _>("project_code")?).map_err(|e| bad(e.to_string()))?,
        problem: NewProblem {
            class: ProblemClass::parse(&class).ok_or_else(|| bad(format!("class {class:?}")))?,
            description: r.try_get("description")?,
            remedy: r.try_get("remedy")?,
            department: DepartmentCode::parse(&r.try_get::<String, _>("department_code")?)
                .map_err(|e| bad(e.to_string()))?,
            days: u32::try_from(r.try_get::<i64, _>("days")?).map_err(|e| bad(e.to_string()))?,
            source: ProblemSource::from_parts(&kind, r.try_get("source_id")?)
                .ok_or_else(|| bad(format!("source {kind:?}")))?,
        },
        found_at: parse_ts("project_problem", &r.try_get::<String, _>("found_at")?)?,
        due_at: parse_ts("project_problem", &r.try_get::<String, _>("due_at")?)?,
        follow_up_id: r.try_get("follow_up_id")?,
        closing,
        closed_at: ts("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        closed_by_coordination: r.try_get("closed_by_coordination")?,
        recorded_by: r.try_get("recorded_by")?,
    })
}

/// One problem as it stands in the transaction.
pub async fn problem_in(conn: &mut Conn, id: i64) -> Result<Option<ProblemRow>, StoreError> {
    let sql = format!("select {PROBLEM_COLUMNS} from project_problem where problem_id = $1");
    conn.query(&sql).bind(id).fetch_optional().await?.as_ref().map(problem_of).transpose()
}

/// Whether the record a problem on `project` says it was found at exists (in the
/// transaction): any training; a consultation or a coordination meeting must be about the
/// project.
pub async fn problem_source_exists(
    conn: &mut Conn,
    source: ProblemSource,
    project: &ProjectCode,
) -> Result<bool, StoreError> {
    let about = |table: &str, id: &str| format!("select count(*) from {table} where {id} = $1 and project_code = $2");
    let n: i64 = match source {
        ProblemSource::Training(id) => {
            conn.query("select count(*) from training where training_id = $1").bind(id).scalar().await?
        }
        ProblemSource::Consultation(id) => {
            conn.query(&about("consultation", "consultation_id")).bind(id).bind(project.as_str()).scalar().await?
        }
        ProblemSource::Coordination(id) => {
            let sql = about("coordination_project", "coordination_id");
            conn.query(&sql).bind(id).bind(project.as_str()).scalar().await?
        }
        ProblemSource::Other => return Ok(true),
    };
    Ok(n > 0)
}

fn training_of(
    r: &Row,
    people: Vec<Attendee>,
    projects: Vec<ProjectCode>,
    problems: Vec<i64>,
) -> Result<TrainingRow, StoreError> {
    let bad = corrupt("training");
    let date: String = r.try_get("held_on")?;
    Ok(TrainingRow {
        id: r.try_get("training_id")?,
        training: Training {
            topic: r.try_get("topic")?,
            date: date.parse().map_err(|e: jiff::Error| bad(e.to_string()))?,
            departments: serde_json::from_str(&r.try_get::<String, _>("departments")?)
                .map_err(|e| bad(e.to_string()))?,
            projects,
            people,
            policy_packs: serde_json::from_str(&r.try_get::<String, _>("policy_packs")?)
                .map_err(|e| bad(e.to_string()))?,
        },
        problems,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: parse_ts("training", &r.try_get::<String, _>("recorded_at")?)?,
    })
}

impl Store {
    async fn service_conn(&self) -> Result<Conn, StoreError> {
        Ok(Conn::pooled(self.reader().acquire().await?))
    }

    /// Training sessions, newest first; one only when `id` is given.
    pub async fn trainings(&self, id: Option<i64>) -> Result<Vec<TrainingRow>, StoreError> {
        let mut conn = self.service_conn().await?;
        let sql = "select training_id, topic, held_on, departments, policy_packs, recorded_by, recorded_at \
             from training where ($1 is null or training_id = $1) order by held_on desc, training_id desc";
        let rows = conn.query(sql).bind(id).fetch_all().await?;
        let of = "where ($1 is null or training_id = $1)";
        let mut people: BTreeMap<i64, Vec<Attendee>> = BTreeMap::new();
        let sql =
            format!("select training_id, name, unit, phone from training_attendee {of} order by training_id, seq");
        for r in conn.query(&sql).bind(id).fetch_all().await? {
            people.entry(r.try_get("training_id")?).or_default().push(Attendee {
                name: r.try_get("name")?,
                unit: r.try_get("unit")?,
                phone: r.try_get("phone")?,
            });
        }
        let mut projects: BTreeMap<i64, Vec<ProjectCode>> = BTreeMap::new();
        let sql =
            format!("select training_id, project_code from training_project {of} order by training_id, project_code");
        for r in conn.query(&sql).bind(id).fetch_all().await? {
            let code = ProjectCode::parse(&r.try_get::<String, _>("project_code")?)
                .map_err(|e| StoreError::corrupt("training_project", e))?;
            projects.entry(r.try_get("training_id")?).or_default().push(code);
        }
        let mut problems: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let sql = "select source_id, problem_id from project_problem where source_kind = 'training' \
                   and ($1 is null or source_id = $1) order by problem_id";
        for r in conn.query(sql).bind(id).fetch_all().await? {
            problems.entry(r.try_get("source_id")?).or_default().push(r.try_get("problem_id")?);
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("training_id")?;
                let (people, projects) = (people.remove(&id), projects.remove(&id));
                training_of(
                    r,
                    people.unwrap_or_default(),
                    projects.unwrap_or_default(),
                    problems.remove(&id).unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Sessions, people attending (summed over sessions) and distinct projects trained.
    pub async fn training_totals(&self) -> Result<(u64, u64, u64), StoreError> {
        let mut conn = self.service_conn().await?;
        let r = conn
            .query(
                "select (select count(*) from training) as sessions, \
                 (select coalesce(sum(people), 0) from training) as people, \
                 (select count(distinct project_code) from training_project) as projects",
            )
            .fetch_one()
            .await?;
        let n = |c: &str| -> Result<u64, StoreError> { Ok(u64::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0)) };
        Ok((n("sessions")?, n("people")?, n("projects")?))
    }

    /// One problem.
    pub async fn problem_by_id(&self, id: i64) -> Result<Option<ProblemRow>, StoreError> {
        problem_in(&mut self.service_conn().await?, id).await
    }

    /// Problems, newest first, as filtered.
    pub async fn problems(&self, f: &ProblemFilter) -> Result<Vec<ProblemRow>, StoreError> {
        let mut conn = self.service_conn().await?;
        let open = match f.open {
            None => "",
            Some(true) => " and closed_at is null",
            Some(false) => " and closed_at is not null",
        };
        let sql = format!(
            "select {PROBLEM_COLUMNS} from project_problem where ($1 is null or class = $1) \
             and ($2 is null or project_code = $2){open} order by problem_id desc"
        );
        conn.query(&sql)
            .bind(f.class.map(ProblemClass::as_str))
            .bind(f.project.as_ref().map(ProjectCode::as_str))
            .fetch_all()
            .await?
            .iter()
            .map(problem_of)
            .collect()
    }

    /// Problem counts by class and handling.
    pub async fn problem_counts(&self) -> Result<ProblemCounts, StoreError> {
        let mut conn = self.service_conn().await?;
        let rows = conn
            .query("select class, handling, count(*) as n from project_problem group by class, handling")
            .fetch_all()
            .await?;
        let bad = corrupt("project_problem");
        let mut out = ProblemCounts::default();
        for r in rows {
            let class: String = r.try_get("class")?;
            let handling: Option<String> = r.try_get("handling")?;
            out.rows.push((
                ProblemClass::parse(&class).ok_or_else(|| bad(format!("class {class:?}")))?,
                handling.map(|h| Handling::parse(&h).ok_or_else(|| bad(format!("handling {h:?}")))).transpose()?,
                u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
            ));
        }
        Ok(out)
    }

    /// Coordination meetings, newest first, with their opinions, projects and solved problems.
    pub async fn coordinations(&self) -> Result<Vec<CoordinationRow>, StoreError> {
        let mut conn = self.service_conn().await?;
        let bad = corrupt("coordination");
        let mut opinions: BTreeMap<i64, Vec<Opinion>> = BTreeMap::new();
        for r in conn
            .query("select coordination_id, department_code, opinion from coordination_opinion order by coordination_id, department_code")
            .fetch_all()
            .await?
        {
            opinions.entry(r.try_get("coordination_id")?).or_default().push(Opinion {
                department: DepartmentCode::parse(&r.try_get::<String, _>("department_code")?)
                    .map_err(|e| bad(e.to_string()))?,
                opinion: r.try_get("opinion")?,
            });
        }
        let mut projects: BTreeMap<i64, Vec<Coordinated>> = BTreeMap::new();
        for r in conn
            .query("select coordination_id, project_code, decision, reasons from coordination_project order by coordination_id, project_code")
            .fetch_all()
            .await?
        {
            let decision: String = r.try_get("decision")?;
            projects.entry(r.try_get("coordination_id")?).or_default().push(Coordinated {
                project: ProjectCode::parse(&r.try_get::<String, _>("project_code")?).map_err(|e| bad(e.to_string()))?,
                decision: CoordinationDecision::parse(&decision).ok_or_else(|| bad(format!("decision {decision:?}")))?,
                reasons: r.try_get("reasons")?,
            });
        }
        let mut solved: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for r in conn
            .query("select closed_by_coordination, problem_id from project_problem where closed_by_coordination is not null order by problem_id")
            .fetch_all()
            .await?
        {
            solved.entry(r.try_get("closed_by_coordination")?).or_default().push(r.try_get("problem_id")?);
        }
        let rows = conn
            .query("select coordination_id, title, held_on, conclusion, recorded_by, recorded_at from coordination order by held_on desc, coordination_id desc")
            .fetch_all()
            .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("coordination_id")?;
                let date: String = r.try_get("held_on")?;
                Ok(CoordinationRow {
                    id,
                    coordination: Coordination {
                        title: r.try_get("title")?,
                        date: date.parse().map_err(|e: jiff::Error| bad(e.to_string()))?,
                        opinions: opinions.remove(&id).unwrap_or_default(),
                        conclusion: r.try_get("conclusion")?,
                        projects: projects.remove(&id).unwrap_or_default(),
                    },
                    solved: solved.remove(&id).unwrap_or_default(),
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: parse_ts("coordination", &r.try_get::<String, _>("recorded_at")?)?,
                })
            })
            .collect()
    }

    /// Meetings, distinct projects coordinated, and problems closed by a meeting.
    pub async fn coordination_totals(&self) -> Result<(u64, u64, u64), StoreError> {
        let mut conn = self.service_conn().await?;
        let r = conn
            .query(
                "select (select count(*) from coordination) as meetings, \
                 (select count(distinct project_code) from coordination_project) as projects, \
                 (select count(*) from project_problem where closed_by_coordination is not null) as solved",
            )
            .fetch_one()
            .await?;
        let n = |c: &str| -> Result<u64, StoreError> { Ok(u64::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0)) };
        Ok((n("meetings")?, n("projects")?, n("solved")?))
    }
}
