//! `tongban import lists` and `tongban export lists` as people and scripts use them: a bad
//! file lists every problem, one a line, exits 2 and writes nothing; a workbook publishes
//! each of its lists; the exports read back.

use std::process::{Command, Output};

use tongban_server::app::tables::{Format, Sheet, Upload, read, write_xlsx};
use tongban_store::testing::seed_minimal;

fn tongban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban")).args(args).env("TONGBAN_LOG", "warn").output().expect("tongban runs")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

const POWERS: &str = "code,name,kind,department,legal_basis,responsibility\n\
    QL-1,企业投资项目核准,行政许可,fgw,《企业投资项目核准和备案管理条例》,受理责任；审查责任\n\
    QL-2,对价格违法行为的行政处罚,行政处罚,fgw,《中华人民共和国价格法》,立案责任；调查责任\n";

#[tokio::test]
async fn lists_import_checks_everything_first_and_export_reads_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");
    let store = tongban_store::Store::open(&tongban_store::sqlite_url(dir.path())).await.expect("open");
    seed_minimal(&store).await;
    store.close().await;
    let path = |name: &str| dir.path().join(name).to_str().expect("utf-8 path").to_owned();

    let bad = path("powers.csv");
    std::fs::write(&bad, format!("{POWERS}QL-1,丙,行政审批,nosuch,法,\n")).expect("write");
    let o = tongban(&["import", "lists", "--data-dir", data, "--kind", "powers", &bad]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let kinds =
        "行政许可, 行政处罚, 行政强制, 行政征收, 行政给付, 行政检查, 行政确认, 行政奖励, 行政裁决, 其他行政权力";
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        [
            format!("{bad} line 4, column code: code QL-1 appears twice in the file (first at line 2)"),
            format!("{bad} line 4, column kind: unknown kind \"行政审批\": one of {kinds}"),
            format!("{bad} line 4, column department: unknown department nosuch"),
            format!("{bad} line 4, column responsibility: is empty"),
            "nothing was imported: 4 error(s)".to_owned(),
        ]
    );
    let o = tongban(&["export", "lists", "--data-dir", data, "--format", "csv", "--kind", "powers"]);
    assert!(!o.status.success(), "nothing was published: {:?}", text(&o));

    // A workbook: every sheet named by a list is published, as one version each.
    let rows = |csv: &str| read(&Upload::CSV, csv.as_bytes()).expect("csv").remove(0).rows.into_iter().map(|r| r.cells);
    let funds =
        "code,name,department,amount_yuan,purpose,legal_basis\nZJ-1,中小企业发展专项资金,fgw,1200000,技术改造,办法\n";
    let book = write_xlsx(&[
        Sheet::new(
            "powers",
            &["code", "name", "kind", "department", "legal_basis", "responsibility"],
            rows(POWERS).collect(),
        ),
        Sheet::new(
            "funds",
            &["code", "name", "department", "amount_yuan", "purpose", "legal_basis"],
            rows(funds).collect(),
        ),
    ])
    .expect("xlsx");
    let xlsx = path("lists.xlsx");
    std::fs::write(&xlsx, book).expect("write");
    let o = tongban(&["import", "lists", "--data-dir", data, "--dry-run", &xlsx]);
    assert_eq!(text(&o).0, "powers: 2 entries checked\nfunds: 1 entries checked\ndry run: nothing was written\n");
    let o = tongban(&["import", "lists", "--data-dir", data, "--label", "2026 年版", &xlsx]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(
        text(&o).0,
        "published powers version 1 (2026 年版) with 2 entries\npublished funds version 1 (2026 年版) with 1 entries\n"
    );

    // Exports: CSV of one list as imported; a workbook of every published list.
    let o = tongban(&["export", "lists", "--data-dir", data, "--format", "csv", "--kind", "powers"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(text(&o).0, POWERS, "the export is the file imported");
    let out = path("all.xlsx");
    let o = tongban(&["export", "lists", "--data-dir", data, "--output", &out]);
    assert!(o.status.success(), "{:?}", text(&o));
    let tables =
        read(&Upload { name: None, format: Format::Xlsx }, &std::fs::read(&out).expect("written")).expect("xlsx");
    let names: Vec<_> = tables.iter().filter_map(tongban_server::app::tables::sheet_name).collect();
    assert_eq!(names, ["powers", "funds"]);
    assert_eq!(tables[1].rows[0].cells[3], "1200000.00", "the amount in yuan, to the fen");
    // A CSV of several lists is several files: refused without a directory.
    let o = tongban(&["export", "lists", "--data-dir", data, "--format", "csv"]);
    assert!(!o.status.success() && text(&o).1.contains("--kind"), "{:?}", text(&o));
    let o = tongban(&["export", "lists", "--data-dir", data, "--kind", "nosuch"]);
    assert_eq!(o.status.code(), Some(2), "clap refuses an unknown list: {:?}", text(&o));
}
