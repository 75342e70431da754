//! Demo projects of the project library (项目库): the model center's 1,701 projects
//! consulted door to door (上门对接), spread over the demo's divisions, project types (the
//! small types too) and stages, each with one or more consultation records.
//!
//! Four hand-written ones lead: two small projects at the pre-consultation stage, and two
//! running through the after-reform plan — one on the green channel (绿色通道) a month in,
//! one just started. The rest are generated from their index alone (no randomness: the
//! same `now`, the same data). Projects at the approval stage run through the plan their
//! type picks, played until `now`.
//!
//! This year's joint-review candidates (联审联批) are the projects with an annual planned
//! investment (年度计划投资 above 0, [`tongban_server::app::project_import::joint_review_candidates`]):
//! exactly [`CANDIDATES`] of them, all at the pre-consultation stage without a run, planned
//! to start this year, their total investment summing to [`CANDIDATE_INVESTMENT_YUAN`] and
//! their annual planned investment to [`CANDIDATE_ANNUAL_YUAN`] — the seed's 212 projects,
//! 149.29 and 26.02 billion yuan, which the joint review meetings' demo puts on its agendas.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::division::DivisionCode;
use tongban_core::plan::reform::{after_reform, plan_for};
use tongban_core::plan::{
    PlannedStart, Project, ProjectCode, ProjectRun, ProjectStage, ProjectType, SmallType, StepId, StepState,
};
use tongban_server::App;
use tongban_server::app::project_import::this_year;
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

/// How many projects the library holds: the seed's 1,701 pre-consulted projects.
pub const LIBRARY_SIZE: usize = 1_701;
/// This year's joint-review candidates among them.
pub const CANDIDATES: usize = 212;
/// Their total investment, yuan (149.29 billion).
pub const CANDIDATE_INVESTMENT_YUAN: u64 = 149_290_000_000;
/// Their annual planned investment, yuan (26.02 billion).
pub const CANDIDATE_ANNUAL_YUAN: u64 = 26_020_000_000;

/// Seeds the demo projects unless the library holds some; returns how many it added.
pub async fn ensure(app: &App, now: Timestamp, calendar: &WorkingCalendar) -> anyhow::Result<usize> {
    if bulk::projects_exist(app).await? {
        return Ok(0);
    }
    let days_ago = |d: i64| now.checked_sub(SignedDuration::from_hours(24 * d));
    let year = this_year(now);
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
        // In approval since this year; the small ones plan to start next year (screened).
        project.planned_start = PlannedStart::new(if run_days.is_some() { year } else { year + 1 }, 4);
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
    let mut divisions = Vec::new();
    for &(code, place) in DIVISIONS {
        let code = DivisionCode::parse(code)?;
        if public::division_exists(app, &code).await? {
            divisions.push((code, place));
        }
    }
    if !divisions.is_empty() {
        let (more, more_visits, more_runs) = generated(&divisions, LIBRARY_SIZE - PROJECTS.len(), now, calendar)?;
        rows.extend(more);
        visits.extend(more_visits);
        runs.extend(more_runs);
    }
    let count = rows.len();
    bulk::load_projects(app, &Principal::console(), rows, visits, runs, now).await?;
    Ok(count)
}

/// The demo's divisions and the place names projects there carry.
const DIVISIONS: &[(&str, &str)] = &[
    ("620100", "兰州市"),
    ("620102", "城关区"),
    ("620103", "七里河区"),
    ("620104", "西固区"),
    ("620105", "安宁区"),
    ("620111", "红古区"),
    ("620121", "永登县"),
    ("620122", "皋兰县"),
    ("620123", "榆中县"),
    ("620171", "兰州新区"),
];

/// Government-invested subjects: name, industry code (国民经济行业分类), the owner.
const GOVERNMENT: &[(&str, &str, &str)] = &[
    ("中学教学综合楼", "83", "教育局"),
    ("社区卫生服务中心", "84", "卫生健康局"),
    ("污水处理厂提标改造", "46", "水务局"),
    ("公共租赁住房", "47", "住房和城乡建设局"),
    ("全民健身中心", "89", "文化体育和旅游局"),
    ("老旧小区改造", "47", "住房和城乡建设局"),
    ("城市排水管网改造", "48", "城市管理局"),
    ("人民医院住院综合楼", "84", "卫生健康局"),
    ("应急物资储备库", "59", "应急管理局"),
    ("职业技术学校实训楼", "83", "教育局"),
];

/// Enterprise-invested subjects: name, industry code, the unit's trade.
const ENTERPRISE: &[(&str, &str, &str)] = &[
    ("智慧物流园", "59", "物流有限公司"),
    ("数据中心", "65", "数据科技有限公司"),
    ("分布式光伏发电", "44", "新能源有限公司"),
    ("冷链仓储中心", "59", "冷链物流有限公司"),
    ("新材料产业园", "30", "新材料有限公司"),
    ("农产品精深加工", "13", "农业发展有限公司"),
    ("新能源汽车零部件生产线", "36", "汽车部件有限公司"),
    ("商业综合体", "70", "置业有限公司"),
    ("生物医药生产基地", "27", "生物医药有限公司"),
    ("装配式建筑构件厂", "30", "建材有限公司"),
];

/// Small projects' subjects by small type: name, industry code, the unit.
fn small_subject(kind: SmallType, k: u64) -> (&'static str, &'static str, &'static str) {
    let pick = |list: &'static [(&'static str, &'static str, &'static str)]| list[(k as usize) % list.len()];
    match kind {
        SmallType::ParkingLot => pick(&[
            ("智慧停车场", "78", "停车管理有限公司"),
            ("立体停车库", "78", "城市停车发展有限公司"),
            ("医院配建停车场", "78", "停车服务有限公司"),
        ]),
        SmallType::CoalToGasBoiler => {
            pick(&[("燃煤锅炉煤改气", "44", "热力有限公司"), ("供暖锅炉房煤改气", "44", "供热有限公司")])
        }
        SmallType::SimpleGovernmentInvestment => pick(&[
            ("村级综合服务中心", "78", "乡村振兴局"),
            ("小学操场改造", "83", "教育局"),
            ("乡镇卫生院改造", "84", "卫生健康局"),
        ]),
        SmallType::MunicipalRoad => pick(&[
            ("背街小巷提升改造", "48", "城市管理局"),
            ("人行道及路灯改造", "48", "住房和城乡建设局"),
            ("支路微循环改造", "48", "交通运输局"),
        ]),
        SmallType::Other => pick(&[
            ("农贸市场改造", "52", "市场服务中心"),
            ("口袋公园", "78", "园林绿化中心"),
            ("公共厕所新建", "78", "环境卫生管理所"),
        ]),
    }
}

/// A well-mixed number from an index and a salt (splitmix64): the generated library's only
/// source of variety, so the same index always makes the same project.
fn mix(i: u64, salt: u64) -> u64 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What generated projects were consulted about.
const VISIT_NOTES: &[&str] = &[
    "上门对接：介绍模块化审批流程，确定项目代办员",
    "上门对接：梳理立项用地阶段事项清单，一次性告知所需材料",
    "二次对接：规划方案预审，提示补充日照分析",
    "上门对接：核实用地手续与资金来源，建立项目台账",
    "电话回访后上门：施工图审查与消防设计审查合并办理",
    "上门对接：项目纳入年度计划，约定联审联批会前资料",
];

type Generated = (Vec<ProjectRow>, Vec<Consultation>, Vec<ProjectRun>);

/// `count` generated projects over `divisions`: this year's [`CANDIDATES`] joint-review
/// candidates (every eighth, from the fourth), the others spread over the stages.
fn generated(
    divisions: &[(DivisionCode, &str)],
    count: usize,
    now: Timestamp,
    calendar: &WorkingCalendar,
) -> anyhow::Result<Generated> {
    let days_ago = |d: i64| now.checked_sub(SignedDuration::from_hours(24 * d));
    let year = this_year(now);
    let candidate = |i: usize| i % 8 == 3 && i / 8 < CANDIDATES;
    // Candidates' shares of the investment sums, by weight.
    let weight = |i: usize, kind: ProjectType| match kind {
        ProjectType::Small(_) => 1 + mix(i as u64, 7) % 2,
        _ => 4 + mix(i as u64, 7) % 27,
    };
    let kinds: Vec<ProjectType> = (0..count)
        .map(|i| {
            let r = mix(i as u64, 1) % 100;
            match r {
                0..30 => ProjectType::GovernmentInvested,
                30..70 => ProjectType::EnterpriseInvested,
                _ => ProjectType::Small(SmallType::ALL[(r as usize) % SmallType::ALL.len()]),
            }
        })
        .collect();
    let candidates: Vec<usize> = (0..count).filter(|&i| candidate(i)).collect();
    let total_weight: u64 = candidates.iter().map(|&i| weight(i, kinds[i])).sum();
    let share = |sum: u64, i: usize| sum / 10_000 * weight(i, kinds[i]) / total_weight.max(1) * 10_000;
    let mut amounts: BTreeMap<usize, (u64, u64)> = candidates
        .iter()
        .map(|&i| (i, (share(CANDIDATE_INVESTMENT_YUAN, i), share(CANDIDATE_ANNUAL_YUAN, i))))
        .collect();
    // The last candidate takes what rounding left, so the sums are exact.
    if let Some(&last) = candidates.last() {
        let (t, a): (u64, u64) =
            amounts.iter().filter(|(i, _)| **i != last).fold((0, 0), |s, (_, v)| (s.0 + v.0, s.1 + v.1));
        amounts.insert(last, (CANDIDATE_INVESTMENT_YUAN - t, CANDIDATE_ANNUAL_YUAN - a));
    }
    let (mut rows, mut visits, mut runs) = (Vec::new(), Vec::new(), Vec::new());
    for (i, &kind) in kinds.iter().enumerate() {
        let n = i as u64;
        let (division, place) = &divisions[i % divisions.len()];
        let phase = ["", "一期", "二期", "（续建）"][(mix(n, 2) % 4) as usize];
        let (subject, industry, owner, type_code) = match kind {
            ProjectType::GovernmentInvested => {
                let (s, ind, o) = GOVERNMENT[(mix(n, 3) as usize) % GOVERNMENT.len()];
                (s, ind, o, "01")
            }
            ProjectType::EnterpriseInvested => {
                let (s, ind, o) = ENTERPRISE[(mix(n, 3) as usize) % ENTERPRISE.len()];
                (s, ind, o, if mix(n, 4).is_multiple_of(3) { "02" } else { "03" })
            }
            ProjectType::Small(small) => {
                let (s, ind, o) = small_subject(small, mix(n, 3));
                let code = match small {
                    SmallType::SimpleGovernmentInvestment | SmallType::MunicipalRoad => "01",
                    _ => "03",
                };
                (s, ind, o, code)
            }
        };
        let code_year = (year - (mix(n, 5) % 3) as i16).max(2014);
        let code = ProjectCode::parse(&format!("{code_year}-{division}-{industry}-{type_code}-{:06}", 1_000 + i))?;
        let name = format!("{place}{subject}{phase}");
        let unit = match kind {
            ProjectType::EnterpriseInvested => {
                format!("兰州{}{owner}", ["恒远", "金城", "陇原", "黄河", "丝路", "新区"][(mix(n, 6) % 6) as usize])
            }
            ProjectType::Small(SmallType::ParkingLot | SmallType::CoalToGasBoiler) => format!("兰州{owner}"),
            _ => format!("{place}{owner}"),
        };
        let stage = if candidate(i) {
            ProjectStage::PreConsultation
        } else {
            match mix(n, 8) % 100 {
                0..62 => ProjectStage::PreConsultation,
                62..74 => ProjectStage::InApproval,
                74..88 => ProjectStage::UnderConstruction,
                88..97 => ProjectStage::Completed,
                _ => ProjectStage::Exited,
            }
        };
        let (investment, annual) = match (amounts.get(&i), kind) {
            (Some(&(t, a)), _) => (t, a),
            (None, ProjectType::Small(_)) => ((1 + mix(n, 9) % 30) * 1_000_000, 0),
            (None, _) => ((10 + mix(n, 9) % 1_990) * 1_000_000, 0),
        };
        let mut project = Project::new(code, &name, &unit, kind, investment, division.clone())?;
        project.annual_investment_yuan = annual;
        project.stage = stage;
        let month = 1 + (mix(n, 10) % 12) as i8;
        let start_year = match stage {
            _ if candidate(i) => year,
            // Most of those still consulting plan to start next year or the year after (筛选).
            ProjectStage::PreConsultation => year + [1, 1, 2, 2, 1, 2, 0][(mix(n, 11) % 7) as usize],
            ProjectStage::InApproval => year,
            _ => year - 1,
        };
        project.planned_start = PlannedStart::new(start_year, month);
        // One or two visits, the first 30 to 400 days ago.
        let first = 30 + (mix(n, 12) % 370) as i64;
        let mut at = vec![first];
        if mix(n, 13).is_multiple_of(2) {
            at.push(first - 7 - (mix(n, 14) % 20) as i64);
        }
        for (k, ago) in at.iter().enumerate() {
            visits.push(Consultation {
                project: project.code.clone(),
                at: days_ago(*ago)?,
                by: "leader".into(),
                notes: VISIT_NOTES[(mix(n, 15) as usize + k) % VISIT_NOTES.len()].into(),
            });
        }
        if stage == ProjectStage::InApproval {
            let started = 3 + (mix(n, 16) % 80) as i64;
            let mut run = ProjectRun::start(&project, &plan_for(kind), &BTreeMap::new(), days_ago(started)?)?;
            advance(&mut run, calendar, now)?;
            if run.is_complete() {
                project.stage = ProjectStage::UnderConstruction;
            }
            runs.push(run);
        }
        let created = days_ago(first + 10)?;
        let phone = (!mix(n, 17).is_multiple_of(3)).then(|| format!("0931-{}", 8_100_000 + mix(n, 18) % 800_000));
        rows.push(ProjectRow {
            project,
            credit_code: None,
            phone,
            created_by: "leader".into(),
            created_at: created,
            updated_at: created,
        });
    }
    Ok((rows, visits, runs))
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

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_server::app::project_import::joint_review_candidates;

    fn library(now: &str) -> Generated {
        let now: Timestamp = now.parse().expect("valid");
        let divisions: Vec<(DivisionCode, &str)> =
            DIVISIONS.iter().map(|(c, p)| (DivisionCode::parse(c).expect("valid"), *p)).collect();
        generated(&divisions, LIBRARY_SIZE - PROJECTS.len(), now, &WorkingCalendar::builtin()).expect("generated")
    }

    /// The seed's figures: 1,701 projects, each consulted; 212 candidates whose investments
    /// sum to 149.29 and 26.02 billion yuan; every small type and every stage present.
    #[test]
    fn the_library_holds_the_seed_figures_and_is_the_same_every_time() {
        let (rows, visits, runs) = library("2026-12-07T10:00:00+08:00");
        assert_eq!(rows.len() + PROJECTS.len(), LIBRARY_SIZE);
        let candidates = joint_review_candidates(&rows);
        assert_eq!(candidates.len(), CANDIDATES);
        assert_eq!(candidates.iter().map(|r| r.project.investment_yuan).sum::<u64>(), CANDIDATE_INVESTMENT_YUAN);
        assert_eq!(candidates.iter().map(|r| r.project.annual_investment_yuan).sum::<u64>(), CANDIDATE_ANNUAL_YUAN);
        for c in &candidates {
            let p = &c.project;
            assert!(p.annual_investment_yuan <= p.investment_yuan, "{}", p.code);
            assert_eq!(p.stage, ProjectStage::PreConsultation, "{}", p.code);
            assert!(!runs.iter().any(|r| r.project() == &p.code), "{}", p.code);
        }
        let codes: std::collections::BTreeSet<_> = rows.iter().map(|r| r.project.code.clone()).collect();
        assert_eq!(codes.len(), rows.len(), "codes are unique");
        for r in &rows {
            assert!(visits.iter().any(|v| v.project == r.project.code), "{} has a consultation", r.project.code);
            assert!(ProjectCode::parse(r.project.code.as_str()).is_ok());
        }
        for small in SmallType::ALL {
            assert!(rows.iter().any(|r| r.project.kind == ProjectType::Small(small)), "{small:?}");
        }
        for stage in ProjectStage::ALL {
            assert!(rows.iter().any(|r| r.project.stage == stage), "{stage:?}");
        }
        assert!(rows.iter().filter(|r| r.project.is_screened(2026)).count() > 500);
        let again = library("2026-12-07T10:00:00+08:00");
        assert_eq!(again.0, rows, "deterministic");
    }
}
