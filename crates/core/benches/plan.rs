//! Critical-path scheduling on random plans of 100, 1,000 and 10,000 steps, each waiting on
//! about two earlier steps. Both validation (`Plan::new`: index, Kahn) and `schedule`
//! (forward and backward pass) are O(steps + prerequisites), so time per step should stay
//! flat as plans grow.
//!
//! Run with `cargo bench -p tongban-core --bench plan`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use tongban_core::plan::{Module, Plan, PlanId, Section, Step, StepId};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

fn random_steps(n: usize) -> Vec<Step> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
    let ids: Vec<StepId> = (0..n).map(|i| StepId::parse(&format!("s{i}")).expect("valid id")).collect();
    (0..n)
        .map(|i| {
            let mut prerequisites: Vec<StepId> = Vec::new();
            if i > 0 {
                for _ in 0..2 {
                    let p = ids[rng.below(i)].clone();
                    if !prerequisites.contains(&p) {
                        prerequisites.push(p);
                    }
                }
            }
            Step {
                id: ids[i].clone(),
                name: format!("环节{i}"),
                module: Module::ALL[i * 5 / n],
                section: Section::ALL[i % 4],
                lead_department: "住建局".into(),
                cooperating: vec![],
                item: None,
                days: u32::try_from(rng.below(30)).unwrap_or(1),
                prerequisites,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    for n in [100usize, 1_000, 10_000] {
        let steps = random_steps(n);
        let id = PlanId::parse("bench").expect("valid id");
        let plan = Plan::new(id.clone(), "bench", 1, steps.clone()).expect("a random DAG is a valid plan");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("schedule", n), &plan, |b, plan| {
            b.iter(|| black_box(plan).schedule());
        });
        group.bench_with_input(BenchmarkId::new("validate", n), &steps, |b, steps| {
            b.iter(|| Plan::new(id.clone(), "bench", 1, black_box(steps).clone()));
        });
    }
    group.finish();
}

// In a private module, so the undocumented `pub fn` the macro makes is not exported.
mod group {
    use criterion::criterion_group;
    criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
