//! 无缝转接 — who may hand a case over, to whom, and who may withdraw an open offer.
//!
//! The app gathers the facts (the actor's role, department and position, the owner's
//! department, the receiver's account) and these rules decide.

use super::{Case, CaseError, OwnerCandidate};
use crate::identity::Role;
use crate::org::{DepartmentCode, Position};

/// The person who asks to hand a case over or to withdraw an offer.
#[derive(Debug, Clone, Copy)]
pub struct HandOverActor<'a> {
    /// Their login.
    pub login: &'a str,
    /// Their role.
    pub role: Role,
    /// Their department, for staff.
    pub department: Option<&'a DepartmentCode>,
    /// Their position in the delegation chain, if recorded.
    pub position: Option<Position>,
}

impl HandOverActor<'_> {
    /// Whether the actor leads `department`: its head (主要领导, by role or position) or a
    /// division chief there (处室负责人).
    fn leads(&self, department: Option<&DepartmentCode>) -> bool {
        let leader =
            self.role == Role::DepartmentHead || matches!(self.position, Some(Position::Head | Position::Chief));
        leader && self.department.is_some() && self.department == department
    }
}

/// Checks that `actor` may hand `case` over (首接责任制: the owner answers for the case):
/// its current owner, a chief or head of the owner's department (`owner_department`), or
/// a supervisor. Anyone else, a colleague included, is refused.
///
/// `owner_department` is none when no person owns the case yet — it came in through a hall
/// channel (`hall.online`, …) and nobody has taken it up: then everyone of the item's
/// department (`item_department`) is its first contact (全员首接) and may hand it on.
pub fn check_hand_over_by(
    case: &Case,
    actor: &HandOverActor<'_>,
    owner_department: Option<&DepartmentCode>,
    item_department: &DepartmentCode,
) -> Result<(), CaseError> {
    let first_contact = owner_department.is_none() && actor.department == Some(item_department);
    if actor.login == case.owner || actor.role == Role::Supervisor || actor.leads(owner_department) || first_contact {
        Ok(())
    } else {
        Err(CaseError::NotYourHandOver(
            "only the case's owner, a chief or head of the owner's department, or a supervisor may hand it over",
        ))
    }
}

/// Checks that `actor` may withdraw the open hand-over offer of `case`: whoever made the
/// offer, the owner, or a supervisor.
pub fn check_withdraw_by(case: &Case, actor: &HandOverActor<'_>) -> Result<(), CaseError> {
    let offerer = case.pending_handover_by.as_deref() == Some(actor.login);
    if offerer || actor.login == case.owner || actor.role == Role::Supervisor {
        Ok(())
    } else {
        Err(CaseError::NotYourHandOver(
            "only who offered the hand-over, the case's owner or a supervisor may withdraw it",
        ))
    }
}

/// Checks that `login` may be offered a case: an existing, enabled account of a
/// department's staff — of the item's department or another one (a hand-over across
/// departments). `candidate` is the account as stored, none when there is none.
pub fn check_receiver(login: &str, candidate: Option<OwnerCandidate<'_>>) -> Result<(), CaseError> {
    let refuse = |why| Err(CaseError::NotAnOwner { login: login.trim().to_owned(), why });
    match candidate {
        None => refuse("there is no such account"),
        Some(c) if c.disabled => refuse("the account is disabled"),
        Some(c) if !c.role.is_department_staff() || c.department.is_none() => {
            refuse("only a department's staff take cases over")
        }
        Some(_) => Ok(()),
    }
}
