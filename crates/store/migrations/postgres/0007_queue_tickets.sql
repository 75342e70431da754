-- Queue tickets (排队号) taken at the kiosk: one counter row per day and letter, so two
-- queues sharing a letter never hand out the same number; the increment is an upsert in
-- the writer's transaction (SQLite: the single writer; PostgreSQL: the row lock).
create table ticket_sequence (
    ticket_day text not null,
    letter text not null,
    last bigint not null,
    primary key (ticket_day, letter)
);

-- queue_code is a department code or 'comprehensive' (综合窗口).
create table queue_ticket (
    ticket_day text not null,
    number text not null,
    queue_code text not null,
    seq bigint not null,
    taken_at text not null,
    called_at text,
    called_by text,
    primary key (ticket_day, number)
);

create index queue_ticket_waiting on queue_ticket (ticket_day, queue_code, called_at, seq);
