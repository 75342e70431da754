//! Importing an organisation (issue 16): each bad file gives its exact, line-numbered
//! errors — all of them at once — and writes nothing; a good one is idempotent, audited,
//! keeps what it does not name, and gives new staff activation codes. SQLite and PostgreSQL.

use tongban_app::organisation::{OrgFile, import_org, put_org_record, retire_org_record};
use tongban_app::tables::{Format, Sheet, Upload, write_xlsx};
use tongban_app::{App, AppError, Principal};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::org::import::OrgKind;
use tongban_store::testing::{TestStore, each_backend};

const DIVISIONS: &str =
    "code,name,parent\n630000,青海省,\n630100,西宁市,630000\n630102,城东区,630100\n620100,兰州市,\n";
const SITES: &str =
    "code,name,division,address,hours,phone\nmain,西宁市政务服务中心,630100,,,\nlz,兰州大厅,620100,,,\n";
const DEPARTMENTS: &str =
    "code,name,division,site\nscjg,市场监督管理局,630100,main\nzjj,住房和城乡建设局,630100,main\n";
const WINDOWS: &str = "code,name,department,site\nSC-01,市场监管窗口,scjg,main\nZH-01,综合窗口,,main\n";
const STAFF: &str = "login,name,role,department,window,phone\nscjg.head,马建国,department_head,scjg,,\nscjg.clerk,李明,window_clerk,scjg,SC-01,\n";

fn csv(name: &'static str) -> Upload<'static> {
    Upload { name: Some(name), format: Format::Csv }
}

fn xlsx() -> Upload<'static> {
    Upload { name: Some("org.xlsx"), format: Format::Xlsx }
}

fn app(t: &TestStore) -> App {
    App::new(t.store.clone(), WorkingCalendar::builtin())
}

async fn import(app: &App, kind: OrgKind, text: &str) -> Result<tongban_app::organisation::OrgImport, AppError> {
    let name: &'static str = match kind {
        OrgKind::Divisions => "divisions.csv",
        OrgKind::Sites => "sites.csv",
        OrgKind::Departments => "departments.csv",
        OrgKind::Windows => "windows.csv",
        OrgKind::Staff => "staff.csv",
    };
    import_org(app, &Principal::console(), OrgFile::One(kind), &csv(name), text.as_bytes(), false).await
}

/// The rows of a refused file, as printed; panics when the file was not refused row by row.
fn refused<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<String> {
    match r {
        Err(AppError::Rows(rows)) => rows.iter().map(ToString::to_string).collect(),
        other => panic!("expected a refusal row by row, got {other:?}"),
    }
}

async fn base(app: &App) {
    for (kind, text) in [
        (OrgKind::Divisions, DIVISIONS),
        (OrgKind::Sites, SITES),
        (OrgKind::Departments, DEPARTMENTS),
        (OrgKind::Windows, WINDOWS),
    ] {
        import(app, kind, text).await.expect("imports");
    }
}

fn sheet(name: &str, text: &str) -> Sheet {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    Sheet::new(name, &header, lines.map(|l| l.split(',').map(str::to_owned).collect()).collect())
}

#[tokio::test]
async fn every_bad_file_names_each_problem_by_line_and_column_and_writes_nothing() {
    for t in each_backend().await {
        let app = app(&t);
        base(&app).await;
        let before = t.store.org_known().await.expect("known");
        // Unknown references, a duplicate code and an empty required cell, all in one pass.
        let e = refused(
            import(
                &app,
                OrgKind::Departments,
                "code,name,division,site\nfgw,发改委,630199,main\nfgw,重复,630100,main\nrsj,,630100,\nmzj,民政局,630100,nosuch\n",
            )
            .await,
        );
        assert_eq!(
            e,
            [
                "departments.csv line 2, column division: unknown division 630199",
                "departments.csv line 3, column code: fgw appears twice in the file",
                "departments.csv line 4, column name: name must be 1–100 characters",
                "departments.csv line 5, column site: unknown site nosuch",
            ],
            "{}",
            t.name
        );
        // A window at a site of another division; staff at another department's window.
        let e =
            refused(import(&app, OrgKind::Windows, "code,name,department,site\nSC-02,市场监管窗口二,scjg,lz\n").await);
        assert_eq!(e, ["windows.csv line 2, column site: site lz is in division 620100, outside division 630100"]);
        let e = refused(
            import(
                &app,
                OrgKind::Staff,
                "login,name,role,department,window,phone\nzjj.clerk,王芳,window_clerk,zjj,SC-01,\n",
            )
            .await,
        );
        assert_eq!(e, ["staff.csv line 2, column window: window SC-01 belongs to department scjg, not zjj"]);
        // A CSV saved in GBK: refused at the line of its first GBK byte, saying what to do.
        let gbk = b"code,name,division,site\nfgw,\xB7\xA2\xB8\xC4\xCE\xAF,630100,main\n";
        let e = refused(
            import_org(
                &app,
                &Principal::console(),
                OrgFile::One(OrgKind::Departments),
                &csv("departments.csv"),
                gbk,
                false,
            )
            .await,
        );
        assert!(e.len() == 1 && e[0].starts_with("departments.csv line 2: ") && e[0].contains("UTF-8"), "{e:?}");
        // A workbook with a wrong sheet name, and a truncated one.
        let book = write_xlsx(&[sheet("departments", DEPARTMENTS), sheet("Sheet1", WINDOWS)]).expect("book");
        let e = refused(import_org(&app, &Principal::console(), OrgFile::Whole, &xlsx(), &book, false).await);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("sheet Sheet1, row 1: unknown sheet \"Sheet1\""), "{e:?}");
        let e = refused(
            import_org(&app, &Principal::console(), OrgFile::Whole, &xlsx(), &book[..book.len() / 2], false).await,
        );
        assert!(e[0].starts_with("org.xlsx line 1: not a readable xlsx workbook"), "{e:?}");
        // Sheets are named by row: a bad staff row in a workbook.
        let book = write_xlsx(&[sheet(
            "staff",
            "login,name,role,department,window,phone\nscjg.a,甲,window_clerk,scjg,SC-01,\nscjg.b,乙,clerk,scjg,,\n",
        )])
        .expect("book");
        let e = refused(import_org(&app, &Principal::console(), OrgFile::Whole, &xlsx(), &book, false).await);
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("sheet staff, row 3, column role: unknown role \"clerk\""), "{e:?}");
        assert_eq!(t.store.org_known().await.expect("known"), before, "{}: nothing written", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_good_file_is_idempotent_audited_and_gives_new_staff_activation_codes() {
    for t in each_backend().await {
        let app = app(&t);
        base(&app).await;
        let first = import(&app, OrgKind::Staff, STAFF).await.expect("imports");
        assert_eq!(first.activation_codes.len(), 2);
        let again = import(&app, OrgKind::Staff, STAFF).await.expect("imports");
        let c = again.counts[&OrgKind::Staff];
        assert_eq!((c.created, c.updated, c.unchanged, again.activation_codes.len()), (0, 0, 2, 0), "{}", t.name);
        // A password set, then a re-import of a changed row: the password stays.
        tongban_app::set_account_password(&app, &Principal::console(), "scjg.clerk", "correct horse battery")
            .await
            .expect("password");
        let hash = t.store.account("scjg.clerk").await.expect("read").expect("account").password_hash;
        // A changed row updates; a dry run shows it and writes nothing.
        let moved = STAFF.replace("李明,window_clerk,scjg,SC-01,", "李明,window_clerk,scjg,SC-01,13900000000");
        let dry = import_org(
            &app,
            &Principal::console(),
            OrgFile::One(OrgKind::Staff),
            &csv("staff.csv"),
            moved.as_bytes(),
            true,
        )
        .await
        .expect("dry run");
        assert_eq!(dry.counts[&OrgKind::Staff].updated, 1);
        assert_eq!(import(&app, OrgKind::Staff, &moved).await.expect("imports").counts[&OrgKind::Staff].updated, 1);
        let after = t.store.account("scjg.clerk").await.expect("read").expect("account");
        assert_eq!((after.password_hash, after.phone.as_deref()), (hash, Some("13900000000")), "{}", t.name);
        let audit = t.store.audit_entries().await.expect("audit");
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "org.staff.create").count(), 2, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "org.staff.update").count(), 1, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "account.activation.issue").count(), 2, "{actions:?}");
        // Retiring: refused while staff sit at the window, then allowed; a retired window
        // takes no new staff but keeps its row.
        let busy = retire_org_record(&app, &Principal::console(), OrgKind::Windows, "SC-01").await;
        assert!(matches!(busy, Err(AppError::Conflict(ref m)) if m.contains("staff scjg.clerk")), "{busy:?}");
        retire_org_record(&app, &Principal::console(), OrgKind::Staff, "scjg.clerk").await.expect("retired");
        retire_org_record(&app, &Principal::console(), OrgKind::Windows, "SC-01").await.expect("retired");
        let fields = [
            ("login", "scjg.x"),
            ("name", "新人"),
            ("role", "window_clerk"),
            ("department", "scjg"),
            ("window", "SC-01"),
        ];
        let fields = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let e = put_org_record(&app, &Principal::console(), OrgKind::Staff, &fields).await;
        assert!(
            matches!(e, Err(AppError::Invalid(ref f)) if f == &[("window".to_owned(), "window SC-01 is retired".to_owned())]),
            "{e:?}"
        );
        assert!(t.store.org_known().await.expect("known").windows.values().any(|w| w.retired));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn the_national_divisions_ship_with_the_product_and_import_as_no_ops() {
    for t in each_backend().await {
        let app = app(&t);
        // Codes and names as the national list has them (GB/T 2260 / NBS 2023).
        let file =
            "code,name,parent\n630000,青海省,\n630100,西宁市,630000\n630102,城东区,630100\n620171,兰州新区,620100\n";
        let report = import(&app, OrgKind::Divisions, file).await.expect("imports");
        let c = report.counts[&OrgKind::Divisions];
        assert_eq!((c.created, c.updated, c.unchanged), (0, 0, 4), "{}", t.name);
        // A department may name any shipped division without importing divisions first.
        let report = import(&app, OrgKind::Departments, "code,name,division,site\nscjg,市场监督管理局,652800,\n")
            .await
            .expect("imports");
        assert_eq!(report.counts[&OrgKind::Departments].created, 1);
        // The center's divisions are listed: those its departments and sites are in, with
        // the ones above and inside them — not the whole national list.
        let listed = tongban_app::organisation::org_records(&app, &Principal::console(), OrgKind::Divisions)
            .await
            .expect("divisions");
        let codes: Vec<&str> = listed.iter().map(|(r, _)| r.key()).collect();
        assert!(codes.contains(&"650000") && codes.contains(&"652800") && codes.contains(&"652801"), "{codes:?}");
        assert!(!codes.contains(&"110000") && !codes.contains(&"630100"), "{codes:?}");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_title_above_the_header_of_an_office_workbook_is_passed_over() {
    for t in each_backend().await {
        let app = app(&t);
        let columns = OrgKind::Sites.columns().iter().map(|c| (*c).to_owned()).collect();
        let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let book = write_xlsx(&[Sheet::new(
            "sites",
            &["西宁市办事地点一览表", "", "", "", "", ""],
            vec![
                columns,
                row(&["main", "西宁市政务服务中心", "630100", "", "", ""]),
                row(&["cd", "", "630102", "", "", ""]),
            ],
        )])
        .expect("book");
        let upload = Upload { name: Some("sites.xlsx"), format: Format::Xlsx };
        let one = OrgFile::One(OrgKind::Sites);
        let e = refused(import_org(&app, &Principal::console(), one, &upload, &book, false).await);
        assert_eq!(e, ["sheet sites, row 4, column name: name must be 1–100 characters"], "{}", t.name);
        let fixed = write_xlsx(&[Sheet::new(
            "sites",
            &["西宁市办事地点一览表", "", "", "", "", ""],
            vec![
                OrgKind::Sites.columns().iter().map(|c| (*c).to_owned()).collect(),
                row(&["main", "西宁市政务服务中心", "630100", "", "", ""]),
            ],
        )])
        .expect("book");
        let report = import_org(&app, &Principal::console(), one, &upload, &fixed, false).await.expect("imports");
        assert_eq!(report.counts[&OrgKind::Sites].created, 1);
        t.cleanup().await;
    }
}
