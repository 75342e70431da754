//! The document register (文书登记簿): sealed documents, their 文号 sequences, revocations and
//! the administrator's templates. Append-only: nothing here updates or deletes a document.

use jiff::Timestamp;
use tongban_core::document::{DocumentKind, DocumentStatus};

use crate::time::{format_ts, parse_ts};
use crate::{Conn, Row, Store, StoreError};

/// A document as registered, without its PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    /// 文号.
    pub number: String,
    /// Its kind.
    pub kind: DocumentKind,
    /// 机关代字.
    pub prefix: String,
    /// The year of its number.
    pub year: i16,
    /// Its place in the year's sequence of its prefix and kind.
    pub seq: u64,
    /// The case it was issued for.
    pub case_number: String,
    /// The case version (event) that issued it.
    pub event_seq: u32,
    /// The template's kind and version it was rendered with.
    pub template: (DocumentKind, u32),
    /// When.
    pub issued_at: Timestamp,
    /// To whom (the applicant).
    pub holder: String,
    /// The holder's name as the public sees it.
    pub holder_masked: String,
    /// The template fields, as JSON.
    pub fields: String,
    /// Every login in the decision's grant chain and who acted: who may revoke it.
    pub chain: Vec<String>,
    /// SM3 of the signed bytes (hex).
    pub sm3: String,
    /// SM2 signature (hex).
    pub signature: String,
    /// The key that signed it.
    pub key_id: String,
}

/// A revocation (撤销) or cancellation (注销) entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationRow {
    /// The document.
    pub number: String,
    /// Revoked or cancelled.
    pub status: DocumentStatus,
    /// When.
    pub at: Timestamp,
    /// By whom.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A template version saved by the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    /// Kind.
    pub kind: DocumentKind,
    /// Version (from 2; version 1 is built in).
    pub version: u32,
    /// Text.
    pub body: String,
    /// When saved.
    pub created_at: Timestamp,
    /// By whom.
    pub created_by: String,
}

const DOCUMENT_COLUMNS: &str = "number, kind, prefix, year, seq, case_number, event_seq, template_kind, \
    template_version, issued_at, holder, holder_masked, fields, chain, sm3, signature, key_id";

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt("document", why)
}

fn kind_of(text: &str) -> Result<DocumentKind, StoreError> {
    DocumentKind::parse(text).ok_or_else(|| corrupt(format!("unknown kind {text:?}")))
}

fn document_of(r: &Row) -> Result<DocumentRow, StoreError> {
    Ok(DocumentRow {
        number: r.try_get("number")?,
        kind: kind_of(&r.try_get::<String, _>("kind")?)?,
        prefix: r.try_get("prefix")?,
        year: i16::try_from(r.try_get::<i64, _>("year")?).map_err(corrupt)?,
        seq: u64::try_from(r.try_get::<i64, _>("seq")?).map_err(corrupt)?,
        case_number: r.try_get("case_number")?,
        event_seq: u32::try_from(r.try_get::<i64, _>("event_seq")?).map_err(corrupt)?,
        template: (
            kind_of(&r.try_get::<String, _>("template_kind")?)?,
            u32::try_from(r.try_get::<i64, _>("template_version")?).map_err(corrupt)?,
        ),
        issued_at: parse_ts("document", &r.try_get::<String, _>("issued_at")?)?,
        holder: r.try_get("holder")?,
        holder_masked: r.try_get("holder_masked")?,
        fields: r.try_get("fields")?,
        chain: serde_json::from_str(&r.try_get::<String, _>("chain")?).map_err(corrupt)?,
        sm3: r.try_get("sm3")?,
        signature: r.try_get("signature")?,
        key_id: r.try_get("key_id")?,
    })
}

fn revocation_of(r: &Row) -> Result<RevocationRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(RevocationRow {
        number: r.try_get("number")?,
        status: DocumentStatus::parse(&status).ok_or_else(|| corrupt(format!("unknown status {status:?}")))?,
        at: parse_ts("document_revocation", &r.try_get::<String, _>("at")?)?,
        by: r.try_get("by_login")?,
        reason: r.try_get("reason")?,
    })
}

fn template_of(r: &Row) -> Result<TemplateRow, StoreError> {
    Ok(TemplateRow {
        kind: kind_of(&r.try_get::<String, _>("kind")?)?,
        version: u32::try_from(r.try_get::<i64, _>("version")?).map_err(corrupt)?,
        body: r.try_get("body")?,
        created_at: parse_ts("document_template", &r.try_get::<String, _>("created_at")?)?,
        created_by: r.try_get("created_by")?,
    })
}

/// Takes the next number of `kind` in `year` under `prefix`. The counter row stays locked
/// until the transaction ends, so numbers are gap-free (a rollback returns its number) and
/// unique with several servers on one PostgreSQL database.
pub async fn allocate_document_seq(
    conn: &mut Conn,
    prefix: &str,
    kind: DocumentKind,
    year: i16,
) -> Result<u64, StoreError> {
    let next: i64 = conn
        .query(
            "insert into document_sequence (prefix, kind, year, next) values ($1, $2, $3, 1) \
             on conflict (prefix, kind, year) do update set next = document_sequence.next + 1 returning next",
        )
        .bind(prefix)
        .bind(kind.as_str())
        .bind(i64::from(year))
        .scalar()
        .await?;
    u64::try_from(next).map_err(|e| StoreError::corrupt("document_sequence", e))
}

/// Takes the next 文号 sequence of each of `kinds` in a transaction of its own, before the
/// act that uses them (PostgreSQL, several servers: sealing happens between the two).
///
/// The commit does not wait for the disk (`synchronous_commit = off`): the counter row is
/// the hottest in the database and 64 deciding servers queue on its lock. This loses
/// nothing: the act that registers a number commits synchronously later, which flushes the
/// write-ahead log up to and including this increment; and an increment lost to a crash
/// before that was used by no document, so handing it out again duplicates nothing.
pub async fn allocate_document_seqs(
    conn: &mut Conn,
    prefix: &str,
    kinds: &[DocumentKind],
    year: i16,
) -> Result<Vec<u64>, StoreError> {
    if conn.is_postgres() {
        conn.query("set local synchronous_commit = off").execute().await?;
    }
    let mut seqs = Vec::with_capacity(kinds.len());
    for kind in kinds {
        seqs.push(allocate_document_seq(conn, prefix, *kind, year).await?);
    }
    Ok(seqs)
}

/// Registers a sealed document with its PDF.
pub async fn insert_document(conn: &mut Conn, d: &DocumentRow, pdf: Vec<u8>) -> Result<(), StoreError> {
    let sql = format!(
        "insert into document ({DOCUMENT_COLUMNS}, pdf) values \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    );
    conn.query(&sql)
        .bind(&d.number)
        .bind(d.kind.as_str())
        .bind(&d.prefix)
        .bind(i64::from(d.year))
        .bind(i64::try_from(d.seq).map_err(corrupt)?)
        .bind(&d.case_number)
        .bind(i64::from(d.event_seq))
        .bind(d.template.0.as_str())
        .bind(i64::from(d.template.1))
        .bind(format_ts(d.issued_at))
        .bind(&d.holder)
        .bind(&d.holder_masked)
        .bind(&d.fields)
        .bind(serde_json::to_string(&d.chain).map_err(corrupt)?)
        .bind(&d.sm3)
        .bind(&d.signature)
        .bind(&d.key_id)
        .bind(pdf)
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("document {}", d.number)))?;
    Ok(())
}

/// Appends a revocation or cancellation entry.
pub async fn insert_document_revocation(conn: &mut Conn, r: &RevocationRow) -> Result<(), StoreError> {
    conn.query("insert into document_revocation (number, status, at, by_login, reason) values ($1, $2, $3, $4, $5)")
        .bind(&r.number)
        .bind(r.status.as_str())
        .bind(format_ts(r.at))
        .bind(&r.by)
        .bind(&r.reason)
        .execute()
        .await?;
    Ok(())
}

/// Saves `body` as the next version of `kind`'s template (the first saved is version 2);
/// returns the version.
pub async fn insert_document_template(
    conn: &mut Conn,
    kind: DocumentKind,
    body: &str,
    at: Timestamp,
    by: &str,
) -> Result<u32, StoreError> {
    let latest: i64 = conn
        .query("select coalesce(max(version), 1) from document_template where kind = $1")
        .bind(kind.as_str())
        .scalar()
        .await?;
    let version = latest + 1;
    conn.query(
        "insert into document_template (kind, version, body, created_at, created_by) values ($1, $2, $3, $4, $5)",
    )
    .bind(kind.as_str())
    .bind(version)
    .bind(body)
    .bind(format_ts(at))
    .bind(by)
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("template {} version {version}", kind.as_str())))?;
    u32::try_from(version).map_err(|e| StoreError::corrupt("document_template", e))
}

impl Store {
    async fn document_conn(&self) -> Result<Conn, StoreError> {
        Ok(Conn::pooled(self.reader().acquire().await?))
    }

    /// A case's documents, in the order they were issued.
    pub async fn documents_of_case(&self, case: &str) -> Result<Vec<DocumentRow>, StoreError> {
        let mut conn = self.document_conn().await?;
        let sql = format!("select {DOCUMENT_COLUMNS} from document where case_number = $1 order by event_seq, number");
        let mut rows: Vec<DocumentRow> =
            conn.query(&sql).bind(case).fetch_all().await?.iter().map(document_of).collect::<Result<_, _>>()?;
        // Within one event, in the order they were numbered (an approval before its licence).
        rows.sort_by_key(|d| (d.event_seq, d.issued_at, d.kind));
        Ok(rows)
    }

    /// One document by its 文号.
    pub async fn document(&self, number: &str) -> Result<Option<DocumentRow>, StoreError> {
        let mut conn = self.document_conn().await?;
        let sql = format!("select {DOCUMENT_COLUMNS} from document where number = $1");
        conn.query(&sql).bind(number).fetch_optional().await?.as_ref().map(document_of).transpose()
    }

    /// A document's PDF as sealed.
    pub async fn document_pdf(&self, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut conn = self.document_conn().await?;
        conn.query("select pdf from document where number = $1").bind(number).scalar_optional().await
    }

    /// A document's revocation entries, oldest first.
    pub async fn document_revocations(&self, number: &str) -> Result<Vec<RevocationRow>, StoreError> {
        let mut conn = self.document_conn().await?;
        conn.query(
            "select number, status, at, by_login, reason from document_revocation where number = $1 \
             order by revocation_id",
        )
        .bind(number)
        .fetch_all()
        .await?
        .iter()
        .map(revocation_of)
        .collect()
    }

    /// The revocation entries of a case's documents, oldest first.
    pub async fn document_revocations_of_case(&self, case: &str) -> Result<Vec<RevocationRow>, StoreError> {
        let mut conn = self.document_conn().await?;
        conn.query(
            "select r.number, r.status, r.at, r.by_login, r.reason from document_revocation r \
             join document d on d.number = r.number where d.case_number = $1 order by r.revocation_id",
        )
        .bind(case)
        .fetch_all()
        .await?
        .iter()
        .map(revocation_of)
        .collect()
    }

    /// The newest saved version of each kind's template (kinds never saved are absent).
    pub async fn latest_document_templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        let mut conn = self.document_conn().await?;
        conn.query(
            "select t.kind, t.version, t.body, t.created_at, t.created_by from document_template t \
             where t.version = (select max(u.version) from document_template u where u.kind = t.kind) \
             order by t.kind",
        )
        .fetch_all()
        .await?
        .iter()
        .map(template_of)
        .collect()
    }
}
