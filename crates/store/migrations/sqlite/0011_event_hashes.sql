-- Each event row's hash (tongban_core::audit::event_hash), so `audit verify` finds an
-- edited row; events written before this migration have none and are reported as such.
alter table event add column hash text;
