//! 阿里云短信 (dysmsapi 2017-05-25) by its documented RPC API: `SendSms` with the notice's
//! approved template (`TemplateCode`, `TemplateParam` JSON) and its key as `OutId`;
//! `QuerySendDetails` (by number and day) to settle a send left in doubt — the message
//! under our `OutId` — and for delivery receipts of the messages sent from this process.
//! Every request is signed as signature version 1.0 says ([`signed_query`]: HMAC-SHA1 over
//! the sorted, RFC 3986 encoded parameters), the one place the sign-in codes of
//! [`crate::sms`] sign too.

use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;

use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};

/// Percent-encoding as Aliyun's RPC signature wants it: RFC 3986 unreserved characters
/// stay, every other byte is `%XX` (so a space is `%20`, `*` is `%2A`, `~` stays).
pub fn percent_encode(text: &str) -> String {
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

/// The signed query string of a `GET` for `params` (the signature first).
pub fn signed_query(params: &[(&str, String)], secret: &str) -> String {
    let mut sorted: Vec<(String, String)> =
        params.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    sorted.sort();
    let canonical = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let to_sign = format!("GET&{}&{}", percent_encode("/"), percent_encode(&canonical));
    let signature = match Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()) {
        Ok(mut mac) => {
            mac.update(to_sign.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes a key of any length; this arm is never taken.
        Err(_) => String::new(),
    };
    format!("Signature={}&{canonical}", percent_encode(&signature))
}

/// The account at Aliyun (`--sms-*`).
#[derive(Clone)]
pub struct AliyunConfig {
    /// The API endpoint, `https://dysmsapi.aliyuncs.com` in production.
    pub endpoint: String,
    /// AccessKeyId.
    pub access_key_id: String,
    /// AccessKeySecret.
    pub access_key_secret: String,
    /// The approved signature (签名), e.g. 某市政务服务中心.
    pub sign_name: String,
    /// How long a request may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for AliyunConfig {
    // Never the secret, whatever logs this.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AliyunConfig")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("sign_name", &self.sign_name)
            .field("timeout", &self.timeout)
            .field("access_key_secret", &"***")
            .finish_non_exhaustive()
    }
}

/// A message sent from here whose receipt has not come yet.
#[derive(Debug, Clone)]
struct Pending {
    provider_id: String,
    phone: String,
    out_id: String,
    at: jiff::Timestamp,
}

/// Receipts are looked for this long after a send, then given up.
const RECEIPT_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(72);
/// At most this many messages are asked after in one call of [`Aliyun::receipts`].
const RECEIPTS_PER_CALL: usize = 100;
/// At most this many messages wait for a receipt (the oldest are let go beyond).
const PENDING_MAX: usize = 100_000;

/// An Aliyun SMS gateway.
#[derive(Debug)]
pub struct Aliyun {
    config: AliyunConfig,
    http: reqwest::Client,
    pending: Mutex<Vec<Pending>>,
    taken_over: std::sync::atomic::AtomicBool,
}

/// An answer of the API (`Code`, `Message`, and per action `BizId` or the details).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    biz_id: Option<String>,
    #[serde(default)]
    total_count: Option<u64>,
    #[serde(default, rename = "SmsSendDetailDTOs")]
    details: Option<Details>,
}

#[derive(Debug, Deserialize)]
struct Details {
    #[serde(default, rename = "SmsSendDetailDTO")]
    list: Vec<Detail>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Detail {
    /// 1 waiting for a receipt, 2 failed, 3 delivered.
    send_status: i64,
    #[serde(default)]
    err_code: String,
    #[serde(default)]
    receive_date: Option<String>,
    #[serde(default)]
    out_id: Option<String>,
}

/// What an error code of `SendSms` says: one table for notices and sign-in codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many messages for now.
    RateLimited,
    /// The number is refused.
    Number,
    /// The template is not approved (or lacks parameters).
    Template,
    /// The signature is not approved.
    Signature,
    /// The content is refused.
    Content,
    /// The request's parameters are refused.
    Parameters,
    /// Credentials, balance, service: the deployment's to fix.
    Other,
}

impl Refusal {
    /// The refusal `code` stands for.
    pub fn of(code: &str) -> Refusal {
        match code {
            "isv.BUSINESS_LIMIT_CONTROL"
            | "isv.DAY_LIMIT_CONTROL"
            | "isv.MINUTE_LIMIT_CONTROL"
            | "Throttling.User"
            | "Throttling" => Refusal::RateLimited,
            "isv.MOBILE_NUMBER_ILLEGAL" | "isv.MOBILE_COUNT_OVER_LIMIT" => Refusal::Number,
            "isv.SMS_TEMPLATE_ILLEGAL" | "isv.TEMPLATE_MISSING_PARAMETERS" => Refusal::Template,
            "isv.SMS_SIGNATURE_ILLEGAL" | "isv.SMS_SIGN_ILLEGAL" => Refusal::Signature,
            "isv.BLACK_KEY_CONTROL_LIMIT" | "isv.SMS_CONTENT_ILLEGAL" => Refusal::Content,
            "isv.INVALID_JSON_PARAM" | "isv.INVALID_PARAMETERS" | "isv.PARAM_LENGTH_LIMIT" => Refusal::Parameters,
            _ => Refusal::Other,
        }
    }
}

/// What an error code of `SendSms` means for the notice.
pub fn classify(code: &str, message: &str) -> SendError {
    let refused = |reason: &str| SendError::Refused { code: code.to_owned(), reason: reason.to_owned() };
    match Refusal::of(code) {
        Refusal::RateLimited => SendError::Retry(format!("{code}: rate limited")),
        Refusal::Number => refused("the number is refused"),
        Refusal::Template => refused("the template is not approved"),
        Refusal::Signature => refused("the signature is not approved"),
        Refusal::Content => refused("the content is refused"),
        Refusal::Parameters => refused(message),
        // The deployment's to fix, and then it goes out.
        Refusal::Other => SendError::Retry(format!("{code}: {message}")),
    }
}

/// A `SendSms` answer other than OK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The gateway's code (`isv.MOBILE_NUMBER_ILLEGAL` …).
    pub code: String,
    /// Its message.
    pub message: String,
}

impl Aliyun {
    /// A gateway for `config`.
    pub fn new(config: AliyunConfig) -> Result<Aliyun, String> {
        let http = reqwest::Client::builder().timeout(config.timeout).build().map_err(|e| e.to_string())?;
        Ok(Aliyun { config, http, pending: Mutex::new(Vec::new()), taken_over: Default::default() })
    }

    /// Calls `action` with `params` (the common parameters and the signature added).
    async fn call(&self, action: &str, params: Vec<(&str, String)>) -> Result<Answer, SendError> {
        let nonce = crate::credentials::random_hex(16).map_err(|e| SendError::Retry(e.to_string()))?;
        let timestamp = jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now()).strftime("%Y-%m-%dT%H:%M:%SZ");
        let mut all = vec![
            ("AccessKeyId", self.config.access_key_id.clone()),
            ("Action", action.to_owned()),
            ("Format", "JSON".to_owned()),
            ("RegionId", "cn-hangzhou".to_owned()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0".to_owned()),
            ("Timestamp", timestamp.to_string()),
            ("Version", "2017-05-25".to_owned()),
        ];
        all.extend(params);
        let url = format!(
            "{}/?{}",
            self.config.endpoint.trim_end_matches('/'),
            signed_query(&all, &self.config.access_key_secret)
        );
        let res = self.http.get(&url).send().await.map_err(|e| SendError::Retry(e.without_url().to_string()))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| SendError::Retry(e.without_url().to_string()))?;
        serde_json::from_str(&text)
            .map_err(|_| SendError::Retry(format!("{status}: {}", text.chars().take(200).collect::<String>())))
    }

    /// Sends `msg` with its template; answers the `BizId`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let Some(template) = &msg.template else {
            return Err(SendError::Refused {
                code: "no_template".into(),
                reason: "an SMS goes out only with an approved template".into(),
            });
        };
        let phone = national(&msg.address);
        match self.send_sms(&phone, &template.id, &template.params, Some(&msg.key)).await? {
            Ok(biz_id) => {
                self.remember(&biz_id, &phone, &msg.key);
                Ok(Sent { provider_id: biz_id })
            }
            Err(refused) => Err(classify(&refused.code, &refused.message)),
        }
    }

    /// One `SendSms` of `template` with `params` to `phone` (under `out_id`, when given):
    /// its `BizId`, or the gateway's refusal; unreachable or not understood is an error.
    pub async fn send_sms(
        &self,
        phone: &str,
        template: &str,
        params: &[(String, String)],
        out_id: Option<&str>,
    ) -> Result<Result<String, Refused>, SendError> {
        let params: serde_json::Map<String, serde_json::Value> =
            params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        let mut request = vec![
            ("PhoneNumbers", phone.to_owned()),
            ("SignName", self.config.sign_name.clone()),
            ("TemplateCode", template.to_owned()),
            ("TemplateParam", serde_json::Value::Object(params).to_string()),
        ];
        request.extend(out_id.map(|id| ("OutId", id.to_owned())));
        let answer = self.call("SendSms", request).await?;
        match (answer.code.as_str(), answer.biz_id) {
            ("OK", Some(biz_id)) if !biz_id.is_empty() => Ok(Ok(biz_id)),
            ("OK", _) => Err(SendError::Retry("SendSms answered OK without a BizId".into())),
            (code, _) => Ok(Err(Refused { code: code.to_owned(), message: answer.message })),
        }
    }

    /// Whether this gateway has yet to take over the receipts awaited by earlier processes
    /// (true once: the first caller loads them and hands each to [`Aliyun::await_receipt`]).
    pub fn take_over_receipts(&self) -> bool {
        !self.taken_over.swap(true, std::sync::atomic::Ordering::SeqCst)
    }

    /// The take-over could not be done (the store did not answer): the next caller of
    /// [`Aliyun::take_over_receipts`] does it.
    pub fn take_over_failed(&self) {
        self.taken_over.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Asks after the receipt of a message another process sent (`provider_id`, the BizId
    /// or, for one found by lookup, its key) to `address` under `out_id` at `sent_at`.
    pub fn await_receipt(&self, provider_id: &str, address: &str, out_id: &str, sent_at: jiff::Timestamp) {
        let known = self.pending.lock().is_ok_and(|p| p.iter().any(|p| p.provider_id == provider_id));
        if !known {
            let now = jiff::Timestamp::now();
            let at = if sent_at <= now && now.duration_since(sent_at) < RECEIPT_WINDOW { sent_at } else { now };
            self.remember_at(provider_id, &national(address), out_id, at);
        }
    }

    fn remember(&self, provider_id: &str, phone: &str, out_id: &str) {
        self.remember_at(provider_id, phone, out_id, jiff::Timestamp::now());
    }

    /// Waits for the receipt of a message sent at `at` (its day is where the details are
    /// asked for).
    fn remember_at(&self, provider_id: &str, phone: &str, out_id: &str, at: jiff::Timestamp) {
        if let Ok(mut pending) = self.pending.lock() {
            if pending.len() >= PENDING_MAX {
                pending.remove(0);
            }
            pending.push(Pending {
                provider_id: provider_id.to_owned(),
                phone: phone.to_owned(),
                out_id: out_id.to_owned(),
                at,
            });
        }
    }

    /// The details of messages to `phone` on the days from `since` to today (China time),
    /// at most 50 a page and 10 pages a day.
    async fn details(&self, phone: &str, since: jiff::Timestamp) -> Result<Vec<Detail>, SendError> {
        let now = jiff::Timestamp::now();
        let mut days = vec![china_date(since)];
        let mut day = china_date(since);
        while day < china_date(now) && days.len() < 31 {
            day = day.tomorrow().map_err(|e| SendError::Retry(e.to_string()))?;
            days.push(day);
        }
        if days.len() > 30 {
            // Aliyun keeps 30 days; beyond, only the first and the last are worth asking.
            days = vec![china_date(since), china_date(now)];
        }
        let mut all = Vec::new();
        for date in days {
            for page in 1..=10u32 {
                let answer = self
                    .call(
                        "QuerySendDetails",
                        vec![
                            ("PhoneNumber", phone.to_owned()),
                            ("SendDate", date.strftime("%Y%m%d").to_string()),
                            ("PageSize", "50".to_owned()),
                            ("CurrentPage", page.to_string()),
                        ],
                    )
                    .await?;
                if answer.code != "OK" {
                    return Err(classify(&answer.code, &answer.message));
                }
                let list = answer.details.map(|d| d.list).unwrap_or_default();
                let got = list.len();
                all.extend(list);
                let total = answer.total_count.unwrap_or(0) as usize;
                if got < 50 || page as usize * 50 >= total {
                    break;
                }
            }
        }
        Ok(all)
    }

    /// The provider's record of the message sent under `key` to `address` since `since`:
    /// `QuerySendDetails` lists an `OutId` but no `BizId`, so the message is known by its
    /// key — the provider id recorded for it, and the one its delivery receipt from
    /// [`Aliyun::receipts`] then carries, so the receipt finds the notice.
    pub async fn lookup(&self, key: &str, address: &str, since: jiff::Timestamp) -> Result<Option<Sent>, SendError> {
        let phone = national(address);
        let found = self.details(&phone, since).await?.into_iter().any(|d| d.out_id.as_deref() == Some(key));
        if !found {
            return Ok(None);
        }
        // Its receipt is asked for from the day it was sent (a crash before midnight, the
        // lookup after), unless that is beyond the receipt window.
        let now = jiff::Timestamp::now();
        let at = if since <= now && now.duration_since(since) < RECEIPT_WINDOW { since } else { now };
        self.remember_at(key, &phone, key, at);
        Ok(Some(Sent { provider_id: key.to_owned() }))
    }

    /// Delivery reports for messages sent (or found by [`Aliyun::lookup`]) by this process
    /// whose receipt has not come yet (Aliyun reports per number, so only those it can name
    /// are asked after; a message waiting longer than three days is let go). Every waiting
    /// message is asked after, whatever `since` (the last poll): one still on its way then
    /// is asked after again, the longest-asked last, so none is starved.
    pub async fn receipts(&self, since: jiff::Timestamp) -> Result<Vec<Receipt>, SendError> {
        let _ = since;
        let now = jiff::Timestamp::now();
        let batch: Vec<Pending> = match self.pending.lock() {
            Ok(mut pending) => {
                pending.retain(|p| now.duration_since(p.at) < RECEIPT_WINDOW);
                let n = pending.len().min(RECEIPTS_PER_CALL);
                let batch: Vec<Pending> = pending.drain(..n).collect();
                // Asked now: to the back of the line (put back unsettled below).
                pending.extend(batch.iter().cloned());
                batch
            }
            Err(_) => return Ok(Vec::new()),
        };
        let mut receipts = Vec::new();
        let mut settled = Vec::new();
        let mut phones: Vec<&str> = batch.iter().map(|p| p.phone.as_str()).collect();
        phones.sort_unstable();
        phones.dedup();
        for phone in phones {
            let earliest = batch.iter().filter(|p| p.phone == phone).map(|p| p.at).min().unwrap_or(now);
            let details = self.details(phone, earliest).await?;
            for p in batch.iter().filter(|p| p.phone == phone) {
                let Some(d) = details.iter().find(|d| d.out_id.as_deref() == Some(p.out_id.as_str())) else {
                    continue;
                };
                match d.send_status {
                    3 => {
                        let at = d.receive_date.as_deref().and_then(parse_china_time).unwrap_or(now);
                        receipts.push(Receipt::Delivered { provider_id: p.provider_id.clone(), at });
                    }
                    2 => receipts
                        .push(Receipt::Failed { provider_id: p.provider_id.clone(), reason: d.err_code.clone() }),
                    _ => continue,
                }
                settled.push(p.provider_id.clone());
            }
        }
        if let Ok(mut pending) = self.pending.lock() {
            pending.retain(|p| !settled.contains(&p.provider_id));
        }
        Ok(receipts)
    }
}

/// A mainland number as Aliyun takes it: without `+86` or `0086`.
fn national(address: &str) -> String {
    let a = address.trim();
    a.strip_prefix("+86").or_else(|| a.strip_prefix("0086")).unwrap_or(a).trim().to_owned()
}

fn china() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

fn china_date(at: jiff::Timestamp) -> jiff::civil::Date {
    at.to_zoned(china()).date()
}

/// `2019-01-08 16:44:13`, China time.
fn parse_china_time(text: &str) -> Option<jiff::Timestamp> {
    let dt = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", text).ok()?;
    dt.to_zoned(china()).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_rfc_3986() {
        assert_eq!(percent_encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
    }

    #[test]
    fn the_signature_matches_aliyuns_published_example() {
        // The worked example of Aliyun's documentation of signature version 1.0: this
        // request with the secret "testsecret" signs to "OLeaidS1JvxuMvnyHOwuJ+uX5qY=".
        let params = [
            ("AccessKeyId", "testid".to_owned()),
            ("Action", "DescribeRegions".to_owned()),
            ("Format", "XML".to_owned()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf".to_owned()),
            ("SignatureVersion", "1.0".to_owned()),
            ("Timestamp", "2016-02-23T12:46:24Z".to_owned()),
            ("Version", "2014-05-26".to_owned()),
        ];
        let query = signed_query(&params, "testsecret");
        assert!(query.starts_with("Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D&"), "{query}");
    }

    #[test]
    fn numbers_lose_the_country_code_and_times_read_as_china_time() {
        assert_eq!(national("+8613800138000"), "13800138000");
        assert_eq!(national("13800138000"), "13800138000");
        let at = parse_china_time("2019-01-08 16:44:13").expect("time");
        assert_eq!(at.to_string(), "2019-01-08T08:44:13Z");
    }

    #[test]
    fn configs_never_show_their_secrets() {
        let aliyun = AliyunConfig {
            endpoint: "https://dysmsapi.aliyuncs.com".into(),
            access_key_id: "LTAI".into(),
            access_key_secret: "aliyun-s3cret".into(),
            sign_name: "中心".into(),
            timeout: Duration::from_secs(1),
        };
        let tencent = super::super::tencent::TencentConfig {
            endpoint: "https://sms.tencentcloudapi.com".into(),
            secret_id: "AKID".into(),
            secret_key: "tencent-s3cret".into(),
            sdk_app_id: "1400".into(),
            sign_name: "中心".into(),
            region: "ap-guangzhou".into(),
            timeout: Duration::from_secs(1),
        };
        let wechat = super::super::wechat::WechatConfig {
            endpoint: "https://api.weixin.qq.com".into(),
            app_id: "wx".into(),
            app_secret: "wechat-s3cret".into(),
            timeout: Duration::from_secs(1),
        };
        let shown = format!("{aliyun:?} {tencent:?} {wechat:?} {:?}", Aliyun::new(aliyun.clone()));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("LTAI") && shown.contains("AKID"), "{shown}");
    }

    #[test]
    fn error_codes_say_retry_or_refused() {
        assert!(matches!(classify("isv.BUSINESS_LIMIT_CONTROL", ""), SendError::Retry(_)));
        assert!(matches!(classify("isp.SYSTEM_ERROR", ""), SendError::Retry(_)));
        assert!(matches!(classify("isv.MOBILE_NUMBER_ILLEGAL", ""), SendError::Refused { .. }));
        assert!(matches!(classify("isv.SMS_TEMPLATE_ILLEGAL", ""), SendError::Refused { .. }));
    }
}
