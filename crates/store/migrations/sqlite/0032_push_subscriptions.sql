-- Web Push subscriptions (issue 21): each browser on which a person enabled notifications
-- (the online hall installed as an app). The endpoint is the browser's own address at its
-- push service, so it is unique: a browser subscribing again under another account moves
-- to that account. p256dh and auth are the browser's keys (base64url), public by design.
create table push_subscription (
    subscription_id integer primary key,
    account_id text not null references account (account_id),
    endpoint text not null unique,
    p256dh text not null,
    auth text not null,
    created_at text not null,
    user_agent text
);
create index push_subscription_by_account on push_subscription (account_id);
