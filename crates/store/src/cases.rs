//! Cases: the `service_case` projection and the append-only `event` log, written together
//! in one transaction, and case numbers allocated without collisions.

use crate::Conn;
use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use tongban_core::case::{Case, CaseEvent, CaseNumber, CaseState};
use tongban_core::division::DivisionCode;
use tongban_core::item::ItemCode;

use crate::catalog::{Page, json};
use crate::{Store, StoreError, format_ts, parse_ts};

/// Allocates the next case number of `division` in `year`, never the same twice.
///
/// SQLite: a counter row, updated inside the single writer, so numbers have no gaps (a
/// rolled-back write returns its number). PostgreSQL: a sequence per division and year, so
/// concurrent submissions do not queue on one counter row until they commit; a rolled-back
/// transaction leaves a gap, which the numbering allows (numbers are unique, not dense).
pub async fn allocate_case_number(
    conn: &mut Conn,
    division: &DivisionCode,
    year: i16,
) -> Result<CaseNumber, StoreError> {
    let last: i64 = if conn.is_postgres() {
        next_in_sequence(conn, division, year).await?
    } else {
        conn.query(
            "insert into case_sequence (division_code, year, last) values ($1, $2, 1) \
             on conflict (division_code, year) do update set last = case_sequence.last + 1 returning last",
        )
        .bind(division.as_str())
        .bind(i64::from(year))
        .scalar()
        .await?
    };
    let seq = u64::try_from(last).map_err(|e| StoreError::corrupt("case_sequence", e))?;
    Ok(CaseNumber::new(division, year, seq))
}

/// `nextval` of the division's sequence for the year, created on first use.
async fn next_in_sequence(conn: &mut Conn, division: &DivisionCode, year: i16) -> Result<i64, StoreError> {
    // One round trip; the function (migration 0006) creates the sequence on first use.
    conn.query("select next_case_number($1, $2)").bind(division.as_str()).bind(i64::from(year)).scalar().await
}

/// What the published figures read of a case, decided by core when the case is written:
/// the months (China Standard Time) it was submitted and closed in, and for a delivered
/// case whether it kept its due time.
struct FigureFacts {
    submitted_month: String,
    closed_month: Option<String>,
    delivered_on_time: Option<i64>,
}

impl FigureFacts {
    fn of(case: &Case) -> Self {
        use tongban_core::supervision::month_of;
        Self {
            submitted_month: month_of(case.submitted_at),
            closed_month: case.closed_at.map(month_of),
            delivered_on_time: case.delivered_on_time().map(i64::from),
        }
    }
}

/// The `service_case` row of a new case, `$1`–`$21` (bound by [`bind_case_row`]).
const INSERT_CASE: &str = "insert into service_case (case_number, item_code, item_version, division_code, \
     applicant_name, applicant_id, channel, state, owner, version, submitted_at, accepted_at, due_at, decided_at, \
     closed_at, snapshot, priority, submitted_by, submitted_month, closed_month, delivered_on_time) values ($1, $2, \
     $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";

/// On PostgreSQL the case row and its first event go in one statement (one round trip
/// instead of two): the event, `$22`–`$28`, is inserted from the case row just inserted.
static INSERT_CASE_AND_EVENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "with c as ({INSERT_CASE} returning case_number) insert into event (case_number, seq, kind, actor, at, \
         payload, authority, hash) select case_number, $22, $23, $24, $25, $26, $27, $28 from c"
    )
});

/// The bare `service_case` row of [`insert_case`], written alone over a plain connection
/// outside any transaction: the raw baseline `tongban bench store` measures the store's
/// own path against. The same statement as [`insert_case`], so the two cannot drift apart.
pub async fn insert_case_row_raw(conn: &mut sqlx::AnyConnection, case: &Case) -> Result<(), StoreError> {
    let facts = FigureFacts::of(case);
    sqlx::query(INSERT_CASE)
        .bind(case.number.as_str())
        .bind(case.item.as_str())
        .bind(i64::from(case.item_version))
        .bind(case.division.as_str())
        .bind(case.applicant.name.clone())
        .bind(case.applicant.id_number.clone())
        .bind(case.channel.as_str())
        .bind(case.state.as_str())
        .bind(case.owner.clone())
        .bind(i64::from(case.version))
        .bind(format_ts(case.submitted_at))
        .bind(case.accepted_at.map(format_ts))
        .bind(case.due_at.map(format_ts))
        .bind(case.decided_at.map(format_ts))
        .bind(case.closed_at.map(format_ts))
        .bind(json(case))
        .bind(i64::from(case.priority))
        .bind(case.submitter.as_ref().map(|s| s.account.clone()))
        .bind(facts.submitted_month)
        .bind(facts.closed_month)
        .bind(facts.delivered_on_time)
        .execute(conn)
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("case {}", case.number)))?;
    Ok(())
}

/// Stores a new case and its first event, and answers the event's hash.
#[tracing::instrument(skip_all, fields(case.number = %case.number))]
pub async fn insert_case(conn: &mut Conn, case: &Case, first: &CaseEvent, actor: &str) -> Result<String, StoreError> {
    let together = conn.is_postgres();
    let sql = if together { INSERT_CASE_AND_EVENT.as_str() } else { INSERT_CASE };
    let facts = FigureFacts::of(case);
    let mut query = conn
        .query(sql)
        .bind(case.number.as_str())
        .bind(case.item.as_str())
        .bind(i64::from(case.item_version))
        .bind(case.division.as_str())
        .bind(&case.applicant.name)
        .bind(&case.applicant.id_number)
        .bind(case.channel.as_str())
        .bind(case.state.as_str())
        .bind(&case.owner)
        .bind(i64::from(case.version))
        .bind(format_ts(case.submitted_at))
        .bind(case.accepted_at.map(format_ts))
        .bind(case.due_at.map(format_ts))
        .bind(case.decided_at.map(format_ts))
        .bind(case.closed_at.map(format_ts))
        .bind(json(case))
        .bind(i64::from(case.priority))
        .bind(case.submitter.as_ref().map(|s| s.account.clone()))
        .bind(facts.submitted_month)
        .bind(facts.closed_month)
        .bind(facts.delivered_on_time);
    let row = EventRow::new(&case.number, 1, first, actor, case.submitted_at, None);
    if together {
        query = query
            .bind(1_i64)
            .bind(first.kind())
            .bind(actor)
            .bind(row.at.clone())
            .bind(row.payload.clone())
            .bind(None::<String>)
            .bind(row.hash.clone());
    }
    query.execute().await.map_err(|e| StoreError::on_unique(e, || format!("case {}", case.number)))?;
    if !together {
        row.insert(conn).await?;
    }
    Ok(row.hash)
}

/// Stores a new case, its first event and the `case.submit` audit entry naming the item,
/// the channel and the event's hash: submissions are in the audit chain like every act.
pub async fn insert_submitted_case(
    conn: &mut Conn,
    case: &Case,
    first: &CaseEvent,
    actor: &str,
) -> Result<(), StoreError> {
    let hash = insert_case(conn, case, first, actor).await?;
    // A phone given with a checked identity is on record for it (for one-time codes).
    if let (Some(phone), true) = (&case.applicant.phone, case.submitter.as_ref().is_some_and(|s| s.verified)) {
        conn.query(
            "insert into identity_phone (id_number, phone, recorded_at) values ($1, $2, $3) \
             on conflict (id_number, phone) do update set recorded_at = $3",
        )
        .bind(&case.applicant.id_number)
        .bind(phone.trim())
        .bind(format_ts(case.submitted_at))
        .execute()
        .await?;
    }
    let detail = serde_json::json!({ "item": case.item.as_str(), "channel": case.channel.as_str(), "events": [hash] })
        .to_string();
    crate::append_audit(conn, case.submitted_at, actor, "case.submit", case.number.as_str(), &detail).await
}

/// What [`Store::check_events`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventCheck {
    /// Event rows read.
    pub events: u64,
    /// Rows without a hash (written before hashes were kept).
    pub unhashed: u64,
    /// The first broken row or history, if any.
    pub first_bad: Option<String>,
}

/// An event row as written: its text fields exactly as stored, and their hash.
struct EventRow<'a> {
    number: &'a CaseNumber,
    seq: i64,
    kind: &'static str,
    actor: &'a str,
    at: String,
    payload: String,
    authority: Option<String>,
    hash: String,
}

impl<'a> EventRow<'a> {
    fn new(
        number: &'a CaseNumber,
        seq: i64,
        event: &CaseEvent,
        actor: &'a str,
        at: jiff::Timestamp,
        authority: Option<&[String]>,
    ) -> Self {
        let (at, payload, authority) = (format_ts(at), json(event), authority.map(|a| json(&a)));
        let hash = tongban_core::audit::event_hash(
            number.as_str(),
            u64::try_from(seq).unwrap_or(0),
            event.kind(),
            actor,
            &at,
            &payload,
            authority.as_deref(),
        );
        Self { number, seq, kind: event.kind(), actor, at, payload, authority, hash }
    }

    async fn insert(&self, conn: &mut Conn) -> Result<(), StoreError> {
        conn.query(
            "insert into event (case_number, seq, kind, actor, at, payload, authority, hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(self.number.as_str())
        .bind(self.seq)
        .bind(self.kind)
        .bind(self.actor)
        .bind(self.at.as_str())
        .bind(self.payload.as_str())
        .bind(self.authority.clone())
        .bind(self.hash.as_str())
        .execute()
        .await?;
        Ok(())
    }
}

/// Appends `events` to a case read at version `expected` and saves its new state `after`;
/// answers the events' hashes, for the audit entry of the act.
/// Fails with [`StoreError::Conflict`] if someone else changed the case since.
#[tracing::instrument(skip_all, fields(case.number = %after.number, case.version = expected))]
pub async fn append_events(
    conn: &mut Conn,
    expected: u32,
    after: &Case,
    events: &[CaseEvent],
    actor: &str,
    at: jiff::Timestamp,
    authority: Option<&[String]>,
) -> Result<Vec<String>, StoreError> {
    let facts = FigureFacts::of(after);
    let updated = conn
        .query(
            "update service_case set state = $1, owner = $2, version = $3, accepted_at = $4, due_at = $5, \
         decided_at = $6, closed_at = $7, snapshot = $8, calendar_revision = case when calendar_revision > $11 \
         then calendar_revision else $11 end, closed_month = $12, delivered_on_time = $13, pending_handover = $14 \
         where case_number = $9 and version = $10",
        )
        .bind(after.state.as_str())
        .bind(&after.owner)
        .bind(i64::from(after.version))
        .bind(after.accepted_at.map(format_ts))
        .bind(after.due_at.map(format_ts))
        .bind(after.decided_at.map(format_ts))
        .bind(after.closed_at.map(format_ts))
        .bind(json(after))
        .bind(after.number.as_str())
        .bind(i64::from(expected))
        .bind(i64::try_from(after.calendar_revision).unwrap_or(i64::MAX))
        .bind(facts.closed_month)
        .bind(facts.delivered_on_time)
        .bind(after.pending_handover.clone())
        .execute()
        .await?;
    if updated.rows_affected() != 1 {
        return Err(conflict(conn, after, expected).await);
    }
    let mut hashes = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let seq = i64::from(expected) + 1 + i64::try_from(i).unwrap_or(i64::MAX);
        let row = EventRow::new(&after.number, seq, event, actor, at, authority);
        row.insert(conn).await?;
        hashes.push(row.hash);
    }
    Ok(hashes)
}

/// Saves many cases whose due time alone moved, each with its one `due_recomputed` event
/// (a calendar import touches every running case). Each entry is (the version it was read
/// at, the case after the event, the event). Same effect and same [`StoreError::Conflict`]
/// as [`append_events`] once per entry, which is what SQLite does (in process, a statement
/// per row is cheaper than its plan for an update joined to a list of values); PostgreSQL
/// saves 200 cases per round trip instead of two round trips per case. The cases should be
/// locked ([`crate::lock_cases`]).
pub async fn append_due_changes(
    conn: &mut Conn,
    changes: &[(u32, &Case, &CaseEvent)],
    actor: &str,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    if !conn.is_postgres() {
        for (expected, after, event) in changes {
            append_events(conn, *expected, after, std::slice::from_ref(*event), actor, at, None).await?;
        }
        return Ok(());
    }
    let (moment, at) = (at, format_ts(at));
    for chunk in changes.chunks(200) {
        update_due_rows(conn, chunk).await?;
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 6;
                let at = chunk.len() * 6 + 1;
                format!("(${}, ${}, ${}, ${}, ${}, ${at}, null, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6)
            })
            .collect();
        // The last placeholder is the moment, shared by every row.
        let sql = format!(
            "insert into event (case_number, seq, kind, actor, payload, at, authority, hash) values {}",
            rows.join(", ")
        );
        let mut q = conn.query(&sql);
        for (expected, after, event) in chunk {
            let row = EventRow::new(&after.number, i64::from(*expected) + 1, event, actor, moment, None);
            q = q.bind(after.number.as_str()).bind(row.seq).bind(row.kind).bind(actor).bind(row.payload).bind(row.hash);
        }
        q.bind(at.as_str()).execute().await?;
    }
    Ok(())
}

/// The PostgreSQL half of [`append_due_changes`]: one update joined to a list of values.
async fn update_due_rows(conn: &mut Conn, chunk: &[(u32, &Case, &CaseEvent)]) -> Result<(), StoreError> {
    let values: Vec<String> = (0..chunk.len())
        .map(|i| {
            let b = i * 6;
            format!(
                "(${}::text, ${}::bigint, ${}::bigint, ${}::text, ${}::text, ${}::bigint)",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            )
        })
        .collect();
    let sql = format!(
        "with v (case_number, expected, version, due_at, snapshot, revision) as (values {}) \
         update service_case set version = v.version, due_at = v.due_at, snapshot = v.snapshot, \
         calendar_revision = greatest(service_case.calendar_revision, v.revision) \
         from v where service_case.case_number = v.case_number and service_case.version = v.expected",
        values.join(", ")
    );
    let mut q = conn.query(&sql);
    for (expected, after, _) in chunk {
        q = q
            .bind(after.number.as_str())
            .bind(i64::from(*expected))
            .bind(i64::from(after.version))
            .bind(after.due_at.map(format_ts))
            .bind(json(*after))
            .bind(i64::try_from(after.calendar_revision).unwrap_or(i64::MAX));
    }
    if q.execute().await?.rows_affected() == chunk.len() as u64 {
        return Ok(());
    }
    // Someone changed one of them meanwhile: name the first not at its new version.
    for (expected, after, _) in chunk {
        match conflict(conn, after, *expected).await {
            StoreError::Conflict { actual, .. } if actual == i64::from(after.version) => {}
            e => return Err(e),
        }
    }
    Ok(())
}

/// The conflict of a case not at version `expected` (naming the version it is at).
async fn conflict(conn: &mut Conn, case: &Case, expected: u32) -> StoreError {
    let actual: Result<Option<i64>, StoreError> = conn
        .query("select version from service_case where case_number = $1")
        .bind(case.number.as_str())
        .scalar_optional()
        .await;
    match actual {
        Ok(actual) => StoreError::Conflict {
            number: case.number.to_string(),
            expected: i64::from(expected),
            actual: actual.unwrap_or(0),
        },
        Err(e) => e,
    }
}

/// An event as recorded: its place in the case's history, who, when and what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedEvent {
    /// 1-based position in the case's history.
    pub seq: u32,
    /// Who caused it.
    pub actor: String,
    /// When.
    pub at: jiff::Timestamp,
    /// What happened.
    pub event: CaseEvent,
    /// The chain of grants (root first) the decision was taken under; empty when taken by
    /// office, none when no delegated power was needed.
    pub authority: Option<Vec<String>>,
}

/// A case as listed: its folded state.
pub type CaseRow = Case;

/// Filters for the case search. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Item.
    pub item: Option<ItemCode>,
    /// State.
    pub state: Option<CaseState>,
    /// Owner.
    pub owner: Option<String>,
    /// Applicant name or id number, exactly.
    pub applicant: Option<String>,
    /// Only the cases this applicant's account reaches ([`Case::reached_by`]).
    pub reached_by: Option<Reach>,
    /// Only cases of items of this department.
    pub department: Option<String>,
    /// Only cases due at or before this moment.
    pub due_before: Option<jiff::Timestamp>,
    /// 1-based page.
    pub page: u32,
    /// Rows per page (1–200).
    pub per_page: u32,
}

/// An applicant's account, and the identities it answers for (its verified own, the
/// enterprises it holds mandates of): whose cases it reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// Login of the account.
    pub account: String,
    /// ID numbers and credit codes.
    pub identities: Vec<String>,
}

fn case_from_snapshot(row: &AnyRow) -> Result<Case, StoreError> {
    let text: String = row.try_get("snapshot")?;
    serde_json::from_str(&text).map_err(|e| StoreError::corrupt("service_case", e))
}

impl Store {
    /// Stores a new case under the next number of `division` in `year`: `make` builds the
    /// case and its first event from the number (the core's [`Case::submit`]).
    ///
    /// One transaction: the number, the case row with its first event (one statement on
    /// PostgreSQL), and the `case.submit` audit entry ([`insert_submitted_case`]). A
    /// submission that must write more in the same transaction (an idempotent answer, say)
    /// goes through [`Store::write`] and [`insert_submitted_case`].
    pub async fn submit_case<E, M>(&self, division: DivisionCode, year: i16, actor: String, make: M) -> Result<Case, E>
    where
        M: FnOnce(CaseNumber) -> Result<(Case, CaseEvent), E> + Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write(move |conn| {
            Box::pin(async move {
                let number = allocate_case_number(conn, &division, year).await?;
                let (case, event) = make(number)?;
                insert_submitted_case(conn, &case, &event, &actor).await?;
                Ok(case)
            })
        })
        .await
    }

    /// [`Store::submit_case`] with the notices the submission causes (收件回执), written in
    /// the same transaction by one multi-row insert: `make` builds the case, its first
    /// event and its notices from the number.
    pub async fn submit_case_noting<E, M>(
        &self,
        division: DivisionCode,
        year: i16,
        actor: String,
        make: M,
    ) -> Result<Case, E>
    where
        M: FnOnce(CaseNumber) -> Result<(Case, CaseEvent, Vec<crate::NewNotice>), E> + Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write(move |conn| {
            Box::pin(async move {
                let number = allocate_case_number(conn, &division, year).await?;
                let (case, event, notices) = make(number)?;
                insert_submitted_case(conn, &case, &event, &actor).await?;
                crate::insert_notices(conn, &notices).await?;
                Ok(case)
            })
        })
        .await
    }

    /// A case's current state.
    #[tracing::instrument(skip_all, fields(case.number = %number))]
    pub async fn case_by_number(&self, number: &CaseNumber) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query("select snapshot from service_case where case_number = $1")
            .bind(number.as_str())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(case_from_snapshot).transpose()
    }

    /// A case's history, oldest first.
    #[tracing::instrument(skip_all, fields(case.number = %number))]
    pub async fn events_for_case(&self, number: &CaseNumber) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows =
            sqlx::query("select seq, actor, at, payload, authority from event where case_number = $1 order by seq")
                .bind(number.as_str())
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq")?;
                let at: String = r.try_get("at")?;
                let payload: String = r.try_get("payload")?;
                let authority: Option<String> = r.try_get("authority")?;
                Ok(RecordedEvent {
                    seq: u32::try_from(seq).map_err(|e| StoreError::corrupt("event", e))?,
                    actor: r.try_get("actor")?,
                    at: parse_ts("event", &at)?,
                    event: serde_json::from_str(&payload).map_err(|e| StoreError::corrupt("event", e))?,
                    authority: authority
                        .map(|a| serde_json::from_str(&a).map_err(|e| StoreError::corrupt("event", e)))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Cases matching `filter` as a queue: priority cases (绿色通道) first, then newest first.
    pub async fn cases(&self, filter: &CaseFilter) -> Result<Page<Case>, StoreError> {
        let per_page = filter.per_page.clamp(1, 200);
        let page = filter.page.max(1);
        let mut conditions = String::from("1 = 1");
        let mut binds: Vec<String> = Vec::new();
        for (column, value) in [
            ("item_code", filter.item.as_ref().map(ToString::to_string)),
            ("state", filter.state.map(|s| s.as_str().to_owned())),
            ("owner", filter.owner.clone()),
        ] {
            if let Some(v) = value {
                binds.push(v);
                conditions.push_str(&format!(" and {column} = ${}", binds.len()));
            }
        }
        if let Some(d) = &filter.department {
            // A department's cases: its items', and those handed over to its staff or offered
            // to one of them (无缝转接 across departments: the case moves with its owner).
            binds.push(d.clone());
            let n = binds.len();
            conditions.push_str(&format!(
                " and (item_code in (select item_code from item where department_code = ${n}) \
                 or owner in (select account_id from account where department_code = ${n}) \
                 or pending_handover in (select account_id from account where department_code = ${n}))"
            ));
        }
        if let Some(due) = filter.due_before {
            binds.push(format_ts(due));
            conditions.push_str(&format!(" and due_at <= ${}", binds.len()));
        }
        if let Some(reach) = &filter.reached_by {
            // Mirrors Case::reached_by: handed in by the account, or in the name of an
            // identity it answers for.
            binds.push(reach.account.clone());
            let mut either = vec![format!("submitted_by = ${}", binds.len())];
            for id in &reach.identities {
                binds.push(id.clone());
                either.push(format!("applicant_id = ${}", binds.len()));
            }
            conditions.push_str(&format!(" and ({})", either.join(" or ")));
        }
        if let Some(a) = &filter.applicant {
            binds.push(a.clone());
            let n = binds.len();
            conditions.push_str(&format!(" and (applicant_name = ${n} or applicant_id = ${n})"));
        }
        let order = "order by priority desc, submitted_at desc, case_number desc";
        crate::catalog::paged(
            self,
            "snapshot",
            "service_case",
            &conditions,
            order,
            binds,
            page,
            per_page,
            case_from_snapshot,
        )
        .await
    }

    /// Checks every event row against its hash and every case's history for gaps (its
    /// version is the number of its events, numbered from 1), reading the log as a stream;
    /// `seen` is given each intact row's hash (to match those the audit chain names).
    pub async fn check_events(&self, mut seen: impl FnMut(&str)) -> Result<EventCheck, StoreError> {
        use futures_util::TryStreamExt as _;
        let mut check = EventCheck::default();
        let mut rows = sqlx::query(
            "select case_number, seq, kind, actor, at, payload, authority, hash from event order by case_number, seq",
        )
        .fetch(self.reader());
        let mut expected: (String, i64) = (String::new(), 1);
        while let Some(r) = rows.try_next().await? {
            let (number, seq): (String, i64) = (r.try_get("case_number")?, r.try_get("seq")?);
            if number != expected.0 {
                expected = (number.clone(), 1);
            }
            check.events += 1;
            let bad = |why: &str| Some(format!("case {number} event {seq}: {why}"));
            if seq != expected.1 {
                check.first_bad = check.first_bad.take().or_else(|| bad("events are missing or out of order"));
            }
            expected.1 = seq + 1;
            let Some(hash) = r.try_get::<Option<String>, _>("hash")? else {
                check.unhashed += 1;
                continue;
            };
            let authority: Option<String> = r.try_get("authority")?;
            let (kind, actor, at, payload): (String, String, String, String) =
                (r.try_get("kind")?, r.try_get("actor")?, r.try_get("at")?, r.try_get("payload")?);
            let computed = tongban_core::audit::event_hash(
                &number,
                u64::try_from(seq).unwrap_or(0),
                &kind,
                &actor,
                &at,
                &payload,
                authority.as_deref(),
            );
            if computed == hash {
                seen(&hash);
            } else {
                check.first_bad = check.first_bad.take().or_else(|| bad("edited: its content does not match its hash"));
            }
        }
        drop(rows);
        if check.first_bad.is_none() {
            let short: Option<String> = sqlx::query_scalar(
                "select c.case_number from service_case c where c.version <> \
                 (select count(*) from event e where e.case_number = c.case_number) order by c.case_number limit 1",
            )
            .fetch_optional(self.reader())
            .await?;
            check.first_bad =
                short.map(|n| format!("case {n}: its history does not hold as many events as its version"));
        }
        Ok(check)
    }

    /// How many cases and events are stored (for checks and benchmarks).
    pub async fn counts(&self) -> Result<(u64, u64), StoreError> {
        let cases: i64 = sqlx::query_scalar("select count(*) from service_case").fetch_one(self.reader()).await?;
        let events: i64 = sqlx::query_scalar("select count(*) from event").fetch_one(self.reader()).await?;
        Ok((u64::try_from(cases).unwrap_or(0), u64::try_from(events).unwrap_or(0)))
    }
}

/// A stored material file's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaterialFile {
    /// The material it is for.
    pub material: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// MIME type.
    pub content_type: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: String,
}

/// Stores an uploaded file the case does not hold yet (see [`material_file_exists`]).
#[expect(clippy::too_many_arguments, reason = "one row's columns, each bound once")]
pub async fn insert_material_file(
    conn: &mut Conn,
    number: &CaseNumber,
    material: &str,
    sha256: &str,
    content_type: &str,
    content: &[u8],
    by: &str,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into material_file (case_number, material, sha256, size, content_type, content, uploaded_by, uploaded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(number.as_str())
    .bind(material)
    .bind(sha256)
    .bind(i64::try_from(content.len()).unwrap_or(i64::MAX))
    .bind(content_type)
    .bind(content.to_vec())
    .bind(by)
    .bind(format_ts(at))
    .execute()
    .await?;
    Ok(())
}

/// Whether this very file (by its SHA-256) is already stored for the case's material.
pub async fn material_file_exists(
    conn: &mut Conn,
    number: &CaseNumber,
    material: &str,
    sha256: &str,
) -> Result<bool, StoreError> {
    let size: Option<i64> = conn
        .query("select size from material_file where case_number = $1 and material = $2 and sha256 = $3")
        .bind(number.as_str())
        .bind(material)
        .bind(sha256)
        .scalar_optional()
        .await?;
    Ok(size.is_some())
}

/// Inside a write: how many material files a case holds and their bytes in all. On
/// PostgreSQL the case row is locked first, so two parallel uploads count one another.
pub async fn material_usage(conn: &mut Conn, number: &CaseNumber) -> Result<(u64, u64), StoreError> {
    if conn.is_postgres() {
        conn.query("select version from service_case where case_number = $1 for update")
            .bind(number.as_str())
            .scalar_optional::<i64>()
            .await?;
    }
    let row = conn
        .query(
            "select count(*) as files, cast(coalesce(sum(size), 0) as bigint) as bytes \
             from material_file where case_number = $1",
        )
        .bind(number.as_str())
        .fetch_one()
        .await?;
    let (files, bytes): (i64, i64) = (row.try_get("files")?, row.try_get("bytes")?);
    Ok((u64::try_from(files).unwrap_or(0), u64::try_from(bytes).unwrap_or(0)))
}

impl Store {
    /// The files uploaded for a case.
    pub async fn material_files(&self, number: &CaseNumber) -> Result<Vec<MaterialFile>, StoreError> {
        let rows: Vec<(String, String, i64, String, String, String)> = sqlx::query_as(
            "select material, sha256, size, content_type, uploaded_by, uploaded_at from material_file \
             where case_number = $1 order by uploaded_at, material",
        )
        .bind(number.as_str())
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(material, sha256, size, content_type, uploaded_by, uploaded_at)| MaterialFile {
                material,
                sha256,
                size: u64::try_from(size).unwrap_or(0),
                content_type,
                uploaded_by,
                uploaded_at,
            })
            .collect())
    }
}
