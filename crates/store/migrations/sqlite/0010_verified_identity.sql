-- 实名认证: an applicant account's identity once verified — how, when and by whom (the
-- clerk who saw the document, or the identity provider's issuer).
alter table account add column verified_method text check (verified_method in ('window', 'oidc', 'sms'));
alter table account add column verified_at text;
alter table account add column verified_by text;
-- A verified identity (ID number or credit code) belongs to one account.
create unique index account_verified_identity on account (id_number) where verified_at is not null;

-- The account that handed a case in: an unverified account reaches these cases only.
alter table service_case add column submitted_by text;
create index service_case_by_submitter on service_case (submitted_by);
