//! The project library at scale on SQLite and PostgreSQL: projects imported from CSV and
//! xlsx (Chinese headers too), every bad row named by line and column with nothing stored,
//! the same file again changing nothing, an export that imports back unchanged, and the
//! screening (筛选) of projects planned for next year or the year after.

use std::sync::Arc;

use tongban_app::actor::staff_account;
use tongban_app::project_import::{self, ProjectImport, joint_review_candidates, library};
use tongban_app::projects::{NewProject, create_project};
use tongban_app::tables::{Format, Sheet, Upload, write_csv, write_xlsx};
use tongban_app::{App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::identity::Role;
use tongban_core::plan::{ProjectCode, ProjectStage, ProjectType, SmallType};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

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
    // Mon 7 Dec 2026 10:00 CST: next year is 2027, the year after 2028.
    app.clock = Arc::new(|| ts("2026-12-07T02:00:00Z"));
    app
}

const CSV: &str = "\
项目代码,项目名称,项目单位,项目类型,总投资,建设地点,计划开工,年度计划投资,小型项目类型
2025-620171-65-01-000318,兰州新区大数据产业园一期,兰州示范科技有限公司,enterprise_invested,680000000,620100,2027-03,120000000,
2026-620102-47-01-000052,城关区雁滩智慧停车场,兰州雁滩停车管理有限公司,small,12000000,620102,2028-05,,parking_lot
2026-620102-48-01-000061,城关区背街小巷提升改造,城关区城市管理局,小型项目,3500000,620102,2026年9月,,市政道路改造
2026-620100-83-01-000009,兰州市第二人民医院门诊综合楼,兰州市卫生健康委员会,政府投资,420000000,620100,2029-01-15,0,
";

fn csv() -> Upload<'static> {
    Upload { name: Some("projects.csv"), format: Format::Csv }
}

async fn import(app: &App, file: &Upload<'_>, bytes: &[u8]) -> Result<ProjectImport, AppError> {
    project_import::import_projects(app, &leader(), file, bytes, false).await
}

#[tokio::test]
async fn a_csv_file_with_chinese_headers_imports_and_again_changes_nothing() {
    for t in each_backend().await {
        let app = center(&t).await;
        let dry =
            project_import::import_projects(&app, &leader(), &csv(), CSV.as_bytes(), true).await.expect("dry run");
        assert_eq!((dry.dry_run, dry.created), (true, 4), "{}", t.name);
        assert!(t.store.projects(None).await.expect("list").is_empty(), "{}: a dry run writes nothing", t.name);

        let done = import(&app, &csv(), CSV.as_bytes()).await.expect("import");
        assert_eq!((done.created, done.updated, done.unchanged), (4, 0, 0), "{}", t.name);
        assert_eq!(done.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 4, 5]);
        let code = ProjectCode::parse("2026-620102-48-01-000061").expect("code");
        let road = t.store.project_by_code(&code).await.expect("read").expect("stored");
        assert_eq!(road.project.kind, ProjectType::Small(SmallType::MunicipalRoad), "{}", t.name);
        assert_eq!(road.project.planned_start.map(|p| p.to_string()).as_deref(), Some("2026-09"));
        let park = ProjectCode::parse("2025-620171-65-01-000318").expect("code");
        let park = t.store.project_by_code(&park).await.expect("read").expect("stored");
        assert_eq!((park.project.investment_yuan, park.project.annual_investment_yuan), (680_000_000, 120_000_000));

        let again = import(&app, &csv(), CSV.as_bytes()).await.expect("again");
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 4), "{}", t.name);
        let audits = t.store.audit_entries().await.expect("audit").len();
        // A changed name is an update, the rest stays.
        let changed = CSV.replace("兰州新区大数据产业园一期", "兰州新区大数据产业园一期（扩建）");
        let third = import(&app, &csv(), changed.as_bytes()).await.expect("changed");
        assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 3), "{}", t.name);
        assert_eq!(t.store.audit_entries().await.expect("audit").len(), audits + 1, "{}: one update audited", t.name);
        let rows = t.store.projects(None).await.expect("list");
        assert_eq!(rows.len(), 4);
        assert_eq!(joint_review_candidates(&rows).len(), 1, "one project with an annual planned investment");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_rows_are_each_named_by_line_and_column_and_nothing_is_stored() {
    for t in each_backend().await {
        let app = center(&t).await;
        let bad = "\
code,name,unit,project_type,investment_yuan,division,planned_start
2025-620171-65-04-000318,一,单位,government_invested,100,620100,2027-01
2026-620102-47-01-000001,二,单位,government_invested,100,999999,2027-01
2026-620102-47-01-000002,三,单位,private,100,620102,2027-01
2026-620102-47-01-000003,四,单位,government_invested,lots,620102,next year
2026-620102-47-01-000004,五,单位,government_invested,100,620102,2027-02
2026-620102-47-01-000004,六,单位,government_invested,100,620102,2027-02
";
        let Err(AppError::Rows(errors)) = import(&app, &csv(), bad.as_bytes()).await else {
            panic!("{}: refused", t.name)
        };
        let found: Vec<(u64, Option<&str>)> = errors.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(
            found,
            [
                (2, Some("code")),
                (3, Some("division")),
                (4, Some("project_type")),
                (5, Some("investment_yuan")),
                (5, Some("planned_start")),
                (7, Some("code")),
            ],
            "{}: {errors:?}",
            t.name
        );
        assert!(errors[0].message.contains("project type code 04"), "{}", errors[0]);
        assert!(errors[0].message.contains("YYYY-DDDDDD-II-TT-NNNNNN"), "{}", errors[0]);
        assert_eq!(errors[0].to_string().split(':').next(), Some("projects.csv line 2, column code"));
        assert!(errors[1].message.contains("999999"), "{}", errors[1]);
        assert!(errors[5].message.contains("line 6"), "{}", errors[5]);
        assert!(t.store.projects(None).await.expect("list").is_empty(), "{}: nothing stored", t.name);

        let Err(AppError::Rows(header)) = import(&app, &csv(), "code,name\n1,2\n".as_bytes()).await else {
            panic!("a bad header is refused")
        };
        assert!(header[0].message.contains("header must be"), "{}", header[0]);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_xlsx_workbook_imports_and_an_export_imports_back_unchanged() {
    for t in each_backend().await {
        let app = center(&t).await;
        let header =
            ["code", "name", "unit", "project_type", "investment_yuan", "division", "planned_start", "small_type"];
        let rows = vec![
            [
                "2026-620123-44-03-000017",
                "榆中县第一中学燃煤锅炉煤改气",
                "榆中县第一中学",
                "small",
                "3500000",
                "620102",
                "2027-10",
                "coal_to_gas_boiler",
            ],
            [
                "2026-620100-83-01-000010",
                "兰州市职业技术学校实训楼",
                "兰州市教育局",
                "government_invested",
                "88000000",
                "620100",
                "2028-03",
                "",
            ],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(str::to_owned).collect())
        .collect();
        let sheet = Sheet::new("projects", &header, rows).with_numbers(&["investment_yuan"]);
        let bytes = write_xlsx(&[sheet]).expect("workbook");
        let xlsx = Upload { name: Some("projects.xlsx"), format: Format::Xlsx };
        let done = import(&app, &xlsx, &bytes).await.expect("import");
        assert_eq!(done.created, 2, "{}", t.name);
        // A project entered by hand, with a phone and a credit code, travels too.
        let by_hand = NewProject {
            code: "2026-620102-47-01-000052".into(),
            name: "城关区雁滩智慧停车场".into(),
            unit: "兰州雁滩停车管理有限公司".into(),
            project_type: "small".into(),
            small_type: Some("parking_lot".into()),
            investment_yuan: 12_000_000,
            division: "620102".into(),
            phone: Some("0931-8888888".into()),
            planned_start: Some("2027-06".into()),
            annual_investment_yuan: 2_000_000,
            ..NewProject::default()
        };
        create_project(&app, &leader(), by_hand).await.expect("by hand");

        let before = t.store.projects(None).await.expect("list");
        let sheet = project_import::export_projects(&app, &leader()).await.expect("export");
        for (format, bytes) in [
            (Format::Csv, write_csv(&sheet).into_bytes()),
            (Format::Xlsx, write_xlsx(std::slice::from_ref(&sheet)).expect("workbook")),
        ] {
            let back = import(&app, &Upload { name: None, format }, &bytes).await.expect("imports back");
            assert_eq!((back.created, back.updated, back.unchanged), (0, 0, 3), "{}: {format:?}", t.name);
        }
        assert_eq!(t.store.projects(None).await.expect("list"), before, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn screening_takes_next_year_and_the_year_after_and_counts_consultations() {
    for t in each_backend().await {
        let app = center(&t).await;
        import(&app, &csv(), CSV.as_bytes()).await.expect("import");
        let code = ProjectCode::parse("2026-620102-47-01-000052").expect("code");
        for notes in ["上门对接", "二次对接"] {
            tongban_app::projects::add_consultation(&app, &leader(), &code, None, notes).await.expect("visit");
        }
        let screened = library(&app, &leader(), None, Some(true)).await.expect("screened");
        let codes: Vec<&str> = screened.iter().map(|e| e.row.project.code.as_str()).collect();
        // 2027-03 and 2028-05 are screened in 2026; 2026-09 and 2029-01 are not.
        assert_eq!(codes, ["2025-620171-65-01-000318", "2026-620102-47-01-000052"], "{}", t.name);
        assert_eq!(screened[1].consultations, 2, "{}", t.name);
        let others = library(&app, &leader(), None, Some(false)).await.expect("others");
        assert_eq!(others.len(), 2, "{}", t.name);
        assert!(others.iter().all(|e| !e.screened && e.consultations == 0));
        let at_stage = library(&app, &leader(), Some(ProjectStage::InApproval), Some(true)).await.expect("stage");
        assert!(at_stage.is_empty(), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_code_entered_by_hand_is_a_field_error() {
    for t in each_backend().await {
        let app = center(&t).await;
        let req = NewProject {
            code: "2026-620102-47-01-000000".into(),
            name: "x".into(),
            unit: "y".into(),
            project_type: "government_invested".into(),
            investment_yuan: 10,
            division: "620102".into(),
            planned_start: Some("2027-13".into()),
            annual_investment_yuan: 20,
            ..NewProject::default()
        };
        let Err(AppError::Invalid(fields)) = create_project(&app, &leader(), req).await else { panic!("refused") };
        let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["code", "annual_investment_yuan", "planned_start"], "{}: {fields:?}", t.name);
        assert!(fields[0].1.contains("serial 000000"), "{}", fields[0].1);
        t.cleanup().await;
    }
}
