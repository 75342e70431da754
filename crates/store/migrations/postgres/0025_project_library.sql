-- The project library at scale (issue 19): 计划开工 (the month a project plans to start
-- building, 'YYYY-MM'; screening takes those planned for next year or the year after) and
-- 年度计划投资 (this year's planned investment, in fen), and the two new small types
-- (simple_government_investment, municipal_road).
alter table project add column planned_start text; -- 计划开工, 'YYYY-MM'
alter table project add column annual_investment_fen bigint not null default 0
    check (annual_investment_fen >= 0); -- 年度计划投资
alter table project drop constraint project_small_type_check;
alter table project add constraint project_small_type_check check (small_type in ('parking_lot',
    'coal_to_gas_boiler', 'simple_government_investment', 'municipal_road', 'other'));
create index project_by_planned_start on project (planned_start);
