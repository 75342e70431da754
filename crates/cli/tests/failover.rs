//! Supervision failover on PostgreSQL: two servers, exactly one runs the worker (an
//! advisory-lock lease); when its holder is killed the other takes over, and no alert is
//! lost or raised twice.

mod common;

use std::time::Duration;

use common::{Server, serve};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, Case, CaseCommand, Context, Submission};
use tongban_core::item::Channel;
use tongban_store::testing::{sample_item, seed_minimal};
use tongban_store::{Store, allocate_case_number, append_events, insert_case};

fn start(url: &str) -> Server {
    serve(url, &["--supervision-interval", "0.1", "--metrics-token", METRICS_TOKEN])
}

/// Stores `n` cases accepted on Mon 2 Mar 2026 with 5 working days: long overdue now.
async fn overdue_cases(store: &Store, n: usize) {
    let item = sample_item();
    let calendar = WorkingCalendar::builtin();
    let accepted: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("valid");
    for i in 0..n {
        let (item, calendar) = (item.clone(), calendar.clone());
        store
            .write(move |c| {
                Box::pin(async move {
                    let number = allocate_case_number(c, &item.division, 2026).await?;
                    let submission = Submission {
                        applicant: Applicant {
                            kind: ApplicantKind::Individual,
                            name: format!("申请人{i}"),
                            id_number: format!("62010219900101{i:04}"),
                            phone: None,
                        },
                        channel: Channel::Window,
                        materials: vec!["项目备案申请表".into(), "营业执照".into()],
                        owner: "clerk".into(),
                        priority: false,
                        submitter: None,
                    };
                    let (mut case, first) = Case::submit(number, &item, 1, submission, accepted).expect("valid");
                    insert_case(c, &case, &first, "clerk").await?;
                    let events = case
                        .handle(
                            &CaseCommand::Accept,
                            &Context { now: accepted, calendar: &calendar, item: &item, actor: "clerk" },
                        )
                        .expect("accepts");
                    let before = case.version;
                    for e in &events {
                        case.apply(e, accepted);
                    }
                    append_events(c, before, &case, &events, "clerk", accepted, Some(&[])).await
                })
            })
            .await
            .expect("stored");
    }
}

async fn alert_counts(store: &Store) -> (i64, i64) {
    let total: i64 = sqlx::query_scalar("select count(*) from alert").fetch_one(store.reader()).await.expect("count");
    let repeated: i64 = sqlx::query_scalar("select count(*) from (select case_number, colour from alert group by case_number, colour having count(*) > 1) r")
        .fetch_one(store.reader())
        .await
        .expect("count");
    (total, repeated)
}

/// The scraper's token the servers are started with.
const METRICS_TOKEN: &str = "failover-scraper";

async fn leader(client: &reqwest::Client, base: &str) -> bool {
    let Ok(res) = client.get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await else { return false };
    res.text().await.unwrap_or_default().lines().any(|l| l == "tongban_supervision_leader 1")
}

async fn wait(what: &str, mut check: impl AsyncFnMut() -> bool) {
    // Bounded polling; not a timing assertion.
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_server_takes_over_supervision_without_losing_or_repeating_alerts() {
    let Some(t) = tongban_store::testing::postgres().await else { return };
    seed_minimal(&t.store).await;
    overdue_cases(&t.store, 10).await;
    let client = reqwest::Client::new();
    let a = start(&t.url);
    wait("server A to raise 10 red alerts", async || alert_counts(&t.store).await.0 == 10).await;
    let b = start(&t.url);
    wait("A to report itself leader", async || leader(&client, &a.1).await).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!leader(&client, &b.1).await, "only one server supervises");
    drop(a); // SIGKILL: its connection, and with it the lease, dies.
    overdue_cases(&t.store, 5).await;
    wait("server B to take over", async || leader(&client, &b.1).await).await;
    wait("the 5 new alerts", async || alert_counts(&t.store).await.0 == 15).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alert_counts(&t.store).await, (15, 0), "every alert exactly once");
    let open: i64 = sqlx::query_scalar("select count(*) from accountability where state = 'open'")
        .fetch_one(t.store.reader())
        .await
        .expect("count");
    assert_eq!(open, 15, "each red case is held to account once");
    drop(b);
    t.cleanup().await;
}
