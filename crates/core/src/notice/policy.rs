//! When and where a notice goes: the channel it tries first and those it falls back to,
//! the backoff between tries, quiet hours for staff, and when a channel counts as failing.

use jiff::{SignedDuration, Timestamp};

use super::Channel;
use crate::calendar::WorkingCalendar;

/// Tries of one notice on one channel before it is given up.
pub const MAX_ATTEMPTS: u32 = 8;
/// The first retry waits this long; each further one twice as long.
pub const BACKOFF_BASE_SECS: i64 = 30;
/// No retry waits longer.
pub const BACKOFF_CAP_SECS: i64 = 3_600;
/// Failures in a row after which a channel is failing (and the administrators are told).
pub const FAILING_AFTER: u32 = 20;

/// The channels besides the inbox, in the order a notice tries them: the first that the
/// person consented to and the deployment offers.
pub const EXTERNAL: [Channel; 4] = [Channel::Sms, Channel::Wechat, Channel::Email, Channel::Push];

/// The channel a notice tries first after the inbox: the first of [`EXTERNAL`] that is
/// both consented and usable (the deployment offers it, an address is on file).
pub fn first_channel(usable: impl Fn(Channel) -> bool) -> Option<Channel> {
    EXTERNAL.into_iter().find(|c| usable(*c))
}

/// The channel a statutory notice falls back to after those `tried`: the next usable one
/// in [`EXTERNAL`] order not tried yet; none when none is left.
pub fn fallback_channel(tried: &[Channel], usable: impl Fn(Channel) -> bool) -> Option<Channel> {
    EXTERNAL.into_iter().find(|c| !tried.contains(c) && usable(*c))
}

/// How long to wait before try `attempt + 1` (after `attempt` tries, from 1): 30 s · 2^(attempt−1),
/// capped at an hour, plus up to a quarter more of jitter drawn from `seed` (the notice's
/// id), so retries of many notices after an outage do not arrive together.
pub fn backoff(attempt: u32, seed: i64) -> SignedDuration {
    let exp = attempt.saturating_sub(1).min(20);
    let base = BACKOFF_BASE_SECS.saturating_mul(1_i64 << exp).min(BACKOFF_CAP_SECS);
    let spread = (base / 4).max(1);
    // A multiplicative hash: the same notice waits the same, neighbours differ.
    let jitter = (seed.unsigned_abs().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) % spread.unsigned_abs();
    SignedDuration::from_secs(base + i64::try_from(jitter).unwrap_or(0))
}

/// What to do after a try that did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try this channel again at the moment given.
    RetryAt(Timestamp),
    /// Give up on this channel (a statutory notice falls back to the next).
    GiveUp,
}

/// After try number `attempts` failed at `now`: retry later, or give up when the provider
/// refused (trying again will not help) or the tries are used up.
pub fn after_failure(attempts: u32, refused: bool, now: Timestamp, seed: i64) -> AfterFailure {
    if refused || attempts >= MAX_ATTEMPTS {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(now.saturating_add(backoff(attempts, seed)).unwrap_or(now))
    }
}

/// When a notice written at `now` may go out: at once, unless it waits for working time
/// (quiet hours: a staff alert other than red outside working time waits for the next
/// working moment of `calendar`). A calendar that cannot say does not hold it back.
pub fn release_at(now: Timestamp, waits_for_working_time: bool, calendar: &WorkingCalendar) -> Timestamp {
    if !waits_for_working_time {
        return now;
    }
    calendar.next_working_moment(now).unwrap_or(now)
}

/// A channel's recent record, for the administrator's alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelHealth {
    /// Failed tries in a row.
    pub failures: u32,
    /// Whether the channel is failing (the administrators were told).
    pub failing: bool,
}

impl ChannelHealth {
    /// The record after a try (`ok` when the provider took it), and whether this try made
    /// the channel failing — once per episode: it must succeed again before it can alert
    /// again.
    pub fn after(self, ok: bool) -> (ChannelHealth, bool) {
        if ok {
            return (ChannelHealth::default(), false);
        }
        let failures = self.failures.saturating_add(1);
        let alert = !self.failing && failures >= FAILING_AFTER;
        (ChannelHealth { failures, failing: self.failing || alert }, alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_usable_channel_is_tried_and_the_next_on_failure() {
        let consented = [Channel::Email, Channel::Sms];
        let usable = |c: Channel| consented.contains(&c);
        assert_eq!(first_channel(usable), Some(Channel::Sms));
        assert_eq!(fallback_channel(&[Channel::Sms], usable), Some(Channel::Email));
        assert_eq!(fallback_channel(&[Channel::Sms, Channel::Email], usable), None);
        assert_eq!(first_channel(|_| false), None);
    }

    #[test]
    fn backoff_doubles_to_an_hour_and_refusals_give_up_at_once() {
        let t: Timestamp = "2026-03-02T01:00:00Z".parse().expect("ts");
        assert!(backoff(1, 7).as_secs() >= 30 && backoff(1, 7).as_secs() < 38);
        assert!(backoff(2, 7).as_secs() >= 60);
        assert!(backoff(30, 7).as_secs() <= BACKOFF_CAP_SECS + BACKOFF_CAP_SECS / 4);
        assert_eq!(after_failure(1, true, t, 1), AfterFailure::GiveUp);
        assert_eq!(after_failure(MAX_ATTEMPTS, false, t, 1), AfterFailure::GiveUp);
        assert!(matches!(after_failure(1, false, t, 1), AfterFailure::RetryAt(at) if at > t));
    }

    #[test]
    fn staff_alerts_wait_for_working_time_but_nothing_else_does() {
        let cal = WorkingCalendar::builtin();
        // Friday 2024-03-01 18:00 in Beijing → Monday 09:00.
        let evening: Timestamp = "2024-03-01T10:00:00Z".parse().expect("ts");
        let monday: Timestamp = "2024-03-04T01:00:00Z".parse().expect("ts");
        assert_eq!(release_at(evening, true, &cal), monday);
        assert_eq!(release_at(evening, false, &cal), evening);
        let morning: Timestamp = "2024-03-01T02:00:00Z".parse().expect("ts");
        assert_eq!(release_at(morning, true, &cal), morning);
    }

    #[test]
    fn a_failing_channel_alerts_once_per_episode() {
        let mut h = ChannelHealth::default();
        let mut alerts = 0;
        for _ in 0..(FAILING_AFTER * 3) {
            let (next, alert) = h.after(false);
            alerts += u32::from(alert);
            h = next;
        }
        assert_eq!(alerts, 1);
        h = h.after(true).0;
        assert_eq!(h, ChannelHealth::default());
    }

    proptest! {
        #[test]
        fn backoff_grows_and_stays_bounded(attempt in 1u32..100, seed in any::<i64>()) {
            let wait = backoff(attempt, seed).as_secs();
            prop_assert!(wait >= BACKOFF_BASE_SECS);
            prop_assert!(wait <= BACKOFF_CAP_SECS + BACKOFF_CAP_SECS / 4);
            let next_base = BACKOFF_BASE_SECS.saturating_mul(1 << attempt.min(20)).min(BACKOFF_CAP_SECS);
            prop_assert!(backoff(attempt + 1, seed).as_secs() >= next_base);
        }

        #[test]
        fn health_alerts_at_most_once_between_successes(outcomes in proptest::collection::vec(any::<bool>(), 0..200)) {
            let mut h = ChannelHealth::default();
            let mut alerted = false;
            for ok in outcomes {
                let (next, alert) = h.after(ok);
                if ok { alerted = false; }
                prop_assert!(!(alert && alerted));
                alerted |= alert;
                h = next;
            }
        }
    }
}
