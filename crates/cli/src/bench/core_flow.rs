//! `tongban bench core-flow`: the process shape of the peer comparison — accept → two
//! parallel review steps → decide → deliver — through the core's case state machine
//! ([`Case::handle`] then [`Case::apply`] for every step), counted in instances per second.
//!
//! In memory it is the core alone. With `--durable` every step is also appended to the
//! event log on a fresh SQLite file (WAL, synchronous=FULL) through the group-commit
//! writer, with `--in-flight` instances running at once, and each step waits until its
//! write is durable before the next is decided.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Case, CaseCommand, CaseNumber, Context, DeliveryMethod};
use tongban_core::item::ServiceItem;
use tongban_store::{Store, allocate_case_number, append_events, insert_case};

use super::ratio;
use super::store::{bench_item, prepare, submission};

/// `tongban bench core-flow` options.
#[derive(Debug, clap::Args)]
pub struct CoreFlowArgs {
    /// Append every step to the event log on SQLite through the group-commit writer.
    #[arg(long)]
    durable: bool,
    /// Instances to run [default: 50000 in memory, 20000 durable].
    #[arg(long, env = "TONGBAN_BENCH_INSTANCES")]
    instances: Option<usize>,
    /// Instances in flight at once when durable.
    #[arg(long, default_value_t = 64, env = "TONGBAN_BENCH_IN_FLIGHT")]
    in_flight: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The steps after submission: accept, the two reviews (parallel in the BPMN; a case takes
/// them in either order), the decision and delivery.
fn steps() -> [CaseCommand; 5] {
    [
        CaseCommand::Accept,
        CaseCommand::CompleteStep { step: "审查甲".into(), note: String::new() },
        CaseCommand::CompleteStep { step: "审查乙".into(), note: String::new() },
        CaseCommand::Approve { note: "准予".into() },
        CaseCommand::Deliver { method: DeliveryMethod::Electronic },
    ]
}

/// A fixed working moment the built-in calendar covers, so deadlines never fall outside it.
fn start() -> anyhow::Result<jiff::Timestamp> {
    "2026-03-02T02:00:00Z".parse().context("a valid timestamp")
}

/// Runs the benchmark and prints instances per second.
pub async fn run(args: CoreFlowArgs) -> anyhow::Result<ExitCode> {
    let item = bench_item()?;
    let calendar = WorkingCalendar::builtin();
    let (mode, instances, elapsed) = if args.durable {
        let n = args.instances.unwrap_or(20_000).max(1);
        let elapsed = durable(Arc::new(item), Arc::new(calendar), n, args.in_flight.max(1)).await?;
        ("durable", n, elapsed)
    } else {
        let n = args.instances.unwrap_or(50_000).max(1);
        let t = Instant::now();
        let delivered = in_memory(&item, &calendar, n)?;
        anyhow::ensure!(delivered == n, "only {delivered} of {n} instances were delivered");
        ("memory", n, t.elapsed().as_secs_f64())
    };
    let per_sec = ratio(instances as f64, elapsed);
    if args.json {
        let out = serde_json::json!({
            "mode": mode,
            "instances": instances,
            "in_flight": if args.durable { args.in_flight.max(1) } else { 1 },
            "steps_per_instance": 1 + steps().len(),
            "elapsed_s": elapsed,
            "instances_per_sec": per_sec,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "core-flow {mode}: {instances} instances in {elapsed:.2} s = {per_sec:.0} instances/s ({} steps each)",
            1 + steps().len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `n` instances through the core alone; returns how many ended delivered.
fn in_memory(item: &ServiceItem, calendar: &WorkingCalendar, n: usize) -> anyhow::Result<usize> {
    let now = start()?;
    let steps = steps();
    let mut delivered = 0;
    for i in 0..n {
        let number = CaseNumber::new(&item.division, 2026, i as u64 + 1);
        let (mut case, _) = Case::submit(number, item, 1, submission(i), now)?;
        for cmd in &steps {
            let ctx = Context { now, calendar, item, actor: "bench" };
            for event in case.handle(cmd, &ctx)? {
                case.apply(&event, now);
            }
        }
        delivered += usize::from(case.state == tongban_core::case::CaseState::Delivered);
    }
    Ok(delivered)
}

/// Runs `n` instances, `in_flight` at a time, every step durable; returns the seconds taken.
async fn durable(
    item: Arc<ServiceItem>,
    calendar: Arc<WorkingCalendar>,
    n: usize,
    in_flight: usize,
) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let store = Store::open(&tongban_store::sqlite_url(dir.path())).await?;
    prepare(&store, (*item).clone()).await?;
    let now = start()?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (store, item, calendar, next) = (store.clone(), item.clone(), calendar.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(());
                }
                run_instance(&store, &item, &calendar, i, now).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (cases, events) = store.counts().await?;
    let expected_events = n * (1 + steps().len());
    anyhow::ensure!(
        cases as usize == n && events as usize == expected_events,
        "expected {n} cases and {expected_events} events, found {cases} and {events}"
    );
    store.close().await;
    Ok(elapsed)
}

/// One instance: submitted, then each step decided by the core and appended durably.
async fn run_instance(
    store: &Store,
    item: &Arc<ServiceItem>,
    calendar: &WorkingCalendar,
    i: usize,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    let first = item.clone();
    let mut case = store
        .write(move |conn| {
            Box::pin(async move {
                let number = allocate_case_number(conn, &first.division, 2026).await?;
                let (case, event) = Case::submit(number, &first, 1, submission(i), now)?;
                insert_case(conn, &case, &event, "bench").await?;
                Ok::<_, anyhow::Error>(case)
            })
        })
        .await?;
    for cmd in steps() {
        let ctx = Context { now, calendar, item, actor: "bench" };
        let events = case.handle(&cmd, &ctx)?;
        let mut after = case.clone();
        for e in &events {
            after.apply(e, now);
        }
        let expected = case.version;
        case = store
            .write(move |conn| {
                Box::pin(async move {
                    append_events(conn, expected, &after, &events, "bench", now, None).await?;
                    Ok::<_, anyhow::Error>(after)
                })
            })
            .await?;
    }
    Ok(())
}
