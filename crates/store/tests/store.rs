//! Store integration tests: every body runs on SQLite and on PostgreSQL.

use tongban_core::case::{Applicant, ApplicantKind, Case, CaseEvent, CaseNumber, DeliveryMethod, Submission};
use tongban_core::item::{Category, Channel, ItemCode, ServiceItem};
use tongban_store::testing::{each_backend, seed_minimal};
use tongban_store::{ItemFilter, Store, StoreError, allocate_case_number, append_events, insert_case};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid timestamp")
}

fn submission(name: &str) -> Submission {
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: name.into(),
            id_number: "91620100MA7XXXXX1A".into(),
            phone: None,
        },
        channel: Channel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    }
}

async fn submit(store: &Store, item: &ServiceItem, name: &str) -> Result<Case, StoreError> {
    let (item, sub) = (item.clone(), submission(name));
    store
        .write(move |conn| {
            Box::pin(async move {
                let number = allocate_case_number(conn, &item.division, 2026).await?;
                let (case, event) =
                    Case::submit(number, &item, 1, sub, at("2026-03-02T02:00:00Z")).expect("valid submission");
                insert_case(conn, &case, &event, "hall.online").await?;
                Ok(case)
            })
        })
        .await
}

#[tokio::test]
async fn an_in_memory_sqlite_database_is_refused_with_a_clear_error() {
    for url in ["sqlite::memory:", "sqlite://:memory:", "sqlite://x.db?mode=memory"] {
        let e = Store::open(url).await.expect_err(url);
        assert!(matches!(e, StoreError::UnsupportedUrl(_)) && e.to_string().contains("in-memory"), "{url}: {e}");
    }
}

#[tokio::test]
async fn migrations_run_twice_without_harm() {
    for t in each_backend().await {
        let again = Store::open(&t.url).await.expect("reopen runs migrations again");
        again.close().await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn items_are_searched_filtered_and_paged() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let all = t.store.items(&ItemFilter { page: 1, per_page: 20, ..Default::default() }).await.expect("query");
        assert_eq!(all.total, 2, "{}", t.name);
        let text = t
            .store
            .items(&ItemFilter { text: Some("变更".into()), page: 1, per_page: 20, ..Default::default() })
            .await
            .expect("query");
        assert_eq!(text.items.len(), 1, "{}", t.name);
        let same_day = t
            .store
            .items(&ItemFilter { category: Some(Category::SameDay), page: 1, per_page: 20, ..Default::default() })
            .await
            .expect("query");
        assert_eq!(same_day.items[0].item.category, Category::SameDay);
        let county = t
            .store
            .items(&ItemFilter {
                division: Some(tongban_core::division::DivisionCode::parse("620000").expect("valid")),
                page: 1,
                per_page: 1,
                ..Default::default()
            })
            .await
            .expect("query");
        assert_eq!(
            (county.items.len(), county.total),
            (1, 2),
            "{}: a province filter finds its cities' items, one per page",
            t.name
        );
        let percent = t
            .store
            .items(&ItemFilter { text: Some("%".into()), page: 1, per_page: 20, ..Default::default() })
            .await
            .expect("query");
        assert_eq!(percent.total, 0, "{}: % is matched literally", t.name);
        let found = t.store.item_by_code(&item.code).await.expect("query").expect("exists");
        assert_eq!((found.version, found.item), (1, item), "{}", t.name);
        assert!(t.store.item_by_code(&ItemCode::parse("nope").expect("valid")).await.expect("query").is_none());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_submissions_get_unique_gapless_numbers() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (store, item) = (t.store.clone(), item.clone());
            tasks.spawn(async move { submit(&store, &item, &format!("企业{i}")).await.expect("submitted").number });
        }
        let mut numbers = Vec::new();
        while let Some(n) = tasks.join_next().await {
            numbers.push(n.expect("task").to_string());
        }
        numbers.sort();
        let expected: Vec<String> = (1..=40).map(|i| format!("620100-2026-{i:06}")).collect();
        assert_eq!(numbers, expected, "{}", t.name);
        assert_eq!(t.store.counts().await.expect("counts"), (40, 40));
        t.cleanup().await;
    }
}

/// Writes queued together commit together; one that fails after it wrote is undone alone,
/// and the writes before and after it in the same batch keep exactly what they wrote.
#[tokio::test]
async fn a_write_that_fails_after_writing_is_undone_alone_in_its_batch() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        // Hold the writer with a write that waits, so that all the writes below queue
        // behind it and run as one batch (on SQLite; PostgreSQL runs each on its own).
        let (release, held) = tokio::sync::oneshot::channel::<()>();
        let (started, holding) = tokio::sync::oneshot::channel::<()>();
        let holder = {
            let store = t.store.clone();
            tokio::spawn(async move {
                store
                    .write(move |_| {
                        Box::pin(async move {
                            let _ = started.send(());
                            let _ = held.await;
                            Ok::<_, StoreError>(())
                        })
                    })
                    .await
            })
        };
        holding.await.expect("the holder runs");
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..30 {
            let (store, item) = (t.store.clone(), item.clone());
            tasks.spawn(async move {
                let outcome = store
                    .write(move |conn| {
                        Box::pin(async move {
                            let number = allocate_case_number(conn, &item.division, 2026).await?;
                            let (case, event) = Case::submit(
                                number,
                                &item,
                                1,
                                submission(&format!("企业{i}")),
                                at("2026-03-02T02:00:00Z"),
                            )
                            .expect("valid");
                            insert_case(conn, &case, &event, "hall.online").await?;
                            // Every seventh write fails after writing its case and event.
                            if i % 7 == 3 { Err(StoreError::Duplicate(format!("deliberately {i}"))) } else { Ok(case) }
                        })
                    })
                    .await;
                (i, outcome)
            });
        }
        // Let every write reach the queue, then release the writer.
        while t.store.queued_writes() < 30 && t.store.backend() == tongban_store::Backend::Sqlite {
            tokio::task::yield_now().await;
        }
        release.send(()).expect("the holder waits");
        holder.await.expect("holder task").expect("holder write");
        let mut kept = Vec::new();
        while let Some(r) = tasks.join_next().await {
            let (i, outcome) = r.expect("task");
            match outcome {
                Ok(case) => kept.push(case),
                Err(e) => assert!(i % 7 == 3 && matches!(e, StoreError::Duplicate(_)), "{}: write {i}: {e}", t.name),
            }
        }
        assert_eq!(kept.len(), 30 - 4, "{}", t.name);
        assert_eq!(t.store.counts().await.expect("counts"), (26, 26), "{}", t.name);
        for case in &kept {
            assert_eq!(t.store.case_by_number(&case.number).await.expect("read").as_ref(), Some(case), "{}", t.name);
            let events = t.store.events_for_case(&case.number).await.expect("events");
            assert_eq!(events.len(), 1, "{}", t.name);
        }
        if t.store.backend() == tongban_store::Backend::Sqlite {
            // The failed writes' numbers went back: the kept ones are 1..=26, no gaps.
            let mut numbers: Vec<String> = kept.iter().map(|c| c.number.to_string()).collect();
            numbers.sort();
            let expected: Vec<String> = (1..=26).map(|i| format!("620100-2026-{i:06}")).collect();
            assert_eq!(numbers, expected);
        }
        t.cleanup().await;
    }
}

/// The submission path: numbered, stored with its event, and nothing stored when the core
/// refuses (on PostgreSQL the refused submission's number is a gap, on SQLite it is reused).
#[tokio::test]
async fn submit_case_numbers_and_stores_a_case_with_its_event() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..12 {
            let (store, item) = (t.store.clone(), item.clone());
            tasks.spawn(async move {
                let division = item.division.clone();
                store
                    .submit_case(division, 2026, "hall.online".into(), move |number| {
                        let sub = submission(&format!("企业{i}"));
                        Ok::<_, StoreError>(
                            Case::submit(number, &item, 1, sub, at("2026-03-02T02:00:00Z")).expect("valid"),
                        )
                    })
                    .await
                    .expect("submitted")
            });
        }
        let mut cases = Vec::new();
        while let Some(c) = tasks.join_next().await {
            cases.push(c.expect("task"));
        }
        let mut numbers: Vec<String> = cases.iter().map(|c| c.number.to_string()).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 12, "{}: numbers are unique", t.name);
        for case in &cases {
            assert_eq!(t.store.case_by_number(&case.number).await.expect("read").as_ref(), Some(case), "{}", t.name);
            let events = t.store.events_for_case(&case.number).await.expect("events");
            assert_eq!((events.len(), events[0].actor.as_str()), (1, "hall.online"), "{}", t.name);
        }
        let division = item.division.clone();
        let refused: Result<Case, StoreError> =
            t.store.submit_case(division, 2026, "x".into(), |_| Err(StoreError::Closed)).await;
        assert!(matches!(refused, Err(StoreError::Closed)), "{}", t.name);
        assert_eq!(t.store.counts().await.expect("counts"), (12, 12), "{}", t.name);
        t.cleanup().await;
    }
}

/// A write that panics is undone and its caller gets an error; the writer carries on.
/// SQLite only: there writes run on the store's one writer thread, which must survive a
/// panicking write; on PostgreSQL a write runs on its caller's task, and a panic unwinds
/// that task with its transaction rolled back.
#[tokio::test]
async fn a_write_that_panics_fails_alone() {
    let t = tongban_store::testing::sqlite().await;
    let item = seed_minimal(&t.store).await;
    let it = item.clone();
    let panicked: Result<(), StoreError> = t
        .store
        .write(move |conn| {
            Box::pin(async move {
                let number = allocate_case_number(conn, &it.division, 2026).await?;
                let (case, event) =
                    Case::submit(number, &it, 1, submission("甲"), at("2026-03-02T02:00:00Z")).expect("valid");
                insert_case(conn, &case, &event, "x").await?;
                if case.version > 0 {
                    panic!("a bug in a write");
                }
                Ok(())
            })
        })
        .await;
    assert!(matches!(panicked, Err(StoreError::NotCommitted(_))), "{panicked:?}");
    assert_eq!(t.store.counts().await.expect("counts"), (0, 0));
    let case = submit(&t.store, &item, "乙").await.expect("the writer still writes");
    assert_eq!(case.number.to_string(), "620100-2026-000001");
    t.cleanup().await;
}

#[tokio::test]
async fn a_failed_write_leaves_nothing() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let it = item.clone();
        let failed: Result<(), StoreError> = t
            .store
            .write(move |conn| {
                Box::pin(async move {
                    let number = allocate_case_number(conn, &it.division, 2026).await?;
                    let (case, event) =
                        Case::submit(number, &it, 1, submission("甲"), at("2026-03-02T02:00:00Z")).expect("valid");
                    insert_case(conn, &case, &event, "x").await?;
                    Err(StoreError::Closed)
                })
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(t.store.counts().await.expect("counts"), (0, 0), "{}", t.name);
        let case = submit(&t.store, &item, "乙").await.expect("submitted");
        // SQLite returns the failed write's number; PostgreSQL's sequence may leave a gap,
        // which numbering allows (unique, not dense).
        let allowed: &[&str] =
            if t.name == "sqlite" { &["620100-2026-000001"] } else { &["620100-2026-000001", "620100-2026-000002"] };
        assert!(allowed.contains(&case.number.as_str()), "{}: {}", t.name, case.number);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_stale_version_is_a_conflict() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let case = submit(&t.store, &item, "甲").await.expect("submitted");
        let event = CaseEvent::Rejected { reason: "材料不符".into() };
        let mut after = case.clone();
        after.apply(&event, at("2026-03-02T03:00:00Z"));
        let (a1, e1) = (after.clone(), event.clone());
        t.store
            .write(move |c| {
                Box::pin(
                    async move { append_events(c, 1, &a1, &[e1], "clerk", at("2026-03-02T03:00:00Z"), None).await },
                )
            })
            .await
            .expect("first wins");
        let second = t
            .store
            .write(move |c| {
                Box::pin(async move {
                    append_events(c, 1, &after, &[event], "clerk2", at("2026-03-02T03:00:00Z"), None).await
                })
            })
            .await;
        assert!(matches!(second, Err(StoreError::Conflict { expected: 1, actual: 2, .. })), "{}: {second:?}", t.name);
        let history = t.store.events_for_case(&case.number).await.expect("events");
        assert_eq!(history.iter().map(|e| e.event.kind()).collect::<Vec<_>>(), ["submitted", "rejected"]);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn the_event_log_is_append_only() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let case = submit(&t.store, &item, "甲").await.expect("submitted");
        let n = case.number.to_string();
        let edit: Result<(), StoreError> = t
            .store
            .write(move |c| {
                Box::pin(async move {
                    c.query("update event set actor = 'mallory' where case_number = $1").bind(n).execute().await?;
                    Ok(())
                })
            })
            .await;
        assert!(edit.is_err(), "{}", t.name);
        let n = case.number.to_string();
        let delete: Result<(), StoreError> = t
            .store
            .write(move |c| {
                Box::pin(async move {
                    c.query("delete from event where case_number = $1").bind(n).execute().await?;
                    Ok(())
                })
            })
            .await;
        assert!(delete.is_err(), "{}", t.name);
        assert_eq!(t.store.events_for_case(&case.number).await.expect("events")[0].actor, "hall.online");
        assert_eq!(t.store.case_by_number(&case.number).await.expect("case"), Some(case));
        assert!(
            t.store
                .case_by_number(&CaseNumber::parse("620100-2026-999999").expect("valid"))
                .await
                .expect("query")
                .is_none()
        );
        t.cleanup().await;
    }
}

/// Concurrent writers each take the next audit number, catalog version and plan version:
/// none is taken twice and the audit chain verifies (on PostgreSQL two transactions used to
/// read the same last row and one failed with a duplicate key).
#[tokio::test]
async fn concurrent_writers_append_to_one_audit_chain_and_version_sequences() {
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..32 {
            let (store, item) = (t.store.clone(), item.clone());
            tasks.spawn(async move {
                store
                    .write(move |conn| {
                        Box::pin(async move {
                            let now = at("2026-03-02T02:00:00Z");
                            tongban_store::append_audit(conn, now, "admin", "test.concurrent", &i.to_string(), "{}")
                                .await?;
                            let version =
                                tongban_store::insert_catalog_version(conn, &format!("v{i}"), &[item], now).await?;
                            Ok::<_, StoreError>(version)
                        })
                    })
                    .await
            });
        }
        let mut versions = Vec::new();
        while let Some(r) = tasks.join_next().await {
            versions.push(r.expect("task").unwrap_or_else(|e| panic!("{}: a concurrent write failed: {e}", t.name)));
        }
        versions.sort_unstable();
        assert_eq!(versions, (2..=33).collect::<Vec<u32>>(), "{}", t.name);
        let entries = t.store.audit_entries().await.expect("audit entries");
        assert_eq!(entries.len(), 32, "{}", t.name);
        assert_eq!(tongban_core::audit::verify(&entries), Ok(32), "{}", t.name);
        t.cleanup().await;
    }
}

/// Two servers on one database: exactly one holds a lease, and the other takes it once the
/// first lets go — on SQLite too (a lock on a file beside the database), not only on
/// PostgreSQL (an advisory lock).
#[tokio::test]
async fn a_lease_has_one_holder_across_servers_on_one_database() {
    for t in each_backend().await {
        let other = Store::open(&t.url).await.expect("a second server's store");
        let first = t.store.try_lease(4242).await.expect("try").expect("the first takes it");
        assert!(other.try_lease(4242).await.expect("try").is_none(), "{}: held by the first", t.name);
        assert!(other.try_lease(4243).await.expect("try").is_some(), "{}: another lease is free", t.name);
        drop(first);
        let mut taken = None;
        for _ in 0..100 {
            // PostgreSQL releases a dropped connection's locks asynchronously.
            taken = other.try_lease(4242).await.expect("try");
            if taken.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(taken.is_some(), "{}: the second takes over", t.name);
        other.close().await;
        t.cleanup().await;
    }
}

/// The published monthly figures count by the months core gives (China Standard Time) and
/// by core's on-time verdict, recorded when each case is written.
#[tokio::test]
async fn monthly_figures_count_china_months_and_cores_on_time_verdict() {
    use tongban_core::calendar::Limit;
    for t in each_backend().await {
        let item = seed_minimal(&t.store).await;
        // (submitted, accepted, due, delivered): on time in January (Beijing), late on
        // 1 February 01:00 in Beijing (still 31 January in UTC), and one still running.
        let runs = [
            ("2026-01-05T02:00:00Z", "2026-01-05T03:00:00Z", "2026-01-09T09:30:00Z", Some("2026-01-09T09:30:00Z")),
            ("2026-01-20T02:00:00Z", "2026-01-20T03:00:00Z", "2026-01-26T09:30:00Z", Some("2026-01-31T17:00:00Z")),
            ("2026-01-31T17:00:00Z", "2026-02-02T01:00:00Z", "2026-02-06T09:30:00Z", None),
        ];
        for (submitted, accepted, due, delivered) in runs {
            let item = item.clone();
            t.store
                .write(move |conn| {
                    Box::pin(async move {
                        let number = allocate_case_number(conn, &item.division, 2026).await?;
                        let (mut case, first) =
                            Case::submit(number, &item, 1, submission("企业"), at(submitted)).expect("valid");
                        insert_case(conn, &case, &first, "hall.online").await?;
                        let mut steps = vec![(
                            CaseEvent::Accepted { limit: Limit::WorkingDays(5), due_at: at(due), calendar_revision: 0 },
                            at(accepted),
                        )];
                        if let Some(d) = delivered {
                            steps.push((CaseEvent::Approved { note: String::new() }, at(d)));
                            steps.push((CaseEvent::Delivered { method: DeliveryMethod::Window }, at(d)));
                        }
                        for (event, when) in steps {
                            let expected = case.version;
                            case.apply(&event, when);
                            append_events(conn, expected, &case, &[event], "clerk", when, None).await?;
                        }
                        Ok::<_, StoreError>(())
                    })
                })
                .await
                .expect("stored");
        }
        let months = t.store.monthly_figures().await.expect("figures");
        let got: Vec<(&str, u64, u64, u64)> =
            months.iter().map(|m| (m.month.as_str(), m.received, m.delivered, m.on_time)).collect();
        assert_eq!(got, [("2026-01", 2, 1, 1), ("2026-02", 1, 1, 0)], "{}", t.name);
        t.cleanup().await;
    }
}
