//! `tongban bench documents`: sealed documents per second at 64 concurrent decisions,
//! beside the same run's decisions without documents (the target: at least half that rate).
//!
//! For each database (a fresh SQLite file, and a fresh PostgreSQL database with
//! `--postgres`), twice on a fresh center: `--decisions` accepted cases of a licensing item
//! that issues a licence, approved by the department head through
//! [`tongban_server::app::act_on_case`] from `--concurrency` tasks — once with no seal (no
//! documents) and once with a keyring in a temporary directory, where each approval issues
//! its 准予行政许可决定书 and the item's 证照, numbered, rendered, sealed and registered in
//! the approval's transaction.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Case, CaseCommand, CaseNumber, Context};
use tongban_core::identity::Role;
use tongban_core::item::ServiceItem;
use tongban_seal::{Bureau, Keyring};
use tongban_server::app::actor::staff_account;
use tongban_server::app::bulk::{CaseHistory, HistoryStep};
use tongban_server::app::{Account, App, Principal, Via};
use tongban_store::Store;

use super::ratio;
use super::store::{bench_item, prepare, sqlite_file_url, submission, with_fresh_database};

/// `tongban bench documents` options.
#[derive(Debug, clap::Args)]
pub struct DocumentsArgs {
    /// Cases approved in each run (with and without documents).
    #[arg(long, default_value_t = 512)]
    decisions: usize,
    /// Approvals in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// A PostgreSQL server to measure too (fresh databases are created on it and dropped).
    #[arg(long = "postgres", visible_alias = "database-url", env = "TONGBAN_BENCH_POSTGRES_URL", value_name = "URL")]
    postgres: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The moment every approval is made: Mon 2 Mar 2026 10:00 CST.
const DECIDED_AT: &str = "2026-03-02T02:00:00Z";

/// Runs the benchmark and prints its figures.
pub async fn run(args: DocumentsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.decisions >= 1, "--decisions must be at least 1");
    anyhow::ensure!(args.concurrency >= 1, "--concurrency must be at least 1");
    let mut item = bench_item()?;
    item.licence = Some("基准测试许可证".into());
    let seal_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let bureau = Bureau {
        name: "兰州市行政审批服务局".into(),
        prefix: "兰审批".into(),
        review_body: "兰州市人民政府".into(),
        court: "兰州铁路运输法院".into(),
    };
    let keyring = Arc::new(Keyring::init(&seal_dir.path().join("seal"), bureau).context("cannot create a keyring")?);
    let (n, c) = (args.decisions, args.concurrency);
    let mut results = Vec::new();
    let mut sqlite = Vec::new();
    for seal in [None, Some(keyring.clone())] {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let url = sqlite_file_url(&dir.path().join("documents.db"))?;
        sqlite.push(measure(&url, &item, n, c, seal).await?);
    }
    results.push(figures("sqlite", n, c, &sqlite));
    if let Some(admin) = &args.postgres {
        sqlx::any::install_default_drivers();
        let mut postgres = Vec::new();
        for seal in [None, Some(keyring.clone())] {
            let item = item.clone();
            postgres
                .push(with_fresh_database(admin, |url| async move { measure(&url, &item, n, c, seal).await }).await?);
        }
        results.push(figures("postgres", n, c, &postgres));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "databases": results }))?);
    } else {
        for r in &results {
            println!(
                "{} {} approvals at {} concurrent: without documents {:.1} decisions/s | with documents {:.1} documents/s ({} documents, {:.1} decisions/s) | documents/s is {:.0} % of decisions/s without (target ≥ 50 %)",
                r["database"].as_str().unwrap_or(""),
                r["decisions"],
                r["concurrency"],
                r["decisions_per_s_without"].as_f64().unwrap_or(0.0),
                r["documents_per_s"].as_f64().unwrap_or(0.0),
                r["documents"],
                r["decisions_per_s_with"].as_f64().unwrap_or(0.0),
                r["ratio"].as_f64().unwrap_or(0.0) * 100.0,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One run: how long the approvals took and how many documents they issued.
struct Run {
    seconds: f64,
    documents: usize,
}

fn figures(database: &str, n: usize, concurrency: usize, runs: &[Run]) -> serde_json::Value {
    let (without, with) = match runs {
        [without, with] => (without, with),
        _ => return serde_json::json!({ "database": database }),
    };
    let decisions_without = ratio(n as f64, without.seconds);
    let documents_per_s = ratio(with.documents as f64, with.seconds);
    serde_json::json!({
        "database": database,
        "decisions": n,
        "concurrency": concurrency,
        "decisions_per_s_without": decisions_without,
        "decisions_per_s_with": ratio(n as f64, with.seconds),
        "documents": with.documents,
        "documents_per_s": documents_per_s,
        "ratio": ratio(documents_per_s, decisions_without),
    })
}

/// The bench department's head, who approves by office.
fn head(item: &ServiceItem) -> Account {
    Account {
        department: Some(item.department.clone()),
        position: Some("head".into()),
        ..staff_account("bench.head", "基准部门负责人", Role::DepartmentHead)
    }
}

/// Case `i`'s history up to acceptance, on a working morning of February 2026.
fn accepted(item: &ServiceItem, calendar: &WorkingCalendar, i: usize) -> anyhow::Result<CaseHistory> {
    let mut at: jiff::Timestamp = "2026-02-02T01:00:00Z".parse()?;
    at = calendar.add_working_minutes(at, (i % 4000) as u64)?;
    let placeholder = CaseNumber::new(&item.division, 2026, 0);
    let (mut case, first) = Case::submit(placeholder, item, 1, submission(i), at)?;
    let mut steps = vec![HistoryStep { event: first, at, actor: "bench.head".into() }];
    at = calendar.add_working_minutes(at, 10)?;
    let ctx = Context { now: at, calendar, item, actor: "bench.head" };
    for event in case.handle(&CaseCommand::Accept, &ctx)? {
        case.apply(&event, at);
        steps.push(HistoryStep { event, at, actor: "bench.head".into() });
    }
    Ok(CaseHistory { division: item.division.clone(), steps })
}

/// A fresh center at `url` with `n` accepted cases, approved from `concurrency` tasks.
async fn measure(
    url: &str,
    item: &ServiceItem,
    n: usize,
    concurrency: usize,
    seal: Option<Arc<Keyring>>,
) -> anyhow::Result<Run> {
    let store = Store::open(url).await?;
    prepare(&store, item.clone()).await?;
    let approver = head(item);
    let stored = approver.clone();
    let now: jiff::Timestamp = DECIDED_AT.parse()?;
    store.write(move |conn| Box::pin(async move { tongban_store::insert_account(conn, &stored, now).await })).await?;
    let calendar = WorkingCalendar::builtin();
    let mut app = App::new(store.clone(), calendar.clone());
    app.clock = Arc::new(move || now);
    app.rates = None;
    app.seal = seal;
    app.public_base_url = "https://zwfw.example".into();
    let histories = (0..n).map(|i| accepted(item, &calendar, i)).collect::<anyhow::Result<Vec<_>>>()?;
    tongban_server::app::bulk::load_case_histories(&app, &Principal::console(), histories, 500)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the cases failed: {e}"))?;
    let numbers: Arc<Vec<CaseNumber>> = Arc::new(store.all_cases().await?.into_iter().map(|t| t.case.number).collect());
    anyhow::ensure!(numbers.len() == n, "seeded {} cases, not {n}", numbers.len());
    let principal =
        Principal { account: Some(approver), via: Via::Session, client: None, session_hash: None, session_csrf: None };

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(n) {
        let (app, principal, numbers, next) = (app.clone(), principal.clone(), numbers.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(number) = numbers.get(i) else { return Ok::<_, anyhow::Error>(()) };
                let approve = CaseCommand::Approve { note: "符合法定条件，准予许可".into() };
                tongban_server::app::act_on_case(&app, &principal, number, approve, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("approving {number} failed: {e}"))?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("an approval task panicked")??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut documents = 0;
    for number in numbers.iter() {
        documents += store.documents_of_case(number.as_str()).await?.len();
    }
    store.close().await;
    Ok(Run { seconds, documents })
}
