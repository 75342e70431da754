-- The published lists (issue 16): 权责清单 (powers), 职责清单 (duties), 财政专项资金管理清单
-- (funds) and 便民服务事项 (services). Each import publishes a whole new version of one
-- kind's list; the versions before stay, as the catalog's do.
create table list_version (
    list_kind text not null check (list_kind in ('powers', 'duties', 'funds', 'services')),
    version integer not null,
    label text not null,
    published_at text not null,
    -- The account (or the console) that published it.
    published_by text not null,
    entries integer not null,
    primary key (list_kind, version)
);

create table list_entry (
    list_kind text not null,
    version integer not null,
    entry_code text not null,
    -- Where the row stood in the file, so a list reads back in the order it was published.
    position integer not null,
    -- The entry's name (a duty's text for the duties list), for showing and sorting.
    name text not null,
    department_code text not null references department (department_code),
    -- JSON of the whole entry, its kind-specific columns included.
    fields text not null,
    -- Lower-cased text of every cell and the department's name, for search (`like`).
    search_text text not null,
    primary key (list_kind, version, entry_code),
    foreign key (list_kind, version) references list_version (list_kind, version)
);
create index list_entry_by_position on list_entry (list_kind, version, position);
