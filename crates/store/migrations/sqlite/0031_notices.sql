-- Notices that arrive (issue 21): an outbox written in the same transaction as the event
-- that causes it, delivered by one worker across servers; consent per channel; contact
-- details beside the account; versioned templates (version 1 of each is built in, core).

-- The outbox. One row per (source, recipient, channel): a notice is never written twice.
-- state: queued → sending (handed to the provider, in doubt until recorded) → sent →
-- delivered, or failed / cancelled. The inbox (站内信) row is written delivered at once.
create table notice (
    notice_id integer primary key,
    -- What caused it: 'case:<number>:<event seq>:<event>', 'alert:…', 'channel:…'.
    source text not null,
    event text not null,
    recipient text not null,
    channel text not null check (channel in ('inbox', 'email', 'sms', 'wechat', 'push')),
    case_number text,
    statutory integer not null default 0,
    state text not null check (state in ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
    subject text not null,
    body text not null,
    -- The provider template (SMS/WeChat) and its parameters (JSON array of [name, value]).
    provider_template text,
    params text,
    url text,
    -- The template fields it was rendered with (JSON array of [name, value]): a fallback
    -- renders the next channel's template from them.
    fields text not null default '[]',
    template_version integer not null default 1,
    attempts integer not null default 0,
    -- When it may next be tried (quiet hours, backoff).
    due_at text not null,
    -- When it was last handed to the provider (a lookup after a crash asks from then).
    sending_at text,
    reason text,
    provider_id text,
    -- The notice on another channel it falls back from (statutory notices).
    fallback_of integer,
    created_at text not null,
    sent_at text,
    delivered_at text,
    read_at text,
    unique (source, recipient, channel)
);
-- One provider message is recorded once (a notice has no id until it is sent).
create unique index notice_provider on notice (channel, provider_id) where provider_id is not null;
-- The worker's due query: only what is waiting, by when it is due.
create index notice_due on notice (due_at) where state in ('queued', 'sending');
create index notice_by_case on notice (case_number, notice_id) where case_number is not null;
-- The inbox (站内信) and the administrator's failed notices; other rows skip these.
create index notice_inbox on notice (recipient, notice_id) where channel = 'inbox';
create index notice_failed on notice (notice_id) where state = 'failed';

-- Versions 2… of a template of an event on a channel, saved by the administrator.
create table notice_template (
    event text not null,
    channel text not null,
    version integer not null check (version > 1),
    -- The template as core's NoticeTemplate (JSON).
    body text not null,
    created_at text not null,
    created_by text not null,
    primary key (event, channel, version)
);

-- Consent per account and channel (the inbox needs none): given or withdrawn, and when.
create table notice_consent (
    account_id text not null references account (account_id),
    channel text not null check (channel in ('email', 'sms', 'wechat', 'push')),
    given integer not null,
    changed_at text not null,
    primary key (account_id, channel)
);

-- WeChat subscribe-message consent per template: long-term, or a count of one-time
-- consents (each consumed by one message).
create table wechat_consent (
    account_id text not null references account (account_id),
    template_id text not null,
    long_term integer not null default 0,
    remaining integer not null default 0,
    changed_at text not null,
    primary key (account_id, template_id)
);

-- Contact details beside the account (the mobile number stays account.phone).
create table account_contact (
    account_id text primary key references account (account_id),
    email text,
    wechat_openid text,
    updated_at text not null
);

-- Each channel's record: failures in a row, whether it is failing (the administrators were
-- told, once per episode), and how far delivery receipts have been read.
create table notice_channel (
    channel text primary key,
    failures integer not null default 0,
    failing integer not null default 0,
    failing_since text,
    last_error text,
    receipts_at text
);
