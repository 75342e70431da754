//! Local stand-ins for the providers notices leave through, for tests and the benchmark:
//! real servers on 127.0.0.1 (no network beyond it) that check each provider's documented
//! signature, answer in its real response shapes and error codes, can be told to fail, and
//! keep what they delivered for assertions.
//!
//! - [`smtp`]: an SMTP sink, plain, STARTTLS or implicit TLS.
//! - [`push`]: a Web Push service that checks VAPID and decrypts each message as the
//!   browser would.

pub mod push;
pub mod smtp;
