//! Figures of the project library (项目审批指标), computed from its records: projects by
//! stage, the first-time submission pass rate (一次性报件合格率) of step cases per project
//! type and department, and time per module against plan. The arithmetic is core's
//! ([`tongban_core::plan::figures`]); this reads the records.

use std::collections::HashMap;

use tongban_core::access::Action;
use tongban_core::case::CaseState;
use tongban_core::item::ItemCode;
use tongban_core::plan::StepState;
use tongban_core::plan::figures::{FinishedStep, ProjectFigures, StepCaseFact, project_figures};

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;

/// The project figures from the records.
pub async fn figures(state: &App, principal: &Principal) -> Result<ProjectFigures, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let calendar = state.calendar();
    let per_day = calendar.minutes_per_working_day().max(1) as f64;
    let mut departments: HashMap<ItemCode, String> = HashMap::new();
    let (mut stages, mut cases, mut finished) = (Vec::new(), Vec::new(), Vec::new());
    let mut runs = state.store.project_runs().await?;
    for row in state.store.projects(None).await? {
        stages.push(row.project.stage);
        let Some(run) = runs.remove(&row.project.code) else { continue };
        for (step, s) in run.run.steps() {
            let case = match s {
                StepState::Waiting => None,
                StepState::Running { case, .. } => case.as_ref(),
                StepState::Done { started, finished: at, case } => {
                    // A calendar that does not cover the dates leaves the step out.
                    if let Ok(minutes) = calendar.working_minutes_used(*started, *at, &[]) {
                        finished.push(FinishedStep {
                            module: step.module,
                            planned_days: step.days,
                            actual_days: minutes as f64 / per_day,
                        });
                    }
                    case.as_ref()
                }
            };
            let Some(number) = case else { continue };
            let Some(case) = state.store.case_by_number(number).await? else { continue };
            let department = match departments.get(&case.item) {
                Some(d) => d.clone(),
                None => {
                    let d = state
                        .store
                        .item_by_code(&case.item)
                        .await?
                        .map_or_else(|| case.item.to_string(), |i| i.item.department.to_string());
                    departments.insert(case.item.clone(), d.clone());
                    d
                }
            };
            cases.push(StepCaseFact {
                kind: row.project.kind,
                department,
                accepted: case.accepted_at.is_some(),
                corrections: case.corrections,
                refused: case.accepted_at.is_none() && case.state != CaseState::Submitted && case.state.is_final(),
            });
        }
    }
    Ok(project_figures(&stages, &cases, &finished))
}
