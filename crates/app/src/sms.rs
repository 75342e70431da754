//! Text messages through Aliyun's SMS service (阿里云短信), by its documented HTTP API:
//! `SendSms` (version 2017-05-25) as an RPC-style request signed with HMAC-SHA1
//! (signature version 1.0, [`crate::notify::aliyun::signed_query`]): every parameter
//! sorted, percent-encoded as RFC 3986 says, `GET&%2F&<query>` signed with the access key
//! secret and `&`.
//!
//! The gateway's answers are mapped to what a caller can act on: rate limited, a number it
//! refuses, a template or signature not approved, or anything else.

use crate::notify::aliyun::{Aliyun, AliyunConfig, Refusal};

/// The account at the gateway (`--sms-*`) and the template codes go out with.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// The account (its `Debug` never shows the secret).
    pub account: AliyunConfig,
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

// The request signature lives with the notices' SMS gateway, one place for both.
pub use crate::notify::aliyun::{percent_encode, signed_query};

/// A client of the gateway for one-time codes: the notices' Aliyun client with the code
/// template.
#[derive(Debug)]
pub struct Sms {
    gateway: Aliyun,
    code_template: String,
}

impl Sms {
    /// A client for `config`.
    pub fn new(config: SmsConfig) -> Result<Sms, SmsError> {
        Ok(Sms {
            gateway: Aliyun::new(config.account).map_err(SmsError::Gateway)?,
            code_template: config.code_template,
        })
    }

    /// Sends `code` to `phone` with the code template; answers the gateway's message id.
    pub async fn send_code(&self, phone: &str, code: &str) -> Result<String, SmsError> {
        let params = [("code".to_owned(), code.to_owned())];
        match self.gateway.send_sms(phone, &self.code_template, &params, None).await {
            Ok(Ok(biz_id)) => Ok(biz_id),
            Ok(Err(refused)) => Err(match Refusal::of(&refused.code) {
                Refusal::RateLimited => SmsError::RateLimited,
                Refusal::Number => SmsError::InvalidNumber,
                Refusal::Template | Refusal::Signature => SmsError::NotApproved(refused.code),
                _ => SmsError::Gateway(format!("{}: {}", refused.code, refused.message)),
            }),
            Err(e) => Err(SmsError::Gateway(e.to_string())),
        }
    }
}
