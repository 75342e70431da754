//! Importing an approval plan from BPMN 2.0, shared by `POST /api/v1/plans` and the
//! administration page.

use tongban_core::plan::Plan;
use tongban_core::plan::bpmn::{self, BpmnError};
use tongban_store::{append_audit, insert_plan};

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;
use tongban_core::access::Action;

/// The largest BPMN document taken, in bytes (the API and the pages alike).
pub const MAX_BPMN_BYTES: usize = 4 * 1024 * 1024;

/// A refused BPMN document as (field, message) pairs: `step <id>` or `process` for a plan
/// that is not valid, `bpmn` for XML that is malformed or unsupported (its message names
/// the element, its id and line).
pub fn bpmn_problems(e: &BpmnError) -> Vec<(String, String)> {
    match e {
        BpmnError::Plan { problems } => problems
            .iter()
            .map(|p| {
                let field = p.problem.step().map_or_else(|| "process".to_owned(), |s| format!("step {s}"));
                (field, p.to_string())
            })
            .collect(),
        other => vec![("bpmn".into(), other.to_string())],
    }
}

/// Imports `text` (a BPMN 2.0 document) as a plan — the next version when its id exists —
/// and answers the plan with the id and version stored. A refused document stores nothing.
pub async fn import_plan(state: &App, principal: &Principal, text: &str) -> Result<(Plan, u32), AppError> {
    authorize(principal, Action::ImportPlan)?;
    let actor = principal.require()?.id.clone();
    let plan = bpmn::import(text).map_err(|e| AppError::Invalid(bpmn_problems(&e)))?;
    tongban_core::plan::reform::check_not_builtin(plan.id())
        .map_err(|e| AppError::Invalid(vec![("bpmn".into(), e)]))?;
    let now = state.now();
    let stored = plan.clone();
    let version = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let (id, version) = insert_plan(c, &stored, now).await?;
                let detail = serde_json::json!({ "version": version, "steps": stored.steps().len() }).to_string();
                append_audit(c, now, &actor, "plan.import", id.as_str(), &detail).await?;
                Ok::<_, AppError>(version)
            })
        })
        .await?;
    Ok((plan, version))
}

/// One plan in the list: a stored version, or a built-in reform plan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanEntry {
    /// Its id.
    pub id: String,
    /// The version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// Number of steps.
    pub steps: u32,
    /// Critical-path working days.
    pub total_days: u32,
    /// When it was stored; none for a built-in plan.
    pub imported_at: Option<jiff::Timestamp>,
}

/// Every plan: the latest version of each stored one, then the built-in reform plans no
/// stored plan overrides.
pub async fn list_plans(state: &App, principal: &Principal) -> Result<Vec<PlanEntry>, AppError> {
    use tongban_core::plan::reform;
    authorize(principal, Action::ReadPlans)?;
    let rows = state.store.plans().await?;
    let mut list: Vec<PlanEntry> = rows
        .iter()
        .map(|r| PlanEntry {
            id: r.id.to_string(),
            version: r.version,
            name: r.name.clone(),
            steps: r.steps,
            total_days: r.total_days,
            imported_at: Some(r.imported_at),
        })
        .collect();
    for plan in [reform::before_reform(), reform::after_reform()] {
        if rows.iter().all(|r| &r.id != plan.id()) {
            list.push(PlanEntry {
                id: plan.id().to_string(),
                version: plan.version(),
                name: plan.name().to_owned(),
                steps: u32::try_from(plan.steps().len()).unwrap_or(u32::MAX),
                total_days: plan.total_days(),
                imported_at: None,
            });
        }
    }
    Ok(list)
}

/// The plan `id` (at `version`, else its latest), stored or built in; the flag says built in.
pub async fn resolve_plan(state: &App, id: &str, version: Option<u32>) -> Result<(Plan, bool), AppError> {
    let missing = || match version {
        Some(v) => AppError::NotFound(format!("plan {id} has no version {v}")),
        None => AppError::NotFound(format!("plan {id} does not exist")),
    };
    let Ok(plan_id) = tongban_core::plan::PlanId::parse(id) else { return Err(missing()) };
    let stored = match version {
        Some(v) => state.store.plan_version(&plan_id, v).await?,
        None => state.store.plan_by_id(&plan_id).await?,
    };
    if let Some(plan) = stored {
        return Ok((plan, false));
    }
    // Stored versions start at 1, so a stored plan of a built-in id hides the built-in one.
    tongban_core::plan::reform::builtin(id)
        .filter(|p| version.is_none_or(|v| v == p.version()))
        .map(|p| (p, true))
        .ok_or_else(missing)
}
