-- Approval plans (审批流程方案) of modular approval, versioned like the catalog: storing a
-- plan whose id exists adds the next version; old versions stay. The plan itself is core's
-- JSON form ({id, name, version, steps: [...]}), checked by core when read back; the other
-- columns repeat what listings need without parsing it.
create table plan (
    plan_id text not null,
    version integer not null,
    name text not null,
    step_count integer not null,
    total_days integer not null, -- critical-path working days
    imported_at text not null,
    body text not null, -- JSON
    primary key (plan_id, version)
);
