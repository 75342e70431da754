//! `tongban bench store`: durable case submissions per second through the group-commit
//! writer against one transaction per submission, measured in the same run on the same
//! schema with the same durability (WAL, synchronous=FULL).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sqlx::Executor;
use tokio::sync::Mutex;
use tongban_core::case::{Applicant, ApplicantKind, Case, Submission};
use tongban_core::division::{Division, DivisionCode, DivisionLevel};
use tongban_core::item::{Category, Channel, ItemCode, ItemKind, Material, MaterialForm, ServiceItem, TimeLimit};
use tongban_core::org::{Department, DepartmentCode};
use tongban_store::{Store, allocate_case_number, insert_case};

use crate::config::Config;

/// Which benchmark.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Durable case submissions per second: group commit vs one transaction per submission.
    Store {
        /// Concurrent submitters, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        submitters: Vec<usize>,
        /// Submissions per measurement.
        #[arg(long, default_value_t = 4000)]
        count: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(_config: &Config, command: BenchCommand) -> anyhow::Result<ExitCode> {
    let BenchCommand::Store { submitters, count, json } = command;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let mut results = Vec::new();
    for &n in &submitters {
        let n = n.max(1);
        let group = measure(&dir.path().join(format!("group-{n}.db")), n, count, Mode::GroupCommit).await?;
        let single = measure(&dir.path().join(format!("single-{n}.db")), n, count, Mode::OnePerTransaction).await?;
        results.push(serde_json::json!({
            "submitters": n,
            "group_commit_per_sec": group.per_sec(),
            "one_per_transaction_per_sec": single.per_sec(),
            "ratio": group.per_sec() / single.per_sec(),
            "group_commit_p50_ms": group.p50_ms(),
            "one_per_transaction_p50_ms": single.p50_ms(),
        }));
        if !json {
            println!(
                "sqlite, {n:>3} submitters: group commit {:>9.0}/s (p50 {:.2} ms) | one txn per submission {:>8.0}/s (p50 {:.2} ms) | ratio {:.1}×",
                group.per_sec(),
                group.p50_ms(),
                single.per_sec(),
                single.p50_ms(),
                group.per_sec() / single.per_sec()
            );
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    GroupCommit,
    OnePerTransaction,
}

struct Measurement {
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Measurement {
    fn per_sec(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn p50_ms(&self) -> f64 {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        l.get(l.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

fn bench_item() -> anyhow::Result<ServiceItem> {
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
    })
}

fn submission(i: usize) -> Submission {
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
    }
}

async fn prepare(store: &Store, item: ServiceItem) -> anyhow::Result<()> {
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
                    },
                )
                .await?;
                tongban_store::insert_catalog_version(conn, "bench", &[item], jiff::Timestamp::now()).await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .await
}

/// One submission's work, the same in both modes: a number, the domain check, two rows.
async fn submit(conn: &mut sqlx::AnyConnection, item: &ServiceItem, i: usize) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    let number = allocate_case_number(conn, &item.division, tongban_server::app::year_in_china(now)).await?;
    let (case, event) = Case::submit(number, item, 1, submission(i), now)?;
    insert_case(conn, &case, &event, "bench").await?;
    Ok(())
}

async fn measure(path: &std::path::Path, submitters: usize, count: usize, mode: Mode) -> anyhow::Result<Measurement> {
    let url = tongban_store::sqlite_url(path.parent().context("no parent")?)
        .replace("tongban.db", &path.file_name().context("no name")?.to_string_lossy());
    let store = Store::open(&url).await?;
    let item = bench_item()?;
    prepare(&store, item.clone()).await?;
    // The baseline owns a second connection to the same file with the same pragmas.
    let baseline = match mode {
        Mode::OnePerTransaction => {
            use sqlx::Connection;
            let mut c = sqlx::AnyConnection::connect(&format!("{url}?mode=rw")).await?;
            c.execute("pragma journal_mode = wal; pragma synchronous = full; pragma foreign_keys = on; pragma busy_timeout = 10000;").await?;
            Some(Arc::new(Mutex::new(c)))
        }
        Mode::GroupCommit => None,
    };
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..submitters {
        let (store, item, next, baseline) = (store.clone(), item.clone(), next.clone(), baseline.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                match &baseline {
                    None => {
                        let item = item.clone();
                        store.write(move |conn| Box::pin(async move { submit(conn, &item, i).await })).await?;
                    }
                    Some(conn) => {
                        let mut conn = conn.lock().await;
                        conn.execute("begin immediate").await?;
                        submit(&mut conn, &item, i).await?;
                        conn.execute("commit").await?;
                    }
                }
                latencies.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(count);
    while let Some(r) = tasks.join_next().await {
        latencies.extend(r??);
    }
    let elapsed = started.elapsed();
    let (cases, _) = store.counts().await?;
    anyhow::ensure!(cases as usize == count, "expected {count} cases, found {cases}");
    store.close().await;
    Ok(Measurement { count, elapsed, latencies })
}
