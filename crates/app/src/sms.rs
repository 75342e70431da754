//! Text messages through Aliyun's SMS service (阿里云短信), by its documented HTTP API:
//! `SendSms` (version 2017-05-25) as an RPC-style request signed with HMAC-SHA1
//! (signature version 1.0): every parameter sorted, percent-encoded as RFC 3986 says,
//! `GET&%2F&<query>` signed with the access key secret and `&`.
//!
//! The gateway's answers are mapped to what a caller can act on: rate limited, a number it
//! refuses, a template or signature not approved, or anything else.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;

/// The account at the gateway (`--sms-*`).
#[derive(Debug, Clone)]
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

/// The signed query string for `params` (the signature last).
pub fn signed_query(params: &[(&str, String)], secret: &str) -> String {
    let mut sorted: Vec<(String, String)> =
        params.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    sorted.sort();
    let canonical = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let to_sign = format!("GET&{}&{}", percent_encode("/"), percent_encode(&canonical));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("HMAC takes any key");
    mac.update(to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("Signature={}&{canonical}", percent_encode(&signature))
}

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
}
