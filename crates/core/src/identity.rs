//! Who acts: roles, the powers that can be delegated, and applicants' identifiers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A role. What a role may do is decided by the server's authorization table; what a
/// person may decide on a case additionally needs a delegated power (see [`crate::delegation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 公众 — anyone, not logged in.
    Public,
    /// 申请人 — a citizen or enterprise with an account.
    Applicant,
    /// 窗口人员 — a window clerk.
    WindowClerk,
    /// 审核人员 — a department reviewer.
    Reviewer,
    /// 审批人员 — a department approver.
    Approver,
    /// 部门负责人 — a department head: root of the department's delegation chain.
    DepartmentHead,
    /// 中心领导 — a center leader.
    CenterLeader,
    /// 电子监察 — a supervisor.
    Supervisor,
    /// 系统管理员 — the center administrator.
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 9] = [
        Self::Public,
        Self::Applicant,
        Self::WindowClerk,
        Self::Reviewer,
        Self::Approver,
        Self::DepartmentHead,
        Self::CenterLeader,
        Self::Supervisor,
        Self::Administrator,
    ];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Applicant => "applicant",
            Self::WindowClerk => "window_clerk",
            Self::Reviewer => "reviewer",
            Self::Approver => "approver",
            Self::DepartmentHead => "department_head",
            Self::CenterLeader => "center_leader",
            Self::Supervisor => "supervisor",
            Self::Administrator => "administrator",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    /// The Chinese name a center's own staff lists use.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Public => "公众",
            Self::Applicant => "申请人",
            Self::WindowClerk => "窗口人员",
            Self::Reviewer => "审核人员",
            Self::Approver => "审批人员",
            Self::DepartmentHead => "部门负责人",
            Self::CenterLeader => "中心领导",
            Self::Supervisor => "电子监察",
            Self::Administrator => "系统管理员",
        }
    }

    /// Whether the role belongs to a department's staff.
    pub fn is_department_staff(self) -> bool {
        matches!(self, Self::WindowClerk | Self::Reviewer | Self::Approver | Self::DepartmentHead)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A power that can be delegated down the chain (逐级授权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Power {
    /// 受理 — accept (or refuse to accept) a case.
    Accept,
    /// 审核 — review: work the steps, suspend and resume.
    Review,
    /// 审批 — approve or deny.
    Approve,
    /// 签发 — sign the decision document.
    Sign,
    /// 送达 — deliver the decision.
    Deliver,
}

impl Power {
    /// Every power.
    pub const ALL: [Power; 5] = [Self::Accept, Self::Review, Self::Approve, Self::Sign, Self::Deliver];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Review => "review",
            Self::Approve => "approve",
            Self::Sign => "sign",
            Self::Deliver => "deliver",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Power> {
        Self::ALL.into_iter().find(|p| p.as_str() == text.trim())
    }
}

/// Checks a 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters
/// from `0-9 A-H J-N P-R T U W-Y`, the last a check character computed from the first 17.
pub fn is_valid_credit_code(code: &str) -> bool {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return false;
    }
    let mut values = [0u32; 18];
    for (i, b) in bytes.iter().enumerate() {
        match CHARS.iter().position(|c| c == b) {
            Some(v) => values[i] = v as u32,
            None => return false,
        }
    }
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    values[17] == check
}

/// Checks a 居民身份证号码 (citizen identity number, GB 11643-1999): 17 digits and a check
/// character (a digit or `X`) computed from them (ISO 7064 MOD 11-2). The same rule covers
/// the residence permits of Hong Kong, Macao and Taiwan residents and of foreigners.
pub fn is_valid_id_card(number: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = number.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    bytes[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

/// Checks the identifier an applicant of `enterprise` or individual kind applies under:
/// a 统一社会信用代码 or a 居民身份证号码. The error is the message shown beside the field.
pub fn check_identifier(enterprise: bool, number: &str) -> Result<(), &'static str> {
    match enterprise {
        true if !is_valid_credit_code(number) => {
            Err("not a valid 统一社会信用代码 (18 characters, check character last)")
        }
        false if !is_valid_id_card(number) => Err("not a valid 居民身份证号码 (18 characters, check character last)"),
        _ => Ok(()),
    }
}

/// How an applicant's identity was verified (实名认证).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    /// A window clerk checked the identity document in person.
    Window,
    /// An external identity provider (a province's 统一身份认证) vouched for it over OpenID Connect.
    Oidc,
    /// A one-time code sent to a phone already on record for that identity (a phone given
    /// with a case whose applicant's identity was checked) was typed back.
    Sms,
}

impl VerificationMethod {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Oidc => "oidc",
            Self::Sms => "sms",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Window, Self::Oidc, Self::Sms].into_iter().find(|m| m.as_str() == text.trim())
    }
}

/// An identity number as shown to anyone but its holder at a window: all but the first 3
/// and last 4 characters masked (short ones wholly).
pub fn mask_id_number(id: &str) -> String {
    mask_middle(id, 3, 4)
}

/// A phone number as shown: all but the first 3 and last 4 digits masked.
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 3, 4)
}

fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
}

/// The rules of one-time codes sent to a phone on record (实名认证 by SMS).
pub mod one_time {
    /// How long a code may be typed back.
    pub const VALID_MINUTES: i64 = 5;
    /// Wrong codes allowed before a code is spent.
    pub const ATTEMPTS: u32 = 5;
    /// Seconds between two codes to one account.
    pub const GAP_SECONDS: i64 = 60;
    /// Codes an account may be sent in a day.
    pub const PER_DAY: u64 = 5;

    /// Whether another code may be sent now, given when the last went out and how many
    /// went out in the last day; the error says how many seconds to wait.
    pub fn may_send(last: Option<jiff::Timestamp>, sent_last_day: u64, now: jiff::Timestamp) -> Result<(), i64> {
        if sent_last_day >= PER_DAY {
            return Err(24 * 3600);
        }
        match last.map(|t| now.as_second() - t.as_second()) {
            Some(ago) if ago < GAP_SECONDS => Err(GAP_SECONDS - ago),
            _ => Ok(()),
        }
    }

    /// Whether a code sent until `expires_at`, with `attempts` wrong tries, may still be tried.
    pub fn may_try(expires_at: jiff::Timestamp, attempts: u32, now: jiff::Timestamp) -> bool {
        now < expires_at && attempts < ATTEMPTS
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn codes_are_rationed_and_expire() {
            let t = |s: i64| jiff::Timestamp::from_second(1_800_000_000 + s).expect("valid");
            assert_eq!(may_send(None, 0, t(0)), Ok(()));
            assert_eq!(may_send(Some(t(0)), 1, t(10)), Err(50));
            assert_eq!(may_send(Some(t(0)), 1, t(60)), Ok(()));
            assert!(may_send(Some(t(0)), PER_DAY, t(3600)).is_err());
            assert!(may_try(t(300), 0, t(299)) && !may_try(t(300), 0, t(300)) && !may_try(t(300), ATTEMPTS, t(0)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes_are_checked() {
        // A published example code with a correct check character.
        assert!(is_valid_credit_code("91350100M000100Y43"));
        assert!(!is_valid_credit_code("91350100M000100Y44"));
        assert!(!is_valid_credit_code("91350100M000100Y4"));
        assert!(!is_valid_credit_code("91350100M000100YI3"), "I is not a valid character");
    }

    #[test]
    fn id_card_numbers_are_checked() {
        // GB 11643-1999's own example, and one whose check character is X.
        assert!(is_valid_id_card("11010519491231002X"));
        assert!(is_valid_id_card("11010519491231002x"));
        assert!(is_valid_id_card("440524188001010014"));
        assert!(!is_valid_id_card("440524188001010015"));
        assert!(!is_valid_id_card("44052418800101001"));
        assert!(!is_valid_id_card("4405241880010100１4"), "full-width digits are not digits");
        assert!(check_identifier(false, "91350100M000100Y43").is_err());
        assert!(check_identifier(true, "91350100M000100Y43").is_ok());
    }

    #[test]
    fn masks_keep_head_and_tail() {
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_phone("13800001234"), "138****1234");
        assert_eq!(mask_phone("1234567"), "*******");
        assert_eq!(mask_id_number("张三丰李四王五赵六"), "张三丰**王五赵六");
    }

    #[test]
    fn roles_and_powers_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for p in Power::ALL {
            assert_eq!(Power::parse(p.as_str()), Some(p));
        }
    }
}

/// Why an administrator may not give an account a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleChangeError {
    /// An applicant's own account cannot become staff, nor staff an applicant: a person
    /// who signed up is not thereby an employee of the center.
    #[error("an applicant account cannot be given a staff role, nor a staff account the applicant role")]
    AcrossKinds,
    /// The center would be left without an administrator.
    #[error("this is the last administrator; make another administrator first")]
    LastAdministrator,
    /// Not a role an account can hold.
    #[error("an account cannot hold the role {0}")]
    NotARole(&'static str),
}

/// Checks a role change of an account that now holds `current` and is an applicant's own
/// account (`is_applicant`), in a center with `administrators` administrators. Returns
/// whether the new role confers decision power the account did not have (a department
/// head's or a center leader's), which is audited prominently.
pub fn check_role_change(
    current: Role,
    is_applicant: bool,
    new: Role,
    administrators: u64,
) -> Result<bool, RoleChangeError> {
    if new == Role::Public {
        return Err(RoleChangeError::NotARole(new.as_str()));
    }
    if is_applicant != (new == Role::Applicant) {
        return Err(RoleChangeError::AcrossKinds);
    }
    if current == Role::Administrator && new != Role::Administrator && administrators <= 1 {
        return Err(RoleChangeError::LastAdministrator);
    }
    let decides = |r: Role| matches!(r, Role::DepartmentHead | Role::CenterLeader);
    Ok(decides(new) && !decides(current))
}

/// Checks that an account holding `role` may be disabled while `administrators` active
/// administrators exist: the center never loses its last one.
pub fn check_disable(role: Role, administrators: u64) -> Result<(), RoleChangeError> {
    if role == Role::Administrator && administrators <= 1 {
        return Err(RoleChangeError::LastAdministrator);
    }
    Ok(())
}

#[cfg(test)]
mod role_change_tests {
    use super::*;

    #[test]
    fn role_changes_keep_the_center_governable() {
        assert_eq!(check_role_change(Role::Applicant, true, Role::Administrator, 1), Err(RoleChangeError::AcrossKinds));
        assert_eq!(check_role_change(Role::WindowClerk, false, Role::Applicant, 1), Err(RoleChangeError::AcrossKinds));
        assert_eq!(
            check_role_change(Role::Administrator, false, Role::Supervisor, 1),
            Err(RoleChangeError::LastAdministrator)
        );
        assert_eq!(check_role_change(Role::Administrator, false, Role::Supervisor, 2), Ok(false));
        assert_eq!(check_role_change(Role::WindowClerk, false, Role::DepartmentHead, 1), Ok(true));
        assert_eq!(check_role_change(Role::DepartmentHead, false, Role::DepartmentHead, 1), Ok(false));
        assert!(check_role_change(Role::WindowClerk, false, Role::Public, 1).is_err());
        assert_eq!(check_disable(Role::Administrator, 1), Err(RoleChangeError::LastAdministrator));
        assert_eq!(check_disable(Role::Administrator, 2), Ok(()));
        assert_eq!(check_disable(Role::WindowClerk, 0), Ok(()));
    }
}
