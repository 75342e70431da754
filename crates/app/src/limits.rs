//! How often one may ask: login back-off, and request rates on the endpoints anyone can
//! call.
//!
//! - **Login back-off** counts failures per account *from one address* (5 free) and per
//!   account from everywhere (20 free, against guessing from many addresses). Failures
//!   decay, one per whole minute since the last, so an old typo is forgotten. Failures on one account never
//!   delay another account: a hall's shared address cannot be locked by a stranger.
//! - **Request rates** are token buckets per address and kind (log in, sign up, queue
//!   ticket, search, case look-up), refilled continuously; spraying many accounts from one
//!   address meets the log-in rate, not the back-off of the accounts tried.
//!
//! Time is an argument ([`Instant`]), so the rules are tested without waiting.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures before back-off starts for one account from one address.
const FREE_PER_ADDRESS: f64 = 5.0;
/// Failures before back-off starts for one account from all addresses together.
const FREE_PER_ACCOUNT: f64 = 20.0;
/// How long one failure is remembered, roughly: the score falls by one per this.
const DECAY: Duration = Duration::from_secs(60);
/// The longest back-off.
const MAX_BACKOFF: Duration = Duration::from_secs(900);
/// Records kept before the forgotten ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Record {
    score: f64,
    last: Instant,
}

impl Record {
    /// One failure is forgotten per whole [`DECAY`] since the last.
    fn score_at(&self, now: Instant) -> f64 {
        let periods = (now.saturating_duration_since(self.last).as_secs_f64() / DECAY.as_secs_f64()).floor();
        (self.score - periods).max(0.0)
    }
}

/// Failed logins with decaying, exponential back-off.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Record>>,
}

/// The back-off keys of a login attempt: (key, failures allowed).
fn login_keys(account: &str, client: Option<IpAddr>) -> [(String, f64); 2] {
    let client = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    [(format!("{account}@{client}"), FREE_PER_ADDRESS), (format!("{account}@*"), FREE_PER_ACCOUNT)]
}

impl LoginLimiter {
    /// How long attempts on `account` from `client` must still wait, if at all.
    pub fn wait(&self, account: &str, client: Option<IpAddr>, now: Instant) -> Option<Duration> {
        self.wait_keys(&login_keys(account, client), now)
    }

    /// Records a failed attempt on `account` from `client`.
    pub fn failed(&self, account: &str, client: Option<IpAddr>, now: Instant) {
        self.fail_keys(&login_keys(account, client), now);
    }

    /// Forgets `account`'s failures from `client` after a success there.
    pub fn succeeded(&self, account: &str, client: Option<IpAddr>) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&login_keys(account, client)[0].0);
        }
    }

    /// How long `key` must still wait after `free` failures (other uses: kiosk look-ups).
    pub fn wait_keys(&self, keys: &[(String, f64)], now: Instant) -> Option<Duration> {
        let map = self.failures.lock().ok()?;
        keys.iter()
            .filter_map(|(k, free)| map.get(k).map(|r| (r, *free)))
            .filter_map(|(r, free)| {
                let over = r.score_at(now) - free;
                if over < 0.0 {
                    return None;
                }
                let backoff = Duration::from_secs(1u64 << (over as u32).min(10)).min(MAX_BACKOFF);
                backoff.checked_sub(now.saturating_duration_since(r.last)).filter(|d| !d.is_zero())
            })
            .max()
    }

    /// Records a failure under each key.
    pub fn fail_keys(&self, keys: &[(String, f64)], now: Instant) {
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() >= SWEEP_AT {
            map.retain(|_, r| r.score_at(now) > 0.0);
        }
        for (k, _) in keys {
            let r = map.entry(k.clone()).or_insert(Record { score: 0.0, last: now });
            *r = Record { score: r.score_at(now) + 1.0, last: now };
        }
    }
}

/// The endpoints anyone may call, each with its own rate per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rated {
    /// Log-in attempts.
    Login,
    /// New accounts.
    SignUp,
    /// Queue tickets without an account (kiosks, the public page).
    Ticket,
    /// Item searches without an account.
    Search,
    /// Case look-ups by number and phone.
    Lookup,
}

impl Rated {
    /// (burst, sustained per minute).
    fn rate(self) -> (f64, f64) {
        match self {
            Rated::Login => (30.0, 30.0),
            Rated::SignUp => (10.0, 5.0),
            // A kiosk serves everyone in the hall from one address.
            Rated::Ticket => (30.0, 30.0),
            Rated::Search => (120.0, 240.0),
            Rated::Lookup => (30.0, 30.0),
        }
    }
}

/// Token buckets per (kind, address).
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<(Rated, IpAddr), (f64, Instant)>>,
}

impl RateLimiter {
    /// Takes one request of `kind` from `client`; when its bucket is empty, how long until
    /// the next is allowed. Requests of unknown origin share one bucket.
    pub fn take(&self, kind: Rated, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let (burst, per_minute) = kind.rate();
        let per_sec = per_minute / 60.0;
        let client = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let Ok(mut map) = self.buckets.lock() else { return Ok(()) };
        if map.len() >= SWEEP_AT {
            map.retain(|(k, _), (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * k.rate().1 / 60.0 < k.rate().0
            });
        }
        let (tokens, at) = map.entry((kind, client)).or_insert((burst, now));
        let refilled = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * per_sec).min(burst);
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            *at = now;
            Ok(())
        } else {
            *tokens = refilled;
            *at = now;
            Err(Duration::from_secs_f64((1.0 - refilled) / per_sec))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("an address"))
    }

    #[test]
    fn failures_on_other_accounts_never_delay_a_correct_password() {
        let limiter = LoginLimiter::default();
        let t = Instant::now();
        for i in 0..100 {
            limiter.failed(&format!("invented{i}"), ip("10.0.0.9"), t);
        }
        assert_eq!(limiter.wait("admin", ip("10.0.0.9"), t), None);
        assert_eq!(limiter.wait("admin", ip("10.0.0.1"), t), None);
    }

    #[test]
    fn one_address_guessing_one_account_backs_off_and_others_do_not() {
        let limiter = LoginLimiter::default();
        let t = Instant::now();
        for _ in 0..6 {
            limiter.failed("clerk", ip("10.0.0.9"), t);
        }
        assert!(limiter.wait("clerk", ip("10.0.0.9"), t).is_some());
        assert_eq!(limiter.wait("clerk", ip("10.0.0.1"), t), None, "the real clerk elsewhere still logs in");
    }

    #[test]
    fn many_addresses_guessing_one_account_back_off_together() {
        let limiter = LoginLimiter::default();
        let t = Instant::now();
        for i in 0..21 {
            limiter.failed("leader", ip(&format!("10.0.1.{i}")), t);
        }
        assert!(limiter.wait("leader", ip("10.0.9.9"), t).is_some());
    }

    #[test]
    fn failures_decay() {
        let limiter = LoginLimiter::default();
        let t = Instant::now();
        for _ in 0..8 {
            limiter.failed("clerk", ip("10.0.0.9"), t);
        }
        assert!(limiter.wait("clerk", ip("10.0.0.9"), t).is_some());
        assert_eq!(limiter.wait("clerk", ip("10.0.0.9"), t + Duration::from_secs(16 * 60)), None);
        limiter.failed("clerk", ip("10.0.0.9"), t + Duration::from_secs(16 * 60));
        assert_eq!(limiter.wait("clerk", ip("10.0.0.9"), t + Duration::from_secs(16 * 60)), None, "a new typo is free");
    }

    #[test]
    fn buckets_refill_per_address_and_kind() {
        let rates = RateLimiter::default();
        let t = Instant::now();
        for _ in 0..30 {
            assert!(rates.take(Rated::Ticket, ip("10.0.0.9"), t).is_ok());
        }
        let wait = rates.take(Rated::Ticket, ip("10.0.0.9"), t).expect_err("the burst is spent");
        assert!(wait <= Duration::from_secs(2), "{wait:?}");
        assert!(rates.take(Rated::Ticket, ip("10.0.0.8"), t).is_ok(), "another address has its own bucket");
        assert!(rates.take(Rated::Search, ip("10.0.0.9"), t).is_ok(), "another kind has its own bucket");
        assert!(rates.take(Rated::Ticket, ip("10.0.0.9"), t + Duration::from_secs(2)).is_ok(), "refilled");
    }
}
