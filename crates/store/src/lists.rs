//! The published lists (清单): the versions of each kind's list and their entries. An entry
//! is stored whole as JSON, beside the columns a listing filters and orders by.

use tongban_core::lists::{Entry, ListKind};

use crate::catalog::json;
use crate::{Conn, Page, Store, StoreError, format_ts};

/// A published version of one kind's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVersion {
    /// The list.
    pub kind: ListKind,
    /// Its number, counting from 1 for each kind.
    pub number: u32,
    /// Its label, e.g. 2026 年版.
    pub label: String,
    /// When it was published.
    pub published_at: jiff::Timestamp,
    /// Who published it (an account, or the console).
    pub published_by: String,
    /// How many entries it holds.
    pub entries: u64,
}

/// Publishes a new version of `kind`'s list holding `entries` (each with the text a search
/// looks in), in their order; returns its number (one more than that kind's latest).
/// Entries must already be valid and of `kind`; their departments must exist (foreign key).
pub async fn insert_list_version(
    conn: &mut Conn,
    kind: ListKind,
    label: &str,
    published_by: &str,
    entries: &[(Entry, String)],
    now: jiff::Timestamp,
) -> Result<u32, StoreError> {
    conn.serialize("list_version").await?;
    let latest: i64 = conn
        .query("select coalesce(max(version), 0) from list_version where list_kind = $1")
        .bind(kind.as_str())
        .scalar()
        .await?;
    let version = latest + 1;
    conn.query(
        "insert into list_version (list_kind, version, label, published_at, published_by, entries) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(kind.as_str())
    .bind(version)
    .bind(label)
    .bind(format_ts(now))
    .bind(published_by)
    .bind(i64::try_from(entries.len()).unwrap_or(i64::MAX))
    .execute()
    .await?;
    for (position, (entry, search_text)) in (0i64..).zip(entries) {
        if entry.kind() != kind {
            return Err(StoreError::corrupt("list_entry", format!("a {} entry in the {kind} list", entry.kind())));
        }
        conn.query(
            "insert into list_entry (list_kind, version, entry_code, position, name, department_code, fields, \
             search_text) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(kind.as_str())
        .bind(version)
        .bind(entry.code().as_str())
        .bind(position)
        .bind(entry.name())
        .bind(entry.department().as_str())
        .bind(fields_json(entry))
        .bind(search_text.as_str())
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("{kind} entry {}", entry.code())))?;
    }
    u32::try_from(version).map_err(|e| StoreError::corrupt("list_version", e))
}

/// The whole entry as JSON.
fn fields_json(entry: &Entry) -> String {
    match entry {
        Entry::Power(e) => json(e),
        Entry::Duty(e) => json(e),
        Entry::Fund(e) => json(e),
        Entry::Service(e) => json(e),
    }
}

/// An entry of `kind` read back from its JSON.
fn entry_from(kind: ListKind, fields: &str) -> Result<Entry, StoreError> {
    let bad = |e: serde_json::Error| StoreError::corrupt("list_entry", e);
    Ok(match kind {
        ListKind::Powers => Entry::Power(serde_json::from_str(fields).map_err(bad)?),
        ListKind::Duties => Entry::Duty(serde_json::from_str(fields).map_err(bad)?),
        ListKind::Funds => Entry::Fund(serde_json::from_str(fields).map_err(bad)?),
        ListKind::Services => Entry::Service(serde_json::from_str(fields).map_err(bad)?),
    })
}

/// `like` pattern matching `word` literally anywhere.
fn contains(word: &str) -> String {
    let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    /// Every version of `kind`'s list, oldest first.
    pub async fn list_versions(&self, kind: ListKind) -> Result<Vec<ListVersion>, StoreError> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "select version, label, published_at, published_by, entries from list_version \
             where list_kind = $1 order by version",
        )
        .bind(kind.as_str())
        .fetch_all(self.reader())
        .await?;
        let corrupt = |e| StoreError::corrupt("list_version", e);
        rows.into_iter()
            .map(|(number, label, at, published_by, entries)| {
                Ok(ListVersion {
                    kind,
                    number: u32::try_from(number).map_err(corrupt)?,
                    label,
                    published_at: crate::parse_ts("list_version", &at)?,
                    published_by,
                    entries: u64::try_from(entries).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// One page of version `version` of `kind`'s list, in the order it was published: the
    /// entries whose search text holds every one of `terms` (lower-case words; none: all).
    pub async fn list_entries(
        &self,
        kind: ListKind,
        version: u32,
        terms: &[String],
        page: u32,
        per_page: u32,
    ) -> Result<Page<Entry>, StoreError> {
        let (page, per_page) = (page.max(1), per_page.clamp(1, 200));
        let mut conditions = String::from("list_kind = $1 and version = $2");
        for n in 0..terms.len() {
            conditions.push_str(&format!(" and search_text like ${} escape '\\'", n + 3));
        }
        let count_sql = format!("select count(*) from list_entry where {conditions}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(kind.as_str()).bind(i64::from(version));
        for t in terms {
            count = count.bind(contains(t));
        }
        let total = count.fetch_one(self.reader()).await?;
        let (limit, offset) = (terms.len() + 3, terms.len() + 4);
        let sql = format!(
            "select fields from list_entry where {conditions} order by position limit ${limit} offset ${offset}"
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql).bind(kind.as_str()).bind(i64::from(version));
        for t in terms {
            query = query.bind(contains(t));
        }
        let skip = i64::from(page - 1) * i64::from(per_page);
        let rows = query.bind(i64::from(per_page)).bind(skip).fetch_all(self.reader()).await?;
        Ok(Page {
            items: rows.iter().map(|f| entry_from(kind, f)).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page,
            per_page,
        })
    }

    /// Every entry of version `version` of `kind`'s list, in the order it was published.
    pub async fn all_list_entries(&self, kind: ListKind, version: u32) -> Result<Vec<Entry>, StoreError> {
        let rows: Vec<String> =
            sqlx::query_scalar("select fields from list_entry where list_kind = $1 and version = $2 order by position")
                .bind(kind.as_str())
                .bind(i64::from(version))
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(|f| entry_from(kind, f)).collect()
    }
}
