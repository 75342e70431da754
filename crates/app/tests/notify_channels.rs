//! The notice channels' clients against the local provider servers of `tongban-fakes`:
//! each fake checks the provider's documented signature and answers in its real shapes, so
//! these tests hold the clients to the protocols (no network beyond 127.0.0.1).

use std::time::Duration;

use tongban_app::notify::smtp::{Smtp, SmtpConfig};
use tongban_app::notify::{Outgoing, ProviderTemplate, SendError};
use tongban_fakes::smtp::{self as sink, Mode};

fn notice(key: &str, address: &str) -> Outgoing {
    Outgoing {
        key: key.to_owned(),
        address: address.to_owned(),
        subject: "【受理通知】您的申请 2026-000123 已受理".to_owned(),
        body: "张三：您申请的食品经营许可（案件编号 2026-000123）已于今日受理，请留意后续通知。".to_owned(),
        template: Some(ProviderTemplate {
            id: "SMS_100001".to_owned(),
            params: vec![("name".to_owned(), "张三".to_owned()), ("case".to_owned(), "2026-000123".to_owned())],
        }),
        url: Some("https://hall.example.gov.cn/hall/cases/2026-000123".to_owned()),
    }
}

fn smtp_for(sink: &sink::SmtpSink, url: String) -> Smtp {
    let mut config = SmtpConfig::new(url, "某市政务服务中心 <noreply@example.gov.cn>");
    config.ca_pem = Some(sink.ca_pem().to_owned());
    config.timeout = Duration::from_millis(500);
    Smtp::new(config).expect("smtp client")
}

#[tokio::test]
async fn email_arrives_in_every_mode_with_its_case_number_and_message_id() {
    for mode in [Mode::Plain, Mode::StartTls, Mode::ImplicitTls] {
        let sink = sink::start(mode).await.expect("sink");
        let url = sink.url().replacen("://", "://clerk:s%40cret@", 1);
        let smtp = smtp_for(&sink, url);
        let sent = smtp.send(&notice("tongban-notice-7", "applicant@example.cn")).await.expect("sent");
        assert_eq!(sent.provider_id, "<tongban-notice-7@example.gov.cn>");
        let messages = sink.messages();
        assert_eq!(messages.len(), 1, "{mode:?}");
        let m = &messages[0];
        assert_eq!(m.tls, mode != Mode::Plain, "{mode:?}");
        assert_eq!(m.user.as_deref(), Some("clerk"), "{mode:?}");
        assert_eq!(m.from, "noreply@example.gov.cn");
        assert_eq!(m.to, vec!["applicant@example.cn".to_owned()]);
        assert_eq!(m.header("message-id").as_deref(), Some("<tongban-notice-7@example.gov.cn>"));
        assert_eq!(sink.count_for("<tongban-notice-7@example.gov.cn>"), 1);
        assert_eq!(m.subject().as_deref(), Some("【受理通知】您的申请 2026-000123 已受理"), "{mode:?}");
        let text = m.text();
        assert!(text.contains("案件编号 2026-000123"), "{text}");
        assert!(text.contains("https://hall.example.gov.cn/hall/cases/2026-000123"), "{text}");
    }
}

#[tokio::test]
async fn smtp_replies_map_to_retry_or_refused() {
    let sink = sink::start(Mode::Plain).await.expect("sink");
    let smtp = smtp_for(&sink, sink.url());
    sink.reply_with(Some((451, "4.3.0 try again later")));
    let err = smtp.send(&notice("tongban-notice-1", "a@example.cn")).await.expect_err("4xx");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    sink.reply_with(Some((550, "5.1.1 mailbox unavailable")));
    let err = smtp.send(&notice("tongban-notice-2", "a@example.cn")).await.expect_err("5xx");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "550"), "{err:?}");
    sink.reply_with(None);
    let err = smtp.send(&notice("tongban-notice-3", "not an address")).await.expect_err("address");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "invalid_address"), "{err:?}");
    assert_eq!(sink.count(), 0);
    smtp.send(&notice("tongban-notice-4", "a@example.cn")).await.expect("accepted again");
    assert_eq!(sink.count(), 1);
}

#[tokio::test]
async fn a_server_that_stops_answering_is_tried_again_later() {
    let sink = sink::start(Mode::StartTls).await.expect("sink");
    let smtp = smtp_for(&sink, sink.url());
    sink.hang(true);
    let err = smtp.send(&notice("tongban-notice-1", "a@example.cn")).await.expect_err("timeout");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
}

#[tokio::test]
async fn untrusted_certificates_are_not_accepted() {
    let sink = sink::start(Mode::ImplicitTls).await.expect("sink");
    let mut config = SmtpConfig::new(sink.url(), "noreply@example.gov.cn");
    config.timeout = Duration::from_millis(500);
    let smtp = Smtp::new(config).expect("client");
    let err = smtp.send(&notice("tongban-notice-1", "a@example.cn")).await.expect_err("untrusted");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    assert_eq!(sink.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_carries_many_messages_at_once() {
    for mode in [Mode::Plain, Mode::StartTls, Mode::ImplicitTls] {
        let sink = sink::start(mode).await.expect("sink");
        let mut config = SmtpConfig::new(sink.url(), "noreply@example.gov.cn");
        config.ca_pem = Some(sink.ca_pem().to_owned());
        config.pool_size = 8;
        let smtp = std::sync::Arc::new(Smtp::new(config).expect("client"));
        let started = std::time::Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..400 {
            let smtp = smtp.clone();
            tasks.spawn(async move { smtp.send(&notice(&format!("tongban-notice-{i}"), "a@example.cn")).await });
        }
        while let Some(r) = tasks.join_next().await {
            r.expect("task").expect("sent");
        }
        assert_eq!(sink.count(), 400, "{mode:?}");
        let rate = 400.0 / started.elapsed().as_secs_f64();
        eprintln!("{mode:?}: 400 e-mails through 8 connections, {rate:.0}/s");
    }
}

// ---- SMS: Aliyun ----

use tongban_app::notify::aliyun::{Aliyun, AliyunConfig};
use tongban_app::notify::tencent::{Tencent, TencentConfig};
use tongban_app::notify::wechat::{Wechat, WechatConfig};
use tongban_app::notify::{Receipt, Sent};
use tongban_fakes::{aliyun as fake_aliyun, tencent as fake_tencent, wechat as fake_wechat};

fn since() -> jiff::Timestamp {
    jiff::Timestamp::now() - jiff::SignedDuration::from_mins(5)
}

fn aliyun_for(fake: &fake_aliyun::Aliyun, secret: &str) -> Aliyun {
    Aliyun::new(AliyunConfig {
        endpoint: fake.endpoint(),
        access_key_id: "LTAI5tTestKeyId".into(),
        access_key_secret: secret.into(),
        sign_name: "某市政务服务中心".into(),
        timeout: Duration::from_millis(500),
    })
    .expect("aliyun client")
}

fn sms(key: &str, phone: &str) -> Outgoing {
    let mut n = notice(key, phone);
    n.template = Some(ProviderTemplate {
        id: "SMS_100001".into(),
        params: vec![("name".into(), "张三".into()), ("case".into(), "2026-000123".into())],
    });
    n
}

#[tokio::test]
async fn aliyun_sends_signed_with_the_key_as_out_id_and_repeats_are_one_message() {
    let fake = fake_aliyun::start("LTAI5tTestKeyId", "s3cret").await.expect("fake");
    let client = aliyun_for(&fake, "s3cret");
    let first = client.send(&sms("tongban-notice-9", "+8613800138000")).await.expect("sent");
    let again = client.send(&sms("tongban-notice-9", "13800138000")).await.expect("sent again");
    assert_eq!(first, again, "the same OutId answers the same BizId");
    assert_eq!(fake.count_for("tongban-notice-9"), 1);
    let m = &fake.messages()[0];
    assert_eq!(
        (m.phone.as_str(), m.sign_name.as_str(), m.template_code.as_str()),
        ("13800138000", "某市政务服务中心", "SMS_100001")
    );
    assert_eq!(m.params.get("name").map(String::as_str), Some("张三"));
    assert_eq!(m.params.get("case").map(String::as_str), Some("2026-000123"));

    // Settling a send left in doubt: found under its key, and not for another key.
    let found = client.lookup("tongban-notice-9", "13800138000", since()).await.expect("lookup");
    assert_eq!(found, Some(Sent { provider_id: "tongban-notice-9".into() }));
    assert_eq!(client.lookup("tongban-notice-10", "13800138000", since()).await.expect("lookup"), None);

    // Receipts: delivered, each reported once.
    let receipts = client.receipts(since()).await.expect("receipts");
    assert!(
        receipts
            .iter()
            .any(|r| matches!(r, Receipt::Delivered { provider_id, .. } if *provider_id == first.provider_id)),
        "{receipts:?}"
    );
    assert!(client.receipts(since()).await.expect("receipts").is_empty());
}

#[tokio::test]
async fn aliyun_refuses_a_wrong_signature_and_its_error_codes_map() {
    let fake = fake_aliyun::start("LTAI5tTestKeyId", "s3cret").await.expect("fake");
    let wrong = aliyun_for(&fake, "not-the-secret");
    let err = wrong.send(&sms("tongban-notice-1", "13800138000")).await.expect_err("bad signature");
    assert!(matches!(&err, SendError::Retry(r) if r.contains("SignatureDoesNotMatch")), "{err:?}");
    assert!(fake.messages().is_empty());

    let client = aliyun_for(&fake, "s3cret");
    let err = client.send(&sms("tongban-notice-2", "12345")).await.expect_err("number");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "isv.MOBILE_NUMBER_ILLEGAL"), "{err:?}");
    fake.unapprove_template("SMS_100001");
    let err = client.send(&sms("tongban-notice-3", "13800138000")).await.expect_err("template");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "isv.SMS_TEMPLATE_ILLEGAL"), "{err:?}");
    let mut untemplated = sms("tongban-notice-4", "13800138000");
    untemplated.template = None;
    assert!(matches!(client.send(&untemplated).await, Err(SendError::Refused { .. })));

    let client = aliyun_for(&fake, "s3cret");
    let fake2 = fake_aliyun::start("LTAI5tTestKeyId", "s3cret").await.expect("fake");
    let client2 = aliyun_for(&fake2, "s3cret");
    fake2.faults().fail_with(Some("isv.BUSINESS_LIMIT_CONTROL"));
    let err = client2.send(&sms("tongban-notice-5", "13800138000")).await.expect_err("limited");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    fake2.faults().fail_with(None);
    fake2.faults().hang(true);
    let err = client2.send(&sms("tongban-notice-5", "13800138000")).await.expect_err("timeout");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    fake2.faults().hang(false);
    drop(client);

    // Undelivered: the receipt says why.
    fake2.undeliverable("13900139000", "MK:0001");
    let sent = client2.send(&sms("tongban-notice-6", "13900139000")).await.expect("sent");
    let receipts = client2.receipts(since()).await.expect("receipts");
    assert!(
        receipts.contains(&Receipt::Failed { provider_id: sent.provider_id, reason: "MK:0001".into() }),
        "{receipts:?}"
    );
}

#[tokio::test]
async fn aliyun_with_random_failures_takes_each_key_once() {
    let fake = fake_aliyun::start("LTAI5tTestKeyId", "s3cret").await.expect("fake");
    fake.faults().random_failures(0.4, 21);
    let client = aliyun_for(&fake, "s3cret");
    let mut ids = std::collections::HashMap::new();
    for i in 0..40 {
        let key = format!("tongban-notice-{i}");
        // Retried with the same key until taken, as the outbox does.
        for _ in 0..50 {
            if let Ok(sent) = client.send(&sms(&key, "13800138000")).await {
                ids.insert(key.clone(), sent.provider_id);
                break;
            }
        }
    }
    assert_eq!(ids.len(), 40);
    for i in 0..40 {
        assert_eq!(fake.count_for(&format!("tongban-notice-{i}")), 1);
    }
    assert_eq!(fake.messages().len(), 40);
}

// ---- SMS: Tencent ----

fn tencent_for(fake: &fake_tencent::Tencent, key: &str) -> Tencent {
    Tencent::new(TencentConfig {
        endpoint: fake.endpoint(),
        secret_id: "AKIDtestsecretid".into(),
        secret_key: key.into(),
        sdk_app_id: "1400006666".into(),
        sign_name: "某市政务服务中心".into(),
        region: "ap-guangzhou".into(),
        timeout: Duration::from_millis(500),
    })
    .expect("tencent client")
}

fn tencent_sms(key: &str, phone: &str) -> Outgoing {
    let mut n = sms(key, phone);
    n.template = Some(ProviderTemplate {
        id: "1110".into(),
        params: vec![("name".into(), "张三".into()), ("case".into(), "2026-000123".into())],
    });
    n
}

#[tokio::test]
async fn tencent_sends_signed_tc3_with_the_key_as_session_context() {
    let fake = fake_tencent::start("AKIDtestsecretid", "tc3-secret", "1400006666").await.expect("fake");
    let client = tencent_for(&fake, "tc3-secret");
    let first = client.send(&tencent_sms("tongban-notice-9", "13800138000")).await.expect("sent");
    let again = client.send(&tencent_sms("tongban-notice-9", "13800138000")).await.expect("sent again");
    assert_eq!(first, again);
    assert!(first.provider_id.starts_with("5000:"), "{first:?}");
    assert_eq!(fake.count_for("tongban-notice-9"), 1);
    let m = &fake.messages()[0];
    assert_eq!(m.phone, "+8613800138000");
    assert_eq!(m.params, vec!["张三".to_owned(), "2026-000123".to_owned()]);
    assert_eq!(m.template_id, "1110");

    let found = client.lookup("tongban-notice-9", "13800138000", since()).await.expect("lookup");
    assert_eq!(found, Some(first.clone()));
    assert_eq!(client.lookup("tongban-notice-8", "13800138000", since()).await.expect("lookup"), None);

    let receipts = client.receipts(since()).await.expect("receipts");
    assert!(
        matches!(receipts.as_slice(), [Receipt::Delivered { provider_id, .. }] if *provider_id == first.provider_id),
        "{receipts:?}"
    );
    assert!(client.receipts(since()).await.expect("receipts").is_empty(), "each report once");
}

#[tokio::test]
async fn tencent_refuses_a_wrong_signature_and_its_error_codes_map() {
    let fake = fake_tencent::start("AKIDtestsecretid", "tc3-secret", "1400006666").await.expect("fake");
    let wrong = tencent_for(&fake, "wrong");
    let err = wrong.send(&tencent_sms("tongban-notice-1", "13800138000")).await.expect_err("signature");
    assert!(matches!(&err, SendError::Retry(r) if r.contains("AuthFailure.SignatureFailure")), "{err:?}");
    assert!(fake.messages().is_empty());

    let client = tencent_for(&fake, "tc3-secret");
    let err = client.send(&tencent_sms("tongban-notice-2", "1380013")).await.expect_err("number");
    assert!(
        matches!(&err, SendError::Refused { code, .. } if code == "InvalidParameterValue.IncorrectPhoneNumber"),
        "{err:?}"
    );
    fake.unapprove_template("1110");
    let err = client.send(&tencent_sms("tongban-notice-3", "13800138000")).await.expect_err("template");
    assert!(
        matches!(&err, SendError::Refused { code, .. } if code == "FailedOperation.TemplateUnapprovedOrNotExist"),
        "{err:?}"
    );

    let fake = fake_tencent::start("AKIDtestsecretid", "tc3-secret", "1400006666").await.expect("fake");
    let client = tencent_for(&fake, "tc3-secret");
    fake.faults().fail_with(Some("LimitExceeded.PhoneNumberDailyLimit"));
    let err = client.send(&tencent_sms("tongban-notice-4", "13800138000")).await.expect_err("limited");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    fake.faults().fail_with(Some("FailedOperation.SignatureIncorrectOrUnapproved"));
    let err = client.send(&tencent_sms("tongban-notice-4", "13800138000")).await.expect_err("sign");
    assert!(
        matches!(&err, SendError::Refused { code, .. } if code == "FailedOperation.SignatureIncorrectOrUnapproved"),
        "{err:?}"
    );
    fake.faults().fail_with(None);
    fake.faults().hang(true);
    let err = client.send(&tencent_sms("tongban-notice-4", "13800138000")).await.expect_err("timeout");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    fake.faults().hang(false);

    fake.undeliverable("+8613900139000", "FAIL");
    let sent = client.send(&tencent_sms("tongban-notice-5", "13900139000")).await.expect("sent");
    let receipts = client.receipts(since()).await.expect("receipts");
    assert!(
        matches!(receipts.as_slice(), [Receipt::Failed { provider_id, .. }] if *provider_id == sent.provider_id),
        "{receipts:?}"
    );
}

#[tokio::test]
async fn tencent_with_random_failures_takes_each_key_once() {
    let fake = fake_tencent::start("AKIDtestsecretid", "tc3-secret", "1400006666").await.expect("fake");
    fake.faults().random_failures(0.4, 7);
    let client = tencent_for(&fake, "tc3-secret");
    let mut taken = 0;
    for i in 0..40 {
        let key = format!("tongban-notice-{i}");
        for _ in 0..50 {
            if client.send(&tencent_sms(&key, "13800138000")).await.is_ok() {
                taken += 1;
                break;
            }
        }
        assert_eq!(fake.count_for(&key), 1, "{key}");
    }
    assert_eq!((taken, fake.messages().len()), (40, 40));
}

// ---- WeChat ----

const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

fn wechat_for(fake: &fake_wechat::Wechat, secret: &str) -> Wechat {
    Wechat::new(WechatConfig {
        endpoint: fake.endpoint(),
        app_id: "wx1234567890abcdef".into(),
        app_secret: secret.into(),
        timeout: Duration::from_millis(500),
    })
    .expect("wechat client")
}

fn subscribe(key: &str, openid: &str, thing: &str) -> Outgoing {
    let mut n = notice(key, openid);
    n.template = Some(ProviderTemplate {
        id: "bDmywsp2oEHjwAadTGKkUHpC0RgBVPvfAKpvnNpcdY4".into(),
        params: vec![
            ("character_string1".into(), "2026-000123".into()),
            ("thing2".into(), thing.into()),
            ("phrase3".into(), "已受理".into()),
        ],
    });
    n
}

#[tokio::test]
async fn wechat_sends_with_a_cached_token_and_refreshes_it_when_refused() {
    let fake = fake_wechat::start("wx1234567890abcdef", "app-secret").await.expect("fake");
    let client = wechat_for(&fake, "app-secret");
    let sent = client.send(&subscribe("tongban-notice-1", OPENID, "食品经营许可")).await.expect("sent");
    assert!(!sent.provider_id.is_empty());
    client.send(&subscribe("tongban-notice-2", OPENID, "食品经营许可")).await.expect("sent");
    assert_eq!(fake.token_requests(), 1, "the token is kept");
    let m = &fake.messages()[0];
    assert_eq!(m.touser, OPENID);
    assert_eq!(m.data.get("thing2").map(String::as_str), Some("食品经营许可"));
    assert_eq!(m.data.get("character_string1").map(String::as_str), Some("2026-000123"));

    fake.expire_tokens();
    client.send(&subscribe("tongban-notice-3", OPENID, "食品经营许可")).await.expect("sent after 42001");
    assert_eq!(fake.token_requests(), 2);
    fake.forget_tokens();
    client.send(&subscribe("tongban-notice-4", OPENID, "食品经营许可")).await.expect("sent after 40001");
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(fake.messages().len(), 4);

    // A token that lives a short while is asked for again before it runs out.
    fake.set_token_ttl(1);
    let short = wechat_for(&fake, "app-secret");
    short.send(&subscribe("tongban-notice-5", OPENID, "食品经营许可")).await.expect("sent");
    short.send(&subscribe("tongban-notice-6", OPENID, "食品经营许可")).await.expect("sent");
    assert_eq!(fake.token_requests(), 5);
}

#[tokio::test]
async fn wechat_errors_map_to_retry_or_refused() {
    let fake = fake_wechat::start("wx1234567890abcdef", "app-secret").await.expect("fake");
    let wrong = wechat_for(&fake, "not-the-secret");
    let err = wrong.send(&subscribe("tongban-notice-1", OPENID, "食品经营许可")).await.expect_err("secret");
    assert!(matches!(&err, SendError::Retry(r) if r.contains("40125")), "{err:?}");

    let client = wechat_for(&fake, "app-secret");
    fake.refuse(OPENID);
    let err = client.send(&subscribe("tongban-notice-2", OPENID, "食品经营许可")).await.expect_err("refused");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "43101"), "{err:?}");
    let err = client.send(&subscribe("tongban-notice-3", "nobody", "食品经营许可")).await.expect_err("openid");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "40003"), "{err:?}");
    let other = "oUpF8uMuAJO_M2pxb1Q9zNjWeS7x";
    let long = "一二三四五六七八九十一二三四五六七八九十一";
    let err = client.send(&subscribe("tongban-notice-4", other, long)).await.expect_err("thing > 20");
    assert!(matches!(&err, SendError::Refused { code, .. } if code == "47003"), "{err:?}");
    fake.faults().fail_with(Some("-1"));
    let err = client.send(&subscribe("tongban-notice-5", other, "食品经营许可")).await.expect_err("busy");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    fake.faults().fail_with(Some("45009"));
    let err = client.send(&subscribe("tongban-notice-6", other, "食品经营许可")).await.expect_err("quota");
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    fake.faults().fail_with(None);
    client.send(&subscribe("tongban-notice-7", other, "食品经营许可")).await.expect("sent");
    assert_eq!(fake.messages().len(), 1);
}
