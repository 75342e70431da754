//! Plans in the store, on SQLite and PostgreSQL: versions, lookups, listings.

use tongban_core::plan::PlanId;
use tongban_core::plan::reform::{after_reform, before_reform};
use tongban_store::testing::each_backend;
use tongban_store::{Store, StoreError, insert_plan};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid timestamp")
}

async fn store_plan(store: &Store, plan: tongban_core::plan::Plan, now: &str) -> (PlanId, u32) {
    let now = at(now);
    store.write(move |conn| Box::pin(async move { insert_plan(conn, &plan, now).await })).await.expect("insert plan")
}

#[tokio::test]
async fn plans_are_versioned_and_read_back_equal() {
    for t in each_backend().await {
        let before = before_reform();
        let (id, v1) = store_plan(&t.store, before.clone(), "2026-03-02T02:00:00Z").await;
        assert_eq!((id.as_str(), v1), ("before-reform", 1), "{}", t.name);
        let renamed =
            tongban_core::plan::Plan::new(before.id().clone(), "改革前流程（修订）", 1, before.steps().to_vec())
                .expect("valid");
        let (_, v2) = store_plan(&t.store, renamed, "2026-03-03T02:00:00Z").await;
        assert_eq!(v2, 2, "{}", t.name);

        let latest = t.store.plan_by_id(&id).await.expect("query").expect("stored");
        assert_eq!((latest.version(), latest.name()), (2, "改革前流程（修订）"), "{}", t.name);
        assert_eq!(latest.steps(), before.steps(), "{}", t.name);
        let first = t.store.plan_version(&id, 1).await.expect("query").expect("stored");
        assert_eq!(first, before, "{}", t.name);
        assert!(t.store.plan_version(&id, 3).await.expect("query").is_none());
        let unknown = PlanId::parse("nope").expect("valid");
        assert!(t.store.plan_by_id(&unknown).await.expect("query").is_none(), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn plans_lists_the_latest_version_of_each_plan() {
    for t in each_backend().await {
        assert!(t.store.plans().await.expect("query").is_empty());
        store_plan(&t.store, before_reform(), "2026-03-02T02:00:00Z").await;
        store_plan(&t.store, after_reform(), "2026-03-02T03:00:00Z").await;
        store_plan(&t.store, after_reform(), "2026-03-04T03:00:00Z").await;
        let rows = t.store.plans().await.expect("query");
        let summary: Vec<(&str, u32, u32, u32)> =
            rows.iter().map(|r| (r.id.as_str(), r.version, r.steps, r.total_days)).collect();
        assert_eq!(summary, [("after-reform", 2, 48, 72), ("before-reform", 1, 111, 232)], "{}", t.name);
        assert_eq!(rows[0].imported_at, at("2026-03-04T03:00:00Z"), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_failed_write_stores_no_plan() {
    for t in each_backend().await {
        let plan = after_reform();
        let result = t
            .store
            .write(move |conn| {
                Box::pin(async move {
                    insert_plan(conn, &plan, at("2026-03-02T02:00:00Z")).await?;
                    Err::<(), StoreError>(StoreError::Closed)
                })
            })
            .await;
        assert!(result.is_err());
        assert!(t.store.plans().await.expect("query").is_empty(), "{}", t.name);
        t.cleanup().await;
    }
}
