//! Addresses a notice goes to: e-mail addresses and mobile numbers, checked and normalised
//! once here for every front door.

/// Longest e-mail address (RFC 5321 path limit less the brackets).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Why an address is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not `local@domain.tld` in the characters mail servers take.
    #[error("not an e-mail address (name@example.com)")]
    Email,
    /// Longer than an address may be.
    #[error("at most {MAX_EMAIL_CHARS} characters")]
    EmailTooLong,
    /// Not an 11-digit mainland mobile number (1[3-9]…, an optional +86).
    #[error("not a mobile number (11 digits starting 13–19)")]
    Mobile,
}

/// Checks an e-mail address and returns it trimmed with its domain in lower case: a local
/// part of 1–64 of the unquoted characters RFC 5322 allows (dots not leading, trailing or
/// doubled) and a domain of at least two labels of letters, digits and inner hyphens, the
/// last alphabetic. Quoted local parts, IP literals and comments are refused: nobody types
/// them into a sign-up form, and they are where header injection hides.
pub fn check_email(raw: &str) -> Result<String, AddressError> {
    let s = raw.trim();
    if s.chars().count() > MAX_EMAIL_CHARS {
        return Err(AddressError::EmailTooLong);
    }
    let (local, domain) = s.rsplit_once('@').ok_or(AddressError::Email)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld_ok = labels.last().is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok && domain.len() <= 253 {
        Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
    } else {
        Err(AddressError::Email)
    }
}

/// Checks a mainland mobile number and returns its 11 digits: spaces and hyphens are
/// ignored, and a leading `+86` or `0086` dropped.
pub fn check_mobile(raw: &str) -> Result<String, AddressError> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    let digits = compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("0086"))
        .or_else(|| compact.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&compact);
    let b = digits.as_bytes();
    if b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        Ok(digits.to_owned())
    } else {
        Err(AddressError::Mobile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_people_type_are_taken_and_others_are_not() {
        assert_eq!(check_email(" li.ming+case@Mail.Example.CN ").as_deref(), Ok("li.ming+case@mail.example.cn"));
        for bad in [
            "",
            "a",
            "a@b",
            "@example.com",
            "a@.com",
            "a..b@example.com",
            ".a@example.com",
            "a@-x.com",
            "a@x-.com",
            "a@example.c0m",
            "a b@example.com",
            "a@example.com\r\nBcc: x@y.com",
            "\"q\"@example.com",
            "a@[127.0.0.1]",
            "张三@example.com",
        ] {
            assert_eq!(check_email(bad), Err(AddressError::Email), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(check_email(&long), Err(AddressError::EmailTooLong));
    }

    #[test]
    fn mobile_numbers_are_eleven_digits() {
        assert_eq!(check_mobile("138 0013 8000").as_deref(), Ok("13800138000"));
        assert_eq!(check_mobile("+86 139-0000-0000").as_deref(), Ok("13900000000"));
        assert_eq!(check_mobile("8613900000000").as_deref(), Ok("13900000000"));
        for bad in ["", "12800138000", "1380013800", "0931-8888888", "138001380000", "１３８００１３８０００"]
        {
            assert_eq!(check_mobile(bad), Err(AddressError::Mobile), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn a_checked_address_checks_again_unchanged_and_never_holds_a_line_break(s in "\\PC{0,80}") {
            if let Ok(e) = check_email(&s) {
                prop_assert_eq!(check_email(&e), Ok(e.clone()));
                prop_assert!(!e.contains(['\r', '\n', ' ', '<', '>', ',']));
                prop_assert!(e.chars().count() <= MAX_EMAIL_CHARS);
            }
        }

        #[test]
        fn generated_addresses_are_taken(local in "[a-z0-9]{1,20}(\\.[a-z0-9]{1,10})?", host in "[a-z0-9]{1,20}", tld in "[a-z]{2,6}") {
            let address = format!("{local}@{host}.{tld}");
            prop_assert_eq!(check_email(&address), Ok(address.clone()));
        }
    }
}
