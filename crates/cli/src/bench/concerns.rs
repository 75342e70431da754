//! `tongban bench concerns`: how long the supervision concerns list takes as closed cases
//! pile up. For each `--cases` size, a fresh SQLite file (and a fresh PostgreSQL database
//! with `--postgres`) gets that many delivered cases, one in ten corrected twice, all
//! decided without a recorded grant (so every case has a concern: the ledger's worst case).
//! Measured: the supervisor's first page and counts ([`tongban_server::app::concerns`], what
//! `/supervision/concerns` and `GET /api/v1/supervision/concerns` do), and a department's.
//! The baseline, on the same cases in the same run, is what the list did before the ledger:
//! every case read, its item looked up, its concerns and its decisions' authority checked.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Case, CaseCommand, CaseNumber, Context, DeliveryMethod};
use tongban_core::identity::Role;
use tongban_core::item::ServiceItem;
use tongban_core::supervision::{Decision, concerns, decided_without_authority};
use tongban_server::app::actor::staff_account;
use tongban_server::app::bulk::{CaseHistory, HistoryStep};
use tongban_server::app::{Account, App, ConcernQuery, Principal, Via};
use tongban_store::Store;

use super::store::{bench_item, prepare, sqlite_file_url, submission, with_fresh_database};
use super::{Latencies, ratio};

/// `tongban bench concerns` options.
#[derive(Debug, clap::Args)]
pub struct ConcernsArgs {
    /// Case counts to measure at, comma-separated (the demo has 5,000).
    #[arg(long, value_delimiter = ',', default_value = "5000,50000")]
    cases: Vec<usize>,
    /// Reads of the list timed at each size (the baseline is timed a third as often).
    #[arg(long, default_value_t = 30)]
    reads: usize,
    /// A PostgreSQL server to measure too (a fresh database is created on it and dropped).
    #[arg(long = "postgres", visible_alias = "database-url", env = "TONGBAN_BENCH_POSTGRES_URL", value_name = "URL")]
    postgres: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: ConcernsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.cases.iter().all(|n| *n >= 1), "--cases must be at least 1");
    anyhow::ensure!(args.reads >= 1, "--reads must be at least 1");
    let item = bench_item()?;
    let mut results = Vec::new();
    for &n in &args.cases {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let url = sqlite_file_url(&dir.path().join("concerns.db"))?;
        results.push(measure("sqlite", &url, &item, n, args.reads).await?);
        if let Some(admin) = &args.postgres {
            sqlx::any::install_default_drivers();
            let (item, reads) = (item.clone(), args.reads);
            results.push(
                with_fresh_database(admin, |url| async move { measure("postgres", &url, &item, n, reads).await })
                    .await?,
            );
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "databases": results }))?);
    } else {
        for r in &results {
            println!(
                "{} {} cases ({} concerns): list p50 {:.2} ms, p99 {:.2} ms | one department p50 {:.2} ms | scan of every case (before the ledger) p50 {:.0} ms: {:.0}× the list | seeding took {:.1} s",
                r["database"].as_str().unwrap_or(""),
                r["cases"],
                r["concerns"],
                r["list_p50_ms"].as_f64().unwrap_or(0.0),
                r["list_p99_ms"].as_f64().unwrap_or(0.0),
                r["department_p50_ms"].as_f64().unwrap_or(0.0),
                r["scan_p50_ms"].as_f64().unwrap_or(0.0),
                r["scan_vs_list"].as_f64().unwrap_or(0.0),
                r["seed_s"].as_f64().unwrap_or(0.0),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn overseer(role: Role, department: Option<&ServiceItem>) -> Principal {
    let account = Account {
        department: department.map(|i| i.department.clone()),
        ..staff_account(&format!("bench.{}", role.as_str()), "bench", role)
    };
    Principal { account: Some(account), via: Via::Console, client: None, session_hash: None, session_csrf: None }
}

/// Case `i`'s history: submitted on a working morning of 2025, one in ten corrected twice,
/// accepted, approved by `bench.approver` (no grant recorded) and delivered.
fn history(item: &ServiceItem, calendar: &WorkingCalendar, i: usize, n: usize) -> anyhow::Result<CaseHistory> {
    let start: jiff::Timestamp = "2025-01-06T01:00:00Z".parse()?;
    // Spread over about 240 working days of 420 minutes.
    let offset = (i as u64 * 100_000) / n.max(1) as u64;
    let mut at = calendar.add_working_minutes(start, offset)?;
    let placeholder = CaseNumber::new(&item.division, 2025, 0);
    let (mut case, first) = Case::submit(placeholder, item, 1, submission(i), at)?;
    let mut steps = vec![HistoryStep { event: first, at, actor: "bench.clerk".into() }];
    let mut commands = Vec::new();
    if i.is_multiple_of(10) {
        for _ in 0..2 {
            commands
                .push(CaseCommand::RequestCorrection { missing: vec!["申请表".into()], note: "请补正".into() });
            commands.push(CaseCommand::Resubmit { materials: vec!["申请表".into()] });
        }
    }
    commands.extend([
        CaseCommand::Accept,
        CaseCommand::Approve { note: "准予".into() },
        CaseCommand::Deliver { method: DeliveryMethod::Window },
    ]);
    for command in commands {
        at = calendar.add_working_minutes(at, 10)?;
        let actor = if matches!(command, CaseCommand::Approve { .. }) { "bench.approver" } else { "bench.clerk" };
        let ctx = Context { now: at, calendar, item, actor };
        for event in case.handle(&command, &ctx)? {
            case.apply(&event, at);
            steps.push(HistoryStep { event, at, actor: actor.into() });
        }
    }
    Ok(CaseHistory { division: item.division.clone(), steps })
}

/// What the list did before the ledger: every case, its item, its concerns and the
/// authority of each of its decisions. Answers how many concerns it found.
async fn scan(store: &Store, calendar: &WorkingCalendar) -> anyhow::Result<usize> {
    let delegations = store.delegations().await?;
    let mut found = 0;
    for t in store.all_cases().await? {
        let Some(item) = store.item_in_version(&t.case.item, t.case.item_version).await? else { continue };
        found += concerns(&t.case, &item.item, calendar, tongban_core::case::BAD_RATING_ANSWER_DAYS).len();
        for e in store.events_for_case(&t.case.number).await? {
            let decision = Decision { event: &e.event, actor: &e.actor, at: e.at, authority: e.authority.as_deref() };
            found += usize::from(decided_without_authority(&decision, &item.item, &delegations));
        }
    }
    Ok(found)
}

fn p50(l: &Latencies) -> f64 {
    l.percentile_ms(50.0)
}

async fn measure(
    database: &str,
    url: &str,
    item: &ServiceItem,
    n: usize,
    reads: usize,
) -> anyhow::Result<serde_json::Value> {
    let store = Store::open(url).await?;
    prepare(&store, item.clone()).await?;
    let calendar = WorkingCalendar::builtin();
    let mut app = App::new(store.clone(), calendar.clone());
    app.clock = std::sync::Arc::new(|| "2026-03-02T02:00:00Z".parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH));
    let seeding = Instant::now();
    let histories = (0..n).map(|i| history(item, &calendar, i, n)).collect::<anyhow::Result<Vec<_>>>()?;
    tongban_server::app::bulk::load_case_histories(&app, &Principal::console(), histories, 500)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the cases failed: {e}"))?;
    let seed_s = seeding.elapsed().as_secs_f64();

    let supervisor = overseer(Role::Supervisor, None);
    let head = overseer(Role::DepartmentHead, Some(item));
    let (mut list, mut department, mut scanned) = (Latencies::default(), Latencies::default(), Latencies::default());
    let mut total = 0;
    for _ in 0..reads {
        let t = Instant::now();
        let page = tongban_server::app::concerns(&app, &supervisor, ConcernQuery::default())
            .await
            .map_err(|e| anyhow::anyhow!("the list failed: {e}"))?;
        list.push(t.elapsed());
        total = page.counts.iter().map(|(_, n)| *n).sum::<i64>();
        let t = Instant::now();
        tongban_server::app::concerns(&app, &head, ConcernQuery::default())
            .await
            .map_err(|e| anyhow::anyhow!("the department's list failed: {e}"))?;
        department.push(t.elapsed());
    }
    let mut found = 0;
    for _ in 0..reads.div_ceil(3) {
        let t = Instant::now();
        found = scan(&store, &calendar).await?;
        scanned.push(t.elapsed());
    }
    anyhow::ensure!(
        i64::try_from(found).unwrap_or(-1) == total,
        "the ledger counts {total} concerns, the scan of every case {found}"
    );
    Ok(serde_json::json!({
        "database": database,
        "cases": n,
        "concerns": total,
        "reads": reads,
        "list_p50_ms": p50(&list),
        "list_p99_ms": list.percentile_ms(99.0),
        "department_p50_ms": p50(&department),
        "scan_p50_ms": p50(&scanned),
        "scan_vs_list": ratio(p50(&scanned), p50(&list)),
        "seed_s": seed_s,
    }))
}
