//! `tongban bench`: measurements of this machine and build, each against a baseline taken
//! in the same run (absolute figures vary between machines; ratios travel). BENCHMARKS.md
//! says how to run them and what they last showed.
//!
//! - `store`: durable case submissions through the store (SQLite group commit, PostgreSQL)
//!   against one raw transaction per submission and a raw batched insert;
//! - `load`: a realistic mix of HTTP requests against a running server on this machine,
//!   then a check that every acknowledged write is stored;
//! - `core-flow`: instances per second of the accept → two reviews → decide → deliver
//!   process through the core, in memory and durably (the peer comparison in `bench/peers/`);
//! - `recompute`: importing a year that moves the due times of many running cases;
//! - `concerns`: the supervision concerns list as closed cases pile up, against a scan of
//!   every case;
//! - `documents`: sealed documents per second at 64 concurrent approvals, against the same
//!   approvals without documents.

mod concerns;
mod core_flow;
mod documents;
mod load;
mod notify;
mod recompute;
mod store;

use std::process::ExitCode;
use std::time::Duration;

use crate::config::Config;

/// Which benchmark.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Durable case submissions per second: SQLite group commit at 1, 8 and 64 submitters
    /// against one transaction per submission and a raw insert of 100 submissions per
    /// transaction; PostgreSQL (with `--postgres`) against a plain one-row INSERT loop.
    Store(store::StoreArgs),
    /// Drive a running server on this machine with a realistic mix of requests, then check
    /// that no acknowledged write was lost. Loopback addresses only.
    Load(load::LoadArgs),
    /// Instances per second of the accept → two parallel reviews → decide → deliver
    /// process through the core: in memory, or `--durable` with every step appended to the
    /// event log on SQLite (the tongban side of `bench/peers/run.sh`).
    CoreFlow(core_flow::CoreFlowArgs),
    /// How long importing a year takes when that many running cases have due times in it:
    /// every case recomputed and its `due_recomputed` event written, on SQLite (and
    /// PostgreSQL with `--postgres`), against the core alone recomputing the same cases.
    Recompute(recompute::RecomputeArgs),
    /// How long the supervision concerns list takes at each `--cases` size (one in ten
    /// corrected twice, every decision without a recorded grant), against the scan of every
    /// case and decision the list did before its ledger.
    Concerns(concerns::ConcernsArgs),
    /// Sealed documents per second at `--concurrency` (64) concurrent approvals through the
    /// app, each issuing its decision notice and licence, against the same approvals with no
    /// seal (decisions per second without documents); on SQLite and, with `--postgres`,
    /// PostgreSQL. The target: documents per second at least half the decisions per second.
    Documents(documents::DocumentsArgs),
    /// The notice outbox delivering `--notices` (10,000) e-mails to a local SMTP sink, in
    /// notices per second, beside the submission rate of the same run with notifications off
    /// and on (the worker delivering meanwhile); on SQLite and, with `--postgres`,
    /// PostgreSQL. The target: at most 10 % fewer submissions per second with them on.
    Notify(notify::NotifyArgs),
}

/// Runs one benchmark.
pub async fn run(_config: &Config, command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Store(args) => store::run(args).await,
        BenchCommand::Load(args) => load::run(args).await,
        BenchCommand::CoreFlow(args) => core_flow::run(args).await,
        BenchCommand::Recompute(args) => recompute::run(args).await,
        BenchCommand::Concerns(args) => concerns::run(args).await,
        BenchCommand::Documents(args) => documents::run(args).await,
        BenchCommand::Notify(args) => notify::run(args).await,
    }
}

/// Latencies of one kind of operation, summarised by nearest-rank percentiles.
#[derive(Debug, Default, Clone)]
pub(crate) struct Latencies(Vec<Duration>);

impl Latencies {
    /// Records one.
    pub(crate) fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    /// Adds another set.
    pub(crate) fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    /// How many were recorded.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p`-th percentile (0–100) in milliseconds; 0 when none was recorded.
    pub(crate) fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        percentile_of_sorted(&sorted, p).as_secs_f64() * 1000.0
    }
}

/// Nearest-rank percentile of an ascending slice.
fn percentile_of_sorted(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `a / b`, or 0 when `b` is 0 (a ratio of nothing is not infinite progress).
pub(crate) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut l = Latencies::default();
        for ms in 1..=100 {
            l.push(Duration::from_millis(ms));
        }
        assert_eq!(l.percentile_ms(50.0), 50.0);
        assert_eq!(l.percentile_ms(99.0), 99.0);
        assert_eq!(l.percentile_ms(100.0), 100.0);
        assert_eq!(Latencies::default().percentile_ms(50.0), 0.0);
        assert_eq!(ratio(1.0, 0.0), 0.0);
    }
}
