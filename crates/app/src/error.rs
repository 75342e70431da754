//! The one error of the use cases: each variant names what went wrong, with the fields
//! that failed; the HTTP face turns them into problem+json.

use tongban_core::case::CaseError;
use tongban_store::StoreError;

/// Why a use case refused or failed: the broken rule, the field, or the failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A query or path parameter is invalid.
    #[error("{0}")]
    BadParameter(String),
    /// The thing named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A case rule refused the command.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// Fields that are not valid: (field, why) pairs.
    #[error("invalid fields: {}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
    /// Rows of an imported file that are not valid, each with its line and column; nothing
    /// of the file was written.
    #[error("{} bad row(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Rows(Vec<tongban_core::catalog::RowError>),
    /// Someone else changed the resource first.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// No or bad credentials.
    #[error("authentication required")]
    Unauthorized,
    /// Login refused (never says whether the account exists).
    #[error("invalid login or password")]
    BadLogin,
    /// Too many failed logins.
    #[error("too many failed logins; try again in {0} s")]
    TooManyAttempts(u64),
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The actor lacks the delegated power.
    #[error("{0}")]
    NoAuthority(String),
    /// An Idempotency-Key reused with a different request.
    #[error("Idempotency-Key {0:?} was used with a different request")]
    IdempotencyMismatch(String),
    /// An upload over the size limit (bytes).
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    /// A retry of a request already answered under its Idempotency-Key: the first answer,
    /// replayed as it was (not a problem).
    #[error("replayed")]
    Replayed {
        /// The first answer's status.
        status: u16,
        /// Its body (JSON).
        body: String,
    },
    /// A retry while the first request with its Idempotency-Key has done its work but not
    /// yet stored its answer; the idempotency layer waits for the answer.
    #[error("the first request with this Idempotency-Key is still being answered")]
    InFlight,
    /// The SMS gateway did not take a message.
    #[error(transparent)]
    Sms(#[from] crate::sms::SmsError),
    /// The identity provider could not be used, or its answer was not acceptable.
    #[error(transparent)]
    IdentityProvider(#[from] crate::oidc::OidcError),
    /// A case's upload quota would be exceeded.
    #[error("{0}")]
    Quota(String),
    /// An upload of a type not accepted.
    #[error("{0}")]
    UnsupportedType(String),
    /// A rating refused (好差评: level, channel, rating window, once per channel).
    #[error(transparent)]
    Rating(#[from] tongban_core::rating::RatingError),
    /// A rectification step out of order or without its text.
    #[error(transparent)]
    Rectification(#[from] tongban_core::rating::rectification::RectificationError),
    /// An appeal or review refused.
    #[error(transparent)]
    Appeal(#[from] tongban_core::rating::appeal::AppealError),
    /// Something that should not fail did.
    #[error("{0}")]
    Internal(String),
}

/// A write that lost a race or met a duplicate is a conflict; anything else the store
/// failed at is the store's.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } | StoreError::Duplicate(_) => AppError::Conflict(e.to_string()),
            e => AppError::Store(e),
        }
    }
}

impl From<Vec<tongban_core::account::FieldError>> for AppError {
    fn from(errors: Vec<tongban_core::account::FieldError>) -> Self {
        AppError::Invalid(errors.into_iter().map(|e| (e.field.to_owned(), e.message)).collect())
    }
}
