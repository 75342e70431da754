//! Demo projects of the project library (项目库): two small projects at the pre-consultation
//! stage with their visits (上门对接), and two projects running through the after-reform
//! plan — one on the green channel (绿色通道) a month in, one just started.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::division::DivisionCode;
use tongban_core::plan::reform::after_reform;
use tongban_core::plan::{Project, ProjectCode, ProjectRun, ProjectStage, ProjectType, SmallType, StepId, StepState};
use tongban_server::App;
use tongban_server::app::{bulk, public};
use tongban_server::auth::Principal;
use tongban_store::{Consultation, ProjectRow};

/// One demo project: code, name, unit, type, investment (yuan), division, days since its
/// run started (none: still in pre-consultation), green channel, visits (days ago, notes).
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    ProjectType,
    u64,
    &'static str,
    Option<i64>,
    bool,
    &'static [(i64, &'static str)],
);

const PROJECTS: &[Spec] = &[
    (
        "2025-620171-65-01-000318",
        "兰州新区大数据产业园一期",
        "兰州示范科技有限公司",
        ProjectType::EnterpriseInvested,
        680_000_000,
        "620171",
        Some(45),
        true,
        &[(60, "首次上门对接：梳理五个模块的审批事项，确定代办员"), (50, "用地预审材料预审，提示补充选址论证")],
    ),
    (
        "2026-620100-83-01-000009",
        "兰州市第二人民医院门诊综合楼",
        "兰州市卫生健康委员会",
        ProjectType::GovernmentInvested,
        420_000_000,
        "620100",
        Some(4),
        false,
        &[(10, "上门对接：可研批复已取得，约定打捆报立项阶段事项")],
    ),
    (
        "2026-620102-47-01-000052",
        "城关区雁滩智慧停车场",
        "兰州雁滩停车管理有限公司",
        ProjectType::Small(SmallType::ParkingLot),
        12_000_000,
        "620102",
        None,
        false,
        &[(6, "上门对接：适用小型项目简易流程，告知所需材料")],
    ),
    (
        "2026-620123-44-02-000017",
        "榆中县第一中学燃煤锅炉煤改气",
        "榆中县第一中学",
        ProjectType::Small(SmallType::CoalToGasBoiler),
        3_500_000,
        "620123",
        None,
        false,
        &[(3, "上门对接：燃气接入与特种设备登记可同步办理")],
    ),
];

/// Seeds the demo projects unless the library holds some; returns how many it added.
pub async fn ensure(app: &App, now: Timestamp, calendar: &WorkingCalendar) -> anyhow::Result<usize> {
    if bulk::projects_exist(app).await? {
        return Ok(0);
    }
    let days_ago = |d: i64| now.checked_sub(SignedDuration::from_hours(24 * d));
    let mut rows = Vec::new();
    let mut visits = Vec::new();
    let mut runs = Vec::new();
    for &(code, name, unit, kind, yuan, division, run_days, green, notes) in PROJECTS {
        let division = DivisionCode::parse(division)?;
        if !public::division_exists(app, &division).await? {
            continue; // a demo database without that county
        }
        let mut project = Project::new(ProjectCode::parse(code)?, name, unit, kind, yuan, division)?;
        project.green_channel = green;
        for &(ago, text) in notes {
            visits.push(Consultation {
                project: project.code.clone(),
                at: days_ago(ago)?,
                by: "leader".into(),
                notes: text.into(),
            });
        }
        if let Some(ago) = run_days {
            project.stage = ProjectStage::InApproval;
            // The configured shortened limits of the green channel (working days).
            let limits: BTreeMap<StepId, u32> = [("YD03", 5), ("GH07", 5), ("SG03", 7)]
                .into_iter()
                .map(|(s, d)| StepId::parse(s).map(|s| (s, d)))
                .collect::<Result<_, _>>()?;
            let mut run = ProjectRun::start(&project, &after_reform(), &limits, days_ago(ago)?)?;
            advance(&mut run, calendar, now)?;
            runs.push(run);
        }
        let created = days_ago(run_days.unwrap_or(0) + 70)?;
        rows.push(ProjectRow {
            project,
            credit_code: None,
            phone: None,
            created_by: "leader".into(),
            created_at: created,
            updated_at: created,
        });
    }
    let count = rows.len();
    bulk::load_projects(app, &Principal::console(), rows, visits, runs, now).await?;
    Ok(count)
}

/// Plays a run from its start until `now`: whatever can start starts at once (one bundled
/// submission), and each step finishes at its deadline — every third one a day early.
fn advance(run: &mut ProjectRun, calendar: &WorkingCalendar, now: Timestamp) -> anyhow::Result<()> {
    let mut t = run.started();
    for k in 1.. {
        let startable = run.startable();
        if !startable.is_empty() {
            run.start_bundle(&startable, t, calendar)?;
        }
        let next = run
            .steps()
            .filter_map(|(s, st)| match st {
                StepState::Running { started, due, .. } => Some((s.id.clone(), *started, *due)),
                _ => None,
            })
            .min_by_key(|(_, _, due)| *due);
        let Some((id, started, due)) = next else { break };
        let finish =
            if k % 3 == 0 { due.checked_sub(SignedDuration::from_hours(24)).unwrap_or(due).max(started) } else { due };
        if finish > now {
            break;
        }
        run.finish_step(&id, finish)?;
        t = finish;
    }
    Ok(())
}
