//! Importing an approval plan from BPMN 2.0, shared by `POST /api/v1/plans` and the
//! administration page.

use tongban_core::plan::Plan;
use tongban_core::plan::bpmn::{self, BpmnError};
use tongban_store::{append_audit, insert_plan};

use super::authorize;
use crate::AppState;
use crate::auth::Principal;
use crate::problem::ApiError;
use tongban_core::access::Action;

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
pub async fn import_plan(state: &AppState, principal: &Principal, text: &str) -> Result<(Plan, u32), ApiError> {
    authorize(principal, Action::ImportPlan)?;
    let actor = principal.require()?.id.clone();
    let plan = bpmn::import(text).map_err(|e| ApiError::Invalid(bpmn_problems(&e)))?;
    tongban_core::plan::reform::check_not_builtin(plan.id())
        .map_err(|e| ApiError::Invalid(vec![("bpmn".into(), e)]))?;
    let now = state.now();
    let stored = plan.clone();
    let pending = crate::idempotency::pending();
    let version = state
        .store
        .write(move |c| {
            Box::pin(async move {
                crate::idempotency::claim(c, pending.as_ref(), now).await?;
                let (id, version) = insert_plan(c, &stored, now).await?;
                let detail = serde_json::json!({ "version": version, "steps": stored.steps().len() }).to_string();
                append_audit(c, now, &actor, "plan.import", id.as_str(), &detail).await?;
                Ok::<_, ApiError>(version)
            })
        })
        .await?;
    Ok((plan, version))
}
