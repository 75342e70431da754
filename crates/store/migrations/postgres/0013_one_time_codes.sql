-- Phones on record for an identity: given with a case whose applicant's identity was
-- checked (received at a window, or handed in by the identity's verified account).
create table identity_phone (
    id_number text not null,
    phone text not null,
    recorded_at text not null,
    primary key (id_number, phone)
);

-- One-time codes sent to such a phone to verify an account (实名认证 by SMS). Only the
-- code's hash is kept.
create table one_time_code (
    code_id text primary key,
    account_id text not null references account (account_id),
    id_number text not null,
    phone text not null,
    code_hash text not null,
    created_at text not null,
    expires_at text not null,
    attempts integer not null default 0,
    used_at text
);
create index one_time_code_by_account on one_time_code (account_id, created_at);
