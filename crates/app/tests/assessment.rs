//! Window assessment (窗口考核评议) on SQLite and PostgreSQL: every part of a window's,
//! a person's, a department's and a site's month computed from stored facts — delivered
//! cases, ratings, the attendance ledger (seat, marks, import), survey answers, imported
//! third-party scores and accountability records — and who may see what; imports refuse a
//! bad file by line and column and write nothing.

use std::sync::{Arc, Mutex};

use tongban_app::assessment::ledger::{self, Answer};
use tongban_app::assessment::{AssessmentRow, assessment};
use tongban_app::bulk::{CaseHistory, HistoryStep};
use tongban_app::tables::Upload;
use tongban_app::{Account, App, AppError, Principal, Via};
use tongban_core::assessment::{AttendanceMark, Components, Grouping, Period, Score, Weights, total};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{
    Applicant, ApplicantKind, Case, CaseCommand, CaseNumber, Context, DeliveryMethod, Submission,
};
use tongban_core::division::DivisionCode;
use tongban_core::identity::Role;
use tongban_core::item::{Channel, ServiceItem};
use tongban_core::org::import::Record;
use tongban_core::org::{DepartmentCode, Site, SiteCode, Window, WindowCode};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

fn account(login: &str, role: Role, department: Option<&str>, window: Option<&str>) -> Account {
    Account {
        id: login.into(),
        kind: "staff".into(),
        display_name: login.into(),
        role,
        department: department.map(|d| DepartmentCode::parse(d).expect("code")),
        window: window.map(str::to_owned),
        position: None,
        applicant_kind: None,
        id_number: None,
        phone: None,
        password_hash: String::new(),
        disabled: false,
        verified: None,
    }
}

fn principal(a: &Account) -> Principal {
    Principal { account: Some(a.clone()), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

fn public() -> Principal {
    Principal { account: None, via: Via::Anonymous, client: None, session_hash: None, session_csrf: None }
}

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("time")
}

fn accounts() -> Vec<Account> {
    vec![
        account("clerk", Role::WindowClerk, Some("fgw"), Some("W01")),
        account("clerk2", Role::WindowClerk, Some("fgw"), None),
        account("head", Role::DepartmentHead, Some("fgw"), None),
        account("admin", Role::Administrator, None, None),
        account("supervisor", Role::Supervisor, None, None),
    ]
}

/// The minimal center with a site S1, its window W01 of fgw, and the accounts; the clock is
/// settable.
async fn center(t: &TestStore) -> (App, ServiceItem, Arc<Mutex<jiff::Timestamp>>) {
    let item = seed_minimal(&t.store).await;
    let accounts = accounts();
    let now = ts("2026-01-05T00:00:00Z");
    t.store
        .write(move |c| {
            Box::pin(async move {
                let site = Site {
                    code: SiteCode::parse("S1").expect("code"),
                    name: "兰州市政务服务中心".into(),
                    division: DivisionCode::parse("620100").expect("code"),
                    address: String::new(),
                    hours: String::new(),
                    phone: String::new(),
                };
                tongban_store::put_record(c, &Record::Site(site), now).await?;
                let window = Window {
                    code: WindowCode::parse("W01").expect("code"),
                    name: "发改委窗口".into(),
                    department: Some(DepartmentCode::parse("fgw").expect("code")),
                    site: Some(SiteCode::parse("S1").expect("code")),
                };
                tongban_store::insert_window(c, &window).await?;
                for a in &accounts {
                    tongban_store::insert_account(c, a, now).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("center");
    let clock = Arc::new(Mutex::new(ts("2026-02-03T00:50:00Z")));
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    let c = clock.clone();
    app.clock = Arc::new(move || *c.lock().expect("clock"));
    (app, item, clock)
}

fn submission() -> Submission {
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: "兰州某某有限公司".into(),
            id_number: "91350100M000100Y43".into(),
            phone: None,
        },
        channel: Channel::Window,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "clerk".into(),
        priority: false,
        submitter: None,
    }
}

/// A case received by `clerk` on Monday 2 February 2026 and delivered `days` later.
fn delivered(item: &ServiceItem, days: i64) -> CaseHistory {
    let calendar = WorkingCalendar::builtin();
    let mut at = ts("2026-02-02T01:00:00Z");
    let placeholder = CaseNumber::new(&item.division, 2026, 0);
    let (mut case, first): (Case, _) = Case::submit(placeholder, item, 1, submission(), at).expect("submitted");
    let mut steps = vec![HistoryStep { event: first, at, actor: "clerk".into() }];
    let commands = [
        (0, CaseCommand::Accept),
        (days, CaseCommand::Approve { note: "同意".into() }),
        (0, CaseCommand::Deliver { method: DeliveryMethod::Window }),
    ];
    for (gap, command) in commands {
        at = at.checked_add(jiff::SignedDuration::from_hours(1 + 24 * gap)).expect("time");
        let ctx = Context { now: at, calendar: &calendar, item, actor: "clerk" };
        for event in case.handle(&command, &ctx).expect("allowed") {
            case.apply(&event, at);
            steps.push(HistoryStep { event, at, actor: "clerk".into() });
        }
    }
    CaseHistory { division: item.division.clone(), steps }
}

fn row<'a>(rows: &'a [AssessmentRow], code: &str) -> &'a AssessmentRow {
    rows.iter().find(|r| r.code == code).unwrap_or_else(|| panic!("no row {code}"))
}

fn s(hundredths: u32) -> Option<Score> {
    Some(Score::from_hundredths(hundredths))
}

#[tokio::test]
async fn every_part_is_computed_from_stored_facts() {
    for t in each_backend().await {
        let (app, item, clock) = center(&t).await;
        let people: Vec<Principal> = accounts().iter().map(principal).collect();
        let [clerk, _clerk2, head, admin, supervisor] = <[Principal; 5]>::try_from(people).expect("five");
        let feb = Period::parse("2026-02").expect("period");
        // Two cases received by the clerk: one on time rated 5, one 25 days late rated 1 (at
        // the window device, each the day after its delivery).
        let histories = vec![delivered(&item, 0), delivered(&item, 25)];
        tongban_app::bulk::load_case_histories(&app, &Principal::console(), histories, 10).await.expect("loaded");
        let filter = tongban_store::CaseFilter { page: 1, per_page: 10, ..Default::default() };
        let mut cases = t.store.cases(&filter).await.expect("cases").items;
        cases.sort_by_key(|c| c.closed_at);
        for (case, score) in cases.iter().zip([5, 1]) {
            let closed = case.closed_at.expect("delivered");
            *clock.lock().expect("clock") = closed.checked_add(jiff::SignedDuration::from_hours(2)).expect("time");
            let channel = tongban_core::rating::RatingChannel::WindowDevice;
            tongban_app::ratings::rate(&app, &clerk, &case.number, channel, score, "").await.expect("rated");
        }
        *clock.lock().expect("clock") = ts("2026-02-03T00:50:00Z");

        // Attendance: in at 08:50 and out at 17:10 on the 3rd (present), marked late on the
        // 4th by the head, and absent on the 5th from an imported file.
        ledger::check(&app, &clerk, false).await.expect("in");
        *clock.lock().expect("clock") = ts("2026-02-03T09:10:00Z");
        let day = ledger::check(&app, &clerk, true).await.expect("out");
        assert_eq!((day.check_in.as_deref(), day.check_out.as_deref()), (Some("08:50"), Some("17:10")), "{}", t.name);
        ledger::mark(&app, &head, "clerk", "2026-02-04", Some(AttendanceMark::Late)).await.expect("marked");
        let file = "account,day,mark\nclerk,2026-02-05,旷工\n";
        let done = ledger::import_attendance(&app, &admin, &Upload::CSV, file.as_bytes(), false).await.expect("import");
        assert_eq!(done.rows, 1);

        // Survey: a service user grades W01 5, the head grades it 3.
        ledger::open_survey(&app, &admin, feb, "2026年2月民主评议").await.expect("survey");
        let answer =
            |grade| Answer { subject_kind: "window".into(), subject_code: "W01".into(), grade, comment: String::new() };
        ledger::answer_survey(&app, &public(), feb, answer(5)).await.expect("user");
        ledger::answer_survey(&app, &head, feb, answer(3)).await.expect("leader");
        let again = ledger::answer_survey(&app, &head, feb, answer(4)).await;
        assert!(matches!(again, Err(AppError::Conflict(_))), "{}: once per subject: {again:?}", t.name);

        // Third party 91.5 for W01; one accountability record against the clerk.
        let scores = "period,kind,code,score,source\n2026-02,window,W01,91.5,第三方机构\n";
        ledger::import_scores(&app, &admin, &Upload::CSV, scores.as_bytes(), false).await.expect("scores");
        t.store
            .write(move |c| {
                Box::pin(async move {
                    c.query(
                        "insert into accountability (case_number, since, department_code, owner, state, opened_at) \
                         select case_number, '2026-02-10T01:00:00.000000Z', 'fgw', 'clerk', 'open', \
                         '2026-02-10T01:00:00.000000Z' from service_case order by case_number limit 1",
                    )
                    .execute()
                    .await?;
                    Ok::<_, tongban_store::StoreError>(())
                })
            })
            .await
            .expect("accountability");

        let windows = assessment(&app, &supervisor, feb, Grouping::Window).await.expect("windows");
        let w = row(&windows.rows, "W01");
        let expected = Components {
            on_time: s(5000),
            satisfaction: s(5000),
            attendance: s(5000),
            // users 1.0 × 40 + leaders 0.5 × 30, over 70.
            evaluation: s(7857),
            third_party: s(9150),
            accountability: 1,
        };
        assert_eq!(w.components, expected, "{}", t.name);
        assert_eq!(w.total, total(&expected, &Weights::default()), "{}", t.name);
        assert_eq!((w.rank, w.red_flag, w.star), (1, Some(false), None), "{}: below 80 is no red flag", t.name);

        // The person, the department and the site count the same cases and days.
        let staff = assessment(&app, &supervisor, feb, Grouping::Staff).await.expect("staff");
        let me = row(&staff.rows, "clerk");
        assert_eq!(
            (me.components.on_time, me.components.attendance, me.components.accountability),
            (s(5000), s(5000), 1)
        );
        assert_eq!(me.components.evaluation, None, "{}: answers were about the window", t.name);
        assert_eq!(row(&staff.rows, "clerk2").components, Components::default(), "{}", t.name);
        assert_eq!(row(&staff.rows, "clerk").rank, 1);
        let sites = assessment(&app, &supervisor, feb, Grouping::Site).await.expect("sites");
        assert_eq!(row(&sites.rows, "S1").components.on_time, s(5000), "{}", t.name);
        let departments = assessment(&app, &supervisor, feb, Grouping::Department).await.expect("departments");
        assert_eq!(row(&departments.rows, "fgw").components.satisfaction, s(5000), "{}", t.name);

        // Scope: the head sees their department's rows, not the sites; a clerk sees none.
        let theirs = assessment(&app, &head, feb, Grouping::Staff).await.expect("head");
        assert_eq!(theirs.rows.len(), 3, "{}", t.name);
        assert!(assessment(&app, &head, feb, Grouping::Site).await.expect("head").rows.is_empty());
        assert!(matches!(assessment(&app, &clerk, feb, Grouping::Window).await, Err(AppError::Forbidden(_))));
        // A clerk reads only their own ledger.
        let own = ledger::attendance(&app, &clerk, feb, Some("clerk2")).await.expect("own");
        assert_eq!(own.len(), 3, "{}", t.name);
        assert!(own.iter().all(|d| d.account == "clerk"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_files_and_bad_weights_are_refused_and_nothing_is_written() {
    for t in each_backend().await {
        let (app, _item, _clock) = center(&t).await;
        let admin = principal(&accounts()[3]);
        let feb = Period::parse("2026-02").expect("period");
        let file = "account,day,check_in,mark\nclerk,2026-02-05,08:30,\nnobody,2026-02-31,25:00,休假\n";
        let Err(AppError::Rows(errors)) =
            ledger::import_attendance(&app, &admin, &Upload::CSV, file.as_bytes(), false).await
        else {
            panic!("{}: refused", t.name)
        };
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 4, "{}: {said:?}", t.name);
        assert!(said.iter().all(|e| e.contains("line 3")), "{said:?}");
        assert!(ledger::attendance(&app, &admin, feb, None).await.expect("ledger").is_empty(), "{}", t.name);

        let scores = "period,kind,code,score\n2026-13,window,W01,90\n2026-02,shop,X,101\n";
        let Err(AppError::Rows(errors)) =
            ledger::import_scores(&app, &admin, &Upload::CSV, scores.as_bytes(), false).await
        else {
            panic!("{}: refused", t.name)
        };
        assert_eq!(errors.len(), 3, "{}: {errors:?}", t.name);
        // A dry run checks and writes nothing.
        let good = "period,kind,code,score\n2026-02,window,W01,90\n";
        let dry = ledger::import_scores(&app, &admin, &Upload::CSV, good.as_bytes(), true).await.expect("dry");
        assert_eq!((dry.rows, dry.dry_run), (1, true));
        assert!(t.store.third_party_scores("2026-02").await.expect("scores").is_empty(), "{}", t.name);

        let bad = Weights { on_time: 90, ..Weights::default() };
        assert!(matches!(ledger::set_weights(&app, &admin, bad).await, Err(AppError::Invalid(_))));
        let good = Weights { on_time: 40, third_party: 0, ..Weights::default() };
        ledger::set_weights(&app, &admin, good.clone()).await.expect("weights");
        assert_eq!(t.store.assessment_weights().await.expect("weights"), good, "{}", t.name);
        t.cleanup().await;
    }
}
