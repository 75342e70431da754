//! Administrator guardrails, on both databases: the last administrator stays, an applicant's
//! account never becomes staff, and conferring decision power is audited under its own name.

use crate::common;

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
        // … and stands among the supervisor's concerns until reviewed.
        let supervisor = f.login("supervisor").await;
        let (_, _, concerns) = f.call(&supervisor, "GET", "/api/v1/supervision/concerns", None).await;
        let conferred: Vec<&serde_json::Value> =
            concerns.as_array().expect("a list").iter().filter(|c| c["kind"] == "decision_power_conferred").collect();
        assert_eq!(conferred.len(), 1, "{name}: {concerns}");
        assert_eq!((conferred[0]["account"].as_str(), conferred[0]["case_number"].as_str()), (Some("clerk2"), None));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn owners_are_real_accounts_of_the_items_department() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        for nobody in ["nobody", "outsider", "admin", "applicant"] {
            let mut case = common::good_case();
            case["received_by"] = serde_json::json!(nobody);
            let got = f.call(&applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
            assert_problem(&got, 422, "invalid-owner");
        }
        let mut case = common::good_case();
        case["received_by"] = serde_json::json!("clerk");
        let (s, _, v) = f.call(&applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
        assert_eq!((s.as_u16(), v["owner"].as_str()), (201, Some("clerk")), "{name}: {v}");
        let number = v["number"].as_str().expect("number").to_owned();

        let clerk = f.login("clerk").await;
        let supervisor = f.login("supervisor").await;
        // Another department's staff may be offered the case (a hand-over across
        // departments), but not given it by reassignment.
        for (who, action, tos) in [
            (&clerk, "hand_over", &["nobody", "leader", "applicant"][..]),
            (&supervisor, "reassign", &["nobody", "outsider", "leader", "applicant"][..]),
        ] {
            for &to in tos {
                let (s, v) = f.act(who, &number, serde_json::json!({ "action": action, "to": to })).await;
                assert_eq!(
                    (s.as_u16(), v["type"].as_str()),
                    (422, Some("/problems/invalid-owner")),
                    "{name} {action} {to}"
                );
            }
        }
        // A disabled colleague cannot be offered the case either.
        let admin = f.login("admin").await;
        let off = serde_json::json!({ "disabled": true }).to_string();
        assert_eq!(f.call(&admin, "PUT", "/api/v1/accounts/clerk2/disabled", Some(&off)).await.0.as_u16(), 204);
        let (s, _) = f.act(&clerk, &number, serde_json::json!({ "action": "hand_over", "to": "clerk2" })).await;
        assert_eq!(s.as_u16(), 422, "{name}");
        let (s, v) = f.act(&supervisor, &number, serde_json::json!({ "action": "reassign", "to": "reviewer" })).await;
        assert_eq!((s.as_u16(), v["owner"].as_str()), (200, Some("reviewer")), "{name}: {v}");
        f.t.cleanup().await;
    }
}
