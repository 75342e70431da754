//! The notice worker inside `tongban serve`: exactly one server delivers the outbox at a
//! time (a lease, as the supervision worker holds one). Each pass polls delivery receipts,
//! then takes what is due — queued notices, and those left `sending` by a crash — and
//! delivers them in small concurrent batches.
//!
//! Exactly once: a notice is marked `sending` (one more try) and committed before its
//! provider is called, and its answer is recorded after. A notice found `sending` at the
//! start of a pass is in doubt (the server died between the two): the provider is asked
//! ([`Gateways::lookup`]) whether it holds a message under the notice's key; found, the
//! answer is recorded; not found, it is sent again under the same key, which the providers
//! that take one de-duplicate. `(channel, provider_id)` is unique, so one provider message
//! is never recorded twice.
//!
//! Failpoint for the crash test: with `TONGBAN_FAILPOINT=notice-after-send` in the
//! environment (read once) the process aborts after a provider took a notice and before the
//! answer is recorded.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::StreamExt as _;
use jiff::Timestamp;
use tongban_core::notice::policy::{self, AfterFailure, ChannelHealth};
use tongban_core::notice::{Channel, NoticeState, check_mobile};
use tongban_store::{ChannelHealthRow, DueNotice, NewNotice, NoticeRow};

use super::gateway::{Outgoing, ProviderTemplate, Receipt, SendError, Sent};
use super::templates::in_force;
use crate::{App, AppError};

/// The lease key of the notice worker.
const LEASE_KEY: i64 = 0x7467_6e6f_7469; // "tgnoti"
/// Notices taken per round.
const BATCH: u32 = 256;
/// Notices in flight at once.
const CONCURRENCY: usize = 64;
/// How far back receipts are first asked for.
const RECEIPTS_LOOKBACK: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

fn abort_after_send() -> bool {
    static FAILPOINT: OnceLock<bool> = OnceLock::new();
    *FAILPOINT.get_or_init(|| std::env::var("TONGBAN_FAILPOINT").is_ok_and(|v| v.trim() == "notice-after-send"))
}

/// Starts the worker; it runs until the process ends. While this server holds the notice
/// lease it runs a pass every `period`, and at once again while passes find work.
pub fn spawn(state: App, period: Duration) -> tokio::task::JoinHandle<()> {
    // Read before any send, so the failpoint holds from the first notice.
    let _ = abort_after_send();
    tokio::spawn(async move {
        loop {
            match state.store.try_lease(LEASE_KEY).await {
                Ok(Some(mut lease)) => {
                    tracing::info!("notice worker: lease taken, this server delivers notices");
                    while lease.is_held().await {
                        match pass(&state, state.now()).await {
                            Ok((_, delivered)) if delivered > 0 => continue,
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "notice worker pass failed; will retry"),
                        }
                        tokio::time::sleep(period).await;
                    }
                    tracing::warn!("notice lease lost");
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "notice lease unavailable"),
            }
            tokio::time::sleep(period).await;
        }
    })
}

/// What became of one try.
#[derive(Debug)]
enum Outcome {
    /// The provider holds it (sent now, or found after a crash).
    Sent(Sent),
    /// Try again later.
    Retry(String),
    /// Trying again will not help.
    Refused(String),
}

/// One pass at `now`: polls receipts, settles what was left in doubt, delivers what is
/// due (one batch). Returns how many notices it handled (sent, retried, failed, receipts).
/// The caller holds the notice lease ([`spawn`]) or is a test.
pub async fn run_once(state: &App, now: Timestamp) -> Result<usize, AppError> {
    let (receipts, delivered) = pass(state, now).await?;
    Ok(receipts + delivered)
}

/// One pass: (receipts recorded, notices tried).
async fn pass(state: &App, now: Timestamp) -> Result<(usize, usize), AppError> {
    let health: HashMap<Channel, ChannelHealthRow> = state.store.notice_channels().await?.into_iter().collect();
    let receipts = poll_receipts(state, &health, now).await?;
    let due = state.store.due_notices(now, BATCH).await?;
    if due.is_empty() {
        return Ok((receipts, 0));
    }
    // Claim the queued ones: committed before any provider is called.
    let queued: Vec<i64> = due.iter().filter(|d| d.notice.state == NoticeState::Queued).map(|d| d.notice.id).collect();
    if !queued.is_empty() {
        state
            .store
            .write(move |c| Box::pin(async move { tongban_store::mark_notices_sending(c, &queued, now).await }))
            .await?;
    }
    let outcomes: Vec<(DueNotice, Outcome)> = futures_util::stream::iter(due)
        .map(|d| async move {
            let outcome = deliver(state, &d, now).await;
            (d, outcome)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let tried = outcomes.len();
    record(state, outcomes, health, now).await?;
    Ok((receipts, tried))
}

/// The address of `d` on its channel, if one is on file.
async fn address(state: &App, d: &DueNotice) -> Result<Vec<(Option<i64>, String)>, AppError> {
    Ok(match d.notice.channel {
        Channel::Email => d.email.clone().map(|e| (None, e)).into_iter().collect(),
        Channel::Sms => d.phone.as_deref().and_then(|p| check_mobile(p).ok()).map(|p| (None, p)).into_iter().collect(),
        Channel::Wechat => d.wechat_openid.clone().map(|o| (None, o)).into_iter().collect(),
        Channel::Push => state
            .store
            .push_subscriptions(&d.notice.recipient)
            .await?
            .into_iter()
            .map(|(id, s)| (Some(id), s))
            .collect(),
        Channel::Inbox => vec![(None, d.notice.recipient.clone())],
    })
}

/// What WeChat is given for a template value the notice has none for (a receipt has no
/// reason): WeChat refuses an empty value (47003).
const WECHAT_EMPTY: &str = "无";

fn outgoing(n: &NoticeRow, address: String) -> Outgoing {
    let params = |params: Vec<(String, String)>| {
        if n.channel != Channel::Wechat {
            return params;
        }
        params
            .into_iter()
            .map(|(k, v)| if v.trim().is_empty() { (k, WECHAT_EMPTY.to_owned()) } else { (k, v) })
            .collect()
    };
    Outgoing {
        key: format!("tongban-notice-{}", n.id),
        address,
        subject: n.subject.clone(),
        body: n.body.clone(),
        template: n.provider.clone().map(|(id, p)| ProviderTemplate { id, params: params(p) }),
        url: n.url.clone(),
    }
}

/// Tries one notice: settles it when it was in doubt, else sends it.
async fn deliver(state: &App, d: &DueNotice, now: Timestamp) -> Outcome {
    let n = &d.notice;
    if n.channel == Channel::Inbox {
        return Outcome::Sent(Sent { provider_id: format!("inbox-{}", n.id) });
    }
    // Consent is read again now: one withdrawn after the notice was queued holds (a
    // statutory notice then falls back to a channel still consented to). A send left in
    // doubt is settled whatever the consent, since the provider may already hold it.
    if !d.consented && n.state == NoticeState::Queued {
        return Outcome::Refused(format!("consent to {} was withdrawn", n.channel));
    }
    let addresses = match address(state, d).await {
        Ok(a) if a.is_empty() => return Outcome::Refused(format!("no {} address on file", n.channel)),
        Ok(a) => a,
        Err(e) => return Outcome::Retry(e.to_string()),
    };
    if n.channel == Channel::Wechat
        && let Some((template, _)) = &n.provider
    {
        match state.store.has_wechat_consent(&n.recipient, template).await {
            Ok(true) => {}
            Ok(false) => return Outcome::Refused("43101: the user has not subscribed to this message".into()),
            Err(e) => return Outcome::Retry(e.to_string()),
        }
    }
    let key = format!("tongban-notice-{}", n.id);
    let in_doubt = n.state == NoticeState::Sending;
    let mut last = Outcome::Refused("no address took it".into());
    // Push goes to each of the person's subscriptions: sent when any took it.
    let mut taken: Option<Sent> = None;
    for (subscription, address) in addresses {
        if in_doubt {
            let since = n.sending_at.unwrap_or(n.created_at);
            match state.gateways.lookup(n.channel, &key, &address, since).await {
                Ok(Some(sent)) => {
                    tracing::info!(notice = n.id, "a send left in doubt was found at the provider");
                    return Outcome::Sent(sent);
                }
                Ok(None) => {}
                Err(e) => return Outcome::Retry(format!("in doubt, lookup failed: {e}")),
            }
        }
        match state.gateways.send(n.channel, &outgoing(n, address)).await {
            Ok(sent) => {
                if abort_after_send() {
                    tracing::error!(
                        notice = n.id,
                        "failpoint notice-after-send: aborting before the answer is recorded"
                    );
                    std::process::abort();
                }
                taken.get_or_insert(sent);
            }
            Err(SendError::Retry(why)) => last = Outcome::Retry(why),
            Err(SendError::Refused { code, reason }) => {
                // A push subscription the browser gave up is removed; the others still count.
                if let Some(id) = subscription.filter(|_| matches!(code.as_str(), "404" | "410")) {
                    let _ = state
                        .store
                        .write(move |c| Box::pin(async move { tongban_store::delete_push_subscription(c, id).await }))
                        .await;
                }
                if !matches!(last, Outcome::Retry(_)) {
                    last = Outcome::Refused(format!("{code}: {reason}"));
                }
            }
        }
    }
    let _ = now;
    taken.map_or(last, Outcome::Sent)
}

/// Records a batch's outcomes in one transaction: sent, retried later, failed (with the
/// statutory fallbacks), each channel's record, and the administrators' alert when a
/// channel starts failing.
async fn record(
    state: &App,
    outcomes: Vec<(DueNotice, Outcome)>,
    mut health: HashMap<Channel, ChannelHealthRow>,
    now: Timestamp,
) -> Result<(), AppError> {
    let templates = in_force(state).await?;
    let mut fallbacks: Vec<NewNotice> = Vec::new();
    let mut touched: Vec<Channel> = Vec::new();
    let mut alerts: Vec<NewNotice> = Vec::new();
    let mut steps = Vec::with_capacity(outcomes.len());
    for (d, outcome) in outcomes {
        let n = d.notice;
        // Tries so far, this one included (a queued notice was counted when it was claimed).
        let tries = if n.state == NoticeState::Queued { n.attempts + 1 } else { n.attempts.max(1) };
        let ok = matches!(outcome, Outcome::Sent(_));
        // A refusal is about the address or template, not the channel; only errors worth a
        // retry count against it.
        if ok || matches!(outcome, Outcome::Retry(_)) {
            let row = health.entry(n.channel).or_default();
            let (next, alert) = ChannelHealth { failures: row.failures, failing: row.failing }.after(ok);
            if !touched.contains(&n.channel) {
                touched.push(n.channel);
            }
            row.failures = next.failures;
            if let Outcome::Retry(why) = &outcome {
                row.last_error = Some(why.clone());
            }
            if !next.failing {
                row.failing_since = None;
            }
            row.failing = next.failing;
            if alert {
                row.failing_since = Some(now);
                let why = row.last_error.clone().unwrap_or_default();
                alerts.extend(super::outbox::channel_failing(state, n.channel, now, &why, now).await?);
            }
        }
        let give_up = match &outcome {
            Outcome::Sent(_) => None,
            Outcome::Retry(why) => match policy::after_failure(tries, false, now, n.id) {
                AfterFailure::RetryAt(at) => {
                    steps.push(Step::Retry(n.id, at, why.clone()));
                    None
                }
                AfterFailure::GiveUp => Some(format!("gave up after {tries} tries: {why}")),
            },
            Outcome::Refused(why) => Some(why.clone()),
        };
        if let Outcome::Sent(sent) = outcome {
            let wechat = (n.channel == Channel::Wechat).then(|| n.provider.clone().map(|(t, _)| t)).flatten();
            steps.push(Step::Sent(n.id, n.channel, sent.provider_id, n.recipient.clone(), wechat));
            continue;
        }
        if let Some(why) = give_up {
            steps.push(Step::Failed(n.id, why));
            if let Some(row) = fallback_for(state, &templates, &n, &fallbacks, now).await? {
                fallbacks.push(row);
            }
        }
    }
    let channels: Vec<(Channel, ChannelHealthRow)> =
        // Receipts are read up to where the poll left them (None keeps the stored mark).
        touched
            .into_iter()
            .filter_map(|c| health.get(&c).cloned().map(|h| (c, ChannelHealthRow { receipts_at: None, ..h })))
            .collect();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for step in &steps {
                    match step {
                        Step::Sent(id, channel, provider_id, recipient, wechat) => {
                            let recorded =
                                tongban_store::record_notice_sent(c, *id, *channel, provider_id, now).await?;
                            if recorded && let Some(template) = wechat {
                                tongban_store::consume_wechat_consent(c, recipient, template).await?;
                            }
                        }
                        Step::Retry(id, at, why) => tongban_store::record_notice_retry(c, *id, *at, why).await?,
                        Step::Failed(id, why) => tongban_store::record_notice_failed(c, *id, why).await?,
                    }
                }
                tongban_store::insert_notices(c, &fallbacks).await?;
                tongban_store::insert_notices(c, &alerts).await?;
                for (channel, h) in channels {
                    tongban_store::put_notice_channel(c, channel, h).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// The notice a statutory notice `n` that failed falls back to: the next channel its person
/// consented to and can be reached on, not tried yet for its source (nor in `pending`).
async fn fallback_for(
    state: &App,
    templates: &super::templates::Templates,
    n: &NoticeRow,
    pending: &[NewNotice],
    now: Timestamp,
) -> Result<Option<NewNotice>, AppError> {
    if !n.statutory {
        return Ok(None);
    }
    let Some(reach) = state.store.notice_reach(&n.recipient).await? else { return Ok(None) };
    let tried: Vec<Channel> = state
        .store
        .notices_of_source(&n.source, &n.recipient)
        .await?
        .iter()
        .map(|o| o.channel)
        .chain(pending.iter().filter(|f| f.source == n.source && f.recipient == n.recipient).map(|f| f.channel))
        .collect();
    Ok(policy::fallback_channel(&tried, |c| super::outbox::usable(state, &reach, c))
        .and_then(|next| super::outbox::fallback_row(templates, n, next, now)))
}

/// One record of a batch.
enum Step {
    /// Sent: id, channel, provider id, recipient, the WeChat template whose consent it uses.
    Sent(i64, Channel, String, String, Option<String>),
    /// Retry at.
    Retry(i64, Timestamp, String),
    /// Given up.
    Failed(i64, String),
}

/// Receipts awaited at most this many at once after a take-over.
const TAKE_OVER_MAX: u32 = 50_000;

/// The first pass of this process with an Aliyun gateway hands it the SMS notices still
/// awaiting a receipt (sent by a process that crashed or by another server): Aliyun's
/// receipts are asked after per message, which only the process that sent it knew of.
async fn take_over_receipts(state: &App, now: Timestamp) -> Result<(), AppError> {
    let Some(super::SmsGateway::Aliyun(g)) = &state.gateways.sms else { return Ok(()) };
    if !g.take_over_receipts() {
        return Ok(());
    }
    let since = now.checked_sub(RECEIPTS_LOOKBACK * 3).unwrap_or(now);
    let awaiting = match state.store.awaiting_receipts(Channel::Sms, since, TAKE_OVER_MAX).await {
        Ok(a) => a,
        Err(e) => {
            // Asked again at the next pass.
            g.take_over_failed();
            return Err(e.into());
        }
    };
    for (id, provider_id, phone, sent_at) in awaiting {
        if let Some(phone) = phone {
            g.await_receipt(&provider_id, &phone, &format!("tongban-notice-{id}"), sent_at);
        }
    }
    Ok(())
}

/// Asks the providers that report delivery later for their receipts since the last poll.
async fn poll_receipts(
    state: &App,
    health: &HashMap<Channel, ChannelHealthRow>,
    now: Timestamp,
) -> Result<usize, AppError> {
    let mut handled = 0;
    take_over_receipts(state, now).await?;
    for channel in [Channel::Sms] {
        if !state.gateways.offers(channel) {
            continue;
        }
        let row = health.get(&channel).cloned().unwrap_or_default();
        let since = row.receipts_at.unwrap_or_else(|| now.checked_sub(RECEIPTS_LOOKBACK).unwrap_or(now));
        let receipts = match state.gateways.receipts(channel, since).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(%channel, error = %e, "delivery receipts unavailable");
                continue;
            }
        };
        handled += receipts.len();
        let mut row = row;
        row.receipts_at = Some(now);
        let undelivered = state
            .store
            .write(move |c| {
                Box::pin(async move {
                    let mut undelivered = Vec::new();
                    for r in &receipts {
                        match r {
                            Receipt::Delivered { provider_id, at } => {
                                tongban_store::record_notice_receipt(c, channel, provider_id, Ok(*at)).await?;
                            }
                            Receipt::Failed { provider_id, reason } => {
                                let failed =
                                    tongban_store::record_notice_receipt(c, channel, provider_id, Err(reason)).await?;
                                undelivered.extend(failed);
                            }
                        }
                    }
                    tongban_store::put_notice_channel(c, channel, row).await?;
                    Ok::<_, AppError>(undelivered)
                })
            })
            .await?;
        // A statutory notice the handset never got falls back like one the provider refused.
        if !undelivered.is_empty() {
            let templates = in_force(state).await?;
            let mut fallbacks = Vec::new();
            for id in undelivered {
                if let Some(n) = state.store.notice(id).await?
                    && let Some(row) = fallback_for(state, &templates, &n, &fallbacks, now).await?
                {
                    fallbacks.push(row);
                }
            }
            state
                .store
                .write(move |c| Box::pin(async move { tongban_store::insert_notices(c, &fallbacks).await }))
                .await?;
        }
    }
    Ok(handled)
}
