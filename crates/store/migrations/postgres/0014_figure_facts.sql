-- Facts for the published monthly figures, decided by core when a case is written
-- (tongban_core::supervision::{month_of, on_time}) so that no rule is kept in SQL:
-- the month (China Standard Time) a case was submitted in and closed in, and for a
-- delivered case whether it was delivered on time (1) or late (0).
alter table service_case add column submitted_month text;
alter table service_case add column closed_month text;
alter table service_case add column delivered_on_time integer;

-- Cases stored before this migration: the same rule, once, in SQL.
update service_case set
    submitted_month = to_char((submitted_at::timestamptz at time zone 'UTC') + interval '8 hours', 'YYYY-MM'),
    closed_month = case when closed_at is null then null else to_char((closed_at::timestamptz at time zone 'UTC') + interval '8 hours', 'YYYY-MM') end,
    delivered_on_time = case when state <> 'delivered' then null
        when due_at is not null and closed_at is not null and closed_at <= due_at then 1 else 0 end;

create index service_case_by_submitted_month on service_case (submitted_month);
create index service_case_by_closed_month on service_case (closed_month);
