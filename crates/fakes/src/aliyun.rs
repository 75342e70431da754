//! Aliyun SMS (dysmsapi, version 2017-05-25) on 127.0.0.1: `SendSms` and
//! `QuerySendDetails` as RPC calls (GET query or POST form), each checked against the
//! documented signature version 1.0 (HMAC-SHA1 over `METHOD&%2F&<sorted, RFC 3986 encoded
//! parameters>` with `secret&`), a nonce used twice refused, answers in the real JSON
//! shapes and error codes. A repeated `OutId` answers the first send's `BizId` and is not
//! delivered again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

use crate::fault::{Decision, Faults, request_id};

/// One text message the fake took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// The `BizId` it answered.
    pub biz_id: String,
    /// `PhoneNumbers`.
    pub phone: String,
    /// `SignName`.
    pub sign_name: String,
    /// `TemplateCode`.
    pub template_code: String,
    /// `TemplateParam`, parsed.
    pub params: BTreeMap<String, String>,
    /// `OutId`.
    pub out_id: Option<String>,
    /// When it was taken.
    pub at: jiff::Timestamp,
}

#[derive(Default)]
struct Inner {
    sent: Vec<Sms>,
    by_out_id: HashMap<String, usize>,
    nonces: HashSet<String>,
    unapproved_templates: HashSet<String>,
    undeliverable: HashMap<String, String>,
    requests: usize,
}

struct Shared {
    access_key_id: String,
    access_key_secret: String,
    faults: Faults,
    inner: Mutex<Inner>,
}

/// A running fake; stops when dropped.
pub struct Aliyun {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Aliyun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aliyun").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for Aliyun {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the fake for the account `access_key_id` / `access_key_secret`.
pub async fn start(access_key_id: &str, access_key_secret: &str) -> std::io::Result<Aliyun> {
    let shared = Arc::new(Shared {
        access_key_id: access_key_id.to_owned(),
        access_key_secret: access_key_secret.to_owned(),
        faults: Faults::default(),
        inner: Mutex::new(Inner::default()),
    });
    let router = Router::new().route("/", get(rpc_get).post(rpc_post)).with_state(shared.clone());
    let (addr, task) = crate::fault::serve(router).await?;
    Ok(Aliyun { addr, shared, task })
}

impl Aliyun {
    /// The endpoint to configure (`http://127.0.0.1:port`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The failures to have.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every message taken (each `OutId` once).
    pub fn messages(&self) -> Vec<Sms> {
        self.shared.inner.lock().map(|i| i.sent.clone()).unwrap_or_default()
    }

    /// How many messages were taken under `out_id` (never more than one).
    pub fn count_for(&self, out_id: &str) -> usize {
        self.messages().iter().filter(|m| m.out_id.as_deref() == Some(out_id)).count()
    }

    /// How many signed requests reached it (repeats and refusals included).
    pub fn requests(&self) -> usize {
        self.shared.inner.lock().map(|i| i.requests).unwrap_or_default()
    }

    /// Treat `template_code` as not approved (`isv.SMS_TEMPLATE_ILLEGAL`).
    pub fn unapprove_template(&self, template_code: &str) {
        if let Ok(mut i) = self.shared.inner.lock() {
            i.unapproved_templates.insert(template_code.to_owned());
        }
    }

    /// Messages to `phone` are taken but never reach it: their receipt says `err_code`.
    pub fn undeliverable(&self, phone: &str, err_code: &str) {
        if let Ok(mut i) = self.shared.inner.lock() {
            i.undeliverable.insert(phone.to_owned(), err_code.to_owned());
        }
    }
}

/// RFC 3986 percent-encoding as the signature wants it.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The signature of `params` (without `Signature`) for `method`.
pub fn signature(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        params.iter().filter(|(k, _)| *k != "Signature").map(|(k, v)| (encode(k), encode(v))).collect();
    pairs.sort();
    let canonical = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let to_sign = format!("{method}&{}&{}", encode("/"), encode(&canonical));
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()) else {
        return String::new();
    };
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn rpc_get(State(shared): State<Arc<Shared>>, Query(params): Query<BTreeMap<String, String>>) -> Response {
    rpc(shared, Method::GET, params).await
}

async fn rpc_post(
    State(shared): State<Arc<Shared>>,
    Query(mut params): Query<BTreeMap<String, String>>,
    body: String,
) -> Response {
    params.extend(form_urlencoded::parse(body.as_bytes()).into_owned());
    rpc(shared, Method::POST, params).await
}

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "RequestId": request_id(), "Code": code, "Message": message });
    (status, Json(body)).into_response()
}

async fn rpc(shared: Arc<Shared>, method: Method, params: BTreeMap<String, String>) -> Response {
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    if p("AccessKeyId") != shared.access_key_id {
        return answer(StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    }
    if p("SignatureMethod") != "HMAC-SHA1" || p("SignatureVersion") != "1.0" {
        return answer(StatusCode::BAD_REQUEST, "InvalidParameter", "SignatureMethod or SignatureVersion");
    }
    if jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%SZ", p("Timestamp")).is_err() {
        return answer(StatusCode::BAD_REQUEST, "InvalidTimeStamp.Format", "Specified time stamp is not valid.");
    }
    if p("Signature") != signature(method.as_str(), &params, &shared.access_key_secret) {
        return answer(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        );
    }
    {
        let Ok(mut inner) = shared.inner.lock() else {
            return answer(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "lock");
        };
        if !inner.nonces.insert(p("SignatureNonce").to_owned()) || p("SignatureNonce").is_empty() {
            return answer(
                StatusCode::BAD_REQUEST,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            );
        }
        inner.requests += 1;
    }
    match p("Action") {
        "SendSms" => send_sms(&shared, &params).await,
        "QuerySendDetails" => query_send_details(&shared, &params),
        other => answer(StatusCode::NOT_FOUND, "InvalidAction.NotFound", &format!("{other} is not found")),
    }
}

async fn send_sms(shared: &Shared, params: &BTreeMap<String, String>) -> Response {
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    let lose_answer = match shared.faults.decide("isv.BUSINESS_LIMIT_CONTROL") {
        Decision::Pass => false,
        Decision::Code(code) => return answer(StatusCode::OK, &code, "injected failure"),
        Decision::Hang => return std::future::pending().await,
        Decision::LoseAnswer => true,
    };
    let phone = p("PhoneNumbers");
    if phone.len() != 11 || !phone.starts_with('1') || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return answer(StatusCode::OK, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
    }
    if p("SignName").is_empty() {
        return answer(StatusCode::OK, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名");
    }
    let template = p("TemplateCode");
    let Ok(mut inner) = shared.inner.lock() else {
        return answer(StatusCode::INTERNAL_SERVER_ERROR, "isp.SYSTEM_ERROR", "lock");
    };
    if !template.starts_with("SMS_") || inner.unapproved_templates.contains(template) {
        return answer(StatusCode::OK, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板");
    }
    let values: BTreeMap<String, Value> = match params.get("TemplateParam") {
        None => BTreeMap::new(),
        Some(json) => match serde_json::from_str(json) {
            Ok(v) => v,
            Err(_) => return answer(StatusCode::OK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"),
        },
    };
    let mut template_params = BTreeMap::new();
    for (k, v) in values {
        let Value::String(v) = v else {
            return answer(StatusCode::OK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
        };
        if v.chars().count() > 35 {
            return answer(StatusCode::OK, "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制");
        }
        template_params.insert(k, v);
    }
    let out_id = params.get("OutId").filter(|o| !o.is_empty()).cloned();
    let existing = out_id.as_ref().and_then(|o| inner.by_out_id.get(o)).and_then(|&i| inner.sent.get(i));
    let biz_id = match existing {
        Some(sms) => sms.biz_id.clone(),
        None => {
            let biz_id =
                format!("{:012}{:06}^0", 900_619_746_936u64 + inner.sent.len() as u64, inner.sent.len() % 1_000_000);
            let sms = Sms {
                biz_id: biz_id.clone(),
                phone: phone.to_owned(),
                sign_name: p("SignName").to_owned(),
                template_code: template.to_owned(),
                params: template_params,
                out_id: out_id.clone(),
                at: jiff::Timestamp::now(),
            };
            if let Some(o) = out_id {
                let index = inner.sent.len();
                inner.by_out_id.insert(o, index);
            }
            inner.sent.push(sms);
            biz_id
        }
    };
    drop(inner);
    if lose_answer {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        );
    }
    let body = json!({ "RequestId": request_id(), "Code": "OK", "Message": "OK", "BizId": biz_id });
    (StatusCode::OK, Json(body)).into_response()
}

fn shanghai(at: jiff::Timestamp) -> jiff::civil::DateTime {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).datetime()
}

fn query_send_details(shared: &Shared, params: &BTreeMap<String, String>) -> Response {
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    if p("PhoneNumber").is_empty() {
        return answer(StatusCode::OK, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
    }
    let Ok(date) = jiff::civil::Date::strptime("%Y%m%d", p("SendDate")) else {
        return answer(StatusCode::OK, "isv.INVALID_PARAMETERS", "SendDate");
    };
    let page_size: usize = p("PageSize").parse().unwrap_or(0);
    let page: usize = p("CurrentPage").parse().unwrap_or(1).max(1);
    if !(1..=50).contains(&page_size) {
        return answer(StatusCode::OK, "isv.INVALID_PARAMETERS", "PageSize");
    }
    let Ok(inner) = shared.inner.lock() else {
        return answer(StatusCode::INTERNAL_SERVER_ERROR, "isp.SYSTEM_ERROR", "lock");
    };
    let found: Vec<&Sms> = inner
        .sent
        .iter()
        .filter(|s| s.phone == p("PhoneNumber") && shanghai(s.at).date() == date)
        .filter(|s| p("BizId").is_empty() || s.biz_id == p("BizId"))
        .collect();
    let fmt = |at: jiff::Timestamp| shanghai(at).strftime("%Y-%m-%d %H:%M:%S").to_string();
    let dtos: Vec<Value> = found
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|s| {
            let failed = inner.undeliverable.get(&s.phone);
            let content = format!("【{}】{}", s.sign_name, s.params.values().cloned().collect::<Vec<_>>().join("，"));
            json!({
                "PhoneNum": s.phone,
                "SendStatus": if failed.is_some() { 2 } else { 3 },
                "ErrCode": failed.map(String::as_str).unwrap_or("DELIVERED"),
                "TemplateCode": s.template_code,
                "Content": content,
                "SendDate": fmt(s.at),
                "ReceiveDate": fmt(s.at),
                "OutId": s.out_id.clone().unwrap_or_default(),
            })
        })
        .collect();
    let body = json!({
        "RequestId": request_id(),
        "Code": "OK",
        "Message": "OK",
        "TotalCount": found.len(),
        "SmsSendDetailDTOs": { "SmsSendDetailDTO": dtos },
    });
    (StatusCode::OK, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_aliyuns_published_example() {
        let params: BTreeMap<String, String> = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(signature("GET", &params, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }
}
