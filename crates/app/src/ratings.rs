//! 好差评 use cases: rating a case through a channel, the rectification a bad rating opens
//! (the department's steps and the rater's answer), appeals and their review, the watch on
//! overdue rectifications, and satisfaction per window, department, staff member, item and
//! site. The rules are core's (`tongban_core::rating`, `tongban_core::attribution`).

use std::collections::HashMap;

use serde::Serialize;
use tongban_core::access::{Action, Scope};
use tongban_core::attribution::{Attribution, CaseFacts, Post, attribute};
use tongban_core::case::{CaseCommand, CaseEvent, CaseNumber, Context};
use tongban_core::identity::Role;
use tongban_core::rating::appeal::{self, Verdict};
use tongban_core::rating::rectification::{self, Stage, Step};
use tongban_core::rating::satisfaction::tally;
use tongban_core::rating::{DEFAULT_RATING_DAYS, Level, RatingChannel, check_rating, may_rate};
use tongban_core::supervision::{AccountabilityState, AlertKind, Colour, Level as AlertLevel};
use tongban_store::{AccountabilityRow, AlertRow, append_audit, append_events};
pub use tongban_store::{AppealRow, RatingRow, RectificationRow};

use crate::{App, AppError, Principal, authorize, concerns};

/// The configurable periods of the rating rules, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingSettings {
    /// How long after delivery a case may be rated (default [`DEFAULT_RATING_DAYS`]).
    pub rating_days: u32,
    /// How long a department has to feed back on a bad rating (default
    /// [`rectification::DEFAULT_RECTIFICATION_DAYS`]).
    pub rectification_days: u32,
}

impl Default for RatingSettings {
    fn default() -> Self {
        Self { rating_days: DEFAULT_RATING_DAYS, rectification_days: rectification::DEFAULT_RECTIFICATION_DAYS }
    }
}

/// Whom a case counts for: core's rule over the case's history and its staff's posts.
pub async fn attribution_of(state: &App, number: &CaseNumber, department: &str) -> Result<Attribution, AppError> {
    let events = state.store.events_for_case(number).await?;
    let submitted_by = events.first().map(|e| e.actor.clone()).unwrap_or_default();
    let owners: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.event {
            CaseEvent::Submitted { submission, .. } => Some(submission.owner.clone()),
            CaseEvent::HandedOver { to, .. } | CaseEvent::Reassigned { to, .. } => Some(to.clone()),
            _ => None,
        })
        .collect();
    let mut posts = HashMap::<String, Option<Post>>::new();
    for login in std::iter::once(&submitted_by).chain(&owners) {
        if !posts.contains_key(login) {
            posts.insert(login.clone(), state.store.post_of(login).await?);
        }
    }
    let owners: Vec<&str> = owners.iter().map(String::as_str).collect();
    let facts = CaseFacts { submitted_by: &submitted_by, owners: &owners, item_department: department };
    Ok(attribute(&facts, |login| posts.get(login).cloned().flatten()))
}

/// 评价 — rates a delivered case through `channel`: once per channel, inside the rating
/// window; or, through a channel rated before whose rectification was fed back, rates it
/// again (the rater only, and then the window does not apply: it answers the feedback). A
/// bad rating opens a rectification. The case's history gets a Rated event either way.
#[tracing::instrument(skip_all, fields(case.number = %number, rating.channel = channel.as_str()))]
pub async fn rate(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
    channel: RatingChannel,
    score: u8,
    comment: &str,
) -> Result<RatingRow, AppError> {
    let account = principal.require()?.clone();
    if !may_rate(account.role, channel) {
        return Err(AppError::Forbidden(format!("a {} may not rate through {}", account.role, channel.as_str())));
    }
    Level::from_score(score)?;
    let (case, item) = crate::case_and_item(state, number).await?;
    crate::check_scope(state, principal, &case, Some(&item.department)).await?;
    rate_as(state, &account.id, number, channel, score, comment, state.now()).await
}

/// Records a rating by `rater` at `now`, the role and scope checked by the caller ([`rate`],
/// or the demo's loader through [`load_rating`]).
async fn rate_as(
    state: &App,
    rater: &str,
    number: &CaseNumber,
    channel: RatingChannel,
    score: u8,
    comment: &str,
    now: jiff::Timestamp,
) -> Result<RatingRow, AppError> {
    let level = Level::from_score(score)?;
    let (case, item) = crate::case_and_item(state, number).await?;
    let rater = rater.to_owned();
    let calendar = state.calendar_of(&case.division);
    let existing = state.store.ratings_of_case(number.as_str()).await?;
    let before = existing.iter().find(|r| r.channel == channel.as_str());
    let reopened = match before {
        None => {
            let rated: Vec<RatingChannel> =
                existing.iter().filter_map(|r| RatingChannel::parse(&r.channel).ok()).collect();
            let delivered =
                (case.state == tongban_core::case::CaseState::Delivered).then_some(case.closed_at).flatten();
            check_rating(&calendar, delivered, state.ratings.rating_days, channel, &rated, now)?;
            None
        }
        Some(r) => {
            let fed_back = state
                .store
                .rectifications_of_case(number.as_str())
                .await?
                .into_iter()
                .find(|x| x.rating_id == r.rating_id && x.stage == Stage::FedBack.as_str());
            match fed_back {
                Some(x) if r.rater == rater => Some(x),
                _ => return Err(tongban_core::rating::RatingError::AlreadyRated(channel.as_str()).into()),
            }
        }
    };
    let command = CaseCommand::RateVia { score, comment: comment.to_owned(), channel, again: reopened.is_some() };
    let events = case.handle(&command, &Context { now, calendar: &calendar, item: &item, actor: &rater })?;
    let mut after = case.clone();
    for e in &events {
        after.apply(e, now);
    }
    let attribution = attribution_of(state, number, item.department.as_str()).await?;
    let row = RatingRow {
        rating_id: before.map_or(0, |r| r.rating_id),
        case_number: number.to_string(),
        channel: channel.as_str().to_owned(),
        score,
        comment: comment.trim().to_owned(),
        rater: rater.clone(),
        rated_at: now,
        attribution: before.map_or(attribution, |r| r.attribution.clone()),
        item: item.code.to_string(),
        excluded: before.is_some_and(|r| r.excluded),
    };
    let due = if level.is_bad() {
        Some(
            rectification::due(&calendar, now, state.ratings.rectification_days)
                .map_err(tongban_core::rating::RatingError::from)?,
        )
    } else {
        None
    };
    let expected = case.version;
    let month = tongban_core::supervision::month_of(now);
    let answer_days = state.ratings.rectification_days;
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                let hashes = append_events(conn, expected, &after, &events, &rater, now, None).await?;
                concerns::note_case(conn, &after, &item, &calendar, &[], None, (answer_days, now)).await?;
                let mut row = row;
                match &reopened {
                    None => row.rating_id = tongban_store::insert_rating(conn, &row, &month).await?,
                    Some(x) => {
                        tongban_store::update_rating_score(conn, row.rating_id, score, &row.comment, now, &month)
                            .await?;
                        let to = rectification::advance(Stage::FedBack, Step::Rerate, "")?;
                        if !tongban_store::advance_rectification(
                            conn,
                            x.rectification_id,
                            Stage::FedBack.as_str(),
                            to.as_str(),
                            Step::Rerate.as_str(),
                            "",
                            &rater,
                            now,
                        )
                        .await?
                        {
                            return Err(AppError::Conflict("the rectification changed meanwhile".into()));
                        }
                    }
                }
                if let Some(due) = due {
                    tongban_store::insert_rectification(
                        conn,
                        row.rating_id,
                        &row.case_number,
                        item.department.as_str(),
                        score,
                        now,
                        due,
                    )
                    .await?;
                }
                let detail = serde_json::json!({
                    "channel": row.channel, "score": score, "again": reopened.is_some(), "events": hashes,
                });
                append_audit(conn, now, &rater, "rating.rate", &row.case_number, &detail.to_string()).await?;
                Ok::<_, AppError>(row)
            })
        })
        .await
}

/// Whether the principal may see and act for the department of a rectification.
fn in_scope(principal: &Principal, department: &str) -> Result<(), AppError> {
    let account = principal.require()?;
    let scope = Scope::of(account.role, account.department.as_ref());
    let ok = match &scope {
        Scope::Center => true,
        Scope::Department(d) => d.as_str() == department,
        _ => false,
    };
    if ok { Ok(()) } else { Err(AppError::Forbidden(format!("department {department}'s ratings are not yours"))) }
}

/// One rectification, with its rating, for someone who may see it: the department, an
/// overseer, or the rater.
pub async fn rectification(
    state: &App,
    principal: &Principal,
    id: i64,
) -> Result<(RectificationRow, RatingRow), AppError> {
    let account = principal.require()?;
    let x = state
        .store
        .rectification_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("rectification {id} does not exist")))?;
    let rating = state
        .store
        .rating_by_id(x.rating_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("rating {} does not exist", x.rating_id)))?;
    if rating.rater != account.id {
        authorize(principal, Action::ReadSupervision)?;
        in_scope(principal, &x.department)?;
    }
    Ok((x, rating))
}

/// The newest rectifications the principal's department (or, for overseers, the center) has.
pub async fn rectifications(state: &App, principal: &Principal) -> Result<Vec<RectificationRow>, AppError> {
    authorize(principal, Action::ReadSupervision)?;
    let account = principal.require()?;
    let department = match Scope::of(account.role, account.department.as_ref()) {
        Scope::Center => None,
        Scope::Department(d) => Some(d.to_string()),
        _ => return Err(AppError::Forbidden("no department".into())),
    };
    Ok(state.store.rectifications(department.as_deref(), 200).await?)
}

/// Takes a rectification one step: the department verifies, rectifies and feeds back (the
/// feedback is also the case's answer to the bad rating, in its history); the rater accepts.
/// (A re-rating goes through [`rate`].)
#[tracing::instrument(skip_all, fields(rectification.id = id, rectification.step = step.as_str()))]
pub async fn rectify(
    state: &App,
    principal: &Principal,
    id: i64,
    step: Step,
    text: &str,
) -> Result<RectificationRow, AppError> {
    let account = principal.require()?.clone();
    if !step.by_rater() {
        authorize(principal, Action::Rectify)?;
    }
    let (x, rating) = rectification(state, principal, id).await?;
    match step {
        Step::Rerate => return Err(AppError::BadParameter("a re-rating is a rating: rate the case again".into())),
        Step::Accept if rating.rater != account.id => {
            return Err(AppError::Forbidden("only the rater answers the feedback".into()));
        }
        Step::Accept => {}
        _ => {
            authorize(principal, Action::Rectify)?;
            in_scope(principal, &x.department)?;
        }
    }
    rectify_as(state, &account.id, x, step, text, state.now()).await
}

/// Takes a rectification one step as `actor` at `now`, who may (checked by the caller).
async fn rectify_as(
    state: &App,
    actor: &str,
    x: RectificationRow,
    step: Step,
    text: &str,
    now: jiff::Timestamp,
) -> Result<RectificationRow, AppError> {
    let id = x.rectification_id;
    let actor = actor.to_owned();
    let from = Stage::parse(&x.stage).ok_or_else(|| AppError::Internal(format!("stage {:?}", x.stage)))?;
    let to = rectification::advance(from, step, text)?;
    let number = CaseNumber::parse(&x.case_number).map_err(|e| AppError::Internal(e.to_string()))?;
    // The feedback answers the bad rating in the case's history too, when it waits for one.
    let answer = if step == Step::FeedBack {
        let (case, item) = crate::case_and_item(state, &number).await?;
        let calendar = state.calendar_of(&case.division);
        if case.takes(tongban_core::case::CaseCommandKind::AnswerRating, &actor) {
            let command = CaseCommand::AnswerRating { answer: text.trim().to_owned() };
            let events = case.handle(&command, &Context { now, calendar: &calendar, item: &item, actor: &actor })?;
            let mut after = case.clone();
            for e in &events {
                after.apply(e, now);
            }
            Some((case.version, after, events, item, calendar))
        } else {
            None
        }
    } else {
        None
    };
    let text = text.trim().to_owned();
    let answer_days = state.ratings.rectification_days;
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                let moved = tongban_store::advance_rectification(
                    conn,
                    id,
                    from.as_str(),
                    to.as_str(),
                    step.as_str(),
                    &text,
                    &actor,
                    now,
                )
                .await?;
                if !moved {
                    return Err(AppError::Conflict(format!("rectification {id} changed meanwhile")));
                }
                if let Some((expected, after, events, item, calendar)) = &answer {
                    append_events(conn, *expected, after, events, &actor, now, None).await?;
                    concerns::note_case(conn, after, item, calendar, &[], None, (answer_days, now)).await?;
                }
                let detail = serde_json::json!({ "step": step.as_str(), "stage": to.as_str(), "text": text });
                append_audit(conn, now, &actor, "rating.rectify", &id.to_string(), &detail.to_string()).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.store.rectification_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("rectification {id}")))
}

/// 申诉 — the rating's department appeals it with reasons: it stays in the figures until a
/// supervisor upholds the appeal.
pub async fn appeal_rating(
    state: &App,
    principal: &Principal,
    rating_id: i64,
    reasons: &str,
) -> Result<AppealRow, AppError> {
    authorize(principal, Action::Rectify)?;
    let account = principal.require()?.clone();
    if !matches!(account.role, Role::DepartmentHead | Role::Approver) {
        return Err(AppError::Forbidden("a department's head or approver appeals a rating".into()));
    }
    let rating = state
        .store
        .rating_by_id(rating_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("rating {rating_id} does not exist")))?;
    in_scope(principal, &rating.attribution.department)?;
    let before = state.store.appeals_of_rating(rating_id).await?.len();
    appeal::check_appeal(before, reasons)?;
    appeal_as(state, &account.id, &rating, reasons, state.now()).await
}

/// Records an appeal by `by` at `now` (who may, checked by the caller).
async fn appeal_as(
    state: &App,
    by: &str,
    rating: &RatingRow,
    reasons: &str,
    now: jiff::Timestamp,
) -> Result<AppealRow, AppError> {
    let before = state.store.appeals_of_rating(rating.rating_id).await?.len();
    appeal::check_appeal(before, reasons)?;
    let rating_id = rating.rating_id;
    let by = by.to_owned();
    let department = rating.attribution.department.clone();
    let reasons = reasons.trim().to_owned();
    let id = state
        .store
        .write(move |conn| {
            Box::pin(async move {
                let id = tongban_store::insert_appeal(conn, rating_id, &department, &reasons, &by, now).await?;
                let detail = serde_json::json!({ "rating": rating_id, "reasons": reasons });
                append_audit(conn, now, &by, "rating.appeal", &id.to_string(), &detail.to_string()).await?;
                Ok::<_, AppError>(id)
            })
        })
        .await?;
    state.store.appeal_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("appeal {id}")))
}

/// 复核 — a supervisor upholds (the rating leaves the figures) or rejects an appeal.
pub async fn review_appeal(
    state: &App,
    principal: &Principal,
    appeal_id: i64,
    verdict: Verdict,
    note: &str,
) -> Result<AppealRow, AppError> {
    authorize(principal, Action::ReviewAppeal)?;
    let account = principal.require()?.clone();
    let current = state
        .store
        .appeal_by_id(appeal_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("appeal {appeal_id} does not exist")))?;
    let now_verdict = Verdict::parse(&current.verdict).unwrap_or(Verdict::Pending);
    appeal::check_review(now_verdict, verdict, note)?;
    review_as(state, &account.id, appeal_id, verdict, note, state.now()).await
}

/// Records a review by `by` at `now` (who may, checked by the caller).
async fn review_as(
    state: &App,
    by: &str,
    appeal_id: i64,
    verdict: Verdict,
    note: &str,
    now: jiff::Timestamp,
) -> Result<AppealRow, AppError> {
    let by = by.to_owned();
    let note = note.trim().to_owned();
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !tongban_store::review_appeal(conn, appeal_id, verdict.as_str(), &note, &by, now).await? {
                    return Err(AppError::Conflict(format!("appeal {appeal_id} was reviewed meanwhile")));
                }
                let detail = serde_json::json!({ "verdict": verdict.as_str(), "note": note });
                append_audit(conn, now, &by, "rating.review_appeal", &appeal_id.to_string(), &detail.to_string())
                    .await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.store.appeal_by_id(appeal_id).await?.ok_or_else(|| AppError::NotFound(format!("appeal {appeal_id}")))
}

/// Appeals of one verdict (all when none), newest first, for overseers and department staff
/// (their department's).
pub async fn appeals(state: &App, principal: &Principal, verdict: Option<Verdict>) -> Result<Vec<AppealRow>, AppError> {
    authorize(principal, Action::ReadSupervision)?;
    let all = state.store.appeals(verdict.map(Verdict::as_str), 200).await?;
    Ok(all.into_iter().filter(|a| in_scope(principal, &a.department).is_ok()).collect())
}

/// What the satisfaction figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// 窗口.
    Window,
    /// 部门.
    Department,
    /// 工作人员.
    Staff,
    /// 事项.
    Item,
    /// 办事地点 (the main hall, a 分中心).
    Site,
}

impl By {
    /// All groupings.
    pub const ALL: [By; 5] = [Self::Window, Self::Department, Self::Staff, Self::Item, Self::Site];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Department => "department",
            Self::Staff => "staff",
            Self::Item => "item",
            Self::Site => "site",
        }
    }

    /// Parses a name.
    pub fn parse(text: &str) -> Result<By, AppError> {
        Self::ALL.into_iter().find(|b| b.as_str() == text.trim()).ok_or_else(|| {
            AppError::BadParameter(format!("by must be window, department, staff, item or site, not {text:?}"))
        })
    }

    fn key(self, r: &RatingRow) -> Option<String> {
        match self {
            Self::Window => r.attribution.window.clone(),
            Self::Department => Some(r.attribution.department.clone()),
            Self::Staff => r.attribution.staff.clone(),
            Self::Item => Some(r.item.clone()),
            Self::Site => r.attribution.site.clone(),
        }
    }
}

/// One row of the satisfaction figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionRow {
    /// The window's, department's, staff member's, item's or site's code.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Ratings counted.
    pub rated: u64,
    /// Of those, 基本满意 or better.
    pub satisfied: u64,
    /// 满意率, satisfied / rated (0–1).
    pub rate: f64,
    /// Average score (1–5).
    pub average: f64,
}

/// 满意度 — satisfaction of the ratings given in `[from, to)` that count (an upheld appeal
/// excludes one), grouped `by` whom they count for. A rating not attributable to a window,
/// staff member or site (a case no staff member owned) is left out of those groupings only.
/// With a principal, it must be allowed to read figures, and a department head sees their
/// department's rows; without one the caller has authorised (the published figures, the
/// assessment).
pub async fn satisfaction(
    state: &App,
    principal: Option<&Principal>,
    from: jiff::Timestamp,
    to: jiff::Timestamp,
    by: By,
) -> Result<Vec<SatisfactionRow>, AppError> {
    let scope = match principal {
        Some(p) => {
            authorize(p, Action::ReadFigures)?;
            let a = p.require()?;
            Some(Scope::of(a.role, a.department.as_ref()))
        }
        None => None,
    };
    let ratings = state.store.counted_ratings_between(from, to).await?;
    let visible = ratings.iter().filter(|r| match &scope {
        None | Some(Scope::Center) => true,
        Some(Scope::Department(d)) => d.as_str() == r.attribution.department,
        Some(_) => false,
    });
    let tallies = tally(visible.filter_map(|r| Some((by.key(r)?, Level::from_score(r.score).ok()?))));
    let names: HashMap<String, String> = state.store.names_for(by.as_str()).await?.into_iter().collect();
    Ok(tallies
        .into_iter()
        .map(|(key, t)| SatisfactionRow {
            name: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
            key,
            rated: t.rated,
            satisfied: t.satisfied,
            rate: t.rate().unwrap_or(0.0),
            average: t.average().unwrap_or(0.0),
        })
        .collect())
}

/// The published monthly satisfaction of the center: (month, counts of scores 1–5), oldest
/// first, counted ratings only.
pub async fn monthly_satisfaction(state: &App) -> Result<Vec<(String, [u64; 5])>, AppError> {
    let mut out: Vec<(String, [u64; 5])> = Vec::new();
    for (month, score, n) in state.store.rating_counts_by_month().await? {
        if out.last().is_none_or(|(m, _)| *m != month) {
            out.push((month.clone(), [0; 5]));
        }
        if let (Some((_, counts)), Some(slot)) = (out.last_mut(), usize::from(score).checked_sub(1))
            && let Some(c) = counts.get_mut(slot)
        {
            *c += n;
        }
    }
    Ok(out)
}

/// The supervision worker's watch on rectifications: a rectification carried over without
/// a deadline gets one; one overdue (not fed back by its deadline) raises a `rating` alert
/// and opens accountability, exactly once. Returns how many were found overdue.
pub async fn watch_rectifications(state: &App, now: jiff::Timestamp) -> Result<usize, AppError> {
    let mut overdue = 0;
    for x in state.store.rectifications_to_watch(now).await? {
        let due = match x.due_at {
            Some(d) => d,
            None => {
                let Ok(number) = CaseNumber::parse(&x.case_number) else { continue };
                let Some(case) = state.store.case_by_number(&number).await? else { continue };
                let calendar = state.calendar_of(&case.division);
                let due = rectification::due(&calendar, x.opened_at, state.ratings.rectification_days)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                state
                    .store
                    .write(move |conn| {
                        Box::pin(
                            async move { tongban_store::set_rectification_due(conn, x.rectification_id, due).await },
                        )
                    })
                    .await?;
                due
            }
        };
        let stage = Stage::parse(&x.stage).unwrap_or(Stage::Opened);
        if !rectification::is_overdue(stage, due, now) {
            continue;
        }
        if raise_overdue(state, &x, due, now).await? {
            overdue += 1;
        }
    }
    Ok(overdue)
}

/// Marks one rectification overdue and, the first time only, raises its alert and opens its
/// accountability record, in one transaction.
async fn raise_overdue(
    state: &App,
    x: &RectificationRow,
    due: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Result<bool, AppError> {
    let number = CaseNumber::parse(&x.case_number).map_err(|e| AppError::Internal(e.to_string()))?;
    let owner = state.store.case_by_number(&number).await?.map(|c| c.owner).unwrap_or_default();
    let id = x.rectification_id;
    let case_number = x.case_number.clone();
    let department = x.department.clone();
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !tongban_store::mark_rectification_overdue(conn, id, now).await? {
                    return Ok::<_, AppError>(false);
                }
                let kind =
                    AlertKind::parse(rectification::ALERT_KIND).map_err(|e| AppError::Internal(e.to_string()))?;
                let alert = AlertRow {
                    case_number: case_number.clone(),
                    kind: kind.clone(),
                    colour: Colour::Red,
                    since: due,
                    owner: owner.clone(),
                    department: department.clone(),
                    raised_at: now,
                    level: AlertLevel::Owner,
                    escalated_at: None,
                    responsible: None,
                };
                tongban_store::insert_alert(conn, &alert).await?;
                let record = AccountabilityRow {
                    case_number: case_number.clone(),
                    kind,
                    since: due,
                    department: department.clone(),
                    owner,
                    first_responsible: None,
                    state: AccountabilityState::Open,
                    opened_at: now,
                    answer: None,
                    answered_by: None,
                    answered_at: None,
                    conclusion: None,
                    closed_by: None,
                    closed_at: None,
                };
                tongban_store::insert_accountability(conn, &record).await?;
                let detail = serde_json::json!({ "rectification": id, "due": tongban_store::format_ts(due) });
                append_audit(conn, now, "system", "rating.overdue", &case_number, &detail.to_string()).await?;
                Ok(true)
            })
        })
        .await
}

/// A case's ratings and rectifications, for whoever may see the case.
pub async fn of_case(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<(Vec<RatingRow>, Vec<RectificationRow>), AppError> {
    crate::visible_case(state, principal, number).await?;
    Ok((
        state.store.ratings_of_case(number.as_str()).await?,
        state.store.rectifications_of_case(number.as_str()).await?,
    ))
}

/// The start of the month (China Standard Time) `now` falls in.
pub fn month_start(now: jiff::Timestamp) -> jiff::Timestamp {
    let date = tongban_core::calendar::local_date(now).first_of_month();
    date.to_zoned(tongban_core::calendar::CHINA_STANDARD_TIME.to_time_zone()).map_or(now, |z| z.timestamp())
}

/// Bulk loading (the demo center, imports of histories): gives every rating recorded in a
/// case's history without a row of its own one, attributed by core's rule, with the
/// rectification a bad one opens. Returns how many.
pub async fn carry_over(state: &App, principal: &Principal) -> Result<usize, AppError> {
    authorize(principal, Action::BulkLoad)?;
    let mut done = 0;
    for (number, rater, at, score, channel) in state.store.unrecorded_ratings().await? {
        let Ok(number) = CaseNumber::parse(&number) else { continue };
        let (case, item) = crate::case_and_item(state, &number).await?;
        let channel = channel.unwrap_or_else(|| RatingChannel::of_case(case.channel));
        let Ok(level) = Level::from_score(score) else { continue };
        let calendar = state.calendar_of(&case.division);
        let row = RatingRow {
            rating_id: 0,
            case_number: number.to_string(),
            channel: channel.as_str().to_owned(),
            score,
            comment: String::new(),
            rater,
            rated_at: at,
            attribution: attribution_of(state, &number, item.department.as_str()).await?,
            item: item.code.to_string(),
            excluded: false,
        };
        let due = if level.is_bad() {
            Some(
                rectification::due(&calendar, at, state.ratings.rectification_days)
                    .map_err(tongban_core::rating::RatingError::from)?,
            )
        } else {
            None
        };
        let month = tongban_core::supervision::month_of(at);
        state
            .store
            .write(move |conn| {
                Box::pin(async move {
                    let id = tongban_store::insert_rating(conn, &row, &month).await?;
                    if let Some(due) = due {
                        tongban_store::insert_rectification(
                            conn,
                            id,
                            &row.case_number,
                            &row.attribution.department,
                            score,
                            at,
                            due,
                        )
                        .await?;
                    }
                    Ok::<_, AppError>(())
                })
            })
            .await?;
        done += 1;
    }
    Ok(done)
}

/// Bulk loading: a rectification step taken by `actor` at `at`.
pub async fn load_step(
    state: &App,
    principal: &Principal,
    id: i64,
    step: Step,
    text: &str,
    actor: &str,
    at: jiff::Timestamp,
) -> Result<RectificationRow, AppError> {
    authorize(principal, Action::BulkLoad)?;
    let x =
        state.store.rectification_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("rectification {id}")))?;
    if step == Step::Rerate {
        let rating = state.store.rating_by_id(x.rating_id).await?.ok_or_else(|| AppError::NotFound("rating".into()))?;
        let number = CaseNumber::parse(&x.case_number).map_err(|e| AppError::Internal(e.to_string()))?;
        let channel = RatingChannel::parse(&rating.channel)?;
        rate_as(state, actor, &number, channel, 4, text, at).await?;
        return state
            .store
            .rectification_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("rectification {id}")));
    }
    rectify_as(state, actor, x, step, text, at).await
}

/// Bulk loading: an appeal by `by` at `at`, reviewed by `reviewer` with `verdict` at `reviewed`.
#[expect(clippy::too_many_arguments, reason = "one appeal and its review, all recorded")]
pub async fn load_appeal(
    state: &App,
    principal: &Principal,
    rating_id: i64,
    reasons: &str,
    by: &str,
    reviewer: &str,
    verdict: Verdict,
    note: &str,
    at: jiff::Timestamp,
) -> Result<AppealRow, AppError> {
    authorize(principal, Action::BulkLoad)?;
    let rating = state.store.rating_by_id(rating_id).await?.ok_or_else(|| AppError::NotFound("rating".into()))?;
    let a = appeal_as(state, by, &rating, reasons, at).await?;
    review_as(state, reviewer, a.appeal_id, verdict, note, at).await
}

/// One rating, for bulk loading.
pub async fn rating_of(state: &App, id: i64) -> Result<RatingRow, AppError> {
    state.store.rating_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("rating {id} does not exist")))
}

/// The rectifications of the principal's own ratings (what the departments told them).
pub async fn rectifications_of_rater(state: &App, principal: &Principal) -> Result<Vec<RectificationRow>, AppError> {
    let account = principal.require()?;
    Ok(state.store.rectifications_of_rater(&account.id).await?)
}

/// The appeals of a rating, for whoever may see its rectification.
pub async fn appeals_of(state: &App, principal: &Principal, rating_id: i64) -> Result<Vec<AppealRow>, AppError> {
    principal.require()?;
    Ok(state.store.appeals_of_rating(rating_id).await?)
}
