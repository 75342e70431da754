//! Follow-ups (督办事项) supervised on SQLite and PostgreSQL: an open follow-up turns yellow
//! and red on the working calendar with a clock passed in, raises one alert per colour, a
//! done one is left alone, and the list filters and names its bad filters.

use std::sync::Arc;

use tongban_app::actor::staff_account;
use tongban_app::follow_ups::{self, FollowUpQuery};
use tongban_app::projects::{NewProject, create_project};
use tongban_app::{App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::followup::{FollowUpKind, due_after};
use tongban_core::identity::Role;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::{ProjectCode, ProjectStage};
use tongban_core::supervision::Colour;
use tongban_store::testing::{TestStore, each_backend, seed_minimal};
use tongban_store::{NewFollowUp, close_follow_up, exit_project, insert_follow_up};

const CODE: &str = "2026-620100-47-01-000123";

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("time")
}

fn leader() -> Principal {
    let account = staff_account("leader", "leader", Role::CenterLeader);
    Principal { account: Some(account), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

async fn center(t: &TestStore) -> App {
    seed_minimal(&t.store).await;
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    // Mon 2 Mar 2026 10:00 CST.
    app.clock = Arc::new(|| ts("2026-03-02T02:00:00Z"));
    let project = NewProject {
        code: CODE.into(),
        name: "兰州市第二人民医院门诊综合楼".into(),
        unit: "兰州市卫生健康委员会".into(),
        project_type: "government_invested".into(),
        investment_yuan: 420_000_000,
        division: "620100".into(),
        ..NewProject::default()
    };
    create_project(&app, &leader(), project).await.expect("project");
    app
}

async fn open(t: &TestStore, app: &App, days: u32) -> i64 {
    let started = ts("2026-03-02T02:00:00Z");
    let f = NewFollowUp {
        project: ProjectCode::parse(CODE).expect("code"),
        kind: FollowUpKind::Problem,
        title: "补充用地预审材料".into(),
        department: DepartmentCode::parse("fgw").expect("code"),
        owner: None,
        started_at: started,
        days,
        due_at: due_after(&app.calendar(), started, days).expect("due"),
    };
    t.store.write(move |c| Box::pin(async move { insert_follow_up(c, &f).await })).await.expect("follow-up")
}

async fn colour(app: &App, id: i64) -> Colour {
    let all = follow_ups::list(app, &leader(), FollowUpQuery::default()).await.expect("list");
    all.into_iter().find(|f| f.id == id).expect("listed").colour
}

#[tokio::test]
async fn a_follow_up_turns_yellow_then_red_and_alerts_once_per_colour() {
    for t in each_backend().await {
        let app = center(&t).await;
        // Two working days from Mon 10:00: due Wed 4 Mar 17:30; yellow with one day left.
        let id = open(&t, &app, 2).await;
        assert_eq!(follow_ups::watch(&app, ts("2026-03-02T03:00:00Z")).await.expect("tick"), 0, "{}", t.name);
        assert_eq!(colour(&app, id).await, Colour::Green);
        assert_eq!(follow_ups::watch(&app, ts("2026-03-04T02:00:00Z")).await.expect("tick"), 1);
        assert_eq!(colour(&app, id).await, Colour::Yellow);
        assert_eq!(follow_ups::watch(&app, ts("2026-03-04T03:00:00Z")).await.expect("tick"), 0);
        assert_eq!(follow_ups::watch(&app, ts("2026-03-05T01:30:00Z")).await.expect("tick"), 1);
        assert_eq!(colour(&app, id).await, Colour::Red);
        assert_eq!(follow_ups::watch(&app, ts("2026-03-06T01:30:00Z")).await.expect("tick"), 0);
        let alerts = t.store.follow_up_alerts(10).await.expect("alerts");
        let colours: Vec<Colour> = alerts.iter().map(|a| a.1).collect();
        assert_eq!(colours, [Colour::Red, Colour::Yellow], "{}", t.name);
        let red = follow_ups::list(
            &app,
            &leader(),
            FollowUpQuery { colour: Some("red".into()), open: true, ..FollowUpQuery::default() },
        )
        .await
        .expect("red ones");
        assert_eq!(red.iter().map(|f| f.id).collect::<Vec<_>>(), [id]);

        // Done: left alone, and no longer open.
        let later = open(&t, &app, 5).await;
        let done = t
            .store
            .write(move |c| Box::pin(async move { close_follow_up(c, later, ts("2026-03-03T02:00:00Z")).await }))
            .await
            .expect("close");
        assert!(done);
        assert_eq!(follow_ups::watch(&app, ts("2026-04-01T02:00:00Z")).await.expect("tick"), 0);
        assert_eq!(colour(&app, later).await, Colour::Green);
        let open_ones =
            follow_ups::list(&app, &leader(), FollowUpQuery { open: true, ..FollowUpQuery::default() }).await;
        assert_eq!(open_ones.expect("open").iter().map(|f| f.id).collect::<Vec<_>>(), [id]);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_filters_are_each_named_and_an_exit_keeps_its_reasons() {
    for t in each_backend().await {
        let app = center(&t).await;
        let q = FollowUpQuery {
            project: Some("not a code".into()),
            kind: Some("meeting".into()),
            colour: Some("purple".into()),
            open: false,
            limit: Some(0),
        };
        match follow_ups::list(&app, &leader(), q).await {
            Err(AppError::Invalid(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
                assert_eq!(fields, ["project", "kind", "colour", "limit"], "{}", t.name);
            }
            other => panic!("{other:?}"),
        }
        let code = ProjectCode::parse(CODE).expect("code");
        let (c2, at) = (code.clone(), ts("2026-03-03T02:00:00Z"));
        let exited = t
            .store
            .write(move |c| {
                Box::pin(async move {
                    exit_project(c, &c2, "选址位于生态保护红线内，告知投资方退出审批", at).await
                })
            })
            .await
            .expect("exit");
        assert!(exited);
        let row = t.store.project_by_code(&code).await.expect("read").expect("project");
        assert_eq!(row.project.stage, ProjectStage::Exited);
        assert_eq!(
            t.store.exit_reasons(&code).await.expect("reasons").as_deref(),
            Some("选址位于生态保护红线内，告知投资方退出审批")
        );
        t.cleanup().await;
    }
}
