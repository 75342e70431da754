//! Accounts, sessions, API tokens, grants, first responsible persons, the audit log and
//! idempotency keys. Secrets are never stored: only their SHA-256 (tokens, session ids)
//! or argon2 hash (passwords, computed by the caller).

use crate::Conn;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use tongban_core::audit::{AuditEntry, GENESIS, entry_hash};
use tongban_core::delegation::Grant;
use tongban_core::identity::{Power, Role, VerificationMethod};
use tongban_core::org::{DepartmentCode, Position};

use crate::catalog::json;
use crate::{Store, StoreError, format_ts, parse_ts};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Login name.
    pub id: String,
    /// `staff` or `applicant`.
    pub kind: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Department, for staff.
    pub department: Option<DepartmentCode>,
    /// Window, for clerks.
    pub window: Option<String>,
    /// Position in the chain, for staff.
    pub position: Option<String>,
    /// `individual` or `enterprise`, for applicants.
    pub applicant_kind: Option<String>,
    /// ID number or 统一社会信用代码, for applicants.
    pub id_number: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The argon2 PHC string.
    pub password_hash: String,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// For applicants: how and when their identity was verified (实名认证); none while
    /// the identity number is only what they typed.
    pub verified: Option<Verified>,
}

/// A verified identity: how, when, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// How.
    pub method: VerificationMethod,
    /// When.
    pub at: jiff::Timestamp,
    /// The clerk who saw the document, or the identity provider's issuer.
    pub by: String,
}

impl Account {
    /// The identity number this account has proven, if any.
    pub fn verified_id(&self) -> Option<&str> {
        self.verified.as_ref().and(self.id_number.as_deref())
    }
}

/// Adds an account.
pub async fn insert_account(conn: &mut Conn, a: &Account, now: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query(
        "insert into account (account_id, kind, display_name, role, department_code, window_code, position, applicant_kind, \
         id_number, phone, password_hash, disabled, created_at, verified_method, verified_at, verified_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&a.id)
    .bind(&a.kind)
    .bind(&a.display_name)
    .bind(a.role.as_str())
    .bind(a.department.as_ref().map(|d| d.to_string()))
    .bind(a.window.clone())
    .bind(a.position.clone())
    .bind(a.applicant_kind.clone())
    .bind(a.id_number.clone())
    .bind(a.phone.clone())
    .bind(&a.password_hash)
    .bind(i64::from(a.disabled))
    .bind(format_ts(now))
    .bind(a.verified.as_ref().map(|v| v.method.as_str()))
    .bind(a.verified.as_ref().map(|v| format_ts(v.at)))
    .bind(a.verified.as_ref().map(|v| v.by.clone()))
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("account {} (or a verified account with its identity)", a.id)))?;
    Ok(())
}

/// Records that `account` is verified as `id_number` (and `name`, as the document reads).
/// False when there is no such applicant account; a conflict when another account already
/// holds that verified identity.
pub async fn verify_identity(
    conn: &mut Conn,
    account: &str,
    id_number: &str,
    name: &str,
    verified: &Verified,
) -> Result<bool, StoreError> {
    let r = conn
        .query(
            "update account set id_number = $1, display_name = $2, verified_method = $3, verified_at = $4, \
             verified_by = $5 where account_id = $6 and kind = 'applicant'",
        )
        .bind(id_number)
        .bind(name)
        .bind(verified.method.as_str())
        .bind(format_ts(verified.at))
        .bind(&verified.by)
        .bind(account)
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || "a verified account with this identity".to_owned()))?;
    Ok(r.rows_affected() == 1)
}

/// Disables (or re-enables) an account; disabling ends its sessions and revokes its
/// tokens in the same transaction. False when there is no such account.
pub async fn set_disabled(
    conn: &mut Conn,
    account: &str,
    disabled: bool,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query("update account set disabled = $1 where account_id = $2")
        .bind(i64::from(disabled))
        .bind(account)
        .execute()
        .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    if disabled {
        end_sessions_and_tokens(conn, account, None, now).await?;
    }
    Ok(true)
}

/// Sets an account's password hash and ends its other sessions and its tokens (whoever
/// knew the old password may hold them). `keep` is the session that made the change.
pub async fn set_password(
    conn: &mut Conn,
    account: &str,
    hash: &str,
    keep: Option<&str>,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query("update account set password_hash = $1 where account_id = $2")
        .bind(hash)
        .bind(account)
        .execute()
        .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    end_sessions_and_tokens(conn, account, keep, now).await?;
    Ok(true)
}

async fn end_sessions_and_tokens(
    conn: &mut Conn,
    account: &str,
    keep: Option<&str>,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query("delete from session where account_id = $1 and session_hash <> $2")
        .bind(account)
        .bind(keep.unwrap_or(""))
        .execute()
        .await?;
    conn.query("update api_token set revoked_at = $1 where account_id = $2 and revoked_at is null")
        .bind(format_ts(now))
        .bind(account)
        .execute()
        .await?;
    Ok(())
}

/// Changes an account's role.
pub async fn update_role(conn: &mut Conn, account: &str, role: Role) -> Result<bool, StoreError> {
    let r = conn
        .query("update account set role = $1 where account_id = $2")
        .bind(role.as_str())
        .bind(account)
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Inside a write: an account's role and whether it is an applicant's own account, and how
/// many administrators there are; on PostgreSQL serialised with every other role change, so
/// two administrators cannot demote each other at once.
pub async fn role_facts(conn: &mut Conn, account: &str) -> Result<Option<(Role, bool, u64)>, StoreError> {
    conn.serialize("account roles").await?;
    let Some(row) =
        conn.query("select role, kind from account where account_id = $1").bind(account).fetch_optional().await?
    else {
        return Ok(None);
    };
    let role: String = row.try_get("role")?;
    let kind: String = row.try_get("kind")?;
    let role = Role::parse(&role).ok_or_else(|| StoreError::corrupt("account", format!("unknown role {role:?}")))?;
    let admins: i64 = conn
        .query("select count(*) from account where role = $1 and disabled = 0")
        .bind(Role::Administrator.as_str())
        .scalar()
        .await?;
    Ok(Some((role, kind == "applicant", u64::try_from(admins).unwrap_or(0))))
}

fn account_from_row(r: &AnyRow) -> Result<Account, StoreError> {
    let role: String = r.try_get("role")?;
    let dept: Option<String> = r.try_get("department_code")?;
    let disabled: i64 = r.try_get("disabled")?;
    let method: Option<String> = r.try_get("verified_method")?;
    let verified = match method {
        None => None,
        Some(m) => {
            let bad = |e: String| StoreError::corrupt("account", e);
            let at: Option<String> = r.try_get("verified_at")?;
            Some(Verified {
                method: VerificationMethod::parse(&m).ok_or_else(|| bad(format!("verification method {m:?}")))?,
                at: parse_ts("account", &at.ok_or_else(|| bad("verified without a time".into()))?)?,
                by: r.try_get::<Option<String>, _>("verified_by")?.unwrap_or_default(),
            })
        }
    };
    Ok(Account {
        id: r.try_get("account_id")?,
        kind: r.try_get("kind")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt("account", format!("role {role:?}")))?,
        department: dept
            .map(|d| DepartmentCode::parse(&d).map_err(|e| StoreError::corrupt("account", e)))
            .transpose()?,
        window: r.try_get("window_code")?,
        position: r.try_get("position")?,
        applicant_kind: r.try_get("applicant_kind")?,
        id_number: r.try_get("id_number")?,
        phone: r.try_get("phone")?,
        password_hash: r.try_get("password_hash")?,
        disabled: disabled != 0,
        verified,
    })
}

const ACCOUNT_COLUMNS: &str = "account_id, kind, display_name, role, department_code, window_code, position, applicant_kind, id_number, phone, password_hash, disabled, verified_method, verified_at, verified_by";

/// Adds a session (by the hash of its id).
pub async fn insert_session(
    conn: &mut Conn,
    hash: &str,
    account: &str,
    csrf: &str,
    now: jiff::Timestamp,
    expires: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query("insert into session (session_hash, account_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)")
        .bind(hash)
        .bind(account)
        .bind(csrf)
        .bind(format_ts(now))
        .bind(format_ts(expires))
        .execute()
        .await?;
    Ok(())
}

/// Removes a session.
pub async fn delete_session(conn: &mut Conn, hash: &str) -> Result<(), StoreError> {
    conn.query("delete from session where session_hash = $1").bind(hash).execute().await?;
    Ok(())
}

/// Adds an API token (by the hash of its secret).
#[expect(clippy::too_many_arguments, reason = "one row's columns, each bound once")]
pub async fn insert_token(
    conn: &mut Conn,
    id: &str,
    hash: &str,
    account: &str,
    name: &str,
    scopes: &[String],
    now: jiff::Timestamp,
    expires: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query("insert into api_token (token_id, token_hash, account_id, name, scopes, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(hash)
        .bind(account)
        .bind(name)
        .bind(json(&scopes))
        .bind(format_ts(now))
        .bind(format_ts(expires))
        .execute()
        .await?;
    Ok(())
}

/// Revokes a token of `account`; false when there is none.
pub async fn revoke_token(conn: &mut Conn, id: &str, account: &str, now: jiff::Timestamp) -> Result<bool, StoreError> {
    let r = conn
        .query("update api_token set revoked_at = $1 where token_id = $2 and account_id = $3 and revoked_at is null")
        .bind(format_ts(now))
        .bind(id)
        .bind(account)
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A mandate (委托): an enterprise's account lets an agent's account act for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    /// The enterprise's 统一社会信用代码.
    pub enterprise_id: String,
    /// The agent's login.
    pub agent: String,
    /// The enterprise account that granted it.
    pub granted_by: String,
    /// When.
    pub granted_at: jiff::Timestamp,
}

/// Grants (or grants again) a mandate.
pub async fn grant_mandate(conn: &mut Conn, m: &Mandate) -> Result<(), StoreError> {
    conn.query(
        "insert into mandate (enterprise_id, agent, granted_by, granted_at, revoked_at) values ($1, $2, $3, $4, null) \
         on conflict (enterprise_id, agent) do update set granted_by = $3, granted_at = $4, revoked_at = null",
    )
    .bind(&m.enterprise_id)
    .bind(&m.agent)
    .bind(&m.granted_by)
    .bind(format_ts(m.granted_at))
    .execute()
    .await?;
    Ok(())
}

/// Revokes an enterprise's mandate of `agent`; false when there is none in force.
pub async fn revoke_mandate(
    conn: &mut Conn,
    enterprise_id: &str,
    agent: &str,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query("update mandate set revoked_at = $1 where enterprise_id = $2 and agent = $3 and revoked_at is null")
        .bind(format_ts(at))
        .bind(enterprise_id)
        .bind(agent)
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A one-time code sent to verify an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    /// Id.
    pub id: String,
    /// The account it verifies.
    pub account: String,
    /// The identity it verifies the account as.
    pub id_number: String,
    /// The phone it went to.
    pub phone: String,
    /// SHA-256 of the code.
    pub code_hash: String,
    /// When it was sent.
    pub created_at: jiff::Timestamp,
    /// Until when it may be typed back.
    pub expires_at: jiff::Timestamp,
    /// Wrong codes typed so far.
    pub attempts: u32,
}

/// Stores a code about to be sent.
pub async fn insert_one_time_code(conn: &mut Conn, c: &OneTimeCode) -> Result<(), StoreError> {
    conn.query(
        "insert into one_time_code (code_id, account_id, id_number, phone, code_hash, created_at, expires_at, attempts) \
         values ($1, $2, $3, $4, $5, $6, $7, 0)",
    )
    .bind(&c.id)
    .bind(&c.account)
    .bind(&c.id_number)
    .bind(&c.phone)
    .bind(&c.code_hash)
    .bind(format_ts(c.created_at))
    .bind(format_ts(c.expires_at))
    .execute()
    .await?;
    Ok(())
}

/// Inside a write: the account's newest unused code, and how many codes it was sent since
/// `since` (for the sending rate). Serialised per account on PostgreSQL, so parallel
/// requests and tries count one another.
pub async fn newest_one_time_code(
    conn: &mut Conn,
    account: &str,
    since: jiff::Timestamp,
) -> Result<(Option<OneTimeCode>, u64), StoreError> {
    conn.serialize(&format!("one-time codes of {account}")).await?;
    let row = conn
        .query(
            "select code_id, account_id, id_number, phone, code_hash, created_at, expires_at, attempts \
             from one_time_code where account_id = $1 and used_at is null order by created_at desc limit 1",
        )
        .bind(account)
        .fetch_optional()
        .await?;
    let code = match row {
        None => None,
        Some(r) => {
            let (created, expires): (String, String) = (r.try_get("created_at")?, r.try_get("expires_at")?);
            let attempts: i64 = r.try_get("attempts")?;
            Some(OneTimeCode {
                id: r.try_get("code_id")?,
                account: r.try_get("account_id")?,
                id_number: r.try_get("id_number")?,
                phone: r.try_get("phone")?,
                code_hash: r.try_get("code_hash")?,
                created_at: parse_ts("one_time_code", &created)?,
                expires_at: parse_ts("one_time_code", &expires)?,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            })
        }
    };
    let sent: i64 = conn
        .query("select count(*) from one_time_code where account_id = $1 and created_at >= $2")
        .bind(account)
        .bind(format_ts(since))
        .scalar()
        .await?;
    Ok((code, u64::try_from(sent).unwrap_or(0)))
}

/// Counts a wrong code against `id`, or marks it used (`used` true).
pub async fn mark_one_time_code(conn: &mut Conn, id: &str, used: bool, at: jiff::Timestamp) -> Result<(), StoreError> {
    let query = if used {
        conn.query("update one_time_code set used_at = $1 where code_id = $2").bind(format_ts(at))
    } else {
        conn.query("update one_time_code set attempts = attempts + 1 where code_id = $1")
    };
    query.bind(id).execute().await?;
    Ok(())
}

/// Removes a code that could not be sent.
pub async fn delete_one_time_code(conn: &mut Conn, id: &str) -> Result<(), StoreError> {
    conn.query("delete from one_time_code where code_id = $1").bind(id).execute().await?;
    Ok(())
}

/// Stores a grant.
pub async fn insert_grant(conn: &mut Conn, g: &Grant, now: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query(
        "insert into delegation (grant_id, grantor, grantee, department_code, items, powers, valid_from, valid_until, revoked_at, parent_grant_id, created_at, grantor_level, grantee_level) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&g.id)
    .bind(&g.grantor)
    .bind(&g.grantee)
    .bind(g.department.as_str())
    .bind(g.items.as_ref().map(json))
    .bind(json(&g.powers))
    .bind(format_ts(g.valid_from))
    .bind(g.valid_until.map(format_ts))
    .bind(g.revoked_at.map(format_ts))
    .bind(g.parent.clone())
    .bind(format_ts(now))
    .bind(g.levels.grantor.map(Position::as_str))
    .bind(g.levels.grantee.map(Position::as_str))
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("grant {}", g.id)))?;
    Ok(())
}

/// Marks a grant revoked.
pub async fn revoke_grant(conn: &mut Conn, id: &str, at: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query("update delegation set revoked_at = $1 where grant_id = $2")
        .bind(format_ts(at))
        .bind(id)
        .execute()
        .await?;
    Ok(())
}

/// Names the first responsible person for approving an item (审批第一责任人).
pub async fn set_first_responsible(conn: &mut Conn, item: &str, account: &str) -> Result<(), StoreError> {
    conn.query("delete from first_responsible where item_code = $1").bind(item).execute().await?;
    conn.query("insert into first_responsible (item_code, account_id) values ($1, $2)")
        .bind(item)
        .bind(account)
        .execute()
        .await?;
    Ok(())
}

/// Appends an audit entry chained to the last one. Runs inside the caller's write, which
/// serializes appends (SQLite's single writer; PostgreSQL locks the last row).
pub async fn append_audit(
    conn: &mut Conn,
    at: jiff::Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), StoreError> {
    conn.serialize("audit_log").await?;
    let last = conn.query("select seq, hash from audit_log order by seq desc limit 1").fetch_optional().await?;
    let (seq, prev) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get("hash")?),
        None => (1, GENESIS.to_owned()),
    };
    let at = format_ts(at);
    let seq_u = u64::try_from(seq).map_err(|e| StoreError::corrupt("audit_log", e))?;
    let hash = entry_hash(&prev, seq_u, &at, actor, action, subject, detail);
    conn.query("insert into audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(seq)
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .bind(prev)
        .bind(hash)
        .execute()
        .await?;
    Ok(())
}

/// Inside the write that does a request's work: reserves its idempotency key (status 0,
/// no answer yet). False when the key is taken — on PostgreSQL a parallel transaction
/// holding the same key makes this wait until it commits (then false) or rolls back.
pub async fn claim_idempotency(
    conn: &mut Conn,
    key: &str,
    account: &str,
    request_hash: &str,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let r = conn
        .query(
            "insert into idempotency_key (idempotency_key, account_id, request_hash, status, response, created_at) \
             values ($1, $2, $3, 0, '', $4) on conflict (idempotency_key, account_id) do nothing",
        )
        .bind(key)
        .bind(account)
        .bind(request_hash)
        .bind(format_ts(now))
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Stores the answer of a request whose key was claimed; false when there was no claim.
pub async fn answer_idempotency(
    conn: &mut Conn,
    key: &str,
    account: &str,
    status: u16,
    response: &str,
) -> Result<bool, StoreError> {
    let r = conn
        .query(
            "update idempotency_key set status = $1, response = $2 \
             where idempotency_key = $3 and account_id = $4 and status = 0",
        )
        .bind(i64::from(status))
        .bind(response)
        .bind(key)
        .bind(account)
        .execute()
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Stores the answer to an idempotent request.
pub async fn insert_idempotency(
    conn: &mut Conn,
    key: &str,
    account: &str,
    request_hash: &str,
    status: u16,
    response: &str,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query("insert into idempotency_key (idempotency_key, account_id, request_hash, status, response, created_at) values ($1, $2, $3, $4, $5, $6)")
        .bind(key)
        .bind(account)
        .bind(request_hash)
        .bind(i64::from(status))
        .bind(response)
        .bind(format_ts(now))
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("idempotency key {key}")))?;
    Ok(())
}

/// A stored idempotent answer: request hash, status, body.
pub async fn idempotency_in(
    conn: &mut Conn,
    key: &str,
    account: &str,
) -> Result<Option<(String, u16, String)>, StoreError> {
    let row = conn
        .query(
            "select request_hash, status, response from idempotency_key where idempotency_key = $1 and account_id = $2",
        )
        .bind(key)
        .bind(account)
        .fetch_optional()
        .await?;
    let Some(row) = row else { return Ok(None) };
    let status: i64 = row.try_get("status")?;
    Ok(Some((row.try_get("request_hash")?, u16::try_from(status).unwrap_or(500), row.try_get("response")?)))
}

/// A row of [`Store::owner_candidates`]: login, role, window, the window's department (none
/// for a comprehensive window), open cases owned.
type OwnerRow = (String, String, Option<String>, Option<String>, i64);

fn grant_from_row(r: &AnyRow) -> Result<Grant, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt("delegation", e.to_string());
    let items: Option<String> = r.try_get("items")?;
    let powers: String = r.try_get("powers")?;
    let ts = |name: &str| -> Result<Option<jiff::Timestamp>, StoreError> {
        r.try_get::<Option<String>, _>(name)?.map(|t| parse_ts("delegation", &t)).transpose()
    };
    Ok(Grant {
        id: r.try_get("grant_id")?,
        grantor: r.try_get("grantor")?,
        grantee: r.try_get("grantee")?,
        department: DepartmentCode::parse(&r.try_get::<String, _>("department_code")?).map_err(|e| bad(&e))?,
        items: items.map(|i| serde_json::from_str(&i).map_err(|e| bad(&e))).transpose()?,
        powers: serde_json::from_str::<std::collections::BTreeSet<Power>>(&powers).map_err(|e| bad(&e))?,
        valid_from: ts("valid_from")?.ok_or_else(|| bad(&"no valid_from"))?,
        valid_until: ts("valid_until")?,
        revoked_at: ts("revoked_at")?,
        parent: r.try_get("parent_grant_id")?,
        levels: tongban_core::delegation::Levels {
            grantor: r.try_get::<Option<String>, _>("grantor_level")?.as_deref().and_then(Position::parse),
            grantee: r.try_get::<Option<String>, _>("grantee_level")?.as_deref().and_then(Position::parse),
        },
    })
}

/// A logged-in session: the account and its CSRF token.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The account.
    pub account: Account,
    /// CSRF token for form posts.
    pub csrf: String,
}

impl Store {
    /// An account by login name.
    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(&format!("select {ACCOUNT_COLUMNS} from account where account_id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Every staff account (not applicants), by login name; the administration pages list them.
    pub async fn staff_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows =
            sqlx::query(&format!("select {ACCOUNT_COLUMNS} from account where kind = 'staff' order by account_id"))
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// The live session with this id hash.
    pub async fn session(&self, hash: &str, now: jiff::Timestamp) -> Result<Option<SessionRow>, StoreError> {
        let cols = ACCOUNT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        let row = sqlx::query(&format!("select {cols}, s.csrf_token from session s join account a on a.account_id = s.account_id where s.session_hash = $1 and s.expires_at > $2"))
            .bind(hash)
            .bind(format_ts(now))
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| Ok(SessionRow { account: account_from_row(&r)?, csrf: r.try_get("csrf_token")? })).transpose()
    }

    /// The account and scopes of a live token with this secret hash.
    pub async fn token(&self, hash: &str, now: jiff::Timestamp) -> Result<Option<(Account, Vec<String>)>, StoreError> {
        let cols = ACCOUNT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        let row = sqlx::query(&format!(
            "select {cols}, t.scopes from api_token t join account a on a.account_id = t.account_id \
             where t.token_hash = $1 and t.expires_at > $2 and t.revoked_at is null"
        ))
        .bind(hash)
        .bind(format_ts(now))
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            let scopes: String = r.try_get("scopes")?;
            Ok((account_from_row(&r)?, serde_json::from_str(&scopes).map_err(|e| StoreError::corrupt("api_token", e))?))
        })
        .transpose()
    }

    /// The enabled staff of `department` who could own a new case (core's
    /// [`tongban_core::org::owner::named_owner`] picks one): whether each is a window clerk
    /// seated at a window serving the department (its own, or a comprehensive one), and how
    /// many cases each owns that are not closed. Reads the account index by department and
    /// the case index by owner, never the whole case table.
    pub async fn owner_candidates(
        &self,
        department: &DepartmentCode,
    ) -> Result<Vec<tongban_core::org::owner::OwnerCandidate>, StoreError> {
        let rows: Vec<OwnerRow> = sqlx::query_as(
            "select a.account_id, a.role, w.window_code, w.department_code, \
             (select count(*) from service_case c where c.owner = a.account_id \
              and c.state not in ('delivered', 'rejected')) \
             from account a left join service_window w on w.window_code = a.window_code \
             where a.department_code = $1 and a.kind = 'staff' and a.disabled = 0 order by a.account_id",
        )
        .bind(department.as_str())
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(login, role, window, window_department, open)| {
                let role = Role::parse(&role).filter(|r| r.is_department_staff())?;
                let serves = window.is_some() && window_department.as_deref().is_none_or(|d| d == department.as_str());
                Some(tongban_core::org::owner::OwnerCandidate {
                    login,
                    at_window: role == Role::WindowClerk && serves,
                    open_cases: u64::try_from(open).unwrap_or(0),
                })
            })
            .collect())
    }

    /// Every grant, and every department head as a root holder.
    pub async fn delegations(&self) -> Result<tongban_core::delegation::Delegations, StoreError> {
        let rows = sqlx::query("select * from delegation").fetch_all(self.reader()).await?;
        let grants = rows.iter().map(grant_from_row).collect::<Result<Vec<_>, _>>()?;
        let heads: Vec<(String, String)> = sqlx::query_as("select account_id, department_code from account where role = 'department_head' and department_code is not null and disabled = 0")
            .fetch_all(self.reader())
            .await?;
        let roots = heads.into_iter().filter_map(|(a, d)| DepartmentCode::parse(&d).ok().map(|d| (a, d)));
        Ok(tongban_core::delegation::Delegations::new(grants, roots))
    }

    /// The mandates in force that name `agent`, or that `enterprise_id` granted.
    pub async fn mandates(&self, agent: Option<&str>, enterprise_id: Option<&str>) -> Result<Vec<Mandate>, StoreError> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "select enterprise_id, agent, granted_by, granted_at from mandate where revoked_at is null \
             and (cast($1 as text) is null or agent = $1) and (cast($2 as text) is null or enterprise_id = $2) order by enterprise_id, agent",
        )
        .bind(agent)
        .bind(enterprise_id)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(enterprise_id, agent, granted_by, at)| {
                Ok(Mandate { enterprise_id, agent, granted_by, granted_at: parse_ts("mandate", &at)? })
            })
            .collect()
    }

    /// The phones on record for an identity, the most recently given first.
    pub async fn identity_phones(&self, id_number: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("select phone from identity_phone where id_number = $1 order by recorded_at desc, phone")
            .bind(id_number)
            .fetch_all(self.reader())
            .await?)
    }

    /// The first responsible person for approving an item.
    pub async fn first_responsible(&self, item: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("select account_id from first_responsible where item_code = $1")
            .bind(item)
            .fetch_optional(self.reader())
            .await?)
    }

    /// The whole audit log in order.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let rows =
            sqlx::query("select seq, at, actor, action, subject, detail, prev_hash, hash from audit_log order by seq")
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq")?;
                Ok(AuditEntry {
                    seq: u64::try_from(seq).map_err(|e| StoreError::corrupt("audit_log", e))?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    detail: r.try_get("detail")?,
                    prev_hash: r.try_get("prev_hash")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }
}
