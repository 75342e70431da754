//! No password, token or session id ever appears in the logs, even at the most verbose level.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use tongban_store::testing::seed_minimal;
use tongban_store::{Account, insert_account};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = tongban_store::Store::open(&tongban_store::sqlite_url(dir.path())).await.expect("open");
    seed_minimal(&store).await;
    let password = "Secret-Password-4711";
    let hash = tongban_server::auth::hash_password(password.into()).await.expect("hash");
    let now = jiff::Timestamp::now();
    store
        .write(move |c| {
            Box::pin(async move {
                let account = Account {
                    id: "clerk".into(),
                    kind: "staff".into(),
                    display_name: "clerk".into(),
                    role: tongban_core::identity::Role::WindowClerk,
                    department: Some(tongban_core::org::DepartmentCode::parse("fgw").expect("valid")),
                    window: None,
                    position: None,
                    applicant_kind: None,
                    id_number: None,
                    phone: None,
                    password_hash: hash,
                    disabled: false,
                    verified: None,
                };
                insert_account(c, &account, now).await
            })
        })
        .await
        .expect("account");
    store.close().await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("TONGBAN_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("address");
    let base = line.trim().rsplit(' ').next().expect("url").trim_end_matches('/').to_owned();
    let client = reqwest::Client::new();
    let wrong = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": "clerk", "password": "Wrong-Password-0815"}))
        .send()
        .await
        .expect("login");
    assert_eq!(wrong.status(), 401);
    let res = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": "clerk", "password": password}))
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
    let session_id = cookie.split('=').nth(1).expect("value").to_owned();
    let me: serde_json::Value = res.json().await.expect("json");
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/tokens"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "t"}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let secret = token["token"].as_str().expect("secret").to_owned();
    let used = client.get(format!("{base}/api/v1/me")).bearer_auth(&secret).send().await.expect("me");
    assert_eq!(used.status(), 200);
    child.kill().expect("stop");
    let mut logs = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("logs");
    child.wait().expect("reaped");
    assert!(logs.contains("http.route=/api/v1/session"), "request logging was on:\n{logs}");
    for secret in [password, "Wrong-Password-0815", session_id.as_str(), secret.as_str(), csrf.as_str()] {
        assert!(!logs.contains(secret), "a secret appeared in the logs");
    }
}
