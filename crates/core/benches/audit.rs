//! Benchmark of audit-chain verification: `audit::verify` over a chain of 100,000 entries
//! (recomputing every SHA-256 and checking every link), as `tongban audit verify` does.
//!
//! Run with `cargo bench -p tongban-core --bench audit`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use tongban_core::audit::{AuditEntry, GENESIS, entry_hash, verify};

const ENTRIES: u64 = 100_000;

/// A chain of `n` entries shaped like the real log: logins, grants and case decisions.
fn chain(n: u64) -> Vec<AuditEntry> {
    let mut prev = GENESIS.to_owned();
    (1..=n)
        .map(|seq| {
            let at = format!("2026-03-{:02}T{:02}:{:02}:{:02}.000000Z", 1 + seq % 28, seq % 24, seq % 60, seq % 59);
            let (actor, action, subject, detail) = match seq % 3 {
                0 => ("fgw.clerk".to_owned(), "login.success".to_owned(), "fgw.clerk".to_owned(), "{}".to_owned()),
                1 => (
                    "fgw.approver".to_owned(),
                    "case.approve".to_owned(),
                    format!("620100-2026-{seq:06}"),
                    format!(r#"{{"command":"approve","authority":["g-demo-1"],"version":{}}}"#, seq % 9),
                ),
                _ => (
                    "fgw.head".to_owned(),
                    "grant.create".to_owned(),
                    format!("g-{seq}"),
                    r#"{"via":"api"}"#.to_owned(),
                ),
            };
            let hash = entry_hash(&prev, seq, &at, &actor, &action, &subject, &detail);
            let entry =
                AuditEntry { seq, at, actor, action, subject, detail, prev_hash: prev.clone(), hash: hash.clone() };
            prev = hash;
            entry
        })
        .collect()
}

fn audit_benches(c: &mut Criterion) {
    let log = chain(ENTRIES);
    assert_eq!(verify(&log), Ok(ENTRIES));
    let mut group = c.benchmark_group("audit");
    // One verification takes tenths of a second; ten samples are plenty.
    group.sample_size(10);
    group.throughput(Throughput::Elements(ENTRIES));
    group.bench_function("verify_100k", |b| b.iter(|| verify(black_box(&log))));
    group.finish();
}

// In a private module, so the undocumented `pub fn` the macro makes is not exported.
mod group {
    use criterion::criterion_group;
    criterion_group!(benches, super::audit_benches);
}
criterion_main!(group::benches);
