//! 窗口考核评议 — the monthly assessment of windows, departments, staff and sites: the facts
//! are read from the store, attributed by core's one rule ([`tongban_core::attribution`])
//! and scored by [`tongban_core::assessment`]. Nothing is cached: the same facts give the
//! same table every time, and nobody can edit a total.
//!
//! The ledger's use cases (attendance, surveys, weights, imported scores) are in
//! [`ledger`].

pub mod ledger;

use std::collections::HashMap;

use serde::Serialize;
use tongban_core::access::{Action, Scope};
use tongban_core::assessment::{
    AttendanceMark, AttendanceTally, Components, EvaluationTally, Grouping, Period, Respondent, Score, Shift, Weights,
    day_status, rank, ratio_score,
};
use tongban_core::attribution::{Attribution, CaseFacts, Post, attribute};
use tongban_store::StaffPost;

use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// One row of the assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRow {
    /// The subject's code (a staff member's login).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its department, for windows and staff.
    pub department: Option<String>,
    /// Its parts.
    pub components: Components,
    /// The weighted total less deductions.
    pub total: Score,
    /// Rank within the grouping (ties share).
    pub rank: u32,
    /// 红旗窗口 (windows only).
    pub red_flag: Option<bool>,
    /// 服务之星 (staff only).
    pub star: Option<bool>,
}

/// A month's assessment for one grouping, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The month.
    pub period: Period,
    /// The grouping.
    pub by: Grouping,
    /// The weights used.
    pub weights: Weights,
    /// The rows the caller may see, ranked within the whole grouping.
    pub rows: Vec<AssessmentRow>,
}

/// The subjects a case, a person or a record counts for, in one grouping.
fn key_of(a: &Attribution, by: Grouping) -> Option<String> {
    match by {
        Grouping::Window => a.window.clone(),
        Grouping::Department => Some(a.department.clone()),
        Grouping::Staff => a.staff.clone(),
        Grouping::Site => a.site.clone(),
    }
}

/// The facts of one month, by subject of the grouping.
#[derive(Default)]
struct Facts {
    delivered: HashMap<String, (u128, u128)>,
    satisfied: HashMap<String, (u128, u128)>,
    attendance: HashMap<String, AttendanceTally>,
    evaluation: HashMap<String, EvaluationTally>,
    third_party: HashMap<String, Score>,
    accountability: HashMap<String, u32>,
}

async fn gather(state: &App, period: Period, by: Grouping, posts: &[StaffPost]) -> Result<Facts, AppError> {
    let store = &state.store;
    let month = period.to_string();
    let map: HashMap<&str, Post> = posts
        .iter()
        .map(|p| {
            let post = Post {
                window: p.window.clone(),
                window_site: p.window_site.clone(),
                department_site: p.department_site.clone(),
            };
            (p.account.as_str(), post)
        })
        .collect();
    let post = |login: &str| map.get(login).cloned();
    let mut f = Facts::default();
    for case in store.delivered_facts(&month).await? {
        let owners: Vec<&str> = case.owners.iter().map(String::as_str).collect();
        let facts =
            CaseFacts { submitted_by: &case.submitted_by, owners: &owners, item_department: &case.item_department };
        let Some(key) = key_of(&attribute(&facts, post), by) else { continue };
        let entry = f.delivered.entry(key).or_default();
        entry.0 += u128::from(case.on_time);
        entry.1 += 1;
    }
    // 满意率 as the 好差评 figures report it: the month's counted ratings (an upheld appeal
    // excludes one), attributed by the same rule.
    let (from, to) = period.bounds();
    let by_ratings = match by {
        Grouping::Window => crate::ratings::By::Window,
        Grouping::Department => crate::ratings::By::Department,
        Grouping::Staff => crate::ratings::By::Staff,
        Grouping::Site => crate::ratings::By::Site,
    };
    for row in crate::ratings::satisfaction(state, None, from, to, by_ratings).await? {
        f.satisfied.insert(row.key, (u128::from(row.satisfied), u128::from(row.rated)));
    }
    // A person's attendance counts for them and where they sit, as a case they received would.
    let own = |login: &str, department: &str| {
        attribute(&CaseFacts { submitted_by: login, owners: &[], item_department: department }, post)
    };
    let departments: HashMap<&str, &str> = posts.iter().map(|p| (p.account.as_str(), p.department.as_str())).collect();
    for row in store.attendance_in(&month, None).await? {
        let Some(department) = departments.get(row.account.as_str()) else { continue };
        let Some(key) = key_of(&own(&row.account, department), by) else { continue };
        let time = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<jiff::civil::Time>().ok());
        let mark = row.mark.as_deref().and_then(AttendanceMark::parse);
        let status = day_status(time(&row.check_in), time(&row.check_out), mark, Shift::default());
        f.attendance.entry(key).or_default().add(status);
    }
    for a in store.answers_in(&month).await? {
        let (Some(who), Ok(grade)) = (Respondent::parse(&a.respondent), u8::try_from(a.grade)) else { continue };
        if a.subject_kind == by.as_str() {
            f.evaluation.entry(a.subject_code).or_default().add(who, grade);
        }
    }
    for s in store.third_party_scores(&month).await? {
        if s.subject_kind == by.as_str() {
            f.third_party.insert(s.subject_code, Score::from_hundredths(s.score));
        }
    }
    for (owner, department) in store.accountability_opened_between(from, to).await? {
        if let Some(key) = key_of(&own(&owner, &department), by) {
            *f.accountability.entry(key).or_default() += 1;
        }
    }
    Ok(f)
}

/// The subjects of a grouping: (code, name, department).
async fn subjects(
    state: &App,
    by: Grouping,
    posts: &[StaffPost],
) -> Result<Vec<(String, String, Option<String>)>, AppError> {
    if by == Grouping::Staff {
        return Ok(posts.iter().map(|p| (p.account.clone(), p.name.clone(), Some(p.department.clone()))).collect());
    }
    let rows = state.store.assessment_subjects(by.as_str()).await?;
    Ok(rows.into_iter().map(|s| (s.code, s.name, s.department)).collect())
}

/// The assessment of `period` by `by`, best first. Overseers see every row; a department
/// head sees their department's windows, staff and the department itself (ranked among
/// all); sites are the center's and shown to overseers only.
pub async fn assessment(
    state: &App,
    principal: &Principal,
    period: Period,
    by: Grouping,
) -> Result<Assessment, AppError> {
    authorize(principal, Action::ReadAssessment)?;
    let account = principal.require()?;
    let scope = Scope::of(account.role, account.department.as_ref());
    let weights = state.store.assessment_weights().await?;
    let posts = state.store.staff_posts().await?;
    let f = gather(state, period, by, &posts).await?;
    let subjects = subjects(state, by, &posts).await?;
    let names: HashMap<String, (String, Option<String>)> =
        subjects.iter().map(|(c, n, d)| (c.clone(), (n.clone(), d.clone()))).collect();
    let rows: Vec<(String, Components)> = subjects
        .into_iter()
        .map(|(code, _, _)| {
            let components = Components {
                on_time: f.delivered.get(&code).and_then(|&(on, all)| ratio_score(on, all)),
                satisfaction: f.satisfied.get(&code).and_then(|&(s, n)| ratio_score(s, n)),
                attendance: f.attendance.get(&code).and_then(AttendanceTally::score),
                evaluation: f.evaluation.get(&code).and_then(EvaluationTally::score),
                third_party: f.third_party.get(&code).copied(),
                accountability: f.accountability.get(&code).copied().unwrap_or(0),
            };
            (code, components)
        })
        .collect();
    let count = rows.len();
    let ranked = rank(rows, &weights);
    let rows = ranked
        .into_iter()
        .map(|r| {
            let (name, department) = names.get(&r.key).cloned().unwrap_or_default();
            AssessmentRow {
                red_flag: (by == Grouping::Window).then(|| weights.red_flag.names(&r, count)),
                star: (by == Grouping::Staff).then(|| weights.star.names(&r, count)),
                code: r.key,
                name,
                department,
                components: r.components,
                total: r.total,
                rank: r.rank,
            }
        })
        .filter(|row| match &scope {
            Scope::Center => true,
            Scope::Department(d) => match by {
                Grouping::Department => row.code == d.as_str(),
                Grouping::Window | Grouping::Staff => row.department.as_deref() == Some(d.as_str()),
                Grouping::Site => false,
            },
            Scope::Own => false,
        })
        .collect();
    Ok(Assessment { period, by, weights, rows })
}

/// A score as the sheet writes it (`95.05`), empty when the part has no facts.
fn cell(s: Option<Score>) -> String {
    s.map(|s| s.to_string()).unwrap_or_default()
}

/// The assessment as a sheet (`tongban report assessment`, the API's and the pages'
/// downloads): a row per subject, best first, the honours as `yes`/`no` for windows and staff.
pub fn sheet(a: &Assessment) -> crate::tables::Sheet {
    let honour = match a.by {
        Grouping::Window => "red_flag",
        Grouping::Staff => "star",
        Grouping::Department | Grouping::Site => "",
    };
    let mut header = vec![
        "rank",
        "code",
        "name",
        "department",
        "on_time",
        "satisfaction",
        "attendance",
        "evaluation",
        "third_party",
        "accountability",
        "total",
    ];
    if !honour.is_empty() {
        header.push(honour);
    }
    let rows = a
        .rows
        .iter()
        .map(|r| {
            let c = &r.components;
            let mut row = vec![
                r.rank.to_string(),
                r.code.clone(),
                r.name.clone(),
                r.department.clone().unwrap_or_default(),
                cell(c.on_time),
                cell(c.satisfaction),
                cell(c.attendance),
                cell(c.evaluation),
                cell(c.third_party),
                c.accountability.to_string(),
                r.total.to_string(),
            ];
            if let Some(named) = r.red_flag.or(r.star) {
                row.push(if named { "yes" } else { "no" }.to_owned());
            }
            row
        })
        .collect();
    crate::tables::Sheet::new("assessment", &header, rows).with_numbers(&[
        "rank",
        "on_time",
        "satisfaction",
        "attendance",
        "evaluation",
        "third_party",
        "accountability",
        "total",
    ])
}
