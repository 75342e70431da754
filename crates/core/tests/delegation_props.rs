//! Property tests of delegated authority against a forward, fixpoint oracle: a power is
//! usable iff an unbroken chain of grants, each in force and within its parent, reaches
//! the root holder.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tongban_core::delegation::{Delegations, Grant};
use tongban_core::identity::Power;
use tongban_core::item::ItemCode;
use tongban_core::org::DepartmentCode;

const PEOPLE: [&str; 6] = ["head", "a", "b", "c", "d", "e"];

fn t(hour: u8) -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_767_225_600 + i64::from(hour) * 3600).expect("valid")
}

fn item(i: u8) -> ItemCode {
    ItemCode::parse(&format!("I{i}")).expect("valid")
}

#[derive(Debug, Clone)]
struct Spec {
    parent: Option<usize>,
    grantee: usize,
    items: Option<Vec<u8>>,
    powers: Vec<u8>,
    from: u8,
    until: Option<u8>,
    revoked: Option<u8>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::option::of(0usize..12),
        1usize..PEOPLE.len(),
        proptest::option::of(proptest::collection::vec(0u8..3, 1..3)),
        proptest::collection::vec(0u8..5, 1..4),
        0u8..10,
        proptest::option::of(0u8..24),
        proptest::option::of(0u8..24),
    )
        .prop_map(|(parent, grantee, items, powers, from, until, revoked)| Spec {
            parent,
            grantee,
            items,
            powers,
            from,
            until,
            revoked,
        })
}

/// Builds grants whose grantor is the parent's grantee (or the head), so chains form trees;
/// scope and powers are random, so some exceed their parent on purpose.
fn build(specs: &[Spec]) -> Vec<Grant> {
    let dept = DepartmentCode::parse("fgw").expect("valid");
    let mut grants: Vec<Grant> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let parent = s.parent.filter(|p| *p < i);
        let grantor = parent.map_or("head".to_owned(), |p| grants[p].grantee.clone());
        grants.push(Grant {
            id: format!("g{i}"),
            grantor,
            grantee: PEOPLE[s.grantee].to_owned(),
            department: dept.clone(),
            items: s.items.as_ref().map(|v| v.iter().map(|i| item(*i)).collect()),
            powers: s.powers.iter().map(|p| Power::ALL[usize::from(*p)]).collect(),
            valid_from: t(s.from),
            valid_until: s.until.map(t),
            revoked_at: s.revoked.map(t),
            parent: parent.map(|p| format!("g{p}")),
            levels: tongban_core::delegation::Levels::default(),
        });
    }
    grants
}

/// Forward closure: grants effective at `now`, grown from the root holder outwards.
fn effective(grants: &[Grant], now: jiff::Timestamp) -> Vec<&Grant> {
    let active = |g: &Grant| {
        g.valid_from <= now && g.valid_until.is_none_or(|u| now < u) && g.revoked_at.is_none_or(|r| now < r)
    };
    let within = |child: &Grant, parent: &Grant| {
        child.powers.is_subset(&parent.powers)
            && match (&parent.items, &child.items) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(p), Some(c)) => c.is_subset(p),
            }
    };
    let mut eff: BTreeSet<usize> = BTreeSet::new();
    loop {
        let before = eff.len();
        for (i, g) in grants.iter().enumerate() {
            if eff.contains(&i) || !active(g) {
                continue;
            }
            let ok = match &g.parent {
                None => g.grantor == "head",
                Some(pid) => grants
                    .iter()
                    .position(|p| &p.id == pid)
                    .is_some_and(|p| eff.contains(&p) && grants[p].grantee == g.grantor && within(g, &grants[p])),
            };
            if ok {
                eff.insert(i);
            }
        }
        if eff.len() == before {
            return eff.into_iter().map(|i| &grants[i]).collect();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn a_power_is_usable_iff_an_unbroken_valid_chain_reaches_the_root(
        specs in proptest::collection::vec(spec(), 0..12),
        who in 0usize..PEOPLE.len(),
        power in 0usize..5,
        it in 0u8..3,
        hour in 0u8..26,
    ) {
        let grants = build(&specs);
        let dept = DepartmentCode::parse("fgw").expect("valid");
        let d = Delegations::new(grants.clone(), [("head".to_owned(), dept.clone())]);
        let now = t(hour);
        let (who, power, item) = (PEOPLE[who], Power::ALL[power], item(it));
        let oracle = who == "head" || effective(&grants, now).iter().any(|g| g.grantee == who && g.covers(&dept, &item, power));
        let got = d.authority(who, &dept, &item, power, now);
        prop_assert_eq!(got.is_some(), oracle);
        if let Some(chain) = got.filter(|c| !c.is_empty()) {
            // The recorded chain starts at a grant given by the root and ends with one held by `who`.
            prop_assert_eq!(&d.grant(&chain[0]).expect("exists").grantor, "head");
            prop_assert_eq!(&d.grant(chain.last().expect("non-empty")).expect("exists").grantee, who);
        }
    }

    #[test]
    fn a_new_grant_never_exceeds_what_its_grantor_holds(
        specs in proptest::collection::vec(spec(), 0..10),
        grantor in 1usize..PEOPLE.len(),
        request in spec(),
        hour in 0u8..24,
    ) {
        let grants = build(&specs);
        let dept = DepartmentCode::parse("fgw").expect("valid");
        let d = Delegations::new(grants, [("head".to_owned(), dept.clone())]);
        let now = t(hour);
        let items: Option<BTreeSet<ItemCode>> = request.items.as_ref().map(|v| v.iter().map(|i| item(*i)).collect());
        let powers: BTreeSet<Power> = request.powers.iter().map(|p| Power::ALL[usize::from(*p)]).collect();
        let req = tongban_core::delegation::GrantRequest {
            grantor: PEOPLE[grantor].to_owned(),
            grantee: if request.grantee == grantor { "x".into() } else { PEOPLE[request.grantee].to_owned() },
            department: dept.clone(),
            items: items.clone(),
            powers: powers.clone(),
            valid_from: now,
            valid_until: None,
        };
        if let Ok(g) = d.grant_from("new".into(), req, now) {
            // Every power over every covered item is one the grantor can use now.
            let probe: Vec<ItemCode> = items.map_or_else(|| (0..3).map(item).collect(), |s| s.into_iter().collect());
            for p in &powers {
                for i in &probe {
                    prop_assert!(d.authority(&g.grantor, &dept, i, *p, now).is_some());
                }
            }
        }
    }
}
