-- 委托: an enterprise, through its verified account, mandates a person's verified account
-- to act for it; the agent then reaches the enterprise's cases and applies in its name.
create table mandate (
    enterprise_id text not null, -- the enterprise's 统一社会信用代码
    agent text not null references account (account_id),
    granted_by text not null references account (account_id),
    granted_at text not null,
    revoked_at text,
    primary key (enterprise_id, agent)
);
create index mandate_by_agent on mandate (agent);
