//! The organisation and the versioned catalog: divisions, departments, windows, staff,
//! catalog versions and their items.

use crate::Conn;
use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use tongban_core::division::{Division, DivisionCode, DivisionLevel};
use tongban_core::item::{Category, Channel, ItemCode, ItemKind, ServiceItem, TimeLimit};
use tongban_core::org::{Department, DepartmentCode, Position, Staff, StaffId, Window, WindowCode};

use crate::{Store, StoreError, format_ts};

/// Every position a member of staff may hold, to read the stored names back.
const POSITIONS: [Position; 4] = [Position::Head, Position::Deputy, Position::Chief, Position::Staff];

/// A published catalog version (目录版本).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogVersion {
    /// Its number, counting from 1.
    pub number: u32,
    /// Its label, e.g. 2024年版.
    pub label: String,
    /// When it was published.
    pub published_at: jiff::Timestamp,
}

/// Adds a division unless its code is already stored (the national list ships with the
/// product; see migration 0019).
pub async fn insert_division(conn: &mut Conn, d: &Division) -> Result<(), StoreError> {
    conn.query(
        "insert into division (division_code, name, parent_code, level) values ($1, $2, $3, $4) \
         on conflict (division_code) do nothing",
    )
    .bind(d.code.as_str())
    .bind(&d.name)
    .bind(d.parent.as_ref().map(|p| p.as_str().to_owned()))
    .bind(d.level.as_str())
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("division {}", d.code)))?;
    Ok(())
}

/// Adds a department.
pub async fn insert_department(conn: &mut Conn, d: &Department) -> Result<(), StoreError> {
    conn.query("insert into department (department_code, name, division_code, site_code) values ($1, $2, $3, $4)")
        .bind(d.code.as_str())
        .bind(&d.name)
        .bind(d.division.as_str())
        .bind(d.site.as_ref().map(|s| s.as_str().to_owned()))
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("department {}", d.code)))?;
    Ok(())
}

/// Adds a window.
pub async fn insert_window(conn: &mut Conn, w: &Window) -> Result<(), StoreError> {
    conn.query("insert into service_window (window_code, name, department_code, site_code) values ($1, $2, $3, $4)")
        .bind(w.code.as_str())
        .bind(&w.name)
        .bind(w.department.as_ref().map(|d| d.as_str().to_owned()))
        .bind(w.site.as_ref().map(|s| s.as_str().to_owned()))
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("window {}", w.code)))?;
    Ok(())
}

/// Adds a staff member.
pub async fn insert_staff(conn: &mut Conn, s: &Staff) -> Result<(), StoreError> {
    conn.query(
        "insert into staff (staff_id, name, department_code, window_code, position) values ($1, $2, $3, $4, $5)",
    )
    .bind(s.id.as_str())
    .bind(&s.name)
    .bind(s.department.as_str())
    .bind(s.window.as_ref().map(|w| w.as_str().to_owned()))
    .bind(s.position.as_str())
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("staff {}", s.id)))?;
    Ok(())
}

/// Publishes a new catalog version holding `items`; returns its number (one more than the
/// latest). Items must already be valid; departments and divisions must exist (foreign keys).
pub async fn insert_catalog_version(
    conn: &mut Conn,
    label: &str,
    items: &[ServiceItem],
    now: jiff::Timestamp,
) -> Result<u32, StoreError> {
    conn.serialize("catalog_version").await?;
    let latest: i64 = conn.query("select coalesce(max(version), 0) from catalog_version").scalar().await?;
    let version = latest + 1;
    conn.query("insert into catalog_version (version, label, published_at) values ($1, $2, $3)")
        .bind(version)
        .bind(label)
        .bind(format_ts(now))
        .execute()
        .await?;
    for item in items {
        conn.query(
            "insert into item (item_code, version, name, department_code, division_code, kind, category, \
             legal_limit, promised_limit, materials, fees, channels, legal_basis, sites, conditions, steps, \
             contact, licence) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(item.code.as_str())
        .bind(version)
        .bind(&item.name)
        .bind(item.department.as_str())
        .bind(item.division.as_str())
        .bind(item.kind.as_str())
        .bind(item.category.as_str())
        .bind(item.legal_limit.map(|l| l.to_string()))
        .bind(item.promised_limit.map(|l| l.to_string()))
        .bind(json(&item.materials))
        .bind(json(&item.fees))
        .bind(json(&item.channels))
        .bind(&item.legal_basis)
        .bind(json(&item.sites))
        .bind(&item.conditions)
        .bind(json(&item.steps))
        .bind(&item.contact)
        .bind(item.licence.clone())
        .execute()
        .await
        .map_err(|e| StoreError::on_unique(e, || format!("item {}", item.code)))?;
    }
    u32::try_from(version).map_err(|e| StoreError::corrupt("catalog_version", e))
}

/// JSON text of plain data (vectors of structs and enums), which cannot fail to serialize.
pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Filters for the item search. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Words in the item's name.
    pub text: Option<String>,
    /// Department code.
    pub department: Option<DepartmentCode>,
    /// Commitment category.
    pub category: Option<Category>,
    /// Division: the division itself and everything within it.
    pub division: Option<DivisionCode>,
    /// Channel offered.
    pub channel: Option<Channel>,
    /// 1-based page.
    pub page: u32,
    /// Items per page (1–200).
    pub per_page: u32,
}

/// Runs a filtered, paged listing: counts the rows of `table` matching `conditions` (with
/// `binds` for their numbered placeholders), then reads one page of `columns` in `order`.
#[expect(clippy::too_many_arguments, reason = "one row's columns, each bound once")]
pub(crate) async fn paged<T>(
    store: &Store,
    columns: &str,
    table: &str,
    conditions: &str,
    order: &str,
    binds: Vec<String>,
    page: u32,
    per_page: u32,
    read: impl Fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let count_sql = format!("select count(*) from {table} where {conditions}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total = count.fetch_one(store.reader()).await?;
    let offset = u64::from(page.saturating_sub(1)) * u64::from(per_page);
    let sql = format!("select {columns} from {table} where {conditions} {order} limit {per_page} offset {offset}");
    let mut query = sqlx::query(&sql);
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(store.reader()).await?;
    Ok(Page {
        items: rows.iter().map(read).collect::<Result<_, _>>()?,
        total: u64::try_from(total).unwrap_or(0),
        page,
        per_page,
    })
}

/// One page of results with the total count.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows over all pages.
    pub total: u64,
    /// This page, 1-based.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

/// An item with the catalog version it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRow {
    /// Catalog version.
    pub version: u32,
    /// The item.
    #[serde(flatten)]
    pub item: ServiceItem,
}

const ITEM_COLUMNS: &str = "item_code, version, name, department_code, division_code, kind, category, \
    legal_limit, promised_limit, materials, fees, channels, legal_basis, sites, conditions, steps, contact, licence";

fn item_from_row(row: &AnyRow) -> Result<ItemRow, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt("item", e.to_string());
    let text = |name: &str| row.try_get::<String, _>(name).map_err(|e| bad(&e));
    let limit = |name: &'static str| -> Result<Option<TimeLimit>, StoreError> {
        row.try_get::<Option<String>, _>(name)
            .map_err(|e| bad(&e))?
            .map(|t| TimeLimit::parse(name, &t).map_err(|e| bad(&e)))
            .transpose()
    };
    let json = |name: &str| -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&text(name)?).map_err(|e| bad(&e))
    };
    let version: i64 = row.try_get("version").map_err(|e| bad(&e))?;
    let item = ServiceItem {
        code: ItemCode::parse(&text("item_code")?).map_err(|e| bad(&e))?,
        name: text("name")?,
        department: DepartmentCode::parse(&text("department_code")?).map_err(|e| bad(&e))?,
        division: DivisionCode::parse(&text("division_code")?).map_err(|e| bad(&e))?,
        kind: ItemKind::parse(&text("kind")?).map_err(|e| bad(&e))?,
        category: Category::parse(&text("category")?).map_err(|e| bad(&e))?,
        legal_limit: limit("legal_limit")?,
        promised_limit: limit("promised_limit")?,
        materials: serde_json::from_value(json("materials")?).map_err(|e| bad(&e))?,
        fees: serde_json::from_value(json("fees")?).map_err(|e| bad(&e))?,
        channels: serde_json::from_value(json("channels")?).map_err(|e| bad(&e))?,
        legal_basis: text("legal_basis")?,
        sites: serde_json::from_value(json("sites")?).map_err(|e| bad(&e))?,
        conditions: text("conditions")?,
        steps: serde_json::from_value(json("steps")?).map_err(|e| bad(&e))?,
        contact: text("contact")?,
        licence: row.try_get::<Option<String>, _>("licence").map_err(|e| bad(&e))?,
    };
    Ok(ItemRow { version: u32::try_from(version).map_err(|e| bad(&e))?, item })
}

/// `like` pattern matching `text` literally anywhere.
fn contains_pattern(text: &str) -> String {
    let escaped = text.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    /// The latest catalog version, or none before the first is published.
    pub async fn latest_catalog_version(&self) -> Result<Option<u32>, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("select max(version) from catalog_version").fetch_one(self.reader()).await?;
        v.map(|v| u32::try_from(v).map_err(|e| StoreError::corrupt("catalog_version", e))).transpose()
    }

    /// Items of the latest catalog version matching `filter`, ordered by code.
    pub async fn items(&self, filter: &ItemFilter) -> Result<Page<ItemRow>, StoreError> {
        let per_page = filter.per_page.clamp(1, 200);
        let page = filter.page.max(1);
        let mut conditions = String::from("version = (select max(version) from catalog_version)");
        let mut binds: Vec<String> = Vec::new();
        // `condition` holds `?` where the value's numbered placeholder goes.
        let mut add = |condition: &str, value: String| {
            binds.push(value);
            conditions.push_str(" and ");
            conditions.push_str(&condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
            add("name like ? escape '\\'", contains_pattern(text));
        }
        if let Some(d) = &filter.department {
            add("department_code = ?", d.as_str().to_owned());
        }
        if let Some(c) = filter.category {
            add("category = ?", c.as_str().to_owned());
        }
        if let Some(d) = &filter.division {
            let prefix = match d.level() {
                DivisionLevel::Province => &d.as_str()[..2],
                DivisionLevel::City => &d.as_str()[..4],
                DivisionLevel::County => d.as_str(),
            };
            add("division_code like ?", format!("{prefix}%"));
        }
        if let Some(c) = filter.channel {
            add("channels like ?", format!("%\"{}\"%", c.as_str()));
        }
        let order = "order by item_code";
        paged(self, ITEM_COLUMNS, "item", &conditions, order, binds, page, per_page, item_from_row).await
    }

    /// An item in the latest catalog version that has it.
    pub async fn item_by_code(&self, code: &ItemCode) -> Result<Option<ItemRow>, StoreError> {
        let sql = format!("select {ITEM_COLUMNS} from item where item_code = $1 order by version desc limit 1");
        let row = sqlx::query(&sql).bind(code.as_str()).fetch_optional(self.reader()).await?;
        row.as_ref().map(item_from_row).transpose()
    }

    /// An item as it was in one catalog version.
    pub async fn item_in_version(&self, code: &ItemCode, version: u32) -> Result<Option<ItemRow>, StoreError> {
        let sql = format!("select {ITEM_COLUMNS} from item where item_code = $1 and version = $2");
        let row = sqlx::query(&sql).bind(code.as_str()).bind(i64::from(version)).fetch_optional(self.reader()).await?;
        row.as_ref().map(item_from_row).transpose()
    }

    /// Every item of a catalog version, ordered by code.
    pub async fn items_in_version(&self, version: u32) -> Result<Vec<ServiceItem>, StoreError> {
        let sql = format!("select {ITEM_COLUMNS} from item where version = $1 order by item_code");
        let rows = sqlx::query(&sql).bind(i64::from(version)).fetch_all(self.reader()).await?;
        rows.iter().map(|r| item_from_row(r).map(|r| r.item)).collect()
    }

    /// Every catalog version, oldest first.
    pub async fn catalog_versions(&self) -> Result<Vec<CatalogVersion>, StoreError> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("select version, label, published_at from catalog_version order by version")
                .fetch_all(self.reader())
                .await?;
        rows.into_iter()
            .map(|(v, label, at)| {
                let number = u32::try_from(v).map_err(|e| StoreError::corrupt("catalog_version", e))?;
                Ok(CatalogVersion { number, label, published_at: crate::parse_ts("catalog_version", &at)? })
            })
            .collect()
    }

    /// Every window in service, by code.
    pub async fn windows(&self) -> Result<Vec<Window>, StoreError> {
        Ok(self.org_windows().await?.into_iter().filter(|(_, retired)| !retired).map(|(w, _)| w).collect())
    }

    /// Every department in service, by code.
    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        Ok(self.org_departments().await?.into_iter().filter(|(_, retired)| !retired).map(|(d, _)| d).collect())
    }

    /// The organisation's staff, by id.
    pub async fn staff_directory(&self) -> Result<Vec<Staff>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
            "select staff_id, name, department_code, window_code, position from staff order by staff_id",
        )
        .fetch_all(self.reader())
        .await?;
        let corrupt = |e: tongban_core::org::OrgError| StoreError::corrupt("staff", e);
        rows.into_iter()
            .map(|(id, name, department, window, position)| {
                Ok(Staff {
                    id: StaffId::parse(&id).map_err(corrupt)?,
                    name,
                    department: DepartmentCode::parse(&department).map_err(corrupt)?,
                    window: window.as_deref().map(WindowCode::parse).transpose().map_err(corrupt)?,
                    position: POSITIONS
                        .into_iter()
                        .find(|p| p.as_str() == position)
                        .ok_or_else(|| StoreError::corrupt("staff", format!("position {position:?}")))?,
                })
            })
            .collect()
    }

    /// Codes of every known division.
    pub async fn division_codes(&self) -> Result<Vec<DivisionCode>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("select division_code from division order by division_code")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|c| DivisionCode::parse(c).map_err(|e| StoreError::corrupt("division", e))).collect()
    }

    /// Codes of every department.
    pub async fn department_codes(&self) -> Result<Vec<DepartmentCode>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("select department_code from department order by department_code")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|c| DepartmentCode::parse(c).map_err(|e| StoreError::corrupt("department", e))).collect()
    }
}
