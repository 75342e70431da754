//! Queue tickets (排队号): taken at the kiosk for a department's windows or the
//! comprehensive window, called by a clerk, oldest first. Numbers restart every day; the
//! letter says which queue (several queues may share a letter, and then share its counter,
//! so a number is never handed out twice on one day).

use crate::{Conn, Row};
use jiff::Timestamp;

use crate::time::{format_ts, parse_ts};
use crate::{Store, StoreError};

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    /// The day it belongs to (YYYY-MM-DD, the center's local date).
    pub day: String,
    /// The number shown, e.g. `A023`.
    pub number: String,
    /// A department code, or `comprehensive`.
    pub queue: String,
    /// Its place in the day's sequence of its letter.
    pub seq: i64,
    /// When it was taken.
    pub taken_at: Timestamp,
    /// When it was called.
    pub called_at: Option<Timestamp>,
    /// Who called it.
    pub called_by: Option<String>,
}

const COLUMNS: &str = "ticket_day, number, queue_code, seq, taken_at, called_at, called_by";

fn row_to_ticket(r: &Row) -> Result<TicketRow, StoreError> {
    let called_at: Option<String> = r.try_get("called_at")?;
    Ok(TicketRow {
        day: r.try_get("ticket_day")?,
        number: r.try_get("number")?,
        queue: r.try_get("queue_code")?,
        seq: r.try_get("seq")?,
        taken_at: parse_ts("queue_ticket", &r.try_get::<String, _>("taken_at")?)?,
        called_at: called_at.as_deref().map(|t| parse_ts("queue_ticket", t)).transpose()?,
        called_by: r.try_get("called_by")?,
    })
}

/// Issues the next ticket of `queue` on `day`, numbered `letter` + the day's next number of
/// that letter (at least three digits). Run inside a write.
pub async fn insert_ticket(
    conn: &mut Conn,
    day: &str,
    letter: char,
    queue: &str,
    now: Timestamp,
) -> Result<TicketRow, StoreError> {
    let seq: i64 = conn
        .query(
            "insert into ticket_sequence (ticket_day, letter, last) values ($1, $2, 1) \
         on conflict (ticket_day, letter) do update set last = ticket_sequence.last + 1 returning last",
        )
        .bind(day)
        .bind(letter.to_string())
        .scalar()
        .await?;
    let number = format!("{letter}{seq:03}");
    conn.query("insert into queue_ticket (ticket_day, number, queue_code, seq, taken_at) values ($1, $2, $3, $4, $5)")
        .bind(day)
        .bind(&number)
        .bind(queue)
        .bind(seq)
        .bind(format_ts(now))
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("ticket {number}")))?;
    Ok(TicketRow {
        day: day.to_owned(),
        number,
        queue: queue.to_owned(),
        seq,
        taken_at: now,
        called_at: None,
        called_by: None,
    })
}

/// How many tickets of `queues` on `day` wait to be called; with `before_seq`, only those
/// numbered before it (a queue's numbers grow through the day).
pub async fn count_waiting_tickets(
    conn: &mut Conn,
    day: &str,
    queues: &[&str],
    before_seq: Option<i64>,
) -> Result<i64, StoreError> {
    let mut total = 0;
    for q in queues {
        let n: i64 = conn
            .query(
                "select count(*) from queue_ticket where ticket_day = $1 and queue_code = $2 and called_at is null \
             and seq < $3",
            )
            .bind(day)
            .bind(*q)
            .bind(before_seq.unwrap_or(i64::MAX))
            .scalar()
            .await?;
        total += n;
    }
    Ok(total)
}

/// Calls the oldest waiting ticket of `queues` on `day` for `caller`; none when nobody
/// waits. Run inside a write: a ticket another caller took meanwhile is skipped.
pub async fn call_next_ticket(
    conn: &mut Conn,
    day: &str,
    queues: &[&str],
    caller: &str,
    now: Timestamp,
) -> Result<Option<TicketRow>, StoreError> {
    for _ in 0..16 {
        let mut oldest: Option<TicketRow> = None;
        for q in queues {
            let row = conn.query(&format!(
                "select {COLUMNS} from queue_ticket where ticket_day = $1 and queue_code = $2 and called_at is null \
                 order by taken_at, seq limit 1"
            ))
            .bind(day)
            .bind(*q)
            .fetch_optional()
            .await?;
            if let Some(r) = row {
                let t = row_to_ticket(&r)?;
                if oldest.as_ref().is_none_or(|o| (t.taken_at, t.seq) < (o.taken_at, o.seq)) {
                    oldest = Some(t);
                }
            }
        }
        let Some(mut t) = oldest else { return Ok(None) };
        let done = conn
            .query(
                "update queue_ticket set called_at = $1, called_by = $2 where ticket_day = $3 and number = $4 \
             and called_at is null",
            )
            .bind(format_ts(now))
            .bind(caller)
            .bind(day)
            .bind(&t.number)
            .execute()
            .await?;
        if done.rows_affected() == 1 {
            t.called_at = Some(now);
            t.called_by = Some(caller.to_owned());
            return Ok(Some(t));
        }
    }
    Ok(None)
}

impl Store {
    /// How many tickets of `queues` on `day` wait to be called.
    pub async fn waiting_tickets(&self, day: &str, queues: &[&str]) -> Result<i64, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        count_waiting_tickets(&mut conn, day, queues, None).await
    }

    /// The tickets `caller` called on `day`, latest first (at most `limit`).
    pub async fn tickets_called_by(&self, day: &str, caller: &str, limit: i64) -> Result<Vec<TicketRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "select {COLUMNS} from queue_ticket where ticket_day = $1 and called_by = $2 \
             order by called_at desc limit $3"
        ))
        .bind(day)
        .bind(caller)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| row_to_ticket(&Row::from_any(r)?)).collect()
    }
}
