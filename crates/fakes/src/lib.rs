//! Local stand-ins for the providers notices leave through, for tests and the benchmark:
//! real servers on 127.0.0.1 (no network beyond it) that check each provider's documented
//! signature, answer in its real response shapes and error codes, can be told to fail
//! ([`fault::Faults`]), de-duplicate by the idempotency key, and keep what they delivered
//! for assertions.
//!
//! Each `start(…)` binds 127.0.0.1:0 and answers a handle whose `endpoint()` (or `url()`)
//! the client is configured with; the server stops when the handle is dropped. The SMS fakes
//! record messages with the wall clock, as the providers do.
//!
//! - [`smtp`]: an SMTP sink, plain, STARTTLS or implicit TLS.
//! - [`aliyun`]: 阿里云短信 `SendSms` and `QuerySendDetails` (HMAC-SHA1 RPC signature).
//! - [`tencent`]: 腾讯云短信 API 3.0 `SendSms`, `PullSmsSendStatus`,
//!   `PullSmsSendStatusByPhoneNumber` (TC3-HMAC-SHA256).
//! - [`wechat`]: WeChat `access_token` and subscribe messages.
//! - [`push`]: a Web Push service that checks VAPID and decrypts each message as the
//!   browser would.

pub mod aliyun;
pub mod fault;
pub mod push;
pub mod smtp;
pub mod tencent;
pub mod wechat;
