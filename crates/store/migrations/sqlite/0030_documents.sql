-- The document register (issue 20): the notices and decisions a case's events issue, each
-- numbered (文号), rendered, sealed and signed in the same transaction as its event. The
-- register is append-only: rows are inserted, never updated or deleted; a document's status
-- (已撤销 / 已注销) is derived from its revocation entries.

-- 证照名称: the licence an approval of the item issues; null when it issues none.
alter table item add column licence text;

create table document (
    -- The 文号, e.g. 兰审批许〔2026〕123号.
    number text primary key,
    kind text not null check (kind in ('acceptance', 'non_acceptance', 'correction', 'approval', 'denial', 'licence')),
    prefix text not null,
    year integer not null,
    seq integer not null check (seq > 0),
    case_number text not null references service_case (case_number),
    -- The case event (its version) that issued it.
    event_seq integer not null,
    template_kind text not null,
    template_version integer not null,
    issued_at text not null,
    holder text not null,
    holder_masked text not null,
    -- The template fields it was rendered with (JSON object).
    fields text not null,
    -- Every login in the decision's grant chain and who acted (JSON array): who may revoke.
    chain text not null,
    sm3 text not null,
    signature text not null,
    key_id text not null,
    pdf blob not null,
    unique (prefix, kind, year, seq)
);
create index document_by_case on document (case_number, event_seq);

-- The next 文号 of a prefix, kind and year; taken inside the issuing transaction, so on
-- SQLite's single writer the sequence has no gaps.
create table document_sequence (
    prefix text not null,
    kind text not null,
    year integer not null,
    next integer not null check (next > 0),
    primary key (prefix, kind, year)
);

-- Revocations (撤销) and cancellations (注销), appended; never edited.
create table document_revocation (
    revocation_id integer primary key,
    number text not null references document (number),
    status text not null check (status in ('revoked', 'cancelled')),
    at text not null,
    by_login text not null,
    reason text not null
);
create index document_revocation_by_number on document_revocation (number, revocation_id);

-- Templates saved by the administrator; version 1 of each kind is built in (core).
create table document_template (
    kind text not null,
    version integer not null check (version > 1),
    body text not null,
    created_at text not null,
    created_by text not null,
    primary key (kind, version)
);
