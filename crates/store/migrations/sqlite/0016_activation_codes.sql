-- One-time activation codes (激活码) for accounts created without a password (imported
-- staff, `tongban admin create-user --no-password`): the administrator hands the code
-- over and its holder sets a password with it, once. Only the code's SHA-256 is kept.
-- Such an account's password_hash is empty until then, and nothing verifies against it.
create table activation_code (
    code_id text primary key,
    account_id text not null references account (account_id),
    code_hash text not null,
    issued_by text not null,
    issued_at text not null,
    expires_at text not null,
    used_at text,
    -- Set when a newer code was issued, or a password set otherwise: one code counts at a time.
    voided_at text
);

create index activation_code_by_account on activation_code (account_id, code_hash);
