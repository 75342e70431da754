-- 好差评 (issue 18): ratings in their own table, one per case per channel, each with the
-- staff member, window, site, department and item it counts for (core::attribution, written
-- by the app when the rating is); the rectifications bad ratings open; the appeals that may
-- exclude a rating from the figures.
create table rating (
    rating_id integer primary key,
    case_number text not null references service_case (case_number),
    channel text not null check (channel in ('window_device', 'online', 'kiosk', 'app', 'sms')),
    -- The current score: a re-rating replaces it (the case's events keep every one).
    score integer not null check (score between 1 and 5),
    comment text not null default '',
    rater text not null,
    rated_at text not null,
    -- The month (China Standard Time) of rated_at, from core's month_of.
    rated_month text not null,
    staff_id text,
    window_code text,
    site_code text,
    department_code text not null,
    item_code text not null,
    -- 1 once an appeal against it is upheld: it leaves the figures.
    excluded integer not null default 0,
    unique (case_number, channel)
);
create index rating_by_month on rating (rated_month);
create index rating_by_department on rating (department_code, rated_month);

create table rectification (
    rectification_id integer primary key,
    rating_id integer not null references rating (rating_id),
    case_number text not null references service_case (case_number),
    department_code text not null,
    -- The bad score that opened it.
    score integer not null,
    stage text not null check (stage in ('opened', 'verified', 'rectified', 'fed_back', 'accepted', 'rerated')),
    opened_at text not null,
    -- Null only for rectifications carried over below, until the worker computes it with
    -- the working calendar.
    due_at text,
    verification text,
    verified_at text,
    verified_by text,
    measures text,
    rectified_at text,
    rectified_by text,
    feedback text,
    fed_back_at text,
    fed_back_by text,
    answered_at text,
    -- When it was found overdue: alerted and held to account once.
    overdue_at text
);
create index rectification_by_stage on rectification (stage, due_at);
create index rectification_by_department on rectification (department_code, rectification_id);
create index rectification_by_case on rectification (case_number);

create table rating_appeal (
    appeal_id integer primary key,
    -- A rating is appealed once.
    rating_id integer not null unique references rating (rating_id),
    department_code text not null,
    reasons text not null,
    appealed_by text not null,
    appealed_at text not null,
    verdict text not null default 'pending' check (verdict in ('pending', 'upheld', 'rejected')),
    note text,
    reviewed_by text,
    reviewed_at text
);
create index rating_appeal_by_verdict on rating_appeal (verdict, appeal_id);

-- The single ratings stored before this migration, with the channel the case came in through
-- (core's RatingChannel::of_case) and attributed by core's rule, once, in SQL: the submitter
-- when department staff, else the first staff member among the submission's owner and those
-- it was handed over or reassigned to.
create temporary table rating_staff as
select c.case_number,
    coalesce(
        (select e.actor from event e join account a on a.account_id = e.actor
            where e.case_number = c.case_number and e.seq = 1
            and a.role in ('window_clerk', 'reviewer', 'approver', 'department_head')),
        (select a.account_id from event e join account a
            on a.account_id = json_extract(e.payload, '$.submission.owner')
            where e.case_number = c.case_number and e.seq = 1
            and a.role in ('window_clerk', 'reviewer', 'approver', 'department_head')),
        (select a.account_id from event e join account a on a.account_id = json_extract(e.payload, '$.to')
            where e.case_number = c.case_number and e.kind in ('handed_over', 'reassigned')
            and a.role in ('window_clerk', 'reviewer', 'approver', 'department_head')
            order by e.seq limit 1)
    ) as staff_id
from service_case c where exists (select 1 from event r where r.case_number = c.case_number and r.kind = 'rated');

insert into rating (case_number, channel, score, comment, rater, rated_at, rated_month,
    staff_id, window_code, site_code, department_code, item_code)
select e.case_number,
    case c.channel when 'window' then 'window_device' when 'mail' then 'sms' else c.channel end,
    json_extract(e.payload, '$.score'),
    coalesce(json_extract(e.payload, '$.comment'), ''),
    e.actor, e.at, strftime('%Y-%m', e.at, '+8 hours'),
    s.staff_id, a.window_code,
    coalesce(case when a.window_code is not null then w.site_code end, d.site_code),
    i.department_code, c.item_code
from event e
join service_case c on c.case_number = e.case_number
join item i on i.item_code = c.item_code and i.version = c.item_version
left join rating_staff s on s.case_number = e.case_number
left join account a on a.account_id = s.staff_id
left join service_window w on w.window_code = a.window_code
left join department d on d.department_code = a.department_code
where e.kind = 'rated'
    -- One per case: the first (the old rule allowed no second).
    and e.seq = (select min(x.seq) from event x where x.case_number = e.case_number and x.kind = 'rated');

drop table rating_staff;

-- Their rectifications: fed back when the department answered, else still opened.
insert into rectification (rating_id, case_number, department_code, score, stage, opened_at,
    feedback, fed_back_at, fed_back_by)
select r.rating_id, r.case_number, r.department_code, r.score,
    case when ans.at is null then 'opened' else 'fed_back' end,
    r.rated_at, json_extract(ans.payload, '$.answer'), ans.at, ans.actor
from rating r
left join event ans on ans.case_number = r.case_number and ans.kind = 'rating_answered'
where r.score <= 2;
