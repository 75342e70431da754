//! Web Push end to end against the local push service of tongban-fakes: the client signs
//! with VAPID and encrypts; the service verifies the token and decrypts with the
//! subscription's own keys, as the browser would.

use tongban_app::notify::push::{EndpointPolicy, WebPush};
use tongban_app::notify::{Outgoing, SendError};
use tongban_fakes::push;

fn client(dir: &std::path::Path) -> WebPush {
    WebPush::open_or_init(dir, "mailto:tongban@example.gov.cn")
        .expect("VAPID key")
        .with_endpoints(EndpointPolicy::local())
}

fn notice(key: &str, address: &str, body: &str) -> Outgoing {
    Outgoing {
        key: key.to_owned(),
        address: address.to_owned(),
        subject: "受理通知".to_owned(),
        body: body.to_owned(),
        template: None,
        url: Some("http://127.0.0.1/hall/cases/C-1".to_owned()),
    }
}

#[tokio::test]
async fn the_push_service_decrypts_exactly_what_was_sent() {
    let service = push::start().await.expect("push service");
    let dir = tempfile::tempdir().expect("tempdir");
    let webpush = client(dir.path());
    service.require_key(&webpush.public_key_b64url());
    let subscription = service.new_subscription();
    let body = "您的申请（案件号 620102-2026-000123）已受理，请留意办理进度。";

    let sent = webpush.send(&notice("tongban-notice-7", &subscription, body)).await.expect("sent");

    let got = service.received_by(&subscription);
    assert_eq!(got.len(), 1, "refused: {:?}", service.refused());
    assert_eq!(sent.provider_id, got[0].location);
    let json = got[0].json();
    assert_eq!(json["body"], body);
    assert_eq!(json["title"], "受理通知");
    assert_eq!(json["url"], "http://127.0.0.1/hall/cases/C-1");
    assert_eq!(json["tag"], "tongban-notice-7");
    assert_eq!(got[0].topic.as_deref(), Some("tongban-notice-7"));
    assert_eq!(got[0].urgency.as_deref(), Some("normal"));
    assert!(got[0].ttl > 0);
    assert_eq!(got[0].subject, "mailto:tongban@example.gov.cn");
    assert_eq!(got[0].key, webpush.public_key_b64url());
}

/// A resend under the same idempotency key (after a crash between the push service's answer
/// and its recording) reaches the browser once, under the first message's id.
#[tokio::test]
async fn a_resend_with_the_same_key_is_delivered_once() {
    let service = push::start().await.expect("push service");
    let dir = tempfile::tempdir().expect("tempdir");
    let webpush = client(dir.path());
    let subscription = service.new_subscription();
    let first = webpush.send(&notice("tongban-notice-11", &subscription, "补正告知")).await.expect("sent");
    let again = webpush.send(&notice("tongban-notice-11", &subscription, "补正告知")).await.expect("sent again");
    assert_eq!(first, again);
    assert_eq!(service.received_by(&subscription).len(), 1);
    webpush.send(&notice("tongban-notice-12", &subscription, "准予许可")).await.expect("another notice");
    assert_eq!(service.received_by(&subscription).len(), 2);
}

#[tokio::test]
async fn a_gone_subscription_is_refused_and_a_failing_service_retried() {
    let service = push::start().await.expect("push service");
    let dir = tempfile::tempdir().expect("tempdir");
    let webpush = client(dir.path());
    let subscription = service.new_subscription();

    service.gone(&subscription);
    match webpush.send(&notice("tongban-notice-8", &subscription, "x")).await {
        Err(SendError::Refused { code, .. }) => assert_eq!(code, "410"),
        other => panic!("expected 410 refused, got {other:?}"),
    }

    let other = service.new_subscription();
    service.answer_with(Some(503));
    assert!(matches!(webpush.send(&notice("tongban-notice-9", &other, "x")).await, Err(SendError::Retry(_))));
    service.answer_with(Some(429));
    assert!(matches!(webpush.send(&notice("tongban-notice-9", &other, "x")).await, Err(SendError::Retry(_))));
    service.answer_with(Some(413));
    assert!(matches!(webpush.send(&notice("tongban-notice-9", &other, "x")).await, Err(SendError::Refused { .. })));
    service.answer_with(None);
    webpush.send(&notice("tongban-notice-9", &other, "x")).await.expect("sent once the service is back");
    assert_eq!(service.count(), 1);
}

#[tokio::test]
async fn another_centers_key_and_a_bad_subscription_are_refused() {
    let service = push::start().await.expect("push service");
    let (mine, theirs) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    service.require_key(&client(mine.path()).public_key_b64url());
    let subscription = service.new_subscription();
    match client(theirs.path()).send(&notice("tongban-notice-10", &subscription, "x")).await {
        Err(SendError::Refused { code, .. }) => assert_eq!(code, "403"),
        other => panic!("expected 403 refused, got {other:?}"),
    }
    // Not a subscription; an endpoint off the allowed push services.
    let webpush = client(mine.path());
    assert!(matches!(
        webpush.send(&notice("k", "{\"endpoint\":\"x\"}", "x")).await,
        Err(SendError::Refused { code, .. }) if code == "bad_subscription"
    ));
    let strict = WebPush::open_or_init(mine.path(), "mailto:tongban@example.gov.cn").expect("key");
    assert!(matches!(
        strict.send(&notice("k", &subscription, "x")).await,
        Err(SendError::Refused { code, .. }) if code == "bad_subscription"
    ));
    assert_eq!(service.count(), 0);
}

// ---- Through the use cases and the notice worker, on SQLite and PostgreSQL. ----

use std::sync::Arc;

use tongban_app::notify::push as web_push;
use tongban_app::notify::{self, Gateways};
use tongban_app::{Account, App, AppError, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, CaseNumber, Submission};
use tongban_core::identity::Role;
use tongban_core::item::{Channel as ItemChannel, ItemCode};
use tongban_core::notice::{Channel, NoticeState};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const ID_CARD: &str = "620102199001011234";

fn applicant(login: &str) -> Account {
    Account {
        id: login.into(),
        kind: "applicant".into(),
        display_name: format!("{login}名"),
        role: Role::Applicant,
        department: None,
        window: None,
        position: None,
        applicant_kind: Some("individual".to_owned()),
        id_number: Some(ID_CARD.to_owned()),
        phone: None,
        password_hash: String::new(),
        disabled: false,
        verified: None,
    }
}

fn principal(a: &Account) -> Principal {
    Principal { account: Some(a.clone()), via: Via::Session, client: None, session_hash: None, session_csrf: None }
}

/// A center whose notices go out through `webpush`, with two applicants.
async fn center(t: &TestStore, webpush: Option<WebPush>) -> (App, Principal, Principal) {
    seed_minimal(&t.store).await;
    let accounts = [applicant("wang"), applicant("li")];
    let stored = accounts.clone();
    let at: jiff::Timestamp = "2026-01-05T00:00:00Z".parse().expect("time");
    t.store
        .write(move |c| {
            Box::pin(async move {
                for a in &stored {
                    tongban_store::insert_account(c, a, at).await?;
                }
                Ok::<_, tongban_store::StoreError>(())
            })
        })
        .await
        .expect("accounts");
    let mut app = App::new(t.store.clone(), WorkingCalendar::builtin());
    // Tuesday 2 March 2026, 10:00 in Beijing: working time.
    let now: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("time");
    app.clock = Arc::new(move || now);
    app.rates = None;
    app.gateways = Arc::new(Gateways { push: webpush, ..Gateways::default() });
    let [wang, li] = accounts.map(|a| principal(&a));
    (app, wang, li)
}

fn keys(subscription: &str) -> (String, String, String) {
    let v: serde_json::Value = serde_json::from_str(subscription).expect("JSON");
    let text = |p: &str| v.pointer(p).and_then(|x| x.as_str()).expect("field").to_owned();
    (text("/endpoint"), text("/keys/p256dh"), text("/keys/auth"))
}

async fn subscribe(app: &App, who: &Principal, subscription: &str) -> Result<web_push::PushDevice, AppError> {
    let (endpoint, p256dh, auth) = keys(subscription);
    web_push::subscribe(app, who, &endpoint, &p256dh, &auth, Some("Mozilla/5.0 (Linux; Android 14) Chrome/131")).await
}

async fn submitted(app: &App, who: &Principal) -> CaseNumber {
    let submission = Submission {
        applicant: Applicant {
            kind: ApplicantKind::Individual,
            name: "王芳".into(),
            id_number: ID_CARD.into(),
            phone: Some("13912345678".into()),
        },
        channel: ItemChannel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    };
    let item = ItemCode::parse("620100-FGW-001").expect("code");
    tongban_app::submit_case(app, who, &item, submission).await.expect("submitted").number
}

#[tokio::test]
async fn subscriptions_are_each_persons_own_and_give_or_withdraw_consent() {
    for t in each_backend().await {
        let service = push::start().await.expect("push service");
        let dir = tempfile::tempdir().expect("tempdir");
        let (app, wang, li) = center(&t, Some(client(dir.path()))).await;
        let key = web_push::vapid_public_key(&app).expect("key");
        assert_eq!(key, client(dir.path()).public_key_b64url());

        let phone = service.new_subscription();
        let device = subscribe(&app, &wang, &phone).await.expect("subscribed");
        assert_eq!(device.user_agent.as_deref(), Some("Mozilla/5.0 (Linux; Android 14) Chrome/131"));
        let prefs = notify::preferences(&app, &wang).await.expect("prefs");
        assert!(prefs.channels.iter().any(|c| c.channel == Channel::Push && c.consented), "{}: {prefs:?}", t.name);
        // Subscribing again (new keys after the browser renewed) keeps one row.
        subscribe(&app, &wang, &phone).await.expect("again");
        assert_eq!(web_push::push_devices(&app, &wang).await.expect("devices").len(), 1, "{}", t.name);
        assert_eq!(t.store.push_subscriptions("wang").await.expect("rows").len(), 1);

        // Bad keys name their field; an endpoint off the allowed services is refused.
        let (endpoint, _, auth) = keys(&phone);
        match web_push::subscribe(&app, &wang, &endpoint, "AAAA", &auth, None).await {
            Err(AppError::Invalid(fields)) => assert_eq!(fields[0].0, "keys.p256dh", "{}", t.name),
            other => panic!("{}: {other:?}", t.name),
        }
        let strict_dir = tempfile::tempdir().expect("tempdir");
        let strict = strict_center(&app, strict_dir.path());
        assert!(matches!(subscribe(&strict, &wang, &phone).await, Err(AppError::Invalid(f)) if f[0].0 == "endpoint"));

        // One person cannot remove another's browser; the last one gone withdraws consent.
        assert!(matches!(web_push::unsubscribe(&app, &li, &endpoint).await, Err(AppError::NotFound(_))));
        web_push::unsubscribe(&app, &wang, &endpoint).await.expect("unsubscribed");
        assert!(matches!(web_push::unsubscribe(&app, &wang, &endpoint).await, Err(AppError::NotFound(_))));
        let prefs = notify::preferences(&app, &wang).await.expect("prefs");
        assert!(prefs.channels.iter().any(|c| c.channel == Channel::Push && !c.consented), "{}", t.name);

        // The same browser signed in as another person moves to that person.
        subscribe(&app, &wang, &phone).await.expect("wang");
        subscribe(&app, &li, &phone).await.expect("li");
        assert!(web_push::push_devices(&app, &wang).await.expect("devices").is_empty(), "{}", t.name);
        assert_eq!(web_push::push_devices(&app, &li).await.expect("devices").len(), 1, "{}", t.name);

        // The public has none of it.
        let public =
            Principal { account: None, via: Via::Session, client: None, session_hash: None, session_csrf: None };
        assert!(subscribe(&app, &public, &phone).await.is_err());
        t.cleanup().await;
    }
}

/// The same center with the default endpoint policy (the browsers' push services only).
fn strict_center(app: &App, dir: &std::path::Path) -> App {
    let mut strict = app.clone();
    let webpush = WebPush::open_or_init(dir, "mailto:tongban@example.gov.cn").expect("key");
    strict.gateways = Arc::new(Gateways { push: Some(webpush), ..Gateways::default() });
    strict
}

/// The notice worker sends a push notice to each of the person's browsers: the one that gave
/// up its subscription (410) is forgotten, each live one gets the text decrypted, and
/// nothing is sent twice.
#[tokio::test]
async fn a_submission_receipt_arrives_decrypted_on_each_browser_and_a_gone_one_is_forgotten() {
    for t in each_backend().await {
        let service = push::start().await.expect("push service");
        let dir = tempfile::tempdir().expect("tempdir");
        let (app, wang, _) = center(&t, Some(client(dir.path()))).await;
        service.require_key(&web_push::vapid_public_key(&app).expect("key"));
        let (old, phone, laptop) = (service.new_subscription(), service.new_subscription(), service.new_subscription());
        for s in [&old, &phone, &laptop] {
            subscribe(&app, &wang, s).await.expect("subscribed");
        }
        service.gone(&old);

        let case = submitted(&app, &wang).await;
        let handled = notify::worker::run_once(&app, app.now()).await.expect("worker");
        assert!(handled >= 1, "{}", t.name);

        let got = service.received();
        assert!(!got.is_empty(), "{}: refused {:?}", t.name, service.refused());
        for r in &got {
            let json = r.json();
            let subject = json["title"].as_str().expect("title");
            assert!(subject.contains(case.as_str()), "{}: {json}", t.name);
            assert!(json["body"].as_str().expect("body").contains(case.as_str()), "{}: {json}", t.name);
            assert_eq!(json["tag"], r.topic.clone().expect("topic"), "{json}");
            assert!(r.topic.as_deref().expect("topic").starts_with("tongban-notice-"));
        }
        // Each live browser once; the gone one never, and forgotten.
        for device in [&phone, &laptop] {
            assert_eq!(service.received_by(device).len(), 1, "{}", t.name);
        }
        assert!(service.received_by(&old).is_empty());
        let devices = web_push::push_devices(&app, &wang).await.expect("devices");
        assert_eq!(devices.len(), 2, "{}: {devices:?}", t.name);
        let list = notify::case_notices(&app, &wang, &case).await.expect("notices");
        let pushed: Vec<_> = list.iter().filter(|n| n.channel == Channel::Push).collect();
        assert_eq!(pushed.len(), 1, "{}: {list:?}", t.name);
        assert_eq!(pushed[0].state, NoticeState::Sent, "{}: {list:?}", t.name);

        // Another pass sends nothing again.
        let count = service.count();
        notify::worker::run_once(&app, app.now()).await.expect("worker");
        assert_eq!(service.count(), count, "{}", t.name);
        t.cleanup().await;
    }
}
