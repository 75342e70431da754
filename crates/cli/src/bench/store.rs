//! `tongban bench store`: durable case submissions per second through the store, against
//! baselines measured in the same run on the same schema, with the same rows and the same
//! durability, each measurement on a fresh database:
//!
//! - SQLite (WAL, synchronous=FULL): the group-commit writer at 1, 8 and 64 submitters,
//!   against one `begin immediate … commit` per submission on a raw connection, and a raw
//!   insert of the same submissions 100 to a transaction;
//! - PostgreSQL (only with `--postgres`): the store at 8 submitters against a plain one-row
//!   INSERT loop (autocommit) at 8 clients.
//!
//! A submission is the same work everywhere: allocate a number, let the core check it, write
//! the `service_case` row and its first `event` row.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sqlx::{AnyConnection, Connection, Executor};
use tokio::sync::Mutex;
use tongban_core::case::{Applicant, ApplicantKind, Case, CaseNumber, Submission};
use tongban_core::division::{Division, DivisionCode, DivisionLevel};
use tongban_core::item::{Category, Channel, ItemCode, ItemKind, Material, MaterialForm, ServiceItem, TimeLimit};
use tongban_core::org::{Department, DepartmentCode};
use tongban_store::{Conn, Store, allocate_case_number, insert_case};

use super::{Latencies, ratio};

/// `tongban bench store` options.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// Concurrent SQLite submitters, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64", env = "TONGBAN_BENCH_SUBMITTERS")]
    submitters: Vec<usize>,
    /// Submissions per measurement.
    #[arg(long, default_value_t = 4000, env = "TONGBAN_BENCH_COUNT")]
    count: usize,
    /// A PostgreSQL server to measure too, e.g. `postgres://postgres@127.0.0.1/postgres`. Each
    /// measurement creates a uniquely named database on it and drops it afterwards; the
    /// named database itself is not written. Off unless given.
    #[arg(long = "postgres", visible_alias = "database-url", env = "TONGBAN_BENCH_POSTGRES_URL", value_name = "URL")]
    postgres: Option<String>,
    /// Concurrent PostgreSQL submitters (and clients of the plain INSERT loop).
    #[arg(long, default_value_t = 8, env = "TONGBAN_BENCH_POSTGRES_CLIENTS")]
    postgres_clients: usize,
    /// Runs of each measurement, interleaved; the medians are reported.
    #[arg(long, default_value_t = 3, env = "TONGBAN_BENCH_REPEAT")]
    repeat: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the store benchmark and prints its figures.
pub async fn run(args: StoreArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.count >= 100, "--count must be at least 100 (one raw batch)");
    let repeat = args.repeat.max(1);
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let mut sqlite = Vec::new();
    let mut one_submitter = None;
    for &n in &args.submitters {
        let n = n.max(1);
        let (mut single, mut group, mut batch) = (Vec::new(), Vec::new(), Vec::new());
        // Interleaved, so a machine that slows down mid-run slows every mode alike.
        for r in 0..repeat {
            let file = |name: &str| dir.path().join(format!("{name}-{n}-{r}.db"));
            single.push(sqlite_measure(&file("single"), n, args.count, Mode::OnePerTransaction).await?);
            group.push(sqlite_measure(&file("group"), n, args.count, Mode::GroupCommit).await?);
            batch.push(sqlite_measure(&file("batch"), 1, args.count, Mode::RawBatch(100)).await?);
        }
        let (single, group, batch) = (Summary::of(&single), Summary::of(&group), Summary::of(&batch));
        if n == 1 {
            one_submitter = Some(serde_json::json!({
                "group_commit_p50_ms": group.p50_ms,
                "raw_commit_p50_ms": single.p50_ms,
                "ratio": ratio(group.p50_ms, single.p50_ms),
            }));
        }
        let row = serde_json::json!({
            "submitters": n,
            "group_commit_per_sec": group.per_sec,
            "one_per_transaction_per_sec": single.per_sec,
            "raw_batch_100_per_sec": batch.per_sec,
            "ratio_vs_one_per_transaction": ratio(group.per_sec, single.per_sec),
            "ratio_vs_raw_batch_100": ratio(group.per_sec, batch.per_sec),
            "group_commit_p50_ms": group.p50_ms,
            "group_commit_p99_ms": group.p99_ms,
            "one_per_transaction_p50_ms": single.p50_ms,
            "group_commit_runs_per_sec": group.runs,
            "one_per_transaction_runs_per_sec": single.runs,
            "raw_batch_100_runs_per_sec": batch.runs,
        });
        if !args.json {
            println!(
                "sqlite {n:>3} submitters: group commit {:>7.0}/s (p50 {:.2} ms) | one txn per submission {:>7.0}/s (p50 {:.2} ms) | raw 100 per txn {:>7.0}/s | {:.1}× one-per-txn, {:.0} % of raw batch",
                group.per_sec,
                group.p50_ms,
                single.per_sec,
                single.p50_ms,
                batch.per_sec,
                ratio(group.per_sec, single.per_sec),
                100.0 * ratio(group.per_sec, batch.per_sec),
            );
        }
        sqlite.push(row);
    }
    if let (Some(one), false) = (&one_submitter, args.json) {
        println!(
            "sqlite one submitter: p50 {:.3} ms through the writer vs {:.3} ms for one raw commit ({:.2}×)",
            one["group_commit_p50_ms"].as_f64().unwrap_or(0.0),
            one["raw_commit_p50_ms"].as_f64().unwrap_or(0.0),
            one["ratio"].as_f64().unwrap_or(0.0),
        );
    }
    let postgres = match &args.postgres {
        Some(admin) => Some(postgres(admin, args.postgres_clients.max(1), args.count, repeat, args.json).await?),
        None => None,
    };
    if args.json {
        let out = serde_json::json!({
            "count": args.count,
            "repeat": repeat,
            "sqlite": sqlite,
            "one_submitter_p50": one_submitter,
            "postgres": postgres,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// The medians of repeated measurements of one mode.
struct Summary {
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Each run's submissions per second, in run order.
    runs: Vec<f64>,
}

impl Summary {
    fn of(runs: &[Measurement]) -> Summary {
        let median = |f: &dyn Fn(&Measurement) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        Summary {
            per_sec: median(&|m| m.per_sec()),
            p50_ms: median(&|m| m.latencies.percentile_ms(50.0)),
            p99_ms: median(&|m| m.latencies.percentile_ms(99.0)),
            runs: runs.iter().map(Measurement::per_sec).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Through [`Store::write`].
    GroupCommit,
    /// A raw connection, one transaction per submission.
    OnePerTransaction,
    /// A raw connection, this many submissions per transaction.
    RawBatch(usize),
}

/// What one measurement saw.
struct Measurement {
    count: usize,
    elapsed: Duration,
    /// Per submission (per batch for [`Mode::RawBatch`]).
    latencies: Latencies,
}

impl Measurement {
    fn per_sec(&self) -> f64 {
        ratio(self.count as f64, self.elapsed.as_secs_f64())
    }
}

/// The item every benchmark submission applies for (one required material, online).
pub(crate) fn bench_item() -> anyhow::Result<ServiceItem> {
    Ok(ServiceItem {
        code: ItemCode::parse("620100-BENCH-001")?,
        name: "基准测试事项".into(),
        department: DepartmentCode::parse("bench")?,
        division: DivisionCode::parse("620100")?,
        kind: ItemKind::Licensing,
        category: Category::TimeLimited,
        legal_limit: Some(TimeLimit::parse("legal_limit", "20d")?),
        promised_limit: Some(TimeLimit::parse("promised_limit", "5d")?),
        materials: vec![Material { name: "申请表".into(), required: true, form: MaterialForm::Original }],
        fees: vec![],
        legal_basis: "基准测试".into(),
        channels: vec![Channel::Online],
        sites: Vec::new(),
        conditions: String::new(),
        steps: Vec::new(),
        contact: String::new(),
        licence: None,
    })
}

/// The `i`-th benchmark submission.
pub(crate) fn submission(i: usize) -> Submission {
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Individual,
            name: format!("申请人{i}"),
            id_number: format!("62010219900101{i:04}"),
            phone: None,
        },
        channel: Channel::Online,
        materials: vec!["申请表".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    }
}

/// Publishes the division, department and catalog the benchmark item needs.
pub(crate) async fn prepare(store: &Store, item: ServiceItem) -> anyhow::Result<()> {
    store
        .write(move |conn| {
            Box::pin(async move {
                tongban_store::insert_division(
                    conn,
                    &Division::new(DivisionCode::parse("620100")?, "兰州市", None, DivisionLevel::City)?,
                )
                .await?;
                tongban_store::insert_department(
                    conn,
                    &Department {
                        code: item.department.clone(),
                        name: "基准部门".into(),
                        division: item.division.clone(),
                        site: None,
                    },
                )
                .await?;
                tongban_store::insert_catalog_version(conn, "bench", &[item], jiff::Timestamp::now()).await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .await
}

/// One submission's work, the same in every mode: a number, the domain check, two rows.
async fn submit(conn: &mut Conn, item: &ServiceItem, i: usize) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    let number = allocate_case_number(conn, &item.division, tongban_core::case::CaseNumber::year_of(now)).await?;
    let (case, event) = Case::submit(number, item, 1, submission(i), now)?;
    insert_case(conn, &case, &event, "bench").await?;
    Ok(())
}

/// The URL of a fresh SQLite file at `path`.
pub(crate) fn sqlite_file_url(path: &Path) -> anyhow::Result<String> {
    let dir = path.parent().context("the database file has no directory")?;
    let name = path.file_name().context("the database file has no name")?.to_string_lossy();
    Ok(tongban_store::sqlite_url(dir).replace("tongban.db", &name))
}

async fn sqlite_measure(path: &Path, submitters: usize, count: usize, mode: Mode) -> anyhow::Result<Measurement> {
    let url = sqlite_file_url(path)?;
    let store = Store::open(&url).await?;
    let item = bench_item()?;
    prepare(&store, item.clone()).await?;
    let measurement = match mode {
        Mode::GroupCommit => through_store(&store, &item, submitters, count).await?,
        Mode::OnePerTransaction | Mode::RawBatch(_) => {
            // The baselines own a second connection to the same file, through the same driver
            // and with the same pragmas; the store's writer stays idle meanwhile.
            let c = Conn::open_sqlite(path)?;
            let per_txn = if let Mode::RawBatch(n) = mode { n } else { 1 };
            raw(c, &item, submitters, count, per_txn).await?
        }
    };
    let (cases, _) = store.counts().await?;
    anyhow::ensure!(cases as usize == count, "expected {count} cases, found {cases}");
    store.close().await;
    Ok(measurement)
}

/// `submitters` tasks submit `count` cases through [`Store::submit_case`], the server's
/// submission path (a write through the group-commit writer on SQLite).
async fn through_store(
    store: &Store,
    item: &ServiceItem,
    submitters: usize,
    count: usize,
) -> anyhow::Result<Measurement> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..submitters {
        let (store, item, next) = (store.clone(), item.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                let (item, now) = (item.clone(), jiff::Timestamp::now());
                let (division, year) = (item.division.clone(), tongban_core::case::CaseNumber::year_of(now));
                store
                    .submit_case(division, year, "bench".into(), move |number| {
                        Ok::<_, anyhow::Error>(Case::submit(number, &item, 1, submission(i), now)?)
                    })
                    .await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        });
    }
    collect(tasks, started, count).await
}

/// `submitters` tasks share one raw connection (the best a lone SQLite writer can do: a
/// second connection would only wait on the file lock) and commit `per_txn` submissions at
/// a time.
async fn raw(
    conn: Conn,
    item: &ServiceItem,
    submitters: usize,
    count: usize,
    per_txn: usize,
) -> anyhow::Result<Measurement> {
    let conn = Arc::new(Mutex::new(conn));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..submitters {
        let (conn, item, next) = (conn.clone(), item.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            loop {
                let first = next.fetch_add(per_txn, Ordering::Relaxed);
                if first >= count {
                    break;
                }
                let t = Instant::now();
                let mut conn = conn.lock().await;
                conn.execute_batch("begin immediate").await?;
                for i in first..(first + per_txn).min(count) {
                    submit(&mut conn, &item, i).await?;
                }
                conn.execute_batch("commit").await?;
                drop(conn);
                latencies.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        });
    }
    collect(tasks, started, count).await
}

async fn collect(
    mut tasks: tokio::task::JoinSet<anyhow::Result<Latencies>>,
    started: Instant,
    count: usize,
) -> anyhow::Result<Measurement> {
    let mut latencies = Latencies::default();
    while let Some(r) = tasks.join_next().await {
        latencies.extend(r??);
    }
    Ok(Measurement { count, elapsed: started.elapsed(), latencies })
}

/// PostgreSQL: the store at `clients` submitters against a plain one-row INSERT loop at
/// `clients` connections, each measurement on its own fresh database.
async fn postgres(
    admin: &str,
    clients: usize,
    count: usize,
    repeat: usize,
    json: bool,
) -> anyhow::Result<serde_json::Value> {
    sqlx::any::install_default_drivers();
    let (mut plain, mut durable) = (Vec::new(), Vec::new());
    for _ in 0..repeat {
        plain.push(with_fresh_database(admin, |url| async move { plain_inserts(&url, clients, count).await }).await?);
        durable.push(
            with_fresh_database(admin, |url| async move {
                let store = Store::open(&url).await?;
                let item = bench_item()?;
                prepare(&store, item.clone()).await?;
                let m = through_store(&store, &item, clients, count).await?;
                let (cases, _) = store.counts().await?;
                anyhow::ensure!(cases as usize == count, "expected {count} cases, found {cases}");
                store.close().await;
                Ok(m)
            })
            .await?,
        );
    }
    let (plain, durable) = (Summary::of(&plain), Summary::of(&durable));
    if !json {
        println!(
            "postgres {clients:>2} clients: store {:>7.0}/s (p50 {:.2} ms) | plain one-row INSERT loop {:>7.0}/s (p50 {:.2} ms) | {:.0} % of the plain loop",
            durable.per_sec,
            durable.p50_ms,
            plain.per_sec,
            plain.p50_ms,
            100.0 * ratio(durable.per_sec, plain.per_sec),
        );
    }
    Ok(serde_json::json!({
        "clients": clients,
        "durable_per_sec": durable.per_sec,
        "plain_insert_per_sec": plain.per_sec,
        "ratio": ratio(durable.per_sec, plain.per_sec),
        "durable_p50_ms": durable.p50_ms,
        "plain_insert_p50_ms": plain.p50_ms,
        "durable_runs_per_sec": durable.runs,
        "plain_insert_runs_per_sec": plain.runs,
    }))
}

/// `clients` connections insert the `service_case` rows the submissions would produce, one
/// autocommitted INSERT each (numbers allocated here, no event row, no sequence row).
async fn plain_inserts(url: &str, clients: usize, count: usize) -> anyhow::Result<Measurement> {
    // The store creates the same schema and catalog, then stays idle.
    let store = Store::open(url).await?;
    let item = bench_item()?;
    prepare(&store, item.clone()).await?;
    let now = jiff::Timestamp::now();
    let year = tongban_core::case::CaseNumber::year_of(now);
    let next = Arc::new(AtomicUsize::new(0));
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        conns.push(AnyConnection::connect(url).await?);
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for mut conn in conns {
        let (item, next) = (item.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                let number = CaseNumber::new(&item.division, year, i as u64 + 1);
                let (case, _) = Case::submit(number, &item, 1, submission(i), now)?;
                tongban_store::insert_case_row_raw(&mut conn, &case).await?;
                latencies.push(t.elapsed());
            }
            conn.close().await?;
            Ok::<_, anyhow::Error>(latencies)
        });
    }
    let m = collect(tasks, started, count).await;
    // Closed only now, so none of its connections is still being returned to its pool
    // when the database is dropped.
    store.close().await;
    m
}

/// Runs `f` on a uniquely named database created on the server of `admin`, and drops the
/// database afterwards whether `f` succeeded or not.
pub(crate) async fn with_fresh_database<T, F, Fut>(admin: &str, f: F) -> anyhow::Result<T>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let redacted = crate::config::redact(admin);
    let mut conn =
        AnyConnection::connect(admin).await.with_context(|| format!("cannot connect to PostgreSQL at {redacted}"))?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("tongban_bench_{}_{nanos}", std::process::id());
    conn.execute(format!("create database {name}").as_str())
        .await
        .with_context(|| format!("cannot create a database on {redacted}"))?;
    let outcome = f(database_url(admin, &name)).await;
    // A closed pool may still be handing back a connection; give it a moment before forcing
    // (a forced drop would make that connection's last ping fail noisily).
    for _ in 0..20 {
        if conn.execute(format!("drop database if exists {name}").as_str()).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dropped = conn.execute(format!("drop database if exists {name} with (force)").as_str()).await;
    let _ = conn.close().await;
    let value = outcome?;
    dropped.with_context(|| format!("cannot drop the benchmark database {name}"))?;
    Ok(value)
}

/// `admin` with its database name replaced by `name` (query string kept).
fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, ""), |(b, q)| (b, q));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    if query.is_empty() { format!("{base}/{name}") } else { format!("{base}/{name}?{query}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fresh_database_replaces_the_admin_database() {
        assert_eq!(database_url("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(database_url("postgres://u@h/postgres?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(database_url("postgres://u:p@h", "x"), "postgres://u:p@h/x");
    }
}
