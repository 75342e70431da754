//! Tencent Cloud SMS API 3.0 (version 2021-01-11) on 127.0.0.1: `SendSms`,
//! `PullSmsSendStatus` (each report answered once) and `PullSmsSendStatusByPhoneNumber`,
//! JSON POSTs checked against the documented TC3-HMAC-SHA256 signature (canonical request
//! over the signed headers and the body's SHA-256, the UTC date's credential scope, the key
//! derived by date, service and `tc3_request`) and a timestamp within five minutes; answers
//! in the real `{"Response": …}` shapes and error codes. A repeated `SessionContext`
//! answers the first send's `SerialNo` and is not delivered again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fault::{Decision, Faults, request_id};

/// One text message the fake took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// The `SerialNo` it answered.
    pub serial_no: String,
    /// The number, `+86…`.
    pub phone: String,
    /// `SignName`.
    pub sign_name: String,
    /// `TemplateId`.
    pub template_id: String,
    /// `TemplateParamSet`.
    pub params: Vec<String>,
    /// `SessionContext`.
    pub session_context: String,
    /// When it was taken.
    pub at: jiff::Timestamp,
}

#[derive(Default)]
struct Inner {
    sent: Vec<Sms>,
    by_context: HashMap<String, usize>,
    pulled: HashSet<String>,
    unapproved_templates: HashSet<String>,
    undeliverable: HashMap<String, String>,
    requests: usize,
}

struct Shared {
    secret_id: String,
    secret_key: String,
    sdk_app_id: String,
    faults: Faults,
    inner: Mutex<Inner>,
}

/// A running fake; stops when dropped.
pub struct Tencent {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Tencent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tencent").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for Tencent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the fake for the key `secret_id` / `secret_key` and the application `sdk_app_id`.
pub async fn start(secret_id: &str, secret_key: &str, sdk_app_id: &str) -> std::io::Result<Tencent> {
    let shared = Arc::new(Shared {
        secret_id: secret_id.to_owned(),
        secret_key: secret_key.to_owned(),
        sdk_app_id: sdk_app_id.to_owned(),
        faults: Faults::default(),
        inner: Mutex::new(Inner::default()),
    });
    let router = Router::new().route("/", post(api)).with_state(shared.clone());
    let (addr, task) = crate::fault::serve(router).await?;
    Ok(Tencent { addr, shared, task })
}

impl Tencent {
    /// The endpoint to configure (`http://127.0.0.1:port`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The failures to have.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every message taken (each `SessionContext` once).
    pub fn messages(&self) -> Vec<Sms> {
        self.shared.inner.lock().map(|i| i.sent.clone()).unwrap_or_default()
    }

    /// How many messages were taken under `session_context` (never more than one).
    pub fn count_for(&self, session_context: &str) -> usize {
        self.messages().iter().filter(|m| m.session_context == session_context).count()
    }

    /// How many correctly signed requests reached it.
    pub fn requests(&self) -> usize {
        self.shared.inner.lock().map(|i| i.requests).unwrap_or_default()
    }

    /// Treat `template_id` as not approved (`FailedOperation.TemplateUnapprovedOrNotExist`).
    pub fn unapprove_template(&self, template_id: &str) {
        if let Ok(mut i) = self.shared.inner.lock() {
            i.unapproved_templates.insert(template_id.to_owned());
        }
    }

    /// Messages to `phone` (`+86…`) are taken but their report says `status` (e.g. `FAIL`).
    pub fn undeliverable(&self, phone: &str, status: &str) {
        if let Ok(mut i) = self.shared.inner.lock() {
            i.undeliverable.insert(phone.to_owned(), status.to_owned());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The TC3-HMAC-SHA256 signature of a POST to `/` with `signed` headers (name, value) and
/// `body`, at `timestamp`, for `service`.
pub fn signature(secret_key: &str, service: &str, timestamp: i64, signed: &[(String, String)], body: &[u8]) -> String {
    let names = signed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical = format!("POST\n/\n\n{headers}\n{names}\n{}", hex(&Sha256::digest(body)));
    let date = jiff::Timestamp::from_second(timestamp)
        .map(|t| jiff::tz::Offset::UTC.to_datetime(t).date().to_string())
        .unwrap_or_default();
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac256(&hmac256(&hmac256(format!("TC3{secret_key}").as_bytes(), &date), service), "tc3_request");
    hex(&hmac256(&key, &to_sign))
}

fn error(code: &str, message: &str) -> Response {
    let body = json!({ "Response": { "Error": { "Code": code, "Message": message }, "RequestId": request_id() } });
    (StatusCode::OK, Json(body)).into_response()
}

fn ok(mut fields: serde_json::Map<String, Value>) -> Response {
    fields.insert("RequestId".into(), Value::String(request_id()));
    (StatusCode::OK, Json(json!({ "Response": fields }))).into_response()
}

/// Checks the `Authorization` header; the API's error answer when it does not hold.
fn signature_refusal(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(rest) = h("authorization").strip_prefix("TC3-HMAC-SHA256 ") else {
        return Some(error("AuthFailure.SignatureFailure", "The Authorization header is not TC3-HMAC-SHA256."));
    };
    let parts: BTreeMap<&str, &str> = rest.split(", ").filter_map(|p| p.split_once('=')).collect();
    let credential: Vec<&str> = parts.get("Credential").copied().unwrap_or_default().split('/').collect();
    let [secret_id, date, service, "tc3_request"] = credential.as_slice() else {
        return Some(error("AuthFailure.SignatureFailure", "Credential is malformed."));
    };
    if *secret_id != shared.secret_id {
        return Some(error("AuthFailure.SecretIdNotFound", "The SecretId is not found."));
    }
    let Ok(timestamp) = h("x-tc-timestamp").parse::<i64>() else {
        return Some(error("MissingParameter", "X-TC-Timestamp is missing."));
    };
    if (jiff::Timestamp::now().as_second() - timestamp).abs() > 300 {
        return Some(error("AuthFailure.SignatureExpire", "Signature expired."));
    }
    let expected_date = jiff::Timestamp::from_second(timestamp)
        .map(|t| jiff::tz::Offset::UTC.to_datetime(t).date().to_string())
        .unwrap_or_default();
    if *date != expected_date || *service != "sms" {
        return Some(error("AuthFailure.SignatureFailure", "The credential scope does not match."));
    }
    let names: Vec<String> =
        parts.get("SignedHeaders").copied().unwrap_or_default().split(';').map(str::to_owned).collect();
    if !names.iter().any(|n| n == "content-type") || !names.iter().any(|n| n == "host") {
        return Some(error("AuthFailure.SignatureFailure", "content-type and host must be signed."));
    }
    let signed: Vec<(String, String)> = names.iter().map(|n| (n.clone(), h(n).trim().to_ascii_lowercase())).collect();
    if parts.get("Signature").copied().unwrap_or_default()
        != signature(&shared.secret_key, service, timestamp, &signed, body)
    {
        return Some(error("AuthFailure.SignatureFailure", "The provided credentials could not be validated."));
    }
    if h("x-tc-version") != "2021-01-11" {
        return Some(error("InvalidParameter", "X-TC-Version must be 2021-01-11."));
    }
    None
}

async fn api(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(answer) = signature_refusal(&shared, &headers, &body) {
        return answer;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error("InvalidParameter", "The body is not JSON.");
    };
    if request["SmsSdkAppId"].as_str() != Some(shared.sdk_app_id.as_str()) {
        return error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist.");
    }
    if let Ok(mut inner) = shared.inner.lock() {
        inner.requests += 1;
    }
    let action = headers.get("x-tc-action").and_then(|v| v.to_str().ok()).unwrap_or_default();
    match action {
        "SendSms" => send_sms(&shared, &request).await,
        "PullSmsSendStatus" => pull(&shared, &request, None),
        "PullSmsSendStatusByPhoneNumber" => {
            let phone = request["PhoneNumber"].as_str().unwrap_or_default().to_owned();
            pull(&shared, &request, Some(phone))
        }
        other => error("InvalidAction", &format!("{other} is not an action of sms 2021-01-11.")),
    }
}

async fn send_sms(shared: &Shared, request: &Value) -> Response {
    let lose_answer = match shared.faults.decide("LimitExceeded.PhoneNumberThirtySecondLimit") {
        Decision::Pass => false,
        Decision::Code(code) if code.starts_with("LimitExceeded.") || code.starts_with("InvalidParameterValue.") => {
            // Per-number refusals come in SendStatusSet; the rest as the request's error.
            let phone = request["PhoneNumberSet"][0].as_str().unwrap_or_default();
            let status = json!({ "SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": request["SessionContext"], "Code": code, "Message": "injected failure", "IsoCode": "CN" });
            return ok([("SendStatusSet".to_owned(), json!([status]))].into_iter().collect());
        }
        Decision::Code(code) => return error(&code, "injected failure"),
        Decision::Hang => return std::future::pending().await,
        Decision::LoseAnswer => true,
    };
    let phones: Vec<String> = request["PhoneNumberSet"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if phones.is_empty() || phones.len() > 200 {
        return error("InvalidParameterValue.IncorrectPhoneNumber", "PhoneNumberSet is empty or too long.");
    }
    let sign_name = request["SignName"].as_str().unwrap_or_default().to_owned();
    if sign_name.is_empty() {
        return error("FailedOperation.SignatureIncorrectOrUnapproved", "The signature is not approved.");
    }
    let template_id = request["TemplateId"].as_str().unwrap_or_default().to_owned();
    let params: Vec<String> = request["TemplateParamSet"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let context = request["SessionContext"].as_str().unwrap_or_default().to_owned();
    let Ok(mut inner) = shared.inner.lock() else {
        return error("InternalError.OtherError", "lock");
    };
    if template_id.is_empty()
        || !template_id.bytes().all(|b| b.is_ascii_digit())
        || inner.unapproved_templates.contains(&template_id)
    {
        return error(
            "FailedOperation.TemplateUnapprovedOrNotExist",
            "The template is not approved or does not exist.",
        );
    }
    if params.iter().any(|p| p.chars().count() > 35) {
        return error("InvalidParameterValue.TemplateParameterLengthLimit", "A template parameter is too long.");
    }
    let mut statuses = Vec::new();
    for phone in phones {
        let digits = phone.strip_prefix("+86").unwrap_or_default();
        if digits.len() != 11 || !digits.starts_with('1') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            statuses.push(json!({ "SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": context, "Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "The phone number is incorrect.", "IsoCode": "CN" }));
            continue;
        }
        let key = format!("{context}\u{0}{phone}");
        let existing = (!context.is_empty()).then(|| inner.by_context.get(&key).copied()).flatten();
        let serial_no = match existing.and_then(|i| inner.sent.get(i)) {
            Some(sms) => sms.serial_no.clone(),
            None => {
                let serial_no = format!("5000:{:028}", 1_045_710_669_157_053_657u128 * 1000 + inner.sent.len() as u128);
                let index = inner.sent.len();
                inner.sent.push(Sms {
                    serial_no: serial_no.clone(),
                    phone: phone.clone(),
                    sign_name: sign_name.clone(),
                    template_id: template_id.clone(),
                    params: params.clone(),
                    session_context: context.clone(),
                    at: jiff::Timestamp::now(),
                });
                if !context.is_empty() {
                    inner.by_context.insert(key, index);
                }
                serial_no
            }
        };
        statuses.push(json!({ "SerialNo": serial_no, "PhoneNumber": phone, "Fee": 1, "SessionContext": context, "Code": "Ok", "Message": "send success", "IsoCode": "CN" }));
    }
    drop(inner);
    if lose_answer {
        return error("InternalError.Timeout", "The request timed out.");
    }
    ok([("SendStatusSet".to_owned(), Value::Array(statuses))].into_iter().collect())
}

/// Status reports: the unpulled ones (each once), or a number's in a time range.
fn pull(shared: &Shared, request: &Value, phone: Option<String>) -> Response {
    let limit = request["Limit"].as_u64().unwrap_or(0) as usize;
    if !(1..=100).contains(&limit) {
        return error("InvalidParameterValue", "Limit must be 1 to 100.");
    }
    let Ok(mut inner) = shared.inner.lock() else {
        return error("InternalError.OtherError", "lock");
    };
    let china = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let report = |s: &Sms, undeliverable: &HashMap<String, String>| {
        let status = undeliverable.get(&s.phone).cloned().unwrap_or_else(|| "SUCCESS".to_owned());
        let description = if status == "SUCCESS" { "用户接收成功" } else { "用户接收失败" };
        json!({
            "UserReceiveTime": s.at.to_zoned(china.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
            "CountryCode": "86",
            "SubscriberNumber": s.phone.trim_start_matches("+86"),
            "PhoneNumber": s.phone,
            "SerialNo": s.serial_no,
            "ReportStatus": status,
            "Description": description,
            "SessionContext": s.session_context,
        })
    };
    let set: Vec<Value> = match phone {
        None => {
            let picked: Vec<usize> = inner
                .sent
                .iter()
                .enumerate()
                .filter(|(_, s)| !inner.pulled.contains(&s.serial_no))
                .take(limit)
                .map(|(i, _)| i)
                .collect();
            let mut set = Vec::new();
            for i in picked {
                if let Some(s) = inner.sent.get(i).cloned() {
                    set.push(report(&s, &inner.undeliverable));
                    inner.pulled.insert(s.serial_no);
                }
            }
            set
        }
        Some(phone) => {
            let begin = request["BeginTime"].as_i64().unwrap_or(0);
            let end = request["EndTime"].as_i64().unwrap_or(i64::MAX);
            let offset = request["Offset"].as_u64().unwrap_or(0) as usize;
            inner
                .sent
                .iter()
                .filter(|s| s.phone == phone && (begin..=end).contains(&s.at.as_second()))
                .skip(offset)
                .take(limit)
                .map(|s| report(s, &inner.undeliverable))
                .collect()
        }
    };
    ok([("PullSmsSendStatusSet".to_owned(), Value::Array(set))].into_iter().collect())
}
