-- Identity: accounts (staff and applicants), sessions, API tokens, delegation grants,
-- first responsible persons, the hash-chained audit log, and idempotency keys.

create table account (
    account_id text primary key,
    kind text not null check (kind in ('staff', 'applicant')),
    display_name text not null,
    role text not null,
    department_code text references department (department_code),
    window_code text references service_window (window_code),
    position text check (position in ('head', 'deputy', 'chief', 'staff')),
    applicant_kind text check (applicant_kind in ('individual', 'enterprise')),
    id_number text,
    phone text,
    password_hash text not null,
    disabled integer not null default 0,
    created_at text not null
);

-- Only the SHA-256 of a session id or token secret is stored.
create table session (
    session_hash text primary key,
    account_id text not null references account (account_id),
    csrf_token text not null,
    created_at text not null,
    expires_at text not null
);
create index session_by_account on session (account_id);

create table api_token (
    token_id text primary key,
    token_hash text not null unique,
    account_id text not null references account (account_id),
    name text not null,
    scopes text not null, -- JSON array
    created_at text not null,
    expires_at text not null,
    revoked_at text
);

create table delegation (
    grant_id text primary key,
    grantor text not null references account (account_id),
    grantee text not null references account (account_id),
    department_code text not null references department (department_code),
    items text, -- JSON array of item codes; null = all of the department's items
    powers text not null, -- JSON array
    valid_from text not null,
    valid_until text,
    revoked_at text,
    parent_grant_id text references delegation (grant_id),
    created_at text not null
);
create index delegation_by_grantee on delegation (grantee);

-- 审批第一责任人: the person first responsible for approving an item.
create table first_responsible (
    item_code text primary key,
    account_id text not null references account (account_id)
);

-- Append-only and hash-chained: each entry holds the hash of the one before.
create table audit_log (
    seq integer primary key,
    at text not null,
    actor text not null,
    action text not null,
    subject text not null,
    detail text not null,
    prev_hash text not null,
    hash text not null
);

-- The grants a decision was taken under (JSON array of grant ids, root first).
alter table event add column authority text;

create table idempotency_key (
    idempotency_key text not null,
    account_id text not null,
    request_hash text not null,
    status integer not null,
    response text not null,
    created_at text not null,
    primary key (idempotency_key, account_id)
);

-- Refuse casual edits; the hash chain catches anyone who drops these first.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

-- Uploaded material files, kept in the database so a case and its files commit together.
create table material_file (
    case_number text not null references service_case (case_number),
    material text not null,
    sha256 text not null,
    size integer not null,
    content_type text not null,
    content blob not null,
    uploaded_by text not null,
    uploaded_at text not null,
    primary key (case_number, material, sha256)
);
