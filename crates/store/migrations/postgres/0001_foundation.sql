-- Foundation: organisation, versioned catalog, cases and their append-only event log,
-- case-number sequences and the working calendar. Times are UTC RFC 3339 text with
-- microseconds (fixed width, so text order is time order).

create table division (
    division_code text primary key,
    name text not null,
    parent_code text references division (division_code),
    level text not null check (level in ('province', 'city', 'county'))
);

create table department (
    department_code text primary key,
    name text not null,
    division_code text not null references division (division_code)
);

-- "window" is an SQL keyword, hence service_window.
create table service_window (
    window_code text primary key,
    name text not null,
    department_code text references department (department_code)
);

create table staff (
    staff_id text primary key,
    name text not null,
    department_code text not null references department (department_code),
    window_code text references service_window (window_code),
    position text not null check (position in ('head', 'deputy', 'chief', 'staff'))
);

-- A reform publishes a new version; items keep their code across versions.
create table catalog_version (
    version bigint primary key,
    label text not null,
    published_at text not null
);

create table item (
    item_code text not null,
    version bigint not null references catalog_version (version),
    name text not null,
    department_code text not null references department (department_code),
    division_code text not null references division (division_code),
    kind text not null,
    category text not null check (category in ('on_the_spot', 'same_day', 'time_limited', 'agency')),
    legal_limit text,
    promised_limit text,
    materials text not null, -- JSON array of {name, required, form}
    fees text not null, -- JSON array of {name, amount_fen}
    channels text not null, -- JSON array of channel names
    legal_basis text not null,
    primary key (item_code, version)
);
create index item_by_department on item (version, department_code);

-- One row per division and year; the next case number is last + 1.
create table case_sequence (
    division_code text not null,
    year bigint not null,
    last bigint not null,
    primary key (division_code, year)
);

-- "case" is an SQL keyword, hence service_case. A projection of the event log, kept in
-- the same transaction as the events it folds.
create table service_case (
    case_number text primary key,
    item_code text not null,
    item_version bigint not null,
    division_code text not null,
    applicant_name text not null,
    applicant_id text not null,
    channel text not null,
    state text not null,
    owner text not null,
    version bigint not null,
    submitted_at text not null,
    accepted_at text,
    due_at text,
    decided_at text,
    closed_at text,
    snapshot text not null, -- JSON of the folded tongban_core::case::Case
    foreign key (item_code, item_version) references item (item_code, version)
);
create index service_case_by_state on service_case (state, due_at);
create index service_case_by_item on service_case (item_code);
create index service_case_by_owner on service_case (owner);
create index service_case_by_division on service_case (division_code, submitted_at);

-- The source of truth for a case's history: append-only (the triggers refuse changes).
create table event (
    event_id bigint generated always as identity primary key,
    case_number text not null references service_case (case_number),
    seq bigint not null,
    kind text not null,
    actor text not null,
    at text not null,
    payload text not null, -- JSON of tongban_core::case::CaseEvent
    unique (case_number, seq)
);

create function event_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'event is append-only';
end;
$$;

create trigger event_no_update before update or delete on event
    for each row execute function event_is_append_only();

-- Holidays and make-up working days; empty means the built-in calendar.
create table calendar_day (
    day text primary key,
    kind text not null check (kind in ('holiday', 'workday')),
    name text not null
);
