//! The providers a notice leaves through, behind one door: [`Gateways::send`] on a channel,
//! [`Gateways::lookup`] to settle a send left in doubt by a crash, and
//! [`Gateways::receipts`] for the providers that report delivery later.

use tongban_core::notice::Channel;

use super::{aliyun, push, smtp, tencent, wechat};

/// One notice, ready for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The idempotency key (`tongban-notice-<id>`): sent wherever the provider takes one
    /// (Aliyun `OutId`, Tencent `SessionContext`, the e-mail's `Message-ID`, Web Push
    /// `Topic`), so a resend after a crash is recognised.
    pub key: String,
    /// The recipient on this channel: an e-mail address, a mobile number, a WeChat openid,
    /// or a push subscription as the browser's `PushSubscription.toJSON()` gives it.
    pub address: String,
    /// A subject line (e-mail subject, push title).
    pub subject: String,
    /// The text (e-mail body, push body, inbox message).
    pub body: String,
    /// For providers that send only approved templates (SMS, WeChat): which, with its
    /// parameters in order.
    pub template: Option<ProviderTemplate>,
    /// A link to the case's page, where the channel can carry one.
    pub url: Option<String>,
}

/// A provider-side template (SMS `TemplateCode`/`TemplateId`, WeChat `template_id`) and the
/// values of its parameters, in the template's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderTemplate {
    /// The provider's template id.
    pub id: String,
    /// Parameter name and value (`name` → `张三`, `thing1` → `食品经营许可`).
    pub params: Vec<(String, String)>,
}

/// The provider took the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The provider's message id (BizId, SerialNo, msgid, the SMTP queue id or our
    /// Message-ID, the push service's Location).
    pub provider_id: String,
}

/// Why a provider did not take a notice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: unreachable, a timeout, a 5xx, rate limited, a token that
    /// expired.
    #[error("{0}")]
    Retry(String),
    /// Trying again will not help: an invalid number or address, a template not approved,
    /// the user refused (WeChat 43101), a subscription gone (push 404/410).
    #[error("{code}: {reason}")]
    Refused {
        /// The provider's code (`isv.MOBILE_NUMBER_ILLEGAL`, `43101`, `550`, `410`).
        code: String,
        /// What it means, for the clerk and the administrator.
        reason: String,
    },
}

/// A delivery report a provider gave later (SMS receipts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// Reached the handset.
    Delivered {
        /// The provider's message id.
        provider_id: String,
        /// When.
        at: jiff::Timestamp,
    },
    /// Did not reach it.
    Failed {
        /// The provider's message id.
        provider_id: String,
        /// The provider's reason.
        reason: String,
    },
}

/// The SMS gateway a deployment uses.
#[derive(Debug)]
pub enum SmsGateway {
    /// 阿里云短信 `SendSms`.
    Aliyun(aliyun::Aliyun),
    /// 腾讯云短信 API 3.0.
    Tencent(tencent::Tencent),
}

/// The providers configured for this deployment; the inbox needs none.
#[derive(Debug, Default)]
pub struct Gateways {
    /// E-mail (`--smtp-url`, `--mail-from`).
    pub smtp: Option<smtp::Smtp>,
    /// SMS.
    pub sms: Option<SmsGateway>,
    /// WeChat subscribe messages.
    pub wechat: Option<wechat::Wechat>,
    /// Web Push (VAPID).
    pub push: Option<push::WebPush>,
}

impl Gateways {
    /// Can a notice go out on `channel` here?
    pub fn offers(&self, channel: Channel) -> bool {
        match channel {
            Channel::Inbox => true,
            Channel::Email => self.smtp.is_some(),
            Channel::Sms => self.sms.is_some(),
            Channel::Wechat => self.wechat.is_some(),
            Channel::Push => self.push.is_some(),
        }
    }

    /// Sends `msg` on `channel` (never the inbox, which the outbox delivers itself).
    pub async fn send(&self, channel: Channel, msg: &Outgoing) -> Result<Sent, SendError> {
        match (channel, self) {
            (Channel::Email, Gateways { smtp: Some(g), .. }) => g.send(msg).await,
            (Channel::Sms, Gateways { sms: Some(SmsGateway::Aliyun(g)), .. }) => g.send(msg).await,
            (Channel::Sms, Gateways { sms: Some(SmsGateway::Tencent(g)), .. }) => g.send(msg).await,
            (Channel::Wechat, Gateways { wechat: Some(g), .. }) => g.send(msg).await,
            (Channel::Push, Gateways { push: Some(g), .. }) => g.send(msg).await,
            _ => Err(not_configured(channel)),
        }
    }

    /// Settles a send left in doubt (the provider answered, the answer was never
    /// recorded): the provider's record of the message sent under `key` to `address` since
    /// `since`, where the provider can be asked; `None` when it has none or cannot say.
    pub async fn lookup(
        &self,
        channel: Channel,
        key: &str,
        address: &str,
        since: jiff::Timestamp,
    ) -> Result<Option<Sent>, SendError> {
        match (channel, self) {
            (Channel::Sms, Gateways { sms: Some(SmsGateway::Aliyun(g)), .. }) => g.lookup(key, address, since).await,
            (Channel::Sms, Gateways { sms: Some(SmsGateway::Tencent(g)), .. }) => g.lookup(key, address, since).await,
            _ => Ok(None),
        }
    }

    /// Delivery reports waiting at the providers that send them later.
    pub async fn receipts(&self, channel: Channel, since: jiff::Timestamp) -> Result<Vec<Receipt>, SendError> {
        match (channel, self) {
            (Channel::Sms, Gateways { sms: Some(SmsGateway::Aliyun(g)), .. }) => g.receipts(since).await,
            (Channel::Sms, Gateways { sms: Some(SmsGateway::Tencent(g)), .. }) => g.receipts(since).await,
            _ => Ok(Vec::new()),
        }
    }
}

fn not_configured(channel: Channel) -> SendError {
    SendError::Refused { code: "not_configured".into(), reason: format!("no {channel} gateway is configured") }
}
