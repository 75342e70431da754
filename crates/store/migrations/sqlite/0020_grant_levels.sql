-- 逐级授权 levels: each grant records where its grantor and its grantee stood in the chain
-- (head 主要领导, deputy 分管领导, chief 处室负责人, staff 一般工作人员) when it was given, so
-- a decision's chain reads with its levels even after people change posts.
alter table delegation add column grantor_level text check (grantor_level in ('head', 'deputy', 'chief', 'staff'));
alter table delegation add column grantee_level text check (grantee_level in ('head', 'deputy', 'chief', 'staff'));

-- Existing grants: the account's position today is the best record there is; a grantor
-- without one who is the department's head (its root holder) gave as head.
update delegation set grantor_level = coalesce(
    (select a.position from account a where a.account_id = delegation.grantor),
    (select 'head' from account a where a.account_id = delegation.grantor
        and a.role = 'department_head' and a.department_code = delegation.department_code)
);
update delegation set grantee_level =
    (select a.position from account a where a.account_id = delegation.grantee);

-- A case arriving online goes to the least-loaded of the department's staff: read by department.
create index account_by_department on account (department_code);
