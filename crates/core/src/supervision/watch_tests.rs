use super::*;
use crate::calendar::{CalendarSet, WorkingCalendar};
use crate::case::CaseEvent;
use crate::supervision::clock::tests::{at, replayed};

fn rule() -> Rule {
    Rule::new(80, 0).expect("valid")
}

fn watches() -> Watches<u32> {
    Watches::on(CalendarSet::national(WorkingCalendar::builtin()), HandOverRule::default())
}

fn accepted() -> CaseEvent {
    CaseEvent::Accepted { limit: Limit::WorkingDays(5), due_at: at("2024-10-14T17:30+08:00"), calendar_revision: 0 }
}

fn offered() -> CaseEvent {
    CaseEvent::HandOverOffered { from: "fgw.clerk".into(), to: "zrzy.clerk".into(), by: None }
}

#[test]
fn the_act_by_clock_ends_where_the_page_says_and_only_where_it_differs_from_the_due_time() {
    let cal = WorkingCalendar::builtin();
    let submitted = replayed(&[]);
    let clock = act_by_clock(&submitted).expect("a submitted case is watched");
    assert_eq!(cal.due(clock.accepted_at, clock.limit, &[]).ok(), submitted.owner_act_by(&cal));
    let running = replayed(&[(accepted(), "2024-09-30T09:00+08:00")]);
    assert_eq!(act_by_clock(&running), None, "the due time watches a running case");
    let decided = replayed(&[
        (accepted(), "2024-09-30T09:00+08:00"),
        (CaseEvent::Approved { note: String::new() }, "2024-09-30T16:00+08:00"),
    ]);
    let clock = act_by_clock(&decided).expect("a decided case waits for delivery");
    assert_eq!(clock.accepted_at, at("2024-09-30T16:00+08:00"));
    assert_eq!(cal.due(clock.accepted_at, clock.limit, &[]).ok(), decided.owner_act_by(&cal));
}

#[test]
fn an_unaccepted_case_turns_yellow_then_red_once_each() {
    let mut w = watches();
    let case = replayed(&[]);
    let (changes, failed) = w.track(1, &case, rule(), at("2024-09-30T09:00+08:00"));
    assert!(changes.is_empty() && failed.is_empty());
    // Submitted Monday 30 Sep 08:50: act by the end of the next working day, 8 Oct 17:30.
    let mut seen = Vec::new();
    let mut t = at("2024-09-30T09:00+08:00");
    while t < at("2024-10-10T09:00+08:00") {
        t = t.checked_add(jiff::SignedDuration::from_mins(17)).expect("in range");
        seen.extend(w.tick(t));
    }
    let colours: Vec<_> = seen.iter().map(|c| (c.case.clone(), c.to)).collect();
    assert_eq!(colours, vec![((1, AlertKind::ACT_BY), Colour::Yellow), ((1, AlertKind::ACT_BY), Colour::Red)]);
    assert_eq!(seen[1].at, at("2024-10-08T17:30:00.000000001+08:00"));
    // Accepted: the act-by watch ends (the due time takes over).
    let running = replayed(&[(accepted(), "2024-10-10T09:00+08:00")]);
    w.track(1, &running, rule(), at("2024-10-10T09:00+08:00"));
    assert!(w.is_empty());
}

#[test]
fn an_offer_alerts_once_when_it_runs_out_and_a_new_offer_starts_afresh() {
    let mut w = watches();
    let case = replayed(&[(accepted(), "2024-10-08T09:00+08:00"), (offered(), "2024-10-08T10:00+08:00")]);
    assert_eq!(
        hand_over_expires(&case, &HandOverRule::default(), &WorkingCalendar::builtin()),
        Some(at("2024-10-09T17:30+08:00"))
    );
    let (changes, _) = w.track(1, &case, rule(), at("2024-10-08T10:00+08:00"));
    assert!(changes.is_empty());
    assert!(w.tick(at("2024-10-09T17:30+08:00")).is_empty(), "no yellow for an offer");
    let red = w.tick(at("2024-10-09T17:31+08:00"));
    assert_eq!(red.len(), 1);
    assert_eq!((red[0].case.1.clone(), red[0].to), (AlertKind::HAND_OVER, Colour::Red));
    assert!(w.tick(at("2024-10-10T10:00+08:00")).is_empty());
    // Withdrawn and offered again: a new episode with its own moment.
    let again = replayed(&[
        (accepted(), "2024-10-08T09:00+08:00"),
        (offered(), "2024-10-08T10:00+08:00"),
        (CaseEvent::HandOverWithdrawn { to: "zrzy.clerk".into() }, "2024-10-10T11:00+08:00"),
        (offered(), "2024-10-10T11:30+08:00"),
    ]);
    let (changes, _) = w.track(1, &again, rule(), at("2024-10-10T11:30+08:00"));
    assert!(changes.is_empty());
    assert_eq!(w.colour(&1, &AlertKind::HAND_OVER), Some(Colour::Green));
    let red = w.tick(at("2024-10-12T09:00+08:00"));
    assert_eq!(red.len(), 1);
    assert_eq!(red[0].at, at("2024-10-11T17:30:00.000000001+08:00"));
    let taken = replayed(&[(accepted(), "2024-10-08T09:00+08:00")]);
    w.track(1, &taken, rule(), at("2024-10-12T09:00+08:00"));
    assert!(w.is_empty());
}
