-- 绿色通道: a priority case (opened for a step of a green-channel project) comes first in
-- every queue. Older cases had no priority. 0/1 as on SQLite, for sqlx's Any driver.
alter table service_case add column priority bigint not null default 0;
create index service_case_queue on service_case (priority, submitted_at, case_number);

-- The case a project step is handled as, recorded when a run opens it, so that deciding
-- the case finishes the step in the same transaction. A case serves at most one step.
create table project_step_case (
    case_number text primary key references service_case (case_number),
    project_code text not null references project (project_code),
    step_id text not null,
    unique (project_code, step_id)
);

-- Steps started before this migration: their cases, read from the runs' JSON (states[i]
-- is the state of plan.steps[i]).
insert into project_step_case (case_number, project_code, step_id)
select s.value ->> 'case', r.project_code, r.state::jsonb -> 'plan' -> 'steps' -> (s.ord::int - 1) ->> 'id'
from project_run r, jsonb_array_elements(r.state::jsonb -> 'states') with ordinality as s (value, ord)
where s.value ->> 'case' in (select case_number from service_case)
  and r.state::jsonb -> 'plan' -> 'steps' -> (s.ord::int - 1) ->> 'id' is not null;
