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
