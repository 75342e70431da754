//! `tongban bench load`: drives a running server on this machine with a realistic mix —
//! portal reads ~70 %, submissions ~10 %, clerk actions ~15 %, supervision reads ~5 % —
//! using the demo's accounts, bounded in time and in requests. It prints throughput, the
//! p50 / p95 / p99 latency of each kind of request and the errors (HTTP 5xx and transport
//! errors; 409s from clerks racing for the same case are expected and counted apart), then
//! reads every acknowledged write back as the supervisor: lost writes must be 0.

mod api;
mod client;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use api::{Api, Session, Setup};
use client::{Ack, Budget, Client, Kind, Tally};

use super::{Latencies, ratio};

/// `tongban bench load` options.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The server, e.g. `http://127.0.0.1:8080`: loopback only (127.0.0.0/8, ::1, localhost).
    #[arg(long, env = "TONGBAN_BENCH_URL", value_name = "URL")]
    url: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16, env = "TONGBAN_BENCH_CLIENTS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    clients: u16,
    /// How long to drive the server, in seconds.
    #[arg(long, default_value_t = 10, env = "TONGBAN_BENCH_SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// Stop after this many requests even if time remains.
    #[arg(long, default_value_t = 1_000_000, env = "TONGBAN_BENCH_MAX_REQUESTS")]
    max_requests: u64,
    /// Seed of the request mix (client `i` uses `seed + i`).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the load and the read-back; fails when there were errors or lost writes.
pub async fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let base = api::loopback_base(&args.url)?;
    let clients = usize::from(args.clients);
    let api = Arc::new(Api::new(base.clone(), clients)?);
    let setup = Arc::new(Setup::discover(&api).await?);
    let started = Instant::now();
    let budget = Arc::new(Budget::new(started + Duration::from_secs(args.seconds), args.max_requests));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..clients {
        let client = Client::new(api.clone(), setup.clone(), budget.clone(), args.seed.wrapping_add(i as u64));
        tasks.spawn(client.run());
    }
    let mut tally = Tally::default();
    while let Some(t) = tasks.join_next().await {
        tally.merge(t.context("a client task failed")?);
    }
    let elapsed = started.elapsed();
    let check = read_back(&api, &setup.supervisor, &tally.acks, clients.min(16)).await;
    let report = report(&args, &base, &setup, &tally, &check, elapsed);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    let failed = tally.errors > 0 || check.lost > 0 || tally.unexpected > 0;
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The outcome of reading acknowledged writes back.
#[derive(Debug, Default)]
struct ReadBack {
    /// Cases read back.
    cases: usize,
    /// Acknowledged writes checked.
    writes: usize,
    /// Acknowledged writes not found (or whose case could not be read).
    lost: usize,
    /// The first few.
    samples: Vec<String>,
}

/// Reads each case with an acknowledged write as the supervisor, `workers` at a time, and
/// checks that each acknowledged event is in its history at its position.
async fn read_back(api: &Arc<Api>, supervisor: &Session, acks: &[Ack], workers: usize) -> ReadBack {
    let mut by_case: BTreeMap<String, Vec<(u64, &'static str)>> = BTreeMap::new();
    for a in acks {
        by_case.entry(a.number.clone()).or_default().push((a.seq, a.kind));
    }
    let result = Arc::new(Mutex::new(ReadBack { cases: by_case.len(), writes: acks.len(), ..Default::default() }));
    let queue = Arc::new(Mutex::new(by_case.into_iter().collect::<Vec<_>>()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (api, supervisor, queue, result) = (api.clone(), supervisor.clone(), queue.clone(), result.clone());
        tasks.spawn(async move {
            loop {
                let Some((number, expected)) = queue.lock().ok().and_then(|mut q| q.pop()) else { return };
                let found = api.get_json(&format!("/api/v1/cases/{number}"), Some(&supervisor)).await;
                let missing: Vec<String> = match &found {
                    Ok(detail) => expected
                        .iter()
                        .filter(|(seq, kind)| {
                            !detail["events"].as_array().is_some_and(|events| {
                                events.iter().any(|e| e["seq"].as_u64() == Some(*seq) && e["type"] == *kind)
                            })
                        })
                        .map(|(seq, kind)| format!("{number}: event {seq} ({kind}) is missing"))
                        .collect(),
                    Err(e) => {
                        expected.iter().map(|(seq, kind)| format!("{number}: event {seq} ({kind}): {e:#}")).collect()
                    }
                };
                if let Ok(mut r) = result.lock() {
                    r.lost += missing.len();
                    let room = 10usize.saturating_sub(r.samples.len());
                    r.samples.extend(missing.into_iter().take(room));
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let mut out = ReadBack::default();
    if let Ok(mut r) = result.lock() {
        std::mem::swap(&mut out, &mut r);
    }
    out
}

fn summary(latencies: &Latencies, elapsed: Duration) -> serde_json::Value {
    serde_json::json!({
        "ok": latencies.len(),
        "per_sec": ratio(latencies.len() as f64, elapsed.as_secs_f64()),
        "p50_ms": latencies.percentile_ms(50.0),
        "p95_ms": latencies.percentile_ms(95.0),
        "p99_ms": latencies.percentile_ms(99.0),
    })
}

fn report(
    args: &LoadArgs,
    base: &str,
    setup: &Setup,
    tally: &Tally,
    check: &ReadBack,
    elapsed: Duration,
) -> serde_json::Value {
    let mut kinds = serde_json::Map::new();
    let mut portal = Latencies::default();
    for kind in Kind::ALL {
        let l = tally.latencies.get(&kind).cloned().unwrap_or_default();
        if kind.is_portal() {
            portal.extend(l.clone());
        }
        kinds.insert(kind.name().into(), summary(&l, elapsed));
    }
    kinds.insert("portal".into(), summary(&portal, elapsed));
    let created = tally.acks.iter().filter(|a| a.seq == 1).count();
    serde_json::json!({
        "url": base,
        "clients": args.clients,
        "seconds": args.seconds,
        "max_requests": args.max_requests,
        "item": setup.item,
        "elapsed_s": elapsed.as_secs_f64(),
        "requests": tally.requests,
        "throughput_per_sec": ratio(tally.requests as f64, elapsed.as_secs_f64()),
        "operations": tally.operations,
        "kinds": kinds,
        "portal_p99_over_p50": ratio(portal.percentile_ms(99.0), portal.percentile_ms(50.0)),
        "errors": tally.errors,
        "conflicts": tally.conflicts,
        "unexpected_4xx": tally.unexpected,
        "idle_clerk": tally.idle_clerk,
        "samples": tally.samples,
        "acknowledged": { "cases_created": created, "actions": tally.acks.len() - created },
        "read_back": { "cases": check.cases, "writes": check.writes },
        "lost_writes": check.lost,
        "lost_samples": check.samples,
    })
}

fn print_text(r: &serde_json::Value) {
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0);
    println!(
        "bench load {}: {} clients, {:.1} s, {} requests = {:.0} requests/s; operations {}",
        r["url"].as_str().unwrap_or(""),
        r["clients"],
        f(&r["elapsed_s"]),
        r["requests"],
        f(&r["throughput_per_sec"]),
        r["operations"],
    );
    println!("  {:<14} {:>7} {:>9} {:>9} {:>9} {:>9}", "kind", "ok", "per s", "p50 ms", "p95 ms", "p99 ms");
    let names = Kind::ALL.iter().map(|k| k.name()).chain(["portal"]);
    for name in names {
        let k = &r["kinds"][name];
        println!(
            "  {name:<14} {:>7} {:>9.1} {:>9.2} {:>9.2} {:>9.2}",
            k["ok"],
            f(&k["per_sec"]),
            f(&k["p50_ms"]),
            f(&k["p95_ms"]),
            f(&k["p99_ms"])
        );
    }
    println!("  portal p99 / p50 = {:.1}", f(&r["portal_p99_over_p50"]));
    println!(
        "  errors (5xx + transport) {} | 409 conflicts {} | unexpected 4xx {} | clerk found an empty queue {}",
        r["errors"], r["conflicts"], r["unexpected_4xx"], r["idle_clerk"]
    );
    println!(
        "  acknowledged: {} cases created, {} actions; read back {} cases: lost writes {}",
        r["acknowledged"]["cases_created"], r["acknowledged"]["actions"], r["read_back"]["cases"], r["lost_writes"]
    );
    for s in r["samples"].as_array().into_iter().flatten().chain(r["lost_samples"].as_array().into_iter().flatten()) {
        println!("  ! {}", s.as_str().unwrap_or(""));
    }
}
