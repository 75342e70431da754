//! The organisation as data: divisions, sites, departments, windows and staff accounts,
//! stored by key (code, or login) so that importing a row again only updates it, and
//! retired rather than deleted so that they keep their history.

use std::collections::{BTreeMap, BTreeSet};

use tongban_core::division::{Division, DivisionCode, DivisionLevel};
use tongban_core::identity::Role;
use tongban_core::org::import::{Known, OrgKind, Record, StaffRecord, Stored};
use tongban_core::org::{Department, DepartmentCode, Site, SiteCode, StaffId, Window, WindowCode};

use crate::{Conn, Store, StoreError, format_ts};

fn corrupt(table: &'static str) -> impl Fn(String) -> StoreError {
    move |e| StoreError::corrupt(table, e)
}

impl Store {
    /// Every division, retired ones marked.
    pub async fn org_divisions(&self) -> Result<Vec<(Division, bool)>, StoreError> {
        type Columns = (String, String, Option<String>, String, Option<String>);
        let rows: Vec<Columns> = sqlx::query_as(
            "select division_code, name, parent_code, level, retired_at from division order by division_code",
        )
        .fetch_all(self.reader())
        .await?;
        let bad = corrupt("division");
        rows.into_iter()
            .map(|(code, name, parent, level, retired)| {
                let division = Division {
                    code: DivisionCode::parse(&code).map_err(|e| bad(e.to_string()))?,
                    name,
                    parent: parent.as_deref().map(DivisionCode::parse).transpose().map_err(|e| bad(e.to_string()))?,
                    level: DivisionLevel::parse(&level).map_err(|e| bad(e.to_string()))?,
                };
                Ok((division, retired.is_some()))
            })
            .collect()
    }

    /// The divisions the center works in: those with a department or a site in service.
    pub async fn divisions_in_use(&self) -> Result<Vec<DivisionCode>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "select division_code from department where retired_at is null \
             union select division_code from site where retired_at is null order by 1",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|c| DivisionCode::parse(c).map_err(|e| StoreError::corrupt("division", e))).collect()
    }

    /// Every site, retired ones marked.
    pub async fn org_sites(&self) -> Result<Vec<(Site, bool)>, StoreError> {
        type Columns = (String, String, String, String, String, String, Option<String>);
        let rows: Vec<Columns> = sqlx::query_as(
            "select site_code, name, division_code, address, hours, phone, retired_at from site order by site_code",
        )
        .fetch_all(self.reader())
        .await?;
        let bad = corrupt("site");
        rows.into_iter()
            .map(|(code, name, division, address, hours, phone, retired)| {
                let site = Site {
                    code: SiteCode::parse(&code).map_err(|e| bad(e.to_string()))?,
                    name,
                    division: DivisionCode::parse(&division).map_err(|e| bad(e.to_string()))?,
                    address,
                    hours,
                    phone,
                };
                Ok((site, retired.is_some()))
            })
            .collect()
    }

    /// Every site in service.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        Ok(self.org_sites().await?.into_iter().filter(|(_, retired)| !retired).map(|(s, _)| s).collect())
    }

    /// Every department, retired ones marked.
    pub async fn org_departments(&self) -> Result<Vec<(Department, bool)>, StoreError> {
        type Columns = (String, String, String, Option<String>, Option<String>);
        let rows: Vec<Columns> = sqlx::query_as(
            "select department_code, name, division_code, site_code, retired_at from department \
             order by department_code",
        )
        .fetch_all(self.reader())
        .await?;
        let bad = corrupt("department");
        rows.into_iter()
            .map(|(code, name, division, site, retired)| {
                let department = Department {
                    code: DepartmentCode::parse(&code).map_err(|e| bad(e.to_string()))?,
                    name,
                    division: DivisionCode::parse(&division).map_err(|e| bad(e.to_string()))?,
                    site: site.as_deref().map(SiteCode::parse).transpose().map_err(|e| bad(e.to_string()))?,
                };
                Ok((department, retired.is_some()))
            })
            .collect()
    }

    /// Every window, retired ones marked.
    pub async fn org_windows(&self) -> Result<Vec<(Window, bool)>, StoreError> {
        type Columns = (String, String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Columns> = sqlx::query_as(
            "select window_code, name, department_code, site_code, retired_at from service_window order by window_code",
        )
        .fetch_all(self.reader())
        .await?;
        let bad = corrupt("service_window");
        rows.into_iter()
            .map(|(code, name, department, site, retired)| {
                let window = Window {
                    code: WindowCode::parse(&code).map_err(|e| bad(e.to_string()))?,
                    name,
                    department: department
                        .as_deref()
                        .map(DepartmentCode::parse)
                        .transpose()
                        .map_err(|e| bad(e.to_string()))?,
                    site: site.as_deref().map(SiteCode::parse).transpose().map_err(|e| bad(e.to_string()))?,
                };
                Ok((window, retired.is_some()))
            })
            .collect()
    }

    /// Every staff account as the staff table would list it; disabled ones marked retired.
    pub async fn org_staff(&self) -> Result<Vec<(StaffRecord, bool)>, StoreError> {
        type StaffRow = (String, String, String, Option<String>, Option<String>, Option<String>, i64);
        let rows: Vec<StaffRow> = sqlx::query_as(
            "select account_id, display_name, role, department_code, window_code, phone, disabled from account \
             where kind = 'staff' order by account_id",
        )
        .fetch_all(self.reader())
        .await?;
        let bad = corrupt("account");
        let mut staff = Vec::with_capacity(rows.len());
        for (login, name, role, department, window, phone, disabled) in rows {
            // Built-in accounts whose logins are not staff ids (none today) are left out
            // rather than failing every import.
            let Ok(login) = StaffId::parse(&login) else { continue };
            let record = StaffRecord {
                login,
                name,
                role: Role::parse(&role).ok_or_else(|| bad(format!("role {role:?}")))?,
                department: department
                    .as_deref()
                    .map(DepartmentCode::parse)
                    .transpose()
                    .map_err(|e| bad(e.to_string()))?,
                window: window.as_deref().map(WindowCode::parse).transpose().map_err(|e| bad(e.to_string()))?,
                phone: phone.filter(|p| !p.is_empty()),
            };
            staff.push((record, disabled != 0));
        }
        Ok(staff)
    }

    /// The organisation as stored, for checking an import or an edit against.
    pub async fn org_known(&self) -> Result<Known, StoreError> {
        fn keyed<K: Ord, T>(rows: Vec<(T, bool)>, key: impl Fn(&T) -> K) -> BTreeMap<K, Stored<T>> {
            rows.into_iter().map(|(value, retired)| (key(&value), Stored { value, retired })).collect()
        }
        let applicant_logins: Vec<String> =
            sqlx::query_scalar("select account_id from account where kind = 'applicant'")
                .fetch_all(self.reader())
                .await?;
        Ok(Known {
            divisions: keyed(self.org_divisions().await?, |d| d.code.clone()),
            sites: keyed(self.org_sites().await?, |s| s.code.clone()),
            departments: keyed(self.org_departments().await?, |d| d.code.clone()),
            windows: keyed(self.org_windows().await?, |w| w.code.clone()),
            staff: keyed(self.org_staff().await?, |s| s.login.to_string()),
            applicant_logins: applicant_logins.into_iter().collect::<BTreeSet<_>>(),
        })
    }
}

/// Stores a record by its key: inserted when new, updated (and brought back from
/// retirement) when it exists. A staff account is created without a password (its holder
/// activates it) and an update never touches the password.
pub async fn put_record(conn: &mut Conn, record: &Record, now: jiff::Timestamp) -> Result<(), StoreError> {
    let opt = |o: Option<&str>| o.map(str::to_owned);
    match record {
        Record::Division(d) => {
            conn.query(
                "insert into division (division_code, name, parent_code, level) values ($1, $2, $3, $4) \
                 on conflict (division_code) do update set name = excluded.name, parent_code = excluded.parent_code, \
                 level = excluded.level, retired_at = null",
            )
            .bind(d.code.as_str())
            .bind(&d.name)
            .bind(opt(d.parent.as_ref().map(DivisionCode::as_str)))
            .bind(d.level.as_str())
            .execute()
            .await?;
        }
        Record::Site(s) => {
            conn.query(
                "insert into site (site_code, name, division_code, address, hours, phone) values ($1, $2, $3, $4, $5, $6) \
                 on conflict (site_code) do update set name = excluded.name, division_code = excluded.division_code, \
                 address = excluded.address, hours = excluded.hours, phone = excluded.phone, retired_at = null",
            )
            .bind(s.code.as_str())
            .bind(&s.name)
            .bind(s.division.as_str())
            .bind(&s.address)
            .bind(&s.hours)
            .bind(&s.phone)
            .execute()
            .await?;
        }
        Record::Department(d) => {
            conn.query(
                "insert into department (department_code, name, division_code, site_code) values ($1, $2, $3, $4) \
                 on conflict (department_code) do update set name = excluded.name, \
                 division_code = excluded.division_code, site_code = excluded.site_code, retired_at = null",
            )
            .bind(d.code.as_str())
            .bind(&d.name)
            .bind(d.division.as_str())
            .bind(opt(d.site.as_ref().map(SiteCode::as_str)))
            .execute()
            .await?;
        }
        Record::Window(w) => {
            conn.query(
                "insert into service_window (window_code, name, department_code, site_code) values ($1, $2, $3, $4) \
                 on conflict (window_code) do update set name = excluded.name, \
                 department_code = excluded.department_code, site_code = excluded.site_code, retired_at = null",
            )
            .bind(w.code.as_str())
            .bind(&w.name)
            .bind(opt(w.department.as_ref().map(DepartmentCode::as_str)))
            .bind(opt(w.site.as_ref().map(SiteCode::as_str)))
            .execute()
            .await?;
        }
        Record::Staff(s) => put_staff(conn, s, now).await?,
    }
    Ok(())
}

async fn put_staff(conn: &mut Conn, s: &StaffRecord, now: jiff::Timestamp) -> Result<(), StoreError> {
    let position = s.position().map(|p| p.as_str().to_owned());
    let department = s.department.as_ref().map(|d| d.as_str().to_owned());
    let window = s.window.as_ref().map(|w| w.as_str().to_owned());
    // A position finer than the role says (分管领导, 处室负责人) is kept while the role stays.
    conn.query(
        "insert into account (account_id, kind, display_name, role, department_code, window_code, position, phone, \
         password_hash, disabled, created_at) values ($1, 'staff', $2, $3, $4, $5, $6, $7, '', 0, $8) \
         on conflict (account_id) do update set display_name = excluded.display_name, role = excluded.role, \
         department_code = excluded.department_code, window_code = excluded.window_code, phone = excluded.phone, \
         position = case when account.role = excluded.role then account.position else excluded.position end, \
         disabled = 0",
    )
    .bind(s.login.as_str())
    .bind(&s.name)
    .bind(s.role.as_str())
    .bind(department.clone())
    .bind(window.clone())
    .bind(position.clone())
    .bind(s.phone.clone())
    .bind(format_ts(now))
    .execute()
    .await?;
    // The staff directory (names on pages, the delegation chain) lists department staff.
    match (department, position) {
        (Some(department), Some(position)) => {
            conn.query(
                "insert into staff (staff_id, name, department_code, window_code, position) values ($1, $2, $3, $4, $5) \
                 on conflict (staff_id) do update set name = excluded.name, department_code = excluded.department_code, \
                 window_code = excluded.window_code",
            )
            .bind(s.login.as_str())
            .bind(&s.name)
            .bind(department)
            .bind(window)
            .bind(position)
            .execute()
            .await?;
        }
        _ => {
            conn.query("delete from staff where staff_id = $1").bind(s.login.as_str()).execute().await?;
        }
    }
    Ok(())
}

/// Retires a record: it keeps its history but takes no new references; a retired staff
/// account can no longer log in. False when there is no such record in service.
pub async fn retire_record(
    conn: &mut Conn,
    kind: OrgKind,
    key: &str,
    now: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let sql = match kind {
        OrgKind::Divisions => "update division set retired_at = $1 where division_code = $2 and retired_at is null",
        OrgKind::Sites => "update site set retired_at = $1 where site_code = $2 and retired_at is null",
        OrgKind::Departments => {
            "update department set retired_at = $1 where department_code = $2 and retired_at is null"
        }
        OrgKind::Windows => "update service_window set retired_at = $1 where window_code = $2 and retired_at is null",
        OrgKind::Staff => {
            let done = conn
                .query("update account set disabled = 1 where account_id = $1 and kind = 'staff' and disabled = 0")
                .bind(key)
                .execute()
                .await?;
            if done.rows_affected() > 0 {
                conn.query("delete from session where account_id = $1").bind(key).execute().await?;
            }
            return Ok(done.rows_affected() > 0);
        }
    };
    Ok(conn.query(sql).bind(format_ts(now)).bind(key).execute().await?.rows_affected() > 0)
}
