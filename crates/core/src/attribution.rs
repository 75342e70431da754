//! 责任归属 — which staff member, window, site and department a case counts for, in
//! satisfaction figures (好差评) and window assessment (窗口考核评议) alike. One rule, here, so
//! that every report attributes a case the same way.
//!
//! The rule: a case counts for the staff member who received it (首接) — the account that
//! handed the submission in when that account is a department's staff (a clerk at a window),
//! otherwise the first named person who owned it (an online, kiosk, app or project case is
//! handed in by the applicant or a hall account and assigned to a named clerk). It counts for
//! that person's window, that window's site (the person's department's site when the person
//! has no window, or the window none), and always for the item's department. A case no staff
//! member ever owned counts for its department only.

use serde::Serialize;

/// Where a department's staff member sits, as the store knows it today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Post {
    /// Their window (窗口), if they sit at one.
    pub window: Option<String>,
    /// That window's site (办事地点).
    pub window_site: Option<String>,
    /// Their department's site.
    pub department_site: Option<String>,
}

/// What the store hands over about one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts<'a> {
    /// The account that handed the submission in (the submission event's actor).
    pub submitted_by: &'a str,
    /// The case's owners in the order they held it, starting with the submission's owner.
    pub owners: &'a [&'a str],
    /// The department of the case's item.
    pub item_department: &'a str,
}

/// Who and where a case counts for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The staff member's login (首接人); none when no staff member ever owned the case.
    pub staff: Option<String>,
    /// Their window.
    pub window: Option<String>,
    /// The window's site, else their department's site.
    pub site: Option<String>,
    /// The item's department.
    pub department: String,
}

/// Attributes a case. `post` answers for a login that is a department's staff member and
/// `None` for any other account (applicants, hall and system accounts, unknown logins).
pub fn attribute(facts: &CaseFacts<'_>, post: impl Fn(&str) -> Option<Post>) -> Attribution {
    let receiver = std::iter::once(facts.submitted_by)
        .chain(facts.owners.iter().copied())
        .find_map(|login| post(login).map(|p| (login, p)));
    match receiver {
        Some((login, p)) => Attribution {
            staff: Some(login.to_owned()),
            site: p.window.as_ref().and(p.window_site.clone()).or(p.department_site),
            window: p.window,
            department: facts.item_department.to_owned(),
        },
        None => Attribution { department: facts.item_department.to_owned(), ..Attribution::default() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(login: &str) -> Option<Post> {
        match login {
            "clerk.a" => Some(Post {
                window: Some("W01".into()),
                window_site: Some("S1".into()),
                department_site: Some("S0".into()),
            }),
            "clerk.b" => Some(Post { window: None, window_site: None, department_site: Some("S0".into()) }),
            "clerk.c" => {
                Some(Post { window: Some("W09".into()), window_site: None, department_site: Some("S2".into()) })
            }
            _ => None,
        }
    }

    #[test]
    fn a_case_received_at_a_window_counts_for_its_clerk_window_and_site() {
        let a = attribute(
            &CaseFacts { submitted_by: "clerk.a", owners: &["clerk.a", "clerk.b"], item_department: "D1" },
            post,
        );
        assert_eq!(a.staff.as_deref(), Some("clerk.a"));
        assert_eq!(a.window.as_deref(), Some("W01"));
        assert_eq!(a.site.as_deref(), Some("S1"));
        assert_eq!(a.department, "D1");
    }

    #[test]
    fn an_online_case_counts_for_its_first_named_owner() {
        let a = attribute(
            &CaseFacts {
                submitted_by: "zhang.san",
                owners: &["hall.online", "clerk.b", "clerk.a"],
                item_department: "D1",
            },
            post,
        );
        assert_eq!(a.staff.as_deref(), Some("clerk.b"));
        assert_eq!(a.window, None);
        assert_eq!(a.site.as_deref(), Some("S0"), "no window: the department's site");
    }

    #[test]
    fn a_window_without_a_site_falls_back_to_the_department_site() {
        let a = attribute(&CaseFacts { submitted_by: "clerk.c", owners: &[], item_department: "D2" }, post);
        assert_eq!(a.site.as_deref(), Some("S2"));
    }

    #[test]
    fn a_case_no_staff_member_owned_counts_for_its_department_only() {
        let a =
            attribute(&CaseFacts { submitted_by: "zhang.san", owners: &["hall.online"], item_department: "D3" }, post);
        assert_eq!(a, Attribution { department: "D3".into(), ..Attribution::default() });
    }
}
