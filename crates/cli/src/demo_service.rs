//! Demo proactive project service over the year before `now`: 48 training sessions
//! (集中培训查堵) that reach every library project with 1,488 people, 188 coordination
//! meetings (协调会商) on 314 projects, and 1,520 problems in the seed's class shares (要件不全
//! 70 %, 方案不优 4 %, 用地指标不足/资金不到位 21 %, 违法违规 5 %): found at the trainings,
//! solved at the meetings with the handling their class allows, 15 still open (some of them
//! overdue, for supervision to show). A few illegal projects exit at their meeting — never a
//! joint-review candidate, which part of the demo decides later.
//!
//! Everything comes from the library as it stands (whatever projects and departments exist;
//! fewer projects give proportionally fewer meetings), deterministically, and is loaded in
//! one transaction. The figures are then counted from these records by the summaries.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tongban_core::calendar::{CHINA_STANDARD_TIME, WorkingCalendar};
use tongban_core::followup::due_after;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::{ProjectCode, ProjectStage};
use tongban_core::project_service::{
    Attendee, Closing, Coordinated, Coordination, CoordinationDecision, Handling, NewProblem, Opinion, ProblemClass,
    ProblemSource, Training,
};
use tongban_server::App;
use tongban_server::app::project_service::{self, LoadCoordination, LoadProblem, ServiceLoad};
use tongban_server::app::{projects, public};
use tongban_server::auth::Principal;

/// Training sessions in the year.
pub const TRAININGS: usize = 48;
/// Coordination meetings in the year (fewer with a small library).
pub const MEETINGS: usize = 188;
/// Distinct projects coordinated (fewer with a small library).
pub const COORDINATED: usize = 314;
/// Problems found.
pub const PROBLEMS: usize = 1_520;
/// Problems per class, in the seed's shares: 70 %, 4 %, 21 %, 5 %.
const CLASS_COUNTS: [(ProblemClass, usize); 4] = [
    (ProblemClass::MissingMaterials, 1_064),
    (ProblemClass::PoorScheme, 61),
    (ProblemClass::LandOrFunds, 319),
    (ProblemClass::Illegal, 76),
];
/// Every this many problems, one stays open.
const OPEN_EVERY: usize = 108;

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "马"];
const GIVEN: [&str; 10] = ["芳", "强", "敏", "伟", "静", "磊", "婷", "军", "洋", "霞"];
const TOPICS: [&str; 4] = [
    "工程建设项目审批制度改革政策解读",
    "模块化审批与并联办理实务",
    "用地、规划报建要件培训",
    "施工许可与竣工联合验收培训",
];
const DESCRIPTIONS: [(ProblemClass, &str, &str); 4] = [
    (ProblemClass::MissingMaterials, "申报要件不全：缺少用地预审与选址意见书等材料", "要件已补齐，一次性报件"),
    (ProblemClass::PoorScheme, "设计方案不优：总平面布局与日照分析不满足规划条件", "方案已按药方优化"),
    (ProblemClass::LandOrFunds, "用地指标不足、建设资金未全部到位", "会商调剂用地指标，资金落实"),
    (ProblemClass::Illegal, "存在未批先建等违法违规行为", "已整改到位"),
];

fn day_at(date: Date, hour: i8) -> anyhow::Result<Timestamp> {
    Ok(date.at(hour, 0, 0, 0).to_zoned(TimeZone::fixed(CHINA_STANDARD_TIME))?.timestamp())
}

fn description(class: ProblemClass) -> (&'static str, &'static str) {
    DESCRIPTIONS.iter().find(|d| d.0 == class).map_or(("", ""), |d| (d.1, d.2))
}

/// The class of problem `p`: a fixed permutation of the problems meets each class's count.
fn class_of(p: usize) -> ProblemClass {
    // 7919 is prime and does not divide 1,520, so p ↦ q is a permutation.
    let mut q = (p * 7919) % PROBLEMS;
    for (class, n) in CLASS_COUNTS {
        if q < n {
            return class;
        }
        q -= n;
    }
    ProblemClass::MissingMaterials
}

/// The handling that closes a problem of `class` (an illegal one exits when its project does).
fn handling_of(class: ProblemClass, exits: bool) -> Handling {
    match class {
        ProblemClass::MissingMaterials => Handling::MaterialsProvided,
        ProblemClass::PoorScheme => Handling::SchemeOptimised,
        ProblemClass::LandOrFunds => Handling::Coordinated,
        ProblemClass::Illegal if exits => Handling::Exited,
        ProblemClass::Illegal => Handling::Rectified,
    }
}

/// Seeds the year's service records unless some exist; returns how many problems it added.
pub async fn ensure(app: &App, now: Timestamp, calendar: &WorkingCalendar) -> anyhow::Result<usize> {
    let console = Principal::console();
    if project_service::training_summary(app, &console).await?.sessions > 0 {
        return Ok(0);
    }
    let library = projects::projects(app, &console, None).await?;
    let departments: Vec<DepartmentCode> = public::departments(app).await?.into_iter().map(|d| d.code).collect();
    let n = library.len();
    if n == 0 || departments.is_empty() {
        return Ok(0);
    }
    let dept = |i: usize| departments[i % departments.len()].clone();
    let today = now.to_zoned(TimeZone::fixed(CHINA_STANDARD_TIME)).date();
    let days_ago =
        |d: usize| -> anyhow::Result<Date> { Ok(today.checked_sub(jiff::Span::new().days(i64::try_from(d)?))?) };

    // Trainings: one every week from 360 days ago; project i is invited to session i·48/n.
    let training_day = |k: usize| days_ago(360 - 7 * k);
    let mut invited: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); TRAININGS];
    for i in 0..n {
        invited[i * TRAININGS / n].insert(i);
    }

    // Coordinated projects: every fifth of the library (all of a small one), in meetings of
    // two, then one.
    let coordinated: Vec<usize> = (0..n).filter(|i| n < COORDINATED * 5 || i % 5 == 1).take(COORDINATED).collect();
    let meetings = MEETINGS.min(coordinated.len());
    let doubles = coordinated.len() - meetings;
    let agenda = |m: usize| -> Vec<usize> {
        if m < doubles { vec![coordinated[2 * m], coordinated[2 * m + 1]] } else { vec![coordinated[doubles + m]] }
    };
    let meeting_ago = |m: usize| 330 - m * 325 / meetings.max(1);
    // The latest training at least five days before meeting m.
    let training_before = |m: usize| ((355 - meeting_ago(m)) / 7).min(TRAININGS - 1);

    // Problems: on the coordinated projects in turn, found at the training before the
    // project's meeting, solved at the meeting.
    let meeting_of = |slot: usize| -> usize { if slot < 2 * doubles { slot / 2 } else { slot - doubles } };
    let classes: Vec<ProblemClass> = (0..PROBLEMS).map(class_of).collect();
    // Exits: up to eight projects with an illegal problem, in pre-consultation and not a
    // joint-review candidate.
    let mut exits = BTreeSet::new();
    for (p, class) in classes.iter().enumerate() {
        let slot = p % coordinated.len();
        let row = &library[coordinated[slot]];
        if *class == ProblemClass::Illegal
            && exits.len() < 8
            && row.project.stage == ProjectStage::PreConsultation
            && row.project.annual_investment_yuan == 0
        {
            exits.insert(slot);
        }
    }
    let mut load = ServiceLoad::default();
    let mut problems = Vec::new();
    for (p, &class) in classes.iter().enumerate() {
        let slot = p % coordinated.len();
        let m = meeting_of(slot);
        let project = &library[coordinated[slot]].project;
        let (text, note) = description(class);
        let open = p % OPEN_EVERY == 7 && !exits.contains(&slot);
        let (found_at, source, days) = if open {
            // Still open: found lately; every other one is overdue by now.
            let ago = if p % (2 * OPEN_EVERY) == 7 { 40 } else { 2 };
            (day_at(days_ago(ago)?, 10)?, ProblemSource::Other, if ago == 40 { 10 } else { 5 })
        } else {
            let k = training_before(m);
            invited[k].insert(coordinated[slot]);
            (day_at(training_day(k)?, 10)?, ProblemSource::Training(i64::try_from(k)?), 5 + (p % 4) * 5)
        };
        // A year that the calendar does not cover yet: count calendar weeks instead.
        let weeks = i64::try_from(days.div_ceil(5))?;
        let due_at = match due_after(calendar, found_at, u32::try_from(days)?) {
            Ok(due) => due,
            Err(_) => found_at.checked_add(SignedDuration::from_hours(24 * 7 * weeks))?,
        };
        let exit_reasons = format!("{}存在违法违规行为，经会商决定退出审批流程，已书面告知投资人", project.name);
        let closed = (!open).then(|| -> anyhow::Result<_> {
            let exits_here = class == ProblemClass::Illegal && exits.contains(&slot);
            let handling = handling_of(class, exits_here);
            let closing = Closing {
                handling,
                note: note.into(),
                reasons: (handling == Handling::Exited).then(|| exit_reasons.clone()),
            };
            Ok((closing, day_at(days_ago(meeting_ago(m))?, 16)?, Some(m)))
        });
        problems.push(LoadProblem {
            project: project.code.clone(),
            problem: NewProblem {
                class,
                description: text.into(),
                remedy: (class == ProblemClass::PoorScheme).then(|| "住建、自然资源部门联合出具优化药方".into()),
                department: dept(p * 3 + class as usize),
                days: u32::try_from(days)?,
                source,
            },
            found_at,
            due_at,
            closed: closed.transpose()?,
        });
    }

    for (k, projects) in invited.iter().enumerate() {
        let people = 27 + (7 * k) % 9;
        let units: Vec<&str> = projects.iter().map(|&i| library[i].project.unit.as_str()).collect();
        let training = Training {
            topic: format!("{}（第{}期）", TOPICS[k % TOPICS.len()], k + 1),
            date: training_day(k)?,
            departments: if departments.len() > 1 { vec![dept(k), dept(k + 1)] } else { vec![dept(k)] },
            projects: projects.iter().map(|&i| library[i].project.code.clone()).collect(),
            people: (0..people)
                .map(|j| Attendee {
                    name: format!("{}{}", SURNAMES[(k + j) % SURNAMES.len()], GIVEN[(k * 3 + j) % GIVEN.len()]),
                    unit: units.get(j % units.len().max(1)).map_or("项目单位", |u| u).to_owned(),
                    phone: None,
                })
                .collect(),
            policy_packs: vec!["工程建设项目审批政策包".into(), format!("{}政策包", TOPICS[k % TOPICS.len()])],
        };
        load.trainings.push((training, day_at(training_day(k)?, 18)?));
    }

    for m in 0..meetings {
        let on = agenda(m);
        let mut opinion_depts: Vec<DepartmentCode> = (0..3).map(|j| dept(m + j * 5)).collect();
        opinion_depts.dedup();
        let mut seen = BTreeSet::new();
        opinion_depts.retain(|d| seen.insert(d.clone()));
        let projects: Vec<Coordinated> = on
            .iter()
            .map(|&i| {
                let slot = coordinated.iter().position(|&c| c == i).unwrap_or(usize::MAX);
                let project = &library[i].project;
                if exits.contains(&slot) {
                    Coordinated {
                        project: project.code.clone(),
                        decision: CoordinationDecision::Exit,
                        reasons: Some(format!(
                            "{}存在违法违规行为，经会商决定退出审批流程，已书面告知投资人",
                            project.name
                        )),
                    }
                } else {
                    Coordinated { project: project.code.clone(), decision: CoordinationDecision::Plan, reasons: None }
                }
            })
            .collect();
        let names: Vec<&str> = on.iter().map(|&i| library[i].project.name.as_str()).collect();
        let meeting = Coordination {
            title: format!("{}协调会商", names.join("、")),
            date: days_ago(meeting_ago(m))?,
            opinions: opinion_depts
                .into_iter()
                .enumerate()
                .map(|(j, department)| Opinion {
                    department,
                    opinion: [
                        "同意按会商方案推进，本部门事项并联办理",
                        "要件补齐后即时受理、限时办结",
                        "指定专人跟踪，问题清单逐项销号",
                    ][j % 3]
                        .into(),
                })
                .collect(),
            conclusion: "靶向治疗：逐项明确责任部门和办结时限，问题清单销号管理".into(),
            projects,
        };
        load.coordinations.push(LoadCoordination { meeting, at: day_at(days_ago(meeting_ago(m))?, 17)? });
    }
    let codes: BTreeSet<ProjectCode> = library.iter().map(|r| r.project.code.clone()).collect();
    debug_assert!(problems.iter().all(|p| codes.contains(&p.project)));
    load.problems = problems;
    Ok(project_service::load_service(app, &console, load, now).await?)
}

/// Checks the seeded figures as the summaries count them from the records (the demo test
/// calls it after seeding a full demo library).
#[cfg(test)]
pub async fn assert_seed_figures(app: &App, now: Timestamp, label: &str) {
    let console = Principal::console();
    let t = project_service::training_summary(app, &console).await.expect("training summary");
    assert_eq!(t.sessions, TRAININGS as u64, "{label}");
    assert!(t.attendees >= 1_400, "{label}: {t:?}");
    let c = project_service::coordination_summary(app, &console).await.expect("coordination summary");
    assert_eq!((c.meetings, c.projects), (MEETINGS as u64, COORDINATED as u64), "{label}");
    assert!(c.problems_solved >= 1_500, "{label}: {c:?}");
    let p = project_service::problem_summary(app, &console).await.expect("problem summary");
    assert_eq!(p.total, PROBLEMS as u64, "{label}");
    for (class, share) in
        [("missing_materials", 0.70), ("poor_scheme", 0.04), ("land_or_funds", 0.21), ("illegal", 0.05)]
    {
        assert!((p.shares[class] - share).abs() < 0.005, "{label}: {class} {:?}", p.shares);
    }
    let open = p.handled["open"];
    assert!(open > 0 && p.total - open >= 1_500, "{label}: {:?}", p.handled);
    let open_ones = project_service::problems(app, &console, None, Some(true)).await.expect("open problems");
    assert!(open_ones.iter().any(|r| r.due_at < now), "{label}: some open problem is overdue");
    assert!(open_ones.iter().any(|r| r.due_at > now), "{label}: some open problem is not due yet");
}
