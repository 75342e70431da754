//! The published lists (issue 16): 权责清单, 职责清单, 财政专项资金管理清单 and 便民服务事项
//! imported from CSV and xlsx as new versions, searched, and downloaded again; every bad
//! file gives its exact, line-numbered errors and writes nothing. SQLite and PostgreSQL.

use tongban_app::lists::{ListQuery, import_list, import_lists};
use tongban_app::tables::{Format, Sheet, Upload, read, write_csv, write_xlsx};
use tongban_app::{App, AppError, Principal};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::identity::Role;
use tongban_core::lists::{Entry, ListKind};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const POWERS: &str = "code,name,kind,department,legal_basis,responsibility\n\
    QL-FGW-0001,企业投资项目核准,行政许可,fgw,《企业投资项目核准和备案管理条例》第三条,1.受理责任 2.审查责任\n\
    QL-FGW-0002,对违反价格法行为的处罚,行政处罚,fgw,《中华人民共和国价格法》第三十九条,1.立案责任 2.调查责任\n";

const FUNDS: &str = "code,name,department,amount_yuan,purpose,legal_basis\n\
    ZJ-FGW-01,中小企业发展专项资金,fgw,\"1,200,000.50\",支持中小企业技术改造,《中小企业发展专项资金管理办法》\n";

fn csv(name: &'static str) -> Upload<'static> {
    Upload { name: Some(name), format: Format::Csv }
}

fn xlsx() -> Upload<'static> {
    Upload { name: Some("lists.xlsx"), format: Format::Xlsx }
}

async fn center(t: &TestStore) -> App {
    seed_minimal(&t.store).await;
    App::new(t.store.clone(), WorkingCalendar::builtin())
}

/// The rows of a refused file, as printed; panics when the file was not refused row by row.
fn refused<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<String> {
    match r {
        Err(AppError::Rows(rows)) => rows.iter().map(ToString::to_string).collect(),
        other => panic!("expected a refusal row by row, got {other:?}"),
    }
}

fn query(q: &str) -> ListQuery {
    ListQuery { version: None, q: Some(q.to_owned()), page: 1, per_page: 50 }
}

async fn codes(app: &App, kind: ListKind, q: ListQuery) -> Vec<String> {
    let page = tongban_app::lists::list(app, kind, &q).await.expect("a page");
    page.entries.iter().map(|l| l.entry.code().to_string()).collect()
}

#[tokio::test]
async fn a_list_is_published_in_versions_and_searched_by_words() {
    for t in each_backend().await {
        let app = center(&t).await;
        let admin = Principal::console();
        let first =
            import_list(&app, &admin, ListKind::Powers, &csv("powers.csv"), POWERS.as_bytes(), "2025 年版", false)
                .await
                .expect("published");
        assert_eq!((first.version, first.entries), (Some(1), 2), "{}", t.name);
        let page = tongban_app::lists::list(
            &app,
            ListKind::Powers,
            &ListQuery { page: 1, per_page: 50, ..Default::default() },
        )
        .await
        .expect("page");
        assert_eq!(page.total, 2);
        assert_eq!(page.version.as_ref().map(|v| (v.number, v.label.as_str())), Some((1, "2025 年版")));
        assert_eq!(page.entries[0].department_name, "兰州市发展和改革委员会", "names come with the entries");
        // Words anywhere: a name word, a kind, the department's name, a code in lower case.
        assert_eq!(codes(&app, ListKind::Powers, query("核准")).await, ["QL-FGW-0001"]);
        assert_eq!(codes(&app, ListKind::Powers, query("行政处罚 价格法")).await, ["QL-FGW-0002"]);
        assert_eq!(codes(&app, ListKind::Powers, query("发展和改革")).await.len(), 2);
        assert_eq!(codes(&app, ListKind::Powers, query("ql-fgw-0002")).await, ["QL-FGW-0002"]);
        assert!(codes(&app, ListKind::Powers, query("核准 价格法")).await.is_empty(), "every word must match");
        assert!(codes(&app, ListKind::Powers, query("0%1")).await.is_empty(), "% is a character, not a wildcard");

        // A new version replaces what is shown; the old one stays readable.
        let one_row: String = POWERS.lines().take(2).map(|l| format!("{l}\n")).collect();
        let second =
            import_list(&app, &admin, ListKind::Powers, &csv("powers.csv"), one_row.as_bytes(), "2026 年版", false)
                .await
                .expect("published");
        assert_eq!(second.version, Some(2));
        assert_eq!(codes(&app, ListKind::Powers, query("")).await, ["QL-FGW-0001"]);
        let old = ListQuery { version: Some(1), page: 1, per_page: 50, ..Default::default() };
        assert_eq!(codes(&app, ListKind::Powers, old).await.len(), 2);
        let versions = tongban_app::lists::versions(&app, ListKind::Powers).await.expect("versions");
        assert_eq!(versions.iter().map(|v| (v.number, v.entries)).collect::<Vec<_>>(), [(1, 2), (2, 1)]);
        assert_eq!(versions[1].published_by, "-", "the console publishes as -");
        let gone = ListQuery { version: Some(9), page: 1, per_page: 50, ..Default::default() };
        assert!(matches!(tongban_app::lists::list(&app, ListKind::Powers, &gone).await, Err(AppError::NotFound(_))));
        // Versions count per kind; a kind never published shows an empty page.
        let funds = tongban_app::lists::list(&app, ListKind::Funds, &query("")).await.expect("page");
        assert!(funds.version.is_none() && funds.entries.is_empty());
        let audit = t.store.audit_entries().await.expect("audit");
        let published: Vec<&str> =
            audit.iter().filter(|e| e.action == "list.publish").map(|e| e.subject.as_str()).collect();
        assert_eq!(published, ["powers/1", "powers/2"], "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_file_names_every_problem_by_line_and_writes_nothing() {
    for t in each_backend().await {
        let app = center(&t).await;
        let admin = Principal::console();
        let bad = "code,name,kind,department,legal_basis,responsibility\n\
                   QL-1,甲,行政许可,fgw,法,责\n\
                   QL-2,乙,行政审批,nosuch,法,责\n\
                   \n\
                   QL-1,丙,行政处罚,fgw,,责\n";
        let rows =
            refused(import_list(&app, &admin, ListKind::Powers, &csv("powers.csv"), bad.as_bytes(), "x", false).await);
        assert_eq!(
            rows,
            [
                "powers.csv line 3, column kind: unknown kind \"行政审批\": one of 行政许可, 行政处罚, 行政强制, \
                 行政征收, 行政给付, 行政检查, 行政确认, 行政奖励, 行政裁决, 其他行政权力",
                "powers.csv line 3, column department: unknown department nosuch",
                "powers.csv line 5, column code: code QL-1 appears twice in the file (first at line 2)",
                "powers.csv line 5, column legal_basis: is empty",
            ]
        );
        let funds = "code,name,department,amount_yuan,purpose,legal_basis\nZJ-1,基金,fgw,12.345,扶持,办法\n";
        let rows =
            refused(import_list(&app, &admin, ListKind::Funds, &csv("funds.csv"), funds.as_bytes(), "x", false).await);
        assert_eq!(
            rows,
            ["funds.csv line 2, column amount_yuan: amount \"12.345\" must be yuan with at most two decimals, \
              e.g. 1200000 or 350000.50"]
        );
        // A good file on a dry run is checked and not written.
        let dry = import_list(&app, &admin, ListKind::Powers, &csv("powers.csv"), POWERS.as_bytes(), "x", true)
            .await
            .expect("checked");
        assert_eq!((dry.version, dry.entries), (None, 2));
        // Only administrators publish.
        let mut clerk = Principal::console();
        if let Some(a) = clerk.account.as_mut() {
            a.role = Role::WindowClerk;
        }
        let denied = import_list(&app, &clerk, ListKind::Powers, &csv("p.csv"), POWERS.as_bytes(), "x", false).await;
        assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
        for kind in ListKind::ALL {
            assert!(tongban_app::lists::versions(&app, kind).await.expect("versions").is_empty(), "{}", t.name);
        }
        assert!(!t.store.audit_entries().await.expect("audit").iter().any(|e| e.action == "list.publish"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_workbook_publishes_each_sheet_and_downloads_read_back() {
    for t in each_backend().await {
        let app = center(&t).await;
        let admin = Principal::console();
        let sheet = |kind: ListKind, csv: &str| {
            let table = &read(&Upload::CSV, csv.as_bytes()).expect("csv")[0];
            Sheet::new(kind.as_str(), kind.columns(), table.rows.iter().map(|r| r.cells.clone()).collect())
        };
        let book = write_xlsx(&[sheet(ListKind::Powers, POWERS), sheet(ListKind::Funds, FUNDS)]).expect("xlsx");
        // A sheet that is not a list refuses the whole workbook.
        let extra = write_xlsx(&[sheet(ListKind::Powers, POWERS), Sheet::new("notes", &["a"], vec![vec!["b".into()]])])
            .expect("xlsx");
        let rows = refused(import_lists(&app, &admin, &xlsx(), &extra, "x", false).await);
        assert_eq!(
            rows,
            ["lists.xlsx line 1: sheet notes is not a list: name each sheet powers, duties, funds or services"]
        );
        // A bad sheet refuses the good one with it.
        let mut bad_funds = sheet(ListKind::Funds, FUNDS);
        bad_funds.rows[0][2] = "nosuch".into();
        let mixed = write_xlsx(&[sheet(ListKind::Powers, POWERS), bad_funds]).expect("xlsx");
        let rows = refused(import_lists(&app, &admin, &xlsx(), &mixed, "x", false).await);
        assert_eq!(rows, ["sheet funds, row 2, column department: unknown department nosuch"]);
        assert!(tongban_app::lists::versions(&app, ListKind::Powers).await.expect("v").is_empty(), "nothing written");

        let done = import_lists(&app, &admin, &xlsx(), &book, "2026 年版", false).await.expect("published");
        let summary: Vec<_> = done.iter().map(|d| (d.kind, d.version, d.entries)).collect();
        assert_eq!(summary, [(ListKind::Powers, Some(1), 2), (ListKind::Funds, Some(1), 1)], "{}", t.name);
        // One kind from a workbook: its sheet by name.
        let again = import_list(&app, &admin, ListKind::Funds, &xlsx(), &book, "修订", false).await.expect("one sheet");
        assert_eq!(again.version, Some(2));
        let fund = &tongban_app::lists::list(&app, ListKind::Funds, &query("技术改造")).await.expect("page").entries[0];
        let Entry::Fund(f) = &fund.entry else { panic!("a fund") };
        assert_eq!(f.amount_fen, 120_000_050, "exact to the fen");

        // Downloads: the CSV and the workbook import again to the same entries.
        let (version, exported) = tongban_app::lists::export(&app, ListKind::Funds, None).await.expect("export");
        assert_eq!(version.number, 2);
        let text = write_csv(&exported);
        assert!(text.starts_with("code,name,department,amount_yuan,purpose,legal_basis\n"), "{text}");
        assert!(text.contains(",1200000.50,"), "{text}");
        let all = tongban_app::lists::export_all(&app).await.expect("export all");
        assert_eq!(
            all.iter().map(|(v, s)| (v.kind, s.name.as_str())).collect::<Vec<_>>(),
            [(ListKind::Powers, "powers"), (ListKind::Funds, "funds")]
        );
        let sheets: Vec<Sheet> = all.into_iter().map(|(_, s)| s).collect();
        let workbook = write_xlsx(&sheets).expect("xlsx");
        import_list(&app, &admin, ListKind::Funds, &csv("funds.csv"), text.as_bytes(), "导回", false)
            .await
            .expect("csv");
        import_lists(&app, &admin, &xlsx(), &workbook, "导回", false).await.expect("xlsx");
        for kind in [ListKind::Powers, ListKind::Funds] {
            let versions = tongban_app::lists::versions(&app, kind).await.expect("versions");
            let (before, after) = (versions[versions.len() - 2].number, versions[versions.len() - 1].number);
            let (_, a) = tongban_app::lists::export(&app, kind, Some(before)).await.expect("export");
            let (_, b) = tongban_app::lists::export(&app, kind, Some(after)).await.expect("export");
            assert_eq!(a.rows, b.rows, "{kind} reads back unchanged");
        }
        assert!(matches!(tongban_app::lists::export(&app, ListKind::Duties, None).await, Err(AppError::NotFound(_))));
        t.cleanup().await;
    }
}
