//! The case rules a command or a submission can break, naming the field where one failed.

use super::CaseState;
use crate::calendar::CalendarError;
use crate::item::ItemCode;

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
    /// The actor may not hand the case over, or withdraw its offer.
    #[error("{0}")]
    NotYourHandOver(&'static str),
    /// A delivery's method, tracking number or carrier is not valid.
    #[error(transparent)]
    Delivery(#[from] super::DeliveryError),
    /// The account named as a case's (next) owner cannot take it up.
    #[error("{login} cannot own this case: {why}")]
    NotAnOwner {
        /// The login named.
        login: String,
        /// Why not.
        why: &'static str,
    },
}
