//! Who acts: the account behind a request (or the public), how it authenticated, from
//! which address. The HTTP face extracts it; every use case takes it.

use std::net::IpAddr;

use tongban_core::identity::Role;
use tongban_store::Account;

use crate::AppError;

/// How a request authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// No credentials: the public.
    Anonymous,
    /// A session cookie.
    Session,
    /// A bearer token with these scopes.
    Token(Vec<String>),
    /// The server's own console (`tongban admin …`): whoever runs it holds the database.
    Console,
}

/// The person behind a request. Extracting it checks the session or token and, for unsafe
/// methods over a session cookie, the CSRF token.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account; none for the public.
    pub account: Option<Account>,
    /// How they authenticated.
    pub via: Via,
    /// The client's address, when known.
    pub client: Option<IpAddr>,
    /// The session id's digest (for logout).
    pub session_hash: Option<String>,
    /// The session's CSRF token, which forms posted over it must carry.
    pub session_csrf: Option<String>,
}

impl Principal {
    /// The role: the account's, or public.
    pub fn role(&self) -> Role {
        self.account.as_ref().map_or(Role::Public, |a| a.role)
    }

    /// The account id, or `-` for the public.
    pub fn id(&self) -> &str {
        self.account.as_ref().map_or("-", |a| a.id.as_str())
    }

    /// The account, or 401.
    pub fn require(&self) -> Result<&Account, AppError> {
        self.account.as_ref().ok_or(AppError::Unauthorized)
    }

    /// An administrator at the server's console, acting as `-` in the audit log: the
    /// command line (e.g. creating the first administrator) goes through the same use cases
    /// and rules as the pages and the API.
    pub fn console() -> Principal {
        let account = staff_account("-", "console", Role::Administrator);
        Principal { account: Some(account), via: Via::Console, client: None, session_hash: None, session_csrf: None }
    }
}

/// A staff account (员工账号) of `role`, enabled, with no department, window, position or
/// password: the console's administrator, and the accounts unit tests draw pages for. Set
/// the other fields with struct update syntax (`Account { department, ..staff_account(..) }`).
pub fn staff_account(id: &str, display_name: &str, role: Role) -> Account {
    Account {
        id: id.into(),
        kind: "staff".into(),
        display_name: display_name.into(),
        role,
        department: None,
        window: None,
        position: None,
        applicant_kind: None,
        id_number: None,
        phone: None,
        password_hash: String::new(),
        disabled: false,
        verified: None,
    }
}
