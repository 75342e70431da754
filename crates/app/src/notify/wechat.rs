//! WeChat subscribe messages (订阅消息): `POST /cgi-bin/message/subscribe/send` with the
//! notice's approved template and its parameters as `data`
//! (`{"thing1":{"value":"食品经营许可"}}`), under an `access_token` from `/cgi-bin/token`
//! that is kept until shortly before it expires, and asked for again — the send retried
//! once — when WeChat says it is not valid (40001) or expired (42001).
//!
//! Answers: 43101 (the user refused, or a one-time consent was used up), 40003 (no such
//! openid), 47003 (a value WeChat will not take) and 40037 (no such template) refuse for
//! good; -1 (system busy), 45009 (quota) and anything unknown are tried again.

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::gateway::{Outgoing, SendError, Sent};

/// The app at WeChat (`--wechat-*`).
#[derive(Clone)]
pub struct WechatConfig {
    /// The API endpoint, `https://api.weixin.qq.com` in production.
    pub endpoint: String,
    /// AppID.
    pub app_id: String,
    /// AppSecret.
    pub app_secret: String,
    /// How long a request may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for WechatConfig {
    // Never the secret, whatever logs this.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatConfig")
            .field("endpoint", &self.endpoint)
            .field("app_id", &self.app_id)
            .field("timeout", &self.timeout)
            .field("app_secret", &"***")
            .finish_non_exhaustive()
    }
}

/// A token and until when it is used.
#[derive(Debug, Clone)]
struct Token {
    value: String,
    fresh_until: Instant,
}

/// A WeChat subscribe-message gateway.
#[derive(Debug)]
pub struct Wechat {
    config: WechatConfig,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    msgid: Option<serde_json::Value>,
}

/// What an `errcode` of a send means for the notice.
pub fn classify(errcode: i64, errmsg: &str) -> SendError {
    let refused = |reason: &str| SendError::Refused { code: errcode.to_string(), reason: reason.to_owned() };
    match errcode {
        43101 => refused("the user refused subscribe messages (or a one-time consent was used)"),
        40003 => refused("no such openid"),
        47003 => refused(&format!("a value WeChat does not take: {errmsg}")),
        40037 => refused("no such template"),
        _ => SendError::Retry(format!("{errcode}: {errmsg}")),
    }
}

impl Wechat {
    /// A gateway for `config`.
    pub fn new(config: WechatConfig) -> Result<Wechat, String> {
        let http = reqwest::Client::builder().timeout(config.timeout).build().map_err(|e| e.to_string())?;
        Ok(Wechat { config, http, token: tokio::sync::Mutex::new(None) })
    }

    fn endpoint(&self) -> &str {
        self.config.endpoint.trim().trim_end_matches('/')
    }

    /// The token in use, or a new one when there is none, it is about to expire, or it is
    /// `stale` (the one WeChat just refused).
    async fn token(&self, stale: Option<&str>) -> Result<String, SendError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref()
            && t.fresh_until > Instant::now()
            && Some(t.value.as_str()) != stale
        {
            return Ok(t.value.clone());
        }
        let res = self
            .http
            .get(format!("{}/cgi-bin/token", self.endpoint()))
            .query(&[
                ("grant_type", "client_credential"),
                ("appid", self.config.app_id.as_str()),
                ("secret", self.config.app_secret.as_str()),
            ])
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("access_token: {}", e.without_url())))?;
        let answer: Answer =
            res.json().await.map_err(|e| SendError::Retry(format!("access_token: {}", e.without_url())))?;
        let Some(value) = answer.access_token.filter(|_| answer.errcode == 0) else {
            // A wrong id or secret, an address not on the allow-list: the deployment's to fix.
            return Err(SendError::Retry(format!("access_token: {}: {}", answer.errcode, answer.errmsg)));
        };
        let expires_in = answer.expires_in.unwrap_or(7200);
        // Renewed five minutes early (half the life of a short one), so a send never
        // carries a token that expires on the way.
        let early = expires_in.div_ceil(2).min(300);
        let fresh_until = Instant::now() + Duration::from_secs(expires_in.saturating_sub(early));
        *slot = Some(Token { value: value.clone(), fresh_until });
        Ok(value)
    }

    /// Sends `msg` (its address the openid, its template the subscribe template); answers
    /// the `msgid`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let Some(template) = &msg.template else {
            return Err(SendError::Refused {
                code: "no_template".into(),
                reason: "a WeChat message goes out only with an approved template".into(),
            });
        };
        let data: serde_json::Map<String, serde_json::Value> =
            template.params.iter().map(|(k, v)| (k.clone(), serde_json::json!({ "value": v }))).collect();
        let body = serde_json::json!({
            "touser": msg.address.trim(),
            "template_id": template.id,
            "data": data,
            "lang": "zh_CN",
        });
        let mut stale: Option<String> = None;
        for _ in 0..2 {
            let token = self.token(stale.as_deref()).await?;
            let res = self
                .http
                .post(format!("{}/cgi-bin/message/subscribe/send", self.endpoint()))
                .query(&[("access_token", token.as_str())])
                .json(&body)
                .send()
                .await
                .map_err(|e| SendError::Retry(e.without_url().to_string()))?;
            let status = res.status();
            let answer: Answer = res
                .json()
                .await
                .map_err(|e| SendError::Retry(format!("an answer not understood ({status}): {}", e.without_url())))?;
            match answer.errcode {
                0 => {
                    let msgid = match answer.msgid {
                        Some(serde_json::Value::Number(n)) => n.to_string(),
                        Some(serde_json::Value::String(s)) => s,
                        _ => return Err(SendError::Retry("a send answered ok without a msgid".into())),
                    };
                    return Ok(Sent { provider_id: msgid });
                }
                40001 | 42001 | 40014 => stale = Some(token),
                code => return Err(classify(code, &answer.errmsg)),
            }
        }
        Err(SendError::Retry("the access_token was refused twice".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_say_retry_or_refused() {
        assert!(matches!(classify(43101, ""), SendError::Refused { code, .. } if code == "43101"));
        assert!(matches!(classify(40003, ""), SendError::Refused { .. }));
        assert!(matches!(classify(47003, ""), SendError::Refused { .. }));
        assert!(matches!(classify(-1, "system busy"), SendError::Retry(_)));
        assert!(matches!(classify(45009, ""), SendError::Retry(_)));
    }
}
