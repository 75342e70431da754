//! Account requests: what makes a sign-up or a new staff account valid. Every front door
//! (the API, the pages, `tongban admin create-user`) parses through here, so a login, a
//! password or a name is judged by one rule.

use crate::identity::{Role, check_identifier};
use crate::org::DepartmentCode;
use crate::text;

/// Fewest characters of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most characters of a password (hashing is deliberately slow; it takes no novels).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// One field of a request that is not valid, and why (in English; the pages show their own
/// message for the field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the request.
    pub field: &'static str,
    /// Why.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

/// Checks a login: 3–64 characters of a–z, 0–9, '.', '_', '-'.
pub fn check_login(login: &str) -> Result<(), FieldError> {
    let ok = (3..=64).contains(&login.len())
        && login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok { Ok(()) } else { Err(FieldError::new("login", "3–64 characters of a–z, 0–9, '.', '_', '-'")) }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), FieldError> {
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(FieldError::new("password", format!("{MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters")))
    }
}

fn check_name(name: &str) -> Result<(), FieldError> {
    if name.trim().is_empty() || text::check(name, text::NAME).is_err() {
        Err(FieldError::new("name", format!("1–{} characters", text::NAME)))
    } else {
        Ok(())
    }
}

/// An applicant's sign-up as typed.
#[derive(Debug, Clone, Copy)]
pub struct SignUpRequest<'a> {
    /// The login wanted.
    pub login: &'a str,
    /// The password.
    pub password: &'a str,
    /// The applicant's name.
    pub name: &'a str,
    /// A phone, optional.
    pub phone: Option<&'a str>,
    /// An e-mail address, optional (notices by e-mail).
    pub email: Option<&'a str>,
    /// `individual` or `enterprise`.
    pub kind: &'a str,
    /// The ID card number or the credit code.
    pub id_number: &'a str,
}

/// A valid sign-up, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    /// The login.
    pub login: String,
    /// The name.
    pub name: String,
    /// The phone, none when left empty.
    pub phone: Option<String>,
    /// The e-mail address (domain in lower case), none when left empty.
    pub email: Option<String>,
    /// `individual` or `enterprise`.
    pub kind: &'static str,
    /// The ID card number or credit code.
    pub id_number: String,
}

impl SignUpRequest<'_> {
    /// Parses the request: a valid sign-up, or every field that is wrong.
    pub fn parse(&self) -> Result<SignUp, Vec<FieldError>> {
        let mut errors: Vec<FieldError> =
            [check_login(self.login.trim()), check_password(self.password), check_name(self.name)]
                .into_iter()
                .filter_map(Result::err)
                .collect();
        let phone = self.phone.map(str::trim).filter(|p| !p.is_empty());
        if let Some(Err(e)) = phone.map(|p| text::check(p, text::PHONE)) {
            errors.push(FieldError::new("phone", e.to_string()));
        }
        let email = match self.email.map(str::trim).filter(|e| !e.is_empty()).map(crate::notice::check_email) {
            None => None,
            Some(Ok(e)) => Some(e),
            Some(Err(e)) => {
                errors.push(FieldError::new("email", e.to_string()));
                None
            }
        };
        let kind = match self.kind.trim() {
            "individual" => Some("individual"),
            "enterprise" => Some("enterprise"),
            _ => {
                errors.push(FieldError::new("kind", "individual or enterprise"));
                None
            }
        };
        if let Some(kind) = kind
            && let Err(e) = check_identifier(kind == "enterprise", self.id_number.trim())
        {
            errors.push(FieldError::new("id_number", e));
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(SignUp {
                login: self.login.trim().to_owned(),
                name: self.name.trim().to_owned(),
                phone: phone.map(str::to_owned),
                email,
                kind,
                id_number: self.id_number.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// A staff account as an administrator typed it.
#[derive(Debug, Clone, Copy)]
pub struct StaffRequest<'a> {
    /// The login.
    pub login: &'a str,
    /// The first password; none for an account activated later with a one-time code.
    pub password: Option<&'a str>,
    /// The person's name.
    pub name: &'a str,
    /// A staff role, by name.
    pub role: &'a str,
    /// The department, required for department staff.
    pub department: Option<&'a str>,
}

/// A valid staff account request, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// The login.
    pub login: String,
    /// The name.
    pub name: String,
    /// A staff role (never public nor applicant).
    pub role: Role,
    /// The department; always set for department staff.
    pub department: Option<DepartmentCode>,
}

impl StaffRequest<'_> {
    /// Parses the request: a valid staff account, or every field that is wrong. Whether the
    /// department exists is the caller's to check against the organisation.
    pub fn parse(&self) -> Result<Staff, Vec<FieldError>> {
        let mut errors: Vec<FieldError> =
            [check_login(self.login.trim()), self.password.map_or(Ok(()), check_password), check_name(self.name)]
                .into_iter()
                .filter_map(Result::err)
                .collect();
        let role = Role::parse(self.role).filter(|r| !matches!(r, Role::Public | Role::Applicant));
        if role.is_none() {
            errors.push(FieldError::new(
                "role",
                "a staff role: window_clerk, reviewer, approver, department_head, center_leader, supervisor, administrator",
            ));
        }
        let department = self.department.map(str::trim).filter(|d| !d.is_empty()).and_then(|d| {
            DepartmentCode::parse(d).map_err(|e| errors.push(FieldError::new("department", e.to_string()))).ok()
        });
        if role.is_some_and(Role::is_department_staff)
            && department.is_none()
            && !errors.iter().any(|e| e.field == "department")
        {
            errors.push(FieldError::new("department", "department staff need a department"));
        }
        match role {
            Some(role) if errors.is_empty() => {
                Ok(Staff { login: self.login.trim().to_owned(), name: self.name.trim().to_owned(), role, department })
            }
            _ => Err(errors),
        }
    }
}

/// One-time activation codes (激活码): an account created without a password (imported
/// staff, files never carry passwords) gets one from an administrator, who hands it over;
/// its holder sets a password with it, once. The app makes the code's randomness and keeps
/// only its hash; these are the rules.
pub mod activation {
    /// Days a code may be used after it was issued.
    pub const VALID_DAYS: i64 = 7;
    /// Random bytes in a code (16 hex digits shown in groups of four: 64 bits, beyond
    /// guessing under the login rate limits).
    pub const CODE_BYTES: usize = 8;

    /// Why a code that was issued to the account cannot be used now, or why a typed code
    /// is refused (the same answer whether or not the login exists).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
    pub enum ActivationError {
        /// No code issued to this login matches (or there is no such login).
        #[error("not a valid activation code for this login")]
        Wrong,
        /// It was used already.
        #[error("this activation code was already used")]
        Used,
        /// A newer code was issued in its place.
        #[error("this activation code was replaced by a newer one; ask the administrator for the latest")]
        Replaced,
        /// Its days ran out.
        #[error("this activation code has expired; ask the administrator for a new one")]
        Expired,
    }

    impl ActivationError {
        /// Every refusal, in order.
        pub const ALL: [ActivationError; 4] = [Self::Wrong, Self::Used, Self::Replaced, Self::Expired];

        /// A stable name (message keys, logs).
        pub fn as_str(self) -> &'static str {
            match self {
                Self::Wrong => "wrong",
                Self::Used => "used",
                Self::Replaced => "replaced",
                Self::Expired => "expired",
            }
        }
    }

    /// A code as typed, in the form it is hashed in: spaces and dashes dropped, lowercase.
    pub fn normalize(typed: &str) -> String {
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_lowercase).collect()
    }

    /// A code as shown to people: groups of four joined by dashes.
    pub fn display(code: &str) -> String {
        let chars: Vec<char> = code.chars().collect();
        chars.chunks(4).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-")
    }

    /// Whether an issued code may be used at `now`: not used, not replaced, not expired.
    pub fn check(
        used_at: Option<jiff::Timestamp>,
        voided_at: Option<jiff::Timestamp>,
        expires_at: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Result<(), ActivationError> {
        if used_at.is_some() {
            Err(ActivationError::Used)
        } else if voided_at.is_some() {
            Err(ActivationError::Replaced)
        } else if now >= expires_at {
            Err(ActivationError::Expired)
        } else {
            Ok(())
        }
    }

    /// Until when a code issued at `at` may be used.
    pub fn expires(at: jiff::Timestamp) -> jiff::Timestamp {
        at + jiff::SignedDuration::from_hours(24 * VALID_DAYS)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_code_is_typed_as_shown_or_not_and_expires_after_its_days() {
            assert_eq!(display("0a1b2c3d4e5f6a7b"), "0a1b-2c3d-4e5f-6a7b");
            assert_eq!(normalize(" 0A1B-2c3d 4e5f-6A7B "), "0a1b2c3d4e5f6a7b");
            let t = |s: i64| jiff::Timestamp::from_second(1_800_000_000 + s).expect("valid");
            let until = expires(t(0));
            assert_eq!(check(None, None, until, t(0)), Ok(()));
            assert_eq!(check(None, None, until, until), Err(ActivationError::Expired));
            assert_eq!(check(Some(t(1)), None, until, t(2)), Err(ActivationError::Used));
            assert_eq!(check(None, Some(t(1)), until, t(2)), Err(ActivationError::Replaced));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_sign_up_names_every_wrong_field() {
        let bad = SignUpRequest {
            login: "A",
            password: "short",
            name: " ",
            phone: None,
            email: Some("not-an-address"),
            kind: "x",
            id_number: "1",
        };
        assert_eq!(fields(&bad.parse().expect_err("bad")), ["login", "password", "name", "email", "kind"]);
        let ok = SignUpRequest {
            login: " wang.fang ",
            password: "long enough pass",
            name: " 王芳 ",
            phone: Some(" "),
            email: Some(" Wang.Fang@Example.COM "),
            kind: "enterprise",
            id_number: "91350100M000100Y43",
        };
        let parsed = ok.parse().expect("valid");
        assert_eq!((parsed.login.as_str(), parsed.name.as_str(), parsed.phone), ("wang.fang", "王芳", None));
        assert_eq!(parsed.email.as_deref(), Some("Wang.Fang@example.com"));
    }

    #[test]
    fn staff_and_applicants_share_the_password_rule() {
        let long = "x".repeat(MAX_PASSWORD_CHARS + 1);
        let staff = StaffRequest {
            login: "li.ming",
            password: Some(&long),
            name: "李明",
            role: "supervisor",
            department: None,
        };
        assert_eq!(fields(&staff.parse().expect_err("long")), ["password"]);
    }

    #[test]
    fn department_staff_need_a_department_and_overseers_do_not() {
        let mut r = StaffRequest {
            login: "li.ming",
            password: Some("0123456789"),
            name: "李明",
            role: "approver",
            department: None,
        };
        assert_eq!(fields(&r.parse().expect_err("no department")), ["department"]);
        r.department = Some("fgw");
        assert_eq!(r.parse().expect("valid").department.map(|d| d.to_string()).as_deref(), Some("fgw"));
        r.role = "supervisor";
        r.department = None;
        assert!(r.parse().is_ok());
        r.role = "applicant";
        assert_eq!(fields(&r.parse().expect_err("not staff")), ["role"]);
    }
}
