-- PostgreSQL only (see postgres/0006): SQLite numbers cases with the case_sequence row,
-- inside its single writer. Kept so both backends share migration numbers.
select 1;
