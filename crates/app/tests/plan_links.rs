//! Plans that open real cases, on SQLite and PostgreSQL, over the catalog of a city the demo
//! does not ship (西宁): the after-reform plan links the steps whose items exist; a run keeps
//! the links, and a centralized submission (集中报批) opens their cases at the right
//! departments; each project type picks its plan, which a run may override; a plan whose
//! lead department is none of the center's is refused, naming the step; the figures count
//! the step cases' first submissions.

use std::sync::Arc;

use tongban_app::actor::staff_account;
use tongban_app::projects::{self, NewProject, RunRequest, create_project};
use tongban_app::{App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::CaseCommand;
use tongban_core::division::{Division, DivisionCode, DivisionLevel};
use tongban_core::identity::Role;
use tongban_core::item::{ItemCode, ServiceItem};
use tongban_core::org::{Department, DepartmentCode};
use tongban_core::plan::link::LinkOutcome;
use tongban_core::plan::{ProjectCode, StepId, StepState};
use tongban_store::testing::{TestStore, each_backend, sample_item};

const CREDIT_CODE: &str = "91350100M000100Y43";

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("time")
}

fn as_role(id: &str, role: Role, department: Option<&str>) -> Principal {
    let mut account = staff_account(id, id, role);
    account.department = department.map(|d| DepartmentCode::parse(d).expect("code"));
    Principal { account: Some(account), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

fn leader() -> Principal {
    as_role("leader", Role::CenterLeader, None)
}

/// 西宁's departments (full names only, other codes) and items named a bit differently.
const DEPARTMENTS: [(&str, &str); 4] = [
    ("xn-fg", "西宁市发展和改革委员会"),
    ("xn-zrgh", "西宁市自然资源和规划局"),
    ("xn-zj", "西宁市住房和城乡建设局"),
    ("xn-sthj", "西宁市生态环境局"),
];
const ITEMS: [(&str, &str, &str); 7] = [
    ("6301-FG-01", "投资项目赋码", "xn-fg"),
    ("6301-FG-02", "企业投资项目核准", "xn-fg"),
    ("6301-ZR-01", "建设项目用地预审与选址意见书", "xn-zrgh"),
    ("6301-ZR-02", "建设用地规划许可", "xn-zrgh"),
    ("6301-ZR-03", "建设工程规划许可", "xn-zrgh"),
    ("6301-ZJ-01", "建筑工程施工许可", "xn-zj"),
    ("6301-ST-01", "建设项目环境影响报告表审批", "xn-sthj"),
];

async fn xining(t: &TestStore) -> App {
    let items: Vec<ServiceItem> = ITEMS
        .iter()
        .map(|&(code, name, dept)| ServiceItem {
            code: ItemCode::parse(code).expect("code"),
            name: name.into(),
            department: DepartmentCode::parse(dept).expect("code"),
            division: DivisionCode::parse("630100").expect("code"),
            ..sample_item()
        })
        .collect();
    t.store
        .write(move |c| {
            Box::pin(async move {
                let code = |c: &str| DivisionCode::parse(c).expect("code");
                let province = Division::new(code("630000"), "青海省", None, DivisionLevel::Province).expect("ok");
                tongban_store::insert_division(c, &province).await?;
                let city =
                    Division::new(code("630100"), "西宁市", Some(code("630000")), DivisionLevel::City).expect("ok");
                tongban_store::insert_division(c, &city).await?;
                for (d, name) in DEPARTMENTS {
                    let dept = Department {
                        code: DepartmentCode::parse(d).expect("code"),
                        name: name.into(),
                        division: code("630100"),
                        site: None,
                    };
                    tongban_store::insert_department(c, &dept).await?;
                }
                tongban_store::insert_catalog_version(c, "西宁 2026", &items, ts("2026-01-01T00:00:00Z")).await?;
                // 发改委's head decides its cases.
                let mut head = staff_account("head", "head", Role::DepartmentHead);
                head.department = Some(DepartmentCode::parse("xn-fg").expect("code"));
                tongban_store::insert_account(c, &head, ts("2026-01-05T00:00:00Z")).await?;
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("seed 西宁");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    // Mon 2 Mar 2026 10:00 CST.
    app.clock = Arc::new(|| ts("2026-03-02T02:00:00Z"));
    app
}

async fn project(app: &App, code: &str, kind: &str, small: Option<&str>) -> ProjectCode {
    let p = NewProject {
        code: code.into(),
        name: "西宁市城东区综合服务中心".into(),
        unit: "西宁某建设投资有限公司".into(),
        project_type: kind.into(),
        small_type: small.map(Into::into),
        investment_yuan: 80_000_000,
        division: "630100".into(),
        credit_code: Some(CREDIT_CODE.into()),
        ..NewProject::default()
    };
    create_project(app, &leader(), p).await.expect("project").project.code
}

fn case_of(run: &tongban_core::plan::ProjectRun, step: &str) -> Option<tongban_core::case::CaseNumber> {
    match run.state(&StepId::parse(step).expect("id")) {
        Some(StepState::Running { case, .. } | StepState::Done { case, .. }) => case.clone(),
        _ => None,
    }
}

#[tokio::test]
async fn the_after_reform_plan_links_the_steps_whose_items_another_city_has() {
    for t in each_backend().await {
        let app = xining(&t).await;
        let public =
            Principal { account: None, via: Via::Anonymous, client: None, session_hash: None, session_csrf: None };
        let (plan, builtin, report) =
            tongban_app::plan_links(&app, &public, "after-reform", None).await.expect("links");
        assert!(builtin);
        assert_eq!(report.total, 48);
        let linked: Vec<(&str, &str)> = report
            .steps
            .iter()
            .filter(|s| s.outcome.is_linked())
            .map(|s| (s.step.as_str(), s.item.as_ref().map_or("", ItemCode::as_str)))
            .collect();
        assert_eq!(
            linked,
            [
                ("LX01", "6301-FG-01"),
                ("LX05", "6301-FG-02"),
                ("LX08", "6301-ST-01"),
                ("YD03", "6301-ZR-01"),
                ("GH02", "6301-ZR-02"),
                ("GH08", "6301-ZR-03"),
                ("SG05", "6301-ZJ-01"),
            ],
            "{}",
            t.name
        );
        assert_eq!(report.linked, 7);
        // 发改委 ≈ 西宁市发展和改革委员会; 住建局 ≈ 西宁市住房和城乡建设局.
        let step = |id: &str| report.steps.iter().find(|s| s.step.as_str() == id).expect("step");
        assert_eq!(step("LX03").department.as_ref().map(DepartmentCode::as_str), Some("xn-fg"));
        assert_eq!(step("LX03").outcome, LinkOutcome::NoItem);
        assert_eq!(step("SG03").department.as_ref().map(DepartmentCode::as_str), Some("xn-zj"));
        assert_eq!(step("LX02").outcome, LinkOutcome::UnknownDepartment);
        assert!(report.unknown_departments.contains(&"水务局".to_owned()), "{:?}", report.unknown_departments);
        assert_eq!(plan.steps().len(), 48);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_project_runs_its_types_plan_and_a_centralized_submission_opens_the_linked_cases() {
    for t in each_backend().await {
        let app = xining(&t).await;
        let code = project(&app, "2026-630100-48-01-000001", "government_invested", None).await;
        // No plan named: the type picks after-reform, linked to 西宁's catalog.
        let row = projects::start_run(&app, &leader(), &code, RunRequest::default()).await.expect("run");
        assert_eq!(row.run.plan().id().as_str(), "after-reform");
        let lx01 = row.run.plan().step(&StepId::parse("LX01").expect("id")).expect("step");
        assert_eq!(lx01.item.as_ref().map(ItemCode::as_str), Some("6301-FG-01"), "the run keeps the links");

        // 集中报批: every startable step at once; the linked one opens its case at 发改委.
        let row = projects::start_centralized(&app, &leader(), &code).await.expect("centralized");
        for s in ["LX01", "LX02", "LX03"] {
            assert!(matches!(row.run.state(&StepId::parse(s).expect("id")), Some(StepState::Running { .. })), "{s}");
        }
        let number = case_of(&row.run, "LX01").expect("LX01 opened a case");
        assert_eq!(case_of(&row.run, "LX02"), None, "政务服务中心 is no department of 西宁's");
        let case = t.store.case_by_number(&number).await.expect("read").expect("the case exists");
        assert_eq!(case.item.as_str(), "6301-FG-01");
        assert_eq!(case.applicant.id_number, CREDIT_CODE);
        let item = t.store.item_by_code(&case.item).await.expect("item").expect("item");
        assert_eq!(item.item.department.as_str(), "xn-fg");
        let audit = t.store.audit_entries().await.expect("audit");
        let entry = audit.iter().rev().find(|e| e.action == "project.start_steps").expect("audited");
        assert!(entry.detail.contains("\"mode\":\"centralized\""), "{}", entry.detail);
        assert!(matches!(projects::start_centralized(&app, &leader(), &code).await, Err(AppError::Conflict(_))));

        // Finish LX01's case path up to LX05 and start it alone (随报随批): its case opens too.
        let head = as_role("head", Role::DepartmentHead, Some("xn-fg"));
        for command in [CaseCommand::Accept, CaseCommand::Approve { note: "同意".into() }] {
            tongban_app::act_on_case(&app, &head, &number, command, None).await.expect("decided");
        }
        for s in ["LX02", "LX03"] {
            projects::finish_step(&app, &leader(), &code, &StepId::parse(s).expect("id")).await.expect("finish");
        }
        let row = projects::start_steps(&app, &leader(), &code, vec![StepId::parse("LX05").expect("id")]).await;
        let row = row.expect("LX05 starts");
        let lx05 = case_of(&row.run, "LX05").expect("LX05 opened a case");
        let case = t.store.case_by_number(&lx05).await.expect("read").expect("exists");
        assert_eq!(case.item.as_str(), "6301-FG-02");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn each_small_type_picks_its_plan_and_a_run_may_override_it() {
    for t in each_backend().await {
        let app = xining(&t).await;
        for (n, small, plan) in [
            (1, "parking_lot", "parking_lot"),
            (2, "coal_to_gas_boiler", "coal_to_gas_boiler"),
            (3, "simple_government_investment", "simple_government_investment"),
            (4, "municipal_road", "municipal_road"),
            (5, "other", "after-reform"),
        ] {
            let code = project(&app, &format!("2026-630100-48-01-00001{n}"), "small", Some(small)).await;
            let row = projects::start_run(&app, &leader(), &code, RunRequest::default()).await.expect("run");
            assert_eq!(row.run.plan().id().as_str(), plan, "{small}");
        }
        let code = project(&app, "2026-630100-48-01-000020", "small", Some("parking_lot")).await;
        let req = RunRequest { plan: "after-reform".into(), ..RunRequest::default() };
        let row = projects::start_run(&app, &leader(), &code, req).await.expect("run");
        assert_eq!(row.run.plan().id().as_str(), "after-reform", "overridden");
        let list = tongban_app::list_plans(&app, &leader()).await.expect("plans");
        let ids: Vec<&str> = list.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "before-reform",
                "after-reform",
                "parking_lot",
                "coal_to_gas_boiler",
                "simple_government_investment",
                "municipal_road"
            ]
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_plan_naming_a_department_the_center_lacks_is_refused_naming_the_step() {
    for t in each_backend().await {
        let app = xining(&t).await;
        let admin = as_role("admin", Role::Administrator, None);
        let xml = |lead_b: &str| {
            format!(
                r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tongban="urn:tongban:bpmn:1">
              <process id="xn-small" name="小项目">
                <laneSet><lane id="l1" name="发改委"><flowNodeRef>a</flowNodeRef></lane>
                  <lane id="l2" name="{lead_b}"><flowNodeRef>b</flowNodeRef></lane></laneSet>
                <task id="a" name="投资项目赋码" tongban:days="1"/>
                <task id="b" name="社会稳定风险评估" tongban:days="3"/>
                <sequenceFlow id="f1" sourceRef="a" targetRef="b"/></process></definitions>"#
            )
        };
        match tongban_app::import_plan(&app, &admin, &xml("政法委")).await {
            Err(AppError::Invalid(fields)) => {
                assert_eq!(fields.len(), 1, "{fields:?}");
                assert_eq!(fields[0].0, "step b.lead_department", "{fields:?}");
                assert!(fields[0].1.contains("政法委"), "{fields:?}");
            }
            other => panic!("{}: expected a refusal, got {other:?}", t.name),
        }
        assert!(t.store.plans().await.expect("plans").is_empty(), "nothing stored");
        let (plan, version) = tongban_app::import_plan(&app, &admin, &xml("生态环境局")).await.expect("imported");
        assert_eq!((plan.id().as_str(), version), ("xn-small", 1));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn figures_count_first_submissions_and_module_time_from_the_records() {
    for t in each_backend().await {
        let app = xining(&t).await;
        let head = as_role("head", Role::DepartmentHead, Some("xn-fg"));
        let (a, b) = (
            project(&app, "2026-630100-48-01-000031", "government_invested", None).await,
            project(&app, "2026-630100-48-01-000032", "enterprise_invested", None).await,
        );
        project(&app, "2026-630100-48-01-000033", "small", Some("parking_lot")).await;
        for code in [&a, &b] {
            projects::start_run(&app, &leader(), code, RunRequest::default()).await.expect("run");
            projects::start_centralized(&app, &leader(), code).await.expect("centralized");
        }
        let run_a = projects::run(&app, &a).await.expect("run").run;
        let run_b = projects::run(&app, &b).await.expect("run").run;
        // a's LX01 case is accepted at once; b's is sent back for correction, then accepted.
        let (na, nb) = (case_of(&run_a, "LX01").expect("case"), case_of(&run_b, "LX01").expect("case"));
        tongban_app::act_on_case(&app, &head, &na, CaseCommand::Accept, None).await.expect("accept");
        let correction = CaseCommand::RequestCorrection { missing: vec!["营业执照".into()], note: String::new() };
        tongban_app::act_on_case(&app, &head, &nb, correction, None).await.expect("correction");
        // a's LX02 (no case) finishes at once: 0 working days against its 1.
        projects::finish_step(&app, &leader(), &a, &StepId::parse("LX02").expect("id")).await.expect("finish");

        let f = tongban_app::project_figures(&app, &leader()).await.expect("figures");
        assert_eq!(f.projects, 3, "{}", t.name);
        assert_eq!((f.by_stage["in_approval"], f.by_stage["pre_consultation"]), (2, 1));
        assert_eq!((f.pass_rate.answered, f.pass_rate.passed, f.pass_rate.rate), (2, 1, Some(0.5)));
        let by_type: Vec<(&str, u32, u32)> =
            f.pass_rate_by_type.iter().map(|r| (r.key.as_str(), r.answered, r.passed)).collect();
        assert_eq!(by_type, [("government_invested", 1, 1), ("enterprise_invested", 1, 0)]);
        let by_dept: Vec<(&str, u32, u32)> =
            f.pass_rate_by_department.iter().map(|r| (r.key.as_str(), r.answered, r.passed)).collect();
        assert_eq!(by_dept, [("xn-fg", 2, 1)]);
        let initiation = &f.modules[0];
        assert_eq!(
            (initiation.module.as_str(), initiation.steps, initiation.planned_days, initiation.actual_days),
            ("initiation", 1, 1, 0.0)
        );
        t.cleanup().await;
    }
}
