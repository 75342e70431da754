//! The use cases without HTTP: a case from submission to rating through `tongban_app`
//! alone, with core's access rules refusing the wrong people, on SQLite and PostgreSQL.

use std::sync::Arc;

use tongban_app::tables::Upload;
use tongban_app::{Account, App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, CaseCommand, CaseState, DeliveryMethod, Submission};
use tongban_core::identity::{Role, VerificationMethod};
use tongban_core::item::Channel;
use tongban_core::org::DepartmentCode;
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const CREDIT_CODE: &str = "91350100M000100Y43";

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
        verified: applicant.then(|| tongban_store::Verified {
            method: VerificationMethod::Window,
            at: "2026-01-05T00:00:00Z".parse().expect("time"),
            by: "clerk".into(),
        }),
    }
}

fn principal(a: &Account) -> Principal {
    Principal { account: Some(a.clone()), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

async fn center(t: &TestStore) -> App {
    seed_minimal(&t.store).await;
    let accounts = [
        account("head", Role::DepartmentHead, Some("fgw")),
        account("clerk", Role::WindowClerk, Some("fgw")),
        account("applicant", Role::Applicant, None),
    ];
    let now: jiff::Timestamp = "2026-01-05T00:00:00Z".parse().expect("time");
    t.store
        .write(move |c| {
            Box::pin(async move {
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
    app.clock = Arc::new(|| "2026-03-02T02:00:00Z".parse().expect("time"));
    app
}

#[tokio::test]
async fn a_case_goes_from_submission_to_rating_through_the_use_cases_alone() {
    for t in each_backend().await {
        let app = center(&t).await;
        let head = principal(&account("head", Role::DepartmentHead, Some("fgw")));
        let applicant = principal(&account("applicant", Role::Applicant, None));
        let submission = Submission {
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
        };
        let item = tongban_core::item::ItemCode::parse("620100-FGW-001").expect("code");
        let case = tongban_app::submit_case(&app, &applicant, &item, submission).await.expect("submitted");
        // Core's access table: an applicant never accepts, whatever the state.
        let refused = tongban_app::act_on_case(&app, &applicant, &case.number, CaseCommand::Accept, None).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{}: {refused:?}", t.name);
        for command in [
            CaseCommand::Accept,
            CaseCommand::Approve { note: "同意".into() },
            CaseCommand::Deliver { method: DeliveryMethod::Window },
        ] {
            tongban_app::act_on_case(&app, &head, &case.number, command, None).await.expect("the head decides");
        }
        let rated = tongban_app::act_on_case(
            &app,
            &applicant,
            &case.number,
            CaseCommand::Rate { score: 5, comment: String::new() },
            None,
        )
        .await
        .expect("rated");
        assert_eq!((rated.state, rated.rating), (CaseState::Delivered, Some(5)));
        let (_, events) = tongban_app::case_with_events(&app, &head, &case.number).await.expect("history");
        let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
        assert_eq!(kinds, ["submitted", "accepted", "approved", "delivered", "rated"], "{}", t.name);
        // A stale version is a conflict, named as such.
        let stale =
            tongban_app::act_on_case(&app, &head, &case.number, CaseCommand::Reopen { reason: "复议".into() }, Some(1))
                .await;
        assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_clerk_of_the_department_reads_its_cases_and_a_stranger_reads_none() {
    for t in each_backend().await {
        let app = center(&t).await;
        let clerk = principal(&account("clerk", Role::WindowClerk, Some("fgw")));
        let stranger = principal(&account("stranger", Role::WindowClerk, Some("zjj")));
        let filter = tongban_app::CaseFilter { page: 1, per_page: 10, ..Default::default() };
        let mine = tongban_app::search_cases(&app, &clerk, filter.clone()).await.expect("search");
        let theirs = tongban_app::search_cases(&app, &stranger, filter).await.expect("search");
        assert_eq!((mine.items.len(), theirs.items.len()), (0, 0));
        let public =
            Principal { account: None, via: Via::Anonymous, client: None, session_hash: None, session_csrf: None };
        let anonymous =
            tongban_app::search_cases(&app, &public, tongban_app::CaseFilter::default()).await.map(|p| p.items.len());
        assert!(matches!(anonymous, Err(AppError::Unauthorized)), "{anonymous:?}");
        t.cleanup().await;
    }
}

/// A catalog row may name the sites that handle its item (the guide's where): each must
/// exist and be in service, refused at the row's own line in the `sites` column, in the
/// same one-pass list as the file's other problems; a good file keeps the guide columns.
#[tokio::test]
async fn a_catalog_row_naming_an_unknown_or_retired_site_is_refused_at_its_line() {
    use tongban_app::organisation::{put_org_record, retire_org_record};
    use tongban_core::catalog::{CSV_COLUMNS, GUIDE_COLUMNS};
    use tongban_core::org::import::OrgKind;
    for t in each_backend().await {
        let app = center(&t).await;
        let admin = Principal::console();
        for code in ["main", "old"] {
            let fields = [("code", code), ("name", "政务服务大厅"), ("division", "620100"), ("address", "城关区")];
            let fields = fields.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            put_org_record(&app, &admin, OrgKind::Sites, &fields).await.expect("a site");
        }
        retire_org_record(&app, &admin, OrgKind::Sites, "old").await.expect("retired");
        let before = t.store.latest_catalog_version().await.expect("version");
        let header = format!("{},{}", CSV_COLUMNS.join(","), GUIDE_COLUMNS.join(","));
        let row = |n: u32, category: &str, sites: &str| {
            format!("620100-FGW-{n:03},事项{n},fgw,620100,filing,{category},,,,,window,,{sites},,受理;办结,0931-1\n")
        };
        let bad = [
            header.clone() + "\n",
            row(21, "fast", "main"),
            row(22, "same_day", "main;nosuch"),
            row(23, "same_day", "old"),
            row(24, "same_day", "main"),
        ]
        .concat();
        let Err(AppError::Rows(rows)) =
            tongban_app::import_catalog(&app, &admin, "2026 版", &Upload::CSV, bad.as_bytes()).await
        else {
            panic!("{}: a file naming unknown and retired sites is refused row by row", t.name);
        };
        let shown: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown[1..],
            ["line 3, column sites: unknown site nosuch", "line 4, column sites: site old is retired"],
            "{}: {shown:?}",
            t.name
        );
        assert!(shown[0].starts_with("line 2, column category:"), "{shown:?}");
        assert_eq!(t.store.latest_catalog_version().await.expect("version"), before, "nothing written");

        let good = [header + "\n", row(24, "same_day", "main")].concat();
        let published = tongban_app::import_catalog(&app, &admin, "2026 版", &Upload::CSV, good.as_bytes())
            .await
            .expect("published");
        let item = t.store.items_in_version(published.version).await.expect("items").remove(0);
        assert_eq!(item.sites.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["main"], "{}", t.name);
        assert_eq!((item.steps.join(";"), item.contact.as_str()), ("受理;办结".to_owned(), "0931-1"));
        t.cleanup().await;
    }
}

/// A catalog file is checked whole, its syntax and its references together, each problem
/// named by the file's own line; nothing is written until every row is good, and only an
/// administrator publishes.
#[tokio::test]
async fn a_catalog_file_is_checked_whole_and_published_by_an_administrator() {
    for t in each_backend().await {
        let app = center(&t).await;
        let before = t.store.latest_catalog_version().await.expect("version");
        let header = tongban_core::catalog::CSV_COLUMNS.join(",");
        let bad = format!(
            "{header}\n620100-FGW-009,好,nosuch,620100,filing,time_limited,20d,5d,,,window,\n\
             620100-FGW-010,坏,fgw,620100,filing,fast,,,,,window,\n620100-FGW-011,远,fgw,629999,filing,same_day,,,,,window,\n"
        );
        let admin = Principal::console();
        let Err(AppError::Rows(rows)) =
            tongban_app::import_catalog(&app, &admin, "2026 版", &Upload::CSV, bad.as_bytes()).await
        else {
            panic!("{}: a bad file is refused row by row", t.name);
        };
        let shown: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown.iter().map(|s| s.split(':').next().unwrap_or_default()).collect::<Vec<_>>(),
            ["line 2, column department", "line 3, column category", "line 4, column division"],
            "{shown:?}"
        );
        assert_eq!(t.store.latest_catalog_version().await.expect("version"), before, "nothing written");
        // Excel's "CSV UTF-8" starts with a byte-order mark: read as the header it is; a GBK
        // file is refused at the line of its first GBK byte, saying what to do.
        let gbk = [header.as_bytes(), b"\n620100-FGW-009,\xC4\xFE,fgw,620100,filing,same_day,,,,,window,\n"].concat();
        let Err(AppError::Rows(rows)) = tongban_app::import_catalog(&app, &admin, "x", &Upload::CSV, &gbk).await else {
            panic!("a GBK file is refused");
        };
        assert!(rows[0].line == 2 && rows[0].message.contains("UTF-8"), "{rows:?}");

        let good = format!("{header}\n620100-FGW-009,新事项,fgw,620100,filing,same_day,,,,,window,\n");
        let clerk = principal(&account("clerk", Role::WindowClerk, Some("fgw")));
        assert!(matches!(
            tongban_app::import_catalog(&app, &clerk, "x", &Upload::CSV, good.as_bytes()).await,
            Err(AppError::Forbidden(_))
        ));
        let with_bom = [&b"\xEF\xBB\xBF"[..], good.as_bytes()].concat();
        let published =
            tongban_app::import_catalog(&app, &admin, "2026 版", &Upload::CSV, &with_bom).await.expect("published");
        assert_eq!(published.items, 1);
        assert_eq!(t.store.latest_catalog_version().await.expect("version"), Some(published.version));
        let audit = t.store.audit_entries().await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "catalog.publish"), "{}: audited", t.name);
        t.cleanup().await;
    }
}

/// 后台向前台授权: a window clerk holding a delegated approve grant decides an on-the-spot
/// item at the window; a clerk without one is refused, and so is a clerk with one on a
/// time-limited item. A decision taken so is not a concern for supervision.
#[tokio::test]
async fn a_window_clerk_decides_on_the_spot_items_under_a_front_desk_grant_only() {
    use tongban_core::item::{Category, ItemCode};
    for t in each_backend().await {
        let app = center(&t).await;
        // Catalog version 2 adds an on-the-spot (即收即办) item.
        let mut on_the_spot = tongban_store::testing::sample_item();
        on_the_spot.code = ItemCode::parse("620100-FGW-003").expect("code");
        on_the_spot.name = "企业投资项目备案信息查询".into();
        on_the_spot.category = Category::OnTheSpot;
        on_the_spot.promised_limit = None;
        let mut items = t.store.items_in_version(1).await.expect("items");
        items.push(on_the_spot);
        let extra = [account("clerk2", Role::WindowClerk, Some("fgw")), account("supervisor", Role::Supervisor, None)];
        let now: jiff::Timestamp = "2026-01-05T00:00:00Z".parse().expect("time");
        t.store
            .write(move |c| {
                Box::pin(async move {
                    tongban_store::insert_catalog_version(c, "v2", &items, now).await?;
                    for a in &extra {
                        tongban_store::insert_account(c, a, now).await?;
                    }
                    Ok::<_, tongban_store::StoreError>(())
                })
            })
            .await
            .expect("catalog and accounts");
        let (head, clerk, clerk2, applicant, supervisor) = (
            principal(&account("head", Role::DepartmentHead, Some("fgw"))),
            principal(&account("clerk", Role::WindowClerk, Some("fgw"))),
            principal(&account("clerk2", Role::WindowClerk, Some("fgw"))),
            principal(&account("applicant", Role::Applicant, None)),
            principal(&account("supervisor", Role::Supervisor, None)),
        );
        // The head delegates to the front desk: approve (with accept and deliver) over all
        // of fgw's items; clerk2 holds nothing.
        let grant = tongban_app::NewGrant {
            grantee: "clerk".into(),
            department: "fgw".into(),
            items: None,
            powers: vec!["accept".into(), "approve".into(), "deliver".into()],
            valid_until: None,
        };
        let grant = tongban_app::create_grant(&app, &head, grant).await.expect("granted");
        let submit = |code: &'static str| {
            let (app, applicant) = (&app, &applicant);
            async move {
                let submission = Submission {
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
                };
                let item = ItemCode::parse(code).expect("code");
                let case = tongban_app::submit_case(app, applicant, &item, submission).await.expect("submitted");
                tongban_app::act_on_case(app, &head_of(), &case.number, CaseCommand::Accept, None)
                    .await
                    .expect("accepted")
            }
        };
        let approve = || CaseCommand::Approve { note: "当场办结".into() };
        // With the grant, on an on-the-spot item: decided at the window, under the grant.
        let quick = submit("620100-FGW-003").await;
        let decided =
            tongban_app::act_on_case(&app, &clerk, &quick.number, approve(), None).await.expect("the clerk decides");
        assert_eq!(decided.state, CaseState::Approved, "{}", t.name);
        let (_, events) = tongban_app::case_with_events(&app, &head, &quick.number).await.expect("history");
        let approved = events.iter().find(|e| e.event.kind() == "approved").expect("approved");
        assert_eq!(approved.authority.as_deref(), Some(&[grant.id.clone()][..]), "{}", t.name);
        // Without a grant, on the same kind of item: no authority, and told why.
        let other = submit("620100-FGW-003").await;
        let refused = tongban_app::act_on_case(&app, &clerk2, &other.number, approve(), None).await;
        assert!(
            matches!(&refused, Err(AppError::NoAuthority(m)) if m.contains(tongban_core::access::FRONT_DESK_RULE)),
            "{}: {refused:?}",
            t.name
        );
        // With the grant, on a time-limited item: the back office decides it.
        let slow = submit("620100-FGW-001").await;
        for command in [approve(), CaseCommand::Deny { reason: "不符合".into(), legal_basis: "第十条".into() }] {
            let refused = tongban_app::act_on_case(&app, &clerk, &slow.number, command, None).await;
            assert!(
                matches!(&refused, Err(AppError::Forbidden(m)) if m.contains(tongban_core::access::FRONT_DESK_RULE)),
                "{}: {refused:?}",
                t.name
            );
        }
        // Reopening stays with the back office, grant or not.
        tongban_app::act_on_case(
            &app,
            &clerk,
            &quick.number,
            CaseCommand::Deliver { method: DeliveryMethod::Window },
            None,
        )
        .await
        .expect("delivered");
        let reopen = CaseCommand::Reopen { reason: "复议".into() };
        let refused = tongban_app::act_on_case(&app, &clerk, &quick.number, reopen, None).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{}: {refused:?}", t.name);
        // Supervision sees nothing wrong in the clerk's decision.
        let concerns = tongban_app::concerns(&app, &supervisor, Default::default()).await.expect("concerns").rows;
        assert!(
            !concerns.iter().any(|c| c.kind == "decision_without_valid_authority"),
            "{}: {:?}",
            t.name,
            concerns.iter().map(|c| (&c.case_number, &c.kind, &c.detail)).collect::<Vec<_>>()
        );
        t.cleanup().await;
    }
}

fn head_of() -> Principal {
    principal(&account("head", Role::DepartmentHead, Some("fgw")))
}
