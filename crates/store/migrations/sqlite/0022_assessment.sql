-- Window assessment (窗口考核评议, issue 18): the attendance ledger (考勤台账), democratic
-- evaluation surveys (民主评议) and their answers, imported third-party scores (第三方评估)
-- and the configured weights. Results are not stored: they are computed from these facts
-- and the cases each time, so nobody can edit a total by hand.

-- One row per person and local day. The seat's times are local "HH:MM" as the clerk saw
-- them; a mark (leave, late, absent) is the chief's or the administrator's and outranks them.
create table attendance_day (
    account_id text not null references account (account_id),
    day text not null, -- YYYY-MM-DD, China Standard Time
    check_in text,
    check_out text,
    mark text check (mark in ('leave', 'late', 'absent')),
    recorded_by text not null,
    recorded_at text not null,
    primary key (account_id, day)
);
create index attendance_day_by_day on attendance_day (day);

-- One survey per month.
create table evaluation_survey (
    period text primary key, -- YYYY-MM
    title text not null,
    opened_by text not null,
    opened_at text not null
);

-- Each answer grades one subject 1 (差) … 5 (优秀). A logged-in respondent answers a subject
-- once per survey; the public page's answers carry no account.
create table evaluation_answer (
    answer_id integer primary key,
    period text not null references evaluation_survey (period),
    respondent text not null check (respondent in ('user', 'department', 'leader')),
    account_id text,
    subject_kind text not null check (subject_kind in ('window', 'department', 'staff', 'site')),
    subject_code text not null,
    grade integer not null check (grade between 1 and 5),
    comment text not null default '',
    answered_at text not null
);
create index evaluation_answer_by_period on evaluation_answer (period);
create unique index evaluation_answer_once on evaluation_answer (period, account_id, subject_kind, subject_code)
    where account_id is not null;

-- Hundredths of a point, 0–10000, as imported.
create table third_party_score (
    period text not null,
    subject_kind text not null check (subject_kind in ('window', 'department', 'staff', 'site')),
    subject_code text not null,
    score integer not null check (score between 0 and 10000),
    source text not null default '',
    imported_at text not null,
    primary key (period, subject_kind, subject_code)
);

-- A single row: the weights as JSON of tongban_core::assessment::Weights (checked by core
-- before they are written). No row means the documented defaults.
create table assessment_weights (
    weights_id integer primary key check (weights_id = 1),
    weights text not null,
    set_by text not null,
    set_at text not null
);
