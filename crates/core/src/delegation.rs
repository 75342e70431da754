//! Delegated authority (逐级授权): a decision on a case may only be taken by someone who
//! holds the power for the item through an unbroken chain of valid grants reaching the
//! department's root holder (its head). A grant never gives more than its grantor holds;
//! revoking or expiry stops a grant — and everything re-delegated from it — at once.
//!
//! Levels (层级): every grant records where its grantor and grantee stood when it was given
//! — 主要领导 (head), 分管领导 (deputy), 处室负责人 (chief), 一般工作人员 (staff) — so a
//! decision's chain reads "主要领导 → 分管领导 → 处室负责人 → 窗口人员". 逐级授权 passes power
//! down, so a grant may go to a lower level or across the same level (a deputy covering for
//! another deputy), never upwards: a chief cannot empower their deputy, since the deputy's
//! authority must come from the head. A party with no recorded position (an account made by
//! hand without one) is not checked, only recorded as unknown.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::identity::{Power, Role};
use crate::item::ItemCode;
use crate::org::{DepartmentCode, Position};

/// A grant's id.
pub type GrantId = String;

/// A grant (授权): the grantor gives the grantee some powers over some items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Its id.
    pub id: GrantId,
    /// Who gives.
    pub grantor: String,
    /// Who receives.
    pub grantee: String,
    /// The department whose items it covers.
    pub department: DepartmentCode,
    /// The items it covers; none means all of the department's items.
    pub items: Option<BTreeSet<ItemCode>>,
    /// The powers it gives; never empty.
    pub powers: BTreeSet<Power>,
    /// From when it works.
    pub valid_from: jiff::Timestamp,
    /// Until when it works (exclusive); none means until revoked.
    pub valid_until: Option<jiff::Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<jiff::Timestamp>,
    /// The grant the grantor held it under; none when the grantor is the root holder.
    pub parent: Option<GrantId>,
    /// Where grantor and grantee stood in the chain when it was given.
    pub levels: Levels,
}

/// The grantor's and the grantee's positions when a grant was given; none where unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels {
    /// The grantor's level.
    pub grantor: Option<Position>,
    /// The grantee's level.
    pub grantee: Option<Position>,
}

impl Levels {
    /// Whether a grant between these levels goes down the chain or across it (never up);
    /// an unknown level is not checked.
    pub fn go_down_or_across(self) -> bool {
        match (self.grantor, self.grantee) {
            (Some(from), Some(to)) => to.rank() <= from.rank(),
            _ => true,
        }
    }
}

impl Grant {
    /// Whether the grant itself is in force at `now` (not yet its chain).
    pub fn is_active(&self, now: jiff::Timestamp) -> bool {
        self.valid_from <= now && self.valid_until.is_none_or(|u| now < u) && self.revoked_at.is_none_or(|r| now < r)
    }

    /// Whether an account (`login`, in `role`, of `department`) may revoke this grant: its
    /// grantor, the head of the grant's department, or an administrator.
    pub fn may_be_revoked_by(&self, login: &str, role: Role, department: Option<&DepartmentCode>) -> bool {
        role == Role::Administrator
            || self.grantor == login
            || (role == Role::DepartmentHead && department == Some(&self.department))
    }

    /// Whether it covers `power` over `item` of `department`.
    pub fn covers(&self, department: &DepartmentCode, item: &ItemCode, power: Power) -> bool {
        &self.department == department
            && self.powers.contains(&power)
            && self.items.as_ref().is_none_or(|s| s.contains(item))
    }

    /// Whether it covers everything `other` would give.
    fn contains(
        &self,
        department: &DepartmentCode,
        items: Option<&BTreeSet<ItemCode>>,
        powers: &BTreeSet<Power>,
    ) -> bool {
        &self.department == department
            && powers.is_subset(&self.powers)
            && match (&self.items, items) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(mine), Some(theirs)) => theirs.is_subset(mine),
            }
    }
}

/// Where a grant stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantStatus {
    /// In force, and so is its chain.
    Active,
    /// Not yet in force.
    Pending,
    /// Its time is over.
    Expired,
    /// Revoked.
    Revoked,
    /// In force itself, but a grant above it is not: it confers nothing.
    Broken,
}

impl GrantStatus {
    /// Every status.
    pub const ALL: [GrantStatus; 5] = [Self::Active, Self::Pending, Self::Expired, Self::Revoked, Self::Broken];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Broken => "broken",
        }
    }
}

/// What a grantor asks to give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRequest {
    /// Who gives.
    pub grantor: String,
    /// Who receives.
    pub grantee: String,
    /// Department.
    pub department: DepartmentCode,
    /// Items; none for all of the department's items.
    pub items: Option<BTreeSet<ItemCode>>,
    /// Powers.
    pub powers: BTreeSet<Power>,
    /// From when.
    pub valid_from: jiff::Timestamp,
    /// Until when.
    pub valid_until: Option<jiff::Timestamp>,
}

/// A refused grant or revocation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelegationError {
    /// The grantor does not hold all of it.
    #[error("{grantor} does not hold all of what the grant would give")]
    Exceeds {
        /// The grantor.
        grantor: String,
    },
    /// A grant to someone higher in the chain than the grantor (逐级授权 goes down).
    #[error("a grant cannot go up the chain, from {from} to {to}")]
    Upwards {
        /// The grantor's level.
        from: &'static str,
        /// The grantee's level.
        to: &'static str,
    },
    /// A grant to oneself, with no powers, or ending before it starts.
    #[error("invalid grant: {0}")]
    Invalid(&'static str),
    /// Unknown grant.
    #[error("grant {0} does not exist")]
    Unknown(GrantId),
    /// Only the grantor (or an administrator, decided by the caller) may revoke.
    #[error("grant {0} is already revoked")]
    AlreadyRevoked(GrantId),
}

/// All grants, and who holds authority by office (department heads).
#[derive(Debug, Clone, Default)]
pub struct Delegations {
    grants: HashMap<GrantId, Grant>,
    roots: HashSet<(String, DepartmentCode)>,
}

impl Delegations {
    /// Builds the view over `grants`; `roots` are (account, department) pairs holding every
    /// power over the department's items by office.
    pub fn new(
        grants: impl IntoIterator<Item = Grant>,
        roots: impl IntoIterator<Item = (String, DepartmentCode)>,
    ) -> Self {
        Self { grants: grants.into_iter().map(|g| (g.id.clone(), g)).collect(), roots: roots.into_iter().collect() }
    }

    /// A grant by id.
    pub fn grant(&self, id: &str) -> Option<&Grant> {
        self.grants.get(id)
    }

    /// Every grant.
    pub fn grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.values()
    }

    fn is_root(&self, who: &str, department: &DepartmentCode) -> bool {
        self.roots.contains(&(who.to_owned(), department.clone()))
    }

    /// Where `grant` stands at `now`: revoked or expired first, then not yet in force, then
    /// whether its whole chain holds.
    pub fn status(&self, grant: &Grant, now: jiff::Timestamp) -> GrantStatus {
        if grant.revoked_at.is_some_and(|t| t <= now) {
            GrantStatus::Revoked
        } else if grant.valid_until.is_some_and(|t| t <= now) {
            GrantStatus::Expired
        } else if grant.valid_from > now {
            GrantStatus::Pending
        } else if self.chain_is_valid(grant, now).is_none() {
            GrantStatus::Broken
        } else {
            GrantStatus::Active
        }
    }

    /// Whether `grant` and every grant above it are in force at `now`, each within its parent
    /// and given by its parent's grantee, up to a root holder. Bounded by the number of grants,
    /// so a corrupt cyclic parent link cannot loop.
    pub fn chain_is_valid(&self, grant: &Grant, now: jiff::Timestamp) -> Option<Vec<GrantId>> {
        let mut chain = vec![grant.id.clone()];
        let mut current = grant;
        for _ in 0..=self.grants.len() {
            if !current.is_active(now) {
                return None;
            }
            match &current.parent {
                None => {
                    chain.reverse();
                    return self.is_root(&current.grantor, &current.department).then_some(chain);
                }
                Some(pid) => {
                    let parent = self.grants.get(pid)?;
                    if parent.grantee != current.grantor
                        || !parent.contains(&current.department, current.items.as_ref(), &current.powers)
                    {
                        return None;
                    }
                    chain.push(parent.id.clone());
                    current = parent;
                }
            }
        }
        None
    }

    /// The chain (root first) under which `who` may use `power` on `item` now: empty when
    /// `who` holds it by office, none when `who` does not hold it.
    pub fn authority(
        &self,
        who: &str,
        department: &DepartmentCode,
        item: &ItemCode,
        power: Power,
        now: jiff::Timestamp,
    ) -> Option<Vec<GrantId>> {
        if self.is_root(who, department) {
            return Some(Vec::new());
        }
        let mut candidates: Vec<&Grant> =
            self.grants.values().filter(|g| g.grantee == who && g.covers(department, item, power)).collect();
        // Deterministic choice: the shortest chain, then the oldest grant.
        candidates.sort_by(|a, b| a.valid_from.cmp(&b.valid_from).then(a.id.cmp(&b.id)));
        candidates.iter().filter_map(|g| self.chain_is_valid(g, now)).min_by_key(Vec::len)
    }

    /// Checks a request against what the grantor holds now and returns the grant to store.
    pub fn grant_from(
        &self,
        id: GrantId,
        request: GrantRequest,
        now: jiff::Timestamp,
    ) -> Result<Grant, DelegationError> {
        if request.grantor == request.grantee {
            return Err(DelegationError::Invalid("a grant to oneself"));
        }
        if request.powers.is_empty() {
            return Err(DelegationError::Invalid("a grant with no powers"));
        }
        if request.items.as_ref().is_some_and(BTreeSet::is_empty) {
            return Err(DelegationError::Invalid("a grant over an empty list of items"));
        }
        if request.valid_until.is_some_and(|u| u <= request.valid_from) {
            return Err(DelegationError::Invalid("a grant that ends before it starts"));
        }
        let parent = if self.is_root(&request.grantor, &request.department) {
            None
        } else {
            let mut held: Vec<&Grant> = self
                .grants
                .values()
                .filter(|g| {
                    g.grantee == request.grantor
                        && g.contains(&request.department, request.items.as_ref(), &request.powers)
                })
                .filter(|g| self.chain_is_valid(g, now).is_some())
                .collect();
            held.sort_by(|a, b| a.id.cmp(&b.id));
            Some(held.first().ok_or(DelegationError::Exceeds { grantor: request.grantor.clone() })?.id.clone())
        };
        Ok(Grant {
            id,
            grantor: request.grantor,
            grantee: request.grantee,
            department: request.department,
            items: request.items,
            powers: request.powers,
            valid_from: request.valid_from.max(now),
            valid_until: request.valid_until,
            revoked_at: None,
            parent,
            levels: Levels::default(),
        })
    }

    /// [`Self::grant_from`], between parties standing at `levels`: a grant up the chain is
    /// refused, and the levels are recorded on the grant.
    pub fn grant_between(
        &self,
        id: GrantId,
        request: GrantRequest,
        levels: Levels,
        now: jiff::Timestamp,
    ) -> Result<Grant, DelegationError> {
        if !levels.go_down_or_across() {
            let name = |p: Option<Position>| p.map_or("unknown", Position::as_str);
            return Err(DelegationError::Upwards { from: name(levels.grantor), to: name(levels.grantee) });
        }
        let mut grant = self.grant_from(id, request, now)?;
        grant.levels = levels;
        Ok(grant)
    }

    /// Revokes a grant at `now`; everything delegated from it stops with it (their chains break).
    pub fn revoke(&mut self, id: &str, now: jiff::Timestamp) -> Result<Grant, DelegationError> {
        let grant = self.grants.get_mut(id).ok_or_else(|| DelegationError::Unknown(id.to_owned()))?;
        if grant.revoked_at.is_some_and(|r| r <= now) {
            return Err(DelegationError::AlreadyRevoked(id.to_owned()));
        }
        grant.revoked_at = Some(now);
        Ok(grant.clone())
    }

    /// Adds a stored grant.
    pub fn insert(&mut self, grant: Grant) {
        self.grants.insert(grant.id.clone(), grant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> jiff::Timestamp {
        s.parse().expect("valid")
    }

    fn dept() -> DepartmentCode {
        DepartmentCode::parse("fgw").expect("valid")
    }

    fn item() -> ItemCode {
        ItemCode::parse("620100-FGW-001").expect("valid")
    }

    fn request(grantor: &str, grantee: &str, powers: &[Power]) -> GrantRequest {
        GrantRequest {
            grantor: grantor.into(),
            grantee: grantee.into(),
            department: dept(),
            items: None,
            powers: powers.iter().copied().collect(),
            valid_from: t("2026-01-01T00:00:00Z"),
            valid_until: None,
        }
    }

    fn chain_of_three() -> Delegations {
        let now = t("2026-01-01T00:00:00Z");
        let mut d = Delegations::new([], [("head".to_owned(), dept())]);
        let g1 = d
            .grant_from("g1".into(), request("head", "deputy", &[Power::Approve, Power::Review]), now)
            .expect("head holds all");
        d.insert(g1);
        let g2 = d
            .grant_from("g2".into(), request("deputy", "chief", &[Power::Approve]), now)
            .expect("deputy holds approve");
        d.insert(g2);
        d
    }

    #[test]
    fn authority_flows_down_an_unbroken_chain() {
        let d = chain_of_three();
        let now = t("2026-02-01T00:00:00Z");
        assert_eq!(
            d.authority("chief", &dept(), &item(), Power::Approve, now),
            Some(vec!["g1".to_owned(), "g2".to_owned()])
        );
        assert_eq!(d.authority("head", &dept(), &item(), Power::Sign, now), Some(vec![]));
        assert_eq!(d.authority("chief", &dept(), &item(), Power::Review, now), None, "review was not re-delegated");
        let other = DepartmentCode::parse("zjj").expect("valid");
        assert_eq!(d.authority("chief", &other, &item(), Power::Approve, now), None, "another department");
    }

    #[test]
    fn a_grant_cannot_exceed_what_the_grantor_holds() {
        let d = chain_of_three();
        let now = t("2026-02-01T00:00:00Z");
        let err = d.grant_from("g3".into(), request("chief", "clerk", &[Power::Approve, Power::Sign]), now);
        assert_eq!(err, Err(DelegationError::Exceeds { grantor: "chief".into() }));
        let mut narrow = request("chief", "clerk", &[Power::Approve]);
        narrow.items = Some([item()].into());
        assert_eq!(d.grant_from("g3".into(), narrow, now).map(|g| g.parent), Ok(Some("g2".into())));
    }

    #[test]
    fn revoking_a_grant_breaks_everything_below_it_at_once() {
        let mut d = chain_of_three();
        let now = t("2026-02-01T00:00:00Z");
        d.revoke("g1", now).expect("revokes");
        assert_eq!(d.authority("deputy", &dept(), &item(), Power::Approve, now), None);
        assert_eq!(d.authority("chief", &dept(), &item(), Power::Approve, now), None);
        assert_eq!(
            d.authority("chief", &dept(), &item(), Power::Approve, t("2026-01-31T00:00:00Z")),
            Some(vec!["g1".into(), "g2".into()]),
            "it worked before"
        );
        assert_eq!(d.revoke("g1", now), Err(DelegationError::AlreadyRevoked("g1".into())));
    }

    #[test]
    fn an_expired_grant_stops_working() {
        let now = t("2026-01-01T00:00:00Z");
        let mut d = Delegations::new([], [("head".to_owned(), dept())]);
        let mut r = request("head", "clerk", &[Power::Accept]);
        r.valid_until = Some(t("2026-03-01T00:00:00Z"));
        d.insert(d.grant_from("g".into(), r, now).expect("valid"));
        assert!(d.authority("clerk", &dept(), &item(), Power::Accept, t("2026-02-28T23:59:59Z")).is_some());
        assert!(d.authority("clerk", &dept(), &item(), Power::Accept, t("2026-03-01T00:00:00Z")).is_none());
    }

    #[test]
    fn grants_go_down_or_across_the_chain_never_up() {
        let d = chain_of_three();
        let now = t("2026-02-01T00:00:00Z");
        let levels = |from, to| Levels { grantor: Some(from), grantee: Some(to) };
        let down = d
            .grant_between(
                "g3".into(),
                request("chief", "clerk", &[Power::Approve]),
                levels(Position::Chief, Position::Staff),
                now,
            )
            .expect("down the chain");
        assert_eq!(down.levels, levels(Position::Chief, Position::Staff), "recorded as given");
        assert!(
            d.grant_between(
                "g4".into(),
                request("deputy", "deputy2", &[Power::Approve]),
                levels(Position::Deputy, Position::Deputy),
                now
            )
            .is_ok(),
            "across: a deputy covering for another"
        );
        assert_eq!(
            d.grant_between(
                "g5".into(),
                request("chief", "deputy", &[Power::Approve]),
                levels(Position::Chief, Position::Deputy),
                now
            ),
            Err(DelegationError::Upwards { from: "chief", to: "deputy" })
        );
        let unknown = Levels { grantor: Some(Position::Staff), grantee: None };
        assert!(unknown.go_down_or_across(), "an unknown level is recorded, not checked");
    }

    #[test]
    fn nonsense_grants_are_refused() {
        let d = chain_of_three();
        let now = t("2026-02-01T00:00:00Z");
        assert!(matches!(
            d.grant_from("x".into(), request("head", "head", &[Power::Accept]), now),
            Err(DelegationError::Invalid(_))
        ));
        assert!(matches!(d.grant_from("x".into(), request("head", "a", &[]), now), Err(DelegationError::Invalid(_))));
        let mut r = request("head", "a", &[Power::Accept]);
        r.valid_until = Some(r.valid_from);
        assert!(matches!(d.grant_from("x".into(), r, now), Err(DelegationError::Invalid(_))));
    }
}
