-- Electronic supervision (电子监察): alerts raised once per colour change, escalation,
-- accountability records (问责), and configurable rules.

-- (case_number, colour, since) is the alert's identity: a restart or a second worker
-- raising the same change again is absorbed by the unique key.
create table alert (
    alert_id integer primary key,
    case_number text not null references service_case (case_number),
    colour text not null check (colour in ('yellow', 'red')),
    since text not null,
    owner text not null,
    department_code text not null,
    raised_at text not null,
    level text not null default 'owner' check (level in ('owner', 'chief', 'supervisor')),
    escalated_at text,
    unique (case_number, colour, since)
);
create index alert_by_level on alert (level, raised_at);

create table accountability (
    case_number text not null references service_case (case_number),
    since text not null,
    department_code text not null,
    owner text not null,
    state text not null check (state in ('open', 'answered', 'closed')),
    opened_at text not null,
    answer text,
    answered_by text,
    answered_at text,
    conclusion text,
    closed_by text,
    closed_at text,
    primary key (case_number, since)
);

-- scope: 'center' (key '-'), 'department' (key = department code) or 'item' (key = item code).
create table supervision_rule (
    scope text not null check (scope in ('center', 'department', 'item')),
    scope_key text not null,
    used_percent integer not null check (used_percent between 0 and 100),
    remaining_minutes integer not null check (remaining_minutes >= 0),
    primary key (scope, scope_key)
);
