//! Importing an approval plan from BPMN 2.0, shared by `POST /api/v1/plans` and the
//! administration page.

use tongban_core::plan::Plan;
use tongban_core::plan::bpmn::{self, BpmnError};
use tongban_core::plan::link::{self, LinkDepartment, LinkItem, LinkReport};
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
    // A step's lead department must be one of the center's: its cases open there.
    let (departments, _) = link_context(state).await?;
    let unknown = link::unknown_lead_departments(&plan, &departments);
    if !unknown.is_empty() {
        return Err(AppError::Invalid(
            unknown
                .into_iter()
                .map(|(step, lead)| {
                    (
                        format!("step {step}.lead_department"),
                        format!("{lead:?} is none of the center's departments (by name or short name)"),
                    )
                })
                .collect(),
        ));
    }
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
    for plan in reform::builtins() {
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

/// A window's name without 窗口 and its numbering: 发改委窗口（一） → 发改委.
fn window_short_name(name: &str) -> Option<String> {
    let base = name.split(['（', '(']).next().unwrap_or("").trim();
    base.strip_suffix("窗口").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The center's departments and the items of its current catalog, as the linker sees them.
/// A department's short name is read from its windows' names (发改委窗口 → 发改委).
pub async fn link_context(state: &App) -> Result<(Vec<LinkDepartment>, Vec<LinkItem>), AppError> {
    let windows = state.store.windows().await?;
    let departments = state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| {
            let short_name = windows
                .iter()
                .filter(|w| w.department.as_ref() == Some(&d.code))
                .find_map(|w| window_short_name(&w.name));
            LinkDepartment { code: d.code, name: d.name, short_name }
        })
        .collect();
    let items = match state.store.latest_catalog_version().await? {
        Some(v) => state
            .store
            .items_in_version(v)
            .await?
            .into_iter()
            .map(|i| LinkItem { code: i.code, name: i.name, department: i.department })
            .collect(),
        None => Vec::new(),
    };
    Ok((departments, items))
}

/// `plan` linked to the center's catalog, with the report of every step.
pub async fn link_plan(state: &App, plan: &Plan) -> Result<(Plan, LinkReport), AppError> {
    let (departments, items) = link_context(state).await?;
    Ok(link::link(plan, &departments, &items))
}

/// The plan `id` (at `version`, else its latest) with how its steps link to the center's
/// departments and items.
pub async fn plan_links(
    state: &App,
    principal: &Principal,
    id: &str,
    version: Option<u32>,
) -> Result<(Plan, bool, LinkReport), AppError> {
    authorize(principal, Action::ReadPlans)?;
    let (plan, builtin) = resolve_plan(state, id, version).await?;
    let (_, report) = link_plan(state, &plan).await?;
    Ok((plan, builtin, report))
}

/// One item of the 建设项目审批清单: a catalog item some project type's plan opens.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApprovalListItem {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its department's code.
    pub department: String,
    /// Its department's name.
    pub department_name: String,
    /// The plan steps handled as it.
    pub steps: Vec<String>,
}

/// The items of one project type in the 建设项目审批清单.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApprovalListGroup {
    /// The type: `government_invested`, `enterprise_invested`, `parking_lot` …
    pub project_type: String,
    /// The built-in plan its projects run through.
    pub plan: String,
    /// That plan's name.
    pub plan_name: String,
    /// Its steps.
    pub steps: usize,
    /// Its critical-path working days.
    pub total_days: u32,
    /// The catalog items its linked steps open, in plan order, each once.
    pub items: Vec<ApprovalListItem>,
}

/// 建设项目审批清单 — the catalog's items grouped by project type: an item belongs to a
/// type when a step of the plan the type picks links to it (derived from the linker).
pub async fn approval_list(state: &App, principal: &Principal) -> Result<Vec<ApprovalListGroup>, AppError> {
    authorize(principal, Action::ReadPlans)?;
    let (departments, items) = link_context(state).await?;
    let mut groups = Vec::new();
    for kind in tongban_core::plan::figures::TYPES {
        let plan = tongban_core::plan::reform::plan_for(kind);
        let (_, report) = link::link(&plan, &departments, &items);
        let mut list: Vec<ApprovalListItem> = Vec::new();
        for step in report.steps.iter().filter(|s| s.outcome.is_linked()) {
            let Some(code) = &step.item else { continue };
            if let Some(entry) = list.iter_mut().find(|i| i.code == code.as_str()) {
                entry.steps.push(step.step.to_string());
                continue;
            }
            let Some(item) = items.iter().find(|i| &i.code == code) else { continue };
            let department_name = departments
                .iter()
                .find(|d| d.code == item.department)
                .map_or_else(|| item.department.to_string(), |d| d.name.clone());
            list.push(ApprovalListItem {
                code: code.to_string(),
                name: item.name.clone(),
                department: item.department.to_string(),
                department_name,
                steps: vec![step.step.to_string()],
            });
        }
        groups.push(ApprovalListGroup {
            project_type: tongban_core::plan::figures::type_name(kind).to_owned(),
            plan: plan.id().to_string(),
            plan_name: plan.name().to_owned(),
            steps: plan.steps().len(),
            total_days: plan.total_days(),
            items: list,
        });
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_windows_name_gives_its_departments_short_name() {
        assert_eq!(super::window_short_name("发改委窗口").as_deref(), Some("发改委"));
        assert_eq!(super::window_short_name("自然资源局窗口（二）").as_deref(), Some("自然资源局"));
        assert_eq!(super::window_short_name("综合窗口（一）"), Some("综合".to_owned()));
        assert_eq!(super::window_short_name("咨询台"), None);
    }
}
