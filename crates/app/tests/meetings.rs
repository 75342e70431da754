//! Joint review meetings (联审联批) through the use cases, on SQLite and PostgreSQL: a
//! meeting decides exit, roadmap and unblock (the exit keeps its reasons, each roadmap task
//! opens a follow-up, the unblocked project starts the plan its type picks), a roadmap task
//! goes overdue and alerts on a passed clock and closes with its follow-up, the summary
//! counts every record, and bad input is refused with every field named.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tongban_app::actor::staff_account;
use tongban_app::follow_ups::{self, FollowUpQuery};
use tongban_app::meetings::{self, MeetingRow};
use tongban_app::projects::{self, NewProject, RunRequest, create_project};
use tongban_app::{App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::identity::Role;
use tongban_core::item::{ItemCode, ServiceItem};
use tongban_core::joint_review::{Decision, MeetingInput, ProjectInput, Summary, TaskInput};
use tongban_core::plan::{ProjectCode, ProjectStage, StepId, StepState, reform::plan_for};
use tongban_core::supervision::Colour;
use tongban_store::testing::{TestStore, each_backend, sample_item, seed_minimal};

const CREDIT_CODE: &str = "91350100M000100Y43";

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("time")
}

fn code(n: u32) -> String {
    format!("2026-620100-47-01-{n:06}")
}

fn leader() -> Principal {
    let account = staff_account("leader", "leader", Role::CenterLeader);
    Principal { account: Some(account), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

fn clerk() -> Principal {
    let account = staff_account("clerk", "clerk", Role::WindowClerk);
    Principal { account: Some(account), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

/// A center with projects 1–4 (investment n × 100 million yuan, annual n × 10 million);
/// project 3's unit has a credit code. The clock reads Mon 2 Mar 2026 10:00 CST.
async fn center(t: &TestStore) -> (App, Arc<Mutex<jiff::Timestamp>>) {
    seed_minimal(&t.store).await;
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    let clock = Arc::new(Mutex::new(ts("2026-03-02T02:00:00Z")));
    let c = clock.clone();
    app.clock = Arc::new(move || *c.lock().expect("clock"));
    for n in 1..=4u32 {
        let project = NewProject {
            code: code(n),
            name: format!("兰州市第{n}号建设项目"),
            unit: "兰州市某建设有限公司".into(),
            project_type: "enterprise_invested".into(),
            investment_yuan: u64::from(n) * 100_000_000,
            division: "620100".into(),
            credit_code: (n == 3).then(|| CREDIT_CODE.into()),
            ..NewProject::default()
        };
        create_project(&app, &leader(), project).await.expect("project");
        let (fen, c) = (i64::from(n) * 10_000_000 * 100, code(n));
        t.store
            .write(move |conn| {
                Box::pin(async move {
                    conn.query("update project set annual_investment_fen = $1 where project_code = $2")
                        .bind(fen)
                        .bind(c.as_str())
                        .execute()
                        .await
                })
            })
            .await
            .expect("annual investment");
    }
    (app, clock)
}

fn decide(n: u32, decision: &str) -> ProjectInput {
    ProjectInput { project: code(n), decision: decision.into(), ..ProjectInput::default() }
}

fn task(title: &str, owner: Option<&str>, days: u32) -> TaskInput {
    TaskInput { title: title.into(), owner: owner.map(Into::into), days: Some(days), ..TaskInput::default() }
}

fn meeting(title: &str, projects: Vec<ProjectInput>) -> MeetingInput {
    MeetingInput {
        title: title.into(),
        date: "2026-03-02".into(),
        division: "620102".into(),
        leaders: vec!["王副区长".into()],
        units: vec!["兰州市某建设有限公司".into()],
        minutes: "会议研究了以下项目。".into(),
        projects,
        ..MeetingInput::default()
    }
}

fn first() -> MeetingInput {
    let mut exit = decide(1, "exit");
    exit.reasons = Some("项目选址位于生态保护红线内".into());
    let mut roadmap = decide(2, "roadmap");
    roadmap.tasks = vec![task("补齐用地预审材料", Some("fgw"), 2), task("落实建设资金", Some("fgw"), 10)];
    let mut unblocked = decide(3, "unblocked");
    unblocked.blockages = vec!["规划条件已明确".into()];
    let mut m = meeting("城关区第一次联审联批会议", vec![exit, roadmap, unblocked]);
    m.agenda = Some((1..=3).map(code).collect());
    m
}

async fn summary(app: &App) -> Summary {
    meetings::summary(app, &clerk()).await.expect("summary")
}

#[tokio::test]
async fn a_meeting_decides_exit_roadmap_and_unblock_and_the_summary_counts_each_record() {
    for t in each_backend().await {
        let (app, _) = center(&t).await;
        assert_eq!(summary(&app).await, Summary::default(), "{}", t.name);
        let m: MeetingRow = meetings::record_meeting(&app, &leader(), first()).await.expect("recorded");
        let decisions: Vec<_> = m.projects.iter().map(|a| a.decision).collect();
        assert_eq!(decisions, [Some(Decision::Exit), Some(Decision::Roadmap), Some(Decision::Unblocked)]);
        // Exit: the project leaves approval with the reasons told to the investor.
        let p1 = ProjectCode::parse(&code(1)).expect("code");
        assert_eq!(projects::project(&app, &p1).await.expect("p1").project.stage, ProjectStage::Exited);
        assert_eq!(t.store.exit_reasons(&p1).await.expect("reasons").as_deref(), Some("项目选址位于生态保护红线内"));
        // Roadmap: each task is a follow-up of its project.
        let tasks = &m.projects[1].tasks;
        assert_eq!(tasks.len(), 2);
        let follow =
            follow_ups::list(&app, &clerk(), FollowUpQuery { kind: Some("roadmap_task".into()), ..Default::default() })
                .await
                .expect("follow-ups");
        let ids: BTreeSet<i64> = follow.iter().map(|f| f.id).collect();
        assert_eq!(ids, tasks.iter().filter_map(|t| t.follow_up_id).collect());
        // Unblocked: the run of the plan its type picks, and the blockages kept.
        let p3 = ProjectCode::parse(&code(3)).expect("code");
        let run = projects::run(&app, &p3).await.expect("the unblocked project runs");
        assert_eq!(run.run.plan().id(), plan_for(projects::project(&app, &p3).await.expect("p3").project.kind).id());
        assert_eq!(projects::project(&app, &p3).await.expect("p3").project.stage, ProjectStage::InApproval);
        assert_eq!(m.projects[2].blockages, ["规划条件已明确"]);
        assert_eq!(
            summary(&app).await,
            Summary {
                meetings: 1,
                projects: 3,
                exit: 1,
                roadmap: 1,
                unblocked: 1,
                total_investment_yuan: 600_000_000,
                annual_investment_yuan: 60_000_000,
                unblocked_investment_yuan: 300_000_000,
            },
            "{}",
            t.name
        );

        // A second meeting unblocks a project already running: its run is left as it was.
        let p4 = ProjectCode::parse(&code(4)).expect("code");
        projects::start_run(&app, &leader(), &p4, RunRequest::default()).await.expect("run");
        let before = projects::run(&app, &p4).await.expect("run");
        let m2 = meetings::record_meeting(&app, &leader(), meeting("第二次会议", vec![decide(4, "unblocked")]))
            .await
            .expect("second meeting");
        assert!(m2.projects[0].was_running);
        assert_eq!(projects::run(&app, &p4).await.expect("run"), before);
        assert_eq!(
            summary(&app).await,
            Summary {
                meetings: 2,
                projects: 4,
                exit: 1,
                roadmap: 1,
                unblocked: 2,
                total_investment_yuan: 1_000_000_000,
                annual_investment_yuan: 100_000_000,
                unblocked_investment_yuan: 700_000_000,
            }
        );
        let listed = meetings::meetings(&app, &clerk()).await.expect("list");
        assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), [m2.id, m.id]);
        assert_eq!(meetings::meeting(&app, &clerk(), m.id).await.expect("one"), m);
        // An exited project is decided no more; reading is not writing.
        let again = meetings::record_meeting(&app, &leader(), meeting("第三次", vec![decide(1, "unblocked")])).await;
        assert!(matches!(&again, Err(AppError::Invalid(e)) if e[0].0 == "projects[0].project"), "{again:?}");
        assert!(matches!(meetings::record_meeting(&app, &clerk(), first()).await, Err(AppError::Forbidden(_))));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_roadmap_task_goes_overdue_alerts_and_closes_with_its_follow_up() {
    for t in each_backend().await {
        let (app, clock) = center(&t).await;
        let m = meetings::record_meeting(&app, &leader(), first()).await.expect("recorded");
        let short = m.projects[1].tasks[0].clone();
        // Two working days from the meeting day (Mon 2 Mar): due Wed 4 Mar 17:30 CST.
        assert_eq!(short.task.due_at, ts("2026-03-04T09:30:00Z"));
        assert_eq!(follow_ups::watch(&app, ts("2026-03-02T03:00:00Z")).await.expect("tick"), 0);
        // Thu 5 Mar: overdue, red, alerted once.
        assert!(follow_ups::watch(&app, ts("2026-03-05T02:00:00Z")).await.expect("tick") >= 1);
        assert_eq!(follow_ups::watch(&app, ts("2026-03-05T03:00:00Z")).await.expect("tick"), 0);
        let red = follow_ups::list(
            &app,
            &clerk(),
            FollowUpQuery { colour: Some("red".into()), open: true, ..FollowUpQuery::default() },
        )
        .await
        .expect("red");
        assert_eq!(red.iter().map(|f| Some(f.id)).collect::<Vec<_>>(), [short.follow_up_id], "{}", t.name);
        let alerts = t.store.follow_up_alerts(10).await.expect("alerts");
        assert!(alerts.iter().any(|a| Some(a.0) == short.follow_up_id && a.1 == Colour::Red));
        let open = meetings::roadmap_tasks(&app, &clerk(), Some(true)).await.expect("open");
        assert_eq!(open.len(), 2);

        // Done: the task and its follow-up close; a second time is a conflict.
        *clock.lock().expect("clock") = ts("2026-03-05T04:00:00Z");
        let done = meetings::finish_task(&app, &leader(), short.id).await.expect("done");
        assert_eq!(done.done_at, Some(ts("2026-03-05T04:00:00Z")));
        let open = meetings::roadmap_tasks(&app, &clerk(), Some(true)).await.expect("open");
        assert_eq!(open.iter().map(|t| t.id).collect::<Vec<_>>(), [m.projects[1].tasks[1].id]);
        let still = follow_ups::list(&app, &clerk(), FollowUpQuery { open: true, ..FollowUpQuery::default() })
            .await
            .expect("open follow-ups");
        assert!(still.iter().all(|f| Some(f.id) != short.follow_up_id));
        assert!(matches!(meetings::finish_task(&app, &leader(), short.id).await, Err(AppError::Conflict(_))));
        assert!(matches!(meetings::finish_task(&app, &leader(), 9999).await, Err(AppError::NotFound(_))));

        // A later meeting exits the project: the roadmap's open task closes with its follow-up.
        let mut exit = decide(2, "exit");
        exit.reasons = Some("用地指标无法落实，项目单位申请退出".into());
        meetings::record_meeting(&app, &leader(), meeting("第二次会议", vec![exit])).await.expect("exit");
        assert!(meetings::roadmap_tasks(&app, &clerk(), Some(true)).await.expect("open").is_empty(), "{}", t.name);
        let still = follow_ups::list(&app, &clerk(), FollowUpQuery { open: true, ..FollowUpQuery::default() })
            .await
            .expect("open follow-ups");
        assert!(still.is_empty(), "{still:?}");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_unblocked_project_runs_its_plan_and_a_linked_step_opens_its_case() {
    for t in each_backend().await {
        let (app, _) = center(&t).await;
        // The catalog gains 发改委's 投资项目赋码, which the plan's first step links to.
        let mut items = vec![sample_item()];
        items.push(ServiceItem {
            code: ItemCode::parse("620100-FGW-010").expect("code"),
            name: "投资项目赋码".into(),
            ..sample_item()
        });
        t.store
            .write(move |c| {
                Box::pin(async move {
                    tongban_store::insert_catalog_version(c, "v2", &items, ts("2026-02-01T00:00:00Z")).await
                })
            })
            .await
            .expect("catalog");
        meetings::record_meeting(&app, &leader(), first()).await.expect("recorded");
        let p3 = ProjectCode::parse(&code(3)).expect("code");
        let run = projects::run(&app, &p3).await.expect("the unblocked project runs").run;
        // A startable step linked to an item of the catalog opens a case for the unit, whose
        // credit code the library keeps.
        let linked: Vec<StepId> = run
            .startable()
            .into_iter()
            .filter(|id| {
                run.plan().step(id).and_then(|s| s.item.as_ref()).is_some_and(|i| i.as_str() == "620100-FGW-010")
            })
            .collect();
        assert_eq!(linked.len(), 1, "{} ({})", run.plan().id(), t.name);
        let row = projects::start_steps(&app, &leader(), &p3, linked.clone()).await.expect("started");
        let Some(StepState::Running { case: Some(number), .. }) = row.run.state(&linked[0]) else {
            panic!("the linked step opened no case ({})", t.name)
        };
        let case = t.store.case_by_number(number).await.expect("read").expect("the case");
        assert_eq!(case.item.as_str(), "620100-FGW-010");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_named() {
    for t in each_backend().await {
        let (app, _) = center(&t).await;
        let mut bad = meeting(" ", Vec::new());
        bad.division = "110101".into();
        bad.agenda = Some(vec![code(1), code(2), code(3)]);
        let mut exit = decide(3, "exit");
        exit.reasons = Some("  ".into());
        let mut roadmap = decide(2, "roadmap");
        roadmap.tasks = vec![task("补齐材料", None, 3)];
        let mut twice = decide(1, "exit");
        twice.reasons = Some("违规".into());
        bad.projects = vec![
            decide(0, "unblocked"),
            ProjectInput { project: "2026-62010-47-01-1".into(), decision: "exit".into(), ..ProjectInput::default() },
            decide(4, "unblocked"),
            roadmap,
            exit,
            ProjectInput { decision: "postpone".into(), ..decide(1, "") },
            twice,
        ];
        bad.projects[1].reasons = Some("x".into());
        let Err(AppError::Invalid(errors)) = meetings::record_meeting(&app, &leader(), bad).await else {
            panic!("refused")
        };
        let fields: BTreeSet<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for f in [
            "title",
            "division",
            "projects[0].project",
            "projects[1].project",
            "projects[2].project",
            "projects[3].tasks[0].owner",
            "projects[4].reasons",
            "projects[5].decision",
            "projects[6].project",
        ] {
            assert!(fields.contains(f), "{f} not in {errors:?} ({})", t.name);
        }
        assert_eq!(summary(&app).await, Summary::default(), "nothing was written");
        t.cleanup().await;
    }
}
