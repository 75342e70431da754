//! Access: which role may attempt which action, and what each actor may see. The role is
//! the first gate; the second is the row (a staff member acts only on their department's
//! cases, an applicant only on the cases their account reaches), and case decisions also
//! need a delegated power ([`CaseCommandKind::power`]). The server asks these for every
//! request; nothing else decides them.

use crate::case::CaseCommandKind;
use crate::identity::Role;
use crate::item::Category;
use crate::org::DepartmentCode;

/// Everything a request can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Read the catalog.
    ReadCatalog,
    /// Submit a case.
    SubmitCase,
    /// Read one case.
    ReadCase,
    /// Search cases.
    SearchCases,
    /// A command on a case.
    Case(CaseCommandKind),
    /// Log in.
    Login,
    /// Activate an account with its one-time activation code (anyone who holds one).
    Activate,
    /// Log out, see oneself.
    Session,
    /// Create or revoke one's own API tokens.
    Tokens,
    /// Create or revoke delegation grants.
    Delegate,
    /// Read grants.
    ReadGrants,
    /// Create staff accounts and change roles.
    ManageAccounts,
    /// Sign up as an applicant.
    SignUp,
    /// Upload a material file to a case.
    Upload,
    /// Name an item's first responsible person.
    NameResponsible,
    /// See the supervision board.
    Supervise,
    /// Read alerts and accountability records.
    ReadSupervision,
    /// Answer an accountability record for one's department.
    AnswerAccountability,
    /// Close an accountability record.
    CloseAccountability,
    /// Set supervision rules.
    ConfigureSupervision,
    /// Read the center's figures.
    ReadFigures,
    /// Read approval plans, their schedules and the reform comparison (public).
    ReadPlans,
    /// Import an approval plan from BPMN.
    ImportPlan,
    /// Read the project library and project runs.
    ReadProjects,
    /// Enter projects and consultations, run projects through plans, start and finish steps.
    ManageProjects,
    /// Take a queue ticket (排队号) at the kiosk.
    TakeTicket,
    /// Call the next queue ticket at a window.
    CallTicket,
    /// Import a year's holiday schedule into the working calendar.
    ImportCalendar,
    /// Publish a new version of the catalog of service items from a file.
    ImportCatalog,
    /// Publish a new version of a published list (权责清单, 职责清单, …) from a file.
    ImportLists,
    /// Create, edit, retire and import the organisation: divisions, sites, departments,
    /// windows and staff.
    ManageOrganisation,
    /// Check the audit log's hash chain and the case events it names.
    VerifyAudit,
    /// Load generated data in bulk (the demo center, the benchmarks' databases).
    BulkLoad,
    /// Verify an applicant's identity in person (实名认证 at a window).
    VerifyIdentity,
    /// Grant, revoke and list mandates (委托) between applicants' accounts.
    Mandate,
    /// Verify one's own identity with a one-time code sent to a phone on record.
    VerifyByCode,
    /// Read the monthly assessment (考核评议): overseers all of it, a department head their
    /// department's rows ([`Scope`] narrows the rows).
    ReadAssessment,
    /// Check in and out at one's own seat (考勤).
    CheckIn,
    /// Record leave, lateness or absence for someone, and read the attendance ledger.
    MarkAttendance,
    /// Set the weights, open surveys, import attendance and third-party scores.
    ConfigureAssessment,
    /// Answer a democratic evaluation survey (民主评议): service users on the public page,
    /// departments and leaders on the staff pages.
    AnswerSurvey,
    /// Take a rectification of a bad rating through its department's steps (差评整改:
    /// verify, rectify, feed back) and appeal a rating (申诉) for the department.
    Rectify,
    /// Review an appeal against a rating (申诉复核): uphold or reject it.
    ReviewAppeal,
    /// Check a document's 文号, status and file (anyone: the verification page), and fetch
    /// one's documents at a kiosk with the case number and phone.
    VerifyDocument,
    /// Revoke (撤销) a document: whoever may decide a case (narrowed to the document's grant
    /// chain by [`crate::document::check_revoke`]) or an administrator.
    RevokeDocument,
    /// Read and save the document templates.
    ManageTemplates,
    /// Read one's own notices (站内信) and set one's contact details and channel consent.
    OwnNotices,
    /// Read the delivery figures of the notice channels.
    ReadDeliveryStats,
    /// List failed notices, retry or cancel them, and save notice templates.
    ManageNotices,
}

/// Whether `role` may attempt `action` at all.
pub fn role_may(role: Role, action: Action) -> bool {
    use Role as R;
    let staff = role.is_department_staff();
    let overseer = oversees(role);
    match action {
        Action::ReadCatalog | Action::Login | Action::Activate => true,
        Action::SignUp => role == R::Public,
        Action::Session | Action::Tokens => role != R::Public,
        Action::SubmitCase => matches!(role, R::Applicant | R::WindowClerk),
        Action::ReadCase | Action::SearchCases => role == R::Applicant || staff || overseer,
        Action::Case(kind) => {
            use CaseCommandKind as K;
            match kind {
                K::Accept | K::Reject | K::RequestCorrection => {
                    matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead)
                }
                K::Resubmit => matches!(role, R::Applicant | R::WindowClerk),
                K::CompleteStep | K::Suspend | K::Resume | K::Return => {
                    matches!(role, R::Reviewer | R::Approver | R::DepartmentHead)
                }
                // A window clerk may attempt a decision: front-desk authority (后台向前台授权),
                // narrowed to some items by [`decides_at_window`] and to a grant by delegation.
                K::Approve | K::Deny => matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead),
                K::Reopen => matches!(role, R::Approver | R::DepartmentHead),
                K::Deliver | K::AnswerRating => matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead),
                // A supervisor may hand a case over or withdraw an offer (whose it is is
                // checked on the case: [`crate::case::check_hand_over_by`]).
                K::HandOver | K::WithdrawHandOver => staff || role == R::Supervisor,
                K::TakeOver => staff,
                K::Reassign => role == R::Supervisor,
                K::Rate => role == R::Applicant,
            }
        }
        Action::Delegate => role == R::DepartmentHead || role == R::Approver || role == R::Administrator,
        Action::ReadGrants => staff || overseer,
        Action::ManageAccounts => role == R::Administrator,
        Action::Upload => matches!(role, R::Applicant | R::WindowClerk),
        Action::NameResponsible => matches!(role, R::DepartmentHead | R::Administrator),
        Action::Supervise | Action::ReadFigures => overseer || role == R::DepartmentHead,
        Action::ReadSupervision => staff || overseer,
        Action::AnswerAccountability => matches!(role, R::DepartmentHead | R::Approver),
        Action::CloseAccountability => role == R::Supervisor,
        Action::ConfigureSupervision => matches!(role, R::Supervisor | R::Administrator),
        // Plans and the project library belong to the center, which leads the approval
        // reform and its project agency service (代办): its leader and the administrators
        // manage them; every department's staff read the library, since a project's steps
        // run at many departments.
        Action::ReadPlans => true,
        Action::ImportPlan | Action::ManageProjects => matches!(role, R::CenterLeader | R::Administrator),
        Action::ReadProjects => staff || overseer,
        // Anyone at the kiosk takes a ticket; whoever works a window queue calls the next.
        Action::TakeTicket => true,
        Action::CallTicket => matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead),
        Action::ImportCalendar
        | Action::ImportCatalog
        | Action::ImportLists
        | Action::ManageOrganisation
        | Action::BulkLoad => role == R::Administrator,
        Action::VerifyAudit => matches!(role, R::Administrator | R::Supervisor),
        // The clerk at the window sees the document; nobody verifies from a desk.
        Action::VerifyIdentity => role == R::WindowClerk,
        Action::Mandate | Action::VerifyByCode => role == R::Applicant,
        Action::ReadAssessment => overseer || role == R::DepartmentHead,
        Action::CheckIn => staff,
        Action::MarkAttendance => matches!(role, R::DepartmentHead | R::Administrator),
        Action::ConfigureAssessment => role == R::Administrator,
        Action::AnswerSurvey => true,
        Action::Rectify => matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead),
        Action::ReviewAppeal => role == R::Supervisor,
        Action::VerifyDocument => true,
        Action::RevokeDocument => {
            matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead | R::Administrator)
        }
        Action::ManageTemplates => role == R::Administrator,
        Action::OwnNotices => role != R::Public,
        Action::ReadDeliveryStats => matches!(role, R::Administrator | R::Supervisor),
        Action::ManageNotices => role == R::Administrator,
    }
}

/// Why a window clerk is refused a decision on an item of another category.
pub const FRONT_DESK_RULE: &str =
    "a window clerk decides only on-the-spot (即收即办) and same-day (当日办结) items, under a delegated grant";

/// Whether an item of `category` may be decided at the window (后台向前台授权): on-the-spot
/// and same-day items may, once the back office has delegated the approve power for them;
/// time-limited and agency items go through the back office.
pub fn decides_at_window(category: Category) -> bool {
    matches!(category, Category::OnTheSpot | Category::SameDay)
}

/// Whether `role` may attempt `kind` on a case of an item in `category`: the role table,
/// narrowed for window clerks, who decide (approve or deny) only items
/// [decided at the window](decides_at_window). The delegated power is checked apart.
pub fn role_may_on_item(role: Role, kind: CaseCommandKind, category: Category) -> bool {
    role_may(role, Action::Case(kind))
        && !(role == Role::WindowClerk
            && matches!(kind, CaseCommandKind::Approve | CaseCommandKind::Deny)
            && !decides_at_window(category))
}

/// Whether `role` oversees the whole center: it sees every department's cases, records
/// and board.
pub fn oversees(role: Role) -> bool {
    matches!(role, Role::CenterLeader | Role::Supervisor | Role::Administrator)
}

/// Which departments' cases and records an actor sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every department's (the center's leaders, supervisors, administrators).
    Center,
    /// One department's (its staff).
    Department(DepartmentCode),
    /// Only the cases the account reaches (applicants), or nothing (staff without a
    /// department, the public).
    Own,
}

impl Scope {
    /// The scope of an account in `role`, of `department` when it has one.
    pub fn of(role: Role, department: Option<&DepartmentCode>) -> Scope {
        match (role, department) {
            (r, _) if oversees(r) => Scope::Center,
            (r, Some(d)) if r.is_department_staff() => Scope::Department(d.clone()),
            _ => Scope::Own,
        }
    }

    /// Whether the scope covers `department`'s records.
    pub fn covers(&self, department: &DepartmentCode) -> bool {
        match self {
            Scope::Center => true,
            Scope::Department(d) => d == department,
            Scope::Own => false,
        }
    }

    /// The one department the scope is narrowed to, none for the center or own cases.
    pub fn department(&self) -> Option<&DepartmentCode> {
        match self {
            Scope::Department(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_command_is_open_to_some_role_and_closed_to_the_public() {
        for kind in CaseCommandKind::ALL {
            assert!(Role::ALL.iter().any(|&r| role_may(r, Action::Case(kind))), "{kind}");
            assert!(!role_may(Role::Public, Action::Case(kind)), "{kind}");
        }
    }

    #[test]
    fn a_window_clerk_decides_only_on_the_spot_and_same_day_items() {
        use CaseCommandKind as K;
        for category in Category::ALL {
            let at_window = matches!(category, Category::OnTheSpot | Category::SameDay);
            assert_eq!(decides_at_window(category), at_window, "{category:?}");
            for kind in [K::Approve, K::Deny] {
                assert_eq!(role_may_on_item(Role::WindowClerk, kind, category), at_window, "{kind} {category:?}");
                assert!(role_may_on_item(Role::Approver, kind, category), "{kind} {category:?}");
                assert!(role_may_on_item(Role::DepartmentHead, kind, category), "{kind} {category:?}");
                assert!(!role_may_on_item(Role::Reviewer, kind, category), "{kind} {category:?}");
            }
            // Nothing else changes for clerks: they still accept and deliver, never reopen.
            assert!(role_may_on_item(Role::WindowClerk, K::Accept, category));
            assert!(role_may_on_item(Role::WindowClerk, K::Deliver, category));
            assert!(!role_may_on_item(Role::WindowClerk, K::Reopen, category));
        }
    }

    #[test]
    fn a_scope_covers_its_department_only() {
        let d = DepartmentCode::parse("fgw").expect("code");
        let e = DepartmentCode::parse("zjj").expect("code");
        assert!(Scope::of(Role::Supervisor, None).covers(&e));
        assert!(Scope::of(Role::Approver, Some(&d)).covers(&d));
        assert!(!Scope::of(Role::Approver, Some(&d)).covers(&e));
        assert!(!Scope::of(Role::Applicant, None).covers(&d));
        assert!(!Scope::of(Role::Approver, None).covers(&d));
    }
}
