//! The project library in the store, on SQLite and PostgreSQL: projects, pre-consultation
//! records, and runs with optimistic concurrency.

use std::collections::BTreeMap;

use tongban_core::calendar::WorkingCalendar;
use tongban_core::division::DivisionCode;
use tongban_core::plan::reform::after_reform;
use tongban_core::plan::{
    PlannedStart, Project, ProjectCode, ProjectRun, ProjectStage, ProjectType, SmallType, StepId,
};
use tongban_store::testing::{each_backend, seed_minimal};
use tongban_store::{
    Consultation, ProjectRow, Store, StoreError, insert_consultation, insert_project, insert_project_run,
    update_project_record, update_project_run, update_project_stage,
};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid timestamp")
}

fn row(code: &str, kind: ProjectType, credit_code: Option<&str>) -> ProjectRow {
    let project = Project::new(
        ProjectCode::parse(code).expect("valid"),
        "城关区智慧停车场",
        "兰州某停车管理有限公司",
        kind,
        12_000_000,
        DivisionCode::parse("620102").expect("valid"),
    )
    .expect("valid");
    ProjectRow {
        project,
        credit_code: credit_code.map(str::to_owned),
        phone: Some("0931-8888888".into()),
        created_by: "leader".into(),
        created_at: at("2026-03-02T02:00:00Z"),
        updated_at: at("2026-03-02T02:00:00Z"),
    }
}

async fn write<T: Send + 'static>(
    store: &Store,
    f: impl for<'c> FnOnce(&'c mut tongban_store::Conn) -> futures_util::future::BoxFuture<'c, Result<T, StoreError>>
    + Send
    + 'static,
) -> Result<T, StoreError> {
    store.write(f).await
}

#[tokio::test]
async fn projects_are_stored_listed_by_stage_and_unique_by_code() {
    for t in each_backend().await {
        seed_minimal(&t.store).await;
        let parking = row("2026-620102-47-01-000001", ProjectType::Small(SmallType::ParkingLot), None);
        let plant = row("2026-620102-47-01-000002", ProjectType::EnterpriseInvested, Some("91350100M000100Y43"));
        for r in [parking.clone(), plant.clone()] {
            write(&t.store, move |c| Box::pin(async move { insert_project(c, &r).await })).await.expect("insert");
        }
        let again = parking.clone();
        let dup = write(&t.store, move |c| Box::pin(async move { insert_project(c, &again).await })).await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{}: {dup:?}", t.name);

        let back = t.store.project_by_code(&parking.project.code).await.expect("query").expect("stored");
        assert_eq!(back, parking, "{}", t.name);
        assert_eq!(t.store.projects(None).await.expect("list").len(), 2, "{}", t.name);

        let code = plant.project.code.clone();
        let now = at("2026-03-03T02:00:00Z");
        let changed = write(&t.store, move |c| {
            Box::pin(async move { update_project_stage(c, &code, ProjectStage::InApproval, true, now).await })
        })
        .await
        .expect("update");
        assert!(changed);
        let in_approval = t.store.projects(Some(ProjectStage::InApproval)).await.expect("list");
        assert_eq!(in_approval.len(), 1, "{}", t.name);
        assert!(in_approval[0].project.green_channel && in_approval[0].updated_at == now, "{}", t.name);
        assert_eq!(in_approval[0].credit_code.as_deref(), Some("91350100M000100Y43"));
        let unknown = ProjectCode::parse("2026-620102-47-01-000999").expect("valid");
        assert!(t.store.project_by_code(&unknown).await.expect("query").is_none());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn consultations_are_kept_per_project_in_order() {
    for t in each_backend().await {
        seed_minimal(&t.store).await;
        let p = row("2026-620102-47-01-000003", ProjectType::GovernmentInvested, None);
        let code = p.project.code.clone();
        write(&t.store, move |c| Box::pin(async move { insert_project(c, &p).await })).await.expect("insert");
        for (when, notes) in
            [("2026-03-04T02:00:00Z", "二次对接：用地预审材料"), ("2026-03-02T02:00:00Z", "首次上门对接")]
        {
            let visit = Consultation { project: code.clone(), at: at(when), by: "leader".into(), notes: notes.into() };
            write(&t.store, move |c| {
                Box::pin(async move { insert_consultation(c, &visit, at("2026-03-05T00:00:00Z")).await })
            })
            .await
            .expect("insert");
        }
        let visits = t.store.consultations_for_project(&code).await.expect("list");
        assert_eq!(
            visits.iter().map(|v| v.notes.as_str()).collect::<Vec<_>>(),
            ["首次上门对接", "二次对接：用地预审材料"]
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_run_reads_back_equal_and_a_stale_update_writes_nothing() {
    for t in each_backend().await {
        seed_minimal(&t.store).await;
        let p = row("2026-620102-47-01-000004", ProjectType::EnterpriseInvested, None);
        let code = p.project.code.clone();
        let project = p.project.clone();
        write(&t.store, move |c| Box::pin(async move { insert_project(c, &p).await })).await.expect("insert");
        assert!(t.store.run_for_project(&code).await.expect("query").is_none());

        let start = at("2026-03-02T02:00:00Z");
        let run = ProjectRun::start(&project, &after_reform(), &BTreeMap::new(), start).expect("starts");
        let stored = run.clone();
        write(&t.store, move |c| Box::pin(async move { insert_project_run(c, &stored, start).await }))
            .await
            .expect("insert run");
        let twice = run.clone();
        let dup = write(&t.store, move |c| Box::pin(async move { insert_project_run(c, &twice, start).await })).await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{}: one run per project", t.name);

        let read = t.store.run_for_project(&code).await.expect("query").expect("stored");
        assert_eq!((read.run.clone(), read.version), (run.clone(), 1), "{}", t.name);

        let mut next = read.run.clone();
        let steps: Vec<StepId> = next.startable();
        next.start_bundle(&steps, start, &WorkingCalendar::builtin()).expect("bundle");
        let (a, b) = (next.clone(), next.clone());
        let saved = write(&t.store, move |c| Box::pin(async move { update_project_run(c, &a, 1, start).await }))
            .await
            .expect("update");
        let stale = write(&t.store, move |c| Box::pin(async move { update_project_run(c, &b, 1, start).await }))
            .await
            .expect("update");
        assert!(saved && !stale, "{}", t.name);
        let read = t.store.run_for_project(&code).await.expect("query").expect("stored");
        assert_eq!((read.run, read.version), (next, 2), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn planned_start_annual_investment_and_the_new_small_types_are_kept() {
    for t in each_backend().await {
        seed_minimal(&t.store).await;
        let mut road = row("2026-620102-48-01-000010", ProjectType::Small(SmallType::MunicipalRoad), None);
        road.project.planned_start = PlannedStart::new(2027, 4);
        road.project.annual_investment_yuan = 3_000_000;
        let simple = row("2026-620102-48-01-000011", ProjectType::Small(SmallType::SimpleGovernmentInvestment), None);
        // A code kept from before the format was checked still stores and reads back.
        let mut legacy = row("2026-620102-48-01-000012", ProjectType::GovernmentInvested, None);
        legacy.project.code = ProjectCode::from_stored("P-LEGACY-1").expect("stored form");
        for r in [road.clone(), simple.clone(), legacy.clone()] {
            write(&t.store, move |c| Box::pin(async move { insert_project(c, &r).await })).await.expect("insert");
        }
        for r in [&road, &simple, &legacy] {
            let back = t.store.project_by_code(&r.project.code).await.expect("query").expect("stored");
            assert_eq!(&back, r, "{}", t.name);
        }

        let mut changed = road.clone();
        changed.project.name = "雁滩路改造（二期）".into();
        changed.project.planned_start = PlannedStart::new(2028, 1);
        changed.project.annual_investment_yuan = 0;
        changed.phone = None;
        let now = at("2026-04-01T02:00:00Z");
        let c2 = changed.clone();
        let done = write(&t.store, move |c| Box::pin(async move { update_project_record(c, &c2, now).await }))
            .await
            .expect("update");
        assert!(done, "{}", t.name);
        let back = t.store.project_by_code(&road.project.code).await.expect("query").expect("stored");
        assert_eq!(back.project, changed.project, "{}", t.name);
        assert_eq!((back.phone, back.updated_at, back.created_at), (None, now, road.created_at), "{}", t.name);

        let code = road.project.code.clone();
        for n in 0..2 {
            let visit =
                Consultation { project: code.clone(), at: now, by: "leader".into(), notes: format!("对接{n}") };
            write(&t.store, move |c| Box::pin(async move { insert_consultation(c, &visit, now).await }))
                .await
                .expect("visit");
        }
        let counts = t.store.consultation_counts().await.expect("counts");
        assert_eq!(counts.get(&code), Some(&2), "{}", t.name);
        assert_eq!(counts.len(), 1, "{}", t.name);
        t.cleanup().await;
    }
}
