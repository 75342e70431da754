//! Web Push subscriptions (issue 21): the browsers on which a person enabled notifications.
//! One row per endpoint (the browser's address at its push service); a browser that
//! subscribes again — with new keys, or under another account signed in on it — replaces
//! its row. The notice worker sends a push notice to each of the account's rows and deletes
//! a row whose push service says it is gone.

use crate::{Conn, Row, Store, StoreError, format_ts, parse_ts};

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscriptionRow {
    /// Id.
    pub id: i64,
    /// The account it notifies.
    pub account: String,
    /// The browser's push endpoint.
    pub endpoint: String,
    /// The browser's P-256 public key (base64url).
    pub p256dh: String,
    /// The browser's authentication secret (base64url).
    pub auth: String,
    /// When it was (last) subscribed.
    pub created_at: jiff::Timestamp,
    /// The browser, as its `User-Agent` named it (to tell a person's devices apart).
    pub user_agent: Option<String>,
}

impl PushSubscriptionRow {
    /// The subscription as the browser's `PushSubscription.toJSON()` gives it: the address
    /// of a push notice.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "endpoint": self.endpoint, "keys": { "p256dh": self.p256dh, "auth": self.auth } })
            .to_string()
    }
}

/// A subscription to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPushSubscription {
    /// The account it notifies.
    pub account: String,
    /// The browser's push endpoint.
    pub endpoint: String,
    /// The browser's P-256 public key (base64url).
    pub p256dh: String,
    /// The browser's authentication secret (base64url).
    pub auth: String,
    /// When.
    pub at: jiff::Timestamp,
    /// The browser's `User-Agent`, cut to 200 characters.
    pub user_agent: Option<String>,
}

const COLUMNS: &str = "subscription_id, account_id, endpoint, p256dh, auth, created_at, user_agent";

fn from_row(r: &Row) -> Result<PushSubscriptionRow, StoreError> {
    Ok(PushSubscriptionRow {
        id: r.try_get("subscription_id")?,
        account: r.try_get("account_id")?,
        endpoint: r.try_get("endpoint")?,
        p256dh: r.try_get("p256dh")?,
        auth: r.try_get("auth")?,
        created_at: parse_ts("push_subscription", &r.try_get::<String, _>("created_at")?)?,
        user_agent: r.try_get("user_agent")?,
    })
}

/// Inside a write: stores `s`, or replaces the row of the same endpoint (new keys, or the
/// browser now signed in as another account). Answers the row's id.
pub async fn upsert_push_subscription(conn: &mut Conn, s: &NewPushSubscription) -> Result<i64, StoreError> {
    let user_agent = s.user_agent.as_deref().map(|u| u.chars().take(200).collect::<String>());
    conn.query(
        "insert into push_subscription (account_id, endpoint, p256dh, auth, created_at, user_agent) \
         values ($1, $2, $3, $4, $5, $6) on conflict (endpoint) do update set account_id = excluded.account_id, \
         p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at, \
         user_agent = excluded.user_agent returning subscription_id",
    )
    .bind(&s.account)
    .bind(&s.endpoint)
    .bind(&s.p256dh)
    .bind(&s.auth)
    .bind(format_ts(s.at))
    .bind(user_agent)
    .scalar()
    .await
}

/// Inside a write: removes the subscription `id` (its push service said it is gone).
/// Answers whether there was one.
pub async fn delete_push_subscription(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = conn.query("delete from push_subscription where subscription_id = $1").bind(id).execute().await?;
    Ok(r.rows_affected() > 0)
}

/// Inside a write: removes `account`'s subscription at `endpoint` (the person turned
/// notifications off on that browser). Answers whether there was one.
pub async fn delete_push_subscription_of(conn: &mut Conn, account: &str, endpoint: &str) -> Result<bool, StoreError> {
    let r = conn
        .query("delete from push_subscription where account_id = $1 and endpoint = $2")
        .bind(account)
        .bind(endpoint)
        .execute()
        .await?;
    Ok(r.rows_affected() > 0)
}

/// `account`'s subscriptions, oldest first, on `conn` (inside a write, or a reader).
pub async fn push_subscription_rows(conn: &mut Conn, account: &str) -> Result<Vec<PushSubscriptionRow>, StoreError> {
    let rows = conn
        .query(&format!("select {COLUMNS} from push_subscription where account_id = $1 order by subscription_id"))
        .bind(account)
        .fetch_all()
        .await?;
    rows.iter().map(from_row).collect()
}

impl Store {
    /// `account`'s subscriptions as (id, the browser's subscription JSON): the addresses a
    /// push notice goes to.
    pub async fn push_subscriptions(&self, account: &str) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self.push_subscription_list(account).await?.into_iter().map(|s| (s.id, s.to_json())).collect())
    }

    /// `account`'s subscriptions, oldest first.
    pub async fn push_subscription_list(&self, account: &str) -> Result<Vec<PushSubscriptionRow>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        push_subscription_rows(&mut conn, account).await
    }
}
