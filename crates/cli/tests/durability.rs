//! Durability: `tongban serve` on SQLite is killed with SIGKILL while clients submit; after a
//! restart every acknowledged case is there with all its events, and nothing is half-written.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use tongban_store::Store;
use tongban_store::testing::seed_minimal;

/// Starts `tongban serve` on a free port; returns the child and its base URL.
fn start(data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("TONGBAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("tongban starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints its address");
    let url = line.trim().rsplit(' ').next().expect("an address").trim_end_matches('/').to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "unexpected first line {line:?}");
    (child, url)
}

fn body(i: usize) -> serde_json::Value {
    serde_json::json!({
        "item": "620100-FGW-001",
        "applicant": {"kind": "enterprise", "name": format!("兰州申请企业{i}"), "id_number": "91350100M000100Y43"},
        "channel": "online",
        "materials": ["项目备案申请表", "营业执照"]
    })
}

/// An applicant account to submit with.
async fn applicant(store: &Store) {
    let hash = tongban_server::auth::hash_password("correct horse battery".into()).await.expect("hash");
    let now = jiff::Timestamp::now();
    store
        .write(move |c| {
            Box::pin(async move {
                let account = tongban_store::Account {
                    id: "applicant".into(),
                    kind: "applicant".into(),
                    display_name: "申请企业".into(),
                    role: tongban_core::identity::Role::Applicant,
                    department: None,
                    window: None,
                    position: None,
                    applicant_kind: Some("enterprise".into()),
                    id_number: Some("91350100M000100Y43".into()),
                    phone: None,
                    password_hash: hash,
                    disabled: false,
                    verified: None,
                };
                tongban_store::insert_account(c, &account, now).await
            })
        })
        .await
        .expect("account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_cases_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = tongban_store::sqlite_url(dir.path());
    let store = Store::open(&url).await.expect("open");
    seed_minimal(&store).await;
    applicant(&store).await;
    store.close().await;
    drop(store);

    let (mut child, base) = start(dir.path());
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": "applicant", "password": "correct horse battery"}))
        .send()
        .await
        .expect("login");
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let me: serde_json::Value = login.json().await.expect("json");
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    let (enough_tx, mut enough_rx) = tokio::sync::mpsc::channel::<()>(1);
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..8 {
        let (client, base, acknowledged, enough_tx) =
            (client.clone(), base.clone(), acknowledged.clone(), enough_tx.clone());
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        clients.spawn(async move {
            // Bounded: each client stops after 200 tries or at the first refused connection.
            for i in 0..200 {
                let sent = client
                    .post(format!("{base}/api/v1/cases"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .json(&body(c * 1000 + i))
                    .send()
                    .await;
                let Ok(response) = sent else { return };
                if response.status() == reqwest::StatusCode::CREATED {
                    let case: serde_json::Value = response.json().await.expect("json");
                    let mut ack = acknowledged.lock().expect("lock");
                    ack.push(case["number"].as_str().expect("number").to_owned());
                    if ack.len() == 150 {
                        let _ = enough_tx.try_send(());
                    }
                }
            }
        });
    }
    drop(enough_tx);
    // Kill while the other clients still have requests in flight.
    let _ = enough_rx.recv().await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    while clients.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 150);

    let (mut child, base) = start(dir.path());
    for number in &acknowledged {
        let detail: serde_json::Value = client
            .get(format!("{base}/api/v1/cases/{number}"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(detail["case"]["number"], number.as_str(), "acknowledged case {number} survived");
        assert_eq!(detail["events"].as_array().map(Vec::len), Some(1), "{number} has its event");
    }
    child.kill().expect("stop");
    child.wait().expect("reaped");

    // Nothing half-written: every case has its events and every event its case.
    let store = Store::open(&url).await.expect("reopen");
    let orphans: i64 = sqlx::query_scalar(
        "select (select count(*) from service_case c where not exists (select 1 from event e where e.case_number = c.case_number)) \
         + (select count(*) from event e where not exists (select 1 from service_case c where c.case_number = e.case_number))",
    )
    .fetch_one(store.reader())
    .await
    .expect("query");
    assert_eq!(orphans, 0);
    let (cases, events) = store.counts().await.expect("counts");
    assert_eq!(cases, events);
    assert!(cases as usize >= acknowledged.len());
    store.close().await;
}
