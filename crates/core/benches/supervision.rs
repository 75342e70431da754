//! Benchmark of the supervision board with 1,000,000 running cases, in one run:
//!
//! - **incremental tick**: `Board::tick` up to the moment of the 1,000th scheduled colour
//!   change, so each tick has about 1,000 changes (ties on the same moment included);
//! - **full re-evaluation**: `Board::full_reevaluation`, which recomputes every case's outlook
//!   with the calendar and rebuilds the index.
//!
//! A tick consumes the changes it processes, so a tick cannot be repeated on the same state
//! as criterion would; this bench has its own harness, moves forward through 21 successive
//! ticks (the first is a warm-up) and reports medians and the ratio.
//!
//! Run with `cargo bench -p tongban-core --bench supervision`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tongban_core::calendar::{Limit, Suspension, WorkingCalendar};
use tongban_core::supervision::{Board, CaseClock, Rule};

const CASES: u64 = 1_000_000;
const CHANGES_PER_TICK: usize = 1_000;
const TICKS: usize = 20;
const FULL_RUNS: usize = 3;

/// splitmix64: deterministic case data.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp")
}

/// Case `k`: a mix of limits (5 % same-day, 15 % 1–24 working hours, 80 % 1–30 working
/// days), accepted up to 1.2 times its limit's calendar span before `now` (so most are green
/// and about a sixth are red), some with a suspension, 5 % suspended now.
fn clock(k: u64, now: Timestamp) -> CaseClock {
    let r = mix(k);
    let (limit, span_days) = match (r >> 24) % 20 {
        0 => (Limit::EndOfDay, 1),
        1..=3 => {
            let h = 1 + ((r >> 32) % 24) as u32;
            (Limit::WorkingHours(h), 1 + u64::from(h) * 2 / 7)
        }
        _ => {
            let d = 1 + ((r >> 32) % 30) as u32;
            (Limit::WorkingDays(d), 1 + u64::from(d) * 7 / 5)
        }
    };
    let age = r % (span_days * 86_400 * 6 / 5);
    let accepted_at = now - SignedDuration::from_secs(age as i64);
    let mut clock = CaseClock { accepted_at, limit, suspensions: vec![], suspended_since: None };
    let gap = SignedDuration::from_secs(((r >> 40) % 86_400) as i64 + 60);
    match (r >> 56) % 20 {
        0..=3 if accepted_at + gap * 3 <= now => {
            clock.suspensions.push(Suspension { from: accepted_at + gap, until: accepted_at + gap * 3 })
        }
        4 if accepted_at + gap <= now => clock.suspended_since = Some(accepted_at + gap),
        _ => {}
    }
    clock
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let cal = WorkingCalendar::builtin();
    let rules = [Rule::center_default(&cal), Rule::new(90, 0).expect("valid"), Rule::new(50, 60).expect("valid")];
    let start = at("2024-10-18T10:00+08:00");
    let mut board = Board::with_capacity(cal, CASES as usize);

    let t0 = Instant::now();
    for k in 0..CASES {
        let rule = rules[(mix(k ^ 0xABCD) % 3) as usize];
        board.upsert(k, clock(k, start), rule, start).expect("2024 is covered");
    }
    let populate = t0.elapsed();
    let counts = board.counts();
    println!(
        "populated {CASES} running cases in {populate:.2?} ({:.0} ns per upsert): \
         {} green, {} yellow, {} red, {} suspended; {} scheduled changes",
        populate.as_nanos() as f64 / CASES as f64,
        counts.green,
        counts.yellow,
        counts.red,
        counts.suspended,
        board.upcoming().count(),
    );

    let mut now = start;
    let mut ticks = Vec::with_capacity(TICKS);
    let mut changed = Vec::with_capacity(TICKS);
    for i in 0..=TICKS {
        let Some((next, _)) = board.upcoming().nth(CHANGES_PER_TICK - 1) else {
            break;
        };
        now = next;
        let t = Instant::now();
        let changes = black_box(board.tick(black_box(now)));
        let elapsed = t.elapsed();
        if i > 0 {
            ticks.push(elapsed);
            changed.push(changes.len());
        }
    }
    // Every threshold falls on a whole minute (working-day limits all end at 17:30), so
    // thousands of cases can share one moment: such ticks are reported apart, and the
    // ratio uses the ticks of about 1,000 changes.
    let (usual, spikes): (Vec<_>, Vec<_>) =
        ticks.iter().copied().zip(changed.iter().copied()).partition(|&(_, n)| n <= CHANGES_PER_TICK * 3 / 2);
    let tick = median(usual.iter().map(|&(d, _)| d).collect());
    let (lo, hi) = (usual.iter().map(|&(_, n)| n).min().unwrap_or(0), usual.iter().map(|&(_, n)| n).max().unwrap_or(0));
    println!(
        "incremental tick: median {tick:.2?} over {} ticks of {lo}–{hi} colour changes \
         (fastest {:.2?}, slowest {:.2?}); board now at {now}",
        usual.len(),
        usual.iter().map(|&(d, _)| d).min().unwrap_or_default(),
        usual.iter().map(|&(d, _)| d).max().unwrap_or_default(),
    );
    for (d, n) in spikes {
        println!("  tick on a shared moment: {n} colour changes in {d:.2?}");
    }

    let mut fulls = Vec::with_capacity(FULL_RUNS);
    for _ in 0..FULL_RUNS {
        let t = Instant::now();
        let found = black_box(board.full_reevaluation(black_box(now)));
        fulls.push(t.elapsed());
        assert!(found.changes.is_empty() && found.failed.is_empty(), "the index was right");
    }
    let full = median(fulls.clone());
    println!(
        "full re-evaluation of {} cases: median {full:.2?} over {FULL_RUNS} runs ({:.0} ns per case)",
        board.len(),
        full.as_nanos() as f64 / board.len() as f64,
    );
    println!(
        "incremental tick is {:.0}× cheaper than a full re-evaluation (target ≥ 100×)",
        full.as_secs_f64() / tick.as_secs_f64()
    );
}
