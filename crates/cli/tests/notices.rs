//! `tongban serve` sends notices by the providers its flags configure: with `--smtp-url` and
//! `--mail-from` pointing at a local SMTP sink, an applicant who consented to e-mail gets
//! the receipt of a submission by e-mail, carrying the case number; Web Push's VAPID key is
//! made in `<data-dir>/push`; a bad `--smtp-url` stops the server before it listens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tongban_core::identity::Role;
use tongban_store::testing::seed_minimal;
use tongban_store::{Account, insert_account};

const APPLICANT_ID: &str = "91350100M000100Y43";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_receipt_arrives_by_e_mail_through_the_configured_smtp_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = tongban_store::Store::open(&tongban_store::sqlite_url(dir.path())).await.expect("open");
    seed_minimal(&store).await;
    let hash = tongban_server::auth::hash_password("correct horse battery".into()).await.expect("hash");
    let now = jiff::Timestamp::now();
    store
        .write(move |c| {
            Box::pin(async move {
                let account = Account {
                    id: "applicant".into(),
                    kind: "applicant".into(),
                    display_name: "张三".into(),
                    role: Role::Applicant,
                    department: None,
                    window: None,
                    position: None,
                    applicant_kind: Some("enterprise".into()),
                    id_number: Some(APPLICANT_ID.into()),
                    phone: None,
                    password_hash: hash,
                    disabled: false,
                    verified: Some(tongban_store::Verified {
                        method: tongban_core::identity::VerificationMethod::Window,
                        at: now,
                        by: "clerk".into(),
                    }),
                };
                insert_account(c, &account, now).await
            })
        })
        .await
        .expect("account");
    store.close().await;

    // A bad URL is said before the server listens.
    let bad = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .args(["--smtp-url", "ftp://mail.example.cn", "--mail-from", "noreply@example.gov.cn"])
        .env("TONGBAN_LOG", "warn")
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--smtp-url"), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(bad.stdout.is_empty(), "it never listened");

    let sink = tongban_fakes::smtp::start(tongban_fakes::smtp::Mode::StartTls).await.expect("sink");
    let ca = dir.path().join("sink-ca.pem");
    std::fs::write(&ca, sink.ca_pem()).expect("ca file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .args([
            "--mail-from",
            "某市政务服务中心 <noreply@example.gov.cn>",
            "--notice-interval",
            "0.2",
            "--smtp-ca-file",
        ])
        .arg(&ca)
        .env("TONGBAN_SMTP_URL", sink.url().replacen("://", "://notices:s3cret@", 1))
        .env("TONGBAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("address line");
    let base = line.trim().rsplit(' ').next().expect("url").trim_end_matches('/').to_owned();
    assert!(dir.path().join("push").join("vapid.key").exists(), "the VAPID key is made on first start");

    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": "applicant", "password": "correct horse battery"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
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
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    let call = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        client
            .request(method, format!("{base}{path}"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&body)
    };
    let consent = serde_json::json!({ "email": "zhangsan@example.cn", "channels": { "email": true } });
    let res = call(reqwest::Method::PUT, "/api/v1/me/preferences", consent).send().await.expect("preferences");
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
    let case = serde_json::json!({
        "item": "620100-FGW-001",
        "applicant": {"kind": "enterprise", "name": "兰州某某有限公司", "id_number": APPLICANT_ID},
        "channel": "online",
        "materials": ["项目备案申请表", "营业执照"]
    });
    let res = call(reqwest::Method::POST, "/api/v1/cases", case).send().await.expect("submit");
    assert_eq!(res.status(), 201);
    let case: serde_json::Value = res.json().await.expect("json");
    let number = case["number"].as_str().expect("number").to_owned();

    // The worker runs every 0.2 s in the child; this waits for its pass, at most 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mail = loop {
        if let Some(m) = sink.messages().into_iter().find(|m| m.text().contains(&number)) {
            break m;
        }
        assert!(Instant::now() < deadline, "no e-mail about {number}: {:?}", sink.messages());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(mail.to, vec!["zhangsan@example.cn".to_owned()]);
    assert!(mail.tls, "STARTTLS, trusted through --smtp-ca-file");
    assert_eq!(mail.user.as_deref(), Some("notices"), "the URL's credentials");
    assert!(mail.header("message-id").is_some_and(|id| id.starts_with("<tongban-notice-")), "{mail:?}");

    let _ = child.kill();
    let _ = child.wait();
}
