//! Who owns a case that arrives without a person (首接责任制 for self-service channels): an
//! online, kiosk, app or mail submission, or a case a project step opens, gets a named owner
//! in the handling department at once, so alerts and accountability reach a real person.

/// A member of a department's staff who could own a new case, as the store reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerCandidate {
    /// Login.
    pub login: String,
    /// Whether they are a window clerk seated at a window that serves the department: one of
    /// its own windows or a comprehensive window (综合窗口), which serves every department.
    pub at_window: bool,
    /// Cases they own that are not yet closed (delivered or rejected).
    pub open_cases: u64,
}

/// The owner the rule names among the department's enabled staff:
///
/// 1. the least-loaded window clerk at a window serving the department (fewest open cases
///    owned; ties go to the login first in alphabetical order, so the choice is stable);
/// 2. when no clerk sits at such a window, the least-loaded member of the department's
///    staff, by the same measure;
/// 3. none when the department has no enabled staff at all — the case then stays with the
///    channel's hall account until someone takes it over.
///
/// Load, not rotation: a clerk who clears cases quickly receives more, and one on leave
/// (disabled) none.
pub fn named_owner(candidates: &[OwnerCandidate]) -> Option<&str> {
    let least = |at_window: bool| {
        candidates
            .iter()
            .filter(|c| !at_window || c.at_window)
            .min_by(|a, b| a.open_cases.cmp(&b.open_cases).then_with(|| a.login.cmp(&b.login)))
    };
    least(true).or_else(|| least(false)).map(|c| c.login.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(login: &str, at_window: bool, open_cases: u64) -> OwnerCandidate {
        OwnerCandidate { login: login.into(), at_window, open_cases }
    }

    #[test]
    fn the_least_loaded_clerk_at_a_window_owns_the_case() {
        let staff = [c("chief", false, 0), c("clerk.b", true, 3), c("clerk.a", true, 5), c("clerk.c", true, 3)];
        assert_eq!(named_owner(&staff), Some("clerk.b"), "fewest open cases, then the first login");
    }

    #[test]
    fn without_a_clerk_at_a_window_the_least_loaded_staff_member_owns_it() {
        let staff = [c("deputy", false, 4), c("chief", false, 2), c("reviewer", false, 2)];
        assert_eq!(named_owner(&staff), Some("chief"));
    }

    #[test]
    fn a_department_without_staff_names_nobody() {
        assert_eq!(named_owner(&[]), None);
    }

    #[test]
    fn giving_each_new_case_to_the_named_owner_spreads_the_load_evenly() {
        let mut staff = vec![c("a", true, 0), c("b", true, 2), c("c", true, 1), c("boss", false, 0)];
        for _ in 0..9 {
            let login = named_owner(&staff).expect("someone").to_owned();
            if let Some(x) = staff.iter_mut().find(|x| x.login == login) {
                x.open_cases += 1;
            }
        }
        let loads: Vec<u64> = staff.iter().map(|x| x.open_cases).collect();
        assert_eq!(loads, [4, 4, 4, 0], "the clerks share the load; the head of the list is not flooded");
    }
}
