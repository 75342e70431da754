//! Authorization: which role may attempt which action. This is the first gate; the second
//! is row level (a staff member acts only on their department's cases, an applicant only on
//! their own), and case decisions also need a delegated power (see `app`). All of it runs
//! on the server, for every request.

use tongban_core::case::CaseCommand;
use tongban_core::identity::{Power, Role};

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
    /// A command on a case, by its stable name.
    Case(&'static str),
    /// Log in.
    Login,
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
    /// Verify an applicant's identity in person (实名认证 at a window).
    VerifyIdentity,
    /// Grant, revoke and list mandates (委托) between applicants' accounts.
    Mandate,
    /// Verify one's own identity with a one-time code sent to a phone on record.
    VerifyByCode,
}

/// Whether `role` may attempt `action` at all.
pub fn role_may(role: Role, action: Action) -> bool {
    use Role as R;
    let staff = matches!(role, R::WindowClerk | R::Reviewer | R::Approver | R::DepartmentHead);
    let overseer = matches!(role, R::CenterLeader | R::Supervisor | R::Administrator);
    match action {
        Action::ReadCatalog | Action::Login => true,
        Action::SignUp => role == R::Public,
        Action::Session | Action::Tokens => role != R::Public,
        Action::SubmitCase => matches!(role, R::Applicant | R::WindowClerk),
        Action::ReadCase | Action::SearchCases => role == R::Applicant || staff || overseer,
        Action::Case(name) => match name {
            "accept" | "reject" | "request_correction" => {
                matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead)
            }
            "resubmit" => matches!(role, R::Applicant | R::WindowClerk),
            "complete_step" | "suspend" | "resume" => matches!(role, R::Reviewer | R::Approver | R::DepartmentHead),
            "approve" | "deny" => matches!(role, R::Approver | R::DepartmentHead),
            "deliver" => matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead),
            "hand_over" | "take_over" => staff,
            "reassign" => role == R::Supervisor,
            "rate" => role == R::Applicant,
            "answer_rating" => matches!(role, R::WindowClerk | R::Approver | R::DepartmentHead),
            "return" => matches!(role, R::Reviewer | R::Approver | R::DepartmentHead),
            "reopen" => matches!(role, R::Approver | R::DepartmentHead),
            _ => false,
        },
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
        Action::ImportCalendar => role == R::Administrator,
        // The clerk at the window sees the document; nobody verifies from a desk.
        Action::VerifyIdentity => role == R::WindowClerk,
        Action::Mandate | Action::VerifyByCode => role == R::Applicant,
    }
}

/// The delegated power a case command needs, if any.
pub fn power_for(command: &CaseCommand) -> Option<Power> {
    match command {
        CaseCommand::Accept | CaseCommand::Reject { .. } | CaseCommand::RequestCorrection { .. } => Some(Power::Accept),
        CaseCommand::CompleteStep { .. }
        | CaseCommand::Suspend { .. }
        | CaseCommand::Resume
        | CaseCommand::Return { .. } => Some(Power::Review),
        CaseCommand::Approve { .. } | CaseCommand::Deny { .. } | CaseCommand::Reopen { .. } => Some(Power::Approve),
        CaseCommand::Deliver { .. } => Some(Power::Deliver),
        CaseCommand::Resubmit { .. }
        | CaseCommand::HandOver { .. }
        | CaseCommand::TakeOver
        | CaseCommand::Reassign { .. }
        | CaseCommand::Rate { .. }
        | CaseCommand::AnswerRating { .. } => None,
    }
}
