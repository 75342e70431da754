-- The project library (项目库) of construction projects, the pre-consultation visits that
-- fill it (上门对接建库), and each project's run through an approval plan.

create table project (
    project_code text primary key, -- 项目代码 from the investment project platform
    name text not null,
    unit text not null, -- 项目单位
    project_type text not null check (project_type in ('government_invested', 'enterprise_invested', 'small')),
    -- Only for small projects (小型项目): which special type.
    small_type text check (small_type in ('parking_lot', 'coal_to_gas_boiler', 'other')),
    investment_fen integer not null check (investment_fen >= 0), -- 总投资, 1 yuan = 100 fen
    division_code text not null references division (division_code), -- 建设地点
    stage text not null check (stage in ('pre_consultation', 'in_approval', 'under_construction', 'completed', 'exited')),
    green_channel integer not null default 0, -- 绿色通道
    -- The unit as an applicant: with a credit code, a started step linked to a service
    -- item opens a real case for it.
    credit_code text, -- 统一社会信用代码
    phone text,
    created_by text not null,
    created_at text not null,
    updated_at text not null,
    check ((project_type = 'small') = (small_type is not null))
);
create index project_by_stage on project (stage, project_code);

create table consultation (
    consultation_id integer primary key,
    project_code text not null references project (project_code),
    at text not null, -- when the visit took place
    by_account text not null,
    notes text not null,
    recorded_at text not null
);
create index consultation_by_project on consultation (project_code, at);

-- One run per project. The run (core's ProjectRun as JSON) carries the plan it runs
-- through, with green-channel limits applied, so a later version of the plan does not
-- change a running project; plan_id and plan_version repeat it for queries.
create table project_run (
    project_code text primary key references project (project_code),
    plan_id text not null,
    plan_version integer not null,
    green_channel integer not null,
    started_at text not null,
    updated_at text not null,
    complete integer not null default 0,
    version integer not null, -- optimistic concurrency: bumped by every change
    state text not null -- JSON
);
