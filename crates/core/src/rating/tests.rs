use proptest::prelude::*;

use super::rectification::{Stage, Step, advance, is_overdue};
use super::satisfaction::{Tally, tally};
use super::*;

fn t(s: &str) -> jiff::Timestamp {
    s.parse().expect("a timestamp")
}

#[test]
fn five_levels_from_scores_and_which_are_bad_or_satisfied() {
    assert_eq!(Level::from_score(0), Err(RatingError::Score(0)));
    assert_eq!(Level::from_score(6), Err(RatingError::Score(6)));
    let levels: Vec<Level> = (1..=5).map(|s| Level::from_score(s).expect("1-5")).collect();
    assert_eq!(levels, Level::ALL);
    assert_eq!(levels.iter().filter(|l| l.is_bad()).count(), 2);
    assert_eq!(levels.iter().filter(|l| l.is_satisfied()).count(), 3);
    assert_eq!(Level::FairlySatisfied.zh(), "基本满意");
}

#[test]
fn channels_parse_by_name_and_old_ratings_take_the_case_channel() {
    for c in RatingChannel::ALL {
        assert_eq!(RatingChannel::parse(c.as_str()), Ok(c));
    }
    assert!(RatingChannel::parse("fax").is_err());
    assert_eq!(RatingChannel::of_case(Channel::Window), RatingChannel::WindowDevice);
    assert_eq!(RatingChannel::of_case(Channel::Mail), RatingChannel::Sms);
}

#[test]
fn a_case_is_rated_once_per_channel_inside_its_window() {
    let cal = WorkingCalendar::builtin();
    // Delivered Thursday 2025-03-06: 10 working days run to Thursday 20 March.
    let delivered = t("2025-03-06T10:00:00+08:00");
    let inside = t("2025-03-20T17:00:00+08:00");
    let after = t("2025-03-21T09:00:00+08:00");
    let ok = check_rating(&cal, Some(delivered), DEFAULT_RATING_DAYS, RatingChannel::Online, &[], inside);
    assert_eq!(ok, Ok(()));
    let closed = rating_closes(&cal, delivered, DEFAULT_RATING_DAYS).expect("covered");
    assert!(closed < after && closed >= inside);
    assert!(matches!(
        check_rating(&cal, Some(delivered), DEFAULT_RATING_DAYS, RatingChannel::Online, &[], after),
        Err(RatingError::WindowClosed { days: 10, .. })
    ));
    assert_eq!(
        check_rating(&cal, Some(delivered), 10, RatingChannel::Sms, &[RatingChannel::Sms], inside),
        Err(RatingError::AlreadyRated("sms"))
    );
    assert_eq!(check_rating(&cal, Some(delivered), 10, RatingChannel::App, &[RatingChannel::Sms], inside), Ok(()));
    assert_eq!(check_rating(&cal, None, 10, RatingChannel::App, &[], inside), Err(RatingError::NotDelivered));
}

#[test]
fn a_rectification_goes_verify_rectify_feed_back_then_the_rater_answers() {
    let verified = advance(Stage::Opened, Step::Verify, "checked the queue log").expect("verify");
    let rectified = advance(verified, Step::Rectify, "a second clerk at peak hours").expect("rectify");
    let fed_back = advance(rectified, Step::FeedBack, "we called the applicant").expect("feed back");
    assert_eq!(advance(fed_back, Step::Accept, ""), Ok(Stage::Accepted));
    assert_eq!(advance(fed_back, Step::Rerate, ""), Ok(Stage::Rerated));
    assert!(advance(Stage::Opened, Step::Verify, "  ").is_err(), "a verification says what was found");
}

#[test]
fn no_step_is_skipped_or_taken_after_closing() {
    for stage in Stage::ALL {
        for step in Step::ALL {
            let allowed = matches!(
                (stage, step),
                (Stage::Opened, Step::Verify)
                    | (Stage::Verified, Step::Rectify)
                    | (Stage::Rectified, Step::FeedBack)
                    | (Stage::FedBack, Step::Accept | Step::Rerate)
            );
            assert_eq!(advance(stage, step, "text").is_ok(), allowed, "{stage:?} {step:?}");
        }
    }
}

#[test]
fn a_rectification_is_overdue_only_while_the_department_owes_feedback() {
    let cal = WorkingCalendar::builtin();
    let opened = t("2025-03-06T10:00:00+08:00");
    let due = rectification::due(&cal, opened, rectification::DEFAULT_RECTIFICATION_DAYS).expect("covered");
    assert_eq!(due, t("2025-03-13T17:30:00+08:00"));
    let later = t("2025-03-14T09:00:00+08:00");
    assert!(is_overdue(Stage::Opened, due, later));
    assert!(is_overdue(Stage::Rectified, due, later));
    assert!(!is_overdue(Stage::FedBack, due, later));
    assert!(!is_overdue(Stage::Verified, due, due));
}

#[test]
fn an_appeal_is_lodged_once_and_reviewed_once() {
    use super::appeal::{AppealError, Verdict, check_appeal, check_review, counts};
    assert_eq!(check_appeal(0, "the rater rated the wrong case"), Ok(()));
    assert_eq!(check_appeal(1, "again"), Err(AppealError::AlreadyAppealed));
    assert_eq!(check_appeal(0, ""), Err(AppealError::Text("reasons")));
    assert_eq!(check_review(Verdict::Pending, Verdict::Upheld, "queue video shows it"), Ok(()));
    assert_eq!(check_review(Verdict::Upheld, Verdict::Rejected, "x"), Err(AppealError::NotPending));
    assert_eq!(check_review(Verdict::Pending, Verdict::Pending, "x"), Err(AppealError::NotPending));
    assert!(counts(None) && counts(Some(Verdict::Rejected)) && counts(Some(Verdict::Pending)));
    assert!(!counts(Some(Verdict::Upheld)));
}

proptest! {
    #[test]
    fn tallies_match_a_direct_count(ratings in proptest::collection::vec((0u8..4, 1u8..=5), 0..200)) {
        let levels = ratings.iter().map(|&(k, s)| (k, Level::from_score(s).expect("1-5")));
        let got = tally(levels);
        for key in 0u8..4 {
            let mine: Vec<u8> = ratings.iter().filter(|r| r.0 == key).map(|r| r.1).collect();
            let want = Tally {
                rated: mine.len() as u64,
                satisfied: mine.iter().filter(|&&s| s >= 3).count() as u64,
                score_sum: mine.iter().map(|&s| u64::from(s)).sum(),
            };
            prop_assert_eq!(got.get(&key).copied().unwrap_or_default(), want);
        }
    }
}
