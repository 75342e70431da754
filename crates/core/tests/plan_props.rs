//! Property tests of plans: scheduling against brute force on small random DAGs,
//! validation against a brute-force cycle check on random digraphs, and BPMN/JSON round trips.

use proptest::prelude::*;
use tongban_core::item::ItemCode;
use tongban_core::plan::{Module, Plan, PlanError, PlanId, Problem, Section, Step, StepId, bpmn};

/// A random digraph: per node its days and the nodes it waits on.
#[derive(Debug, Clone)]
struct Graph {
    days: Vec<u32>,
    preds: Vec<Vec<usize>>,
}

fn sid(i: usize) -> StepId {
    StepId::parse(&format!("s{i}")).expect("valid id")
}

fn steps_of(g: &Graph, order: &[usize]) -> Vec<Step> {
    order
        .iter()
        .map(|&i| Step {
            id: sid(i),
            name: format!("环节{i}"),
            module: Module::Initiation,
            section: Section::Approval,
            lead_department: "住建局".into(),
            cooperating: vec![],
            item: None,
            days: g.days[i],
            prerequisites: g.preds[i].iter().map(|&p| sid(p)).collect(),
        })
        .collect()
}

/// A DAG on up to 10 nodes (edges only from lower to higher index), listed in a random order.
fn dag() -> impl Strategy<Value = (Graph, Vec<usize>)> {
    (1usize..=10)
        .prop_flat_map(|n| {
            (
                prop::collection::vec(0u32..=20, n),
                prop::collection::vec(any::<u16>(), n),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(|(days, masks, order)| {
            let preds = masks.iter().enumerate().map(|(i, m)| (0..i).filter(|j| m & (1 << j) != 0).collect()).collect();
            (Graph { days, preds }, order)
        })
}

/// Any digraph on up to 8 nodes, self-loops included.
fn digraph() -> impl Strategy<Value = Graph> {
    (1usize..=8).prop_flat_map(|n| {
        (prop::collection::vec(0u32..=5, n), prop::collection::vec(prop::collection::vec(0..n, 0..3), n)).prop_map(
            |(days, mut preds)| {
                for p in &mut preds {
                    p.sort_unstable();
                    p.dedup();
                }
                Graph { days, preds }
            },
        )
    })
}

/// Every maximal path (start step to final step) as a list of nodes.
fn all_paths(g: &Graph) -> Vec<Vec<usize>> {
    let n = g.days.len();
    let succ: Vec<Vec<usize>> = (0..n).map(|i| (0..n).filter(|&j| g.preds[j].contains(&i)).collect()).collect();
    let mut paths = Vec::new();
    let mut stack: Vec<Vec<usize>> = (0..n).filter(|&i| g.preds[i].is_empty()).map(|i| vec![i]).collect();
    while let Some(path) = stack.pop() {
        let Some(&last) = path.last() else { continue };
        if succ[last].is_empty() {
            paths.push(path);
        } else {
            for &s in &succ[last] {
                let mut p = path.clone();
                p.push(s);
                stack.push(p);
            }
        }
    }
    paths
}

fn has_cycle(g: &Graph) -> bool {
    // Repeatedly remove nodes without remaining prerequisites.
    let n = g.days.len();
    let mut removed = vec![false; n];
    loop {
        let next = (0..n).find(|&i| !removed[i] && g.preds[i].iter().all(|&p| removed[p]));
        match next {
            Some(i) => removed[i] = true,
            None => return removed.iter().any(|r| !r),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn critical_path_and_slack_equal_brute_force((g, order) in dag()) {
        let plan = Plan::new(PlanId::parse("p").unwrap(), "p", 1, steps_of(&g, &order)).unwrap();
        let schedule = plan.schedule();
        let paths = all_paths(&g);
        let length = |p: &[usize]| p.iter().map(|&i| g.days[i]).sum::<u32>();
        let total = paths.iter().map(|p| length(p)).max().unwrap();
        prop_assert_eq!(schedule.total_days, total);
        for i in 0..g.days.len() {
            let through = paths.iter().filter(|p| p.contains(&i)).map(|p| length(p)).max().unwrap();
            let before = paths
                .iter()
                .filter_map(|p| p.iter().position(|&v| v == i).map(|k| length(&p[..k])))
                .max()
                .unwrap();
            let t = schedule.times(&sid(i)).unwrap();
            prop_assert_eq!(t.slack, total - through, "slack of s{}", i);
            prop_assert_eq!(t.earliest_start, before, "earliest start of s{}", i);
            prop_assert_eq!(t.earliest_finish, t.earliest_start + g.days[i]);
            prop_assert_eq!(t.latest_finish, t.latest_start + g.days[i]);
            prop_assert_eq!(t.latest_start - t.earliest_start, t.slack);
        }
        // The critical path is a chain of prerequisites from a start to a final step that
        // adds up to the total, all without slack.
        let path: Vec<usize> = schedule
            .critical_path
            .iter()
            .map(|id| id.as_str()[1..].parse().unwrap())
            .collect();
        prop_assert_eq!(length(&path), total);
        prop_assert!(paths.contains(&path), "{:?} is not a maximal path", path);
        for &i in &path {
            prop_assert_eq!(schedule.times(&sid(i)).unwrap().slack, 0);
        }
    }

    #[test]
    fn validation_rejects_exactly_the_cyclic_graphs(g in digraph()) {
        let order: Vec<usize> = (0..g.days.len()).collect();
        let result = Plan::new(PlanId::parse("p").unwrap(), "p", 1, steps_of(&g, &order));
        if has_cycle(&g) {
            let Err(PlanError::Invalid { problems, .. }) = result else {
                return Err(TestCaseError::fail("a cyclic graph was accepted"));
            };
            let cycles: Vec<&Vec<StepId>> = problems
                .iter()
                .filter_map(|p| match p { Problem::Cycle { steps } => Some(steps), _ => None })
                .collect();
            prop_assert!(!cycles.is_empty());
            // Each named cycle is real: every step waits on the one before it.
            for cycle in cycles {
                for (k, id) in cycle.iter().enumerate() {
                    let prev = &cycle[(k + cycle.len() - 1) % cycle.len()];
                    let i: usize = id.as_str()[1..].parse().unwrap();
                    let p: usize = prev.as_str()[1..].parse().unwrap();
                    prop_assert!(g.preds[i].contains(&p), "{} does not wait on {}", id, prev);
                }
            }
        } else {
            prop_assert!(result.is_ok(), "{:?}", result.err());
        }
    }

    #[test]
    fn export_then_import_gives_an_equal_plan(plan in random_plan()) {
        let xml = bpmn::export(&plan);
        let back = bpmn::import(&xml).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(&back, &plan);
        let json = serde_json::to_string(&plan).unwrap();
        prop_assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
    }
}

/// A random valid plan: modules never decrease along prerequisites; awkward names.
fn random_plan() -> impl Strategy<Value = Plan> {
    let text = "[a-zA-Z甲乙&<>\"'][a-zA-Z0-9 &<>\"'甲乙丙丁审批]{0,12}";
    let leads = prop::sample::select(vec!["", "发改委", "自然资源局", "住建局", "A & B <局>"]);
    let step = (
        0u32..=30,
        0usize..5,
        prop::sample::select(Section::ALL.to_vec()),
        text,
        leads,
        prop::collection::vec(text, 0..3),
        prop::option::of("[0-9]{6}-[A-Z]{2,4}-[0-9]{3}"),
        any::<u16>(),
    );
    (prop::collection::vec(step, 1..12), "[a-z][a-z0-9-]{0,10}", text, 1u32..100).prop_map(
        |(raw, id, name, version)| {
            // Modules sorted so that an earlier step never has a later module.
            let mut modules: Vec<usize> = raw.iter().map(|r| r.1).collect();
            modules.sort_unstable();
            let steps = raw
                .into_iter()
                .enumerate()
                .map(|(i, (days, _, section, name, lead, cooperating, item, mask))| Step {
                    id: StepId::parse(&format!("S{i}")).expect("valid id"),
                    name,
                    module: Module::ALL[modules[i]],
                    section,
                    lead_department: lead.to_owned(),
                    cooperating,
                    item: item.map(|c| ItemCode::parse(&c).expect("valid code")),
                    days,
                    prerequisites: (0..i)
                        .filter(|j| mask & (1 << j) != 0)
                        .map(|j| StepId::parse(&format!("S{j}")).expect("valid id"))
                        .collect(),
                })
                .collect();
            Plan::new(PlanId::parse(&format!("p{id}")).expect("valid id"), name, version, steps)
                .expect("a valid random plan")
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Import never panics: damaged exports (cut short, bytes replaced) and arbitrary text
    /// are either read or refused with an error.
    #[test]
    fn import_never_panics_on_damaged_documents(
        plan in random_plan(),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec!['<', '>', '"', '&', '/', 'x', ' ', '='])), 0..4),
        noise in ".{0,200}",
    ) {
        let xml = bpmn::export(&plan);
        let mut chars: Vec<char> = xml.chars().collect();
        for (at, c) in flips {
            let i = at.index(chars.len());
            chars[i] = c;
        }
        let damaged: String = chars.into_iter().collect();
        let cut_at = cut.index(damaged.len());
        let cut_at = (0..=cut_at).rev().find(|&i| damaged.is_char_boundary(i)).unwrap_or(0);
        let _ = bpmn::import(&damaged);
        let _ = bpmn::import(&damaged[..cut_at]);
        let _ = bpmn::import(&noise);
    }
}
