//! `tongban bench notify`: the outbox delivering `--notices` e-mails to a local SMTP sink,
//! in notices per second, beside the submission rate of the same run with notifications
//! off and on (the target: notifications cost at most 10 % of submission throughput).
//!
//! For each database (a fresh SQLite file, and fresh PostgreSQL databases with
//! `--postgres`): `--applicants` verified applicants, each with an e-mail address and
//! consent to e-mail, submit `--submissions` cases through
//! [`tongban_server::app::submit_case`] from `--concurrency` tasks —
//! - **off**: a center with notifications off (no outbox rows at all);
//! - **written**: notifications on, every submission writing its receipt (收件回执) to the
//!   outbox in its transaction, delivered afterwards (the cost of the outbox alone);
//! - **on**: the same while the notice worker delivers them to the sink beside it.
//!
//! Then, on the "on" center, more submissions with the worker stopped fill the outbox to
//! `--notices` e-mails, and the worker drains it: notices per second is the e-mails the sink
//! received over the time the worker took.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tongban_core::identity::{Role, VerificationMethod};
use tongban_core::item::ServiceItem;
use tongban_core::notice::Channel;
use tongban_fakes::smtp::{Mode, SmtpSink};
use tongban_server::app::notify::smtp::{Smtp, SmtpConfig};
use tongban_server::app::notify::{self, Gateways};
use tongban_server::app::{Account, App, Principal, Via};
use tongban_store::{Store, Verified};

use super::ratio;
use super::store::{bench_item, prepare, sqlite_file_url, submission, with_fresh_database};

/// `tongban bench notify` options.
#[derive(Debug, clap::Args)]
pub struct NotifyArgs {
    /// E-mails the outbox delivers in the delivery run.
    #[arg(long, default_value_t = 10_000)]
    notices: usize,
    /// Cases submitted in each throughput run (notifications off, then on).
    #[arg(long, default_value_t = 5_000)]
    submissions: usize,
    /// Submissions in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Applicant accounts the submissions come from.
    #[arg(long, default_value_t = 64)]
    applicants: usize,
    /// A PostgreSQL server to measure too (fresh databases are created on it and dropped).
    #[arg(long = "postgres", visible_alias = "database-url", env = "TONGBAN_BENCH_POSTGRES_URL", value_name = "URL")]
    postgres: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The moment of every submission: Mon 2 Mar 2026 10:00 CST, in working time.
const AT: &str = "2026-03-02T02:00:00Z";

/// Runs the benchmark and prints its figures.
pub async fn run(args: NotifyArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.notices >= 1 && args.submissions >= 1, "--notices and --submissions must be at least 1");
    anyhow::ensure!(args.concurrency >= 1 && args.applicants >= 1, "--concurrency and --applicants must be at least 1");
    anyhow::ensure!(args.applicants <= 9_999, "--applicants must be at most 9999");
    let mut results = Vec::new();
    {
        let off = tempfile::tempdir().context("cannot create a temporary directory")?;
        let on = tempfile::tempdir().context("cannot create a temporary directory")?;
        let off = sqlite_file_url(&off.path().join("notify-off.db"))?;
        let on = sqlite_file_url(&on.path().join("notify-on.db"))?;
        results.push(measure("sqlite", &off, &on, &args).await?);
    }
    if let Some(admin) = &args.postgres {
        sqlx::any::install_default_drivers();
        let args = &args;
        let figures = with_fresh_database(admin, |off| async move {
            with_fresh_database(admin, |on| async move { measure("postgres", &off, &on, args).await }).await
        })
        .await?;
        results.push(figures);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "databases": results }))?);
    } else {
        for r in &results {
            println!(
                "{} outbox: {} e-mails delivered to the SMTP sink at {:.0} notices/s | submissions at {} concurrent: notifications off {:.1}/s; outbox written {:.1}/s (loss {:.1} %); written and delivered {:.1}/s (worker delivering {} beside them) | loss {:.1} % (target ≤ 10 %)",
                r["database"].as_str().unwrap_or(""),
                r["notices"],
                r["notices_per_s"].as_f64().unwrap_or(0.0),
                r["concurrency"],
                r["submissions_per_s_off"].as_f64().unwrap_or(0.0),
                r["submissions_per_s_written"].as_f64().unwrap_or(0.0),
                r["loss_written"].as_f64().unwrap_or(0.0) * 100.0,
                r["submissions_per_s_on"].as_f64().unwrap_or(0.0),
                r["delivered_beside"],
                r["loss"].as_f64().unwrap_or(0.0) * 100.0,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One database's figures: the "off" center at `off`, the "on" center at `on`.
async fn measure(database: &str, off: &str, on: &str, args: &NotifyArgs) -> anyhow::Result<serde_json::Value> {
    let item = bench_item()?;
    let (n, c) = (args.submissions, args.concurrency);

    let center = Center::open(off, &item, args.applicants, None).await?;
    let off_seconds = center.submit(&item, 0, n, c).await?;
    center.store.close().await;

    let sink = tongban_fakes::smtp::start(Mode::Plain).await.context("cannot start the SMTP sink")?;
    let center = Center::open(on, &item, args.applicants, Some(&sink)).await?;
    // Notices written with each submission, delivered later: the cost of the outbox alone.
    let written_seconds = center.submit(&item, n, n, c).await?;
    drain(&center.app, &sink, n).await?;
    // Notices written and delivered at once: the worker passes beside the submissions.
    let worker = Worker::start(center.app.clone());
    let on_seconds = center.submit(&item, 2 * n, n, c).await?;
    worker.stop().await?;
    let delivered_beside = sink.count() - n;

    // Fill the outbox to `--notices` e-mails with the worker stopped, then drain it.
    let queued = n - delivered_beside.min(n);
    if args.notices > queued {
        center.submit(&item, 3 * n, args.notices - queued, c).await?;
    }
    let before = sink.count();
    let expected = before + args.notices.max(queued);
    let started = Instant::now();
    drain(&center.app, &sink, expected).await?;
    let drain_seconds = started.elapsed().as_secs_f64();
    let delivered = sink.count() - before;
    center.store.close().await;

    let (off_rate, on_rate) = (ratio(n as f64, off_seconds), ratio(n as f64, on_seconds));
    let written_rate = ratio(n as f64, written_seconds);
    Ok(serde_json::json!({
        "database": database,
        "notices": delivered,
        "notices_per_s": ratio(delivered as f64, drain_seconds),
        "submissions": n,
        "concurrency": c,
        "submissions_per_s_off": off_rate,
        "submissions_per_s_written": written_rate,
        "loss_written": if off_rate > 0.0 { 1.0 - written_rate / off_rate } else { 0.0 },
        "submissions_per_s_on": on_rate,
        "delivered_beside": delivered_beside,
        "loss": if off_rate > 0.0 { 1.0 - on_rate / off_rate } else { 0.0 },
    }))
}

/// A fresh center with verified applicants who consented to e-mail.
struct Center {
    store: Store,
    app: App,
    applicants: Vec<Principal>,
}

impl Center {
    async fn open(url: &str, item: &ServiceItem, applicants: usize, sink: Option<&SmtpSink>) -> anyhow::Result<Center> {
        let store = Store::open(url).await?;
        prepare(&store, item.clone()).await?;
        let now: jiff::Timestamp = AT.parse()?;
        let mut app = App::new(store.clone(), tongban_core::calendar::WorkingCalendar::builtin());
        app.clock = Arc::new(move || now);
        app.rates = None;
        app.notices_on = sink.is_some();
        if let Some(sink) = sink {
            let smtp = Smtp::new(SmtpConfig::new(sink.url(), "通办 <noreply@zwfw.example>"))
                .map_err(|e| anyhow::anyhow!("the SMTP client: {e}"))?;
            app.gateways = Arc::new(Gateways { smtp: Some(smtp), ..Gateways::default() });
        }
        let mut principals = Vec::with_capacity(applicants);
        for a in 0..applicants {
            let account = applicant(a, now);
            let stored = account.clone();
            store
                .write(move |conn| Box::pin(async move { tongban_store::insert_account(conn, &stored, now).await }))
                .await?;
            let principal = Principal {
                account: Some(account),
                via: Via::Session,
                client: None,
                session_hash: None,
                session_csrf: None,
            };
            if sink.is_some() {
                let email = Some(format!("applicant{a}@mail.example"));
                notify::set_contact(&app, &principal, email, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                notify::set_consent(&app, &principal, Channel::Email, true)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            principals.push(principal);
        }
        Ok(Center { store, app, applicants: principals })
    }

    /// Submits `count` cases (numbered from `first` for their applicants' names) from
    /// `concurrency` tasks; answers the seconds it took.
    async fn submit(&self, item: &ServiceItem, first: usize, count: usize, concurrency: usize) -> anyhow::Result<f64> {
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..concurrency.min(count) {
            let (app, applicants, next) = (self.app.clone(), self.applicants.clone(), next.clone());
            let code = item.code.clone();
            tasks.spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return Ok::<_, anyhow::Error>(());
                    }
                    let who = (first + i) % applicants.len();
                    let mut s = submission(first + i);
                    s.applicant.id_number = id_number(who);
                    tongban_server::app::submit_case(&app, &applicants[who], &code, s)
                        .await
                        .map_err(|e| anyhow::anyhow!("submission {i} failed: {e}"))?;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.context("a submission task panicked")??;
        }
        Ok(started.elapsed().as_secs_f64())
    }
}

/// Applicant `a`'s account, verified at a window.
fn applicant(a: usize, now: jiff::Timestamp) -> Account {
    Account {
        id: format!("applicant{a}"),
        kind: "applicant".into(),
        display_name: format!("申请人{a}"),
        role: Role::Applicant,
        department: None,
        window: None,
        position: None,
        applicant_kind: Some("individual".into()),
        id_number: Some(id_number(a)),
        phone: None,
        // Never checked: these accounts do not log in.
        password_hash: String::new(),
        disabled: false,
        verified: Some(Verified { method: VerificationMethod::Window, at: now, by: "bench".into() }),
    }
}

/// Applicant `a`'s identity number.
fn id_number(a: usize) -> String {
    submission(a).applicant.id_number
}

/// The notice worker running beside the submissions, pass after pass.
struct Worker {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Worker {
    fn start(app: App) -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            while !flag.load(Ordering::Relaxed) {
                let n = notify::worker::run_once(&app, app.now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                if n == 0 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            Ok(())
        });
        Worker { stop, task }
    }

    /// Stops after the pass in progress.
    async fn stop(self) -> anyhow::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.context("the notice worker panicked")?
    }
}

/// Runs worker passes until the sink holds `expected` messages (or the outbox is idle for
/// a long while, which is an error).
async fn drain(app: &App, sink: &SmtpSink, expected: usize) -> anyhow::Result<()> {
    let mut idle = 0;
    while sink.count() < expected {
        let n = notify::worker::run_once(app, app.now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if n == 0 {
            idle += 1;
            anyhow::ensure!(idle < 2_000, "the outbox went idle with {} of {expected} e-mails delivered", sink.count());
            tokio::time::sleep(Duration::from_millis(5)).await;
        } else {
            idle = 0;
        }
    }
    Ok(())
}
