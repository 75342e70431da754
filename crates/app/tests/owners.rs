//! Named owners (首接责任制 for self-service): a case submitted online goes at once to a
//! named clerk of the item's department — the least loaded one at a window serving it —
//! never to the hall's channel account while the department has staff, on SQLite and
//! PostgreSQL.

use std::collections::BTreeMap;
use std::sync::Arc;

use tongban_app::{Account, App, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, Submission};
use tongban_core::identity::{Role, VerificationMethod};
use tongban_core::item::{Channel, ItemCode};
use tongban_core::org::{DepartmentCode, Window, WindowCode};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const CREDIT_CODE: &str = "91350100M000100Y43";

fn staff(login: &str, role: Role, window: Option<&str>, disabled: bool) -> Account {
    Account {
        id: login.into(),
        kind: "staff".into(),
        display_name: login.into(),
        role,
        department: Some(DepartmentCode::parse("fgw").expect("code")),
        window: window.map(str::to_owned),
        position: Some(if role == Role::DepartmentHead { "head" } else { "staff" }.into()),
        applicant_kind: None,
        id_number: None,
        phone: None,
        password_hash: String::new(),
        disabled,
        verified: None,
    }
}

fn applicant() -> Account {
    Account {
        id: "applicant".into(),
        kind: "applicant".into(),
        display_name: "applicant".into(),
        role: Role::Applicant,
        department: None,
        window: None,
        position: None,
        applicant_kind: Some("enterprise".into()),
        id_number: Some(CREDIT_CODE.into()),
        phone: None,
        password_hash: String::new(),
        disabled: false,
        verified: Some(tongban_store::Verified {
            method: VerificationMethod::Window,
            at: "2026-01-05T00:00:00Z".parse().expect("time"),
            by: "clerk.a".into(),
        }),
    }
}

/// fgw with a window of its own and a comprehensive window; clerks a and b at fgw's
/// window, c at the comprehensive one, d at fgw's window but disabled; a head and a
/// reviewer sit at none.
async fn center(t: &TestStore) -> App {
    seed_minimal(&t.store).await;
    let accounts = [
        staff("head", Role::DepartmentHead, None, false),
        staff("reviewer", Role::Reviewer, None, false),
        staff("clerk.a", Role::WindowClerk, Some("W-01"), false),
        staff("clerk.b", Role::WindowClerk, Some("W-01"), false),
        staff("clerk.c", Role::WindowClerk, Some("ZH-01"), false),
        staff("clerk.d", Role::WindowClerk, Some("W-01"), true),
        applicant(),
    ];
    let fgw = DepartmentCode::parse("fgw").expect("code");
    let windows = [("W-01", Some(fgw)), ("ZH-01", None)].map(|(code, department)| Window {
        code: WindowCode::parse(code).expect("code"),
        name: code.into(),
        department,
        site: None,
    });
    let now: jiff::Timestamp = "2026-01-05T00:00:00Z".parse().expect("time");
    t.store
        .write(move |c| {
            Box::pin(async move {
                for w in &windows {
                    tongban_store::insert_window(c, w).await?;
                }
                for a in &accounts {
                    tongban_store::insert_account(c, a, now).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("windows and accounts");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    app.clock = Arc::new(|| "2026-03-02T02:00:00Z".parse().expect("time"));
    app
}

fn online() -> Submission {
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: "兰州某某有限公司".into(),
            id_number: CREDIT_CODE.into(),
            phone: None,
        },
        channel: Channel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    }
}

#[tokio::test]
async fn online_cases_go_to_named_clerks_at_a_window_and_the_load_is_shared() {
    for t in each_backend().await {
        let app = center(&t).await;
        let who = Principal {
            account: Some(applicant()),
            via: Via::Session,
            client: None,
            session_hash: None,
            session_csrf: None,
        };
        let item = ItemCode::parse("620100-FGW-001").expect("code");
        let mut owners = Vec::new();
        for _ in 0..6 {
            let case = tongban_app::submit_case(&app, &who, &item, online()).await.expect("submitted");
            owners.push(case.owner);
        }
        assert_eq!(owners[0], "clerk.a", "{}: all idle, the first login", t.name);
        let mut load: BTreeMap<String, usize> = BTreeMap::new();
        for o in &owners {
            *load.entry(o.clone()).or_default() += 1;
        }
        let expected: BTreeMap<String, usize> =
            [("clerk.a".to_owned(), 2), ("clerk.b".to_owned(), 2), ("clerk.c".to_owned(), 2)].into();
        assert_eq!(
            load, expected,
            "{}: clerks at a window serving fgw share evenly; never the head, the reviewer, a disabled clerk or hall.online",
            t.name
        );
        t.cleanup().await;
    }
}
