-- The working calendar as announced years and local closures, with a revision that every
-- server polls so an import applies everywhere without a restart. A year not stored here
-- is built in (2020–2026) or provisional (the holiday law).
create table calendar_year (
    year integer primary key,
    days text not null, -- the schedule as CSV: date,kind,name
    imported_at text not null,
    imported_by text not null,
    revision integer not null
);

-- 闭厅: a day a division's halls close (and those of the divisions inside it).
create table calendar_closure (
    division_code text not null,
    day text not null,
    name text not null,
    created_at text not null,
    created_by text not null,
    revision integer not null,
    primary key (division_code, day)
);

-- One row: the calendar's revision, bumped by every import and closure change.
create table calendar_meta (
    id integer primary key check (id = 1),
    revision integer not null
);
insert into calendar_meta (id, revision) values (1, 0);

-- The revision a running case's due time is known to agree with.
alter table service_case add column calendar_revision integer not null default 0;

-- Years imported before: one stored year per year of the old rows.
insert into calendar_year (year, days, imported_at, imported_by, revision)
select cast(substr(day, 1, 4) as integer),
       'date,kind,name' || char(10) || group_concat(day || ',' || kind || ',' || name, char(10)) || char(10),
       '1970-01-01T00:00:00.000000Z', 'migration', 0
from (select day, kind, name from calendar_day order by day)
group by substr(day, 1, 4);
drop table calendar_day;
