//! Writing notices: which rows an event adds to the outbox, rendered from the templates in
//! force and the recipient's consent. The rows are written by the caller in the same
//! transaction as the event; the reads they need happen before it.

use jiff::Timestamp;
use tongban_core::case::{Case, CaseEvent};
use tongban_core::identity::Role;
use tongban_core::notice::{Channel, NoticeEvent, NoticeState, check_mobile, policy};
use tongban_store::{NewNotice, NoticeReach};

use super::templates::{Templates, in_force};
use crate::{App, AppError};

/// The name of the center in notices.
pub const CENTER: &str = "政务服务中心";

/// A moment as notices show it: Beijing time, to the minute.
pub(crate) fn local(t: Timestamp) -> String {
    let dt = jiff::tz::Offset::constant(8).to_datetime(t);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute())
}

/// Whether a notice to `reach` can go out on `channel` here: the inbox always; another
/// channel when the deployment offers it, the person consented, and an address is on file.
pub(crate) fn usable(state: &App, reach: &NoticeReach, channel: Channel) -> bool {
    match channel {
        Channel::Inbox => true,
        _ if !state.gateways.offers(channel) || !reach.consented(channel) => false,
        Channel::Email => reach.email.is_some(),
        Channel::Sms => reach.phone.as_deref().is_some_and(|p| check_mobile(p).is_ok()),
        Channel::Wechat => reach.wechat_openid.is_some(),
        Channel::Push => true,
    }
}

/// Everything needed to write one event's notices to one person.
pub(crate) struct Notice<'a> {
    /// What caused it (with recipient and channel, its unique key).
    pub source: String,
    /// The event.
    pub event: NoticeEvent,
    /// The recipient's reach.
    pub reach: &'a NoticeReach,
    /// The case, if any.
    pub case_number: Option<String>,
    /// Template fields.
    pub fields: Vec<(&'static str, String)>,
    /// When written.
    pub now: Timestamp,
    /// When it may first go out (quiet hours).
    pub release: Timestamp,
}

/// The channels a notice goes on: the inbox, and the first channel the person can be
/// reached on, if any; `skip` leaves a channel out (a failing one).
pub(crate) fn channels_for(state: &App, reach: &NoticeReach, skip: Option<Channel>) -> Vec<Channel> {
    let mut channels = vec![Channel::Inbox];
    channels.extend(policy::first_channel(|c| Some(c) != skip && usable(state, reach, c)));
    channels
}

/// The rows of one notice: its inbox copy (delivered at once) and the first channel the
/// person can be reached on (queued), if any. `skip` leaves a channel out (a failing one).
pub(crate) fn rows(state: &App, templates: &Templates, n: &Notice<'_>, skip: Option<Channel>) -> Vec<NewNotice> {
    rows_on(templates, n, &channels_for(state, n.reach, skip), &state.public_base_url)
}

/// The rows of one notice on `channels`, its links under `base`.
fn rows_on(templates: &Templates, n: &Notice<'_>, channels: &[Channel], base: &str) -> Vec<NewNotice> {
    let mut out = Vec::with_capacity(channels.len());
    let fields: Vec<(String, String)> = n.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    for &channel in channels {
        let t = templates.get(n.event, channel);
        let r = t.render(&n.fields);
        let inbox = channel == Channel::Inbox;
        out.push(NewNotice {
            source: n.source.clone(),
            event: n.event.as_str().to_owned(),
            recipient: n.reach.account.clone(),
            channel,
            case_number: n.case_number.clone(),
            statutory: n.event.is_statutory(),
            state: if inbox { NoticeState::Delivered } else { NoticeState::Queued },
            subject: r.subject,
            body: r.body,
            provider: r.provider,
            url: url_of(base, n.case_number.as_deref()),
            fields: fields.clone(),
            template_version: t.version,
            due_at: if inbox { n.now } else { n.release },
            fallback_of: None,
            created_at: n.now,
        });
    }
    out
}

fn url_of(base: &str, case: Option<&str>) -> Option<String> {
    let base = base.trim_end_matches('/');
    Some(match case {
        Some(n) => format!("{base}/cases/{n}"),
        None => format!("{base}/admin/notices"),
    })
}

/// The fields every notice about `case` has.
pub(crate) fn case_fields(
    base: &str,
    case: &Case,
    item_name: &str,
    event: NoticeEvent,
    now: Timestamp,
) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("case_number", case.number.to_string()),
        ("item", item_name.to_owned()),
        ("applicant", case.applicant.name.clone()),
        ("status", event.status_word().to_owned()),
        ("at", local(now)),
        ("center", CENTER.to_owned()),
        ("due_at", case.due_at.map(local).unwrap_or_default()),
    ];
    f.extend(url_of(base, Some(case.number.as_str())).map(|u| ("url", u)));
    f
}

/// The account a case's applicant is told through: the submitting account when it is an
/// applicant's, else the applicant's verified account; none when neither exists.
pub(crate) async fn applicant_account(state: &App, case: &Case) -> Result<Option<String>, AppError> {
    if let Some(s) = &case.submitter
        && let Some(a) = state.store.account(&s.account).await?
        && a.role == Role::Applicant
    {
        return Ok(Some(a.id));
    }
    Ok(state.store.verified_holder(&case.applicant.id_number).await?)
}

/// The notices `events` of `case` (now `after`, the events numbered from `first_seq`)
/// cause to its applicant; empty when notices are off or the events cause none.
pub(crate) async fn for_case_events(
    state: &App,
    after: &Case,
    item_name: &str,
    events: &[CaseEvent],
    first_seq: u32,
    now: Timestamp,
) -> Result<Vec<NewNotice>, AppError> {
    let caused: Vec<(u32, &CaseEvent, NoticeEvent)> = (first_seq..)
        .zip(events)
        .flat_map(|(seq, e)| NoticeEvent::of_case_event(e).iter().map(move |n| (seq, e, *n)))
        .collect();
    if !state.notices_on || caused.is_empty() {
        return Ok(Vec::new());
    }
    let Some(account) = applicant_account(state, after).await? else { return Ok(Vec::new()) };
    let Some(reach) = reach_of(state, &account).await? else { return Ok(Vec::new()) };
    let templates = in_force(state).await?;
    let mut out = Vec::new();
    for (seq, event, notice) in caused {
        let mut fields = case_fields(&state.public_base_url, after, item_name, notice, now);
        fields.extend(tongban_core::notice::case_event_fields(event));
        let n = Notice {
            source: format!("case:{}:{seq}:{}", after.number, notice.as_str()),
            event: notice,
            reach: &reach,
            case_number: Some(after.number.to_string()),
            fields,
            now,
            release: now,
        };
        out.extend(rows(state, &templates, &n, None));
    }
    Ok(out)
}

/// Stands for the case number in a receipt rendered before the case has one (private-use
/// characters: no template or data holds them, and cutting to length keeps them).
const NUMBER: &str = "\u{E000}N\u{E000}";

/// A submission's receipt (收件回执), rendered before its write with [`NUMBER`] for the case
/// number, which the write fills in: the submission's transaction (on SQLite, the one
/// writer) only substitutes and inserts.
pub(crate) struct SubmissionNotice {
    rows: Vec<NewNotice>,
}

impl SubmissionNotice {
    /// The receipt for a submission by `account` (an applicant: to them; staff at a window:
    /// to the applicant's verified account, if any) of `item_name` by `applicant` at `now`;
    /// none when notices are off or nobody is to be told.
    pub(crate) async fn plan(
        state: &App,
        account: &tongban_store::Account,
        applicant: &tongban_core::case::Applicant,
        item_name: &str,
        now: Timestamp,
    ) -> Result<Option<SubmissionNotice>, AppError> {
        if !state.notices_on {
            return Ok(None);
        }
        let recipient = if account.role == Role::Applicant {
            Some(account.id.clone())
        } else {
            state.store.verified_holder(&applicant.id_number).await?
        };
        let Some(recipient) = recipient else { return Ok(None) };
        let Some(reach) = reach_of(state, &recipient).await? else { return Ok(None) };
        let event = NoticeEvent::Submitted;
        let base = &state.public_base_url;
        let mut fields = vec![
            ("case_number", NUMBER.to_owned()),
            ("item", item_name.to_owned()),
            ("applicant", applicant.name.clone()),
            ("status", event.status_word().to_owned()),
            ("at", local(now)),
            ("center", CENTER.to_owned()),
            ("due_at", String::new()),
        ];
        fields.extend(url_of(base, Some(NUMBER)).map(|u| ("url", u)));
        let n = Notice {
            source: format!("case:{NUMBER}:1:{}", event.as_str()),
            event,
            reach: &reach,
            case_number: Some(NUMBER.to_owned()),
            fields,
            now,
            release: now,
        };
        let templates = in_force(state).await?;
        Ok(Some(SubmissionNotice { rows: rows_on(&templates, &n, &channels_for(state, &reach, None), base) }))
    }

    /// The receipt's rows for `case`, just numbered.
    pub(crate) fn rows(&self, case: &Case) -> Vec<NewNotice> {
        let number = case.number.as_str();
        let put = |s: &str| if s.contains(NUMBER) { s.replace(NUMBER, number) } else { s.to_owned() };
        self.rows
            .iter()
            .map(|r| NewNotice {
                source: put(&r.source),
                event: r.event.clone(),
                recipient: r.recipient.clone(),
                channel: r.channel,
                case_number: Some(number.to_owned()),
                statutory: r.statutory,
                state: r.state,
                subject: put(&r.subject),
                body: put(&r.body),
                provider: r
                    .provider
                    .as_ref()
                    .map(|(id, params)| (id.clone(), params.iter().map(|(k, v)| (k.clone(), put(v))).collect())),
                url: r.url.as_deref().map(put),
                fields: r.fields.iter().map(|(k, v)| (k.clone(), put(v))).collect(),
                template_version: r.template_version,
                due_at: r.due_at,
                fallback_of: r.fallback_of,
                created_at: r.created_at,
            })
            .collect()
    }
}

/// A raised supervision alert to tell its owner of.
#[derive(Debug, Clone)]
pub(crate) struct AlertNotice {
    /// The case.
    pub case: String,
    /// The alert's kind.
    pub kind: String,
    /// Its colour.
    pub colour: tongban_core::supervision::Colour,
    /// Since when.
    pub since: Timestamp,
    /// Whom to tell.
    pub to: String,
}

/// The notices of supervision alerts (yellow waits for working time; red goes at once).
pub(crate) async fn for_alerts(
    state: &App,
    alerts: &[AlertNotice],
    now: Timestamp,
) -> Result<Vec<NewNotice>, AppError> {
    if !state.notices_on || alerts.is_empty() {
        return Ok(Vec::new());
    }
    let templates = in_force(state).await?;
    let calendar = state.calendar();
    let mut reaches: std::collections::HashMap<String, Option<NoticeReach>> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for a in alerts {
        let Some(event) = NoticeEvent::of_colour(a.colour) else { continue };
        if !reaches.contains_key(&a.to) {
            let reach = state.store.notice_reach(&a.to).await?;
            reaches.insert(a.to.clone(), reach);
        }
        let Some(Some(reach)) = reaches.get(&a.to) else { continue };
        let Ok(number) = tongban_core::case::CaseNumber::parse(&a.case) else { continue };
        let Some(case) = state.store.case_by_number(&number).await? else { continue };
        let item_name = match state.store.item_in_version(&case.item, case.item_version).await? {
            Some(row) => row.item.name,
            None => case.item.to_string(),
        };
        let n = Notice {
            source: format!("alert:{}:{}:{}:{}", a.case, a.kind, a.colour.as_str(), tongban_store::format_ts(a.since)),
            event,
            reach,
            case_number: Some(a.case.clone()),
            fields: case_fields(&state.public_base_url, &case, &item_name, event, now),
            now,
            release: policy::release_at(now, event.waits_for_working_time(), &calendar),
        };
        out.extend(rows(state, &templates, &n, None));
    }
    Ok(out)
}

/// The notices telling every administrator that `channel` keeps failing (`since`, with the
/// last error); never on the failing channel itself.
pub(crate) async fn channel_failing(
    state: &App,
    channel: Channel,
    since: Timestamp,
    error: &str,
    now: Timestamp,
) -> Result<Vec<NewNotice>, AppError> {
    if !state.notices_on {
        return Ok(Vec::new());
    }
    let templates = in_force(state).await?;
    let calendar = state.calendar();
    let event = NoticeEvent::ChannelFailing;
    let mut out = Vec::new();
    for admin in state.store.administrators().await? {
        let Some(reach) = state.store.notice_reach(&admin).await? else { continue };
        let mut fields = vec![
            ("channel", channel.as_str().to_owned()),
            ("reason", error.to_owned()),
            ("status", event.status_word().to_owned()),
            ("at", local(now)),
            ("center", CENTER.to_owned()),
        ];
        fields.extend(url_of(&state.public_base_url, None).map(|u| ("url", u)));
        let n = Notice {
            source: format!("channel:{channel}:{}", tongban_store::format_ts(since)),
            event,
            reach: &reach,
            case_number: None,
            fields,
            now,
            release: policy::release_at(now, event.waits_for_working_time(), &calendar),
        };
        out.extend(rows(state, &templates, &n, Some(channel)));
    }
    Ok(out)
}

/// The row a statutory notice falls back to on `channel`, rendered from the fields the
/// failed one was rendered with; none when its event is unknown.
pub(crate) fn fallback_row(
    templates: &Templates,
    failed: &tongban_store::NoticeRow,
    channel: Channel,
    now: Timestamp,
) -> Option<NewNotice> {
    let event = NoticeEvent::parse(&failed.event)?;
    let t = templates.get(event, channel);
    let fields: Vec<(&str, String)> = failed.fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let r = t.render(&fields);
    Some(NewNotice {
        source: failed.source.clone(),
        event: failed.event.clone(),
        recipient: failed.recipient.clone(),
        channel,
        case_number: failed.case_number.clone(),
        statutory: failed.statutory,
        state: NoticeState::Queued,
        subject: r.subject,
        body: r.body,
        provider: r.provider,
        url: failed.url.clone(),
        fields: failed.fields.clone(),
        template_version: t.version,
        due_at: now,
        fallback_of: Some(failed.id),
        created_at: now,
    })
}

/// How long a person's reach (addresses, consents) read for a submission's receipt is
/// trusted: a burst of submissions by one account reads it once; a change made here is seen
/// at once, one made on another server within this time.
const REACH_FRESH_FOR: std::time::Duration = std::time::Duration::from_millis(1_500);
/// Most accounts remembered.
const REACH_CACHED: usize = 10_000;

/// Recently read reaches, by account.
#[derive(Debug, Default)]
pub struct ReachCache {
    map: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Option<NoticeReach>)>>,
}

impl ReachCache {
    /// Forgets `account`'s reach (it changed here).
    pub fn forget(&self, account: &str) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(account);
        }
    }
}

/// `account`'s reach, read at most every [`REACH_FRESH_FOR`].
pub(crate) async fn reach_of(state: &App, account: &str) -> Result<Option<NoticeReach>, AppError> {
    if let Ok(m) = state.notice_reach.map.lock()
        && let Some((at, reach)) = m.get(account)
        && at.elapsed() < REACH_FRESH_FOR
    {
        return Ok(reach.clone());
    }
    let reach = state.store.notice_reach(account).await?;
    if let Ok(mut m) = state.notice_reach.map.lock() {
        if m.len() >= REACH_CACHED {
            m.clear();
        }
        m.insert(account.to_owned(), (std::time::Instant::now(), reach.clone()));
    }
    Ok(reach)
}
