//! The notice outbox (issue 21): notices written with the events that cause them, the
//! worker's due query and its records of each try, the case's and the person's notices,
//! consent per channel, contact details, templates and each channel's record.

use jiff::Timestamp;
use tongban_core::notice::{Channel, NoticeState};

use crate::time::{format_ts, parse_ts};
use crate::{Conn, Row, Store, StoreError};

/// A notice to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// What caused it (`case:<number>:<seq>:<event>`, `alert:…`, `channel:…`); with the
    /// recipient and channel its unique key.
    pub source: String,
    /// The event's name (core's `NoticeEvent`).
    pub event: String,
    /// The account it is for.
    pub recipient: String,
    /// How it goes.
    pub channel: Channel,
    /// The case it is about.
    pub case_number: Option<String>,
    /// Whether it falls back to another channel when this one fails.
    pub statutory: bool,
    /// `Queued`, or `Delivered` for the inbox.
    pub state: NoticeState,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The provider template and its parameters, for SMS and WeChat.
    pub provider: Option<(String, Vec<(String, String)>)>,
    /// A link to the case.
    pub url: Option<String>,
    /// The template fields it was rendered with.
    pub fields: Vec<(String, String)>,
    /// The template version it was rendered with.
    pub template_version: u32,
    /// When it may first be tried.
    pub due_at: Timestamp,
    /// The notice it falls back from.
    pub fallback_of: Option<i64>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    /// Id.
    pub id: i64,
    /// What caused it.
    pub source: String,
    /// The event's name.
    pub event: String,
    /// The account it is for.
    pub recipient: String,
    /// How it goes.
    pub channel: Channel,
    /// The case it is about.
    pub case_number: Option<String>,
    /// Whether it falls back when its channel fails.
    pub statutory: bool,
    /// Where it stands.
    pub state: NoticeState,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The provider template and its parameters.
    pub provider: Option<(String, Vec<(String, String)>)>,
    /// A link to the case.
    pub url: Option<String>,
    /// The template fields it was rendered with.
    pub fields: Vec<(String, String)>,
    /// Tries so far.
    pub attempts: u32,
    /// When it may next be tried.
    pub due_at: Timestamp,
    /// When it was last handed to the provider.
    pub sending_at: Option<Timestamp>,
    /// Why it failed or was cancelled (or the last retry's error).
    pub reason: Option<String>,
    /// The provider's message id.
    pub provider_id: Option<String>,
    /// The notice it falls back from.
    pub fallback_of: Option<i64>,
    /// When it was written.
    pub created_at: Timestamp,
    /// When the provider took it.
    pub sent_at: Option<Timestamp>,
    /// When it was reported delivered.
    pub delivered_at: Option<Timestamp>,
    /// When its person read it (inbox).
    pub read_at: Option<Timestamp>,
}

/// A notice that is due, with the recipient's addresses as they stand now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotice {
    /// The notice.
    pub notice: NoticeRow,
    /// The recipient's e-mail address.
    pub email: Option<String>,
    /// The recipient's phone (`account.phone`).
    pub phone: Option<String>,
    /// The recipient's WeChat openid.
    pub wechat_openid: Option<String>,
    /// Whether the recipient's consent to the notice's channel is given now (always for the
    /// inbox): read at send time, so a consent withdrawn after the notice was queued holds.
    pub consented: bool,
}

/// An account's addresses and the channels it consented to: what a notice can use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeReach {
    /// The account.
    pub account: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// WeChat openid.
    pub wechat_openid: Option<String>,
    /// Channels with consent given, and when it was last changed (given or withdrawn).
    pub consents: Vec<(Channel, bool, Timestamp)>,
}

impl NoticeReach {
    /// Whether consent to `channel` is given.
    pub fn consented(&self, channel: Channel) -> bool {
        channel == Channel::Inbox || self.consents.iter().any(|(c, given, _)| *c == channel && *given)
    }
}

/// A channel's record: failures in a row, whether it is failing (since when), the last
/// error, and how far its delivery receipts have been read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelHealthRow {
    /// Failed tries in a row.
    pub failures: u32,
    /// Whether the administrators were told it is failing.
    pub failing: bool,
    /// Since when it is failing.
    pub failing_since: Option<Timestamp>,
    /// The last error.
    pub last_error: Option<String>,
    /// Receipts are read up to here.
    pub receipts_at: Option<Timestamp>,
}

/// A saved template version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeTemplateRow {
    /// The template (core's `NoticeTemplate`, JSON).
    pub body: String,
    /// When saved.
    pub created_at: Timestamp,
    /// By whom.
    pub created_by: String,
}

const COLUMNS: &str = "n.notice_id, n.source, n.event, n.recipient, n.channel, n.case_number, n.statutory, \
    n.state, n.subject, n.body, n.provider_template, n.params, n.url, n.fields, n.attempts, n.due_at, n.sending_at, \
    n.reason, n.provider_id, n.fallback_of, n.created_at, n.sent_at, n.delivered_at, n.read_at";

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt("notice", why)
}

fn ts(r: &Row, column: &str) -> Result<Timestamp, StoreError> {
    parse_ts("notice", &r.try_get::<String, _>(column)?)
}

fn ts_opt(r: &Row, column: &str) -> Result<Option<Timestamp>, StoreError> {
    r.try_get::<Option<String>, _>(column)?.map(|t| parse_ts("notice", &t)).transpose()
}

fn channel_of(text: &str) -> Result<Channel, StoreError> {
    Channel::parse(text).ok_or_else(|| corrupt(format!("unknown channel {text:?}")))
}

fn notice_of(r: &Row) -> Result<NoticeRow, StoreError> {
    let state: String = r.try_get("state")?;
    let template: Option<String> = r.try_get("provider_template")?;
    let params: Option<String> = r.try_get("params")?;
    let provider = match template {
        Some(id) => {
            let params: Vec<(String, String)> = match params {
                Some(p) => serde_json::from_str(&p).map_err(corrupt)?,
                None => Vec::new(),
            };
            Some((id, params))
        }
        None => None,
    };
    Ok(NoticeRow {
        id: r.try_get("notice_id")?,
        source: r.try_get("source")?,
        event: r.try_get("event")?,
        recipient: r.try_get("recipient")?,
        channel: channel_of(&r.try_get::<String, _>("channel")?)?,
        case_number: r.try_get("case_number")?,
        statutory: r.try_get::<i64, _>("statutory")? != 0,
        state: NoticeState::parse(&state).ok_or_else(|| corrupt(format!("unknown state {state:?}")))?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        provider,
        url: r.try_get("url")?,
        fields: serde_json::from_str(&r.try_get::<String, _>("fields")?).map_err(corrupt)?,
        attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).map_err(corrupt)?,
        due_at: ts(r, "due_at")?,
        sending_at: ts_opt(r, "sending_at")?,
        reason: r.try_get("reason")?,
        provider_id: r.try_get("provider_id")?,
        fallback_of: r.try_get("fallback_of")?,
        created_at: ts(r, "created_at")?,
        sent_at: ts_opt(r, "sent_at")?,
        delivered_at: ts_opt(r, "delivered_at")?,
        read_at: ts_opt(r, "read_at")?,
    })
}

/// Columns bound per notice in [`insert_notices`].
const INSERT_COLUMNS: &str = "source, event, recipient, channel, case_number, statutory, state, subject, body, \
    provider_template, params, url, fields, template_version, due_at, fallback_of, created_at, sent_at, delivered_at";
const PER_ROW: usize = 19;
/// Rows per statement (well under SQLite's bound-parameter limit).
const ROWS_PER_STATEMENT: usize = 50;

/// The insert of `rows` notices; those of up to four rows (an event's usual notices) are
/// made once.
fn insert_sql(rows: usize) -> std::borrow::Cow<'static, str> {
    fn build(rows: usize) -> String {
        let mut sql = format!("insert into notice ({INSERT_COLUMNS}) values ");
        for i in 0..rows {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..PER_ROW {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * PER_ROW + c + 1));
            }
            sql.push(')');
        }
        sql.push_str(" on conflict (source, recipient, channel) do nothing");
        sql
    }
    static SMALL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let small = SMALL.get_or_init(|| (1..=4).map(build).collect());
    match rows.checked_sub(1).and_then(|i| small.get(i)) {
        Some(sql) => std::borrow::Cow::Borrowed(sql.as_str()),
        None => std::borrow::Cow::Owned(build(rows)),
    }
}

/// Writes `notices` (in the caller's transaction, with their event), one statement per 50;
/// a notice already written (same source, recipient and channel) is left as it is.
/// Returns how many were new.
pub async fn insert_notices(conn: &mut Conn, notices: &[NewNotice]) -> Result<u64, StoreError> {
    let mut new = 0;
    for chunk in notices.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(chunk.len());
        let mut q = conn.query(&sql);
        for n in chunk {
            let done = matches!(n.state, NoticeState::Delivered | NoticeState::Sent).then(|| format_ts(n.created_at));
            let params = match &n.provider {
                Some((_, p)) => Some(serde_json::to_string(p).map_err(corrupt)?),
                None => None,
            };
            q = q
                .bind(&n.source)
                .bind(&n.event)
                .bind(&n.recipient)
                .bind(n.channel.as_str())
                .bind(n.case_number.clone())
                .bind(n.statutory)
                .bind(n.state.as_str())
                .bind(&n.subject)
                .bind(&n.body)
                .bind(n.provider.as_ref().map(|(id, _)| id.clone()))
                .bind(params)
                .bind(n.url.clone())
                .bind(serde_json::to_string(&n.fields).map_err(corrupt)?)
                .bind(n.template_version)
                .bind(format_ts(n.due_at))
                .bind(n.fallback_of)
                .bind(format_ts(n.created_at))
                .bind(done.clone())
                .bind(if n.state == NoticeState::Delivered { done } else { None });
        }
        new += q.execute().await?.rows_affected();
    }
    Ok(new)
}

/// Marks the queued notices `ids` as handed to their providers at `now` (one more try):
/// committed before any provider is called, so a crash leaves them in doubt, never
/// forgotten.
pub async fn mark_notices_sending(conn: &mut Conn, ids: &[i64], now: Timestamp) -> Result<u64, StoreError> {
    let mut changed = 0;
    for chunk in ids.chunks(500) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "update notice set state = 'sending', attempts = attempts + 1, sending_at = $1 \
             where state = 'queued' and notice_id in ({list})"
        );
        let mut q = conn.query(&sql).bind(format_ts(now));
        for id in chunk {
            q = q.bind(*id);
        }
        changed += q.execute().await?.rows_affected();
    }
    Ok(changed)
}

/// Records that the provider took notice `id` under `provider_id`. A provider message
/// already recorded for another notice is never recorded twice: the notice is then marked
/// sent without the id, and why. Returns whether the notice was in doubt (sending) before.
pub async fn record_notice_sent(
    conn: &mut Conn,
    id: i64,
    channel: Channel,
    provider_id: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = conn
        .query(
            "update notice set state = 'sent', provider_id = $2, sent_at = $3, reason = null \
             where notice_id = $1 and state = 'sending' \
             and not exists (select 1 from notice o where o.channel = $4 and o.provider_id = $2)",
        )
        .bind(id)
        .bind(provider_id)
        .bind(format_ts(now))
        .bind(channel.as_str())
        .execute()
        .await?
        .rows_affected();
    if done > 0 {
        return Ok(true);
    }
    let dup = conn
        .query("update notice set state = 'sent', sent_at = $2, reason = $3 where notice_id = $1 and state = 'sending'")
        .bind(id)
        .bind(format_ts(now))
        .bind(format!("provider message {provider_id} is recorded on another notice"))
        .execute()
        .await?
        .rows_affected();
    Ok(dup > 0)
}

/// Puts notice `id` back in the queue until `due_at`, with the error of its try.
pub async fn record_notice_retry(conn: &mut Conn, id: i64, due_at: Timestamp, reason: &str) -> Result<(), StoreError> {
    conn.query(
        "update notice set state = 'queued', due_at = $2, reason = $3 where notice_id = $1 and state = 'sending'",
    )
    .bind(id)
    .bind(format_ts(due_at))
    .bind(reason)
    .execute()
    .await?;
    Ok(())
}

/// Gives notice `id` up, with why.
pub async fn record_notice_failed(conn: &mut Conn, id: i64, reason: &str) -> Result<(), StoreError> {
    conn.query(
        "update notice set state = 'failed', reason = $2 where notice_id = $1 and state in ('queued', 'sending')",
    )
    .bind(id)
    .bind(reason)
    .execute()
    .await?;
    Ok(())
}

/// Records a delivery receipt for the message `provider_id` on `channel`: delivered at
/// `at`, or failed with `reason`. Returns the notice it was for, if it is ours.
pub async fn record_notice_receipt(
    conn: &mut Conn,
    channel: Channel,
    provider_id: &str,
    delivered: Result<Timestamp, &str>,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = conn
        .query("select notice_id from notice where channel = $1 and provider_id = $2 and state in ('sent', 'sending')")
        .bind(channel.as_str())
        .bind(provider_id)
        .scalar_optional()
        .await?;
    let Some(id) = id else { return Ok(None) };
    match delivered {
        Ok(at) => {
            conn.query("update notice set state = 'delivered', delivered_at = $2 where notice_id = $1")
                .bind(id)
                .bind(format_ts(at))
                .execute()
                .await?
        }
        Err(reason) => {
            conn.query("update notice set state = 'failed', reason = $2 where notice_id = $1")
                .bind(id)
                .bind(reason)
                .execute()
                .await?
        }
    };
    Ok(Some(id))
}

/// Marks the inbox message `id` of `account` read at `now`; false when it is not theirs.
pub async fn mark_notice_read(conn: &mut Conn, id: i64, account: &str, now: Timestamp) -> Result<bool, StoreError> {
    let changed = conn
        .query(
            "update notice set read_at = coalesce(read_at, $3) \
             where notice_id = $1 and recipient = $2 and channel = 'inbox'",
        )
        .bind(id)
        .bind(account)
        .bind(format_ts(now))
        .execute()
        .await?
        .rows_affected();
    Ok(changed > 0)
}

/// Queues failed notice `id` again at `now` with its tries reset; false unless it failed.
pub async fn requeue_notice(conn: &mut Conn, id: i64, now: Timestamp) -> Result<bool, StoreError> {
    let changed = conn
        .query(
            "update notice set state = 'queued', attempts = 0, due_at = $2, reason = null \
             where notice_id = $1 and state = 'failed'",
        )
        .bind(id)
        .bind(format_ts(now))
        .execute()
        .await?
        .rows_affected();
    Ok(changed > 0)
}

/// Cancels queued or failed notice `id`, with why; false when it is in another state.
pub async fn cancel_notice(conn: &mut Conn, id: i64, reason: &str) -> Result<bool, StoreError> {
    let changed = conn
        .query(
            "update notice set state = 'cancelled', reason = $2 where notice_id = $1 and state in ('queued', 'failed')",
        )
        .bind(id)
        .bind(reason)
        .execute()
        .await?
        .rows_affected();
    Ok(changed > 0)
}

/// Gives (`true`) or withdraws consent of `account` to `channel` at `now`.
pub async fn set_notice_consent(
    conn: &mut Conn,
    account: &str,
    channel: Channel,
    given: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into notice_consent (account_id, channel, given, changed_at) values ($1, $2, $3, $4) \
         on conflict (account_id, channel) do update set given = $3, changed_at = $4",
    )
    .bind(account)
    .bind(channel.as_str())
    .bind(given)
    .bind(format_ts(now))
    .execute()
    .await?;
    Ok(())
}

/// Sets `account`'s e-mail address (none clears it), keeping its WeChat openid.
pub async fn set_contact_email(
    conn: &mut Conn,
    account: &str,
    email: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into account_contact (account_id, email, updated_at) values ($1, $2, $3) \
         on conflict (account_id) do update set email = $2, updated_at = $3",
    )
    .bind(account)
    .bind(email)
    .bind(format_ts(now))
    .execute()
    .await?;
    Ok(())
}

/// Sets `account`'s WeChat openid, keeping its e-mail address.
pub async fn set_contact_openid(
    conn: &mut Conn,
    account: &str,
    openid: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into account_contact (account_id, wechat_openid, updated_at) values ($1, $2, $3) \
         on conflict (account_id) do update set wechat_openid = $2, updated_at = $3",
    )
    .bind(account)
    .bind(openid)
    .bind(format_ts(now))
    .execute()
    .await?;
    Ok(())
}

/// Sets `account`'s mobile number (`account.phone`; none clears it).
pub async fn set_account_phone(conn: &mut Conn, account: &str, phone: Option<&str>) -> Result<(), StoreError> {
    conn.query("update account set phone = $2 where account_id = $1").bind(account).bind(phone).execute().await?;
    Ok(())
}

/// Records a WeChat subscribe-message consent of `account` to `template`: long-term, or
/// one more one-time message.
pub async fn record_wechat_consent(
    conn: &mut Conn,
    account: &str,
    template: &str,
    long_term: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into wechat_consent (account_id, template_id, long_term, remaining, changed_at) \
         values ($1, $2, $3, $4, $5) on conflict (account_id, template_id) do update set \
         long_term = case when $3 = 1 then 1 else wechat_consent.long_term end, \
         remaining = wechat_consent.remaining + $4, changed_at = $5",
    )
    .bind(account)
    .bind(template)
    .bind(long_term)
    .bind(i64::from(!long_term))
    .bind(format_ts(now))
    .execute()
    .await?;
    Ok(())
}

/// Uses up one WeChat consent of `account` to `template` (a long-term one is not used
/// up); false when there is none.
pub async fn consume_wechat_consent(conn: &mut Conn, account: &str, template: &str) -> Result<bool, StoreError> {
    let changed = conn
        .query(
            "update wechat_consent set remaining = case when long_term = 1 then remaining else remaining - 1 end \
             where account_id = $1 and template_id = $2 and (long_term = 1 or remaining > 0)",
        )
        .bind(account)
        .bind(template)
        .execute()
        .await?
        .rows_affected();
    Ok(changed > 0)
}

/// Stores a channel's record.
pub async fn put_notice_channel(conn: &mut Conn, channel: Channel, health: ChannelHealthRow) -> Result<(), StoreError> {
    conn.query(
        "insert into notice_channel (channel, failures, failing, failing_since, last_error, receipts_at) \
         values ($1, $2, $3, $4, $5, $6) on conflict (channel) do update set failures = $2, failing = $3, \
         failing_since = $4, last_error = $5, receipts_at = coalesce($6, notice_channel.receipts_at)",
    )
    .bind(channel.as_str())
    .bind(health.failures)
    .bind(health.failing)
    .bind(health.failing_since.map(format_ts))
    .bind(health.last_error)
    .bind(health.receipts_at.map(format_ts))
    .execute()
    .await?;
    Ok(())
}

/// Saves the next version of the template of `event` on `channel` (the first saved is
/// version 2); returns the version.
pub async fn insert_notice_template(
    conn: &mut Conn,
    event: &str,
    channel: Channel,
    body_of: impl FnOnce(u32) -> String,
    at: Timestamp,
    by: &str,
) -> Result<u32, StoreError> {
    let latest: i64 = conn
        .query("select coalesce(max(version), 1) from notice_template where event = $1 and channel = $2")
        .bind(event)
        .bind(channel.as_str())
        .scalar()
        .await?;
    let version = u32::try_from(latest + 1).map_err(corrupt)?;
    conn.query(
        "insert into notice_template (event, channel, version, body, created_at, created_by) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event)
    .bind(channel.as_str())
    .bind(version)
    .bind(body_of(version))
    .bind(format_ts(at))
    .bind(by)
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("notice template {event}/{channel} version {version}")))?;
    Ok(version)
}

impl Store {
    async fn notice_conn(&self) -> Result<Conn, StoreError> {
        Ok(Conn::pooled(self.reader().acquire().await?))
    }

    /// Up to `limit` notices due at `now` (queued, or in doubt), oldest due first, with
    /// their recipients' addresses.
    pub async fn due_notices(&self, now: Timestamp, limit: u32) -> Result<Vec<DueNotice>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let sql = format!(
            "select {COLUMNS}, c.email, c.wechat_openid, a.phone, k.given as consent_given from notice n \
             left join account_contact c on c.account_id = n.recipient \
             left join account a on a.account_id = n.recipient \
             left join notice_consent k on k.account_id = n.recipient and k.channel = n.channel \
             where n.state in ('queued', 'sending') and n.due_at <= $1 order by n.due_at, n.notice_id limit $2"
        );
        conn.query(&sql)
            .bind(format_ts(now))
            .bind(limit)
            .fetch_all()
            .await?
            .iter()
            .map(|r| {
                let notice = notice_of(r)?;
                let given = r.try_get::<Option<i64>, _>("consent_given")?.unwrap_or(0) != 0;
                Ok(DueNotice {
                    consented: notice.channel == Channel::Inbox || given,
                    notice,
                    email: r.try_get("email")?,
                    phone: r.try_get("phone")?,
                    wechat_openid: r.try_get("wechat_openid")?,
                })
            })
            .collect()
    }

    /// The notices on `channel` sent since `since` whose delivery receipt has not come:
    /// (id, provider id, the recipient's phone, sent at), oldest first, at most `limit`. A
    /// server that takes over the notice worker (a restart, another server) asks after them.
    pub async fn awaiting_receipts(
        &self,
        channel: Channel,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<(i64, String, Option<String>, Timestamp)>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let rows = conn
            .query(
                "select n.notice_id, n.provider_id, a.phone, n.sent_at from notice n \
                 left join account a on a.account_id = n.recipient \
                 where n.state = 'sent' and n.channel = $1 and n.provider_id is not null and n.sent_at >= $2 \
                 order by n.notice_id limit $3",
            )
            .bind(channel.as_str())
            .bind(format_ts(since))
            .bind(limit)
            .fetch_all()
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let Some(at) = ts_opt(r, "sent_at")? else { continue };
            out.push((r.try_get("notice_id")?, r.try_get("provider_id")?, r.try_get("phone")?, at));
        }
        Ok(out)
    }

    /// One notice.
    pub async fn notice(&self, id: i64) -> Result<Option<NoticeRow>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let sql = format!("select {COLUMNS} from notice n where n.notice_id = $1");
        conn.query(&sql).bind(id).fetch_optional().await?.as_ref().map(notice_of).transpose()
    }

    /// The notices of a case, oldest first.
    pub async fn notices_of_case(&self, case: &str) -> Result<Vec<NoticeRow>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let sql = format!("select {COLUMNS} from notice n where n.case_number = $1 order by n.notice_id");
        conn.query(&sql).bind(case).fetch_all().await?.iter().map(notice_of).collect()
    }

    /// The notices caused by `source`, oldest first (a notice and its fallbacks).
    pub async fn notices_of_source(&self, source: &str, recipient: &str) -> Result<Vec<NoticeRow>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let sql =
            format!("select {COLUMNS} from notice n where n.source = $1 and n.recipient = $2 order by n.notice_id");
        conn.query(&sql).bind(source).bind(recipient).fetch_all().await?.iter().map(notice_of).collect()
    }

    /// `account`'s inbox, newest first, at most `limit`.
    pub async fn inbox(&self, account: &str, limit: u32) -> Result<Vec<NoticeRow>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let sql = format!(
            "select {COLUMNS} from notice n where n.recipient = $1 and n.channel = 'inbox' \
             order by n.notice_id desc limit $2"
        );
        conn.query(&sql).bind(account).bind(limit).fetch_all().await?.iter().map(notice_of).collect()
    }

    /// Notices in `state`, newest first, at most `limit`.
    pub async fn notices_in_state(&self, state: NoticeState, limit: u32) -> Result<Vec<NoticeRow>, StoreError> {
        let mut conn = self.notice_conn().await?;
        // The state as a literal (one of core's fixed names), so the partial index of failed
        // notices serves the administrator's list.
        let sql = format!(
            "select {COLUMNS} from notice n where n.state = '{}' order by n.notice_id desc limit $1",
            state.as_str()
        );
        conn.query(&sql).bind(limit).fetch_all().await?.iter().map(notice_of).collect()
    }

    /// How many notices there are per channel and state.
    pub async fn notice_counts(&self) -> Result<Vec<(Channel, NoticeState, u64)>, StoreError> {
        let mut conn = self.notice_conn().await?;
        conn.query("select channel, state, count(*) from notice group by channel, state")
            .fetch_all()
            .await?
            .iter()
            .map(|r| {
                let state: String = r.get(1)?;
                Ok((
                    channel_of(&r.get::<String>(0)?)?,
                    NoticeState::parse(&state).ok_or_else(|| corrupt(format!("unknown state {state:?}")))?,
                    u64::try_from(r.get::<i64>(2)?).map_err(corrupt)?,
                ))
            })
            .collect()
    }

    /// Each channel's record (channels never tried are absent).
    pub async fn notice_channels(&self) -> Result<Vec<(Channel, ChannelHealthRow)>, StoreError> {
        let mut conn = self.notice_conn().await?;
        conn.query("select channel, failures, failing, failing_since, last_error, receipts_at from notice_channel")
            .fetch_all()
            .await?
            .iter()
            .map(|r| {
                Ok((
                    channel_of(&r.try_get::<String, _>("channel")?)?,
                    ChannelHealthRow {
                        failures: u32::try_from(r.try_get::<i64, _>("failures")?).map_err(corrupt)?,
                        failing: r.try_get::<i64, _>("failing")? != 0,
                        failing_since: ts_opt(r, "failing_since")?,
                        last_error: r.try_get("last_error")?,
                        receipts_at: ts_opt(r, "receipts_at")?,
                    },
                ))
            })
            .collect()
    }

    /// What a notice to `account` can use: its addresses and consents; none when the
    /// account does not exist.
    pub async fn notice_reach(&self, account: &str) -> Result<Option<NoticeReach>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let rows = conn
            .query(
                "select a.phone, c.email, c.wechat_openid, k.channel, k.given, k.changed_at from account a \
                 left join account_contact c on c.account_id = a.account_id \
                 left join notice_consent k on k.account_id = a.account_id where a.account_id = $1",
            )
            .bind(account)
            .fetch_all()
            .await?;
        let Some(first) = rows.first() else { return Ok(None) };
        let mut reach = NoticeReach {
            account: account.to_owned(),
            phone: first.try_get("phone")?,
            email: first.try_get("email")?,
            wechat_openid: first.try_get("wechat_openid")?,
            consents: Vec::new(),
        };
        for r in &rows {
            if let Some(channel) = r.try_get::<Option<String>, _>("channel")? {
                let given = r.try_get::<Option<i64>, _>("given")?.unwrap_or(0) != 0;
                let at = ts_opt(r, "changed_at")?.unwrap_or_default();
                reach.consents.push((channel_of(&channel)?, given, at));
            }
        }
        Ok(Some(reach))
    }

    /// Whether `account` holds a WeChat consent to `template` now.
    pub async fn has_wechat_consent(&self, account: &str, template: &str) -> Result<bool, StoreError> {
        let mut conn = self.notice_conn().await?;
        let n: i64 = conn
            .query(
                "select count(*) from wechat_consent where account_id = $1 and template_id = $2 \
                 and (long_term = 1 or remaining > 0)",
            )
            .bind(account)
            .bind(template)
            .scalar()
            .await?;
        Ok(n > 0)
    }

    /// The enabled administrators' logins.
    pub async fn administrators(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.notice_conn().await?;
        conn.query("select account_id from account where role = 'administrator' and disabled = 0 order by account_id")
            .fetch_all()
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// Whom an alert escalated to `level` (`chief`: the department's chiefs and head;
    /// `supervisor`: the center's supervisors) is told through: enabled accounts.
    pub async fn escalation_recipients(&self, department: &str, level: &str) -> Result<Vec<String>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let rows = match level {
            "chief" => {
                conn.query(
                    "select account_id from account where department_code = $1 and position in ('chief', 'head') \
                     and disabled = 0 order by account_id",
                )
                .bind(department)
                .fetch_all()
                .await?
            }
            "supervisor" => {
                conn.query(
                    "select account_id from account where role = 'supervisor' and disabled = 0 order by account_id",
                )
                .fetch_all()
                .await?
            }
            _ => Vec::new(),
        };
        rows.iter().map(|r| r.get(0)).collect()
    }

    /// The applicant's account verified as `id_number`, if any.
    pub async fn verified_holder(&self, id_number: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.notice_conn().await?;
        conn.query(
            "select account_id from account where kind = 'applicant' and id_number = $1 \
             and verified_at is not null and disabled = 0 order by account_id",
        )
        .bind(id_number)
        .scalar_optional()
        .await
    }

    /// The newest saved version of the template of `event` on `channel`, with its version.
    pub async fn latest_notice_template(
        &self,
        event: &str,
        channel: Channel,
    ) -> Result<Option<(u32, NoticeTemplateRow)>, StoreError> {
        let mut conn = self.notice_conn().await?;
        let row = conn
            .query(
                "select version, body, created_at, created_by from notice_template \
                 where event = $1 and channel = $2 order by version desc limit 1",
            )
            .bind(event)
            .bind(channel.as_str())
            .fetch_optional()
            .await?;
        row.map(|r| {
            Ok((
                u32::try_from(r.try_get::<i64, _>("version")?).map_err(corrupt)?,
                NoticeTemplateRow {
                    body: r.try_get("body")?,
                    created_at: parse_ts("notice_template", &r.try_get::<String, _>("created_at")?)?,
                    created_by: r.try_get("created_by")?,
                },
            ))
        })
        .transpose()
    }

    /// Every saved template version's newest per event and channel: (event, channel,
    /// version, body).
    pub async fn notice_templates(&self) -> Result<Vec<(String, Channel, u32, String)>, StoreError> {
        let mut conn = self.notice_conn().await?;
        conn.query(
            "select t.event, t.channel, t.version, t.body from notice_template t where t.version = \
             (select max(u.version) from notice_template u where u.event = t.event and u.channel = t.channel)",
        )
        .fetch_all()
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.get(0)?,
                channel_of(&r.get::<String>(1)?)?,
                u32::try_from(r.get::<i64>(2)?).map_err(corrupt)?,
                r.get(3)?,
            ))
        })
        .collect()
    }
}
