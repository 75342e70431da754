-- Case numbers on PostgreSQL come from one sequence per division and year, so concurrent
-- submissions do not queue on a counter row until they commit. This function takes the
-- next number in one round trip, creating the sequence on first use; a concurrent creator
-- is tolerated. Numbers stay unique; a rolled-back transaction may leave a gap.
create function next_case_number(division text, year bigint) returns bigint language plpgsql as $$
declare
    name text := format('case_number_%s_%s', division, lpad(year::text, 4, '0'));
begin
    if to_regclass(name) is null then
        begin
            execute format('create sequence if not exists %I', name);
        exception when unique_violation or duplicate_table then
            null;
        end;
    end if;
    return nextval(name);
end;
$$;
