//! The project library (项目库): construction projects, their pre-consultation records
//! (上门对接建库), and each project's run through an approval plan, stored as core's
//! `ProjectRun` JSON with a version for optimistic concurrency.

use crate::{Conn, Row};
use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use tongban_core::case::CaseNumber;
use tongban_core::division::DivisionCode;
use tongban_core::plan::{
    PlannedStart, Project, ProjectCode, ProjectRun, ProjectStage, ProjectType, SmallType, StepId,
};

use crate::catalog::json;
use crate::{Store, StoreError, format_ts, parse_ts};

/// A project of the library as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRow {
    /// The project.
    pub project: Project,
    /// 统一社会信用代码 of the project unit: with it, steps linked to a service item open
    /// real cases for the unit.
    pub credit_code: Option<String>,
    /// A phone to reach the unit.
    pub phone: Option<String>,
    /// Who entered it.
    pub created_by: String,
    /// When.
    pub created_at: jiff::Timestamp,
    /// When it last changed.
    pub updated_at: jiff::Timestamp,
}

/// A pre-consultation visit (上门对接): staff meet the project unit before it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consultation {
    /// The project.
    pub project: ProjectCode,
    /// When the visit took place.
    pub at: jiff::Timestamp,
    /// The account that recorded it.
    pub by: String,
    /// What was discussed and agreed.
    pub notes: String,
}

/// A project's run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// The run.
    pub run: ProjectRun,
    /// Bumped by every change; pass it back to [`update_project_run`].
    pub version: u32,
    /// When it last changed.
    pub updated_at: jiff::Timestamp,
}

fn type_columns(kind: ProjectType) -> (&'static str, Option<&'static str>) {
    match kind {
        ProjectType::GovernmentInvested => ("government_invested", None),
        ProjectType::EnterpriseInvested => ("enterprise_invested", None),
        ProjectType::Small(s) => ("small", Some(s.as_str())),
    }
}

fn type_from_columns(kind: &str, small: Option<&str>) -> Option<ProjectType> {
    Some(match (kind, small) {
        ("government_invested", None) => ProjectType::GovernmentInvested,
        ("enterprise_invested", None) => ProjectType::EnterpriseInvested,
        ("small", Some(name)) => ProjectType::Small(SmallType::parse(name)?),
        _ => return None,
    })
}

/// The investment in fen, as stored; too large an amount is refused rather than wrapped.
fn fen(yuan: u64) -> Result<i64, StoreError> {
    yuan.checked_mul(100)
        .and_then(|f| i64::try_from(f).ok())
        .ok_or_else(|| StoreError::corrupt("project", format!("investment of {yuan} yuan is too large to store")))
}

/// Adds a project to the library; a code already there is [`StoreError::Duplicate`].
#[tracing::instrument(skip_all, fields(project.code = %row.project.code))]
pub async fn insert_project(conn: &mut Conn, row: &ProjectRow) -> Result<(), StoreError> {
    let p = &row.project;
    let (kind, small) = type_columns(p.kind);
    conn.query(
        "insert into project (project_code, name, unit, project_type, small_type, investment_fen, division_code, \
         stage, green_channel, credit_code, phone, created_by, created_at, updated_at, planned_start, \
         annual_investment_fen) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(p.code.as_str())
    .bind(&p.name)
    .bind(&p.unit)
    .bind(kind)
    .bind(small)
    .bind(fen(p.investment_yuan)?)
    .bind(p.division.as_str())
    .bind(ProjectStage::as_str(p.stage))
    .bind(i64::from(p.green_channel))
    .bind(row.credit_code.as_deref())
    .bind(row.phone.as_deref())
    .bind(&row.created_by)
    .bind(format_ts(row.created_at))
    .bind(format_ts(row.updated_at))
    .bind(p.planned_start.map(|s| s.to_string()))
    .bind(fen(p.annual_investment_yuan)?)
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("project {}", p.code)))?;
    Ok(())
}

/// Rewrites a project's record as entered (an import of a changed row): name, unit, type,
/// investments, division, planned start, credit code and phone; its stage, green channel
/// and who entered it stay. False when there is no such project.
#[tracing::instrument(skip_all, fields(project.code = %row.project.code))]
pub async fn update_project_record(
    conn: &mut Conn,
    row: &ProjectRow,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let p = &row.project;
    let (kind, small) = type_columns(p.kind);
    let r = conn
        .query(
            "update project set name = $1, unit = $2, project_type = $3, small_type = $4, investment_fen = $5, \
             division_code = $6, planned_start = $7, annual_investment_fen = $8, credit_code = $9, phone = $10, \
             updated_at = $11 where project_code = $12",
        )
        .bind(&p.name)
        .bind(&p.unit)
        .bind(kind)
        .bind(small)
        .bind(fen(p.investment_yuan)?)
        .bind(p.division.as_str())
        .bind(p.planned_start.map(|s| s.to_string()))
        .bind(fen(p.annual_investment_yuan)?)
        .bind(row.credit_code.as_deref())
        .bind(row.phone.as_deref())
        .bind(format_ts(now))
        .bind(p.code.as_str())
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets a project's stage and green-channel flag; false when there is no such project.
pub async fn update_project_stage(
    conn: &mut Conn,
    code: &ProjectCode,
    stage: ProjectStage,
    green_channel: bool,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query("update project set stage = $1, green_channel = $2, updated_at = $3 where project_code = $4")
        .bind(ProjectStage::as_str(stage))
        .bind(i64::from(green_channel))
        .bind(format_ts(now))
        .bind(code.as_str())
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records a pre-consultation visit.
#[tracing::instrument(skip_all, fields(project.code = %c.project))]
pub async fn insert_consultation(conn: &mut Conn, c: &Consultation, now: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query(
        "insert into consultation (project_code, at, by_account, notes, recorded_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(c.project.as_str())
    .bind(format_ts(c.at))
    .bind(&c.by)
    .bind(&c.notes)
    .bind(format_ts(now))
    .execute()
    .await?;
    Ok(())
}

/// Stores a project's new run (version 1); a project runs once, so a second run is
/// [`StoreError::Duplicate`].
#[tracing::instrument(skip_all, fields(project.code = %run.project()))]
pub async fn insert_project_run(conn: &mut Conn, run: &ProjectRun, now: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query(
        "insert into project_run (project_code, plan_id, plan_version, green_channel, started_at, updated_at, \
         complete, version, state) values ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(run.project().as_str())
    .bind(run.plan().id().as_str())
    .bind(i64::from(run.plan().version()))
    .bind(i64::from(run.green_channel()))
    .bind(format_ts(run.started()))
    .bind(format_ts(now))
    .bind(i64::from(run.is_complete()))
    .bind(json(run))
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("a run of project {}", run.project())))?;
    Ok(())
}

/// Saves a changed run read at `expected` version; false (nothing written) when someone
/// else changed it since.
#[tracing::instrument(skip_all, fields(project.code = %run.project()))]
pub async fn update_project_run(
    conn: &mut Conn,
    run: &ProjectRun,
    expected: u32,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query(
            "update project_run set state = $1, complete = $2, updated_at = $3, version = version + 1 \
         where project_code = $4 and version = $5",
        )
        .bind(json(run))
        .bind(i64::from(run.is_complete()))
        .bind(format_ts(now))
        .bind(run.project().as_str())
        .bind(i64::from(expected))
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records that `step` of `project`'s run is handled as case `number` (in the transaction
/// that opens the case), so that deciding the case can finish the step.
pub async fn insert_step_case(
    conn: &mut Conn,
    number: &CaseNumber,
    project: &ProjectCode,
    step: &StepId,
) -> Result<(), StoreError> {
    conn.query("insert into project_step_case (case_number, project_code, step_id) values ($1, $2, $3)")
        .bind(number.as_str())
        .bind(project.as_str())
        .bind(step.as_str())
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("a case for step {step} of project {project}")))?;
    Ok(())
}

/// The project step case `number` is handled as, with the project's run as it stands in
/// the transaction: none when the case was not opened by a run.
pub async fn run_for_case(conn: &mut Conn, number: &CaseNumber) -> Result<Option<(StepId, RunRow)>, StoreError> {
    let row = conn
        .query(
            "select s.step_id, r.state, r.version, r.updated_at from project_step_case s \
         join project_run r on r.project_code = s.project_code where s.case_number = $1",
        )
        .bind(number.as_str())
        .fetch_optional()
        .await?;
    let Some(row) = row else { return Ok(None) };
    let step: String = row.try_get("step_id")?;
    let step = StepId::parse(&step).map_err(|e| StoreError::corrupt("project_step_case", e))?;
    Ok(Some((step, run_from_row(&row)?)))
}

const PROJECT_COLUMNS: &str = "project_code, name, unit, project_type, small_type, investment_fen, division_code, \
     stage, green_channel, credit_code, phone, created_by, created_at, updated_at, planned_start, annual_investment_fen";

fn project_from_row(row: &AnyRow) -> Result<ProjectRow, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt("project", e.to_string());
    let text = |name: &str| -> Result<String, StoreError> { row.try_get(name).map_err(|e| bad(&e)) };
    let optional = |name: &str| -> Result<Option<String>, StoreError> { row.try_get(name).map_err(|e| bad(&e)) };
    let code = text("project_code")?;
    let kind = text("project_type")?;
    let small = optional("small_type")?;
    let fen: i64 = row.try_get("investment_fen").map_err(|e| bad(&e))?;
    let green: i64 = row.try_get("green_channel").map_err(|e| bad(&e))?;
    let stage = text("stage")?;
    let annual: i64 = row.try_get("annual_investment_fen").map_err(|e| bad(&e))?;
    let planned_start = optional("planned_start")?.map(|s| PlannedStart::parse(&s)).transpose().map_err(|e| bad(&e))?;
    let project = Project {
        code: ProjectCode::from_stored(&code).map_err(|e| bad(&e))?,
        name: text("name")?,
        unit: text("unit")?,
        kind: type_from_columns(&kind, small.as_deref()).ok_or_else(|| bad(&format!("project type {kind:?}")))?,
        investment_yuan: u64::try_from(fen / 100).map_err(|e| bad(&e))?,
        division: DivisionCode::parse(&text("division_code")?).map_err(|e| bad(&e))?,
        stage: ProjectStage::parse(&stage).ok_or_else(|| bad(&format!("stage {stage:?}")))?,
        green_channel: green != 0,
        planned_start,
        annual_investment_yuan: u64::try_from(annual / 100).map_err(|e| bad(&e))?,
    };
    Ok(ProjectRow {
        project,
        credit_code: optional("credit_code")?,
        phone: optional("phone")?,
        created_by: text("created_by")?,
        created_at: parse_ts("project", &text("created_at")?)?,
        updated_at: parse_ts("project", &text("updated_at")?)?,
    })
}

fn consultation_from_row(row: &AnyRow) -> Result<Consultation, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt("consultation", e.to_string());
    let text = |name: &str| -> Result<String, StoreError> { row.try_get(name).map_err(|e| bad(&e)) };
    Ok(Consultation {
        project: ProjectCode::from_stored(&text("project_code")?).map_err(|e| bad(&e))?,
        at: parse_ts("consultation", &text("at")?)?,
        by: text("by_account")?,
        notes: text("notes")?,
    })
}

fn run_from_row(row: &Row) -> Result<RunRow, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt("project_run", e.to_string());
    let state: String = row.try_get("state").map_err(|e| bad(&e))?;
    let version: i64 = row.try_get("version").map_err(|e| bad(&e))?;
    let updated: String = row.try_get("updated_at").map_err(|e| bad(&e))?;
    Ok(RunRow {
        run: serde_json::from_str(&state).map_err(|e| bad(&e))?,
        version: u32::try_from(version).map_err(|e| bad(&e))?,
        updated_at: parse_ts("project_run", &updated)?,
    })
}

impl Store {
    /// One project of the library.
    pub async fn project_by_code(&self, code: &ProjectCode) -> Result<Option<ProjectRow>, StoreError> {
        let row = sqlx::query(&format!("select {PROJECT_COLUMNS} from project where project_code = $1"))
            .bind(code.as_str())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(project_from_row).transpose()
    }

    /// The projects of the library, by code; only those at `stage` when given.
    pub async fn projects(&self, stage: Option<ProjectStage>) -> Result<Vec<ProjectRow>, StoreError> {
        let rows = match stage {
            Some(s) => {
                sqlx::query(&format!("select {PROJECT_COLUMNS} from project where stage = $1 order by project_code"))
                    .bind(ProjectStage::as_str(s))
                    .fetch_all(self.reader())
                    .await?
            }
            None => {
                sqlx::query(&format!("select {PROJECT_COLUMNS} from project order by project_code"))
                    .fetch_all(self.reader())
                    .await?
            }
        };
        rows.iter().map(project_from_row).collect()
    }

    /// A project's pre-consultation records, oldest first.
    pub async fn consultations_for_project(&self, code: &ProjectCode) -> Result<Vec<Consultation>, StoreError> {
        let rows = sqlx::query(
            "select project_code, at, by_account, notes from consultation where project_code = $1 \
             order by at, consultation_id",
        )
        .bind(code.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(consultation_from_row).collect()
    }

    /// How many pre-consultation records each project has (projects without any left out).
    pub async fn consultation_counts(&self) -> Result<std::collections::BTreeMap<ProjectCode, u64>, StoreError> {
        let rows = sqlx::query("select project_code, count(*) as n from consultation group by project_code")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("project_code")?;
                let n: i64 = r.try_get("n")?;
                let code =
                    ProjectCode::from_stored(&code).map_err(|e| StoreError::corrupt("consultation", e.to_string()))?;
                Ok((code, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    /// Every run not yet complete, with its project's division (建设地点).
    pub async fn running_project_runs(&self) -> Result<Vec<(RunRow, DivisionCode)>, StoreError> {
        let rows = sqlx::query(
            "select r.state, r.version, r.updated_at, p.division_code from project_run r \
             join project p on p.project_code = r.project_code where r.complete = 0 order by r.project_code",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let row = Row::from_any(r)?;
                let division: String = row.try_get("division_code")?;
                let division =
                    DivisionCode::parse(&division).map_err(|e| StoreError::corrupt("project", e.to_string()))?;
                Ok((run_from_row(&row)?, division))
            })
            .collect()
    }

    /// Every run, by its project's code: one read for pages that show many projects.
    pub async fn project_runs(&self) -> Result<std::collections::BTreeMap<ProjectCode, RunRow>, StoreError> {
        let rows = sqlx::query("select project_code, state, version, updated_at from project_run")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                let row = Row::from_any(r)?;
                let code: String = row.try_get("project_code")?;
                let code =
                    ProjectCode::from_stored(&code).map_err(|e| StoreError::corrupt("project_run", e.to_string()))?;
                Ok((code, run_from_row(&row)?))
            })
            .collect()
    }

    /// A project's run, if it has started one.
    pub async fn run_for_project(&self, code: &ProjectCode) -> Result<Option<RunRow>, StoreError> {
        let row = sqlx::query("select state, version, updated_at from project_run where project_code = $1")
            .bind(code.as_str())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| run_from_row(&Row::from_any(r)?)).transpose()
    }
}
