-- The supervision ledger of concerns (其他监察事项台账): what core finds wrong with a case
-- (repeated corrections, acceptance with materials missing, returns, reopenings, bad ratings
-- unanswered, decisions without valid authority) and with an account (decision power given
-- by an administrator alone), written in the same transaction as the events that raise
-- them. Reading the newest concerns, or one department's, is then an index range, whatever
-- the number of cases closed before.
create table concern (
    concern_id integer primary key,
    -- A case number, or an account's login.
    subject text not null,
    about text not null check (about in ('case', 'account')),
    kind text not null,
    -- What in the subject raised it: a decision event's id, an audit entry's id; empty for a
    -- standing condition of the case, which is kept while it holds.
    ref text not null default '',
    department_code text not null,
    -- The concern as core describes it (JSON).
    detail text not null,
    raised_at text not null,
    unique (subject, kind, ref)
);
create index concern_by_department on concern (department_code, concern_id);
create index concern_by_kind on concern (kind, concern_id);

-- How many concerns of each kind a department has, kept with the rows.
create table concern_count (
    department_code text not null,
    kind text not null,
    n integer not null check (n >= 0),
    primary key (department_code, kind)
);

-- Whether the ledger holds every case stored before it existed: the first start after this
-- migration builds it once from the cases and their events, then sets built_at.
create table concern_ledger (
    id integer primary key check (id = 1),
    built_at text
);
insert into concern_ledger (id, built_at) values (1, null);
