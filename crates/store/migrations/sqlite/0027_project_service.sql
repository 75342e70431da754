-- Proactive project service (issue 19, part B): trainings that find blockages (集中培训查堵)
-- with their attendees, projects and policy packs; problems found on projects with their
-- class and handling (对症下药开方), each supervised as a follow-up; coordination meetings
-- (协调会商) of several departments on complex projects.

create table training (
    training_id integer primary key,
    topic text not null,
    held_on text not null, -- YYYY-MM-DD
    departments text not null, -- JSON array of the organising departments' codes
    policy_packs text not null, -- JSON array of the 审批政策包 titles handed out
    people integer not null, -- how many people attended (the rows of training_attendee)
    recorded_by text not null,
    recorded_at text not null
);
create index training_by_day on training (held_on);

create table training_attendee (
    training_id integer not null references training (training_id),
    seq integer not null,
    name text not null,
    unit text not null,
    phone text,
    primary key (training_id, seq)
);

create table training_project (
    training_id integer not null references training (training_id),
    project_code text not null references project (project_code),
    primary key (training_id, project_code)
);
create index training_project_by_project on training_project (project_code);

create table coordination (
    coordination_id integer primary key,
    title text not null,
    held_on text not null, -- YYYY-MM-DD
    conclusion text not null, -- the joint 靶向治疗 plan
    recorded_by text not null,
    recorded_at text not null
);
create index coordination_by_day on coordination (held_on);

create table coordination_opinion (
    coordination_id integer not null references coordination (coordination_id),
    department_code text not null,
    opinion text not null,
    primary key (coordination_id, department_code)
);

create table coordination_project (
    coordination_id integer not null references coordination (coordination_id),
    project_code text not null references project (project_code),
    decision text not null check (decision in ('plan', 'exit')),
    reasons text, -- for an exit: the reasons told to the investor
    primary key (coordination_id, project_code),
    check ((decision = 'exit') = (reasons is not null))
);
create index coordination_project_by_project on coordination_project (project_code);

create table project_problem (
    problem_id integer primary key,
    project_code text not null references project (project_code),
    class text not null check (class in ('missing_materials', 'poor_scheme', 'land_or_funds', 'illegal')),
    description text not null,
    remedy text, -- 药方
    department_code text not null, -- the owner department
    days integer not null check (days between 1 and 365), -- working days to solve it
    found_at text not null,
    due_at text not null,
    source_kind text not null check (source_kind in ('training', 'consultation', 'coordination', 'other')),
    source_id integer, -- the training, consultation or coordination that found it
    follow_up_id integer not null, -- its 督办事项
    handling text check (handling in ('materials_provided', 'scheme_optimised', 'coordinated', 'exited', 'rectified')),
    note text,
    exit_reasons text,
    closed_at text,
    closed_by text,
    closed_by_coordination integer references coordination (coordination_id),
    recorded_by text not null,
    recorded_at text not null,
    check ((source_kind = 'other') = (source_id is null)),
    check ((handling is null) = (closed_at is null))
);
create index project_problem_by_project on project_problem (project_code, problem_id);
create index project_problem_by_class on project_problem (class, closed_at);
