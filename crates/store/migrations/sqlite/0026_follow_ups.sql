-- Follow-ups (督办事项, issue 19): what a department owes a project by a working-day deadline
-- — a problem found on it (对症下药) or a task of a joint review meeting's roadmap (路线图) —
-- supervised like case deadlines until done. The worker keeps each open one's colour and
-- raises an alert the first time it turns yellow and red.
create table follow_up (
    follow_up_id integer primary key,
    project_code text not null references project (project_code),
    kind text not null check (kind in ('problem', 'roadmap_task')),
    title text not null,
    department_code text not null references department (department_code),
    owner text, -- a person, when one is named
    started_at text not null,
    days integer not null check (days > 0),
    due_at text not null,
    done_at text,
    colour text not null default 'green' check (colour in ('green', 'yellow', 'red')),
    colour_since text not null
);
-- The worker reads only the open ones; pages read a project's.
create index follow_up_open on follow_up (due_at) where done_at is null;
create index follow_up_by_project on follow_up (project_code, follow_up_id);

create table follow_up_alert (
    alert_id integer primary key,
    follow_up_id integer not null references follow_up (follow_up_id),
    colour text not null check (colour in ('yellow', 'red')),
    since text not null,
    raised_at text not null,
    department_code text not null,
    unique (follow_up_id, colour)
);
create index follow_up_alert_by_time on follow_up_alert (raised_at);

-- 退出: the reasons told to the investor when a project leaves the approval process.
alter table project add column exit_reasons text;
