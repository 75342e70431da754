//! Proactive project service on SQLite and PostgreSQL: a training records the problems
//! found at it; a problem gets its class's prescription, opens a follow-up and is closed
//! with a handling its class allows; an illegal project exits with its reasons; a
//! coordination meeting (会商) exits a project and closes the problems solved at it; the
//! summaries count the records; every bad field is named.

use std::sync::Arc;

use tongban_app::actor::staff_account;
use tongban_app::follow_ups::{self, FollowUpQuery};
use tongban_app::project_service::{
    FoundProblem, add_problem, close_problem, coordination_summary, coordinations, problem_summary, problems,
    record_coordination, record_training, record_training_with_problems, training, training_summary, trainings,
};
use tongban_app::projects::{NewProject, create_project};
use tongban_app::{App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::division::DivisionCode;
use tongban_core::identity::Role;
use tongban_core::org::{Department, DepartmentCode};
use tongban_core::plan::{ProjectCode, ProjectStage};
use tongban_core::project_service::{
    AttendeeInput, CoordinationInput, Handling, ProblemClass, ProblemInput, SolvedInput, TrainingInput,
};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const A: &str = "2026-620100-47-01-000123";
const B: &str = "2026-620102-47-01-000052";

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("time")
}

fn leader() -> Principal {
    let account = staff_account("leader", "leader", Role::CenterLeader);
    Principal { account: Some(account), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

fn code(c: &str) -> ProjectCode {
    ProjectCode::parse(c).expect("code")
}

/// A center with two departments (fgw, zrzy) and two projects, on Mon 2 Mar 2026 10:00 CST.
async fn center(t: &TestStore) -> App {
    seed_minimal(&t.store).await;
    let zrzy = Department {
        code: DepartmentCode::parse("zrzy").expect("code"),
        name: "兰州市自然资源局".into(),
        division: DivisionCode::parse("620100").expect("division"),
        site: None,
    };
    t.store
        .write(move |c| Box::pin(async move { tongban_store::insert_department(c, &zrzy).await }))
        .await
        .expect("department");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    app.clock = Arc::new(|| ts("2026-03-02T02:00:00Z"));
    for (c, name, division) in [(A, "兰州市第二人民医院门诊综合楼", "620100"), (B, "城关区雁滩智慧停车场", "620102")]
    {
        let project = NewProject {
            code: c.into(),
            name: name.into(),
            unit: "兰州某建设单位".into(),
            project_type: "government_invested".into(),
            investment_yuan: 120_000_000,
            division: division.into(),
            ..NewProject::default()
        };
        create_project(&app, &leader(), project).await.expect("project");
    }
    app
}

fn session(projects: &[&str], people: usize) -> TrainingInput {
    TrainingInput {
        topic: "工程建设项目审批制度改革政策培训".into(),
        date: "2026-02-26".into(),
        departments: vec!["fgw".into(), "zrzy".into()],
        projects: projects.iter().map(|p| (*p).to_owned()).collect(),
        people: (0..people)
            .map(|i| AttendeeInput { name: format!("参训人{i}"), unit: "兰州某建设单位".into(), phone: None })
            .collect(),
        policy_packs: vec!["工程建设项目审批政策包".into()],
    }
}

fn problem(class: &str, source: Option<(&str, i64)>) -> ProblemInput {
    ProblemInput {
        class: class.into(),
        description: "缺少用地预审与选址意见书".into(),
        remedy: (class == "poor_scheme").then(|| "优化总平面布局".into()),
        department: "zrzy".into(),
        days: 5,
        source: source.map(|(k, _)| k.to_owned()),
        source_id: source.map(|(_, id)| id),
    }
}

async fn open_follow_ups(app: &App) -> Vec<i64> {
    let q = FollowUpQuery { open: true, ..FollowUpQuery::default() };
    follow_ups::list(app, &leader(), q).await.expect("follow-ups").iter().map(|f| f.id).collect()
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(errors) => errors.into_iter().map(|(f, _)| f).collect(),
        other => panic!("not a field error: {other:?}"),
    }
}

#[tokio::test]
async fn a_training_records_the_problems_found_at_it() {
    for t in each_backend().await {
        let app = center(&t).await;
        let p = leader();
        let s = record_training(&app, &p, &session(&[A, B], 3)).await.expect("training");
        let summary = training_summary(&app, &p).await.expect("summary");
        assert_eq!((summary.sessions, summary.attendees, summary.projects), (1, 3, 2), "{}", t.name);
        let found = add_problem(&app, &p, &code(A), &problem("missing_materials", Some(("training", s.id))))
            .await
            .expect("problem");
        assert_eq!(found.problem.class.prescription().as_str(), "provide_materials");
        assert_eq!(found.problem.source.id(), Some(s.id));
        // Due at the end of the fifth working day: Mon 9 Mar.
        assert_eq!(
            found.due_at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).date().to_string(),
            "2026-03-09"
        );
        assert!(open_follow_ups(&app).await.contains(&found.follow_up_id), "{}", t.name);
        // The session as read back, and a second one changes the summary.
        let read = training(&app, &p, s.id).await.expect("read");
        assert_eq!((read.training.people.len(), read.training.projects.len()), (3, 2));
        record_training(&app, &p, &session(&[A], 2)).await.expect("second");
        let summary = training_summary(&app, &p).await.expect("summary");
        assert_eq!((summary.sessions, summary.attendees, summary.projects), (2, 5, 2));
        assert_eq!(trainings(&app, &p).await.expect("list").len(), 2);
        // A source that does not exist is named.
        let e = add_problem(&app, &p, &code(A), &problem("missing_materials", Some(("training", 999)))).await;
        assert_eq!(fields(e.expect_err("unknown training")), ["source_id"]);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_training_records_the_problems_found_on_its_projects_in_one_go() {
    for t in each_backend().await {
        let app = center(&t).await;
        let p = leader();
        let found =
            |project: &str, class: &str| FoundProblem { project: project.into(), problem: problem(class, None) };
        let mut bad = found(A, "missing_materials");
        bad.problem.days = 0;
        let e = record_training_with_problems(&app, &p, &session(&[A], 2), &[bad, found(B, "illegal")]).await;
        assert_eq!(fields(e.expect_err("bad problems")), ["problems[0].days", "problems[1].project"], "{}", t.name);
        assert_eq!(training_summary(&app, &p).await.expect("summary").sessions, 0, "nothing recorded");
        let s = record_training_with_problems(
            &app,
            &p,
            &session(&[A, B], 2),
            &[found(A, "land_or_funds"), found(B, "illegal")],
        )
        .await
        .expect("training");
        assert_eq!(s.problems.len(), 2);
        let read = training(&app, &p, s.id).await.expect("read");
        assert_eq!(read.problems, s.problems);
        let open = problems(&app, &p, None, Some(true)).await.expect("open");
        assert!(open.iter().all(|r| r.problem.source.id() == Some(s.id)), "{open:?}");
        let follow = open_follow_ups(&app).await;
        assert!(open.iter().all(|r| follow.contains(&r.follow_up_id)));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_problem_is_prescribed_and_closed_with_a_handling_its_class_allows() {
    for t in each_backend().await {
        let app = center(&t).await;
        let p = leader();
        let found = add_problem(&app, &p, &code(A), &problem("land_or_funds", None)).await.expect("problem");
        let e = close_problem(&app, &p, found.id, "materials_provided", "", None).await;
        assert_eq!(fields(e.expect_err("not its prescription")), ["handling"], "{}", t.name);
        let closed = close_problem(&app, &p, found.id, "coordinated", "调剂用地指标", None).await.expect("close");
        assert_eq!(closed.closing.as_ref().map(|c| c.handling), Some(Handling::Coordinated));
        assert!(!open_follow_ups(&app).await.contains(&found.follow_up_id), "the follow-up is closed too");
        let again = close_problem(&app, &p, found.id, "coordinated", "", None).await;
        assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
        add_problem(&app, &p, &code(B), &problem("missing_materials", None)).await.expect("second");
        let s = problem_summary(&app, &p).await.expect("summary");
        assert_eq!(s.total, 2);
        assert_eq!((s.classes["land_or_funds"], s.classes["missing_materials"]), (1, 1));
        assert!((s.shares["land_or_funds"] - 0.5).abs() < 1e-9);
        assert_eq!((s.handled["coordinated"], s.handled["open"]), (1, 1));
        let open = problems(&app, &p, Some(ProblemClass::MissingMaterials), Some(true)).await.expect("open");
        assert_eq!(open.len(), 1);
        assert_eq!(problems(&app, &p, None, Some(false)).await.expect("closed").len(), 1);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_illegal_project_exits_with_the_reasons_told_to_the_investor() {
    for t in each_backend().await {
        let app = center(&t).await;
        let p = leader();
        let found = add_problem(&app, &p, &code(B), &problem("illegal", None)).await.expect("problem");
        let e = close_problem(&app, &p, found.id, "exited", "", None).await;
        assert_eq!(fields(e.expect_err("no reasons")), ["reasons"], "{}", t.name);
        close_problem(&app, &p, found.id, "exited", "已告知", Some("未批先建，告知投资人退出审批"))
            .await
            .expect("exit");
        let row = t.store.project_by_code(&code(B)).await.expect("read").expect("project");
        assert_eq!(row.project.stage, ProjectStage::Exited);
        assert_eq!(
            t.store.exit_reasons(&code(B)).await.expect("reasons").as_deref(),
            Some("未批先建，告知投资人退出审批")
        );
        // An exited project gets no more problems, at a training or otherwise.
        let found = FoundProblem { project: B.into(), problem: problem("missing_materials", None) };
        let e = record_training_with_problems(&app, &p, &session(&[B], 1), &[found]).await;
        assert_eq!(fields(e.expect_err("exited")), ["problems[0].project"]);
        let e = add_problem(&app, &p, &code(B), &problem("missing_materials", None)).await;
        assert!(matches!(e, Err(AppError::Conflict(_))), "{e:?}");
        t.cleanup().await;
    }
}

fn meeting(solved_decision_b: &str, reasons: Option<&str>) -> CoordinationInput {
    CoordinationInput {
        title: "复杂项目协调会商".into(),
        date: "2026-03-01".into(),
        opinions: vec![("fgw".into(), "纳入重点项目库".into()), ("zrzy".into(), "调剂用地指标".into())],
        conclusion: "靶向治疗：先调剂指标，同步办理规划许可".into(),
        projects: vec![
            (A.into(), "plan".into(), None),
            (B.into(), solved_decision_b.into(), reasons.map(str::to_owned)),
        ],
    }
}

#[tokio::test]
async fn a_coordination_exits_a_project_and_closes_the_problems_solved_at_it() {
    for t in each_backend().await {
        let app = center(&t).await;
        let p = leader();
        let land = add_problem(&app, &p, &code(A), &problem("land_or_funds", None)).await.expect("problem");
        let illegal = add_problem(&app, &p, &code(B), &problem("illegal", None)).await.expect("problem");
        let before = coordination_summary(&app, &p).await.expect("summary");
        assert_eq!((before.meetings, before.projects, before.problems_solved), (0, 0, 0));
        let solved = [
            SolvedInput { problem: land.id, handling: "coordinated".into(), note: "指标已调剂".into() },
            SolvedInput { problem: illegal.id, handling: "exited".into(), note: String::new() },
        ];
        let m = record_coordination(&app, &p, &meeting("exit", Some("占用基本农田，告知投资人")), &solved)
            .await
            .expect("meeting");
        assert_eq!(m.solved, [land.id, illegal.id], "{}", t.name);
        let row = t.store.project_by_code(&code(B)).await.expect("read").expect("project");
        assert_eq!(row.project.stage, ProjectStage::Exited);
        let a = t.store.project_by_code(&code(A)).await.expect("read").expect("project");
        assert_ne!(a.project.stage, ProjectStage::Exited);
        let after = coordination_summary(&app, &p).await.expect("summary");
        assert_eq!((after.meetings, after.projects, after.problems_solved), (1, 2, 2));
        let listed = coordinations(&app, &p).await.expect("list");
        assert_eq!((listed.len(), listed[0].coordination.opinions.len()), (1, 2));
        let closed = problems(&app, &p, None, Some(false)).await.expect("closed");
        assert!(closed.iter().all(|r| r.closed_by_coordination == Some(m.id)));
        assert!(open_follow_ups(&app).await.is_empty());
        let s = problem_summary(&app, &p).await.expect("summary");
        assert_eq!((s.handled["coordinated"], s.handled["exited"], s.handled["open"]), (1, 1, 0));
        // A project that has exited cannot exit again.
        let again = record_coordination(&app, &p, &meeting("exit", Some("重复")), &[]).await;
        assert_eq!(fields(again.expect_err("exited already")), ["projects[1].project"]);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn every_bad_field_is_named() {
    for t in each_backend().await {
        let app = center(&t).await;
        let p = leader();
        let mut s = session(&[A, "2026-620100-47-01-999999"], 1);
        s.departments.push("nosuch".into());
        let e = record_training(&app, &p, &s).await.expect_err("bad training");
        assert_eq!(fields(e), ["departments[2]", "projects[1]"], "{}", t.name);

        let mut bad = problem("poor_scheme", None);
        bad.department = "nosuch".into();
        bad.days = 0;
        bad.remedy = None;
        let e = add_problem(&app, &p, &code(A), &bad).await.expect_err("bad problem");
        assert_eq!(fields(e), ["remedy", "days", "department"]);
        let mut late = problem("missing_materials", None);
        late.days = 366;
        assert_eq!(fields(add_problem(&app, &p, &code(A), &late).await.expect_err("too late")), ["days"]);
        let unknown = add_problem(&app, &p, &code("2026-620100-47-01-999999"), &problem("illegal", None)).await;
        assert!(matches!(unknown, Err(AppError::NotFound(_))), "{unknown:?}");

        let materials = add_problem(&app, &p, &code(A), &problem("missing_materials", None)).await.expect("problem");
        let mut m = meeting("exit", None);
        m.opinions.push(("nosuch".into(), " ".into()));
        m.projects.push(("2026-620100-47-01-999999".into(), "plan".into(), None));
        let solved = [
            SolvedInput { problem: materials.id, handling: "coordinated".into(), note: String::new() },
            SolvedInput { problem: 9999, handling: "coordinated".into(), note: String::new() },
        ];
        let e = record_coordination(&app, &p, &m, &solved).await.expect_err("bad meeting");
        assert_eq!(
            fields(e),
            [
                "opinions[2].opinion",
                "projects[1].reasons",
                "opinions[2].department",
                "projects[2].project",
                "solved[0].handling",
                "solved[1].problem"
            ]
        );
        let mut empty = meeting("plan", None);
        empty.opinions.clear();
        assert_eq!(fields(record_coordination(&app, &p, &empty, &[]).await.expect_err("empty")), ["opinions"]);
        t.cleanup().await;
    }
}
