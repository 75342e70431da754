//! The whole delegation chain (逐级授权) over HTTP, on SQLite and PostgreSQL: the head gives a
//! deputy in charge (分管领导) approve, the deputy passes it to a division chief (处室负责人);
//! each decides under their grant, their colleagues at the same level without one are
//! refused, a grant up the chain is refused, and the decision shows its chain with levels.

use axum::http::StatusCode;
use serde_json::{Value, json};
use tongban_core::identity::Role;
use tongban_core::org::DepartmentCode;

use crate::common::{self, Fixture};

/// (login, position) of the extra approvers: one of each level with a grant, one without.
const PEOPLE: [(&str, &str); 4] =
    [("deputy", "deputy"), ("chief", "chief"), ("deputy.nogrant", "deputy"), ("chief.nogrant", "chief")];

/// Rows: who decides, the action, whether it is done (1) or refused as beyond their authority
/// (0); each acts on a fresh accepted case of a time-limited item, decided in the back office.
const CHAIN_MATRIX: &[(&str, &str, char)] = &[
    ("deputy", "approve", '1'),
    ("deputy", "deny", '1'),
    ("chief", "approve", '1'),
    ("chief", "deny", '1'),
    ("deputy.nogrant", "approve", '0'),
    ("deputy.nogrant", "deny", '0'),
    ("chief.nogrant", "approve", '0'),
    ("chief.nogrant", "deny", '0'),
];

async fn add_people(f: &Fixture) {
    let hash = tongban_server::auth::hash_password(common::PASSWORD.into()).await.expect("hash");
    let now: jiff::Timestamp = "2026-01-05T00:00:00Z".parse().expect("time");
    f.t.store
        .write(move |c| {
            Box::pin(async move {
                for (login, position) in PEOPLE {
                    let account = tongban_store::Account {
                        id: login.into(),
                        kind: "staff".into(),
                        display_name: login.to_uppercase(),
                        role: Role::Approver,
                        department: Some(DepartmentCode::parse("fgw").expect("code")),
                        window: None,
                        position: Some(position.into()),
                        applicant_kind: None,
                        id_number: None,
                        phone: None,
                        password_hash: hash.clone(),
                        disabled: false,
                        verified: None,
                    };
                    tongban_store::insert_account(c, &account, now).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("people");
}

fn decision(action: &str) -> Value {
    match action {
        "deny" => json!({ "action": "deny", "reason": "不符合法定条件", "legal_basis": "第十条" }),
        _ => json!({ "action": "approve", "note": "同意" }),
    }
}

#[tokio::test]
async fn a_deputy_and_a_division_chief_decide_under_their_grants_and_not_without() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        add_people(&f).await;
        let (head, approver, applicant) =
            (f.login("head").await, f.login("approver").await, f.login("applicant").await);
        let (deputy, chief) = (f.login("deputy").await, f.login("chief").await);
        let give = |grantee: &str| json!({ "grantee": grantee, "department": "fgw", "powers": ["approve", "review"] });
        let (s, _, g1) = f.call(&head, "POST", "/api/v1/grants", Some(&give("deputy").to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {g1}", f.t.name);
        assert_eq!((g1["grantor_level"].as_str(), g1["grantee_level"].as_str()), (Some("head"), Some("deputy")));
        let (s, _, g2) = f.call(&deputy, "POST", "/api/v1/grants", Some(&give("chief").to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{g2}");
        assert_eq!((g2["grantor_level"].as_str(), g2["grantee_level"].as_str()), (Some("deputy"), Some("chief")));
        assert_eq!(g2["parent"], g1["id"], "re-delegated from the deputy's own grant");
        // 逐级授权 goes down: a chief cannot empower a deputy.
        let up = json!({ "grantee": "deputy.nogrant", "department": "fgw", "powers": ["approve"] });
        let (s, _, refused) = f.call(&chief, "POST", "/api/v1/grants", Some(&up.to_string())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(refused["detail"].as_str().is_some_and(|d| d.contains("up the chain")), "{refused}");

        let mut failures = Vec::new();
        let mut chief_case = None;
        for (login, action, expected) in CHAIN_MATRIX {
            let caller = f.login(login).await;
            let number = f.submit(&applicant).await;
            assert_eq!(f.act(&approver, &number, json!({"action": "accept"})).await.0, StatusCode::OK);
            let (status, answer) = f.act(&caller, &number, decision(action)).await;
            let ok = match expected {
                '1' => status == StatusCode::OK,
                _ => status == StatusCode::FORBIDDEN && answer["type"] == "/problems/no-authority",
            };
            if !ok {
                failures.push(format!("{action} as {login}: got {status} {answer}"));
            }
            if *login == "chief" && *action == "approve" {
                chief_case = Some(number);
            }
        }
        assert!(failures.is_empty(), "{}: {} cells differ:\n{}", f.t.name, failures.len(), failures.join("\n"));

        // The decision shows its chain, each link with its levels.
        let number = chief_case.expect("the chief decided");
        let (s, _, detail) = f.call(&head, "GET", &format!("/api/v1/cases/{number}"), None).await;
        assert_eq!(s, StatusCode::OK, "{detail}");
        let approved = detail["events"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["type"] == "approved"))
            .expect("an approved event")
            .clone();
        let links: Vec<(String, String, String, String)> = approved["chain"]
            .as_array()
            .expect("a resolved chain")
            .iter()
            .map(|l| {
                let s = |k: &str| l[k].as_str().unwrap_or_default().to_owned();
                (s("grantor_level"), s("grantor"), s("grantee_level"), s("grantee"))
            })
            .collect();
        assert_eq!(
            links,
            [
                ("head".into(), "head".into(), "deputy".into(), "deputy".into()),
                ("deputy".into(), "deputy".into(), "chief".into(), "chief".into()),
            ],
            "{}",
            f.t.name
        );
        f.t.cleanup().await;
    }
}
