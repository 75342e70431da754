//! Opening uploaded materials: a file's bytes, and the record of each time a member of staff
//! opened one (调阅记录), which the applicant sees on the case.

use sqlx::Row as _;
use tongban_core::case::CaseNumber;

use crate::{Conn, MaterialFile, Store, StoreError, format_ts, parse_ts};

/// A member of staff opened a material file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialRead {
    /// The material.
    pub material: String,
    /// Which file of it (SHA-256, hex).
    pub sha256: String,
    /// Who opened it.
    pub read_by: String,
    /// When.
    pub read_at: jiff::Timestamp,
}

/// The file of a material with a given digest.
const ONE_FILE: &str = "select material, sha256, size, content_type, uploaded_by, uploaded_at, content \
     from material_file where case_number = $1 and material = $2 and sha256 = $3";

/// The latest file of a material.
const LATEST_FILE: &str = "select material, sha256, size, content_type, uploaded_by, uploaded_at, content \
     from material_file where case_number = $1 and material = $2 order by uploaded_at desc, sha256 limit 1";

impl Store {
    /// A file of the case's `material` with its bytes: the one whose digest is `sha256`, or
    /// without one the latest uploaded.
    pub async fn material_file_content(
        &self,
        number: &CaseNumber,
        material: &str,
        sha256: Option<&str>,
    ) -> Result<Option<(MaterialFile, Vec<u8>)>, StoreError> {
        let query = match sha256 {
            Some(sha) => {
                sqlx::query(ONE_FILE).bind(number.as_str().to_owned()).bind(material.to_owned()).bind(sha.to_owned())
            }
            None => sqlx::query(LATEST_FILE).bind(number.as_str().to_owned()).bind(material.to_owned()),
        };
        let Some(row) = query.fetch_optional(self.reader()).await? else { return Ok(None) };
        let size: i64 = row.try_get("size")?;
        let file = MaterialFile {
            material: row.try_get("material")?,
            sha256: row.try_get("sha256")?,
            size: u64::try_from(size).unwrap_or(0),
            content_type: row.try_get("content_type")?,
            uploaded_by: row.try_get("uploaded_by")?,
            uploaded_at: row.try_get("uploaded_at")?,
        };
        Ok(Some((file, row.try_get("content")?)))
    }

    /// Every time staff opened one of the case's files, oldest first.
    pub async fn material_reads(&self, number: &CaseNumber) -> Result<Vec<MaterialRead>, StoreError> {
        let rows = sqlx::query(
            "select material, sha256, read_by, read_at from material_read where case_number = $1 \
             order by read_at, material",
        )
        .bind(number.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MaterialRead {
                    material: r.try_get("material")?,
                    sha256: r.try_get("sha256")?,
                    read_by: r.try_get("read_by")?,
                    read_at: parse_ts("material_read", &r.try_get::<String, _>("read_at")?)?,
                })
            })
            .collect()
    }
}

/// Records that `by` opened a file of the case.
pub async fn insert_material_read(
    conn: &mut Conn,
    number: &CaseNumber,
    file: &MaterialFile,
    by: &str,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    conn.query(
        "insert into material_read (case_number, material, sha256, read_by, read_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(number.as_str())
    .bind(&file.material)
    .bind(&file.sha256)
    .bind(by)
    .bind(format_ts(at))
    .execute()
    .await?;
    Ok(())
}
