//! The integration-test harness: one test body runs on a fresh SQLite file and on a fresh
//! PostgreSQL database. PostgreSQL comes from `TONGBAN_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); under `CI` an unreachable server fails
//! the test, elsewhere it is skipped with a note.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

use crate::Store;

/// A store for one test, removed afterwards by [`TestStore::cleanup`].
#[derive(Debug)]
pub struct TestStore {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// The store.
    pub store: Store,
    /// The URL it was opened with (to open it again, e.g. from a second server).
    pub url: String,
    dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestStore {
    /// Closes the store and drops its database.
    pub async fn cleanup(mut self) {
        self.store.close().await;
        if let Some((admin, db)) = self.pg.take() {
            drop_database(&admin, &db).await;
        }
        drop(self.dir.take());
    }
}

/// A test that fails before [`TestStore::cleanup`] still drops its PostgreSQL database: on
/// a thread of its own (the test's runtime may be unwinding), with `force` so the store's
/// open connections do not hold it.
impl Drop for TestStore {
    fn drop(&mut self) {
        let Some((admin, db)) = self.pg.take() else { return };
        let dropper = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(drop_database(&admin, &db));
            }
        });
        let _ = dropper.join();
    }
}

async fn drop_database(admin: &str, db: &str) {
    if let Ok(mut c) = sqlx::AnyConnection::connect(admin).await {
        let drop_db = format!("drop database if exists {db} with (force)");
        let _ = c.execute(drop_db.as_str()).await;
    }
}

/// The PostgreSQL server tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("TONGBAN_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh SQLite store in a temporary directory.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = crate::sqlite_url(dir.path());
    let store = Store::open(&url).await.expect("SQLite store opens");
    TestStore { name: "sqlite", store, url, dir: Some(dir), pg: None }
}

/// A fresh PostgreSQL database, or none when the server is unreachable outside CI.
pub async fn postgres() -> Option<TestStore> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let mut conn = match sqlx::AnyConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("PostgreSQL at {admin} is unreachable under CI: {e}")
        }
        Err(e) => {
            eprintln!("skipping PostgreSQL: {admin} is unreachable ({e}); set TONGBAN_TEST_DATABASE_URL");
            return None;
        }
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let db = format!("tongban_t_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    conn.execute(format!("create database {db}").as_str()).await.expect("create a test database");
    let url = match admin.rfind('/') {
        Some(i) if admin[..i].contains("://") && admin[..i].len() > admin.find("://").unwrap_or(0) + 3 => {
            let (base, rest) = admin.split_at(i);
            let query = rest.find('?').map_or("", |q| &rest[q..]);
            format!("{base}/{db}{query}")
        }
        _ => format!("{admin}/{db}"),
    };
    let store = Store::open(&url).await.expect("PostgreSQL store opens");
    Some(TestStore { name: "postgres", store, url, dir: None, pg: Some((admin, db)) })
}

/// A fresh store on every available backend.
pub async fn each_backend() -> Vec<TestStore> {
    let mut stores = vec![sqlite().await];
    stores.extend(postgres().await);
    stores
}

/// The item [`seed_minimal`] publishes: a 5-working-day licence with two required
/// materials and one optional, offered at the window and online.
pub fn sample_item() -> tongban_core::item::ServiceItem {
    use tongban_core::division::DivisionCode;
    use tongban_core::item::{Category, Channel, ItemCode, ItemKind, Material, MaterialForm, ServiceItem, TimeLimit};
    use tongban_core::org::DepartmentCode;
    ServiceItem {
        code: ItemCode::parse("620100-FGW-001").expect("valid"),
        name: "企业投资项目备案".into(),
        department: DepartmentCode::parse("fgw").expect("valid"),
        division: DivisionCode::parse("620100").expect("valid"),
        kind: ItemKind::Filing,
        category: Category::TimeLimited,
        legal_limit: Some(TimeLimit::parse("legal_limit", "20d").expect("valid")),
        promised_limit: Some(TimeLimit::parse("promised_limit", "5d").expect("valid")),
        materials: vec![
            Material { name: "项目备案申请表".into(), required: true, form: MaterialForm::Original },
            Material { name: "营业执照".into(), required: true, form: MaterialForm::Copy },
            Material { name: "授权委托书".into(), required: false, form: MaterialForm::Original },
        ],
        fees: vec![],
        legal_basis: "《企业投资项目核准和备案管理条例》".into(),
        channels: vec![Channel::Window, Channel::Online],
        sites: Vec::new(),
        conditions: String::new(),
        steps: Vec::new(),
        contact: String::new(),
        licence: None,
    }
}

/// Seeds 甘肃省 ⊃ 兰州市 ⊃ 城关区, one department (fgw) and catalog version 1 holding
/// [`sample_item`] and a same-day item `620100-FGW-002`; returns the first item.
pub async fn seed_minimal(store: &Store) -> tongban_core::item::ServiceItem {
    use tongban_core::division::{Division, DivisionCode, DivisionLevel};
    use tongban_core::item::Category;
    use tongban_core::org::Department;
    let item = sample_item();
    let mut same_day = sample_item();
    same_day.code = tongban_core::item::ItemCode::parse("620100-FGW-002").expect("valid");
    same_day.name = "企业投资项目备案变更".into();
    same_day.category = Category::SameDay;
    same_day.promised_limit = None;
    let items = vec![item.clone(), same_day];
    store
        .write(move |conn| {
            Box::pin(async move {
                let code = |c: &str| DivisionCode::parse(c).expect("valid");
                crate::insert_division(
                    conn,
                    &Division::new(code("620000"), "甘肃省", None, DivisionLevel::Province).expect("valid"),
                )
                .await?;
                crate::insert_division(
                    conn,
                    &Division::new(code("620100"), "兰州市", Some(code("620000")), DivisionLevel::City).expect("valid"),
                )
                .await?;
                crate::insert_division(
                    conn,
                    &Division::new(code("620102"), "城关区", Some(code("620100")), DivisionLevel::County)
                        .expect("valid"),
                )
                .await?;
                let dept = Department {
                    code: items[0].department.clone(),
                    name: "兰州市发展和改革委员会".into(),
                    division: code("620100"),
                    site: None,
                };
                crate::insert_department(conn, &dept).await?;
                crate::insert_catalog_version(conn, "test", &items, "2026-01-01T00:00:00Z".parse().expect("valid"))
                    .await?;
                Ok::<_, crate::StoreError>(())
            })
        })
        .await
        .expect("seed the minimal center");
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exists(admin: &str, db: &str) -> bool {
        let mut c = sqlx::AnyConnection::connect(admin).await.expect("admin connection");
        let sql = format!("select count(*) from pg_database where datname = '{db}'");
        let n: i64 = sqlx::query_scalar(sql.as_str()).fetch_one(&mut c).await.expect("count");
        n == 1
    }

    #[tokio::test]
    async fn a_test_that_fails_before_cleanup_still_drops_its_postgres_database() {
        let Some(t) = postgres().await else { return };
        let (admin, db) = t.pg.clone().expect("a PostgreSQL store");
        assert!(exists(&admin, &db).await);
        // A panicking test body: the store is dropped while unwinding, never cleaned up.
        let body = tokio::spawn(async move {
            let _t = t;
            panic!("the assertion that fails");
        });
        assert!(body.await.is_err(), "the body panicked");
        assert!(!exists(&admin, &db).await, "{db} was dropped with the failed test's store");
    }
}
