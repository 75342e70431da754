-- Joint review meetings (联审联批, issue 19): a meeting held by a county or functional zone,
-- its agenda of projects with the decision on each (exit, roadmap, unblocked), and the
-- roadmap tasks (路线图) a roadmap decision gives, each supervised as a follow-up.
create table meeting (
    meeting_id integer primary key,
    title text not null,
    held_on text not null, -- the day it was held, 'YYYY-MM-DD' (China Standard Time)
    division_code text not null references division (division_code),
    -- JSON arrays: leaders' names; chief representatives (首席代表) {department, name,
    -- account}; the project units attending. Shown, never queried.
    leaders text not null default '[]',
    representatives text not null default '[]',
    units text not null default '[]',
    minutes text not null default '', -- 会议纪要
    recorded_by text not null,
    recorded_at text not null
);
create index meeting_by_day on meeting (held_on, meeting_id);

-- One row per project on a meeting's agenda; decision null when it was on the agenda but
-- not decided there.
create table meeting_project (
    meeting_id integer not null references meeting (meeting_id),
    project_code text not null references project (project_code),
    -- Its place on the agenda.
    position integer not null,
    decision text check (decision in ('exit', 'roadmap', 'unblocked')),
    reasons text not null default '',
    blockages text not null default '[]', -- JSON array of the blockages solved
    -- For 'unblocked': 1 when the project was running already (its run was left as it was).
    was_running integer not null default 0,
    primary key (meeting_id, project_code)
);
create index meeting_project_by_project on meeting_project (project_code);

create table roadmap_task (
    task_id integer primary key,
    meeting_id integer not null references meeting (meeting_id),
    project_code text not null references project (project_code),
    title text not null,
    department_code text not null references department (department_code),
    person text,
    started_at text not null,
    days integer not null check (days > 0),
    due_at text not null,
    follow_up_id integer references follow_up (follow_up_id),
    done_at text,
    done_by text
);
create index roadmap_task_open on roadmap_task (due_at) where done_at is null;
create index roadmap_task_by_meeting on roadmap_task (meeting_id, project_code, task_id);
