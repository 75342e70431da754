//! The notice outbox through the use cases, on SQLite and PostgreSQL, against the local
//! provider servers of `tongban-fakes`: a notice is written with its event and never
//! without it; a correction request reaches the applicant's inbox and mailbox with the case
//! number; a statutory notice falls back when SMS refuses; a send left in doubt is settled
//! without a second message; and a simulation with random provider failures and timeouts
//! delivers every notice exactly once per recipient and channel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tongban_app::notify::aliyun::{Aliyun, AliyunConfig};
use tongban_app::notify::smtp::{Smtp, SmtpConfig};
use tongban_app::notify::wechat::{Wechat, WechatConfig};
use tongban_app::notify::{self, Gateways, SmsGateway};
use tongban_app::{Account, App, Principal, Via};
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Applicant, ApplicantKind, CaseCommand, CaseNumber, Submission};
use tongban_core::identity::Role;
use tongban_core::item::{Channel as ItemChannel, ItemCode};
use tongban_core::notice::{Channel, NoticeState};
use tongban_core::org::DepartmentCode;
use tongban_fakes::smtp::{self as sink, Mode};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};

const ID_CARD: &str = "620102199001011234";
const MOBILE: &str = "13912345678";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("time")
}

fn account(login: &str, role: Role, department: Option<&str>) -> Account {
    Account {
        id: login.into(),
        kind: if role == Role::Applicant { "applicant" } else { "staff" }.into(),
        display_name: format!("{login}名"),
        role,
        department: department.map(|d| DepartmentCode::parse(d).expect("code")),
        window: None,
        position: (role == Role::DepartmentHead).then(|| "head".to_owned()),
        applicant_kind: (role == Role::Applicant).then(|| "individual".to_owned()),
        id_number: (role == Role::Applicant).then(|| ID_CARD.to_owned()),
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
    applicant: Principal,
    admin: Principal,
}

impl Center {
    fn now(&self) -> jiff::Timestamp {
        *self.clock.lock().expect("clock")
    }

    fn advance(&self, secs: i64) {
        let mut c = self.clock.lock().expect("clock");
        *c = c.checked_add(jiff::SignedDuration::from_secs(secs)).expect("time");
    }
}

async fn center(t: &TestStore, gateways: Gateways, start: jiff::Timestamp) -> Center {
    seed_minimal(&t.store).await;
    let accounts = [
        account("head", Role::DepartmentHead, Some("fgw")),
        account("wang", Role::Applicant, None),
        account("admin", Role::Administrator, None),
    ];
    let stored = accounts.clone();
    let at = ts("2026-01-05T00:00:00Z");
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
    let clock = Arc::new(Mutex::new(start));
    let c = clock.clone();
    app.clock = Arc::new(move || *c.lock().expect("clock"));
    app.rates = None;
    app.public_base_url = "https://zwfw.example".into();
    app.gateways = Arc::new(gateways);
    let [head, applicant, admin] = accounts.map(|a| principal(&a));
    Center { app, clock, head, applicant, admin }
}

/// The applicant's case, handed in online.
async fn submitted(c: &Center) -> CaseNumber {
    let submission = Submission {
        applicant: Applicant {
            kind: ApplicantKind::Individual,
            name: "王芳".into(),
            id_number: ID_CARD.into(),
            phone: Some(MOBILE.into()),
        },
        channel: ItemChannel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    };
    let item = ItemCode::parse("620100-FGW-001").expect("code");
    tongban_app::submit_case(&c.app, &c.applicant, &item, submission).await.expect("submitted").number
}

fn correction() -> CaseCommand {
    CaseCommand::RequestCorrection {
        missing: vec!["营业执照".into()], note: "请补交清晰的营业执照副本".into()
    }
}

fn smtp_for(s: &sink::SmtpSink) -> Smtp {
    let mut config = SmtpConfig::new(s.url(), "政务服务中心 <noreply@zwfw.example>");
    config.ca_pem = Some(s.ca_pem().to_owned());
    config.timeout = Duration::from_secs(5);
    Smtp::new(config).expect("smtp")
}

fn aliyun_for(fake: &tongban_fakes::aliyun::Aliyun, timeout: Duration) -> Aliyun {
    Aliyun::new(AliyunConfig {
        endpoint: fake.endpoint(),
        access_key_id: "LTAI-test".into(),
        access_key_secret: "secret-test".into(),
        sign_name: "政务服务中心".into(),
        timeout,
    })
    .expect("aliyun")
}

async fn notices(c: &Center, case: &CaseNumber) -> Vec<notify::NoticeView> {
    notify::case_notices(&c.app, &c.head, case).await.expect("notices")
}

fn of<'a>(list: &'a [notify::NoticeView], event: &str, channel: Channel) -> Vec<&'a notify::NoticeView> {
    list.iter().filter(|n| n.event == event && n.channel == channel).collect()
}

#[tokio::test]
async fn a_notice_is_written_with_its_event_and_never_without_it() {
    for t in each_backend().await {
        let c = center(&t, Gateways::default(), ts("2026-03-02T02:00:00Z")).await;
        let case = submitted(&c).await;
        let list = notices(&c, &case).await;
        let receipt = of(&list, "submitted", Channel::Inbox);
        assert_eq!(receipt.len(), 1, "{}: the receipt is in the inbox: {list:?}", t.name);
        assert_eq!(receipt[0].state, NoticeState::Delivered);
        // Without a gateway or consent nothing else is queued.
        assert_eq!(list.len(), 1, "{}", t.name);

        // An act refused inside its transaction (the case moved on under it) writes no notice.
        let stale = tongban_app::act_on_case(&c.app, &c.head, &case, correction(), Some(0)).await;
        assert!(stale.is_err(), "{}", t.name);
        assert_eq!(notices(&c, &case).await.len(), 1, "{}: no notice without its event", t.name);

        // With notices off, events write none at all.
        let mut off = c.app.clone();
        off.notices_on = false;
        tongban_app::act_on_case(&off, &c.head, &case, CaseCommand::Accept, None).await.expect("accepted");
        assert_eq!(notices(&c, &case).await.len(), 1, "{}", t.name);
        // The applicant sees the receipt in the inbox.
        let inbox = notify::inbox(&c.app, &c.applicant).await.expect("inbox");
        assert_eq!(inbox.len(), 1);
        assert!(inbox[0].subject.contains(case.as_str()), "{}", inbox[0].subject);
        notify::mark_read(&c.app, &c.applicant, inbox[0].id).await.expect("read");
        assert!(notify::inbox(&c.app, &c.applicant).await.expect("inbox")[0].read);
        assert!(notify::mark_read(&c.app, &c.admin, inbox[0].id).await.is_err(), "not the admin's message");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_correction_request_reaches_the_inbox_and_the_mailbox_with_the_case_number() {
    for t in each_backend().await {
        let mail = sink::start(Mode::StartTls).await.expect("sink");
        let gateways = Gateways { smtp: Some(smtp_for(&mail)), ..Gateways::default() };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        // No e-mail yet: consent to e-mail is refused; with an address it is given.
        let refused = notify::set_consent(&c.app, &c.applicant, Channel::Email, true).await;
        assert!(refused.is_err(), "{}", t.name);
        let bad = notify::set_contact(&c.app, &c.applicant, Some("not an address".into()), None).await;
        assert!(bad.is_err());
        notify::set_contact(&c.app, &c.applicant, Some("wang.fang@example.cn".into()), Some(MOBILE.into()))
            .await
            .expect("contact");
        let prefs = notify::set_consent(&c.app, &c.applicant, Channel::Email, true).await.expect("consent");
        assert!(prefs.channels.iter().any(|p| p.channel == Channel::Email && p.consented && p.available));

        let case = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &case, correction(), None).await.expect("correction");
        let list = notices(&c, &case).await;
        let queued = of(&list, "correction_requested", Channel::Email);
        assert_eq!(queued.len(), 1, "{}: {list:?}", t.name);
        assert_eq!(queued[0].state, NoticeState::Queued);
        assert_eq!(of(&list, "correction_requested", Channel::Inbox)[0].state, NoticeState::Delivered);

        let handled = notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        assert_eq!(handled, 2, "{}: the receipt and the correction", t.name);
        let list = notices(&c, &case).await;
        let sent = of(&list, "correction_requested", Channel::Email);
        assert_eq!(sent[0].state, NoticeState::Sent, "{}: {list:?}", t.name);
        let messages = mail.messages();
        assert_eq!(messages.len(), 2, "{}", t.name);
        let m = messages.iter().find(|m| m.subject().is_some_and(|s| s.contains("补正"))).expect("correction mail");
        assert_eq!(m.to, vec!["wang.fang@example.cn".to_owned()]);
        assert!(m.subject().is_some_and(|s| s.contains(case.as_str())));
        assert!(m.text().contains(case.as_str()), "{}", m.text());
        assert!(m.text().contains("营业执照"), "{}", m.text());
        // Nothing is due any more: another pass sends nothing again.
        assert_eq!(notify::worker::run_once(&c.app, c.now()).await.expect("pass"), 0);
        assert_eq!(mail.count(), 2);
        let stats = notify::delivery_stats(&c.app, &c.admin).await.expect("stats");
        let email = stats.iter().find(|s| s.channel == Channel::Email).expect("email");
        assert_eq!((email.sent, email.queued, email.failed), (2, 0, 0));
        assert!(notify::delivery_stats(&c.app, &c.applicant).await.is_err());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_statutory_notice_falls_back_to_email_when_sms_refuses() {
    for t in each_backend().await {
        let mail = sink::start(Mode::Plain).await.expect("sink");
        let sms = tongban_fakes::aliyun::start("LTAI-test", "secret-test").await.expect("aliyun");
        let gateways = Gateways {
            smtp: Some(smtp_for(&mail)),
            sms: Some(SmsGateway::Aliyun(aliyun_for(&sms, Duration::from_secs(5)))),
            ..Gateways::default()
        };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        notify::set_contact(&c.app, &c.applicant, Some("wang@example.cn".into()), Some(MOBILE.into()))
            .await
            .expect("contact");
        for ch in [Channel::Sms, Channel::Email] {
            notify::set_consent(&c.app, &c.applicant, ch, true).await.expect("consent");
        }
        let case = submitted(&c).await;
        // The correction's SMS template is not approved at the provider.
        sms.unapprove_template("SMS_TONGBAN_CORRECTION_REQUESTED");
        tongban_app::act_on_case(&c.app, &c.head, &case, correction(), None).await.expect("correction");
        notify::worker::run_once(&c.app, c.now()).await.expect("first pass");
        let list = notices(&c, &case).await;
        let failed = of(&list, "correction_requested", Channel::Sms);
        assert_eq!(failed[0].state, NoticeState::Failed, "{}: {list:?}", t.name);
        assert!(failed[0].reason.as_deref().is_some_and(|r| r.contains("SMS_TEMPLATE_ILLEGAL")), "{:?}", failed[0]);
        // The receipt is not statutory: it went by SMS; the correction falls back to e-mail.
        assert_eq!(of(&list, "submitted", Channel::Sms)[0].state, NoticeState::Sent);
        assert_eq!(of(&list, "submitted", Channel::Email).len(), 0);
        let fallback = of(&list, "correction_requested", Channel::Email);
        assert_eq!(fallback.len(), 1, "{}", t.name);
        notify::worker::run_once(&c.app, c.now()).await.expect("second pass");
        let list = notices(&c, &case).await;
        assert_eq!(of(&list, "correction_requested", Channel::Email)[0].state, NoticeState::Sent);
        assert!(mail.messages().iter().any(|m| m.text().contains(case.as_str())));
        // The administrator sees the failed one, retries it (still refused) or cancels it.
        let failed = notify::failed_notices(&c.app, &c.admin).await.expect("failed");
        assert_eq!(failed.len(), 1);
        let cancelled = notify::cancel_notice(&c.app, &c.admin, failed[0].id).await.expect("cancel");
        assert_eq!(cancelled.state, NoticeState::Cancelled);
        assert!(notify::retry_notice(&c.app, &c.admin, failed[0].id).await.is_err(), "only failed ones");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_send_left_in_doubt_is_recorded_once_and_not_sent_again() {
    for t in each_backend().await {
        let sms = tongban_fakes::aliyun::start("LTAI-test", "secret-test").await.expect("aliyun");
        let client = aliyun_for(&sms, Duration::from_secs(5));
        let gateways =
            Gateways { sms: Some(SmsGateway::Aliyun(aliyun_for(&sms, Duration::from_secs(5)))), ..Gateways::default() };
        let c = center(&t, gateways, jiff::Timestamp::now()).await;
        notify::set_contact(&c.app, &c.applicant, None, Some(MOBILE.into())).await.expect("contact");
        notify::set_consent(&c.app, &c.applicant, Channel::Sms, true).await.expect("consent");
        let case = submitted(&c).await;
        let list = notices(&c, &case).await;
        let n = of(&list, "submitted", Channel::Sms)[0].clone();
        // The crash: marked sending and committed, the provider took it, the answer was lost.
        let now = c.now();
        let ids = vec![n.id];
        t.store
            .write(move |conn| Box::pin(async move { tongban_store::mark_notices_sending(conn, &ids, now).await }))
            .await
            .expect("sending");
        let key = format!("tongban-notice-{}", n.id);
        let row = t.store.notice(n.id).await.expect("read").expect("notice");
        let outgoing = notify::Outgoing {
            key: key.clone(),
            address: MOBILE.into(),
            subject: row.subject.clone(),
            body: row.body.clone(),
            template: row.provider.clone().map(|(id, params)| notify::ProviderTemplate { id, params }),
            url: row.url.clone(),
        };
        let first = client.send(&outgoing).await.expect("the provider took it");
        c.advance(60);
        notify::worker::run_once(&c.app, c.now()).await.expect("settling pass");
        let after = t.store.notice(n.id).await.expect("read").expect("notice");
        assert_eq!(after.state, NoticeState::Sent, "{}", t.name);
        // The provider's record of it (Aliyun's details name the message by its OutId).
        assert!(after.provider_id.is_some(), "{}: {after:?}", t.name);
        let _ = first;
        assert_eq!(sms.count_for(&key), 1, "{}: never delivered twice", t.name);
        // Known by its key (QuerySendDetails names no BizId); its delivery receipt, polled
        // at the next pass, finds it all the same.
        assert_eq!(after.provider_id.as_deref(), Some(key.as_str()), "{}", t.name);
        c.advance(60);
        notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        assert_eq!(sms.messages().len(), 1, "{}", t.name);
        let delivered = t.store.notice(n.id).await.expect("read").expect("notice");
        assert_eq!(delivered.state, NoticeState::Delivered, "{}: {delivered:?}", t.name);
        assert!(delivered.delivered_at.is_some(), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn with_random_failures_and_timeouts_every_notice_arrives_exactly_once() {
    for t in each_backend().await {
        let sms = tongban_fakes::aliyun::start("LTAI-test", "secret-test").await.expect("aliyun");
        // Short timeouts: a hung provider costs the pass little.
        let gateways = Gateways {
            sms: Some(SmsGateway::Aliyun(aliyun_for(&sms, Duration::from_millis(300)))),
            ..Gateways::default()
        };
        let c = center(&t, gateways, jiff::Timestamp::now()).await;
        notify::set_contact(&c.app, &c.applicant, None, Some(MOBILE.into())).await.expect("contact");
        notify::set_consent(&c.app, &c.applicant, Channel::Sms, true).await.expect("consent");
        const CASES: usize = 40;
        let mut cases = Vec::new();
        for _ in 0..CASES {
            cases.push(submitted(&c).await);
        }
        for case in cases.iter().step_by(2) {
            tongban_app::act_on_case(&c.app, &c.head, case, CaseCommand::Accept, None).await.expect("accepted");
        }
        // A third of the requests fail: half refused as busy, half taken with the answer lost.
        sms.faults().random_failures(0.35, 21);
        let mut passes = 0;
        loop {
            passes += 1;
            if passes % 7 == 3 {
                sms.faults().hang(true);
            }
            notify::worker::run_once(&c.app, c.now()).await.expect("pass");
            sms.faults().hang(false);
            let waiting = t
                .store
                .due_notices(c.now().checked_add(jiff::SignedDuration::from_hours(24)).expect("t"), 10_000)
                .await
                .expect("due");
            if waiting.is_empty() || passes > 200 {
                break;
            }
            c.advance(120);
        }
        sms.faults().random_failures(0.0, 0);
        let mut all = Vec::new();
        for case in &cases {
            all.extend(notices(&c, case).await.into_iter().filter(|n| n.channel == Channel::Sms));
        }
        assert_eq!(all.len(), CASES + CASES / 2, "{}: a receipt per case and an acceptance per other", t.name);
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for m in sms.messages() {
            *by_key.entry(m.out_id.clone().unwrap_or_default()).or_default() += 1;
        }
        for n in &all {
            let key = format!("tongban-notice-{}", n.id);
            // Sent, or delivered once its receipt came in.
            assert!(matches!(n.state, NoticeState::Sent | NoticeState::Delivered), "{}: {n:?} after {passes}", t.name);
            assert_eq!(by_key.get(&key).copied(), Some(1), "{}: {key} delivered once", t.name);
        }
        assert_eq!(sms.messages().len(), all.len(), "{}: nothing else was delivered", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn supervision_alerts_tell_the_owner_and_whoever_they_escalate_to() {
    for t in each_backend().await {
        let c = center(&t, Gateways::default(), ts("2026-03-02T02:00:00Z")).await;
        let case = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &case, CaseCommand::Accept, None).await.expect("accepted");
        let owner = tongban_app::visible_case(&c.app, &c.head, &case).await.expect("case").owner;
        let mut watcher = tongban_app::worker::Watcher::start(&c.app, c.now()).await.expect("starts");
        // Every hour for ten days: past due, and past every escalation.
        for _ in 0..240 {
            c.advance(3_600);
            assert!(watcher.step(&c.app, c.now()).await.expect("tick"));
        }
        let list = notices(&c, &case).await;
        let to_owner = |event: &str| list.iter().filter(|n| n.event == event && n.recipient == owner).count();
        assert_eq!(to_owner("alert_yellow"), 1, "{}: {list:?}", t.name);
        assert_eq!(to_owner("alert_red"), 1, "{}: {list:?}", t.name);
        // The department's head hears of the red case once it escalates to the chief level.
        assert!(list.iter().any(|n| n.event == "alert_red" && n.recipient == "head"), "{}: {list:?}", t.name);
        // The applicant is not shown the staff's alerts.
        let seen = notify::case_notices(&c.app, &c.applicant, &case).await.expect("notices");
        assert!(seen.iter().all(|n| !n.event.starts_with("alert_")), "{}: {seen:?}", t.name);
        assert!(seen.iter().any(|n| n.event == "accepted"), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn templates_are_versioned_and_wechat_consent_is_per_template() {
    for t in each_backend().await {
        let c = center(&t, Gateways::default(), ts("2026-03-02T02:00:00Z")).await;
        let event = tongban_core::notice::NoticeEvent::Submitted;
        let mut template = notify::notice_template(&c.app, &c.admin, event, Channel::Inbox).await.expect("template");
        assert_eq!(template.version, 1);
        template.subject = "收件：{case_number}（{item}）".into();
        let saved = notify::save_notice_template(&c.app, &c.admin, template.clone()).await.expect("saved");
        assert_eq!(saved.version, 2);
        template.subject = "{unknown}".into();
        assert!(notify::save_notice_template(&c.app, &c.admin, template).await.is_err());
        assert!(notify::notice_template(&c.app, &c.applicant, event, Channel::Inbox).await.is_err());
        let case = submitted(&c).await;
        let inbox = notify::inbox(&c.app, &c.applicant).await.expect("inbox");
        assert_eq!(inbox[0].subject, format!("收件：{case}（企业投资项目备案）"), "{}", t.name);

        let prefs = notify::record_wechat_consent(&c.app, &c.applicant, "oABC-123_x", "tongban-accepted", false)
            .await
            .expect("consent");
        assert!(prefs.channels.iter().any(|p| p.channel == Channel::Wechat && p.consented), "{}", t.name);
        assert!(t.store.has_wechat_consent("wang", "tongban-accepted").await.expect("read"));
        assert!(!t.store.has_wechat_consent("wang", "tongban-approved").await.expect("read"));
        // A one-time consent is used up by one message.
        let used = t
            .store
            .write(|c| {
                Box::pin(async move {
                    let first = tongban_store::consume_wechat_consent(c, "wang", "tongban-accepted").await?;
                    let second = tongban_store::consume_wechat_consent(c, "wang", "tongban-accepted").await?;
                    Ok::<_, tongban_store::StoreError>((first, second))
                })
            })
            .await
            .expect("consume");
        assert_eq!(used, (true, false), "{}", t.name);
        assert!(notify::record_wechat_consent(&c.app, &c.applicant, "bad openid!", "t", true).await.is_err());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_channel_that_keeps_failing_alerts_the_administrators_once() {
    for t in each_backend().await {
        let mail = sink::start(Mode::Plain).await.expect("sink");
        let gateways = Gateways { smtp: Some(smtp_for(&mail)), ..Gateways::default() };
        // Mon 2 Mar 2026 10:00 in Beijing: working time, so the alert is not held back.
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        notify::set_contact(&c.app, &c.applicant, Some("wang@example.cn".into()), None).await.expect("contact");
        notify::set_consent(&c.app, &c.applicant, Channel::Email, true).await.expect("consent");
        mail.reply_with(Some((451, "4.3.0 mail system unavailable")));
        let threshold = usize::try_from(tongban_core::notice::policy::FAILING_AFTER).expect("small");
        for _ in 0..threshold + 5 {
            submitted(&c).await;
        }
        notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        let stats = notify::delivery_stats(&c.app, &c.admin).await.expect("stats");
        assert!(stats.iter().any(|s| s.channel == Channel::Email && s.failing), "{}: {stats:?}", t.name);
        let alerts: Vec<_> = notify::inbox(&c.app, &c.admin)
            .await
            .expect("inbox")
            .into_iter()
            .filter(|m| m.subject.contains("通道故障"))
            .collect();
        assert_eq!(alerts.len(), 1, "{}: once per episode", t.name);
        assert!(alerts[0].body.contains("email"), "{}", alerts[0].body);
        // Still failing at the retries: no second alert; once it works again, not failing.
        c.advance(3_600);
        notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        let admin_inbox = notify::inbox(&c.app, &c.admin).await.expect("inbox");
        assert_eq!(admin_inbox.iter().filter(|m| m.subject.contains("通道故障")).count(), 1, "{}", t.name);
        mail.reply_with(None);
        c.advance(3_600);
        notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        let stats = notify::delivery_stats(&c.app, &c.admin).await.expect("stats");
        assert!(stats.iter().any(|s| s.channel == Channel::Email && !s.failing && s.sent > 0), "{}: {stats:?}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn sign_up_takes_an_email_address_checked_by_core() {
    for t in each_backend().await {
        let c = center(&t, Gateways::default(), ts("2026-03-02T02:00:00Z")).await;
        let public =
            Principal { account: None, via: Via::Anonymous, client: None, session_hash: None, session_csrf: None };
        let request = |email: &str| tongban_app::SignUp {
            login: "li.na".into(),
            password: "long enough pass".into(),
            name: "李娜".into(),
            kind: "individual".into(),
            id_number: "11010519491231002X".into(),
            phone: Some(MOBILE.into()),
            email: Some(email.into()),
        };
        let refused = tongban_app::sign_up(&c.app, &public, request("li.na@")).await;
        assert!(
            matches!(&refused, Err(tongban_app::AppError::Invalid(f)) if f.iter().any(|(n, _)| n == "email")),
            "{}: {refused:?}",
            t.name
        );
        let account = tongban_app::sign_up(&c.app, &public, request(" Li.Na@Example.CN ")).await.expect("signed up");
        let prefs = notify::preferences(&c.app, &principal(&account)).await.expect("preferences");
        assert_eq!(prefs.email.as_deref(), Some("Li.Na@example.cn"), "{}", t.name);
        assert_eq!(prefs.mobile.as_deref(), Some(MOBILE));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_statutory_sms_the_handset_never_got_falls_back_to_email() {
    for t in each_backend().await {
        let mail = sink::start(Mode::Plain).await.expect("sink");
        let sms = tongban_fakes::aliyun::start("LTAI-test", "secret-test").await.expect("aliyun");
        let gateways = Gateways {
            smtp: Some(smtp_for(&mail)),
            sms: Some(SmsGateway::Aliyun(aliyun_for(&sms, Duration::from_secs(5)))),
            ..Gateways::default()
        };
        let c = center(&t, gateways, jiff::Timestamp::now()).await;
        notify::set_contact(&c.app, &c.applicant, Some("wang@example.cn".into()), Some(MOBILE.into()))
            .await
            .expect("contact");
        for ch in [Channel::Sms, Channel::Email] {
            notify::set_consent(&c.app, &c.applicant, ch, true).await.expect("consent");
        }
        sms.undeliverable(MOBILE, "MOBILE_NOT_ON_SERVICE");
        let case = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &case, correction(), None).await.expect("correction");
        let mut passes = 0;
        let email = loop {
            passes += 1;
            notify::worker::run_once(&c.app, c.now()).await.expect("pass");
            let list = notices(&c, &case).await;
            let email = of(&list, "correction_requested", Channel::Email).first().map(|n| (*n).clone());
            if email.as_ref().is_some_and(|e| e.state == NoticeState::Sent) || passes > 10 {
                break email;
            }
            c.advance(60);
        };
        let list = notices(&c, &case).await;
        let sms_notice = of(&list, "correction_requested", Channel::Sms)[0];
        assert_eq!(sms_notice.state, NoticeState::Failed, "{}: {list:?}", t.name);
        assert_eq!(email.map(|e| e.state), Some(NoticeState::Sent), "{}: {list:?}", t.name);
        // The receipt is not statutory: its undelivered SMS does not fall back.
        assert!(of(&list, "submitted", Channel::Email).is_empty(), "{}", t.name);
        assert!(mail.messages().iter().any(|m| m.text().contains(case.as_str())));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_push_notice_goes_to_every_subscription_and_a_gone_one_is_removed() {
    for t in each_backend().await {
        let service = tongban_fakes::push::start().await.expect("push service");
        let dir = tempfile::tempdir().expect("dir");
        let webpush = tongban_app::notify::push::WebPush::open_or_init(dir.path(), "mailto:zwfw@example.cn")
            .expect("vapid")
            .with_endpoints(tongban_app::notify::push::EndpointPolicy::local());
        let gateways = Gateways { push: Some(webpush), ..Gateways::default() };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        let (phone, laptop) = (service.new_subscription(), service.new_subscription());
        for s in [&phone, &laptop] {
            let v: serde_json::Value = serde_json::from_str(s).expect("subscription json");
            let row = tongban_store::NewPushSubscription {
                account: "wang".into(),
                endpoint: v["endpoint"].as_str().expect("endpoint").into(),
                p256dh: v["keys"]["p256dh"].as_str().expect("p256dh").into(),
                auth: v["keys"]["auth"].as_str().expect("auth").into(),
                at: c.now(),
                user_agent: None,
            };
            t.store
                .write(move |conn| Box::pin(async move { tongban_store::upsert_push_subscription(conn, &row).await }))
                .await
                .expect("subscribed");
        }
        notify::set_consent(&c.app, &c.applicant, Channel::Push, true).await.expect("consent");
        service.gone(&laptop);
        let case = submitted(&c).await;
        notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        let list = notices(&c, &case).await;
        assert_eq!(of(&list, "submitted", Channel::Push)[0].state, NoticeState::Sent, "{}: {list:?}", t.name);
        let got = service.received_by(&phone);
        assert_eq!(got.len(), 1, "{}", t.name);
        assert!(got[0].json()["body"].as_str().is_some_and(|b| b.contains(case.as_str())), "{}", got[0].text());
        // The subscription the browser gave up is gone from the account.
        assert_eq!(t.store.push_subscriptions("wang").await.expect("subscriptions").len(), 1, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn staff_alerts_keep_quiet_hours_except_red_ones() {
    for t in each_backend().await {
        let mail = sink::start(Mode::Plain).await.expect("sink");
        let gateways = Gateways { smtp: Some(smtp_for(&mail)), ..Gateways::default() };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        notify::set_contact(&c.app, &c.head, Some("head@zwfw.example".into()), None).await.expect("contact");
        notify::set_consent(&c.app, &c.head, Channel::Email, true).await.expect("consent");
        let case = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &case, CaseCommand::Accept, None).await.expect("accepted");
        let mut watcher = tongban_app::worker::Watcher::start(&c.app, c.now()).await.expect("starts");
        // Every 37 minutes for ten days: alerts are raised at all hours.
        for _ in 0..390 {
            c.advance(37 * 60);
            assert!(watcher.step(&c.app, c.now()).await.expect("tick"));
        }
        let calendar = WorkingCalendar::builtin();
        let rows = t.store.notices_of_case(case.as_str()).await.expect("notices");
        let by_mail =
            |event: &str| rows.iter().filter(|n| n.event == event && n.channel == Channel::Email).collect::<Vec<_>>();
        let (yellow, red) = (by_mail("alert_yellow"), by_mail("alert_red"));
        assert!(!yellow.is_empty() && !red.is_empty(), "{}: {rows:?}", t.name);
        for n in yellow {
            assert!(n.due_at >= n.created_at, "{}", t.name);
            assert!(calendar.is_working_time(n.due_at).expect("calendar"), "{}: {n:?} waits for working time", t.name);
        }
        for n in red {
            assert_eq!(n.due_at, n.created_at, "{}: red goes at once", t.name);
        }
        t.cleanup().await;
    }
}

const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

fn wechat_for(fake: &tongban_fakes::wechat::Wechat) -> Wechat {
    Wechat::new(WechatConfig {
        endpoint: fake.endpoint(),
        app_id: "wx1234567890abcdef".into(),
        app_secret: "wechat-secret".into(),
        timeout: Duration::from_secs(5),
    })
    .expect("wechat")
}

/// Runs passes until nothing is due (at most a few).
async fn drain(c: &Center) {
    for _ in 0..5 {
        if notify::worker::run_once(&c.app, c.now()).await.expect("pass") == 0 {
            return;
        }
        c.advance(60);
    }
}

#[tokio::test]
async fn wechat_subscribe_messages_reach_the_applicant_and_a_refusal_falls_back_to_email() {
    for t in each_backend().await {
        let mail = sink::start(Mode::Plain).await.expect("sink");
        let wx = tongban_fakes::wechat::start("wx1234567890abcdef", "wechat-secret").await.expect("wechat");
        let gateways = Gateways { smtp: Some(smtp_for(&mail)), wechat: Some(wechat_for(&wx)), ..Gateways::default() };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        notify::set_contact(&c.app, &c.applicant, Some("wang@example.cn".into()), None).await.expect("contact");
        notify::set_consent(&c.app, &c.applicant, Channel::Email, true).await.expect("consent");
        // Long-term consent to the receipt and the correction, one-time to the acceptance.
        for (template, long_term) in
            [("tongban-submitted", true), ("tongban-correction_requested", true), ("tongban-accepted", false)]
        {
            notify::record_wechat_consent(&c.app, &c.applicant, OPENID, template, long_term).await.expect("consent");
        }
        let prefs = notify::preferences(&c.app, &c.applicant).await.expect("prefs");
        assert!(prefs.channels.iter().any(|p| p.channel == Channel::Wechat && p.available && p.consented));

        // A correction whose note is longer than a `thing` takes.
        let first = submitted(&c).await;
        let long_note = "请补交加盖公章的营业执照副本复印件以及法定代表人身份证明材料原件";
        let command = CaseCommand::RequestCorrection { missing: vec!["营业执照".into()], note: long_note.into() };
        tongban_app::act_on_case(&c.app, &c.head, &first, command, None).await.expect("correction");
        drain(&c).await;
        let list = notices(&c, &first).await;
        for event in ["submitted", "correction_requested"] {
            let n = of(&list, event, Channel::Wechat);
            assert_eq!(n.len(), 1, "{}: {event} by WeChat: {list:?}", t.name);
            assert_eq!(n[0].state, NoticeState::Sent, "{}: {:?}", t.name, n[0]);
        }
        assert!(of(&list, "correction_requested", Channel::Email).is_empty(), "{}: no fallback needed", t.name);
        let messages = wx.messages();
        assert_eq!(messages.len(), 2, "{}: {messages:?}", t.name);
        for m in &messages {
            assert_eq!(m.touser, OPENID);
            assert_eq!(m.data.get("character_string1").map(String::as_str), Some(first.as_str()), "{m:?}");
            for (field, value) in &m.data {
                if field.starts_with("thing") {
                    assert!(!value.is_empty() && value.chars().count() <= 20, "{}: {field} = {value}", t.name);
                }
            }
        }
        let corrected = messages.iter().find(|m| m.template_id == "tongban-correction_requested").expect("sent");
        let reason = corrected.data.get("thing5").expect("thing5");
        assert_eq!(reason.chars().count(), 20, "{}: the note cut to fit: {reason}", t.name);
        assert!(long_note.starts_with(reason.trim_end_matches('…')), "{reason}");

        // The one-time consent to the acceptance carries one notice; the next falls back.
        let (second, third) = (submitted(&c).await, submitted(&c).await);
        tongban_app::act_on_case(&c.app, &c.head, &second, CaseCommand::Accept, None).await.expect("accepted");
        drain(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &third, CaseCommand::Accept, None).await.expect("accepted");
        drain(&c).await;
        let accepted: Vec<_> = wx.messages().into_iter().filter(|m| m.template_id == "tongban-accepted").collect();
        assert_eq!(accepted.len(), 1, "{}: {accepted:?}", t.name);
        assert_eq!(accepted[0].data.get("character_string1").map(String::as_str), Some(second.as_str()));
        let list = notices(&c, &third).await;
        let used_up = of(&list, "accepted", Channel::Wechat);
        assert_eq!(used_up[0].state, NoticeState::Failed, "{}: {list:?}", t.name);
        assert!(used_up[0].reason.as_deref().is_some_and(|r| r.contains("43101")), "{:?}", used_up[0]);
        assert_eq!(of(&list, "accepted", Channel::Email)[0].state, NoticeState::Sent, "{}: {list:?}", t.name);
        assert!(mail.messages().iter().any(|m| m.text().contains(third.as_str())), "{}", t.name);

        // The user refused at WeChat (43101 from the server): the statutory correction falls
        // back to e-mail; the receipt, not statutory, stays in the inbox only.
        wx.refuse(OPENID);
        let fourth = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &fourth, correction(), None).await.expect("correction");
        drain(&c).await;
        let list = notices(&c, &fourth).await;
        let refused = of(&list, "correction_requested", Channel::Wechat);
        assert_eq!(refused[0].state, NoticeState::Failed, "{}: {list:?}", t.name);
        assert!(refused[0].reason.as_deref().is_some_and(|r| r.starts_with("43101")), "{:?}", refused[0]);
        assert_eq!(of(&list, "correction_requested", Channel::Email)[0].state, NoticeState::Sent, "{}", t.name);
        assert_eq!(of(&list, "submitted", Channel::Wechat)[0].state, NoticeState::Failed, "{}", t.name);
        assert!(of(&list, "submitted", Channel::Email).is_empty(), "{}", t.name);
        let to_fourth: Vec<_> = mail.messages().into_iter().filter(|m| m.text().contains(fourth.as_str())).collect();
        assert_eq!(to_fourth.len(), 1, "{}: the correction only", t.name);
        assert!(to_fourth[0].subject().is_some_and(|s| s.contains("补正")), "{}", t.name);
        assert_eq!(wx.messages().len(), 5, "{}: nothing more reached WeChat", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_notice_queued_before_consent_was_withdrawn_does_not_go_out_on_that_channel() {
    for t in each_backend().await {
        let mail = sink::start(Mode::Plain).await.expect("sink");
        let sms = tongban_fakes::aliyun::start("LTAI-test", "secret-test").await.expect("aliyun");
        let gateways = Gateways {
            smtp: Some(smtp_for(&mail)),
            sms: Some(SmsGateway::Aliyun(aliyun_for(&sms, Duration::from_secs(5)))),
            ..Gateways::default()
        };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        notify::set_contact(&c.app, &c.applicant, Some("wang@example.cn".into()), Some(MOBILE.into()))
            .await
            .expect("contact");
        for ch in [Channel::Sms, Channel::Email] {
            notify::set_consent(&c.app, &c.applicant, ch, true).await.expect("consent");
        }
        // Queued by SMS, the first channel: the receipt and the correction.
        let case = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &case, correction(), None).await.expect("correction");
        let list = notices(&c, &case).await;
        assert_eq!(of(&list, "correction_requested", Channel::Sms)[0].state, NoticeState::Queued, "{}", t.name);
        // Consent to SMS is withdrawn before the worker comes round.
        notify::set_consent(&c.app, &c.applicant, Channel::Sms, false).await.expect("withdrawn");
        drain(&c).await;
        assert!(sms.messages().is_empty(), "{}: nothing went out by SMS: {:?}", t.name, sms.messages());
        let list = notices(&c, &case).await;
        for event in ["submitted", "correction_requested"] {
            let n = of(&list, event, Channel::Sms)[0];
            assert_eq!(n.state, NoticeState::Failed, "{}: {n:?}", t.name);
            assert!(n.reason.as_deref().is_some_and(|r| r.contains("withdrawn")), "{n:?}");
            assert_eq!(of(&list, event, Channel::Inbox)[0].state, NoticeState::Delivered, "{}", t.name);
        }
        // The statutory correction falls back to e-mail, still consented; the receipt does not.
        assert_eq!(of(&list, "correction_requested", Channel::Email)[0].state, NoticeState::Sent, "{}", t.name);
        assert!(of(&list, "submitted", Channel::Email).is_empty(), "{}", t.name);
        assert_eq!(mail.count(), 1, "{}", t.name);

        // Withdrawn from e-mail too: a queued statutory notice goes to the inbox only.
        let other = submitted(&c).await;
        tongban_app::act_on_case(&c.app, &c.head, &other, correction(), None).await.expect("correction");
        notify::set_consent(&c.app, &c.applicant, Channel::Email, false).await.expect("withdrawn");
        drain(&c).await;
        let list = notices(&c, &other).await;
        assert!(list.iter().filter(|n| n.channel != Channel::Inbox).all(|n| n.state == NoticeState::Failed));
        assert_eq!(of(&list, "correction_requested", Channel::Inbox).len(), 1, "{}", t.name);
        assert_eq!(mail.count(), 1, "{}: no more e-mail", t.name);
        assert!(sms.messages().is_empty(), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn push_is_available_only_with_a_subscribed_browser() {
    for t in each_backend().await {
        let service = tongban_fakes::push::start().await.expect("push service");
        let dir = tempfile::tempdir().expect("dir");
        let webpush = tongban_app::notify::push::WebPush::open_or_init(dir.path(), "mailto:zwfw@example.cn")
            .expect("vapid")
            .with_endpoints(tongban_app::notify::push::EndpointPolicy::local());
        let gateways = Gateways { push: Some(webpush), ..Gateways::default() };
        let c = center(&t, gateways, ts("2026-03-02T02:00:00Z")).await;
        let push = |p: &notify::Preferences| p.channels.iter().find(|x| x.channel == Channel::Push).cloned();
        let before = push(&notify::preferences(&c.app, &c.applicant).await.expect("prefs")).expect("push");
        assert!(!before.available, "{}: offered here, but no browser subscribed: {before:?}", t.name);
        assert!(notify::set_consent(&c.app, &c.applicant, Channel::Push, true).await.is_err(), "{}", t.name);
        let s: serde_json::Value = serde_json::from_str(&service.new_subscription()).expect("json");
        let row = tongban_store::NewPushSubscription {
            account: "wang".into(),
            endpoint: s["endpoint"].as_str().expect("endpoint").into(),
            p256dh: s["keys"]["p256dh"].as_str().expect("p256dh").into(),
            auth: s["keys"]["auth"].as_str().expect("auth").into(),
            at: c.now(),
            user_agent: None,
        };
        t.store
            .write(move |conn| Box::pin(async move { tongban_store::upsert_push_subscription(conn, &row).await }))
            .await
            .expect("subscribed");
        let after = push(&notify::preferences(&c.app, &c.applicant).await.expect("prefs")).expect("push");
        assert!(after.available, "{}: {after:?}", t.name);
        notify::set_consent(&c.app, &c.applicant, Channel::Push, true).await.expect("consent");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_restarted_server_still_hears_of_the_receipts_of_what_was_sent_before() {
    for t in each_backend().await {
        let sms = tongban_fakes::aliyun::start("LTAI-test", "secret-test").await.expect("aliyun");
        let gateways =
            Gateways { sms: Some(SmsGateway::Aliyun(aliyun_for(&sms, Duration::from_secs(5)))), ..Gateways::default() };
        let c = center(&t, gateways, jiff::Timestamp::now()).await;
        notify::set_contact(&c.app, &c.applicant, None, Some(MOBILE.into())).await.expect("contact");
        notify::set_consent(&c.app, &c.applicant, Channel::Sms, true).await.expect("consent");
        let case = submitted(&c).await;
        // Sent by a server (recorded under its BizId) that then stopped before it polled the
        // receipt.
        let id = of(&notices(&c, &case).await, "submitted", Channel::Sms)[0].id;
        let row = t.store.notice(id).await.expect("read").expect("notice");
        let now = c.now();
        let ids = vec![id];
        t.store
            .write(move |conn| Box::pin(async move { tongban_store::mark_notices_sending(conn, &ids, now).await }))
            .await
            .expect("sending");
        let sender = aliyun_for(&sms, Duration::from_secs(5));
        let outgoing = notify::Outgoing {
            key: format!("tongban-notice-{id}"),
            address: MOBILE.into(),
            subject: row.subject.clone(),
            body: row.body.clone(),
            template: row.provider.clone().map(|(id, params)| notify::ProviderTemplate { id, params }),
            url: row.url.clone(),
        };
        let biz_id = sender.send(&outgoing).await.expect("sent").provider_id;
        t.store
            .write(move |conn| {
                Box::pin(async move { tongban_store::record_notice_sent(conn, id, Channel::Sms, &biz_id, now).await })
            })
            .await
            .expect("recorded");
        drop(sender);
        // The restarted server (a new gateway, nothing in memory) takes the receipt over.
        c.advance(60);
        notify::worker::run_once(&c.app, c.now()).await.expect("pass");
        let after = t.store.notice(id).await.expect("read").expect("notice");
        assert_eq!(after.state, NoticeState::Delivered, "{}: {after:?}", t.name);
        assert_eq!(sms.messages().len(), 1, "{}", t.name);
        t.cleanup().await;
    }
}
