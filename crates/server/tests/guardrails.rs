//! Administrator guardrails, on both databases: the last administrator stays, an applicant's
//! account never becomes staff, and conferring decision power is audited under its own name.

mod common;

use common::{Fixture, assert_problem};
use tongban_store::testing::each_backend;

#[tokio::test]
async fn role_changes_keep_the_center_governable_and_are_audited() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let set = |login: &str, role: &str| {
            (format!("/api/v1/accounts/{login}/role"), serde_json::json!({ "role": role }).to_string())
        };
        let (uri, body) = set("admin", "supervisor");
        assert_problem(&f.call(&admin, "PUT", &uri, Some(&body)).await, 422, "invalid-field");
        let (uri, body) = set("applicant", "administrator");
        assert_problem(&f.call(&admin, "PUT", &uri, Some(&body)).await, 422, "invalid-field");
        let (uri, body) = set("clerk", "applicant");
        assert_problem(&f.call(&admin, "PUT", &uri, Some(&body)).await, 422, "invalid-field");
        let (uri, body) = set("nobody", "reviewer");
        assert_problem(&f.call(&admin, "PUT", &uri, Some(&body)).await, 404, "not-found");
        let (uri, body) = set("clerk2", "department_head");
        assert_eq!(f.call(&admin, "PUT", &uri, Some(&body)).await.0.as_u16(), 204, "{name}");
        // With a second administrator, the first may step down.
        let (uri, body) = set("leader", "administrator");
        assert_eq!(f.call(&admin, "PUT", &uri, Some(&body)).await.0.as_u16(), 204, "{name}");
        let (uri, body) = set("admin", "supervisor");
        assert_eq!(f.call(&admin, "PUT", &uri, Some(&body)).await.0.as_u16(), 204, "{name}");
        let audit = f.t.store.audit_entries().await.expect("audit");
        let actions: Vec<(&str, &str)> = audit
            .iter()
            .filter(|e| e.action.starts_with("account.role"))
            .map(|e| (e.action.as_str(), e.subject.as_str()))
            .collect();
        assert_eq!(
            actions,
            [("account.role.decision_power", "clerk2"), ("account.role", "leader"), ("account.role", "admin")],
            "{name}"
        );
        assert_eq!(tongban_core::audit::verify(&audit).map(|n| n as usize), Ok(audit.len()), "{name}");
        f.t.cleanup().await;
    }
}
