//! The supervision ledger of concerns, on SQLite and PostgreSQL: built once from histories
//! stored without it, kept as cases are written through the use cases, counted per kind,
//! paged newest first and scoped to a department head's department.

use std::sync::Arc;

use tongban_app::actor::staff_account;
use tongban_app::bulk::{CaseHistory, HistoryStep};
use tongban_app::{Account, App, ConcernQuery, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, Case, CaseCommand, CaseNumber, Context, Submission};
use tongban_core::division::DivisionCode;
use tongban_core::identity::Role;
use tongban_core::item::{Channel, ServiceItem};
use tongban_core::org::{Department, DepartmentCode};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

fn account(login: &str, role: Role, department: Option<&str>) -> Account {
    Account {
        department: department.map(|d| DepartmentCode::parse(d).expect("code")),
        ..staff_account(login, login, role)
    }
}

fn principal(a: &Account) -> Principal {
    Principal { account: Some(a.clone()), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("time")
}

fn accounts() -> Vec<Account> {
    vec![
        account("head", Role::DepartmentHead, Some("fgw")),
        account("clerk", Role::WindowClerk, Some("fgw")),
        account("other.head", Role::DepartmentHead, Some("zjj")),
        account("supervisor", Role::Supervisor, None),
    ]
}

async fn center(t: &TestStore) -> (App, ServiceItem) {
    let item = seed_minimal(&t.store).await;
    let accounts = accounts();
    let now = ts("2026-01-05T00:00:00Z");
    t.store
        .write(move |c| {
            Box::pin(async move {
                let zjj = Department {
                    code: DepartmentCode::parse("zjj").expect("code"),
                    name: "兰州市住房和城乡建设局".into(),
                    division: DivisionCode::parse("620100").expect("code"),
                    site: None,
                };
                tongban_store::insert_department(c, &zjj).await?;
                for a in &accounts {
                    tongban_store::insert_account(c, a, now).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("accounts");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    // Mon 2 Mar 2026 10:00 CST.
    app.clock = Arc::new(|| ts("2026-03-02T02:00:00Z"));
    (app, item)
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

/// A history driven through the core: each command by `clerk`, an hour apart from
/// Monday 2 February 2026 09:00 CST.
fn history(item: &ServiceItem, commands: Vec<CaseCommand>) -> CaseHistory {
    let calendar = WorkingCalendar::builtin();
    let mut at = ts("2026-02-02T01:00:00Z");
    let placeholder = CaseNumber::new(&item.division, 2026, 0);
    let (mut case, first): (Case, _) = Case::submit(placeholder, item, 1, submission(), at).expect("submitted");
    let mut steps = vec![HistoryStep { event: first, at, actor: "clerk".into() }];
    for command in commands {
        at = at.checked_add(jiff::SignedDuration::from_hours(1)).expect("time");
        let ctx = Context { now: at, calendar: &calendar, item, actor: "clerk" };
        for event in case.handle(&command, &ctx).expect("allowed") {
            case.apply(&event, at);
            steps.push(HistoryStep { event, at, actor: "clerk".into() });
        }
    }
    CaseHistory { division: item.division.clone(), steps }
}

fn correction() -> CaseCommand {
    CaseCommand::RequestCorrection { missing: vec!["营业执照".into()], note: "请补正".into() }
}

fn resubmit() -> CaseCommand {
    CaseCommand::Resubmit { materials: vec!["营业执照".into()] }
}

fn count(page: &tongban_app::ConcernPage, kind: &str) -> i64 {
    page.counts.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n)
}

#[tokio::test]
async fn the_ledger_is_built_from_stored_histories_and_kept_as_cases_change() {
    for t in each_backend().await {
        let (app, item) = center(&t).await;
        let supervisor = principal(&account("supervisor", Role::Supervisor, None));
        // A clerk's approval with no grant recorded, and a case corrected twice, loaded in bulk.
        let histories = vec![
            history(&item, vec![CaseCommand::Accept, CaseCommand::Approve { note: "同意".into() }]),
            history(&item, vec![correction(), resubmit(), correction(), resubmit()]),
        ];
        tongban_app::bulk::load_case_histories(&app, &Principal::console(), histories, 10).await.expect("loaded");
        let page = tongban_app::concerns(&app, &supervisor, ConcernQuery::default()).await.expect("concerns");
        let kinds: Vec<&str> = page.rows.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["repeated_correction", "decision_without_valid_authority"], "{}: newest first", t.name);
        assert_eq!(page.rows[1].detail, "approved by clerk at 2026-02-02T03:00:00Z", "{}", t.name);
        assert_eq!((count(&page, "repeated_correction"), count(&page, "decision_without_valid_authority")), (1, 1));

        // Through the use cases: a third case asked twice for corrections (by the head, who
        // holds every power by office) joins the ledger.
        let clerk = principal(&account("clerk", Role::WindowClerk, Some("fgw")));
        let head = principal(&account("head", Role::DepartmentHead, Some("fgw")));
        let case = tongban_app::submit_case(&app, &clerk, &item.code, submission()).await.expect("submitted");
        for (who, command) in [(&head, correction()), (&clerk, resubmit()), (&head, correction())] {
            tongban_app::act_on_case(&app, who, &case.number, command, None).await.expect("acted");
        }
        let page = tongban_app::concerns(&app, &supervisor, ConcernQuery::default()).await.expect("concerns");
        assert_eq!(page.rows[0].case_number.as_deref(), Some(case.number.as_str()), "{}", t.name);
        assert_eq!(page.rows[0].detail, "2 correction requests", "{}", t.name);
        assert_eq!(count(&page, "repeated_correction"), 2, "{}", t.name);
        // A third request updates the standing concern in place: still one row, new detail.
        tongban_app::act_on_case(&app, &clerk, &case.number, resubmit(), None).await.expect("acted");
        tongban_app::act_on_case(&app, &head, &case.number, correction(), None).await.expect("acted");
        let page = tongban_app::concerns(&app, &supervisor, ConcernQuery::default()).await.expect("concerns");
        assert_eq!((page.rows.len(), page.rows[0].detail.as_str()), (3, "3 correction requests"), "{}", t.name);
        assert_eq!(count(&page, "repeated_correction"), 2, "{}", t.name);

        // Built again from the events (as after an upgrade), the ledger says the same.
        let before: Vec<_> =
            page.rows.iter().map(|c| (c.case_number.clone(), c.kind.clone(), c.detail.clone())).collect();
        t.store
            .write(|c| Box::pin(async move { tongban_store::invalidate_concern_ledger(c).await }))
            .await
            .expect("invalidated");
        let rebuilt = tongban_app::concerns(&app, &supervisor, ConcernQuery::default()).await.expect("concerns");
        let mut after: Vec<_> =
            rebuilt.rows.iter().map(|c| (c.case_number.clone(), c.kind.clone(), c.detail.clone())).collect();
        let mut before = before;
        before.sort();
        after.sort();
        assert_eq!(after, before, "{}", t.name);
        assert_eq!(rebuilt.counts, page.counts, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn concerns_are_paged_newest_first_and_a_head_sees_only_their_department() {
    for t in each_backend().await {
        let (app, item) = center(&t).await;
        let histories: Vec<CaseHistory> = (0..5)
            .map(|_| history(&item, vec![CaseCommand::Accept, CaseCommand::Approve { note: "同意".into() }]))
            .collect();
        tongban_app::bulk::load_case_histories(&app, &Principal::console(), histories, 2).await.expect("loaded");
        let supervisor = principal(&account("supervisor", Role::Supervisor, None));
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let query = ConcernQuery { before, limit: Some(2), ..Default::default() };
            let page = tongban_app::concerns(&app, &supervisor, query).await.expect("concerns");
            assert!(page.rows.len() <= 2);
            seen.extend(page.rows.iter().map(|c| c.id));
            match page.next {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!((seen.len(), seen), (5, sorted), "{}: every concern once, newest first", t.name);

        let head = principal(&account("head", Role::DepartmentHead, Some("fgw")));
        let other = principal(&account("other.head", Role::DepartmentHead, Some("zjj")));
        let mine = tongban_app::concerns(&app, &head, ConcernQuery::default()).await.expect("concerns");
        let theirs = tongban_app::concerns(&app, &other, ConcernQuery::default()).await.expect("concerns");
        assert_eq!((mine.rows.len(), count(&mine, "decision_without_valid_authority")), (5, 5), "{}", t.name);
        assert_eq!((theirs.rows.len(), theirs.counts.len()), (0, 0), "{}", t.name);
        let by_kind = ConcernQuery { kind: Some("bad_rating".into()), ..Default::default() };
        let none = tongban_app::concerns(&app, &supervisor, by_kind).await.expect("concerns");
        assert!(none.rows.is_empty(), "{}", t.name);
        t.cleanup().await;
    }
}
