//! The notice outbox survives a crash between a provider's answer and its record: `tongban
//! serve` with `TONGBAN_FAILPOINT=notice-after-send` aborts right after the (local, fake)
//! Aliyun SMS gateway took a notice; restarted without it, the worker finds the notice in
//! doubt, asks the provider, and records it — the provider delivered it once, and the case
//! shows it sent. On SQLite and PostgreSQL.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tongban_core::case::{Applicant, ApplicantKind, Submission};
use tongban_core::identity::Role;
use tongban_core::item::{Channel as ItemChannel, ItemCode};
use tongban_core::notice::Channel;
use tongban_server::app::notify::aliyun::{Aliyun, AliyunConfig};
use tongban_server::app::notify::{Gateways, SmsGateway};
use tongban_server::app::{Account, App, Principal, Via};
use tongban_store::Store;
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const KEY_ID: &str = "LTAI-crash";
const SECRET: &str = "crash-secret";
const MOBILE: &str = "13912345678";

fn start(dir: &std::path::Path, url: &str, endpoint: &str, failpoint: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tongban"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--database-url", url, "--data-dir"])
        .arg(dir)
        .env("TONGBAN_LOG", "warn")
        .env("TONGBAN_SMS_ENDPOINT", endpoint)
        .env("TONGBAN_SMS_ACCESS_KEY_ID", KEY_ID)
        .env("TONGBAN_SMS_ACCESS_KEY_SECRET", SECRET)
        .env("TONGBAN_SMS_SIGN_NAME", "政务服务中心")
        .env("TONGBAN_NOTICE_INTERVAL", "0.2")
        .env_remove("TONGBAN_FAILPOINT")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if failpoint {
        cmd.env("TONGBAN_FAILPOINT", "notice-after-send");
    }
    cmd.spawn().expect("tongban starts")
}

/// The state of notice `id`, read beside the running server.
async fn state_of(store: &Store, id: i64) -> String {
    store.notice(id).await.expect("read").expect("the notice").state.as_str().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_provider_answered_neither_loses_nor_repeats_the_notice() {
    for t in each_backend().await {
        crash_and_restart(&t).await;
        t.cleanup().await;
    }
}

async fn crash_and_restart(t: &TestStore) {
    let name = t.name;
    let sms = tongban_fakes::aliyun::start(KEY_ID, SECRET).await.expect("fake aliyun");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = t.url.clone();

    // The applicant consented to SMS and hands a case in: its receipt is queued for SMS.
    let store = t.store.clone();
    seed_minimal(&store).await;
    let applicant = Account {
        id: "wang".into(),
        kind: "applicant".into(),
        display_name: "王芳".into(),
        role: Role::Applicant,
        department: None,
        window: None,
        position: None,
        applicant_kind: Some("individual".into()),
        id_number: Some("620102199001011234".into()),
        phone: Some(MOBILE.into()),
        password_hash: String::new(),
        disabled: false,
        verified: None,
    };
    let (a, now) = (applicant.clone(), jiff::Timestamp::now());
    store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::insert_account(c, &a, now).await?;
                tongban_store::set_notice_consent(c, &a.id, Channel::Sms, true, now).await
            })
        })
        .await
        .expect("applicant");
    let mut app = App::new(store.clone(), tongban_core::calendar::WorkingCalendar::builtin());
    let aliyun = Aliyun::new(AliyunConfig {
        endpoint: sms.endpoint(),
        access_key_id: KEY_ID.into(),
        access_key_secret: SECRET.into(),
        sign_name: "政务服务中心".into(),
        timeout: Duration::from_secs(5),
    })
    .expect("client");
    app.gateways = Arc::new(Gateways { sms: Some(SmsGateway::Aliyun(aliyun)), ..Gateways::default() });
    let principal =
        Principal { account: Some(applicant), via: Via::Session, client: None, session_hash: None, session_csrf: None };
    let submission = Submission {
        applicant: Applicant {
            kind: ApplicantKind::Individual,
            name: "王芳".into(),
            id_number: "620102199001011234".into(),
            phone: Some(MOBILE.into()),
        },
        channel: ItemChannel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    };
    let item = ItemCode::parse("620100-FGW-001").expect("code");
    let case = tongban_server::app::submit_case(&app, &principal, &item, submission).await.expect("submitted");
    let notices = store.notices_of_case(case.number.as_str()).await.expect("notices");
    let sms_notice = notices.iter().find(|n| n.channel == Channel::Sms).expect("an SMS notice is queued");
    let (id, key) = (sms_notice.id, format!("tongban-notice-{}", sms_notice.id));
    drop(app);

    // First run: the worker sends, the provider answers, the process aborts before recording.
    let mut child = start(dir.path(), &url, &sms.endpoint(), true);
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = child.try_wait().expect("wait") {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("{name}: the server did not abort at the failpoint");
    };
    assert!(!status.success(), "{name}: aborted: {status:?}");
    assert_eq!(sms.count_for(&key), 1, "{name}: the provider took it before the crash");
    assert_eq!(state_of(&store, id).await, "sending", "{name}: the answer was never recorded");

    // Restart without the failpoint: the notice in doubt is settled, not sent again.
    let mut child = start(dir.path(), &url, &sms.endpoint(), false);
    let mut settled = String::new();
    for _ in 0..300 {
        settled = state_of(&store, id).await;
        if settled != "sending" && settled != "queued" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(settled == "sent" || settled == "delivered", "{name}: the case shows the notice sent: {settled}");
    assert_eq!(sms.count_for(&key), 1, "{name}: delivered once");
    assert_eq!(sms.messages().len(), 1, "{name}: nothing else was delivered");
}
