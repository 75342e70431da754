use std::collections::BTreeSet;

use super::*;
use crate::calendar::WorkingCalendar;
use crate::org::DepartmentCode;
use crate::plan::ProjectCode;

fn known<'a>(
    projects: &'a BTreeSet<ProjectCode>,
    departments: &'a BTreeSet<DepartmentCode>,
    cal: &'a WorkingCalendar,
) -> Known<'a> {
    Known { division: true, projects, departments, today: "2026-03-10".parse().unwrap(), calendar: cal }
}

fn input() -> MeetingInput {
    MeetingInput {
        title: "第一次联审联批会议".into(),
        date: "2026-03-02".into(),
        division: "620102".into(),
        leaders: vec!["张副区长".into()],
        representatives: vec![RepresentativeInput {
            department: "fgw".into(),
            name: Some("李四".into()),
            account: None,
        }],
        units: vec!["某公司".into()],
        agenda: Some(vec![
            "2026-620102-47-01-000001".into(),
            "2026-620102-47-01-000002".into(),
            "2026-620102-47-01-000003".into(),
        ]),
        minutes: "纪要".into(),
        projects: vec![
            ProjectInput {
                project: "2026-620102-47-01-000001".into(),
                decision: "exit".into(),
                reasons: Some("违规".into()),
                ..Default::default()
            },
            ProjectInput {
                project: "2026-620102-47-01-000002".into(),
                decision: "roadmap".into(),
                tasks: vec![TaskInput {
                    title: "补齐用地手续".into(),
                    owner: Some("fgw".into()),
                    days: Some(5),
                    ..Default::default()
                }],
                ..Default::default()
            },
            ProjectInput {
                project: "2026-620102-47-01-000003".into(),
                decision: "unblocked".into(),
                blockages: vec!["资金到位".into()],
                ..Default::default()
            },
        ],
    }
}

#[test]
fn a_meeting_decides_exit_roadmap_and_unblock() {
    let projects: BTreeSet<_> = ["2026-620102-47-01-000001", "2026-620102-47-01-000002", "2026-620102-47-01-000003"]
        .iter()
        .map(|c| ProjectCode::parse(c).unwrap())
        .collect();
    let departments: BTreeSet<_> = [DepartmentCode::parse("fgw").unwrap()].into();
    let cal = WorkingCalendar::builtin();
    let m = input().check(&known(&projects, &departments, &cal)).unwrap();
    assert_eq!(m.decisions.len(), 3);
    let task = &m.decisions[1].tasks[0];
    // Mon 2 Mar + 5 working days: Mon 9 Mar, 17:30 CST.
    assert_eq!(task.due_at, "2026-03-09T17:30+08:00".parse().unwrap());
    let mut by_date = input();
    by_date.projects[1].tasks[0].days = None;
    by_date.projects[1].tasks[0].due = Some("2026-03-09".into());
    let m2 = by_date.check(&known(&projects, &departments, &cal)).unwrap();
    assert_eq!(m2.decisions[1].tasks[0].days, 5);
}

#[test]
fn every_bad_field_is_named() {
    let projects: BTreeSet<_> = ["2026-620102-47-01-000001", "2026-620102-47-01-000002", "2026-620102-47-01-000003"]
        .iter()
        .map(|c| ProjectCode::parse(c).unwrap())
        .collect();
    let departments: BTreeSet<_> = [DepartmentCode::parse("fgw").unwrap()].into();
    let cal = WorkingCalendar::builtin();
    let mut bad = input();
    bad.title = " ".into();
    bad.projects[0].reasons = None;
    bad.projects[1].tasks[0].owner = None;
    bad.projects[2].decision = "maybe".into();
    bad.projects.push(ProjectInput {
        project: "2026-620102-47-01".into(),
        decision: "exit".into(),
        reasons: Some("x".into()),
        ..Default::default()
    });
    bad.projects.push(ProjectInput {
        project: "2026-620102-47-01-000001".into(),
        decision: "exit".into(),
        reasons: Some("x".into()),
        ..Default::default()
    });
    bad.agenda = Some(vec!["2026-620102-47-01-000001".into(), "2026-620102-47-01-000003".into()]);
    let mut k = known(&projects, &departments, &cal);
    k.division = false;
    let errors = bad.check(&k).unwrap_err();
    let fields: BTreeSet<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    for f in [
        "title",
        "division",
        "projects[0].reasons",
        "projects[1].project",
        "projects[1].tasks[0].owner",
        "projects[2].decision",
        "projects[3].project",
        "projects[4].project",
    ] {
        assert!(fields.contains(f), "{f} missing from {errors:?}");
    }
}

#[test]
fn a_roadmap_is_done_when_every_task_is() {
    let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let now = t("2026-03-10T00:00:00Z");
    let s = RoadmapStatus::of([(t("2026-03-09T00:00:00Z"), None), (t("2026-03-20T00:00:00Z"), Some(now))], now);
    assert_eq!((s.tasks, s.done, s.overdue, s.all_done()), (2, 1, 1, false));
    assert!(RoadmapStatus::of([(t("2026-03-09T00:00:00Z"), Some(now))], now).all_done());
}
