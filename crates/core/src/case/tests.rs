//! Every command from every state: the allowed moves give their event, every other move is
//! refused with `IllegalTransition` and changes nothing.

use super::*;
use crate::calendar::WorkingCalendar;
use crate::item::tests::sample_item;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid timestamp")
}

fn submission() -> Submission {
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: "兰州某某有限公司".into(),
            id_number: "91620100MA7XXXXX1A".into(),
            phone: None,
        },
        channel: Channel::Window,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "fgw.clerk".into(),
        priority: false,
        submitter: None,
    }
}

fn number() -> CaseNumber {
    CaseNumber::parse("620100-2024-000001").expect("valid")
}

/// A case driven into `state` by allowed commands, starting Thursday 2024-02-08 10:00 CST.
fn case_in(state: CaseState) -> Case {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let (mut case, _) = Case::submit(number(), &item, 1, submission(), at("2024-02-08T02:00:00Z")).expect("submits");
    let path: &[CaseCommand] = match state {
        CaseState::Submitted => &[],
        CaseState::CorrectionRequested => {
            &[CaseCommand::RequestCorrection { missing: vec!["营业执照".into()], note: String::new() }]
        }
        CaseState::Rejected => &[CaseCommand::Reject { reason: "不属于本机关职权".into() }],
        CaseState::Accepted => &[CaseCommand::Accept],
        CaseState::InProcess => {
            &[CaseCommand::Accept, CaseCommand::CompleteStep { step: "审核".into(), note: String::new() }]
        }
        CaseState::Suspended => &[CaseCommand::Accept, CaseCommand::Suspend { reason: "专家评审".into() }],
        CaseState::Approved => &[CaseCommand::Accept, CaseCommand::Approve { note: String::new() }],
        CaseState::Denied => {
            &[CaseCommand::Accept, CaseCommand::Deny { reason: "不符合条件".into(), legal_basis: "第十条".into() }]
        }
        CaseState::Delivered => &[
            CaseCommand::Accept,
            CaseCommand::Approve { note: String::new() },
            CaseCommand::Deliver { method: DeliveryMethod::Window },
        ],
    };
    for cmd in path {
        let now = at("2024-02-08T03:00:00Z");
        for e in case
            .handle(cmd, &Context { now, calendar: &cal, item: &item, actor: "fgw.clerk" })
            .expect("allowed on the path")
        {
            case.apply(&e, now);
        }
    }
    assert_eq!(case.state, state);
    case
}

fn all_commands() -> Vec<CaseCommand> {
    vec![
        CaseCommand::Accept,
        CaseCommand::Reject { reason: "理由".into() },
        CaseCommand::RequestCorrection { missing: vec!["营业执照".into()], note: String::new() },
        CaseCommand::Resubmit { materials: vec!["营业执照".into()] },
        CaseCommand::CompleteStep { step: "审核".into(), note: String::new() },
        CaseCommand::Suspend { reason: "听证".into() },
        CaseCommand::Resume,
        CaseCommand::Approve { note: String::new() },
        CaseCommand::Deny { reason: "不符合条件".into(), legal_basis: "第十条".into() },
        CaseCommand::Deliver {
            method: DeliveryMethod::Mail { tracking_number: "EA123456789CN".into(), carrier: None },
        },
    ]
}

/// The allowed (state, command) → state moves; everything else is refused.
fn expected(state: CaseState, cmd: &str) -> Option<CaseState> {
    use CaseState as S;
    Some(match (state, cmd) {
        (S::Submitted, "accept") => S::Accepted,
        (S::Submitted | S::CorrectionRequested, "reject") => S::Rejected,
        (S::Submitted, "request_correction") => S::CorrectionRequested,
        (S::CorrectionRequested, "resubmit") => S::Submitted,
        (S::Accepted | S::InProcess, "complete_step") => S::InProcess,
        (S::Accepted | S::InProcess, "suspend") => S::Suspended,
        (S::Suspended, "resume") => S::InProcess,
        (S::Accepted | S::InProcess, "approve") => S::Approved,
        (S::Accepted | S::InProcess, "deny") => S::Denied,
        (S::Approved | S::Denied, "deliver") => S::Delivered,
        (s, "hand_over" | "reassign") if !s.is_final() => s,
        (S::Delivered, "rate") => S::Delivered,
        (S::Accepted | S::InProcess, "return") => S::Submitted,
        (S::Delivered, "reopen") => S::InProcess,
        _ => return None,
    })
}

#[test]
fn every_command_from_every_state_is_allowed_or_refused_as_specified() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let now = at("2024-02-08T05:00:00Z");
    for state in CaseState::ALL {
        let case = case_in(state);
        for cmd in all_commands() {
            let outcome = case.handle(&cmd, &Context { now, calendar: &cal, item: &item, actor: "fgw.clerk" });
            match (expected(state, cmd.name()), outcome) {
                (Some(to), Ok(events)) => {
                    let mut after = case.clone();
                    for e in &events {
                        after.apply(e, now);
                    }
                    assert_eq!(after.state, to, "{state} --{}-->", cmd.name());
                    assert_eq!(after.version, case.version + 1);
                }
                (None, Err(CaseError::IllegalTransition { from, command })) => {
                    assert_eq!((from, command), (state, cmd.name()));
                }
                (want, got) => panic!("{state} --{}--> expected {want:?}, got {got:?}", cmd.name()),
            }
        }
    }
}

#[test]
fn acceptance_sets_the_due_time_from_the_calendar() {
    // Accepted Thursday 8 Feb 2024 11:00; 10–17 Feb is Spring Festival, 18 Feb (Sunday) is
    // worked: 5 working days are 9, 18, 19, 20, 21 Feb → due 21 Feb 17:30.
    let case = case_in(CaseState::Accepted);
    assert_eq!(case.due_at, Some(at("2024-02-21T09:30:00Z")));
    assert_eq!(case.accepted_at, Some(at("2024-02-08T03:00:00Z")));
}

#[test]
fn a_suspension_moves_the_due_time_by_its_working_time() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let mut case = case_in(CaseState::Suspended);
    let due_before = case.due_at.expect("due");
    // Suspended Thu 8 Feb 11:00, resumed Fri 9 Feb 11:00: 1 working day of suspension
    // (8 Feb 11:00–17:30 and 9 Feb 09:00–11:00 = 6.5 + 2 - 1.5 lunch ... = 7 h).
    let now = at("2024-02-09T03:00:00Z");
    let events = case
        .handle(&CaseCommand::Resume, &Context { now, calendar: &cal, item: &item, actor: "fgw.clerk" })
        .expect("resumes");
    case.apply(&events[0], now);
    let due_after = case.due_at.expect("due");
    assert!(due_after > due_before);
    assert_eq!(cal.working_minutes_between(due_before, due_after).expect("in range"), 7 * 60);
    assert_eq!(case.suspensions, vec![OpenSuspension { from: at("2024-02-08T03:00:00Z"), until: Some(now) }]);
}

#[test]
fn submissions_are_checked_against_the_item() {
    let item = sample_item();
    let now = at("2024-02-08T02:00:00Z");
    let mut s = submission();
    s.materials.pop();
    assert!(
        matches!(Case::submit(number(), &item, 1, s, now), Err(CaseError::MissingMaterials(m)) if m == ["营业执照"])
    );
    let mut s = submission();
    s.materials.push("无关材料".into());
    assert!(matches!(Case::submit(number(), &item, 1, s, now), Err(CaseError::UnknownMaterials(_))));
    let mut s = submission();
    s.channel = Channel::Kiosk;
    assert!(matches!(Case::submit(number(), &item, 1, s, now), Err(CaseError::ChannelNotOffered { .. })));
    let mut s = submission();
    s.applicant.name = "  ".into();
    assert!(matches!(Case::submit(number(), &item, 1, s, now), Err(CaseError::BadText(CaseField::ApplicantName, _))));
    let mut s = submission();
    s.owner = String::new();
    assert!(matches!(Case::submit(number(), &item, 1, s, now), Err(CaseError::BadText(CaseField::Owner, _))));
}

#[test]
fn a_correction_must_hand_in_what_was_asked() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let case = case_in(CaseState::CorrectionRequested);
    let ctx = Context { now: at("2024-02-08T05:00:00Z"), calendar: &cal, item: &item, actor: "fgw.clerk" };
    let wrong = case.handle(&CaseCommand::Resubmit { materials: vec!["授权委托书".into()] }, &ctx);
    assert!(matches!(wrong, Err(CaseError::MissingMaterials(m)) if m == ["营业执照"]));
    assert_eq!(case.corrections, 1);
    assert!(case.accepted_at.is_none(), "the clock has not started");
    let empty = case_in(CaseState::Submitted)
        .handle(&CaseCommand::RequestCorrection { missing: vec![], note: String::new() }, &ctx);
    assert!(matches!(empty, Err(CaseError::BadText(..))));
}

#[test]
fn reasons_must_not_be_empty() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let ctx = Context { now: at("2024-02-08T05:00:00Z"), calendar: &cal, item: &item, actor: "fgw.clerk" };
    let r = case_in(CaseState::Submitted).handle(&CaseCommand::Reject { reason: " ".into() }, &ctx);
    assert!(matches!(r, Err(CaseError::BadText(CaseField::Reason, _))));
    let d = case_in(CaseState::InProcess)
        .handle(&CaseCommand::Deny { reason: "不符合".into(), legal_basis: String::new() }, &ctx);
    assert!(matches!(d, Err(CaseError::BadText(CaseField::LegalBasis, _))));
}

#[test]
fn accepting_outside_the_calendar_is_an_error_not_a_guess() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let case = case_in(CaseState::Submitted);
    let ctx = Context { now: at("2101-01-07T02:00:00Z"), calendar: &cal, item: &item, actor: "fgw.clerk" };
    assert!(matches!(case.handle(&CaseCommand::Accept, &ctx), Err(CaseError::Calendar(_))));
}

#[test]
fn a_case_replays_from_its_events() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let (mut case, first) =
        Case::submit(number(), &item, 1, submission(), at("2024-02-08T02:00:00Z")).expect("submits");
    let mut log = vec![(first, case.submitted_at)];
    for (cmd, t) in [
        (CaseCommand::Accept, "2024-02-08T02:30:00Z"),
        (CaseCommand::Suspend { reason: "公示".into() }, "2024-02-08T03:00:00Z"),
        (CaseCommand::Resume, "2024-02-19T02:00:00Z"),
        (CaseCommand::Approve { note: String::new() }, "2024-02-20T02:00:00Z"),
        (CaseCommand::Deliver { method: DeliveryMethod::Electronic }, "2024-02-20T03:00:00Z"),
    ] {
        let now = at(t);
        for e in case.handle(&cmd, &Context { now, calendar: &cal, item: &item, actor: "fgw.clerk" }).expect("allowed")
        {
            case.apply(&e, now);
            log.push((e, now));
        }
    }
    let replayed = Case::replay(number(), log.iter().map(|(e, t)| (e, *t))).expect("starts with submitted");
    assert_eq!(replayed, case);
    assert_eq!(replayed.state, CaseState::Delivered);
    let json = serde_json::to_string(&log[1].0).expect("serializes");
    assert_eq!(serde_json::from_str::<CaseEvent>(&json).expect("deserializes"), log[1].0);
}

#[test]
fn ownership_moves_only_when_the_receiver_takes_over() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let now = at("2024-02-08T05:00:00Z");
    let mut case = case_in(CaseState::Accepted);
    let ctx = |actor| Context { now, calendar: &cal, item: &item, actor };
    for e in case.handle(&CaseCommand::HandOver { to: "fgw.reviewer".into() }, &ctx("fgw.clerk")).expect("offered") {
        case.apply(&e, now);
    }
    assert_eq!(case.owner, "fgw.clerk", "still the first contact's until taken over");
    assert!(matches!(case.handle(&CaseCommand::TakeOver, &ctx("someone.else")), Err(CaseError::NotOfferedToYou)));
    for e in case.handle(&CaseCommand::TakeOver, &ctx("fgw.reviewer")).expect("taken") {
        case.apply(&e, now);
    }
    assert_eq!((case.owner.as_str(), case.pending_handover.as_ref()), ("fgw.reviewer", None));
    assert!(matches!(case.handle(&CaseCommand::TakeOver, &ctx("fgw.reviewer")), Err(CaseError::NotOfferedToYou)));
    assert!(matches!(
        case.handle(&CaseCommand::HandOver { to: "fgw.reviewer".into() }, &ctx("fgw.reviewer")),
        Err(CaseError::BadText(..))
    ));
}

#[test]
fn a_delivered_case_is_rated_once() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let now = at("2024-02-08T05:00:00Z");
    let mut case = case_in(CaseState::Delivered);
    let ctx = Context { now, calendar: &cal, item: &item, actor: "applicant" };
    assert!(matches!(
        case.handle(&CaseCommand::Rate { score: 6, comment: String::new() }, &ctx),
        Err(CaseError::BadRating)
    ));
    for e in case.handle(&CaseCommand::Rate { score: 2, comment: "等太久".into() }, &ctx).expect("rated") {
        case.apply(&e, now);
    }
    assert_eq!(case.rating, Some(2));
    assert!(matches!(
        case.handle(&CaseCommand::Rate { score: 5, comment: String::new() }, &ctx),
        Err(CaseError::BadRating)
    ));
}

#[test]
fn only_a_bad_rating_is_answered_once() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let now = at("2024-02-08T05:00:00Z");
    let ctx = Context { now, calendar: &cal, item: &item, actor: "fgw.head" };
    let mut good = case_in(CaseState::Delivered);
    for e in good.handle(&CaseCommand::Rate { score: 4, comment: String::new() }, &ctx).expect("rated") {
        good.apply(&e, now);
    }
    assert!(matches!(
        good.handle(&CaseCommand::AnswerRating { answer: "谢谢".into() }, &ctx),
        Err(CaseError::BadRating)
    ));
    let mut bad = case_in(CaseState::Delivered);
    for e in bad.handle(&CaseCommand::Rate { score: 1, comment: "态度差".into() }, &ctx).expect("rated") {
        bad.apply(&e, now);
    }
    assert_eq!(bad.rated_at, Some(now));
    for e in bad.handle(&CaseCommand::AnswerRating { answer: "已核实并整改".into() }, &ctx).expect("answered") {
        bad.apply(&e, now);
    }
    assert_eq!(bad.rating_answered_at, Some(now));
    assert!(matches!(
        bad.handle(&CaseCommand::AnswerRating { answer: "再答".into() }, &ctx),
        Err(CaseError::BadRating)
    ));
}

#[test]
fn a_returned_case_restarts_its_clock_and_a_reopened_one_is_due_again() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let now = at("2024-02-08T05:00:00Z");
    let ctx = Context { now, calendar: &cal, item: &item, actor: "fgw.reviewer" };
    let mut case = case_in(CaseState::InProcess);
    for e in case.handle(&CaseCommand::Return { reason: "需实地核查".into() }, &ctx).expect("returned") {
        case.apply(&e, now);
    }
    assert_eq!((case.state, case.returns, case.due_at, case.accepted_at), (CaseState::Submitted, 1, None, None));
    let mut done = case_in(CaseState::Delivered);
    for e in done.handle(&CaseCommand::Reopen { reason: "复议撤销原决定".into() }, &ctx).expect("reopened") {
        done.apply(&e, now);
    }
    assert_eq!((done.state, done.reopens, done.closed_at, done.decided_at), (CaseState::InProcess, 1, None, None));
    // Reopened Thu 8 Feb 13:00 with 5 working days: 9, 18, 19, 20, 21 Feb → 21 Feb 17:30.
    assert_eq!(done.due_at, Some(at("2024-02-21T09:30:00Z")));
}

#[test]
fn a_priority_submission_makes_a_priority_case_and_older_records_read_as_ordinary() {
    let item = sample_item();
    let now = at("2024-02-08T02:00:00Z");
    let green = Submission { priority: true, ..submission() };
    let (case, event) = Case::submit(number(), &item, 1, green, now).expect("submits");
    assert!(case.priority);
    let replayed = Case::replay(number(), [(&event, now)]).expect("replays");
    assert!(replayed.priority, "the priority is folded from the submission");

    // Events and snapshots written before the field existed have no `priority`.
    let mut old_event = serde_json::to_value(&event).expect("serializes");
    if let Some(s) = old_event["submission"].as_object_mut() {
        s.remove("priority");
    }
    let old_event: CaseEvent = serde_json::from_value(old_event).expect("an old event reads");
    let CaseEvent::Submitted { submission, .. } = &old_event else { panic!("a submission") };
    assert!(!submission.priority);
    let mut old_case = serde_json::to_value(&case).expect("serializes");
    if let Some(c) = old_case.as_object_mut() {
        c.remove("priority");
    }
    let old_case: Case = serde_json::from_value(old_case).expect("an old snapshot reads");
    assert!(!old_case.priority);
}

#[test]
fn a_submission_request_names_every_wrong_field() {
    let bad = SubmissionRequest {
        item: String::new(),
        applicant_kind: "company".into(),
        channel: "fax".into(),
        ..SubmissionRequest::default()
    };
    let fields: Vec<String> = bad.parse().expect_err("invalid").into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["item", "channel", "applicant.kind"]);
    let good = SubmissionRequest {
        item: "620100-FGW-001".into(),
        applicant_kind: "enterprise".into(),
        name: "兰州某某有限公司".into(),
        id_number: "91350100M000100Y43".into(),
        channel: "online".into(),
        materials: vec!["营业执照".into()],
        ..SubmissionRequest::default()
    };
    let (item, submission) = good.parse().expect("valid");
    assert_eq!((item.as_str(), submission.owner.as_str()), ("620100-FGW-001", "hall.online"));
}

#[test]
fn a_withdrawn_offer_cannot_be_taken_over_and_is_recorded_with_who_offered() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let now = at("2024-02-08T05:00:00Z");
    let mut case = case_in(CaseState::Accepted);
    let ctx = |actor| Context { now, calendar: &cal, item: &item, actor };
    assert!(matches!(
        case.handle(&CaseCommand::WithdrawHandOver, &ctx("fgw.clerk")),
        Err(CaseError::IllegalTransition { .. })
    ));
    assert!(!case.takes(CaseCommandKind::WithdrawHandOver, "fgw.clerk"), "nothing to withdraw");
    for e in case.handle(&CaseCommand::HandOver { to: "zjj.clerk".into() }, &ctx("fgw.chief")).expect("offered") {
        case.apply(&e, now);
    }
    assert_eq!(case.pending_handover_by.as_deref(), Some("fgw.chief"));
    assert!(case.takes(CaseCommandKind::WithdrawHandOver, "fgw.chief"));
    let events = case.handle(&CaseCommand::WithdrawHandOver, &ctx("fgw.chief")).expect("withdrawn");
    assert_eq!(events, [CaseEvent::HandOverWithdrawn { to: "zjj.clerk".into() }]);
    for e in &events {
        case.apply(e, now);
    }
    assert_eq!((case.pending_handover.as_ref(), case.pending_handover_by.as_ref()), (None, None));
    assert!(matches!(case.handle(&CaseCommand::TakeOver, &ctx("zjj.clerk")), Err(CaseError::NotOfferedToYou)));
    // An offer recorded before `by` existed was the owner's.
    let old: CaseEvent = serde_json::from_str(r#"{"type":"hand_over_offered","from":"a","to":"b"}"#).expect("reads");
    case.apply(&old, now);
    assert_eq!(case.pending_handover_by.as_deref(), Some("a"));
}

#[test]
fn only_the_owner_a_chief_or_head_of_their_department_or_a_supervisor_hands_over() {
    use crate::identity::Role;
    use crate::org::{DepartmentCode, Position};
    let fgw = DepartmentCode::parse("fgw").expect("code");
    let zjj = DepartmentCode::parse("zjj").expect("code");
    let mut case = case_in(CaseState::Accepted);
    case.owner = "fgw.clerk".into();
    let actor = |login, role, department, position| HandOverActor { login, role, department, position };
    let may = |a: HandOverActor<'_>, owner_dept| check_hand_over_by(&case, &a, owner_dept, &fgw).is_ok();
    let owned = Some(&fgw);
    assert!(may(actor("fgw.clerk", Role::WindowClerk, Some(&fgw), None), owned), "the owner");
    assert!(!may(actor("fgw.clerk2", Role::WindowClerk, Some(&fgw), Some(Position::Staff)), owned), "a colleague");
    assert!(!may(actor("fgw.reviewer", Role::Reviewer, Some(&fgw), None), owned), "a colleague");
    assert!(may(actor("fgw.chief", Role::Reviewer, Some(&fgw), Some(Position::Chief)), owned), "the chief");
    assert!(may(actor("fgw.head", Role::DepartmentHead, Some(&fgw), None), owned), "the head");
    assert!(!may(actor("zjj.chief", Role::Reviewer, Some(&zjj), Some(Position::Chief)), owned), "another's chief");
    assert!(may(actor("sup", Role::Supervisor, None, None), owned), "a supervisor");
    // A hall channel's case is nobody's yet: the item's department are its first contacts.
    assert!(may(actor("fgw.clerk2", Role::WindowClerk, Some(&fgw), None), None));
    assert!(!may(actor("zjj.clerk", Role::WindowClerk, Some(&zjj), None), None));
    // Withdrawing: who offered, the owner, a supervisor.
    case.pending_handover = Some("zjj.clerk".into());
    case.pending_handover_by = Some("fgw.chief".into());
    let withdraws = |a: HandOverActor<'_>| check_withdraw_by(&case, &a).is_ok();
    assert!(withdraws(actor("fgw.chief", Role::Reviewer, Some(&fgw), Some(Position::Chief))));
    assert!(withdraws(actor("fgw.clerk", Role::WindowClerk, Some(&fgw), None)));
    assert!(withdraws(actor("sup", Role::Supervisor, None, None)));
    assert!(!withdraws(actor("zjj.clerk", Role::WindowClerk, Some(&zjj), None)), "the receiver");
    assert!(!withdraws(actor("fgw.clerk2", Role::WindowClerk, Some(&fgw), None)), "a colleague");
}

#[test]
fn a_case_is_offered_only_to_enabled_staff_of_some_department() {
    use crate::identity::Role;
    use crate::org::DepartmentCode;
    let zjj = DepartmentCode::parse("zjj").expect("code");
    let staff = |role, department, disabled| Some(OwnerCandidate { role, department, disabled });
    assert!(check_receiver("zjj.clerk", staff(Role::WindowClerk, Some(&zjj), false)).is_ok(), "another department");
    for (who, c) in [
        ("nobody", None),
        ("off", staff(Role::WindowClerk, Some(&zjj), true)),
        ("applicant", staff(Role::Applicant, None, false)),
        ("leader", staff(Role::CenterLeader, None, false)),
        ("loose", staff(Role::Reviewer, None, false)),
    ] {
        assert!(matches!(check_receiver(who, c), Err(CaseError::NotAnOwner { .. })), "{who}");
    }
}

#[test]
fn a_delivery_records_its_method_and_refuses_free_text_or_a_bad_tracking_number() {
    let item = sample_item();
    let cal = WorkingCalendar::builtin();
    let case = case_in(CaseState::Approved);
    let ctx = Context { now: at("2024-02-09T03:00:00Z"), calendar: &cal, item: &item, actor: "fgw.clerk" };
    let deliver = |method| case.handle(&CaseCommand::Deliver { method }, &ctx);
    let legacy = deliver(DeliveryMethod::Legacy("窗口领取".into()));
    assert!(matches!(legacy, Err(CaseError::Delivery(DeliveryError::UnknownMethod(_)))), "{legacy:?}");
    let bad = DeliveryMethod::Mail { tracking_number: "SF 12".into(), carrier: None };
    assert!(matches!(deliver(bad), Err(CaseError::Delivery(e)) if e.field() == "tracking_number"));
    let mail = DeliveryMethod::Mail { tracking_number: "SF1234567890".into(), carrier: Some("顺丰".into()) };
    let events = deliver(mail.clone()).expect("a well-formed mail delivery is recorded");
    assert_eq!(events, vec![CaseEvent::Delivered { method: mail }]);
}
