-- First contact watched (首接责任, issue 18): an alert has a kind — 'due' (the case's own
-- due time), 'act_by' (the owner's act-by time where it differs), 'hand_over' (an offer
-- not taken up in time), and names others may add (core checks the names, not SQL).
-- The kind joins the alert's identity, so SQLite rebuilds the table (it cannot alter a
-- unique constraint); existing rows are kept as 'due'.
create table alert_0021 (
    alert_id integer primary key,
    case_number text not null references service_case (case_number),
    kind text not null default 'due',
    colour text not null check (colour in ('yellow', 'red')),
    since text not null,
    owner text not null,
    department_code text not null,
    raised_at text not null,
    level text not null default 'owner' check (level in ('owner', 'chief', 'supervisor')),
    escalated_at text,
    -- 审批第一责任人 named when the alert reached its last level.
    responsible text,
    unique (case_number, kind, colour, since)
);
insert into alert_0021 (alert_id, case_number, kind, colour, since, owner, department_code, raised_at, level,
    escalated_at)
    select alert_id, case_number, 'due', colour, since, owner, department_code, raised_at, level, escalated_at
    from alert;
drop table alert;
alter table alert_0021 rename to alert;
create index alert_by_level on alert (level, raised_at);

-- Which watch opened a record, and the department's 审批第一责任人 named on it.
alter table accountability add column kind text not null default 'due';
alter table accountability add column first_responsible text;

-- 审批第一责任人 per department (a login; none = its head). An item's own overrides it
-- (the first_responsible table of 0002).
alter table department add column first_responsible text;

-- Who an open hand-over offer waits for, as a column (it was only in the snapshot), so a
-- department's queue finds the cases offered to its staff.
alter table service_case add column pending_handover text;
update service_case set pending_handover = json_extract(snapshot, '$.pending_handover');
create index service_case_by_pending_handover on service_case (pending_handover);

-- Records opened before: name the 审批第一责任人 as it stands now (the item's own, else
-- the department's, else its head).
update accountability set first_responsible = coalesce(
    (select f.account_id from first_responsible f join service_case c on c.item_code = f.item_code
     where c.case_number = accountability.case_number),
    (select d.first_responsible from department d where d.department_code = accountability.department_code),
    (select min(a.account_id) from account a where a.department_code = accountability.department_code
     and a.disabled = 0 and a.kind = 'staff' and (a.position = 'head' or a.role = 'department_head')))
where first_responsible is null;
