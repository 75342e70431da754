//! 腾讯云短信 by API 3.0 (version 2021-01-11): `SendSms` with the notice's approved template
//! (`TemplateId`, `TemplateParamSet` in order) to `+86…`, the notice's key as
//! `SessionContext`; `PullSmsSendStatus` for delivery receipts and
//! `PullSmsSendStatusByPhoneNumber` to settle a send left in doubt (a report under our
//! `SessionContext`). Requests are JSON POSTs signed TC3-HMAC-SHA256 ([`authorization`]):
//! a canonical request over `content-type` and `host`, a credential scope of the UTC date,
//! `sms` and `tc3_request`, a key derived from the secret by date, service and
//! `tc3_request`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};

/// The content type every request is signed and sent with.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The API version of SMS.
pub const VERSION: &str = "2021-01-11";

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
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
        // HMAC takes a key of any length; this arm is never taken.
        Err(_) => Vec::new(),
    }
}

/// The canonical request of a POST to `/` with `content-type` and `host` signed.
pub fn canonical_request(content_type: &str, host: &str, payload: &[u8]) -> String {
    format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        content_type.trim().to_ascii_lowercase(),
        host.trim().to_ascii_lowercase(),
        sha256_hex(payload)
    )
}

/// The string to sign for a canonical request made at `timestamp` for `service`.
pub fn string_to_sign(timestamp: i64, service: &str, canonical_request: &str) -> String {
    format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{}/{service}/tc3_request\n{}",
        utc_date(timestamp),
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The signature: HMAC-SHA256 with the key derived from `secret_key` by date, service and
/// `tc3_request`, hex.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    let secret_date = hmac256(format!("TC3{secret_key}").as_bytes(), date);
    let secret_service = hmac256(&secret_date, service);
    let secret_signing = hmac256(&secret_service, "tc3_request");
    hex(&hmac256(&secret_signing, string_to_sign))
}

/// The UTC date of a UNIX time, `2019-02-25`.
pub fn utc_date(timestamp: i64) -> String {
    jiff::Timestamp::from_second(timestamp)
        .map(|t| jiff::tz::Offset::UTC.to_datetime(t).date().to_string())
        .unwrap_or_default()
}

/// The `Authorization` header of a request with `payload` to `host` at `timestamp`.
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    timestamp: i64,
    payload: &[u8],
) -> String {
    let canonical = canonical_request(CONTENT_TYPE, host, payload);
    let to_sign = string_to_sign(timestamp, service, &canonical);
    let date = utc_date(timestamp);
    let signature = signature(secret_key, &date, service, &to_sign);
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{date}/{service}/tc3_request, SignedHeaders=content-type;host, Signature={signature}"
    )
}

/// The account at Tencent Cloud (`--tencent-sms-*`).
#[derive(Clone)]
pub struct TencentConfig {
    /// The API endpoint, `https://sms.tencentcloudapi.com` in production.
    pub endpoint: String,
    /// SecretId.
    pub secret_id: String,
    /// SecretKey.
    pub secret_key: String,
    /// The SMS application (`SmsSdkAppId`, 1400…).
    pub sdk_app_id: String,
    /// The approved signature (签名).
    pub sign_name: String,
    /// The region, `ap-guangzhou`.
    pub region: String,
    /// How long a request may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for TencentConfig {
    // Never the secret, whatever logs this.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentConfig")
            .field("endpoint", &self.endpoint)
            .field("secret_id", &self.secret_id)
            .field("sdk_app_id", &self.sdk_app_id)
            .field("sign_name", &self.sign_name)
            .field("region", &self.region)
            .field("timeout", &self.timeout)
            .field("secret_key", &"***")
            .finish_non_exhaustive()
    }
}

/// A Tencent Cloud SMS gateway.
#[derive(Debug)]
pub struct Tencent {
    config: TencentConfig,
    host: String,
    http: reqwest::Client,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Response,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Response {
    #[serde(default)]
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
    #[serde(default)]
    pull_sms_send_status_set: Vec<Report>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    #[serde(default)]
    serial_no: String,
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Report {
    #[serde(default)]
    user_receive_time: Option<String>,
    #[serde(default)]
    serial_no: String,
    #[serde(default)]
    report_status: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    session_context: String,
}

/// What an error code (of the request or of one number) means for the notice.
pub fn classify(code: &str, message: &str) -> SendError {
    let refused = |reason: &str| SendError::Refused { code: code.to_owned(), reason: reason.to_owned() };
    match code {
        c if c.starts_with("LimitExceeded.") || c == "RequestLimitExceeded" => {
            SendError::Retry(format!("{c}: rate limited"))
        }
        "InvalidParameterValue.IncorrectPhoneNumber"
        | "FailedOperation.PhoneNumberInBlacklist"
        | "UnsupportedOperation.UnsupportedRegion"
        | "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber" => refused("the number is refused"),
        "FailedOperation.TemplateUnapprovedOrNotExist" | "FailedOperation.TemplateIncorrectOrUnapproved" => {
            refused("the template is not approved")
        }
        "FailedOperation.SignatureIncorrectOrUnapproved" => refused("the signature is not approved"),
        "FailedOperation.ContainSensitiveWord"
        | "InvalidParameterValue.ContentLengthLimit"
        | "InvalidParameterValue.TemplateParameterFormatError"
        | "InvalidParameterValue.TemplateParameterLengthLimit"
        | "FailedOperation.TemplateParamSetNotMatchApprovedTemplate" => refused(message),
        // Credentials, balance, the service: the deployment's to fix, and then it goes out.
        _ => SendError::Retry(format!("{code}: {message}")),
    }
}

/// A mainland number in E.164, as Tencent wants it: `+8613800138000`.
fn e164(address: &str) -> String {
    let a = address.trim();
    if a.starts_with('+') {
        a.to_owned()
    } else if let Some(rest) = a.strip_prefix("0086") {
        format!("+86{rest}")
    } else {
        format!("+86{a}")
    }
}

/// `2019-10-08 10:00:00`, China time.
fn parse_china_time(text: &str) -> Option<jiff::Timestamp> {
    let dt = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", text).ok()?;
    dt.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).ok().map(|z| z.timestamp())
}

impl Tencent {
    /// A gateway for `config`; an endpoint that is not a URL is said at once.
    pub fn new(config: TencentConfig) -> Result<Tencent, String> {
        let endpoint = config.endpoint.trim().trim_end_matches('/');
        let host = endpoint
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default().to_owned())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("{endpoint:?} is not an http(s) URL"))?;
        let http = reqwest::Client::builder().timeout(config.timeout).build().map_err(|e| e.to_string())?;
        Ok(Tencent { config, host, http })
    }

    /// Calls `action` with the JSON `body`.
    async fn call(&self, action: &str, body: serde_json::Value) -> Result<Response, SendError> {
        let payload = body.to_string().into_bytes();
        let timestamp = jiff::Timestamp::now().as_second();
        let authorization =
            authorization(&self.config.secret_id, &self.config.secret_key, "sms", &self.host, timestamp, &payload);
        let res = self
            .http
            .post(format!("{}/", self.config.endpoint.trim().trim_end_matches('/')))
            .header("Authorization", authorization)
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-TC-Action", action)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.config.region)
            .body(payload)
            .send()
            .await
            .map_err(|e| SendError::Retry(e.without_url().to_string()))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| SendError::Retry(e.without_url().to_string()))?;
        let envelope: Envelope = serde_json::from_str(&text)
            .map_err(|_| SendError::Retry(format!("{status}: {}", text.chars().take(200).collect::<String>())))?;
        match envelope.response.error {
            Some(e) => Err(classify(&e.code, &e.message)),
            None => Ok(envelope.response),
        }
    }

    /// Sends `msg` with its template; answers the `SerialNo`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let Some(template) = &msg.template else {
            return Err(SendError::Refused {
                code: "no_template".into(),
                reason: "an SMS goes out only with an approved template".into(),
            });
        };
        let params: Vec<&str> = template.params.iter().map(|(_, v)| v.as_str()).collect();
        let body = serde_json::json!({
            "PhoneNumberSet": [e164(&msg.address)],
            "SmsSdkAppId": self.config.sdk_app_id,
            "SignName": self.config.sign_name,
            "TemplateId": template.id,
            "TemplateParamSet": params,
            "SessionContext": msg.key,
        });
        let response = self.call("SendSms", body).await?;
        let Some(status) = response.send_status_set.into_iter().next() else {
            return Err(SendError::Retry("SendSms answered no SendStatusSet".into()));
        };
        match status.code.as_str() {
            "Ok" if !status.serial_no.is_empty() => Ok(Sent { provider_id: status.serial_no }),
            "Ok" => Err(SendError::Retry("SendSms answered Ok without a SerialNo".into())),
            code => Err(classify(code, &status.message)),
        }
    }

    /// The provider's record of the message sent under `key` to `address` since `since`:
    /// a status report whose `SessionContext` is the key (a message not reported on yet is
    /// not found).
    pub async fn lookup(&self, key: &str, address: &str, since: jiff::Timestamp) -> Result<Option<Sent>, SendError> {
        let now = jiff::Timestamp::now().as_second();
        let begin = since.as_second().min(now);
        for page in 0..10u32 {
            let body = serde_json::json!({
                "BeginTime": begin,
                "EndTime": now + 60,
                "Offset": page * 100,
                "Limit": 100,
                "PhoneNumber": e164(address),
                "SmsSdkAppId": self.config.sdk_app_id,
            });
            let response = self.call("PullSmsSendStatusByPhoneNumber", body).await?;
            let got = response.pull_sms_send_status_set.len();
            if let Some(r) = response.pull_sms_send_status_set.into_iter().find(|r| r.session_context == key) {
                return Ok(Some(Sent { provider_id: r.serial_no }));
            }
            if got < 100 {
                break;
            }
        }
        Ok(None)
    }

    /// Delivery reports not pulled yet (`PullSmsSendStatus` answers each once), up to ten
    /// pages of 100; `since` is not needed (the provider keeps what is not pulled).
    pub async fn receipts(&self, since: jiff::Timestamp) -> Result<Vec<Receipt>, SendError> {
        let _ = since;
        let mut receipts = Vec::new();
        for _ in 0..10 {
            let body = serde_json::json!({ "Limit": 100, "SmsSdkAppId": self.config.sdk_app_id });
            let response = self.call("PullSmsSendStatus", body).await?;
            let got = response.pull_sms_send_status_set.len();
            for r in response.pull_sms_send_status_set {
                if r.report_status == "SUCCESS" {
                    let at =
                        r.user_receive_time.as_deref().and_then(parse_china_time).unwrap_or_else(jiff::Timestamp::now);
                    receipts.push(Receipt::Delivered { provider_id: r.serial_no, at });
                } else {
                    let reason = if r.description.is_empty() { r.report_status } else { r.description };
                    receipts.push(Receipt::Failed { provider_id: r.serial_no, reason });
                }
            }
            if got < 100 {
                break;
            }
        }
        Ok(receipts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_tencents_worked_example() {
        // The worked example of Tencent Cloud's "signature method v3" documentation:
        // DescribeInstances to cvm.tencentcloudapi.com at 1551113065 with the example key.
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(sha256_hex(payload.as_bytes()), "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        let canonical = canonical_request(CONTENT_TYPE, "cvm.tencentcloudapi.com", payload.as_bytes());
        let to_sign = string_to_sign(1551113065, "cvm", &canonical);
        assert_eq!(
            to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "2019-02-25", "cvm", &to_sign),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn numbers_are_e164_and_codes_say_retry_or_refused() {
        assert_eq!(e164("13800138000"), "+8613800138000");
        assert_eq!(e164("+8613800138000"), "+8613800138000");
        assert!(matches!(classify("LimitExceeded.PhoneNumberDailyLimit", ""), SendError::Retry(_)));
        assert!(matches!(classify("InternalError.Timeout", ""), SendError::Retry(_)));
        assert!(matches!(classify("InvalidParameterValue.IncorrectPhoneNumber", ""), SendError::Refused { .. }));
        assert!(matches!(classify("FailedOperation.TemplateUnapprovedOrNotExist", ""), SendError::Refused { .. }));
        assert!(matches!(classify("FailedOperation.SignatureIncorrectOrUnapproved", ""), SendError::Refused { .. }));
    }
}
