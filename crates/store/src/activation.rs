//! One-time activation codes (激活码) of accounts created without a password: issued by an
//! administrator, used once by the account's holder to set a password. Only the code's
//! SHA-256 is stored; whether a code may be used is core's rule
//! (`tongban_core::account::activation`).

use sqlx::Row as _;

use crate::{Conn, Store, StoreError, format_ts, parse_ts};

/// An issued activation code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationCode {
    /// Id.
    pub id: String,
    /// The account it activates.
    pub account: String,
    /// SHA-256 of the account and the code.
    pub code_hash: String,
    /// The administrator who issued it.
    pub issued_by: String,
    /// When.
    pub issued_at: jiff::Timestamp,
    /// Until when it may be used.
    pub expires_at: jiff::Timestamp,
    /// When it was used, if it was.
    pub used_at: Option<jiff::Timestamp>,
    /// When a newer code (or a password set otherwise) replaced it, if one did.
    pub voided_at: Option<jiff::Timestamp>,
}

const COLUMNS: &str = "code_id, account_id, code_hash, issued_by, issued_at, expires_at, used_at, voided_at";

/// Inside a write: voids every open code of `account` (a newer code, or a password set
/// otherwise, takes its place); serialised per account on PostgreSQL, as are the uses.
pub async fn void_activation_codes(conn: &mut Conn, account: &str, at: jiff::Timestamp) -> Result<(), StoreError> {
    conn.serialize(&format!("activation codes of {account}")).await?;
    conn.query(
        "update activation_code set voided_at = $1 where account_id = $2 and used_at is null and voided_at is null",
    )
    .bind(format_ts(at))
    .bind(account)
    .execute()
    .await?;
    Ok(())
}

/// Stores a code just issued (after [`void_activation_codes`] in the same write).
pub async fn insert_activation_code(conn: &mut Conn, c: &ActivationCode) -> Result<(), StoreError> {
    conn.query(&format!("insert into activation_code ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, null, null)"))
        .bind(&c.id)
        .bind(&c.account)
        .bind(&c.code_hash)
        .bind(&c.issued_by)
        .bind(format_ts(c.issued_at))
        .bind(format_ts(c.expires_at))
        .execute()
        .await?;
    Ok(())
}

/// Inside a write: the code of `account` with hash `code_hash`, used or not, serialised
/// with the account's other uses and issues.
pub async fn activation_code_for_use(
    conn: &mut Conn,
    account: &str,
    code_hash: &str,
) -> Result<Option<ActivationCode>, StoreError> {
    conn.serialize(&format!("activation codes of {account}")).await?;
    let row = conn
        .query(&format!("select {COLUMNS} from activation_code where account_id = $1 and code_hash = $2"))
        .bind(account)
        .bind(code_hash)
        .fetch_optional()
        .await?;
    row.map(|r| from_row(|name| r.try_get::<Option<String>, _>(name))).transpose()
}

/// A code from a row of [`COLUMNS`], on the writer's connection or a reader's (`text`
/// reads a column by name).
fn from_row<E: Into<StoreError>>(
    text: impl Fn(&str) -> Result<Option<String>, E>,
) -> Result<ActivationCode, StoreError> {
    let some = |name: &str| {
        text(name).map_err(Into::into)?.ok_or_else(|| StoreError::corrupt("activation_code", format!("{name} is null")))
    };
    let at = |name: &str| text(name).map_err(Into::into)?.map(|t| parse_ts("activation_code", &t)).transpose();
    Ok(ActivationCode {
        id: some("code_id")?,
        account: some("account_id")?,
        code_hash: some("code_hash")?,
        issued_by: some("issued_by")?,
        issued_at: parse_ts("activation_code", &some("issued_at")?)?,
        expires_at: parse_ts("activation_code", &some("expires_at")?)?,
        used_at: at("used_at")?,
        voided_at: at("voided_at")?,
    })
}

/// Marks a code used.
pub async fn mark_activation_code_used(conn: &mut Conn, id: &str, at: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query("update activation_code set used_at = $1 where code_id = $2")
        .bind(format_ts(at))
        .bind(id)
        .execute()
        .await?;
    Ok(())
}

impl Store {
    /// The code of `account` with hash `code_hash`, used or not: a read before the password
    /// is hashed, so a wrong code costs no hashing. The use checks again inside its write
    /// ([`activation_code_for_use`]).
    pub async fn activation_code(&self, account: &str, code_hash: &str) -> Result<Option<ActivationCode>, StoreError> {
        let row =
            sqlx::query(&format!("select {COLUMNS} from activation_code where account_id = $1 and code_hash = $2"))
                .bind(account.to_owned())
                .bind(code_hash.to_owned())
                .fetch_optional(self.reader())
                .await?;
        row.map(|r| from_row(|name| r.try_get::<Option<String>, _>(name))).transpose()
    }
}
