//! Colours of single clocks: the worked examples, the suspension corner, and a property test
//! that the outlook agrees with the colour from scratch.

use proptest::prelude::*;

use super::*;
use crate::case::{Applicant, ApplicantKind, CaseEvent, CaseNumber, Submission};
use crate::division::DivisionCode;
use crate::item::{Channel, ItemCode};

pub(crate) fn at(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp")
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::builtin()
}

fn clock(accepted: &str, limit: Limit) -> CaseClock {
    CaseClock { accepted_at: at(accepted), limit, suspensions: vec![], suspended_since: None }
}

fn col(c: &CaseClock, rule: &Rule, now: &str) -> Colour {
    colour(c, rule, at(now), &cal()).expect("covered")
}

#[test]
fn colours_go_green_yellow_red_across_national_day() {
    // Friday 27 Sep 2024 09:00, 3 working days: Sun 29 Sep (worked), Mon 30 Sep, Tue 8 Oct.
    let c = clock("2024-09-27T09:00+08:00", Limit::WorkingDays(3));
    let rule = Rule::new(80, 0).expect("valid");
    // 4 × 420 = 1,680 allowed; 80 % = 1,344 = 3 days + 84 minutes: Tue 8 Oct 10:24.
    assert_eq!(col(&c, &rule, "2024-10-08T10:23+08:00"), Colour::Green);
    assert_eq!(col(&c, &rule, "2024-10-08T10:24+08:00"), Colour::Yellow);
    assert_eq!(col(&c, &rule, "2024-10-08T17:30+08:00"), Colour::Yellow);
    assert_eq!(col(&c, &rule, "2024-10-08T17:30:00.000000001+08:00"), Colour::Red);
    let o = Outlook::of(&c, &rule, &cal()).expect("covered");
    assert_eq!(o.yellow_from, at("2024-10-08T10:24+08:00"));
    assert_eq!(o.red_from, at("2024-10-08T17:30:00.000000001+08:00"));
}

#[test]
fn a_zero_threshold_is_yellow_from_acceptance() {
    // Same-day case under the default rule: at most one working day, so yellow at once.
    let c = clock("2024-10-12T10:00+08:00", Limit::EndOfDay);
    let rule = Rule::center_default(&cal());
    assert_eq!(col(&c, &rule, "2024-10-12T10:00+08:00"), Colour::Yellow);
    let o = Outlook::of(&c, &rule, &cal()).expect("covered");
    assert_eq!(o.since(Colour::Yellow), c.accepted_at);
    assert_eq!(
        next_change(&c, &rule, at("2024-10-12T10:00+08:00"), &cal()).expect("covered"),
        Some(at("2024-10-12T17:30:00.000000001+08:00"))
    );
}

#[test]
fn a_suspended_case_keeps_its_colour() {
    let rule = Rule::new(80, 0).expect("valid");
    let mut c = clock("2024-09-23T09:00+08:00", Limit::WorkingHours(7));
    c.suspended_since = Some(at("2024-09-23T10:00+08:00"));
    // Green when suspended; still green a month later, and nothing is scheduled.
    assert_eq!(col(&c, &rule, "2024-10-20T12:00+08:00"), Colour::Green);
    assert_eq!(next_change(&c, &rule, at("2024-10-20T12:00+08:00"), &cal()).expect("covered"), None);
    // Resumed on 8 Oct 09:00: 6 hours left, yellow from 80 % = 336 minutes used.
    c.suspended_since = None;
    c.suspensions.push(Suspension { from: at("2024-09-23T10:00+08:00"), until: at("2024-10-08T09:00+08:00") });
    let o = Outlook::of(&c, &rule, &cal()).expect("covered");
    assert_eq!(o.yellow_from, at("2024-10-08T15:06+08:00"));
    assert_eq!(o.red_from, at("2024-10-08T16:30:00.000000001+08:00"));
}

#[test]
fn a_case_suspended_exactly_at_its_due_time_turns_red_on_resumption() {
    let rule = Rule::new(80, 0).expect("valid");
    let mut c = clock("2024-09-30T09:00+08:00", Limit::EndOfDay);
    c.suspended_since = Some(at("2024-09-30T17:30+08:00"));
    assert_eq!(col(&c, &rule, "2024-10-08T09:00+08:00"), Colour::Yellow);
    c.suspended_since = None;
    c.suspensions.push(Suspension { from: at("2024-09-30T17:30+08:00"), until: at("2024-10-08T09:00+08:00") });
    // The suspension began with the limit used up, so the due time stays 30 Sep 17:30 …
    assert_eq!(cal().due(c.accepted_at, c.limit, &c.suspensions), Ok(at("2024-09-30T17:30+08:00")));
    // … and the case is red from the moment it resumed, not before.
    let o = Outlook::of(&c, &rule, &cal()).expect("covered");
    assert_eq!(o.red_from, at("2024-10-08T09:00+08:00"));
    assert_eq!(col(&c, &rule, "2024-10-08T09:00+08:00"), Colour::Red);
}

#[test]
fn a_case_suspended_when_red_stays_red() {
    let rule = Rule::new(80, 0).expect("valid");
    let mut c = clock("2024-09-30T09:00+08:00", Limit::WorkingHours(1));
    c.suspended_since = Some(at("2024-09-30T11:00+08:00"));
    assert_eq!(col(&c, &rule, "2024-10-20T11:00+08:00"), Colour::Red);
}

#[test]
fn a_backwards_suspension_is_an_error_not_a_panic() {
    let rule = Rule::new(80, 0).expect("valid");
    let mut c = clock("2024-09-30T09:00+08:00", Limit::WorkingHours(1));
    c.suspensions.push(Suspension { from: at("2024-09-30T11:00+08:00"), until: at("2024-09-30T10:00+08:00") });
    assert!(colour(&c, &rule, at("2024-09-30T12:00+08:00"), &cal()).is_err());
    assert!(Outlook::of(&c, &rule, &cal()).is_err());
    let far = clock("2101-06-03T09:00+08:00", Limit::WorkingHours(1));
    assert!(matches!(colour(&far, &rule, at("2101-06-03T12:00+08:00"), &cal()), Err(CalendarError::OutOfRange { .. })));
}

pub(crate) fn replayed(events: &[(CaseEvent, &str)]) -> Case {
    let submitted = CaseEvent::Submitted {
        item: ItemCode::parse("620100-FGW-001").expect("valid"),
        item_version: 1,
        division: DivisionCode::parse("620102").expect("valid"),
        submission: Submission {
            applicant: Applicant {
                kind: ApplicantKind::Individual,
                name: "王芳".into(),
                id_number: "620102199001011233".into(),
                phone: None,
            },
            channel: Channel::Window,
            materials: vec!["项目备案申请表".into()],
            owner: "fgw.clerk".into(),
            priority: false,
            submitter: None,
        },
    };
    let number = CaseNumber::parse("620102-2024-000001").expect("valid");
    let log: Vec<(&CaseEvent, Timestamp)> = std::iter::once((&submitted, at("2024-09-30T08:50+08:00")))
        .chain(events.iter().map(|(e, t)| (e, at(t))))
        .collect();
    Case::replay(number, log).expect("starts with Submitted")
}

#[test]
fn only_running_cases_have_a_clock() {
    let accepted = CaseEvent::Accepted {
        limit: Limit::WorkingDays(2),
        due_at: at("2024-10-09T17:30+08:00"),
        calendar_revision: 0,
    };
    let suspended = CaseEvent::Suspended { reason: "专家评审".into() };
    let resumed = CaseEvent::Resumed { due_at: at("2024-10-10T17:30+08:00"), calendar_revision: 0 };
    assert_eq!(CaseClock::from_case(&replayed(&[])), None);
    let c = replayed(&[
        (accepted.clone(), "2024-09-30T09:00+08:00"),
        (suspended.clone(), "2024-09-30T10:00+08:00"),
        (resumed, "2024-09-30T11:00+08:00"),
        (suspended, "2024-09-30T14:00+08:00"),
    ]);
    let clock = CaseClock::from_case(&c).expect("running");
    assert_eq!(clock.accepted_at, at("2024-09-30T09:00+08:00"));
    assert_eq!(clock.limit, Limit::WorkingDays(2));
    assert_eq!(
        clock.suspensions,
        vec![Suspension { from: at("2024-09-30T10:00+08:00"), until: at("2024-09-30T11:00+08:00") }]
    );
    assert_eq!(clock.suspended_since, Some(at("2024-09-30T14:00+08:00")));
    let decided = replayed(&[
        (accepted, "2024-09-30T09:00+08:00"),
        (CaseEvent::Approved { note: String::new() }, "2024-09-30T10:00+08:00"),
    ]);
    assert_eq!(CaseClock::from_case(&decided), None);
}

/// A random clock in Sep–Nov 2024 with a few suspensions, and a `now` after its last event.
fn clock_and_now() -> impl Strategy<Value = (CaseClock, Rule, Timestamp)> {
    let base = at("2024-09-01T00:00+08:00").as_second();
    let limit = prop_oneof![
        Just(Limit::EndOfDay),
        (1u32..6).prop_map(Limit::WorkingDays),
        (1u32..16).prop_map(Limit::WorkingHours),
    ];
    let gaps = prop::collection::vec((0i64..3 * 86_400, 0i64..2 * 86_400), 0..4);
    (
        0i64..30 * 86_400,
        limit,
        gaps,
        any::<bool>(),
        0i64..20 * 86_400,
        0u8..=100,
        prop_oneof![Just(0u32), Just(60), Just(420), 0u32..2000],
    )
        .prop_map(move |(start, limit, gaps, open, wait, percent, left)| {
            let ts = |s: i64| Timestamp::from_second(base + s).expect("in range");
            let mut t = start;
            let accepted_at = ts(t);
            let mut suspensions = Vec::new();
            let mut suspended_since = None;
            for (i, (run, stop)) in gaps.iter().enumerate() {
                let from = t + run;
                if open && i + 1 == gaps.len() {
                    suspended_since = Some(ts(from));
                    t = from;
                } else {
                    suspensions.push(Suspension { from: ts(from), until: ts(from + stop) });
                    t = from + stop;
                }
            }
            let clock = CaseClock { accepted_at, limit, suspensions, suspended_since };
            let rule = Rule::new(percent, left).expect("0–100");
            (clock, rule, ts(t + wait))
        })
}

proptest! {
    #[test]
    fn outlook_agrees_with_the_colour_from_scratch((c, rule, now) in clock_and_now()) {
        let cal = cal();
        let o = Outlook::of(&c, &rule, &cal).expect("covered");
        let here = colour(&c, &rule, now, &cal).expect("covered");
        prop_assert_eq!(o.colour_at(now), here);
        prop_assert!(o.yellow_from < o.red_from);
        match o.next_change_after(now) {
            Some(next) => {
                prop_assert!(next > now);
                let before = next.checked_sub(SignedDuration::from_nanos(1)).expect("in range");
                prop_assert_eq!(colour(&c, &rule, before, &cal).expect("covered"), here);
                let then = colour(&c, &rule, next, &cal).expect("covered");
                prop_assert!(then > here, "{:?} → {:?} at {}", here, then, next);
                prop_assert_eq!(o.colour_at(next), then);
            }
            None => {
                prop_assert!(here == Colour::Red || c.is_suspended());
                let later = now.checked_add(SignedDuration::from_hours(24 * 40)).expect("in range");
                prop_assert_eq!(colour(&c, &rule, later, &cal).expect("covered"), here);
            }
        }
    }
}
