//! Cases (办件): the state machine from submission to delivery.
//!
//! Every change is a typed [`CaseCommand`] that [`Case::handle`] turns into events or a
//! [`CaseError`] naming the broken rule — never a panic. [`Case::apply`] folds an event
//! into the current state, so a case is always the replay of its event log.

mod command;
mod number;
mod state;

use serde::{Deserialize, Serialize};

pub use command::CaseCommandKind;
pub use number::{BadCaseNumber, CaseNumber};
pub use state::CaseState;

use crate::calendar::{CalendarError, DueExplanation, Limit, Suspension, WorkingCalendar};
use crate::division::DivisionCode;
use crate::item::{Channel, ItemCode, ServiceItem};
use crate::org::check_name;

/// Who applies (申请人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Individual or enterprise.
    pub kind: ApplicantKind,
    /// Full name, or the enterprise's registered name.
    pub name: String,
    /// ID card number, or 统一社会信用代码 for an enterprise.
    pub id_number: String,
    /// A phone number to reach them (and to look the case up at a kiosk).
    #[serde(default)]
    pub phone: Option<String>,
}

/// Individual or enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 个人 — a citizen.
    Individual,
    /// 企业 — an enterprise or other organisation.
    Enterprise,
}

/// What an applicant hands in to open a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The applicant.
    pub applicant: Applicant,
    /// The channel it came through.
    pub channel: Channel,
    /// Names of the materials handed in.
    pub materials: Vec<String>,
    /// The first contact (首接): the staff member or hall channel that received it. Owns the case.
    pub owner: String,
    /// 绿色通道 — handled before other cases in every queue: set for the cases a
    /// green-channel project's steps open. Absent in older events, where it reads as false.
    #[serde(default)]
    pub priority: bool,
    /// The account that handed it in; set by the server, never taken from the request.
    /// Absent in older events.
    #[serde(default)]
    pub submitter: Option<Submitter>,
}

/// Who handed a submission in (recorded on every case): the account, and whether the
/// identity the case is in the name of was verified when it came in — by a clerk who saw
/// the document at the window, or because the applicant's account is verified (实名认证)
/// under that very identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    /// Login of the account.
    pub account: String,
    /// Whether the applicant's identity was verified at submission.
    pub verified: bool,
}

impl Applicant {
    /// The applicant as shown to anyone but at a window: identity number and phone masked.
    pub fn masked(&self) -> Applicant {
        Applicant {
            id_number: crate::identity::mask_id_number(&self.id_number),
            phone: self.phone.as_deref().map(crate::identity::mask_phone),
            ..self.clone()
        }
    }
}

/// A command on an existing case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseCommand {
    /// 受理 — accept: the clock starts.
    Accept,
    /// 不予受理 — refuse to accept, with a reason.
    Reject {
        /// Why.
        reason: String,
    },
    /// 补正 — ask for missing or defective materials. The clock does not start.
    RequestCorrection {
        /// The materials to hand in (again).
        missing: Vec<String>,
        /// A note to the applicant.
        #[serde(default)]
        note: String,
    },
    /// The applicant hands in what a correction asked for.
    Resubmit {
        /// Names of the materials handed in now.
        materials: Vec<String>,
    },
    /// A step of the item is done.
    CompleteStep {
        /// The step's name, e.g. 审核.
        step: String,
        /// A note.
        #[serde(default)]
        note: String,
    },
    /// 挂起 — stop the clock.
    Suspend {
        /// Why: expert review, hearing, public notice, field survey …
        reason: String,
    },
    /// Restart the clock.
    Resume,
    /// 准予 — approve.
    Approve {
        /// A note for the decision.
        #[serde(default)]
        note: String,
    },
    /// 不予 — deny with reason and legal basis.
    Deny {
        /// Why.
        reason: String,
        /// The provision relied on.
        legal_basis: String,
    },
    /// 送达 — deliver the decision.
    Deliver {
        /// How: window, mail, electronic licence …
        method: String,
    },
    /// 转交 — offer the case to another person; ownership moves when they accept.
    HandOver {
        /// The account that should take it over.
        to: String,
    },
    /// The receiver of a hand-over takes the case.
    TakeOver,
    /// A supervisor moves the case to another owner directly.
    Reassign {
        /// The new owner.
        to: String,
    },
    /// 评价 — the applicant rates the service (好差评), 1 (very dissatisfied) to 5 (very satisfied).
    Rate {
        /// 1–5.
        score: u8,
        /// A comment.
        #[serde(default)]
        comment: String,
    },
    /// 差评整改答复 — the department answers a bad rating (1–2): verified, rectified, told.
    AnswerRating {
        /// The answer shown to the rater.
        answer: String,
    },
    /// 退回 — send an accepted case back to the window for acceptance again: the clock
    /// stops and restarts in full at the new acceptance.
    Return {
        /// Why.
        reason: String,
    },
    /// 重新办理 — reopen a delivered case (e.g. after an administrative review): it is worked
    /// again with its full limit from now.
    Reopen {
        /// Why.
        reason: String,
    },
}

/// Something that happened to a case. The event log is the source of truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    /// The case was opened.
    Submitted {
        /// The item applied for.
        item: ItemCode,
        /// The catalog version the item was taken from.
        item_version: u32,
        /// Where the case is handled.
        division: DivisionCode,
        /// What was handed in.
        submission: Submission,
    },
    /// Accepted; due at `due_at` unless suspended.
    Accepted {
        /// The limit that runs from now.
        limit: Limit,
        /// When it is due.
        due_at: jiff::Timestamp,
        /// The calendar revision the due time was computed with.
        #[serde(default, skip_serializing_if = "is_zero")]
        calendar_revision: u64,
    },
    /// Not accepted.
    Rejected {
        /// Why.
        reason: String,
    },
    /// Correction requested.
    CorrectionRequested {
        /// What to hand in.
        missing: Vec<String>,
        /// Note to the applicant.
        note: String,
    },
    /// Materials handed in after a correction request.
    Resubmitted {
        /// What was handed in.
        materials: Vec<String>,
    },
    /// A step was completed.
    StepCompleted {
        /// Step name.
        step: String,
        /// Note.
        note: String,
    },
    /// The clock stopped.
    Suspended {
        /// Why.
        reason: String,
    },
    /// The clock restarted; the due time moved by the suspension's working time.
    Resumed {
        /// The new due time.
        due_at: jiff::Timestamp,
        /// The calendar revision the due time was computed with.
        #[serde(default, skip_serializing_if = "is_zero")]
        calendar_revision: u64,
    },
    /// Approved.
    Approved {
        /// Note.
        note: String,
    },
    /// Denied.
    Denied {
        /// Why.
        reason: String,
        /// The provision relied on.
        legal_basis: String,
    },
    /// The decision was delivered.
    Delivered {
        /// How.
        method: String,
    },
    /// The owner offered the case to someone.
    HandOverOffered {
        /// The owner.
        from: String,
        /// The offered receiver.
        to: String,
    },
    /// The receiver took the case over; they are the owner now.
    HandedOver {
        /// The previous owner.
        from: String,
        /// The new owner.
        to: String,
    },
    /// A supervisor moved the case.
    Reassigned {
        /// The previous owner.
        from: String,
        /// The new owner.
        to: String,
    },
    /// The applicant rated the service.
    Rated {
        /// 1–5.
        score: u8,
        /// Comment.
        comment: String,
    },
    /// The department answered a bad rating.
    RatingAnswered {
        /// The answer.
        answer: String,
    },
    /// Sent back to the window; the clock stopped.
    Returned {
        /// Why.
        reason: String,
    },
    /// Reopened after delivery; due again from now.
    Reopened {
        /// Why.
        reason: String,
        /// The new due time.
        due_at: jiff::Timestamp,
        /// The calendar revision the due time was computed with.
        #[serde(default, skip_serializing_if = "is_zero")]
        calendar_revision: u64,
    },
    /// The working calendar changed under the running case (a year's schedule imported, a
    /// closure added or lifted): its due time computed afresh (时限重算).
    DueRecomputed {
        /// The due time before.
        previous: jiff::Timestamp,
        /// The new due time.
        due_at: jiff::Timestamp,
        /// The calendar revision it was computed with.
        calendar_revision: u64,
        /// Why, in words (e.g. "2027 schedule imported").
        reason: String,
    },
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl CaseEvent {
    /// The event as shown in a case's history: personal data masked as on the case itself.
    pub fn masked(&self) -> CaseEvent {
        match self {
            Self::Submitted { item, item_version, division, submission } => Self::Submitted {
                item: item.clone(),
                item_version: *item_version,
                division: division.clone(),
                submission: Submission { applicant: submission.applicant.masked(), ..submission.clone() },
            },
            other => other.clone(),
        }
    }

    /// Whether the event decides the case (准予 or 不予): what finishes a project step.
    pub fn is_decision(&self) -> bool {
        matches!(self, Self::Approved { .. } | Self::Denied { .. })
    }

    /// The event's stable name (the `type` in its JSON).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Accepted { .. } => "accepted",
            Self::Rejected { .. } => "rejected",
            Self::CorrectionRequested { .. } => "correction_requested",
            Self::Resubmitted { .. } => "resubmitted",
            Self::StepCompleted { .. } => "step_completed",
            Self::Suspended { .. } => "suspended",
            Self::Resumed { .. } => "resumed",
            Self::Approved { .. } => "approved",
            Self::Denied { .. } => "denied",
            Self::Delivered { .. } => "delivered",
            Self::HandOverOffered { .. } => "hand_over_offered",
            Self::HandedOver { .. } => "handed_over",
            Self::Reassigned { .. } => "reassigned",
            Self::Rated { .. } => "rated",
            Self::RatingAnswered { .. } => "rating_answered",
            Self::Returned { .. } => "returned",
            Self::Reopened { .. } => "reopened",
            Self::DueRecomputed { .. } => "due_recomputed",
        }
    }
}

/// Ratings at or below this are bad (差评) and must be answered.
pub const BAD_RATING: u8 = 2;

/// Working days a department has to answer a bad rating (差评整改时限).
pub const BAD_RATING_ANSWER_DAYS: u32 = 5;

/// A text field of a submission or a command, for errors that name it: [`CaseField::name`]
/// is the field as the request and the forms call it, its display the words for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseField {
    /// The applicant's name.
    ApplicantName,
    /// The applicant's ID number or credit code.
    ApplicantIdNumber,
    /// The applicant's phone.
    ApplicantPhone,
    /// The first owner.
    Owner,
    /// A reason.
    Reason,
    /// A legal basis.
    LegalBasis,
    /// The materials a correction asks for.
    Missing,
    /// A step's name.
    Step,
    /// The receiver of a hand-over.
    Receiver,
    /// The receiver of a hand-over, who is the owner already.
    ReceiverIsOwner,
    /// The new owner of a reassignment.
    NewOwner,
    /// The answer to a bad rating.
    Answer,
    /// How a decision is delivered.
    DeliveryMethod,
}

impl CaseField {
    /// The field's name in requests and forms.
    pub fn name(self) -> &'static str {
        match self {
            Self::ApplicantName => "name",
            Self::ApplicantIdNumber => "id_number",
            Self::ApplicantPhone => "phone",
            Self::Owner => "owner",
            Self::Reason => "reason",
            Self::LegalBasis => "legal_basis",
            Self::Missing => "missing",
            Self::Step => "step",
            Self::Receiver | Self::ReceiverIsOwner | Self::NewOwner => "to",
            Self::Answer => "answer",
            Self::DeliveryMethod => "method",
        }
    }
}

impl std::fmt::Display for CaseField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ApplicantName => "applicant name",
            Self::ApplicantIdNumber => "applicant id number",
            Self::ApplicantPhone => "applicant phone",
            Self::Owner => "owner",
            Self::Reason => "reason",
            Self::LegalBasis => "legal basis",
            Self::Missing => "list of missing materials",
            Self::Step => "step",
            Self::Receiver => "receiver",
            Self::ReceiverIsOwner => "receiver (not the current owner)",
            Self::NewOwner => "new owner",
            Self::Answer => "answer",
            Self::DeliveryMethod => "delivery method",
        })
    }
}

/// A broken case rule.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The command is not allowed in the case's current state.
    #[error("cannot {command} a case that is {from}")]
    IllegalTransition {
        /// Current state.
        from: CaseState,
        /// The refused command.
        command: &'static str,
    },
    /// The item cannot be applied for through this channel.
    #[error("item {item} cannot be applied for through channel {channel}")]
    ChannelNotOffered {
        /// The item.
        item: ItemCode,
        /// The channel used.
        channel: &'static str,
    },
    /// Required materials were not handed in.
    #[error("required materials missing: {}", .0.join(", "))]
    MissingMaterials(Vec<String>),
    /// Materials the item does not ask for.
    #[error("materials not listed for this item: {}", .0.join(", "))]
    UnknownMaterials(Vec<String>),
    /// A required text (reason, legal basis, applicant name …) is empty or too long.
    #[error("{0} must be 1–{1} characters")]
    BadText(CaseField, usize),
    /// Only the offered receiver can take a case over, and only while it is offered.
    #[error("case is not being handed over to you")]
    NotOfferedToYou,
    /// A case is rated once, with a score of 1–5; only a bad rating is answered, once.
    #[error("a case is rated once, with a score from 1 to 5; only a bad rating (1–2) is answered, once")]
    BadRating,
    /// The deadline could not be computed (e.g. outside the years the calendar covers).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The account named as a case's (next) owner cannot take it up.
    #[error("{login} cannot own this case: {why}")]
    NotAnOwner {
        /// The login named.
        login: String,
        /// Why not.
        why: &'static str,
    },
}

/// Most material files a case holds: a real application has a few dozen at most.
pub const MAX_FILES_PER_CASE: u64 = 50;
/// Most bytes of material files a case holds in all (ten full-size files).
pub const MAX_BYTES_PER_CASE: u64 = 100 * 1024 * 1024;

/// Checks that a case holding `files` files of `bytes` bytes may take one more of `size`
/// bytes; the message says which quota it would exceed.
pub fn check_upload_quota(files: u64, bytes: u64, size: u64) -> Result<(), String> {
    if files >= MAX_FILES_PER_CASE {
        return Err(format!("a case holds at most {MAX_FILES_PER_CASE} files; this one has {files}"));
    }
    if bytes.saturating_add(size) > MAX_BYTES_PER_CASE {
        return Err(format!(
            "a case holds at most {} MiB of files; this one has {:.1} MiB",
            MAX_BYTES_PER_CASE >> 20,
            bytes as f64 / 1_048_576.0
        ));
    }
    Ok(())
}

/// What the rule on owners needs to know of an account named to own a case.
#[derive(Debug, Clone, Copy)]
pub struct OwnerCandidate<'a> {
    /// Its role.
    pub role: crate::identity::Role,
    /// Its department, for staff.
    pub department: Option<&'a crate::org::DepartmentCode>,
    /// Whether it is disabled.
    pub disabled: bool,
}

/// Checks that `login` — named to receive a case (首接), to be offered it or to be given it
/// — may take up a case of `item`: an existing, enabled account of the item's department's
/// staff. `candidate` is that account as stored, none when there is none. Alerts and
/// accountability follow the owner, so an owner must be a real person who answers for it.
pub fn check_owner(login: &str, candidate: Option<OwnerCandidate<'_>>, item: &ServiceItem) -> Result<(), CaseError> {
    let refuse = |why| Err(CaseError::NotAnOwner { login: login.trim().to_owned(), why });
    match candidate {
        None => refuse("there is no such account"),
        Some(c) if c.disabled => refuse("the account is disabled"),
        Some(c) if !c.role.is_department_staff() => refuse("only a department's staff own cases"),
        Some(c) if c.department != Some(&item.department) => refuse("the account is not of the item's department"),
        Some(_) => Ok(()),
    }
}

/// What a command needs besides the case: the moment, the calendar, the item.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Now.
    pub now: jiff::Timestamp,
    /// The center's working calendar.
    pub calendar: &'a WorkingCalendar,
    /// The case's item, in the version it was applied under.
    pub item: &'a ServiceItem,
    /// Who acts.
    pub actor: &'a str,
}

/// A case's current state: the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Its number.
    pub number: CaseNumber,
    /// The item.
    pub item: ItemCode,
    /// Catalog version of the item.
    pub item_version: u32,
    /// Division it is handled in.
    pub division: DivisionCode,
    /// The applicant.
    pub applicant: Applicant,
    /// The channel it came through.
    pub channel: Channel,
    /// Materials handed in so far.
    pub materials: Vec<String>,
    /// Current state.
    pub state: CaseState,
    /// Current owner (首接责任人 until handed over). Never empty.
    pub owner: String,
    /// Number of events so far; the optimistic-concurrency version.
    pub version: u32,
    /// When it was submitted.
    pub submitted_at: jiff::Timestamp,
    /// When it was accepted.
    pub accepted_at: Option<jiff::Timestamp>,
    /// The limit running since acceptance.
    pub limit: Option<Limit>,
    /// When it is due (moves with suspensions).
    pub due_at: Option<jiff::Timestamp>,
    /// Suspensions so far; the last one may still be open.
    pub suspensions: Vec<OpenSuspension>,
    /// Correction requests so far.
    pub corrections: u32,
    /// Times it was sent back to the window (退回).
    #[serde(default)]
    pub returns: u32,
    /// Times it was reopened after delivery (重新办理).
    #[serde(default)]
    pub reopens: u32,
    /// What the open correction request asks for; empty when none is open.
    pub pending_correction: Vec<String>,
    /// Who the case is being handed over to, until they take it.
    #[serde(default)]
    pub pending_handover: Option<String>,
    /// The applicant's rating, 1–5.
    #[serde(default)]
    pub rating: Option<u8>,
    /// When it was rated.
    #[serde(default)]
    pub rated_at: Option<jiff::Timestamp>,
    /// When a bad rating was answered.
    #[serde(default)]
    pub rating_answered_at: Option<jiff::Timestamp>,
    /// When it was decided.
    pub decided_at: Option<jiff::Timestamp>,
    /// When it was delivered (or rejected): closed.
    pub closed_at: Option<jiff::Timestamp>,
    /// 绿色通道 — a priority case, listed first in queues (from its submission; older
    /// snapshots without it read as false).
    #[serde(default)]
    pub priority: bool,
    /// Who handed it in (from its submission); none in cases older than that record.
    #[serde(default)]
    pub submitter: Option<Submitter>,
    /// The calendar revision its due time was last computed with (0: the built-in one).
    #[serde(default)]
    pub calendar_revision: u64,
}

/// A suspension that may still be running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSuspension {
    /// When the clock stopped.
    pub from: jiff::Timestamp,
    /// When it restarted; none while suspended.
    pub until: Option<jiff::Timestamp>,
}

fn text(what: CaseField, s: &str, max: usize) -> Result<(), CaseError> {
    check_name(what.name(), s, max).map(drop).map_err(|_| CaseError::BadText(what, max))
}

impl Case {
    /// Opens a case: checks the submission against the item and returns the first event.
    pub fn submit(
        number: CaseNumber,
        item: &ServiceItem,
        item_version: u32,
        submission: Submission,
        now: jiff::Timestamp,
    ) -> Result<(Case, CaseEvent), CaseError> {
        text(CaseField::ApplicantName, &submission.applicant.name, 200)?;
        text(CaseField::ApplicantIdNumber, &submission.applicant.id_number, 64)?;
        text(CaseField::Owner, &submission.owner, 64)?;
        if let Some(phone) = &submission.applicant.phone {
            text(CaseField::ApplicantPhone, phone, crate::text::PHONE)?;
        }
        if !item.channels.contains(&submission.channel) {
            return Err(CaseError::ChannelNotOffered { item: item.code.clone(), channel: submission.channel.as_str() });
        }
        check_materials(item, &submission.materials)?;
        let missing: Vec<String> = item
            .required_materials()
            .filter(|r| !submission.materials.iter().any(|m| m == r))
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            return Err(CaseError::MissingMaterials(missing));
        }
        let event =
            CaseEvent::Submitted { item: item.code.clone(), item_version, division: item.division.clone(), submission };
        let case = Case::replay(number, [(&event, now)])
            .ok_or(CaseError::IllegalTransition { from: CaseState::Submitted, command: "submit" })?;
        Ok((case, event))
    }

    /// Rebuilds a case from its events; none if the first is not `Submitted`.
    pub fn replay<'e>(
        number: CaseNumber,
        events: impl IntoIterator<Item = (&'e CaseEvent, jiff::Timestamp)>,
    ) -> Option<Case> {
        let mut events = events.into_iter();
        let (CaseEvent::Submitted { item, item_version, division, submission }, at) = events.next()? else {
            return None;
        };
        let mut case = Case {
            number,
            item: item.clone(),
            item_version: *item_version,
            division: division.clone(),
            applicant: submission.applicant.clone(),
            channel: submission.channel,
            materials: submission.materials.clone(),
            state: CaseState::Submitted,
            owner: submission.owner.clone(),
            version: 1,
            submitted_at: at,
            accepted_at: None,
            limit: None,
            due_at: None,
            suspensions: Vec::new(),
            corrections: 0,
            returns: 0,
            reopens: 0,
            pending_correction: Vec::new(),
            pending_handover: None,
            rating: None,
            rated_at: None,
            rating_answered_at: None,
            decided_at: None,
            closed_at: None,
            priority: submission.priority,
            submitter: submission.submitter.clone(),
            calendar_revision: 0,
        };
        for (e, at) in events {
            case.apply(e, at);
        }
        Some(case)
    }

    /// Whether an applicant's account reaches this case (实名认证): the cases it handed in
    /// itself, and every case in the name of an identity it answers for — its own once
    /// verified, and an enterprise's it holds a mandate of (委托). An identity number typed
    /// at sign-up reaches nothing.
    pub fn reached_by(&self, account: &str, identities: &[String]) -> bool {
        self.submitter.as_ref().is_some_and(|s| s.account == account) || identities.contains(&self.applicant.id_number)
    }

    /// Decides a command: the events it causes, or the rule it breaks. Changes nothing.
    pub fn handle(&self, cmd: &CaseCommand, ctx: &Context<'_>) -> Result<Vec<CaseEvent>, CaseError> {
        let refuse = || CaseError::IllegalTransition { from: self.state, command: cmd.name() };
        if !cmd.kind().offered_in(self.state) {
            return Err(refuse());
        }
        let event = match cmd {
            CaseCommand::Accept => {
                let limit = ctx.item.deadline();
                let due_at = ctx.calendar.due(ctx.now, limit, &[])?;
                CaseEvent::Accepted { limit, due_at, calendar_revision: ctx.calendar.revision() }
            }
            CaseCommand::Reject { reason } => {
                text(CaseField::Reason, reason, 2000)?;
                CaseEvent::Rejected { reason: reason.trim().to_owned() }
            }
            CaseCommand::RequestCorrection { missing, note } => {
                if missing.is_empty() {
                    return Err(CaseError::BadText(CaseField::Missing, 100));
                }
                check_materials(ctx.item, missing)?;
                CaseEvent::CorrectionRequested { missing: missing.clone(), note: note.trim().to_owned() }
            }
            CaseCommand::Resubmit { materials } => {
                check_materials(ctx.item, materials)?;
                let missing: Vec<String> =
                    self.pending_correction.iter().filter(|a| !materials.contains(a)).cloned().collect();
                if !missing.is_empty() {
                    return Err(CaseError::MissingMaterials(missing));
                }
                CaseEvent::Resubmitted { materials: materials.clone() }
            }
            CaseCommand::CompleteStep { step, note } => {
                text(CaseField::Step, step, 100)?;
                CaseEvent::StepCompleted { step: step.trim().to_owned(), note: note.trim().to_owned() }
            }
            CaseCommand::Suspend { reason } => {
                text(CaseField::Reason, reason, 2000)?;
                CaseEvent::Suspended { reason: reason.trim().to_owned() }
            }
            CaseCommand::Resume => {
                let mut closed = self.closed_suspensions(ctx.now);
                if let Some(last) = closed.last_mut() {
                    last.until = ctx.now;
                }
                let (accepted, limit) = self.accepted_at.zip(self.limit).ok_or_else(refuse)?;
                let due_at = ctx.calendar.due(accepted, limit, &closed)?;
                CaseEvent::Resumed { due_at, calendar_revision: ctx.calendar.revision() }
            }
            CaseCommand::Approve { note } => CaseEvent::Approved { note: note.trim().to_owned() },
            CaseCommand::Deny { reason, legal_basis } => {
                text(CaseField::Reason, reason, 2000)?;
                text(CaseField::LegalBasis, legal_basis, 2000)?;
                CaseEvent::Denied { reason: reason.trim().to_owned(), legal_basis: legal_basis.trim().to_owned() }
            }
            CaseCommand::HandOver { to } => {
                text(CaseField::Receiver, to, 64)?;
                if to.trim() == self.owner {
                    return Err(CaseError::BadText(CaseField::ReceiverIsOwner, 64));
                }
                CaseEvent::HandOverOffered { from: self.owner.clone(), to: to.trim().to_owned() }
            }
            CaseCommand::TakeOver => match &self.pending_handover {
                Some(to) if to == ctx.actor => CaseEvent::HandedOver { from: self.owner.clone(), to: to.clone() },
                _ => return Err(CaseError::NotOfferedToYou),
            },
            CaseCommand::Reassign { to } => {
                text(CaseField::NewOwner, to, 64)?;
                CaseEvent::Reassigned { from: self.owner.clone(), to: to.trim().to_owned() }
            }
            CaseCommand::Rate { score, comment } => {
                if self.rating.is_some() || !(1..=5).contains(score) {
                    return Err(CaseError::BadRating);
                }
                CaseEvent::Rated { score: *score, comment: comment.trim().to_owned() }
            }
            CaseCommand::Return { reason } => {
                text(CaseField::Reason, reason, 2000)?;
                CaseEvent::Returned { reason: reason.trim().to_owned() }
            }
            CaseCommand::Reopen { reason } => {
                text(CaseField::Reason, reason, 2000)?;
                let limit = ctx.item.deadline();
                let due_at = ctx.calendar.due(ctx.now, limit, &[])?;
                CaseEvent::Reopened {
                    reason: reason.trim().to_owned(),
                    due_at,
                    calendar_revision: ctx.calendar.revision(),
                }
            }
            CaseCommand::AnswerRating { answer } => {
                if self.rating.is_none_or(|r| r > BAD_RATING) || self.rating_answered_at.is_some() {
                    return Err(CaseError::BadRating);
                }
                text(CaseField::Answer, answer, 2000)?;
                CaseEvent::RatingAnswered { answer: answer.trim().to_owned() }
            }
            CaseCommand::Deliver { method } => {
                text(CaseField::DeliveryMethod, method, 100)?;
                CaseEvent::Delivered { method: method.trim().to_owned() }
            }
        };
        Ok(vec![event])
    }

    /// Folds one event into the state. Events come from [`Case::handle`] or the log, so
    /// they are valid for the state they follow.
    pub fn apply(&mut self, event: &CaseEvent, at: jiff::Timestamp) {
        use CaseState as S;
        self.version += 1;
        match event {
            CaseEvent::Submitted { .. } => {}
            CaseEvent::Accepted { limit, due_at, calendar_revision } => {
                self.state = S::Accepted;
                self.accepted_at = Some(at);
                self.limit = Some(*limit);
                self.due_at = Some(*due_at);
                self.calendar_revision = *calendar_revision;
            }
            CaseEvent::Rejected { .. } => {
                self.state = S::Rejected;
                self.closed_at = Some(at);
            }
            CaseEvent::CorrectionRequested { missing, .. } => {
                self.state = S::CorrectionRequested;
                self.corrections += 1;
                self.pending_correction = missing.clone();
            }
            CaseEvent::Resubmitted { materials } => {
                self.state = S::Submitted;
                self.pending_correction.clear();
                for m in materials {
                    if !self.materials.contains(m) {
                        self.materials.push(m.clone());
                    }
                }
            }
            CaseEvent::StepCompleted { .. } => self.state = S::InProcess,
            CaseEvent::Suspended { .. } => {
                self.state = S::Suspended;
                self.suspensions.push(OpenSuspension { from: at, until: None });
            }
            CaseEvent::Resumed { due_at, calendar_revision } => {
                self.state = S::InProcess;
                if let Some(s) = self.suspensions.last_mut() {
                    s.until = Some(at);
                }
                self.due_at = Some(*due_at);
                self.calendar_revision = *calendar_revision;
            }
            CaseEvent::Approved { .. } => {
                self.state = S::Approved;
                self.decided_at = Some(at);
            }
            CaseEvent::Denied { .. } => {
                self.state = S::Denied;
                self.decided_at = Some(at);
            }
            CaseEvent::Delivered { .. } => {
                self.state = S::Delivered;
                self.closed_at = Some(at);
            }
            CaseEvent::HandOverOffered { to, .. } => self.pending_handover = Some(to.clone()),
            CaseEvent::HandedOver { to, .. } | CaseEvent::Reassigned { to, .. } => {
                self.owner = to.clone();
                self.pending_handover = None;
            }
            CaseEvent::Rated { score, .. } => {
                self.rating = Some(*score);
                self.rated_at = Some(at);
            }
            CaseEvent::RatingAnswered { .. } => self.rating_answered_at = Some(at),
            CaseEvent::Returned { .. } => {
                // Back to the window: the next acceptance starts the clock afresh.
                self.state = S::Submitted;
                self.returns += 1;
                self.accepted_at = None;
                self.limit = None;
                self.due_at = None;
                self.suspensions.clear();
            }
            CaseEvent::DueRecomputed { due_at, calendar_revision, .. } => {
                self.due_at = Some(*due_at);
                self.calendar_revision = *calendar_revision;
            }
            CaseEvent::Reopened { due_at, calendar_revision, .. } => {
                self.calendar_revision = *calendar_revision;
                self.state = S::InProcess;
                self.reopens += 1;
                self.accepted_at = Some(at);
                self.limit = Some(self.limit.unwrap_or(Limit::EndOfDay));
                self.due_at = Some(*due_at);
                self.suspensions.clear();
                self.decided_at = None;
                self.closed_at = None;
            }
        }
    }

    /// The due time computed afresh on `calendar` — the same as if every due time of the case
    /// had been computed on it — as a [`CaseEvent::DueRecomputed`] when it differs from the
    /// current one; none when it is the same or the case is not running. A running
    /// suspension is left out: resuming computes the due time again.
    pub fn recompute_due(&self, calendar: &WorkingCalendar, reason: &str) -> Result<Option<CaseEvent>, CalendarError> {
        let (Some(accepted), Some(limit), Some(previous)) = (self.accepted_at, self.limit, self.due_at) else {
            return Ok(None);
        };
        if !self.state.is_running() {
            return Ok(None);
        }
        let due_at = calendar.due(accepted, limit, &self.finished_suspensions())?;
        Ok((due_at != previous).then(|| CaseEvent::DueRecomputed {
            previous,
            due_at,
            calendar_revision: calendar.revision(),
            reason: reason.to_owned(),
        }))
    }

    /// Why the case is due when it is, on `calendar`: its limit from acceptance, the finished
    /// suspensions and the days skipped; none before acceptance.
    pub fn explain_due(&self, calendar: &WorkingCalendar) -> Result<Option<DueExplanation>, CalendarError> {
        match (self.accepted_at, self.limit) {
            (Some(accepted), Some(limit)) => {
                calendar.explain_due(accepted, limit, &self.finished_suspensions()).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The suspensions that have ended; a running one is left out (resuming computes the due
    /// time again).
    fn finished_suspensions(&self) -> Vec<Suspension> {
        self.suspensions.iter().filter_map(|s| s.until.map(|until| Suspension { from: s.from, until })).collect()
    }

    /// When the current owner must have acted (首接责任制): a case waiting at the window within
    /// a working day of its submission, a running case by its due time, a decided case
    /// delivered within a working day of the decision; none once closed or when `calendar`
    /// cannot say.
    pub fn owner_act_by(&self, calendar: &WorkingCalendar) -> Option<jiff::Timestamp> {
        use CaseState as S;
        let one_day_after = |t| calendar.add_working_days(t, 1).ok();
        match self.state {
            S::Submitted | S::CorrectionRequested => one_day_after(self.submitted_at),
            S::Accepted | S::InProcess | S::Suspended => self.due_at,
            S::Approved | S::Denied => self.decided_at.and_then(one_day_after),
            S::Rejected | S::Delivered => None,
        }
    }

    /// Whether the case's due time reaches into a provisional year of `calendar` (暂定).
    pub fn due_is_provisional(&self, calendar: &WorkingCalendar) -> bool {
        match (self.accepted_at, self.due_at) {
            (Some(a), Some(d)) => calendar.touches_provisional(a, d),
            _ => false,
        }
    }

    /// Suspensions as closed intervals, a running one closed at `now`.
    pub fn closed_suspensions(&self, now: jiff::Timestamp) -> Vec<Suspension> {
        self.suspensions.iter().map(|s| Suspension { from: s.from, until: s.until.unwrap_or(now) }).collect()
    }

    /// Working minutes counted against the limit up to `now` (or up to the decision).
    pub fn working_minutes_used(
        &self,
        now: jiff::Timestamp,
        calendar: &WorkingCalendar,
    ) -> Result<Option<i64>, CalendarError> {
        let Some(accepted) = self.accepted_at else {
            return Ok(None);
        };
        let until = self.decided_at.unwrap_or(now);
        calendar.working_minutes_used(accepted, until, &self.closed_suspensions(until)).map(Some)
    }
}

fn check_materials(item: &ServiceItem, names: &[String]) -> Result<(), CaseError> {
    let unknown: Vec<String> =
        names.iter().filter(|n| !item.materials.iter().any(|m| &m.name == *n)).cloned().collect();
    if unknown.is_empty() { Ok(()) } else { Err(CaseError::UnknownMaterials(unknown)) }
}

#[cfg(test)]
mod tests;
