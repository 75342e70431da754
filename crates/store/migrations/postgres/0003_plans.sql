-- Approval plans (审批流程方案) of modular approval, versioned like the catalog: storing a
-- plan whose id exists adds the next version; old versions stay. The plan itself is core's
-- JSON form ({id, name, version, steps: [...]}), checked by core when read back; the other
-- columns repeat what listings need without parsing it.
create table plan (
    plan_id text not null,
    version bigint not null,
    name text not null,
    step_count bigint not null,
    total_days bigint not null, -- critical-path working days
    imported_at text not null,
    -- text, not jsonb: queries are shared with SQLite through sqlx's Any driver, which
    -- binds strings, and core validates the document anyway.
    body text not null,
    primary key (plan_id, version)
);
