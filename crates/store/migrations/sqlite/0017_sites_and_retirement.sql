-- The organisation as data (issue 16): sites (办事地点 — the main hall, a 分中心, a county
-- hall) with their address, hours and phone; departments and windows placed at a site;
-- and retirement instead of deletion, so that retired things keep their history.
create table site (
    site_code text primary key,
    name text not null,
    division_code text not null references division (division_code),
    address text not null default '',
    hours text not null default '',
    phone text not null default '',
    retired_at text
);

alter table division add column retired_at text;
alter table department add column site_code text references site (site_code);
alter table department add column retired_at text;
alter table service_window add column site_code text references site (site_code);
alter table service_window add column retired_at text;

-- A guide that says where, when and who: the sites that handle an item (JSON array of
-- site codes), its conditions (受理条件), its process steps (办理流程, JSON array of step
-- names) and whom to ask (咨询电话 / contact).
alter table item add column sites text not null default '[]';
alter table item add column conditions text not null default '';
alter table item add column steps text not null default '[]';
alter table item add column contact text not null default '';
