//! Documents through the use cases, on SQLite and PostgreSQL: each statutory event issues
//! its sealed notice in the same transaction (and a failing seal fails the event), numbers
//! run per kind and year without gaps, the text a reader extracts says what the law asks,
//! revocation by the chain or an administrator, templates by version, checking uploads,
//! and 64 concurrent approvals through two servers on one PostgreSQL database.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tongban_app::documents::{self, UploadCheck};
use tongban_app::{Account, App, AppError, NewGrant, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, CaseCommand, CaseNumber, CaseState, Submission};
use tongban_core::document::{DocumentKind, DocumentStatus};
use tongban_core::identity::Role;
use tongban_core::item::{Channel, ItemCode};
use tongban_core::org::DepartmentCode;
use tongban_seal::{Bureau, Keyring};
use tongban_store::testing::{TestStore, each_backend, sample_item, seed_minimal};

const ID_CARD: &str = "620102199001011234";
const PHONE: &str = "13912345678";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("time")
}

fn account(login: &str, role: Role, department: Option<&str>, position: Option<&str>) -> Account {
    Account {
        id: login.into(),
        kind: if role == Role::Applicant { "applicant" } else { "staff" }.into(),
        display_name: format!("{login}名"),
        role,
        department: department.map(|d| DepartmentCode::parse(d).expect("code")),
        window: None,
        position: position.map(str::to_owned),
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

fn bureau(prefix: &str) -> Bureau {
    Bureau {
        name: "兰州市行政审批服务局".into(),
        prefix: prefix.into(),
        review_body: "兰州市人民政府".into(),
        court: "兰州铁路运输法院".into(),
    }
}

struct Center {
    app: App,
    clock: Arc<Mutex<jiff::Timestamp>>,
    head: Principal,
    approver: Principal,
    clerk: Principal,
    other: Principal,
    admin: Principal,
    _seal_dir: tempfile::TempDir,
}

impl Center {
    fn set(&self, t: &str) {
        *self.clock.lock().expect("clock") = ts(t);
    }
}

/// The minimal center with a licensing item (`620100-FGW-003`, 食品经营许可证), staff, a
/// grant head → approver of the approve power and head → clerk of the accept power, and a seal.
async fn center(t: &TestStore, prefix: &str) -> Center {
    seed_minimal(&t.store).await;
    let accounts = [
        account("head", Role::DepartmentHead, Some("fgw"), Some("head")),
        account("approver", Role::Approver, Some("fgw"), Some("deputy")),
        account("clerk", Role::WindowClerk, Some("fgw"), Some("staff")),
        account("other", Role::WindowClerk, Some("fgw"), Some("staff")),
        account("admin", Role::Administrator, None, None),
    ];
    let mut licensed = sample_item();
    licensed.code = ItemCode::parse("620100-FGW-003").expect("code");
    licensed.name = "食品经营许可".into();
    licensed.licence = Some("食品经营许可证".into());
    let mut items = vec![sample_item(), licensed];
    items[0].licence = None;
    let now = ts("2026-01-05T00:00:00Z");
    let stored = accounts.clone();
    t.store
        .write(move |c| {
            Box::pin(async move {
                for a in &stored {
                    tongban_store::insert_account(c, a, now).await?;
                }
                tongban_store::insert_catalog_version(c, "licences", &items, now).await?;
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("accounts and catalog");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    // Mon 2 Mar 2026 10:00 CST.
    let clock = Arc::new(Mutex::new(ts("2026-03-02T02:00:00Z")));
    let c = clock.clone();
    app.clock = Arc::new(move || *c.lock().expect("clock"));
    app.rates = None;
    let seal_dir = tempfile::tempdir().expect("dir");
    app.seal = Some(Arc::new(Keyring::init(seal_dir.path(), bureau(prefix)).expect("keyring")));
    app.public_base_url = "https://zwfw.example".into();
    let [head, approver, clerk, other, admin] = accounts.map(|a| principal(&a));
    for (grantee, power) in [("approver", "approve"), ("clerk", "accept")] {
        let grant = NewGrant {
            grantee: grantee.into(),
            department: "fgw".into(),
            items: None,
            powers: vec![power.into()],
            valid_until: None,
        };
        tongban_app::create_grant(&app, &head, grant).await.expect("grant");
    }
    Center { app, clock, head, approver, clerk, other, admin, _seal_dir: seal_dir }
}

/// A case received at the window for `item` by the clerk.
async fn submitted(c: &Center, item: &str, name: &str) -> CaseNumber {
    let submission = Submission {
        applicant: Applicant {
            kind: ApplicantKind::Individual,
            name: name.into(),
            id_number: ID_CARD.into(),
            phone: Some(PHONE.into()),
        },
        channel: Channel::Window,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "clerk".into(),
        priority: false,
        submitter: None,
    };
    let item = ItemCode::parse(item).expect("code");
    tongban_app::submit_case(&c.app, &c.clerk, &item, submission).await.expect("submitted").number
}

async fn act(c: &Center, who: &Principal, number: &CaseNumber, command: CaseCommand) {
    tongban_app::act_on_case(&c.app, who, number, command, None).await.expect("acted");
}

/// The text a PDF reader extracts, whitespace and hyphens removed (lines break anywhere in
/// CJK text, and the reader drops a hyphen at a line's end); compare with [`bare`] words.
fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    bare(&String::from_utf8_lossy(&out.stdout))
}

/// `text` without whitespace and hyphens, as [`text_of`] reads a document.
fn bare(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

async fn documents_of(c: &Center, number: &CaseNumber) -> Vec<documents::DocumentSummary> {
    documents::case_documents(&c.app, &c.head, number).await.expect("documents")
}

async fn pdf(c: &Center, case: &CaseNumber, number: &str) -> Vec<u8> {
    documents::document_pdf(&c.app, &c.head, case, number).await.expect("pdf")
}

#[tokio::test]
async fn every_statutory_event_issues_its_sealed_document_saying_what_the_law_asks() {
    for t in each_backend().await {
        let c = center(&t, "兰审批").await;
        // Accepted, then approved by the approver under the head's grant: a licence too.
        let granted = submitted(&c, "620100-FGW-003", "张三").await;
        act(&c, &c.clerk, &granted, CaseCommand::Accept).await;
        act(&c, &c.approver, &granted, CaseCommand::Approve { note: "符合条件".into() }).await;
        // Not accepted.
        let refused = submitted(&c, "620100-FGW-001", "李四").await;
        act(&c, &c.head, &refused, CaseCommand::Reject { reason: "申请事项不属于本机关职权范围".into() }).await;
        // Corrected, accepted, denied.
        let denied = submitted(&c, "620100-FGW-001", "王五").await;
        let correction =
            CaseCommand::RequestCorrection { missing: vec!["营业执照".into()], note: "需加盖公章".into() };
        act(&c, &c.head, &denied, correction).await;
        act(&c, &c.clerk, &denied, CaseCommand::Resubmit { materials: vec!["营业执照".into()] }).await;
        act(&c, &c.head, &denied, CaseCommand::Accept).await;
        let deny = CaseCommand::Deny {
            reason: "选址不符合规划".into(),
            legal_basis: "《城乡规划法》第三十六条".into(),
        };
        act(&c, &c.approver, &denied, deny).await;

        let docs = documents_of(&c, &granted).await;
        let kinds: Vec<_> = docs.iter().map(|d| (d.kind, d.number.as_str(), d.event_seq)).collect();
        assert_eq!(
            kinds,
            [
                (DocumentKind::Acceptance, "兰审批受〔2026〕1号", 2),
                (DocumentKind::Approval, "兰审批许〔2026〕1号", 3),
                (DocumentKind::Licence, "兰审批证〔2026〕1号", 3),
            ],
            "{}",
            t.name
        );
        assert!(docs.iter().all(|d| d.status == DocumentStatus::Valid));
        let expect = |text: &str, words: &[&str]| {
            for w in words {
                assert!(text.contains(&bare(w)), "{}: {w:?} missing from {text}", t.name);
            }
        };
        let common = |case: &CaseNumber, name: &'static str, item: &'static str| {
            [case.as_str().to_owned(), name.to_owned(), item.to_owned(), "2026年3月2日".to_owned()]
        };
        for d in &docs {
            let text = text_of(&pdf(&c, &granted, &d.number).await);
            let mut words: Vec<String> = common(&granted, "张三", "食品经营许可").into();
            words.push(d.number.clone());
            expect(&text, &words.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(!text.contains("行政复议"), "{}: no appeal rights on a grant", t.name);
        }
        let licence = text_of(&pdf(&c, &granted, "兰审批证〔2026〕1号").await);
        expect(&licence, &["食品经营许可证", "兰州市行政审批服务局"]);
        let approval = text_of(&pdf(&c, &granted, "兰审批许〔2026〕1号").await);
        expect(&approval, &["准予行政许可决定书", "符合条件", "head名", "approver名"]);

        let refusal = documents_of(&c, &refused).await;
        assert_eq!(refusal.len(), 1);
        assert_eq!(
            (refusal[0].kind, refusal[0].number.as_str()),
            (DocumentKind::NonAcceptance, "兰审批不受〔2026〕1号")
        );
        let text = text_of(&pdf(&c, &refused, &refusal[0].number).await);
        let appeal = ["行政复议", "六十日", "行政诉讼", "六个月", "兰州市人民政府", "兰州铁路运输法院"];
        expect(&text, &["不予受理通知书", "申请事项不属于本机关职权范围", "行政许可法", "李四", refused.as_str()]);
        expect(&text, &appeal);

        let docs = documents_of(&c, &denied).await;
        let kinds: Vec<_> = docs.iter().map(|d| (d.kind, d.number.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (DocumentKind::Correction, "兰审批补〔2026〕1号"),
                (DocumentKind::Acceptance, "兰审批受〔2026〕2号"),
                (DocumentKind::Denial, "兰审批不许〔2026〕1号"),
            ],
            "{}",
            t.name
        );
        let correction = text_of(&pdf(&c, &denied, "兰审批补〔2026〕1号").await);
        expect(&correction, &["补正材料告知书", "营业执照", "需加盖公章", "王五", denied.as_str()]);
        let denial = text_of(&pdf(&c, &denied, "兰审批不许〔2026〕1号").await);
        expect(
            &denial,
            &["不予行政许可决定书", "选址不符合规划", "《城乡规划法》第三十六条", "王五", "企业投资项目备案"],
        );
        expect(&denial, &appeal);

        // The act's audit entry names the documents it issued.
        let audit = t.store.audit_entries().await.expect("audit");
        let deny = audit.iter().find(|e| e.action == "case.deny" && e.subject == denied.as_str()).expect("entry");
        assert!(deny.detail.contains("兰审批不许〔2026〕1号"), "{}: {deny:?}", t.name);
    }
}

#[tokio::test]
async fn numbers_run_without_gaps_per_kind_and_restart_in_a_new_year() {
    for t in each_backend().await {
        let c = center(&t, "兰审批").await;
        let mut numbers = Vec::new();
        for at in ["2026-03-02T02:00:00Z", "2026-03-02T03:00:00Z", "2026-12-31T16:30:00Z"] {
            c.set(at);
            let case = submitted(&c, "620100-FGW-001", "张三").await;
            act(&c, &c.head, &case, CaseCommand::Accept).await;
            numbers.push(documents_of(&c, &case).await.remove(0).number);
        }
        // 31 Dec 16:30 UTC is 1 January in Beijing: the sequence restarts.
        assert_eq!(numbers, ["兰审批受〔2026〕1号", "兰审批受〔2026〕2号", "兰审批受〔2027〕1号"], "{}", t.name);
    }
}

#[tokio::test]
async fn a_seal_that_fails_fails_the_act_and_nothing_is_written() {
    for t in each_backend().await {
        // A control character in the prefix makes every 文号 unsealable.
        let c = center(&t, "兰审\u{7}批").await;
        let case = submitted(&c, "620100-FGW-001", "张三").await;
        let refused = tongban_app::act_on_case(&c.app, &c.head, &case, CaseCommand::Accept, None).await;
        assert!(matches!(refused, Err(AppError::Internal(_))), "{}: {refused:?}", t.name);
        let (after, events) = tongban_app::case_with_events(&c.app, &c.head, &case).await.expect("case");
        assert_eq!(
            (after.state, events.len()),
            (CaseState::Submitted, 1),
            "{}: no acceptance without its notice",
            t.name
        );
        assert!(documents_of(&c, &case).await.is_empty());
    }
}

#[tokio::test]
async fn the_chain_or_an_administrator_revokes_and_the_public_sees_it_at_once() {
    for t in each_backend().await {
        let c = center(&t, "兰审批").await;
        let case = submitted(&c, "620100-FGW-001", "张三").await;
        act(&c, &c.clerk, &case, CaseCommand::Accept).await;
        act(&c, &c.approver, &case, CaseCommand::Approve { note: String::new() }).await;
        let approval = "兰审批许〔2026〕1号";
        let shown = documents::public_document(&c.app, approval).await.expect("public");
        assert_eq!((shown.status, shown.holder_masked.as_str()), (DocumentStatus::Valid, "张*"), "{}", t.name);
        assert_eq!(shown.issuer, "兰州市行政审批服务局");

        let by_other = documents::revoke(&c.app, &c.other, approval, "错误").await;
        assert!(matches!(by_other, Err(AppError::Forbidden(_))), "{}: {by_other:?}", t.name);
        let no_reason = documents::revoke(&c.app, &c.approver, approval, " ").await;
        assert!(matches!(no_reason, Err(AppError::Invalid(_))), "{}", t.name);
        let revoked = documents::revoke(&c.app, &c.approver, approval, "申请人隐瞒有关情况").await.expect("revoked");
        assert_eq!(revoked.status, DocumentStatus::Revoked);
        let shown = documents::public_document(&c.app, approval).await.expect("public");
        assert_eq!(
            (shown.status, shown.status_reason.as_deref()),
            (DocumentStatus::Revoked, Some("申请人隐瞒有关情况"))
        );
        let again = documents::revoke(&c.app, &c.head, approval, "再次").await;
        assert!(matches!(again, Err(AppError::Conflict(_))), "{}: {again:?}", t.name);
        // The acceptance notice's chain is its clerk; an administrator may revoke any.
        let notice = "兰审批受〔2026〕1号";
        assert!(matches!(documents::revoke(&c.app, &c.approver, notice, "x").await, Err(AppError::Forbidden(_))));
        documents::revoke(&c.app, &c.admin, notice, "受理错误").await.expect("administrator");
        let statuses: Vec<_> = documents_of(&c, &case).await.iter().map(|d| d.status).collect();
        assert_eq!(statuses, [DocumentStatus::Revoked, DocumentStatus::Revoked], "{}", t.name);
        // Revocation is audited.
        let audit = t.store.audit_entries().await.expect("audit");
        let revocations = audit.iter().filter(|e| e.action == "document.revoke").count();
        assert_eq!(revocations, 2, "{}", t.name);
    }
}

#[tokio::test]
async fn a_new_template_version_serves_the_next_document_and_old_ones_keep_theirs() {
    for t in each_backend().await {
        let c = center(&t, "兰审批").await;
        let first = submitted(&c, "620100-FGW-001", "张三").await;
        act(&c, &c.head, &first, CaseCommand::Accept).await;
        let old = pdf(&c, &first, "兰审批受〔2026〕1号").await;

        let unknown = documents::save_template(&c.app, &c.admin, DocumentKind::Acceptance, "{{nickname}}").await;
        let Err(AppError::Invalid(errors)) = unknown else { panic!("{}: {unknown:?}", t.name) };
        assert!(errors[0].1.contains("nickname"), "{errors:?}");
        let no_reason = documents::save_template(&c.app, &c.admin, DocumentKind::Denial, "依据：{{legal_basis}}").await;
        let Err(AppError::Invalid(errors)) = no_reason else { panic!("{}: {no_reason:?}", t.name) };
        assert!(errors[0].1.contains("reason"), "{errors:?}");
        let by_clerk = documents::save_template(&c.app, &c.clerk, DocumentKind::Acceptance, "{{applicant}}").await;
        assert!(matches!(by_clerk, Err(AppError::Forbidden(_))));

        let body = "第二版：你（单位）申请的{{item_name}}（{{case_number}}）已受理，{{date}}。";
        let saved = documents::save_template(&c.app, &c.admin, DocumentKind::Acceptance, body).await.expect("saved");
        assert_eq!(saved.version, 2);
        let current = documents::templates(&c.app, &c.admin).await.expect("templates");
        assert_eq!(current.len(), 6);
        assert!(current.iter().any(|t| t.kind == DocumentKind::Acceptance && t.version == 2));

        let second = submitted(&c, "620100-FGW-001", "李四").await;
        act(&c, &c.head, &second, CaseCommand::Accept).await;
        let new = text_of(&pdf(&c, &second, "兰审批受〔2026〕2号").await);
        assert!(new.contains("第二版") && new.contains(&bare(second.as_str())), "{}: {new}", t.name);
        let kept = pdf(&c, &first, "兰审批受〔2026〕1号").await;
        assert_eq!(kept, old, "{}: a document never changes", t.name);
        assert!(!text_of(&kept).contains("第二版"));
    }
}

#[tokio::test]
async fn an_upload_is_checked_against_the_register_and_the_kiosk_needs_the_phone() {
    for t in each_backend().await {
        let c = center(&t, "兰审批").await;
        let case = submitted(&c, "620100-FGW-001", "张三").await;
        act(&c, &c.head, &case, CaseCommand::Accept).await;
        act(&c, &c.head, &case, CaseCommand::Approve { note: String::new() }).await;
        let (notice, decision) = ("兰审批受〔2026〕1号", "兰审批许〔2026〕1号");
        let genuine = pdf(&c, &case, decision).await;
        let check = |bytes: Vec<u8>| {
            let app = c.app.clone();
            async move { documents::check_upload(&app, decision, &bytes).await.expect("checked").1 }
        };
        assert_eq!(check(genuine.clone()).await, UploadCheck::Genuine, "{}", t.name);
        let mut flipped = genuine.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x01;
        assert_eq!(check(flipped).await, UploadCheck::Altered, "{}", t.name);
        let other = pdf(&c, &case, notice).await;
        assert_eq!(check(other).await, UploadCheck::NotThisDocument { number: notice.into() }, "{}", t.name);
        assert_eq!(check(b"%PDF-1.7\n%%EOF\n".to_vec()).await, UploadCheck::NotSealed, "{}", t.name);

        let public =
            Principal { account: None, via: Via::Anonymous, client: None, session_hash: None, session_csrf: None };
        let wrong = documents::documents_by_phone(&c.app, &public, &case, "13900000000").await;
        assert!(matches!(wrong, Err(AppError::NotFound(_))), "{}", t.name);
        let listed = documents::documents_by_phone(&c.app, &public, &case, "139 1234 5678").await.expect("kiosk");
        assert_eq!(listed.len(), 2);
        let file = documents::document_pdf_by_phone(&c.app, &public, &case, PHONE, decision).await.expect("pdf");
        assert_eq!(file, genuine);
        let foreign = documents::document_pdf(&c.app, &c.admin, &case, "兰审批许〔2026〕99号").await;
        assert!(matches!(foreign, Err(AppError::NotFound(_))));
        assert_eq!(documents::public_keys(&c.app).len(), 1);
    }
}

#[tokio::test]
async fn sixty_four_concurrent_approvals_through_two_servers_get_distinct_numbers() {
    let Some(t) = tongban_store::testing::postgres().await else { return };
    let c = center(&t, "兰审批").await;
    let mut cases = Vec::new();
    for i in 0..64 {
        let case = submitted(&c, "620100-FGW-001", &format!("申请人{i}")).await;
        act(&c, &c.head, &case, CaseCommand::Accept).await;
        cases.push(case);
    }
    // A second server on the same database, with its own pool and the same keyring.
    let other_store = tongban_store::Store::open(&t.url).await.expect("second store");
    let mut second = App::new(other_store, WorkingCalendar::builtin());
    second.clock = c.app.clock.clone();
    second.seal = c.app.seal.clone();
    let apps = [c.app.clone(), second];
    let mut tasks = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let (app, head, case) = (apps[i % 2].clone(), c.head.clone(), case.clone());
        tasks.push(tokio::spawn(async move {
            tongban_app::act_on_case(&app, &head, &case, CaseCommand::Approve { note: String::new() }, None).await
        }));
    }
    for task in tasks {
        task.await.expect("joined").expect("approved");
    }
    let mut numbers = HashSet::new();
    for case in &cases {
        for d in documents_of(&c, case).await.into_iter().filter(|d| d.kind == DocumentKind::Approval) {
            numbers.insert(d.number);
        }
    }
    let expected: HashSet<String> = (1..=64).map(|n| format!("兰审批许〔2026〕{n}号")).collect();
    assert_eq!(numbers, expected, "64 distinct numbers, gap-free");
}
