//! The assessment's ledger: attendance at the seat (考勤台账), the chief's marks, democratic
//! evaluation surveys (民主评议) and their answers, the weights, and imported attendance and
//! third-party scores (第三方评估).

mod imports;

pub use imports::{Imported, import_attendance, import_scores};

use std::collections::HashSet;

use serde::Serialize;
use tongban_core::access::{Action, Scope};
use tongban_core::assessment::{
    AttendanceMark, DayStatus, Grouping, Period, Respondent, Shift, Weights, check_answer, day_status,
};
use tongban_core::identity::Role;
use tongban_store::{AnswerRow, AttendanceRow, SurveyRow};

use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// A day of the ledger with the status core gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceDay {
    /// The staff account.
    pub account: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Local `HH:MM`.
    pub check_in: Option<String>,
    /// Local `HH:MM`.
    pub check_out: Option<String>,
    /// `leave`, `late` or `absent`.
    pub mark: Option<String>,
    /// The day's status.
    pub status: DayStatus,
}

fn local_now(state: &App) -> (String, String) {
    let dt = jiff::tz::TimeZone::fixed(tongban_core::calendar::CHINA_STANDARD_TIME).to_datetime(state.now());
    (dt.date().to_string(), format!("{:02}:{:02}", dt.hour(), dt.minute()))
}

/// The caller checks in (`out` false) or out at their seat, now; answers the day as it stands.
pub async fn check(state: &App, principal: &Principal, out: bool) -> Result<AttendanceDay, AppError> {
    authorize(principal, Action::CheckIn)?;
    let account = principal.require()?.id.clone();
    let (day, time) = local_now(state);
    let now = state.now();
    let (who, date) = (account.clone(), day.clone());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (i, o) = if out { (None, Some(time.as_str())) } else { (Some(time.as_str()), None) };
                tongban_store::record_check(c, &who, &date, i, o, now).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    let period = Period::parse(day.get(..7).unwrap_or_default()).map_err(|e| AppError::BadParameter(e.to_string()))?;
    let days = attendance(state, principal, period, Some(&account)).await?;
    days.into_iter().find(|d| d.day == day).ok_or_else(|| AppError::NotFound(format!("no attendance on {day}")))
}

/// Accounts a chief may mark: overseers' and administrators' anyone, a department head's
/// their department's staff.
async fn may_mark(state: &App, principal: &Principal, account: &str) -> Result<(), AppError> {
    let me = principal.require()?;
    let posts = state.store.staff_posts().await?;
    let Some(post) = posts.iter().find(|p| p.account == account) else {
        return Err(AppError::Invalid(vec![("account".into(), format!("no staff member {account:?}"))]));
    };
    match Scope::of(me.role, me.department.as_ref()) {
        Scope::Center => Ok(()),
        Scope::Department(d) if d.as_str() == post.department => Ok(()),
        _ => Err(AppError::Forbidden(format!("{account} is not of your department"))),
    }
}

fn parse_day(text: &str) -> Result<String, AppError> {
    let bad = || AppError::Invalid(vec![("day".into(), format!("{text:?} is not a date written YYYY-MM-DD"))]);
    let date: jiff::civil::Date = text.trim().parse().map_err(|_| bad())?;
    Ok(date.to_string())
}

/// The chief or the administrator records leave, lateness or absence (`mark` none clears
/// it); the seat's times are kept.
pub async fn mark(
    state: &App,
    principal: &Principal,
    account: &str,
    day: &str,
    mark: Option<AttendanceMark>,
) -> Result<(), AppError> {
    authorize(principal, Action::MarkAttendance)?;
    let day = parse_day(day)?;
    may_mark(state, principal, account).await?;
    let period = Period::parse(day.get(..7).unwrap_or_default()).map_err(|e| AppError::BadParameter(e.to_string()))?;
    let existing = state.store.attendance_in(&period.to_string(), Some(account)).await?;
    let old = existing.into_iter().find(|r| r.day == day);
    let row = AttendanceRow {
        account: account.to_owned(),
        check_in: old.as_ref().and_then(|r| r.check_in.clone()),
        check_out: old.as_ref().and_then(|r| r.check_out.clone()),
        day,
        mark: mark.map(|m| m.as_str().to_owned()),
        recorded_by: principal.id().to_owned(),
    };
    let now = state.now();
    state
        .store
        .write(move |c| {
            Box::pin(async move { Ok::<_, AppError>(tongban_store::put_attendance_day(c, &row, now).await?) })
        })
        .await
}

/// The ledger of a month: a clerk's own days; a department head's department; overseers
/// everyone's. `account` narrows to one person.
pub async fn attendance(
    state: &App,
    principal: &Principal,
    period: Period,
    account: Option<&str>,
) -> Result<Vec<AttendanceDay>, AppError> {
    let me = principal.require()?;
    let sees_others =
        tongban_core::access::role_may(me.role, Action::MarkAttendance) || tongban_core::access::oversees(me.role);
    if !sees_others {
        authorize(principal, Action::CheckIn)?;
    }
    let only = if sees_others { account.map(str::to_owned) } else { Some(me.id.clone()) };
    let rows = state.store.attendance_in(&period.to_string(), only.as_deref()).await?;
    let allowed: Option<HashSet<String>> = match Scope::of(me.role, me.department.as_ref()) {
        Scope::Department(d) if sees_others => Some(
            state
                .store
                .staff_posts()
                .await?
                .into_iter()
                .filter(|p| p.department == d.as_str())
                .map(|p| p.account)
                .collect(),
        ),
        _ => None,
    };
    let time = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<jiff::civil::Time>().ok());
    Ok(rows
        .into_iter()
        .filter(|r| allowed.as_ref().is_none_or(|a| a.contains(&r.account)))
        .map(|r| AttendanceDay {
            status: day_status(
                time(&r.check_in),
                time(&r.check_out),
                r.mark.as_deref().and_then(AttendanceMark::parse),
                Shift::default(),
            ),
            account: r.account,
            day: r.day,
            check_in: r.check_in,
            check_out: r.check_out,
            mark: r.mark,
        })
        .collect())
}

/// Opens the survey of a month.
pub async fn open_survey(state: &App, principal: &Principal, period: Period, title: &str) -> Result<(), AppError> {
    authorize(principal, Action::ConfigureAssessment)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::Invalid(vec![("title".into(), "a title of 1 to 200 characters".into())]));
    }
    let row = SurveyRow {
        period: period.to_string(),
        title: title.to_owned(),
        opened_by: principal.id().to_owned(),
        opened_at: state.now(),
    };
    state
        .store
        .write(move |c| Box::pin(async move { tongban_store::insert_survey(c, &row).await.map_err(duplicate) }))
        .await
}

fn duplicate(e: tongban_store::StoreError) -> AppError {
    match e {
        tongban_store::StoreError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
        other => AppError::Store(other),
    }
}

/// Who answers as what: leaders (center leaders, department heads) as leaders, other staff
/// for their department, everyone else as a service user.
pub fn respondent_of(role: Role) -> Respondent {
    match role {
        Role::CenterLeader | Role::DepartmentHead => Respondent::Leader,
        r if r.is_department_staff() || tongban_core::access::oversees(r) => Respondent::Department,
        _ => Respondent::User,
    }
}

/// An answer to a survey: one subject graded 1 (差) to 5 (优秀).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Answer {
    /// `window`, `department`, `staff` or `site`.
    pub subject_kind: String,
    /// The subject's code.
    pub subject_code: String,
    /// 1–5.
    pub grade: i64,
    /// Free text.
    #[serde(default)]
    pub comment: String,
}

/// Answers the survey of `period`. It is open in its month and the month after; a logged-in
/// respondent grades a subject once.
pub async fn answer_survey(state: &App, principal: &Principal, period: Period, a: Answer) -> Result<(), AppError> {
    authorize(principal, Action::AnswerSurvey)?;
    if principal.account.is_none() {
        // The public page's answers share the kiosk's budget for anonymous writes.
        state.rate(crate::limits::Rated::Ticket, principal)?;
    }
    let grade = check_answer(a.grade).map_err(|e| AppError::Invalid(vec![("grade".into(), e.to_string())]))?;
    let Some(survey) = state.store.survey(&period.to_string()).await? else {
        return Err(AppError::NotFound(format!("no survey for {period}")));
    };
    let now = Period::of(state.now());
    if now != period && now.previous() != period {
        return Err(AppError::Conflict(format!("the survey for {} is closed", survey.period)));
    }
    let Some(kind) = Grouping::parse(&a.subject_kind) else {
        return Err(AppError::Invalid(vec![("subject_kind".into(), "window, department, staff or site".into())]));
    };
    subject_exists(state, kind, &a.subject_code).await?;
    let comment: String = a.comment.trim().chars().take(500).collect();
    let row = AnswerRow {
        respondent: respondent_of(principal.role()).as_str().to_owned(),
        account: principal.account.as_ref().map(|x| x.id.clone()),
        subject_kind: kind.as_str().to_owned(),
        subject_code: a.subject_code.trim().to_owned(),
        grade: i64::from(grade),
        comment,
    };
    let at = state.now();
    let month = period.to_string();
    state
        .store
        .write(move |c| {
            Box::pin(async move { tongban_store::insert_answer(c, &month, &row, at).await.map_err(duplicate) })
        })
        .await
}

async fn subject_exists(state: &App, kind: Grouping, code: &str) -> Result<(), AppError> {
    let code = code.trim();
    let known = if kind == Grouping::Staff {
        state.store.staff_posts().await?.iter().any(|p| p.account == code)
    } else {
        state.store.assessment_subjects(kind.as_str()).await?.iter().any(|s| s.code == code)
    };
    if known {
        Ok(())
    } else {
        Err(AppError::Invalid(vec![("subject_code".into(), format!("no {} {code:?}", kind.as_str()))]))
    }
}

/// The weights in use.
pub async fn weights(state: &App, principal: &Principal) -> Result<Weights, AppError> {
    authorize(principal, Action::ReadAssessment)?;
    Ok(state.store.assessment_weights().await?)
}

/// Every survey, newest first (public: the public page lists the open ones).
pub async fn surveys(state: &App) -> Result<Vec<SurveyRow>, AppError> {
    Ok(state.store.surveys().await?)
}

/// Sets the weights after core checks them.
pub async fn set_weights(state: &App, principal: &Principal, weights: Weights) -> Result<(), AppError> {
    authorize(principal, Action::ConfigureAssessment)?;
    weights.check().map_err(|e| AppError::Invalid(vec![("weights".into(), e.to_string())]))?;
    let (by, at) = (principal.id().to_owned(), state.now());
    state
        .store
        .write(move |c| {
            Box::pin(
                async move { Ok::<_, AppError>(tongban_store::put_assessment_weights(c, &weights, &by, at).await?) },
            )
        })
        .await
}
