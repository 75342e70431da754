//! 好差评 through the use cases, on SQLite and PostgreSQL: one rating per case per channel
//! inside the rating window, the rectification a bad rating opens (and its overdue alert and
//! accountability, raised once), appeals that take a rating out of the figures, and the
//! satisfaction figures against a direct count.

use std::sync::{Arc, Mutex};

use tongban_app::ratings::{self, By};
use tongban_app::{Account, App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, CaseCommand, CaseNumber, DeliveryMethod, Submission};
use tongban_core::identity::Role;
use tongban_core::item::Channel;
use tongban_core::org::DepartmentCode;
use tongban_core::rating::RatingChannel;
use tongban_core::rating::appeal::Verdict;
use tongban_core::rating::rectification::Step;
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const CREDIT_CODE: &str = "91350100M000100Y43";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("time")
}

fn account(login: &str, role: Role, department: Option<&str>) -> Account {
    let applicant = role == Role::Applicant;
    Account {
        id: login.into(),
        kind: if applicant { "applicant" } else { "staff" }.into(),
        display_name: login.into(),
        role,
        department: department.map(|d| DepartmentCode::parse(d).expect("code")),
        window: None,
        position: None,
        applicant_kind: applicant.then(|| "enterprise".into()),
        id_number: applicant.then(|| CREDIT_CODE.into()),
        phone: None,
        password_hash: String::new(),
        disabled: false,
        verified: None,
    }
}

fn principal(a: &Account) -> Principal {
    Principal { account: Some(a.clone()), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

struct Center {
    app: App,
    clock: Arc<Mutex<jiff::Timestamp>>,
    head: Principal,
    clerk: Principal,
    applicant: Principal,
    supervisor: Principal,
}

impl Center {
    fn set(&self, t: &str) {
        *self.clock.lock().expect("clock") = ts(t);
    }
}

async fn center(t: &TestStore) -> Center {
    seed_minimal(&t.store).await;
    let accounts = [
        account("head", Role::DepartmentHead, Some("fgw")),
        account("clerk", Role::WindowClerk, Some("fgw")),
        account("applicant", Role::Applicant, None),
        account("supervisor", Role::Supervisor, None),
    ];
    let now = ts("2026-01-05T00:00:00Z");
    let stored = accounts.clone();
    t.store
        .write(move |c| {
            Box::pin(async move {
                for a in &stored {
                    tongban_store::insert_account(c, a, now).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("accounts");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    // Mon 2 Mar 2026 10:00 CST.
    let clock = Arc::new(Mutex::new(ts("2026-03-02T02:00:00Z")));
    let c = clock.clone();
    app.clock = Arc::new(move || *c.lock().expect("clock"));
    let [head, clerk, applicant, supervisor] = accounts.map(|a| principal(&a));
    Center { app, clock, head, clerk, applicant, supervisor }
}

/// A case submitted online, received by the clerk, decided and delivered now.
async fn delivered(c: &Center) -> CaseNumber {
    let submission = Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: "兰州某某有限公司".into(),
            id_number: CREDIT_CODE.into(),
            phone: None,
        },
        channel: Channel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "clerk".into(),
        priority: false,
        submitter: None,
    };
    let item = tongban_core::item::ItemCode::parse("620100-FGW-001").expect("code");
    let case = tongban_app::submit_case(&c.app, &c.applicant, &item, submission).await.expect("submitted");
    for command in [
        CaseCommand::Accept,
        CaseCommand::Approve { note: "同意".into() },
        CaseCommand::Deliver { method: DeliveryMethod::Window },
    ] {
        tongban_app::act_on_case(&c.app, &c.head, &case.number, command, None).await.expect("the head decides");
    }
    case.number
}

#[tokio::test]
async fn a_case_is_rated_once_per_channel_inside_its_rating_window() {
    for t in each_backend().await {
        let c = center(&t).await;
        let number = delivered(&c).await;
        let online =
            ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, 5, "快").await.expect("online");
        assert_eq!(online.attribution.department, "fgw", "{}", t.name);
        let again = ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, 4, "").await;
        assert!(matches!(again, Err(AppError::Rating(tongban_core::rating::RatingError::AlreadyRated("online")))));
        ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Sms, 4, "").await.expect("sms");
        ratings::rate(&c.app, &c.clerk, &number, RatingChannel::WindowDevice, 5, "").await.expect("window device");
        let clerk_online = ratings::rate(&c.app, &c.clerk, &number, RatingChannel::App, 5, "").await;
        assert!(matches!(clerk_online, Err(AppError::Forbidden(_))), "a clerk records only the window device");
        // Ten working days from Mon 2 Mar run to Mon 16 Mar; Tue 17 Mar is too late.
        c.set("2026-03-16T09:00:00Z");
        ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Kiosk, 3, "").await.expect("last day");
        c.set("2026-03-17T02:00:00Z");
        let late = ratings::rate(&c.app, &c.applicant, &number, RatingChannel::App, 5, "").await;
        assert!(
            matches!(late, Err(AppError::Rating(tongban_core::rating::RatingError::WindowClosed { .. }))),
            "{late:?}"
        );
        let (_, events) = tongban_app::case_with_events(&c.app, &c.head, &number).await.expect("history");
        let rated = events.iter().filter(|e| e.event.kind() == "rated").count();
        assert_eq!(rated, 4, "{}: one Rated event per rating", t.name);
        assert_eq!(t.store.ratings_of_case(number.as_str()).await.expect("ratings").len(), 4);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_rating_is_rectified_fed_back_and_accepted_or_rated_again() {
    for t in each_backend().await {
        let c = center(&t).await;
        let number = delivered(&c).await;
        let bad = ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, 1, "等太久").await.expect("bad");
        let open = t.store.rectifications_of_case(number.as_str()).await.expect("read");
        assert_eq!(open.len(), 1, "{}", t.name);
        let id = open[0].rectification_id;
        assert_eq!(open[0].due_at, Some(ts("2026-03-09T09:30:00Z")), "five working days: Mon 9 Mar 17:30 CST");
        let early = ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, 5, "").await;
        assert!(early.is_err(), "no re-rating before the feedback");
        let skipped = ratings::rectify(&c.app, &c.head, id, Step::FeedBack, "已处理").await;
        assert!(matches!(skipped, Err(AppError::Rectification(_))), "{skipped:?}");
        let by_rater = ratings::rectify(&c.app, &c.applicant, id, Step::Verify, "x").await;
        assert!(matches!(by_rater, Err(AppError::Forbidden(_))), "{by_rater:?}");
        ratings::rectify(&c.app, &c.head, id, Step::Verify, "高峰时段窗口不足").await.expect("verify");
        ratings::rectify(&c.app, &c.head, id, Step::Rectify, "增开一个窗口").await.expect("rectify");
        let fed = ratings::rectify(&c.app, &c.clerk, id, Step::FeedBack, "已电话告知").await.expect("feed back");
        assert_eq!(fed.stage, "fed_back");
        let case = tongban_app::visible_case(&c.app, &c.head, &number).await.expect("case");
        assert!(case.rating_answered_at.is_some(), "the feedback answers the bad rating in the case's history");
        // The rater rates again through the same channel: the rating's score changes.
        let again =
            ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, 4, "改进了").await.expect("re-rate");
        assert_eq!((again.rating_id, again.score), (bad.rating_id, 4), "{}", t.name);
        let closed = t.store.rectification_by_id(id).await.expect("read").expect("there");
        assert_eq!(closed.stage, "rerated");
        // A second bad rating through another channel opens another, accepted this time.
        ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Sms, 2, "").await.expect("bad sms");
        let second = t.store.rectifications_of_case(number.as_str()).await.expect("read")[1].rectification_id;
        for (step, text) in [(Step::Verify, "核实"), (Step::Rectify, "整改"), (Step::FeedBack, "反馈")] {
            ratings::rectify(&c.app, &c.head, second, step, text).await.expect("step");
        }
        let not_rater = ratings::rectify(&c.app, &c.head, second, Step::Accept, "").await;
        assert!(matches!(not_rater, Err(AppError::Forbidden(_))));
        let accepted = ratings::rectify(&c.app, &c.applicant, second, Step::Accept, "").await.expect("accept");
        assert_eq!(accepted.stage, "accepted");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_overdue_rectification_alerts_and_opens_accountability_exactly_once() {
    for t in each_backend().await {
        let c = center(&t).await;
        let number = delivered(&c).await;
        ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, 2, "").await.expect("bad");
        assert_eq!(ratings::watch_rectifications(&c.app, c.app.now()).await.expect("watch"), 0, "not due yet");
        // Due Mon 9 Mar 17:30 CST; Tue 10 Mar it is overdue.
        c.set("2026-03-10T02:00:00Z");
        assert_eq!(ratings::watch_rectifications(&c.app, c.app.now()).await.expect("watch"), 1, "{}", t.name);
        assert_eq!(ratings::watch_rectifications(&c.app, c.app.now()).await.expect("watch"), 0, "{}: once", t.name);
        let alerts: Vec<_> =
            t.store.alerts(100).await.expect("alerts").into_iter().filter(|a| a.kind.as_str() == "rating").collect();
        assert_eq!(alerts.len(), 1, "{}", t.name);
        assert_eq!(alerts[0].case_number, number.as_str());
        let records: Vec<_> = t
            .store
            .accountability()
            .await
            .expect("records")
            .into_iter()
            .filter(|a| a.kind.as_str() == "rating")
            .collect();
        assert_eq!(records.len(), 1, "{}", t.name);
        assert_eq!(records[0].department, "fgw");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_upheld_appeal_takes_a_rating_out_of_the_figures_and_a_rejected_one_leaves_it() {
    for t in each_backend().await {
        let c = center(&t).await;
        let (from, to) = (ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"));
        let mut ids = Vec::new();
        for score in [1, 5, 2] {
            let number = delivered(&c).await;
            ids.push(
                ratings::rate(&c.app, &c.applicant, &number, RatingChannel::Online, score, "")
                    .await
                    .expect("rated")
                    .rating_id,
            );
        }
        let before = ratings::satisfaction(&c.app, Some(&c.head), from, to, By::Department).await.expect("figures");
        assert_eq!((before[0].rated, before[0].satisfied), (3, 1), "{}", t.name);
        let refused = ratings::appeal_rating(&c.app, &c.clerk, ids[0], "恶意差评").await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "a clerk does not appeal");
        let upheld = ratings::appeal_rating(&c.app, &c.head, ids[0], "评价人误评了他人的件").await.expect("appeal");
        let rejected = ratings::appeal_rating(&c.app, &c.head, ids[2], "不服").await.expect("appeal");
        let twice = ratings::appeal_rating(&c.app, &c.head, ids[2], "再诉").await;
        assert!(matches!(twice, Err(AppError::Appeal(_)) | Err(AppError::Conflict(_))), "{twice:?}");
        let by_head = ratings::review_appeal(&c.app, &c.head, upheld.appeal_id, Verdict::Upheld, "x").await;
        assert!(matches!(by_head, Err(AppError::Forbidden(_))), "a supervisor reviews");
        ratings::review_appeal(&c.app, &c.supervisor, upheld.appeal_id, Verdict::Upheld, "录像显示非本人")
            .await
            .expect("review");
        ratings::review_appeal(&c.app, &c.supervisor, rejected.appeal_id, Verdict::Rejected, "证据不足")
            .await
            .expect("review");
        let after = ratings::satisfaction(&c.app, Some(&c.head), from, to, By::Department).await.expect("figures");
        assert_eq!((after[0].rated, after[0].satisfied), (2, 1), "{}", t.name);
        assert!((after[0].average - 3.5).abs() < 1e-9);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn satisfaction_matches_a_direct_count_of_random_ratings() {
    for t in each_backend().await {
        let c = center(&t).await;
        // A fixed pseudo-random sequence (xorshift): the same draw on both backends.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut given: Vec<u8> = Vec::new();
        for _ in 0..6 {
            let number = delivered(&c).await;
            for channel in RatingChannel::ALL {
                if next() % 3 == 0 || channel == RatingChannel::WindowDevice {
                    continue;
                }
                let score = u8::try_from(next() % 5 + 1).expect("1-5");
                ratings::rate(&c.app, &c.applicant, &number, channel, score, "").await.expect("rated");
                given.push(score);
            }
        }
        let (from, to) = (ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"));
        for by in [By::Department, By::Staff, By::Item] {
            let rows = ratings::satisfaction(&c.app, None, from, to, by).await.expect("figures");
            assert_eq!(rows.len(), 1, "{}: {by:?}", t.name);
            let r = &rows[0];
            let satisfied = given.iter().filter(|&&s| s >= 3).count() as u64;
            let sum: u64 = given.iter().map(|&s| u64::from(s)).sum();
            assert_eq!((r.rated, r.satisfied), (given.len() as u64, satisfied), "{}: {by:?}", t.name);
            assert_eq!(r.rate, satisfied as f64 / given.len() as f64);
            assert_eq!(r.average, sum as f64 / given.len() as f64);
        }
        assert_eq!(
            ratings::satisfaction(&c.app, None, from, to, By::Staff).await.expect("figures")[0].key,
            "clerk",
            "the clerk it was handed to at submission"
        );
        t.cleanup().await;
    }
}
