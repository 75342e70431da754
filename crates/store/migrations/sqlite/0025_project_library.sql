-- The project library at scale (issue 19): 计划开工 (the month a project plans to start
-- building, 'YYYY-MM'; screening takes those planned for next year or the year after) and
-- 年度计划投资 (this year's planned investment, in fen), and the two new small types
-- (simple_government_investment, municipal_road).
--
-- SQLite cannot alter a check, so the table is rebuilt. consultation, project_run and
-- project_step_case reference it by name: with foreign keys deferred, dropping the old
-- table counts their rows as violations, and inserting the same codes into the new table
-- of the same name settles them before the migration's transaction commits (renaming a
-- copy instead would leave them counted).
pragma defer_foreign_keys = on;

create table project_0025_copy as select * from project;
drop table project;

create table project (
    project_code text primary key, -- 项目代码 (投资项目统一代码)
    name text not null,
    unit text not null, -- 项目单位
    project_type text not null check (project_type in ('government_invested', 'enterprise_invested', 'small')),
    -- Only for small projects (小型项目): which special type.
    small_type text check (small_type in ('parking_lot', 'coal_to_gas_boiler', 'simple_government_investment',
        'municipal_road', 'other')),
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
    planned_start text, -- 计划开工, 'YYYY-MM'
    annual_investment_fen integer not null default 0 check (annual_investment_fen >= 0), -- 年度计划投资
    check ((project_type = 'small') = (small_type is not null))
);
insert into project (project_code, name, unit, project_type, small_type, investment_fen, division_code, stage,
    green_channel, credit_code, phone, created_by, created_at, updated_at)
    select project_code, name, unit, project_type, small_type, investment_fen, division_code, stage,
        green_channel, credit_code, phone, created_by, created_at, updated_at
    from project_0025_copy;
drop table project_0025_copy;
create index project_by_stage on project (stage, project_code);
create index project_by_planned_start on project (planned_start);
