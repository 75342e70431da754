//! Two `tongban serve` processes against one PostgreSQL database: sessions work on both,
//! case numbers never collide, and of two clerks acting at once through different servers
//! exactly one wins.

mod common;

use common::{Server, serve};
use tongban_core::identity::{Power, Role};
use tongban_core::org::DepartmentCode;
use tongban_store::testing::seed_minimal;
use tongban_store::{Account, insert_account, insert_grant};

fn start(url: &str) -> Server {
    serve(url, &[])
}

async fn login(client: &reqwest::Client, base: &str, who: &str) -> (String, String) {
    let res = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": who, "password": "correct horse battery"}))
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let me: serde_json::Value = res.json().await.expect("json");
    (cookie, me["csrf_token"].as_str().expect("csrf").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_postgres_database() {
    let Some(t) = tongban_store::testing::postgres().await else { return };
    seed_minimal(&t.store).await;
    let hash = tongban_server::auth::hash_password("correct horse battery".into()).await.expect("hash");
    let now: jiff::Timestamp = "2026-01-05T00:00:00Z".parse().expect("valid");
    let store = t.store.clone();
    store
        .write(move |c| {
            Box::pin(async move {
                for (id, role) in [
                    ("head", Role::DepartmentHead),
                    ("clerk", Role::WindowClerk),
                    ("clerk2", Role::WindowClerk),
                    ("applicant", Role::Applicant),
                ] {
                    let applicant = role == Role::Applicant;
                    let account = Account {
                        id: id.into(),
                        kind: if applicant { "applicant" } else { "staff" }.into(),
                        display_name: id.into(),
                        role,
                        department: (!applicant).then(|| DepartmentCode::parse("fgw").expect("valid")),
                        window: None,
                        position: None,
                        applicant_kind: applicant.then(|| "enterprise".into()),
                        id_number: applicant.then(|| "91350100M000100Y43".into()),
                        phone: None,
                        password_hash: hash.clone(),
                        disabled: false,
                        verified: None,
                    };
                    insert_account(c, &account, now).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("accounts");
    let mut d = t.store.delegations().await.expect("delegations");
    for clerk in ["clerk", "clerk2"] {
        let g = d
            .grant_from(
                format!("g-{clerk}"),
                tongban_core::delegation::GrantRequest {
                    grantor: "head".into(),
                    grantee: clerk.into(),
                    department: DepartmentCode::parse("fgw").expect("valid"),
                    items: None,
                    powers: [Power::Accept].into(),
                    valid_from: now,
                    valid_until: None,
                },
                now,
            )
            .expect("grant");
        d.insert(g.clone());
        t.store.write(move |c| Box::pin(async move { insert_grant(c, &g, now).await })).await.expect("grant");
    }
    let (a, b) = (start(&t.url), start(&t.url));
    let client = reqwest::Client::new();
    let (cookie, csrf) = login(&client, &a.1, "applicant").await;
    let case = serde_json::json!({
        "item": "620100-FGW-001",
        "applicant": {"kind": "enterprise", "name": "兰州某某有限公司", "id_number": "91350100M000100Y43"},
        "channel": "online",
        "materials": ["项目备案申请表", "营业执照"]
    });
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let base = if i % 2 == 0 { a.1.clone() } else { b.1.clone() };
        let (client, cookie, csrf, case) = (client.clone(), cookie.clone(), csrf.clone(), case.clone());
        tasks.spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/cases"))
                .header("cookie", cookie)
                .header("x-csrf-token", csrf)
                .json(&case)
                .send()
                .await
                .expect("submit");
            assert_eq!(res.status(), reqwest::StatusCode::CREATED, "the session made on server A works on B");
            let v: serde_json::Value = res.json().await.expect("json");
            v["number"].as_str().expect("number").to_owned()
        });
    }
    let mut numbers = Vec::new();
    while let Some(n) = tasks.join_next().await {
        numbers.push(n.expect("task"));
    }
    numbers.sort();
    let expected: Vec<String> = (1..=30)
        .map(|i| format!("620100-{}-{i:06}", tongban_core::case::CaseNumber::year_of(jiff::Timestamp::now())))
        .collect();
    assert_eq!(numbers, expected, "unique, gapless numbers across both servers");
    let (c1, x1) = login(&client, &a.1, "clerk").await;
    let (c2, x2) = login(&client, &b.1, "clerk2").await;
    let uri = |base: &str| format!("{base}/api/v1/cases/{}/actions", numbers[0]);
    // Neither action depends on the calendar, so the test holds whatever day it runs.
    let accept = serde_json::json!({"action": "request_correction", "missing": ["营业执照"]});
    let reject = serde_json::json!({"action": "reject", "reason": "不属于本机关职权"});
    let (r1, r2) = tokio::join!(
        client
            .post(uri(&a.1))
            .header("cookie", c1)
            .header("x-csrf-token", x1)
            .header("if-match", "\"1\"")
            .json(&accept)
            .send(),
        client
            .post(uri(&b.1))
            .header("cookie", c2)
            .header("x-csrf-token", x2)
            .header("if-match", "\"1\"")
            .json(&reject)
            .send(),
    );
    let mut statuses = [r1.expect("response").status().as_u16(), r2.expect("response").status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    drop((a, b));
    t.cleanup().await;
}
