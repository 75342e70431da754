-- Each time a member of staff opened an uploaded material file (调阅记录): the applicant
-- sees who opened their files and when.
create table material_read (
    case_number text not null references service_case (case_number),
    material text not null,
    sha256 text not null,
    read_by text not null,
    read_at text not null
);

create index material_read_by_case on material_read (case_number, read_at);
