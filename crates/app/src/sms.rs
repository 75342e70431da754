//! Text messages through Aliyun's SMS service (阿里云短信), by its documented HTTP API:
//! `SendSms` (version 2017-05-25) as an RPC-style request signed with HMAC-SHA1
//! (signature version 1.0, [`crate::notify::aliyun::signed_query`]): every parameter
//! sorted, percent-encoded as RFC 3986 says, `GET&%2F&<query>` signed with the access key
//! secret and `&`.
//!
//! The gateway's answers are mapped to what a caller can act on: rate limited, a number it
//! refuses, a template or signature not approved, or anything else.

use serde::Deserialize;

/// The account at the gateway (`--sms-*`).
#[derive(Clone)]
pub struct SmsConfig {
    /// The API endpoint, `https://dysmsapi.aliyuncs.com` in production.
    pub endpoint: String,
    /// AccessKeyId.
    pub access_key_id: String,
    /// AccessKeySecret.
    pub access_key_secret: String,
    /// The approved signature (签名), e.g. 某市政务服务中心.
    pub sign_name: String,
    /// The approved template for one-time codes, with a `${code}` parameter.
    pub code_template: String,
}

impl std::fmt::Debug for SmsConfig {
    // Never the secret, whatever logs this.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("sign_name", &self.sign_name)
            .field("code_template", &self.code_template)
            .field("access_key_secret", &"***")
            .finish_non_exhaustive()
    }
}

/// Why a message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// Too many messages to this number or from this account for now.
    #[error("the SMS gateway is limiting messages to this number; try again later")]
    RateLimited,
    /// The gateway refuses the number.
    #[error("the SMS gateway refuses the phone number")]
    InvalidNumber,
    /// The signature or template is not approved.
    #[error("the SMS template or signature is not approved at the gateway ({0})")]
    NotApproved(String),
    /// Anything else: unreachable, refused credentials, an answer not understood.
    #[error("the SMS gateway failed: {0}")]
    Gateway(String),
}

/// The gateway's answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    biz_id: Option<String>,
}

// The request signature lives with the notices' SMS gateway, one place for both.
pub use crate::notify::aliyun::{percent_encode, signed_query};

/// A client of the gateway.
#[derive(Debug)]
pub struct Sms {
    config: SmsConfig,
    http: reqwest::Client,
}

impl Sms {
    /// A client for `config`.
    pub fn new(config: SmsConfig) -> Result<Sms, SmsError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| SmsError::Gateway(e.to_string()))?;
        Ok(Sms { config, http })
    }

    /// Sends `code` to `phone` with the code template; answers the gateway's message id.
    pub async fn send_code(&self, phone: &str, code: &str, now: jiff::Timestamp) -> Result<String, SmsError> {
        let nonce = crate::credentials::random_hex(16).map_err(|e| SmsError::Gateway(e.to_string()))?;
        let timestamp = jiff::tz::Offset::UTC.to_datetime(now).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let params = [
            ("AccessKeyId", self.config.access_key_id.clone()),
            ("Action", "SendSms".to_owned()),
            ("Format", "JSON".to_owned()),
            ("PhoneNumbers", phone.to_owned()),
            ("RegionId", "cn-hangzhou".to_owned()),
            ("SignName", self.config.sign_name.clone()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0".to_owned()),
            ("TemplateCode", self.config.code_template.clone()),
            ("TemplateParam", serde_json::json!({ "code": code }).to_string()),
            ("Timestamp", timestamp),
            ("Version", "2017-05-25".to_owned()),
        ];
        let url = format!(
            "{}/?{}",
            self.config.endpoint.trim_end_matches('/'),
            signed_query(&params, &self.config.access_key_secret)
        );
        let res = self.http.get(&url).send().await.map_err(|e| SmsError::Gateway(e.without_url().to_string()))?;
        let status = res.status();
        let answer: Answer =
            res.json().await.map_err(|e| SmsError::Gateway(format!("an answer not understood ({status}): {e}")))?;
        match answer.code.as_str() {
            "OK" => Ok(answer.biz_id.unwrap_or_default()),
            "isv.BUSINESS_LIMIT_CONTROL" | "isv.DAY_LIMIT_CONTROL" | "Throttling.User" => Err(SmsError::RateLimited),
            "isv.MOBILE_NUMBER_ILLEGAL" | "isv.MOBILE_COUNT_OVER_LIMIT" => Err(SmsError::InvalidNumber),
            c @ ("isv.SMS_TEMPLATE_ILLEGAL" | "isv.SMS_SIGNATURE_ILLEGAL" | "isv.SMS_SIGN_ILLEGAL") => {
                Err(SmsError::NotApproved(c.to_owned()))
            }
            other => Err(SmsError::Gateway(format!("{other}: {}", answer.message))),
        }
    }
}
