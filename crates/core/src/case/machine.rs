//! The state machine: a case as the fold of its events, the commands it takes in each state
//! and the events they cause, its owners, quotas and clock.

use serde::{Deserialize, Serialize};

use super::{
    Applicant, BAD_RATING, CaseCommand, CaseError, CaseEvent, CaseField, CaseNumber, CaseState, Submission, Submitter,
};
use crate::calendar::{CalendarError, DueExplanation, Limit, Suspension, WorkingCalendar};
use crate::division::DivisionCode;
use crate::item::{Channel, ItemCode, ServiceItem};
use crate::org::check_name;

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
    /// Who offered the open hand-over (none when none is open, or in older snapshots).
    #[serde(default)]
    pub pending_handover_by: Option<String>,
    /// When the open hand-over was offered; its time limit runs from then.
    #[serde(default)]
    pub pending_handover_at: Option<jiff::Timestamp>,
    /// The applicant's rating, 1–5.
    #[serde(default)]
    pub rating: Option<u8>,
    /// When it was rated.
    #[serde(default)]
    pub rated_at: Option<jiff::Timestamp>,
    /// The channels it was rated through (one rating each).
    #[serde(default)]
    pub rated_channels: Vec<crate::rating::RatingChannel>,
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
            pending_handover_by: None,
            pending_handover_at: None,
            rating: None,
            rated_channels: Vec::new(),
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
                CaseEvent::HandOverOffered {
                    from: self.owner.clone(),
                    to: to.trim().to_owned(),
                    by: Some(ctx.actor.to_owned()),
                }
            }
            CaseCommand::WithdrawHandOver => match &self.pending_handover {
                Some(to) => CaseEvent::HandOverWithdrawn { to: to.clone() },
                None => return Err(refuse()),
            },
            CaseCommand::TakeOver => match &self.pending_handover {
                Some(to) if to == ctx.actor => CaseEvent::HandedOver { from: self.owner.clone(), to: to.clone() },
                _ => return Err(CaseError::NotOfferedToYou),
            },
            CaseCommand::Reassign { to } => {
                text(CaseField::NewOwner, to, 64)?;
                CaseEvent::Reassigned { from: self.owner.clone(), to: to.trim().to_owned() }
            }
            CaseCommand::Rate { score, comment } => {
                let channel = crate::rating::RatingChannel::of_case(self.channel);
                let rate = CaseCommand::RateVia { score: *score, comment: comment.clone(), channel, again: false };
                return self.handle(&rate, ctx);
            }
            CaseCommand::RateVia { score, comment, channel, again } => {
                // One rating per channel; a second one through the same channel only as a
                // re-rating (its rectification fed back, which the app checks).
                let channel = *channel;
                if self.rated_channels.contains(&channel) != *again || !(1..=5).contains(score) {
                    return Err(CaseError::BadRating);
                }
                CaseEvent::Rated { score: *score, comment: comment.trim().to_owned(), channel: Some(channel) }
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
                method.check()?;
                CaseEvent::Delivered { method: method.clone() }
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
            CaseEvent::HandOverOffered { from, to, by } => {
                self.pending_handover = Some(to.clone());
                self.pending_handover_by = Some(by.clone().unwrap_or_else(|| from.clone()));
                self.pending_handover_at = Some(at);
            }
            CaseEvent::HandOverWithdrawn { .. } => {
                self.pending_handover = None;
                self.pending_handover_by = None;
                self.pending_handover_at = None;
            }
            CaseEvent::HandedOver { to, .. } | CaseEvent::Reassigned { to, .. } => {
                self.owner = to.clone();
                self.pending_handover = None;
                self.pending_handover_by = None;
                self.pending_handover_at = None;
            }
            CaseEvent::Rated { score, channel, .. } => {
                // `rating` is what the answer rule reads: a bad rating waits for its answer
                // until answered, whatever other channels say meanwhile.
                let open_bad = self.rating.is_some_and(|r| r <= BAD_RATING) && self.rating_answered_at.is_none();
                if *score <= BAD_RATING {
                    self.rating_answered_at = None;
                }
                if *score <= BAD_RATING || !open_bad {
                    self.rating = Some(*score);
                }
                self.rated_at = Some(at);
                let channel = channel.unwrap_or_else(|| crate::rating::RatingChannel::of_case(self.channel));
                if !self.rated_channels.contains(&channel) {
                    self.rated_channels.push(channel);
                }
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
