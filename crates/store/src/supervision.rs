//! Supervision tables: alerts (raised once per colour change), their escalation,
//! accountability records (问责), rules, and the reads the supervision worker needs.

use crate::Conn;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row as _;
use tongban_core::case::Case;
use tongban_core::supervision::{AccountabilityState, AlertKind, Colour, Level, Rule, RuleBook};

use crate::{Store, StoreError, format_ts, parse_ts};

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRow {
    /// Case.
    pub case_number: String,
    /// What is watched: the due time, the owner's act-by time, a hand-over offer, ….
    pub kind: AlertKind,
    /// Yellow (预警) or red (超期).
    pub colour: Colour,
    /// When the colour began.
    pub since: Timestamp,
    /// The case owner when raised.
    pub owner: String,
    /// The item's department.
    pub department: String,
    /// When raised.
    pub raised_at: Timestamp,
    /// Who has been told so far.
    pub level: Level,
    /// When last escalated.
    pub escalated_at: Option<Timestamp>,
    /// The 审批第一责任人 named when the alert reached its last level.
    pub responsible: Option<String>,
}

/// Raises an alert unless this very change was raised before; returns whether it is new.
pub async fn insert_alert(conn: &mut Conn, a: &AlertRow) -> Result<bool, StoreError> {
    let r = conn
        .query(
            "insert into alert (case_number, kind, colour, since, owner, department_code, raised_at, level) \
         values ($1, $7, $2, $3, $4, $5, $6, 'owner') on conflict (case_number, kind, colour, since) do nothing",
        )
        .bind(&a.case_number)
        .bind(a.colour.as_str())
        .bind(format_ts(a.since))
        .bind(&a.owner)
        .bind(&a.department)
        .bind(format_ts(a.raised_at))
        .bind(a.kind.as_str())
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The 审批第一责任人 of an item, in SQL: the item's own if named, else its department's if
/// named, else its department's head (the first enabled one by login). `item` and
/// `department` are SQL expressions naming the item code and its department code.
pub(crate) fn first_responsible_of(item: &str, department: &str) -> String {
    format!(
        "coalesce((select f.account_id from first_responsible f where f.item_code = {item}), \
           (select d.first_responsible from department d where d.department_code = {department}), \
           (select min(a.account_id) from account a where a.department_code = {department} and a.disabled = 0 \
            and a.kind = 'staff' and (a.position = 'head' or a.role = 'department_head')))"
    )
}

/// The 审批第一责任人 of the case numbered by the placeholder `case`.
fn first_responsible_sql(case: &str) -> String {
    format!(
        "(select {} from service_case c join item i on i.item_code = c.item_code and i.version = c.item_version \
         where c.case_number = {case})",
        first_responsible_of("i.item_code", "i.department_code")
    )
}

/// Names `login` the 审批第一责任人 of `department`, or (none) goes back to its head.
pub async fn set_department_first_responsible(
    conn: &mut Conn,
    department: &str,
    login: Option<&str>,
) -> Result<(), StoreError> {
    conn.query("update department set first_responsible = $1 where department_code = $2")
        .bind(login.map(str::to_owned))
        .bind(department)
        .execute()
        .await?;
    Ok(())
}

/// Moves the alert of `case` turning `colour` at `since` up to `level`.
/// Moves the alert of `case` (`kind`) turning `colour` at `since` up to `level`; the last
/// level names the case's 审批第一责任人.
pub async fn escalate_alert(
    conn: &mut Conn,
    case: &str,
    kind: &AlertKind,
    colour: Colour,
    since: Timestamp,
    level: Level,
    at: Timestamp,
) -> Result<(), StoreError> {
    let responsible = if level == Level::Supervisor { first_responsible_sql("$3") } else { "null".to_owned() };
    conn.query(&format!(
        "update alert set level = $1, escalated_at = $2, responsible = {responsible} \
         where case_number = $3 and colour = $4 and since = $5 and kind = $6"
    ))
    .bind(level.as_str())
    .bind(format_ts(at))
    .bind(case)
    .bind(colour.as_str())
    .bind(format_ts(since))
    .bind(kind.as_str())
    .execute()
    .await?;
    Ok(())
}

/// An accountability record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountabilityRow {
    /// Case.
    pub case_number: String,
    /// The watch that opened it (its alert's kind).
    pub kind: AlertKind,
    /// When it turned red.
    pub since: Timestamp,
    /// Department that must answer.
    pub department: String,
    /// Owner when it turned red.
    pub owner: String,
    /// The department's (or the item's) 审批第一责任人 when opened.
    pub first_responsible: Option<String>,
    /// Open, answered or closed.
    pub state: AccountabilityState,
    /// Opened at.
    pub opened_at: Timestamp,
    /// The department's answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    pub answered_at: Option<Timestamp>,
    /// The supervisor's conclusion.
    pub conclusion: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<Timestamp>,
}

/// Opens an accountability record unless one exists for this red change.
pub async fn insert_accountability(conn: &mut Conn, a: &AccountabilityRow) -> Result<bool, StoreError> {
    let r = conn
        .query(
            &format!(
            "insert into accountability (case_number, since, department_code, owner, state, opened_at, kind, \
             first_responsible) values ($1, $2, $3, $4, 'open', $5, $6, {}) on conflict (case_number, since) do nothing",
            first_responsible_sql("$1")
        ),
        )
        .bind(&a.case_number)
        .bind(format_ts(a.since))
        .bind(&a.department)
        .bind(&a.owner)
        .bind(format_ts(a.opened_at))
        .bind(a.kind.as_str())
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Saves an accountability record's answer or closure (state checked by core beforehand).
pub async fn update_accountability(conn: &mut Conn, a: &AccountabilityRow) -> Result<(), StoreError> {
    conn.query(
        "update accountability set state = $1, answer = $2, answered_by = $3, answered_at = $4, conclusion = $5, \
         closed_by = $6, closed_at = $7 where case_number = $8 and since = $9",
    )
    .bind(a.state.as_str())
    .bind(a.answer.clone())
    .bind(a.answered_by.clone())
    .bind(a.answered_at.map(format_ts))
    .bind(a.conclusion.clone())
    .bind(a.closed_by.clone())
    .bind(a.closed_at.map(format_ts))
    .bind(&a.case_number)
    .bind(format_ts(a.since))
    .execute()
    .await?;
    Ok(())
}

/// A stored moment of `table`'s column `column`, read back.
fn moment(r: &sqlx::any::AnyRow, table: &'static str, column: &str) -> Result<Timestamp, StoreError> {
    parse_ts(table, &r.try_get::<String, _>(column)?)
}

/// A stored moment that may be missing.
fn maybe_moment(r: &sqlx::any::AnyRow, table: &'static str, column: &str) -> Result<Option<Timestamp>, StoreError> {
    r.try_get::<Option<String>, _>(column)?.map(|t| parse_ts(table, &t)).transpose()
}

/// A stored alert kind read back.
fn kind(r: &sqlx::any::AnyRow, table: &'static str) -> Result<AlertKind, StoreError> {
    AlertKind::parse(&r.try_get::<String, _>("kind")?).map_err(|e| StoreError::corrupt(table, e))
}

/// A stored name read back as one of `all`, by its `as_str`.
fn named<T: Copy>(all: &[T], name_of: fn(T) -> &'static str, table: &'static str, text: &str) -> Result<T, StoreError> {
    all.iter().copied().find(|v| name_of(*v) == text).ok_or_else(|| StoreError::corrupt(table, format!("{text:?}")))
}

/// Sets a rule: scope `center` (key `-`), `department` or `item`.
pub async fn set_rule(conn: &mut Conn, scope: &str, key: &str, rule: &Rule) -> Result<(), StoreError> {
    conn.query("delete from supervision_rule where scope = $1 and scope_key = $2")
        .bind(scope)
        .bind(key)
        .execute()
        .await?;
    conn.query(
        "insert into supervision_rule (scope, scope_key, used_percent, remaining_minutes) values ($1, $2, $3, $4)",
    )
    .bind(scope)
    .bind(key)
    .bind(i64::from(rule.used_percent()))
    .bind(i64::from(rule.remaining_minutes()))
    .execute()
    .await?;
    Ok(())
}

/// A case with its item's department, as the worker tracks it.
#[derive(Debug, Clone)]
pub struct TrackedCase {
    /// The case.
    pub case: Case,
    /// Its item's department.
    pub department: String,
}

fn tracked(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<TrackedCase>, StoreError> {
    rows.iter()
        .map(|r| {
            let snapshot: String = r.try_get("snapshot")?;
            Ok(TrackedCase {
                case: serde_json::from_str(&snapshot).map_err(|e| StoreError::corrupt("service_case", e))?,
                department: r.try_get("department_code")?,
            })
        })
        .collect()
}

const TRACKED: &str = "select c.snapshot, i.department_code from service_case c \
    join item i on i.item_code = c.item_code and i.version = c.item_version";

impl Store {
    /// Every running case (accepted, in process, suspended).
    pub async fn running_cases(&self) -> Result<Vec<TrackedCase>, StoreError> {
        let rows = sqlx::query(&format!("{TRACKED} where c.state in ('accepted', 'in_process', 'suspended')"))
            .fetch_all(self.reader())
            .await?;
        tracked(rows)
    }

    /// Every case the owner still has to act on: running, waiting at the window, or decided
    /// and not yet delivered (the first-contact watches).
    pub async fn open_cases(&self) -> Result<Vec<TrackedCase>, StoreError> {
        let rows = sqlx::query(&format!(
            "{TRACKED} where c.state in ('submitted', 'correction_requested', 'accepted', 'in_process', 'suspended', \
             'approved', 'denied')"
        ))
        .fetch_all(self.reader())
        .await?;
        tracked(rows)
    }

    /// The 审批第一责任人 of an item (its latest version): its own, else its department's,
    /// else the department's head; none when the department has no head.
    pub async fn item_first_responsible(&self, item: &str) -> Result<Option<String>, StoreError> {
        let sql = format!(
            "select {} from item i where i.item_code = $1 order by i.version desc limit 1",
            first_responsible_of("i.item_code", "i.department_code")
        );
        Ok(sqlx::query_scalar::<_, Option<String>>(&sql).bind(item).fetch_optional(self.reader()).await?.flatten())
    }

    /// The login a department names its 审批第一责任人 (none: its head).
    pub async fn department_first_responsible(&self, department: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "select first_responsible from department where department_code = $1",
        )
        .bind(department)
        .fetch_optional(self.reader())
        .await?
        .flatten())
    }

    /// Every case (for figures).
    pub async fn all_cases(&self) -> Result<Vec<TrackedCase>, StoreError> {
        tracked(sqlx::query(TRACKED).fetch_all(self.reader()).await?)
    }

    /// The highest event id so far (0 when none).
    pub async fn last_event_id(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("select coalesce(max(event_id), 0) from event").fetch_one(self.reader()).await?)
    }

    /// Cases with events after `event_id`, and the highest event id seen.
    pub async fn cases_changed_since(&self, event_id: i64) -> Result<(i64, Vec<TrackedCase>), StoreError> {
        let last = self.last_event_id().await?;
        if last <= event_id {
            return Ok((event_id, Vec::new()));
        }
        let rows = sqlx::query(&format!(
            "{TRACKED} where c.case_number in (select case_number from event where event_id > $1 and event_id <= $2)"
        ))
        .bind(event_id)
        .bind(last)
        .fetch_all(self.reader())
        .await?;
        Ok((last, tracked(rows)?))
    }

    /// The rule book: stored rules over `default` for the center.
    pub async fn rule_book(&self, default: Rule) -> Result<RuleBook, StoreError> {
        let rows: Vec<(String, String, i64, i64)> =
            sqlx::query_as("select scope, scope_key, used_percent, remaining_minutes from supervision_rule")
                .fetch_all(self.reader())
                .await?;
        let mut book = RuleBook::new(default);
        for (scope, key, used, remaining) in rows {
            let rule = Rule::new(u8::try_from(used).unwrap_or(80), u32::try_from(remaining).unwrap_or(0))
                .map_err(|e| StoreError::corrupt("supervision_rule", e))?;
            match scope.as_str() {
                "center" => book.center = rule,
                "department" => {
                    if let Ok(d) = tongban_core::org::DepartmentCode::parse(&key) {
                        book.departments.insert(d, rule);
                    }
                }
                _ => {
                    if let Ok(i) = tongban_core::item::ItemCode::parse(&key) {
                        book.items.insert(i, rule);
                    }
                }
            }
        }
        Ok(book)
    }

    /// Alerts, newest first (at most `limit`).
    pub async fn alerts(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "select case_number, kind, colour, since, owner, department_code, raised_at, level, escalated_at, responsible \
             from alert \
             order by raised_at desc, alert_id desc limit {}",
            limit.min(10_000)
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AlertRow {
                    case_number: r.try_get("case_number")?,
                    kind: kind(r, "alert")?,
                    colour: named(&Colour::ALL, Colour::as_str, "alert", &r.try_get::<String, _>("colour")?)?,
                    since: moment(r, "alert", "since")?,
                    owner: r.try_get("owner")?,
                    department: r.try_get("department_code")?,
                    raised_at: moment(r, "alert", "raised_at")?,
                    level: named(&Level::ALL, Level::as_str, "alert", &r.try_get::<String, _>("level")?)?,
                    escalated_at: maybe_moment(r, "alert", "escalated_at")?,
                    responsible: r.try_get("responsible")?,
                })
            })
            .collect()
    }

    /// Alerts not yet at the top level, oldest first (for escalation).
    pub async fn alerts_to_escalate(&self) -> Result<Vec<AlertRow>, StoreError> {
        Ok(self.alerts(10_000).await?.into_iter().filter(|a| a.level != Level::Supervisor).collect())
    }

    /// Accountability records, newest first.
    pub async fn accountability(&self) -> Result<Vec<AccountabilityRow>, StoreError> {
        let rows = sqlx::query(
            "select case_number, kind, since, department_code, owner, first_responsible, state, opened_at, answer, \
             answered_by, answered_at, conclusion, closed_by, closed_at from accountability order by opened_at desc",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                Ok(AccountabilityRow {
                    case_number: r.try_get("case_number")?,
                    kind: kind(r, "accountability")?,
                    since: moment(r, "accountability", "since")?,
                    department: r.try_get("department_code")?,
                    owner: r.try_get("owner")?,
                    first_responsible: r.try_get("first_responsible")?,
                    state: AccountabilityState::parse(&state)
                        .ok_or_else(|| StoreError::corrupt("accountability", format!("state {state:?}")))?,
                    opened_at: moment(r, "accountability", "opened_at")?,
                    answer: r.try_get("answer")?,
                    answered_by: r.try_get("answered_by")?,
                    answered_at: maybe_moment(r, "accountability", "answered_at")?,
                    conclusion: r.try_get("conclusion")?,
                    closed_by: r.try_get("closed_by")?,
                    closed_at: maybe_moment(r, "accountability", "closed_at")?,
                })
            })
            .collect()
    }

    /// Cases per state.
    pub async fn cases_by_state(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as("select state, count(*) from service_case group by state order by state")
            .fetch_all(self.reader())
            .await?)
    }
}
