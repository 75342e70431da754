//! The binary as people and scripts use it: help, exit codes, imports that check every row
//! first, calendar queries, and `audit verify` catching tampering on both databases.

use std::process::{Command, Output};

use tongban_store::testing::{each_backend, seed_minimal};

fn tongban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban")).args(args).env("TONGBAN_LOG", "warn").output().expect("tongban runs")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["import", "catalog", "--help"],
        vec!["export", "catalog", "--help"],
        vec!["import", "lists", "--help"],
        vec!["export", "lists", "--help"],
        vec!["calendar", "due", "--help"],
        vec!["calendar", "between", "--help"],
        vec!["calendar", "import", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["bench", "store", "--help"],
        vec!["report", "reform", "--help"],
    ] {
        let o = tongban(&args);
        assert!(o.status.success(), "{args:?}: {:?}", text(&o));
        assert!(text(&o).0.contains("Usage"), "{args:?}");
    }
    assert_eq!(tongban(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn calendar_due_answers_across_spring_festival() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");
    let tongban = |args: &[&str]| tongban(&[args, &["--data-dir", data]].concat());
    let o = tongban(&["calendar", "due", "--from", "2024-02-08T10:00", "--working-days", "3"]);
    // 9 Feb, then 10–17 Feb off, 18 Feb (Sunday) worked, 19 Feb: the third working day.
    assert_eq!(text(&o).0.trim(), "2024-02-19T17:30:00+08:00", "{:?}", text(&o));
    // 2030 has no announced schedule: provisional, by the holiday law (春节 2–4 Feb 2030 is
    // 初一–初三 after 除夕 on 2 Feb… the law's days), and marked as such.
    let o = tongban(&["calendar", "due", "--from", "2030-02-08T10:00", "--working-days", "3"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("暂定"), "{:?}", text(&o));
    let o = tongban(&["calendar", "due", "--from", "2101-02-08T10:00", "--working-days", "3"]);
    assert!(!o.status.success(), "outside the holiday law's years is an error, not a guess");
    let o = tongban(&["calendar", "between", "--from", "2024-02-08T10:00", "--to", "2024-02-18T10:00", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text(&o).0).expect("json");
    assert_eq!(v["working_minutes"], 360 + 420 + 60);
}

#[tokio::test]
async fn a_bad_catalog_import_reports_every_row_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");
    let store = tongban_store::Store::open(&tongban_store::sqlite_url(dir.path())).await.expect("open");
    seed_minimal(&store).await;
    store.close().await;
    let header =
        "code,name,department,division,kind,category,legal_limit,promised_limit,materials,fees,channels,legal_basis";
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{header}\nA-1,好,fgw,620100,filing,time_limited,20d,5d,表|required|original,,window,依据\nA-2,坏,nope,620100,filing,fast,0d,5d,,,window,\n")).expect("write");
    let o = tongban(&["import", "catalog", "--data-dir", data, bad.to_str().expect("path")]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 3, column category"), "{err}");
    assert!(err.contains("line 3, column legal_limit"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    let o = tongban(&["export", "catalog", "--data-dir", data]);
    assert_eq!(text(&o).0.lines().count(), 3, "still the seeded catalog (header + 2 items)");
    // Export writes the guide's four columns too; a file with them reads back the same.
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("{header},sites,conditions,steps,contact\nA-1,好,fgw,620100,filing,time_limited,20d,5d,表|required|original,工本费|10.50,window;online,依据,,申请人为企业,受理;审查;决定,0931-1\n")).expect("write");
    let o = tongban(&["import", "catalog", "--data-dir", data, "--label", "改革版", good.to_str().expect("path")]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("published catalog version 2 with 1 items"));
    let exported = text(&tongban(&["export", "catalog", "--data-dir", data])).0;
    assert_eq!(exported, std::fs::read_to_string(&good).expect("read"), "export reads back what was imported");
}

#[tokio::test]
async fn audit_verify_catches_edits_deletions_and_swaps() {
    for tamper in ["edit", "delete", "swap"] {
        for t in each_backend().await {
            let now: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("valid");
            t.store
                .write(move |c| {
                    Box::pin(async move {
                        for i in 0..5 {
                            tongban_store::append_audit(c, now, &format!("user{i}"), "login.success", "-", "{}")
                                .await?;
                        }
                        Ok::<_, tongban_store::StoreError>(())
                    })
                })
                .await
                .expect("audit entries");
            let verify = || tongban(&["audit", "verify", "--database-url", &t.url]);
            let o = verify();
            assert!(o.status.success(), "{}: {:?}", t.name, text(&o));
            assert!(text(&o).0.contains("5 entries"));
            // Someone with database access removes the guard and tampers.
            let sql: &[&str] = match (t.name, tamper) {
                ("sqlite", _) => &["drop trigger audit_log_no_update", "drop trigger audit_log_no_delete"],
                _ => &["drop trigger audit_log_no_change on audit_log"],
            };
            let mut statements: Vec<&str> = sql.to_vec();
            statements.extend(match tamper {
                "edit" => &["update audit_log set actor = 'mallory' where seq = 3"][..],
                "delete" => &["delete from audit_log where seq = 3"][..],
                _ => &[
                    "update audit_log set seq = -2 where seq = 2",
                    "update audit_log set seq = 2 where seq = 3",
                    "update audit_log set seq = 3 where seq = -2",
                ][..],
            });
            let statements: Vec<String> = statements.into_iter().map(str::to_owned).collect();
            t.store
                .write(move |c| {
                    Box::pin(async move {
                        for s in statements {
                            c.query(&s).execute().await?;
                        }
                        Ok::<_, tongban_store::StoreError>(())
                    })
                })
                .await
                .expect("tampering");
            let o = verify();
            let (_, err) = text(&o);
            assert_eq!(o.status.code(), Some(1), "{} {tamper}: {err}", t.name);
            let expected = match tamper {
                "edit" => "entry 3 was edited",
                "delete" => "entry 4 stands where entry 3 should",
                _ => "entry 2 does not follow",
            };
            assert!(err.contains(expected), "{} {tamper}: {err}", t.name);
            t.cleanup().await;
        }
    }
}

/// Event rows are checked too: an edited row fails its own hash, and one rewritten with a
/// fresh hash no longer matches the hash its submission's audit entry names.
#[tokio::test]
async fn audit_verify_catches_edited_case_events() {
    use tongban_core::case::{Applicant, ApplicantKind, Case, Submission};
    for rehash in [false, true] {
        for t in each_backend().await {
            let item = seed_minimal(&t.store).await;
            let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("valid");
            let submission = Submission {
                applicant: Applicant {
                    kind: ApplicantKind::Enterprise,
                    name: "兰州某某有限公司".into(),
                    id_number: "91350100M000100Y43".into(),
                    phone: None,
                },
                channel: tongban_core::item::Channel::Online,
                materials: vec!["项目备案申请表".into(), "营业执照".into()],
                owner: "hall.online".into(),
                priority: false,
                submitter: None,
            };
            let case = t
                .store
                .submit_case(item.division.clone(), 2026, "applicant".into(), move |number| {
                    Ok::<_, tongban_store::StoreError>(Case::submit(number, &item, 1, submission, at).expect("valid"))
                })
                .await
                .expect("submitted");
            let verify = || tongban(&["audit", "verify", "--json", "--database-url", &t.url]);
            let o = verify();
            let report: serde_json::Value = serde_json::from_str(&text(&o).0).expect("json");
            assert_eq!((report["ok"].as_bool(), report["events"].as_u64()), (Some(true), Some(1)), "{report}");
            // Someone with database access drops the guard and changes the applicant's name
            // in the history.
            let guard = if t.name == "sqlite" {
                "drop trigger event_no_update"
            } else {
                "drop trigger event_no_update on event"
            };
            t.store
                .write(move |c| Box::pin(async move { c.query(guard).execute().await.map(|_| ()) }))
                .await
                .expect("drop the guard");
            let forged = r#"replace(payload, '兰州某某有限公司', '别人的公司')"#;
            let sql = if rehash {
                // … and writes the hash that fits the forgery (anyone can compute SHA-256).
                let number = case.number.to_string();
                t.store
                    .write(move |c| {
                        Box::pin(async move {
                            c.query(&format!("update event set payload = {forged} where seq = 1")).execute().await?;
                            let row = c
                                .query("select kind, actor, at, payload from event where case_number = $1 and seq = 1")
                                .bind(number.as_str())
                                .fetch_one()
                                .await?;
                            let hash = tongban_core::audit::event_hash(
                                &number,
                                1,
                                &row.try_get::<String, _>("kind")?,
                                &row.try_get::<String, _>("actor")?,
                                &row.try_get::<String, _>("at")?,
                                &row.try_get::<String, _>("payload")?,
                                None,
                            );
                            Ok::<_, tongban_store::StoreError>(format!(
                                "update event set hash = '{hash}' where seq = 1"
                            ))
                        })
                    })
                    .await
                    .expect("forge")
            } else {
                format!("update event set payload = {forged} where seq = 1")
            };
            t.store
                .write(move |c| Box::pin(async move { c.query(&sql).execute().await.map(|_| ()) }))
                .await
                .expect("tamper");
            let o = verify();
            assert_eq!(o.status.code(), Some(1), "{} rehash={rehash}: {:?}", t.name, text(&o));
            let report: serde_json::Value = serde_json::from_str(&text(&o).0).expect("json");
            let why = report["events_error"].as_str().unwrap_or("");
            let expected = if rehash { "named in the audit chain" } else { "does not match its hash" };
            assert!(why.contains(expected), "{} rehash={rehash}: {report}", t.name);
            assert_eq!(report["entries"], 1, "the chain itself is intact: {report}");
            t.cleanup().await;
        }
    }
}

#[tokio::test]
async fn admin_create_user_checks_the_department_as_the_api_does() {
    for t in each_backend().await {
        seed_minimal(&t.store).await;
        let create = |login: &str, role: &str, department: Option<&str>| {
            let mut args = vec!["admin", "create-user", "--database-url", &t.url, "--login", login, "--name", "王芳"];
            args.extend(["--role", role, "--password-env", "TB_TEST_PASSWORD"]);
            if let Some(d) = department {
                args.extend(["--department", d]);
            }
            Command::new(env!("CARGO_BIN_EXE_tongban"))
                .args(&args)
                .env("TONGBAN_LOG", "warn")
                .env("TB_TEST_PASSWORD", "long enough password")
                .output()
                .expect("tongban runs")
        };
        let o = create("wang.fang", "approver", Some("nosuch"));
        assert_eq!(o.status.code(), Some(2), "{}: {:?}", t.name, text(&o));
        assert!(text(&o).1.contains("department: no department nosuch"), "{:?}", text(&o));
        assert!(t.store.account("wang.fang").await.expect("read").is_none(), "nothing is written");
        let o = create("wang.fang", "approver", None);
        assert_eq!(o.status.code(), Some(2), "department staff need a department: {:?}", text(&o));
        let o = create("wang.fang", "approver", Some("fgw"));
        assert!(o.status.success(), "{}: {:?}", t.name, text(&o));
        let account = t.store.account("wang.fang").await.expect("read").expect("created");
        assert_eq!(account.department.map(|d| d.to_string()).as_deref(), Some("fgw"));
        let entries = t.store.audit_entries().await.expect("audit");
        assert!(entries.iter().any(|e| e.action == "account.create" && e.subject == "wang.fang" && e.actor == "-"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn report_reform_prints_the_apis_json_and_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");
    let store = tongban_store::Store::open(&tongban_store::sqlite_url(dir.path())).await.expect("open");
    let mut items = vec![seed_minimal(&store).await];
    items[0].promised_limit = Some(tongban_core::item::TimeLimit::parse("promised_limit", "3d").expect("valid"));
    store
        .write(move |conn| {
            Box::pin(async move {
                let at = "2026-06-01T00:00:00Z".parse().expect("valid");
                tongban_store::insert_catalog_version(conn, "改革版", &items, at).await
            })
        })
        .await
        .expect("version 2");
    store.close().await;
    let o = tongban(&["report", "reform", "--data-dir", data, "--from", "1", "--to", "2", "--json"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let v: serde_json::Value = serde_json::from_str(&text(&o).0).expect("json");
    for key in ["items", "materials", "steps", "average_promised_working_days"] {
        for part in ["before", "after", "change_percent"] {
            assert!(v[key].get(part).is_some(), "{key}.{part} in {v}");
            assert!(v["departments"][0][key].get(part).is_some(), "departments[0].{key}.{part} in {v}");
        }
    }
    assert_eq!(v["average_promised_working_days"]["change_percent"], -40.0, "5 → 3 working days");
    assert_eq!(v["cut"][0]["code"], "620100-FGW-002");
    let o = tongban(&["report", "reform", "--data-dir", data, "--from", "1", "--to", "2", "--format", "csv"]);
    let (csv, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(csv.lines().next(), Some("scope,department,name,measure,before,after,change_percent"));
    assert_eq!(csv.lines().count(), 1 + 4 + 4, "the totals and one department: {csv}");
    let xlsx = dir.path().join("reform.xlsx");
    let args = ["report", "reform", "--data-dir", data, "--from", "1", "--to", "2", "--format", "xlsx", "--output"];
    let o = tongban(&[&args[..], &[xlsx.to_str().expect("path")]].concat());
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(std::fs::read(&xlsx).expect("written").starts_with(b"PK"), "an xlsx (zip) file");
    let o = tongban(&["report", "reform", "--data-dir", data, "--from", "1", "--to", "7"]);
    assert_eq!(o.status.code(), Some(2), "no version 7: {:?}", text(&o));
}
