//! Identity verification by a one-time code sent to the phone on record for the identity,
//! through Aliyun's SendSms API as served here on 127.0.0.1 — the server checks each
//! request's HMAC-SHA1 signature by the documented algorithm, as the real gateway does.
//! On both databases.

use crate::common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use common::{Caller, Fixture, PASSWORD, assert_problem};
use hmac::Mac as _;
use serde_json::{Value, json};
use tongban_store::testing::each_backend;

const SECRET: &str = "test-secret";

#[derive(Clone, Default)]
struct Gateway {
    /// (phone, code) of each message taken.
    sent: Arc<Mutex<Vec<(String, String)>>>,
    /// The answer code to give next (OK when none).
    refuse: Arc<Mutex<Option<&'static str>>>,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn send_sms(State(g): State<Gateway>, Query(q): Query<BTreeMap<String, String>>) -> Json<Value> {
    let canonical: Vec<String> =
        q.iter().filter(|(k, _)| *k != "Signature").map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    let to_sign = format!("GET&%2F&{}", enc(&canonical.join("&")));
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).expect("key");
    mac.update(to_sign.as_bytes());
    let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if q.get("Signature") != Some(&want) {
        return Json(json!({ "Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched" }));
    }
    if q.get("Action").map(String::as_str) != Some("SendSms")
        || q.get("TemplateCode").map(String::as_str) != Some("SMS_1")
    {
        return Json(json!({ "Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "template" }));
    }
    if let Some(code) = g.refuse.lock().expect("lock").take() {
        return Json(json!({ "Code": code, "Message": "refused" }));
    }
    let param: Value = serde_json::from_str(q.get("TemplateParam").map_or("{}", String::as_str)).unwrap_or_default();
    let code = param["code"].as_str().unwrap_or("").to_owned();
    g.sent.lock().expect("lock").push((q.get("PhoneNumbers").cloned().unwrap_or_default(), code));
    Json(json!({ "Code": "OK", "Message": "OK", "BizId": "biz-1", "RequestId": "r-1" }))
}

async fn gateway() -> (Gateway, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let g = Gateway::default();
    let app = Router::new().route("/", get(send_sms)).with_state(g.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (g, base)
}

async fn sign_up(f: &Fixture, login: &str, id: &str) -> Caller {
    let body = json!({ "login": login, "password": PASSWORD, "name": "王五", "kind": "individual", "id_number": id });
    assert_eq!(f.call(&Caller::default(), "POST", "/api/v1/applicants", Some(&body.to_string())).await.0.as_u16(), 201);
    f.login(login).await
}

#[tokio::test]
async fn a_one_time_code_to_the_phone_on_record_verifies_the_account() {
    for t in each_backend().await {
        let name = t.name;
        let (g, base) = gateway().await;
        let mut f = Fixture::new(t).await;
        let mut state = f.state.clone();
        state.sms = Some(Arc::new(
            tongban_server::app::sms::Sms::new(tongban_server::app::sms::SmsConfig {
                account: tongban_server::app::notify::aliyun::AliyunConfig {
                    endpoint: base,
                    access_key_id: "test-id".into(),
                    access_key_secret: SECRET.into(),
                    sign_name: "政务服务中心".into(),
                    timeout: std::time::Duration::from_secs(10),
                },
                code_template: "SMS_1".into(),
            })
            .expect("client"),
        ));
        f.app = tongban_server::router(state);
        // A clerk received a case at the window for 11010519491231002X, with a phone.
        let clerk = f.login("clerk").await;
        let mut case = common::good_case();
        case["channel"] = json!("window");
        case["applicant"] =
            json!({ "kind": "individual", "name": "王五", "id_number": "11010519491231002X", "phone": "13812345678" });
        assert_eq!(f.call(&clerk, "POST", "/api/v1/cases", Some(&case.to_string())).await.0.as_u16(), 201, "{name}");

        // Someone whose identity has no phone on record must go to a window.
        let stranger = sign_up(&f, "stranger", "440524188001010014").await;
        let none = f.call(&stranger, "POST", "/api/v1/me/verification/code", None).await;
        assert_problem(&none, 422, "invalid-field");

        let person = sign_up(&f, "wangwu", "11010519491231002X").await;
        // The gateway refuses the number: nothing counts, the next try may follow at once.
        *g.refuse.lock().expect("lock") = Some("isv.MOBILE_NUMBER_ILLEGAL");
        assert_problem(&f.call(&person, "POST", "/api/v1/me/verification/code", None).await, 422, "phone-refused");
        let (s, _, sent) = f.call(&person, "POST", "/api/v1/me/verification/code", None).await;
        assert_eq!((s.as_u16(), sent["phone"].as_str()), (202, Some("138****5678")), "{name}: {sent}");
        let (phone, code) = g.sent.lock().expect("lock").last().cloned().expect("a message");
        assert_eq!((phone.as_str(), code.len()), ("13812345678", 6));
        // One a minute.
        assert_problem(&f.call(&person, "POST", "/api/v1/me/verification/code", None).await, 429, "too-many-attempts");
        // A wrong code counts a try and verifies nothing.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let typed = |c: &str| json!({ "code": c }).to_string();
        assert_problem(
            &f.call(&person, "POST", "/api/v1/me/verification", Some(&typed(wrong))).await,
            422,
            "invalid-field",
        );
        let (_, _, me) = f.call(&person, "GET", "/api/v1/me", None).await;
        assert_eq!(me["verified"], Value::Null);
        let (s, _, me) = f.call(&person, "POST", "/api/v1/me/verification", Some(&typed(&code))).await;
        assert_eq!((s.as_u16(), me["verified"].as_str()), (200, Some("sms")), "{name}: {me}");
        // Used once: the same code again is refused.
        assert_problem(
            &f.call(&stranger, "POST", "/api/v1/me/verification", Some(&typed(&code))).await,
            422,
            "invalid-field",
        );
        // Verified, the person reaches the case the window received in their name.
        let (_, _, list) = f.call(&person, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 1, "{name}");
        // Eight requests at once send one code; the others are told to wait.
        case["applicant"] =
            json!({ "kind": "individual", "name": "赵六", "id_number": "440524188001010014", "phone": "13900001111" });
        assert_eq!(f.call(&clerk, "POST", "/api/v1/cases", Some(&case.to_string())).await.0.as_u16(), 201, "{name}");
        let before = g.sent.lock().expect("lock").len();
        let answers = futures_util::future::join_all(
            (0..8).map(|_| f.call(&stranger, "POST", "/api/v1/me/verification/code", None)),
        )
        .await;
        let mut statuses: Vec<u16> = answers.iter().map(|(s, _, _)| s.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [[202].as_slice(), &[429; 7]].concat(), "{name}");
        assert_eq!(g.sent.lock().expect("lock").len(), before + 1, "{name}: one message");
        let audit: Vec<String> =
            f.t.store.audit_entries().await.expect("audit").into_iter().map(|e| e.action).collect();
        assert!(audit.iter().any(|a| a == "account.code_sent") && audit.iter().any(|a| a == "account.verify"));
        f.t.cleanup().await;
    }
}
