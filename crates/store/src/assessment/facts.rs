//! The facts the assessment reads besides its own ledger: where each staff member sits,
//! the windows, departments and sites in service, the cases delivered in a month with who
//! received them, and the accountability records opened in a month.

use sqlx::Row as _;

use crate::{Store, StoreError, format_ts};

/// Where a department's staff member sits (for [`tongban_core::attribution::Post`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPost {
    /// Login.
    pub account: String,
    /// Display name.
    pub name: String,
    /// Department.
    pub department: String,
    /// Window.
    pub window: Option<String>,
    /// The window's site.
    pub window_site: Option<String>,
    /// The department's site.
    pub department_site: Option<String>,
}

/// A subject that can be assessed: a window, department or site in service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its department (windows) — none for departments and sites.
    pub department: Option<String>,
}

/// A delivered case's facts for the on-time rate and its attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredFacts {
    /// The account that handed the submission in.
    pub submitted_by: String,
    /// Owners in order, the submission's first.
    pub owners: Vec<String>,
    /// The item's department.
    pub item_department: String,
    /// Delivered by its due time.
    pub on_time: bool,
}

impl Store {
    /// Where every department's staff member sits (accounts of the department roles).
    pub async fn staff_posts(&self) -> Result<Vec<StaffPost>, StoreError> {
        let rows = sqlx::query(
            "select a.account_id, a.display_name, a.department_code, a.window_code, w.site_code as window_site, \
             d.site_code as department_site from account a \
             join department d on d.department_code = a.department_code \
             left join service_window w on w.window_code = a.window_code \
             where a.kind = 'staff' and a.disabled = 0 \
             and a.role in ('window_clerk', 'reviewer', 'approver', 'department_head') order by a.account_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffPost {
                    account: r.try_get("account_id")?,
                    name: r.try_get("display_name")?,
                    department: r.try_get("department_code")?,
                    window: r.try_get("window_code")?,
                    window_site: r.try_get("window_site")?,
                    department_site: r.try_get("department_site")?,
                })
            })
            .collect()
    }

    /// The windows, departments or sites in service (`kind` is `window`, `department` or `site`).
    pub async fn assessment_subjects(&self, kind: &str) -> Result<Vec<SubjectRow>, StoreError> {
        let sql = match kind {
            "window" => {
                "select window_code as code, name, department_code as department from service_window \
                 where retired_at is null order by window_code"
            }
            "department" => {
                "select department_code as code, name, null as department from department \
                 where retired_at is null order by department_code"
            }
            "site" => {
                "select site_code as code, name, null as department from site where retired_at is null order by site_code"
            }
            _ => return Ok(Vec::new()),
        };
        let rows = sqlx::query(sql).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                Ok(SubjectRow {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    department: r.try_get("department")?,
                })
            })
            .collect()
    }

    /// The cases delivered in a month (`YYYY-MM`, China Standard Time) with who handed each
    /// in and who owned it, oldest case number first.
    pub async fn delivered_facts(&self, period: &str) -> Result<Vec<DeliveredFacts>, StoreError> {
        let rows = sqlx::query(
            "select c.case_number, cast(c.delivered_on_time as bigint) as delivered_on_time, i.department_code, e.kind, e.actor, e.payload \
             from service_case c \
             join item i on i.item_code = c.item_code and i.version = c.item_version \
             join event e on e.case_number = c.case_number \
             where c.closed_month = $1 and c.delivered_on_time is not null \
             and e.kind in ('submitted', 'handed_over', 'reassigned') \
             order by c.case_number, e.seq",
        )
        .bind(period.to_owned())
        .fetch_all(self.reader())
        .await?;
        let mut out: Vec<(String, DeliveredFacts)> = Vec::new();
        for r in &rows {
            let number: String = r.try_get("case_number")?;
            let payload: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("payload")?)
                .map_err(|e| StoreError::corrupt("event", e))?;
            let kind: String = r.try_get("kind")?;
            if out.last().is_none_or(|(n, _)| *n != number) {
                let on_time: i64 = r.try_get("delivered_on_time")?;
                out.push((
                    number,
                    DeliveredFacts {
                        submitted_by: String::new(),
                        owners: Vec::new(),
                        item_department: r.try_get("department_code")?,
                        on_time: on_time == 1,
                    },
                ));
            }
            let Some((_, facts)) = out.last_mut() else { continue };
            if kind == "submitted" {
                facts.submitted_by = r.try_get("actor")?;
                let owner = payload.pointer("/submission/owner").and_then(serde_json::Value::as_str);
                facts.owners.extend(owner.map(str::to_owned));
            } else if let Some(to) = payload.get("to").and_then(serde_json::Value::as_str) {
                facts.owners.push(to.to_owned());
            }
        }
        Ok(out.into_iter().map(|(_, f)| f).collect())
    }

    /// Owner and department of each accountability record opened in `[from, to)`.
    pub async fn accountability_opened_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "select owner, department_code from accountability where opened_at >= $1 and opened_at < $2 \
             order by opened_at",
        )
        .bind(format_ts(from))
        .bind(format_ts(to))
        .fetch_all(self.reader())
        .await?)
    }
}
