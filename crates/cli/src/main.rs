//! `tongban` — the binary: serve, demo, migrate, import/export, calendar, bench.
//!
//! Configuration comes from flags, then `TONGBAN_*` environment variables, then an
//! optional TOML file (`--config`), then defaults. It is parsed once, here.

mod admin_cmd;
mod assessment_cmd;
mod bench;
mod calendar_cmd;
mod catalog_cmd;
mod config;
mod demo;
mod demo_accounts;
mod demo_meetings;
mod demo_projects;
mod demo_service;
mod lists_cmd;
mod org_cmd;
mod plan_cmd;
mod projects_cmd;
mod report_cmd;
mod seal_cmd;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tongban_core::calendar::WorkingCalendar;
use tongban_server::AppState;
use tongban_store::Store;

use config::{Config, DbArgs};

/// tongban (通办) — the software of a one-stop government service center.
#[derive(Debug, Parser)]
#[command(name = "tongban", version, about, long_about = None)]
struct Cli {
    /// A TOML file with defaults for any option (keys as the long flags, e.g. `listen = "0.0.0.0:8080"`).
    #[arg(long, global = true, env = "TONGBAN_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "TONGBAN_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Seconds between supervision ticks (电子监察) [default: 30].
        #[arg(long, env = "TONGBAN_SUPERVISION_INTERVAL", value_name = "SECONDS", default_value_t = 30.0)]
        supervision_interval: f64,
        /// Working hours after which an alert escalates to the owner's chief.
        #[arg(long, env = "TONGBAN_ESCALATE_CHIEF_AFTER", value_name = "HOURS", default_value_t = 4)]
        escalate_chief_after: u32,
        /// Working hours after which an alert escalates to the supervisor.
        #[arg(long, env = "TONGBAN_ESCALATE_SUPERVISOR_AFTER", value_name = "HOURS", default_value_t = 8)]
        escalate_supervisor_after: u32,
        /// How long a hand-over offer (转接) waits for its receiver before it alerts: working
        /// days as `1d` (to the end of the working day after the offer's) or working hours as `8h`.
        #[arg(long, env = "TONGBAN_HAND_OVER_LIMIT", value_name = "LIMIT", default_value = "1d")]
        hand_over_limit: String,
        /// Working days after delivery within which a case may be rated (好差评).
        #[arg(long, env = "TONGBAN_RATING_DAYS", value_name = "DAYS", default_value_t = tongban_core::rating::DEFAULT_RATING_DAYS,
            value_parser = clap::value_parser!(u32).range(1..=365))]
        rating_days: u32,
        /// Working days a department has to verify, rectify and feed back on a bad rating
        /// (差评整改); the supervision concern on an unanswered bad rating counts the same.
        #[arg(long, env = "TONGBAN_RECTIFICATION_DAYS", value_name = "DAYS",
            default_value_t = tongban_core::rating::rectification::DEFAULT_RECTIFICATION_DAYS,
            value_parser = clap::value_parser!(u32).range(1..=365))]
        rectification_days: u32,
        #[command(flatten)]
        net: NetArgs,
        #[command(flatten)]
        notices: NoticeArgs,
    },
    /// Seed a local database with a realistic model center (兰州) and serve it.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "TONGBAN_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Seed of the generated data: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Seed and exit without serving.
        #[arg(long)]
        seed_only: bool,
        /// Seconds between supervision ticks (电子监察) [default: 30].
        #[arg(long, env = "TONGBAN_SUPERVISION_INTERVAL", value_name = "SECONDS", default_value_t = 30.0)]
        supervision_interval: f64,
        #[command(flatten)]
        net: NetArgs,
        #[command(flatten)]
        notices: NoticeArgs,
    },
    /// Bring the database schema up to date.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        what: catalog_cmd::ImportCommand,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: catalog_cmd::ExportCommand,
    },
    /// The working calendar: holidays, make-up workdays, deadlines.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Administration: accounts.
    Admin {
        #[command(subcommand)]
        command: admin_cmd::AdminCommand,
    },
    /// The hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: admin_cmd::AuditCommand,
    },
    /// Approval plans of modular approval (模块化审批): BPMN import/export, schedule, compare.
    Plan {
        #[command(subcommand)]
        command: plan_cmd::PlanCommand,
    },
    /// The project library (项目库): import and export projects as CSV or xlsx.
    Projects {
        #[command(subcommand)]
        command: projects_cmd::ProjectsCommand,
    },
    /// Reports: the reform report (三减一压缩) between two catalog versions.
    Report {
        #[command(subcommand)]
        command: report_cmd::ReportCommand,
    },
    /// Window assessment (窗口考核评议): import attendance and third-party scores, print a month.
    Assessment {
        #[command(subcommand)]
        command: assessment_cmd::AssessmentCommand,
    },
    /// The electronic seal's keyring (电子印章): init, rotate, keys.
    Seal {
        #[command(subcommand)]
        command: seal_cmd::SealCommand,
    },
    /// Sealed documents (文书): verify a PDF offline.
    Document {
        #[command(subcommand)]
        command: seal_cmd::DocumentCommand,
    },
    /// Benchmarks of this machine and build.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Import a year's holiday schedule (`date,kind,name`; kind `holiday` or `workday`). It
    /// replaces the provisional year or an earlier import, applies on running servers within
    /// one supervision tick, and recomputes the running cases it touches. Exit 2: a bad file.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
        /// The year it announces (default: the year most of its dates fall in).
        #[arg(long)]
        year: Option<i16>,
    },
    /// Print the calendar as CSV: every announced row, or one year's (announced or provisional).
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// Only this year.
        #[arg(long)]
        year: Option<i16>,
    },
    /// Print a year's statutory days off by the holiday law (《全国年节及纪念日放假办法》),
    /// as the calendar file format: what a provisional year is counted with.
    Provisional {
        /// The year, 1950–2100.
        #[arg(long)]
        year: i16,
    },
    /// When is something due? e.g. `--from 2024-02-08T10:00 --working-days 3`.
    Due {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        args: calendar_cmd::DueArgs,
    },
    /// Working time between two moments.
    Between {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        args: calendar_cmd::BetweenArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TONGBAN_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).with_writer(std::io::stderr).init();
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            db,
            listen,
            supervision_interval,
            escalate_chief_after,
            escalate_supervisor_after,
            hand_over_limit,
            rating_days,
            rectification_days,
            net,
            notices,
        } => {
            let hand_over = tongban_core::item::TimeLimit::parse("hand_over_limit", &hand_over_limit)
                .map_err(|e| anyhow::anyhow!("--hand-over-limit: {e}"))?;
            let store = open_store(&config, &db).await?;
            let escalation = tongban_core::supervision::EscalationRule {
                chief_after_hours: escalate_chief_after,
                supervisor_after_hours: escalate_supervisor_after,
            };
            let hand_over = tongban_core::supervision::HandOverRule { limit: hand_over.to_limit() };
            let ratings = tongban_server::app::ratings::RatingSettings { rating_days, rectification_days };
            let rules = Rules {
                escalation,
                hand_over,
                ratings,
                seal_dir: seal_cmd::seal_dir(&config, db.data_dir.as_deref())?,
            };
            serve(&config, store, listen, supervision_interval, rules, &net, &notices).await?;
        }
        Command::Demo { db, listen, seed, seed_only, supervision_interval, net, notices } => {
            let store = open_store(&config, &db).await?;
            let app = app_over(&store).await?;
            let calendar = app.calendar();
            let now = jiff::Timestamp::now();
            eprintln!("seeding the demo center (seed {seed}) …");
            let summary = demo::seed(&app, seed, now, &calendar).await?;
            println!(
                "demo data: {} divisions, {} departments, {} windows, {} staff, {} items, {} cases, {} events",
                summary.divisions,
                summary.departments,
                summary.windows,
                summary.staff,
                summary.items,
                summary.cases,
                summary.events
            );
            demo_accounts::ensure(&app, now).await?;
            demo_projects::ensure(&app, now, &calendar).await?;
            demo_service::ensure(&app, now, &calendar).await?;
            demo_meetings::ensure(&app, now, &calendar).await?;
            print!("{}", demo_accounts::logins_table());
            if !seed_only {
                let rules =
                    Rules { seal_dir: seal_cmd::seal_dir(&config, db.data_dir.as_deref())?, ..Rules::default() };
                serve(&config, store, listen, supervision_interval, rules, &net, &notices).await?;
            }
        }
        Command::Migrate { db } => {
            let store = open_store(&config, &db).await?;
            println!("database is up to date ({:?})", store.backend());
        }
        Command::Import { what } => return catalog_cmd::import(&config, what).await,
        Command::Export { what } => return catalog_cmd::export(&config, what).await,
        Command::Calendar { command } => return calendar(&config, command).await,
        Command::Bench { what } => return bench::run(&config, what).await,
        Command::Admin { command } => return admin_cmd::admin(&config, command).await,
        Command::Audit { command } => return admin_cmd::audit(&config, command).await,
        Command::Plan { command } => return plan_cmd::run(&config, command).await,
        Command::Projects { command } => return projects_cmd::run(&config, command).await,
        Command::Report { command } => return report_cmd::run(&config, command).await,
        Command::Assessment { command } => return assessment_cmd::run(&config, command).await,
        Command::Seal { command } => return seal_cmd::seal(&config, command),
        Command::Document { command } => return seal_cmd::document(&config, command),
    }
    Ok(ExitCode::SUCCESS)
}

async fn calendar(config: &Config, command: CalendarCommand) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Import { db, file, year } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let year = match year {
                Some(y) => y,
                None => match tongban_core::calendar::Schedule::likely_year(&text) {
                    Ok(y) => y,
                    Err(e) => {
                        eprintln!("error: {}: {e}", file.display());
                        return Ok(ExitCode::from(2));
                    }
                },
            };
            // The administrators' use case, as over the API and the pages (audited as the console).
            let app = open_app(config, &db).await?;
            let console = tongban_server::auth::Principal::console();
            match tongban_server::app::import_calendar_year(&app, &console, year, &text).await {
                Ok(change) => println!(
                    "imported {year}: {} days from {} (calendar revision {}); {} running cases and {} project steps recomputed",
                    change.days,
                    file.display(),
                    change.revision,
                    change.cases_recomputed,
                    change.steps_recomputed
                ),
                Err(tongban_server::app::AppError::Invalid(errors)) => {
                    for (_, why) in errors {
                        eprintln!("error: {}: {why}", file.display());
                    }
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            }
        }
        CalendarCommand::Export { db, year } => {
            let set = open_app(config, &db).await?.calendars();
            let cal = set.base();
            match year {
                Some(y) => match cal.year_days(y) {
                    Ok(days) => print!("{}", WorkingCalendar::to_csv(&days)),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return Ok(ExitCode::from(2));
                    }
                },
                None => print!("{}", WorkingCalendar::to_csv(cal.days())),
            }
        }
        CalendarCommand::Provisional { year } => match tongban_core::calendar::law::statutory_days(year) {
            Ok(days) => print!("{}", WorkingCalendar::to_csv(&days)),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        CalendarCommand::Due { db, args } => {
            let calendar = query_calendar(config, &db, &args.holidays).await?;
            println!("{}", calendar_cmd::due(&args, &calendar)?);
        }
        CalendarCommand::Between { db, args } => {
            let calendar = query_calendar(config, &db, &args.holidays).await?;
            println!("{}", calendar_cmd::between(&args, &calendar)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--holidays FILE…` replaces the stored calendar for one query.
async fn query_calendar(config: &Config, db: &DbArgs, files: &[PathBuf]) -> anyhow::Result<WorkingCalendar> {
    if files.is_empty() { Ok(open_app(config, db).await?.calendar()) } else { calendar_cmd::calendar_from_files(files) }
}

pub(crate) async fn open_store(config: &Config, db: &DbArgs) -> anyhow::Result<Store> {
    let url = config.database_url(db)?;
    Store::open(&url).await.with_context(|| format!("cannot open the database {}", config::redact(&url)))
}

/// The application over the configured database, for commands that run a use case as the
/// console (an administrator at the server, `-` in the audit log).
pub(crate) async fn open_app(config: &Config, db: &DbArgs) -> anyhow::Result<tongban_server::App> {
    app_over(&open_store(config, db).await?).await
}

/// The application over an open store, with the store's calendars.
pub(crate) async fn app_over(store: &Store) -> anyhow::Result<tongban_server::App> {
    let calendars = store.calendar_set().await.context("the stored calendar is inconsistent")?;
    Ok(tongban_server::App::new(store.clone(), calendars))
}

/// How the server meets the network: proxies in front of it, limits on the public.
#[derive(Debug, Clone, Default, clap::Args)]
struct NetArgs {
    /// Reverse proxies (addresses or networks, comma-separated) whose `X-Forwarded-For`
    /// names the client; without it the peer's address is the client's.
    #[arg(long, env = "TONGBAN_TRUSTED_PROXY", value_name = "ADDRS")]
    trusted_proxy: Option<String>,
    /// Serve without the per-address request rates of log-in, sign-up, queue tickets,
    /// search and look-up (for a load test of many clients on this machine only).
    #[arg(long, env = "TONGBAN_NO_RATE_LIMITS")]
    no_rate_limits: bool,
    /// The bearer token a metrics scraper (Prometheus) presents at /metrics; without it
    /// only administrators and supervisors can read /metrics.
    #[arg(long, env = "TONGBAN_METRICS_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// The address people reach this server at (`https://zwfw.example.gov.cn`), for links
    /// that leave and come back, such as the identity provider's redirect URI.
    #[arg(long, env = "TONGBAN_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// The OpenID Connect issuer applicants verify their identity through (a province's
    /// 统一身份认证); with it the hall offers verification there.
    #[arg(long, env = "TONGBAN_OIDC_ISSUER", value_name = "URL", requires = "oidc_client_id")]
    oidc_issuer: Option<String>,
    /// This center's client id at the identity provider.
    #[arg(long, env = "TONGBAN_OIDC_CLIENT_ID", value_name = "ID")]
    oidc_client_id: Option<String>,
    /// The client secret, when the provider gave one.
    #[arg(long, env = "TONGBAN_OIDC_CLIENT_SECRET", value_name = "SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// The ID token claim that holds the identity number (or credit code).
    #[arg(long, env = "TONGBAN_OIDC_ID_CLAIM", value_name = "CLAIM", default_value = "id_number")]
    oidc_id_claim: String,
    /// The ID token claim that holds the person's name.
    #[arg(long, env = "TONGBAN_OIDC_NAME_CLAIM", value_name = "CLAIM", default_value = "name")]
    oidc_name_claim: String,
    /// Aliyun SMS (阿里云短信) endpoint, for one-time codes to phones on record and for notices.
    #[arg(long, env = "TONGBAN_SMS_ENDPOINT", value_name = "URL", default_value = "https://dysmsapi.aliyuncs.com")]
    sms_endpoint: String,
    /// Aliyun AccessKeyId; with the secret and sign name it sends notices by SMS, and with
    /// the code template also one-time codes.
    #[arg(long, env = "TONGBAN_SMS_ACCESS_KEY_ID", value_name = "ID", requires_all = ["sms_access_key_secret", "sms_sign_name"])]
    sms_access_key_id: Option<String>,
    /// Aliyun AccessKeySecret.
    #[arg(long, env = "TONGBAN_SMS_ACCESS_KEY_SECRET", value_name = "SECRET", hide_env_values = true)]
    sms_access_key_secret: Option<String>,
    /// The approved SMS signature (签名).
    #[arg(long, env = "TONGBAN_SMS_SIGN_NAME", value_name = "NAME")]
    sms_sign_name: Option<String>,
    /// The approved template code for one-time codes (with a `${code}` parameter).
    #[arg(long, env = "TONGBAN_SMS_CODE_TEMPLATE", value_name = "CODE")]
    sms_code_template: Option<String>,
}

/// Which SMS gateway sends notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SmsProvider {
    /// 阿里云短信 (the `--sms-*` account).
    Aliyun,
    /// 腾讯云短信 (the `--tencent-sms-*` account).
    Tencent,
}

/// How notices leave the center: e-mail, SMS, WeChat, Web Push (the hall's inbox needs
/// nothing). Keys come from flags or the environment only, never from the database.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Notices (通知)")]
struct NoticeArgs {
    /// Write no notices at all (not even to the hall's inbox), and run no notice worker.
    #[arg(long, env = "TONGBAN_NO_NOTICES")]
    no_notices: bool,
    /// Seconds between the notice worker's passes.
    #[arg(long, env = "TONGBAN_NOTICE_INTERVAL", value_name = "SECONDS", default_value_t = 5.0)]
    notice_interval: f64,
    /// The mail server: `smtp://host:25`, `smtp://user:password@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465` (TLS from the start); with
    /// `--mail-from` it sends notices by e-mail.
    #[arg(long, env = "TONGBAN_SMTP_URL", value_name = "URL", hide_env_values = true, requires = "mail_from")]
    smtp_url: Option<String>,
    /// The sender of e-mail notices: `noreply@zwfw.example.gov.cn` or
    /// `某市政务服务中心 <noreply@zwfw.example.gov.cn>`.
    #[arg(long, env = "TONGBAN_MAIL_FROM", value_name = "ADDRESS")]
    mail_from: Option<String>,
    /// A PEM file of a private CA that signed the mail server's certificate (beside the
    /// public roots).
    #[arg(long, env = "TONGBAN_SMTP_CA_FILE", value_name = "FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// The SMS gateway for notices [default: the one whose account is given].
    #[arg(long, env = "TONGBAN_SMS_PROVIDER", value_name = "PROVIDER")]
    sms_provider: Option<SmsProvider>,
    /// Tencent Cloud SMS (腾讯云短信) endpoint.
    #[arg(
        long,
        env = "TONGBAN_TENCENT_SMS_ENDPOINT",
        value_name = "URL",
        default_value = "https://sms.tencentcloudapi.com"
    )]
    tencent_sms_endpoint: String,
    /// Tencent Cloud SecretId; with the key, app id and sign name it sends notices by SMS.
    #[arg(long, env = "TONGBAN_TENCENT_SMS_SECRET_ID", value_name = "ID",
        requires_all = ["tencent_sms_secret_key", "tencent_sms_app_id", "tencent_sms_sign_name"])]
    tencent_sms_secret_id: Option<String>,
    /// Tencent Cloud SecretKey.
    #[arg(long, env = "TONGBAN_TENCENT_SMS_SECRET_KEY", value_name = "KEY", hide_env_values = true)]
    tencent_sms_secret_key: Option<String>,
    /// The SMS application (SmsSdkAppId, 1400…).
    #[arg(long, env = "TONGBAN_TENCENT_SMS_APP_ID", value_name = "ID")]
    tencent_sms_app_id: Option<String>,
    /// The approved SMS signature (签名) at Tencent Cloud.
    #[arg(long, env = "TONGBAN_TENCENT_SMS_SIGN_NAME", value_name = "NAME")]
    tencent_sms_sign_name: Option<String>,
    /// The Tencent Cloud region.
    #[arg(long, env = "TONGBAN_TENCENT_SMS_REGION", value_name = "REGION", default_value = "ap-guangzhou")]
    tencent_sms_region: String,
    /// The WeChat API endpoint.
    #[arg(long, env = "TONGBAN_WECHAT_ENDPOINT", value_name = "URL", default_value = "https://api.weixin.qq.com")]
    wechat_endpoint: String,
    /// The WeChat AppID; with the secret it sends subscribe messages (订阅消息).
    #[arg(long, env = "TONGBAN_WECHAT_APP_ID", value_name = "APPID", requires = "wechat_app_secret")]
    wechat_app_id: Option<String>,
    /// The WeChat AppSecret.
    #[arg(long, env = "TONGBAN_WECHAT_APP_SECRET", value_name = "SECRET", hide_env_values = true)]
    wechat_app_secret: Option<String>,
    /// The contact in Web Push's VAPID claims (`mailto:…` or `https://…`) [default: the
    /// public URL when it is https, else mailto: the mail sender].
    #[arg(long, env = "TONGBAN_PUSH_SUBJECT", value_name = "URI")]
    push_subject: Option<String>,
}

/// The providers `notices` and `net` configure; `push_dir` keeps the VAPID key.
fn gateways(
    notices: &NoticeArgs,
    net: &NetArgs,
    push_dir: &std::path::Path,
) -> anyhow::Result<tongban_server::app::notify::Gateways> {
    use tongban_server::app::notify::{self, Gateways, SmsGateway};
    let timeout = std::time::Duration::from_secs(15);
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let mut gateways = Gateways::default();
    if let (Some(url), Some(from)) = (given(&notices.smtp_url), given(&notices.mail_from)) {
        let mut config = notify::smtp::SmtpConfig::new(url, from);
        if let Some(file) = &notices.smtp_ca_file {
            let pem = std::fs::read_to_string(file).with_context(|| format!("--smtp-ca-file {}", file.display()))?;
            config.ca_pem = Some(pem);
        }
        let smtp = notify::smtp::Smtp::new(config).map_err(|e| anyhow::anyhow!("--smtp-url/--mail-from: {e}"))?;
        tracing::info!(smtp = ?smtp, "notices by e-mail");
        gateways.smtp = Some(smtp);
    }
    let aliyun = match (given(&net.sms_access_key_id), given(&net.sms_access_key_secret), given(&net.sms_sign_name)) {
        (Some(access_key_id), Some(access_key_secret), Some(sign_name)) => Some(notify::aliyun::AliyunConfig {
            endpoint: net.sms_endpoint.trim().to_owned(),
            access_key_id,
            access_key_secret,
            sign_name,
            timeout,
        }),
        _ => None,
    };
    let tencent = match (
        given(&notices.tencent_sms_secret_id),
        given(&notices.tencent_sms_secret_key),
        given(&notices.tencent_sms_app_id),
        given(&notices.tencent_sms_sign_name),
    ) {
        (Some(secret_id), Some(secret_key), Some(sdk_app_id), Some(sign_name)) => {
            Some(notify::tencent::TencentConfig {
                endpoint: notices.tencent_sms_endpoint.trim().to_owned(),
                secret_id,
                secret_key,
                sdk_app_id,
                sign_name,
                region: notices.tencent_sms_region.trim().to_owned(),
                timeout,
            })
        }
        _ => None,
    };
    let provider = match (notices.sms_provider, &aliyun, &tencent) {
        (Some(p), _, _) => Some(p),
        (None, Some(_), _) => Some(SmsProvider::Aliyun),
        (None, None, Some(_)) => Some(SmsProvider::Tencent),
        (None, None, None) => None,
    };
    gateways.sms = match provider {
        None => None,
        Some(SmsProvider::Aliyun) => {
            let config = aliyun.context(
                "--sms-provider aliyun needs --sms-access-key-id, --sms-access-key-secret and --sms-sign-name",
            )?;
            tracing::info!(endpoint = %config.endpoint, "notices by SMS (Aliyun)");
            Some(SmsGateway::Aliyun(notify::aliyun::Aliyun::new(config).map_err(|e| anyhow::anyhow!("--sms-*: {e}"))?))
        }
        Some(SmsProvider::Tencent) => {
            let config = tencent.context(
                "--sms-provider tencent needs --tencent-sms-secret-id, --tencent-sms-secret-key, --tencent-sms-app-id and --tencent-sms-sign-name",
            )?;
            tracing::info!(endpoint = %config.endpoint, "notices by SMS (Tencent Cloud)");
            Some(SmsGateway::Tencent(
                notify::tencent::Tencent::new(config).map_err(|e| anyhow::anyhow!("--tencent-sms-*: {e}"))?,
            ))
        }
    };
    if let (Some(app_id), Some(app_secret)) = (given(&notices.wechat_app_id), given(&notices.wechat_app_secret)) {
        let config = notify::wechat::WechatConfig {
            endpoint: notices.wechat_endpoint.trim().to_owned(),
            app_id,
            app_secret,
            timeout,
        };
        tracing::info!(endpoint = %config.endpoint, "notices by WeChat subscribe messages");
        gateways.wechat = Some(notify::wechat::Wechat::new(config).map_err(|e| anyhow::anyhow!("--wechat-*: {e}"))?);
    }
    let subject = given(&notices.push_subject).unwrap_or_else(|| {
        match (net.public_url.as_deref().map(str::trim), given(&notices.mail_from)) {
            (Some(url), _) if url.starts_with("https://") => url.to_owned(),
            (_, Some(from)) => {
                let address = from.rsplit_once('<').map_or(from.as_str(), |(_, a)| a.trim_end_matches('>'));
                format!("mailto:{}", address.trim())
            }
            _ => "mailto:webmaster@localhost".to_owned(),
        }
    });
    let push = notify::push::WebPush::open_or_init(push_dir, &subject)
        .map_err(|e| anyhow::anyhow!("Web Push (VAPID key in {}): {e}", push_dir.display()))?;
    gateways.push = Some(push);
    Ok(gateways)
}

/// The center's configured supervision and rating rules, and where its seal's keyring is.
#[derive(Default)]
struct Rules {
    escalation: tongban_core::supervision::EscalationRule,
    hand_over: tongban_core::supervision::HandOverRule,
    ratings: tongban_server::app::ratings::RatingSettings,
    seal_dir: PathBuf,
}

async fn serve(
    config: &Config,
    store: Store,
    listen: Option<SocketAddr>,
    supervision_interval: f64,
    rules: Rules,
    net: &NetArgs,
    notices: &NoticeArgs,
) -> anyhow::Result<()> {
    let proxies = tongban_server::proxies::TrustedProxies::parse(net.trusted_proxy.as_deref().unwrap_or(""))
        .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?;
    // Web Push's VAPID key lives beside the seal's keyring, in <data-dir>/push.
    let gateways = gateways(notices, net, &rules.seal_dir.with_file_name("push"))?;
    let notice_period = std::time::Duration::try_from_secs_f64(notices.notice_interval)
        .ok()
        .filter(|d| !d.is_zero())
        .context("--notice-interval must be a positive number of seconds")?;
    let addr = config.listen(listen)?;
    let calendars = store.calendar_set().await.context("the stored calendar is inconsistent")?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    println!("tongban is serving on http://{local}/");
    tracing::info!(listen = %local, "serving");
    let mut app = tongban_server::App::new(store.clone(), calendars);
    app.gateways = std::sync::Arc::new(gateways);
    app.notices_on = !notices.no_notices;
    let mut state = AppState::new(app);
    state.escalation = rules.escalation;
    state.hand_over = rules.hand_over;
    state.ratings = rules.ratings;
    // Documents are sealed with the keyring of `tongban seal init`, made here on first start.
    let bureau = tongban_server::app::documents::default_bureau(&state.app).await?;
    state.seal = Some(
        tongban_server::app::documents::open_or_init_seal(&rules.seal_dir, bureau)
            .with_context(|| format!("the seal keyring in {}", rules.seal_dir.display()))?,
    );
    state.public_base_url = net.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
    state.proxies = std::sync::Arc::new(proxies);
    if net.no_rate_limits {
        tracing::warn!("request rates are off (--no-rate-limits)");
        state.rates = None;
    }
    state.metrics_token = net.metrics_token.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(Into::into);
    if let (Some(issuer), Some(client_id)) = (&net.oidc_issuer, &net.oidc_client_id) {
        let public_url = net.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
        let config = tongban_server::app::oidc::OidcConfig {
            issuer: issuer.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
            client_secret: net.oidc_client_secret.clone().filter(|s| !s.is_empty()),
            id_claim: net.oidc_id_claim.clone(),
            name_claim: net.oidc_name_claim.clone(),
            public_url,
        };
        tracing::info!(issuer = %config.issuer, "identity verification through OpenID Connect");
        state.oidc =
            Some(tongban_server::app::oidc::Oidc::new(config).map_err(|e| anyhow::anyhow!("--oidc-issuer: {e}"))?);
    }
    if let (Some(id), Some(secret), Some(sign), Some(template)) =
        (&net.sms_access_key_id, &net.sms_access_key_secret, &net.sms_sign_name, &net.sms_code_template)
    {
        let config = tongban_server::app::sms::SmsConfig {
            account: tongban_server::app::notify::aliyun::AliyunConfig {
                endpoint: net.sms_endpoint.trim().to_owned(),
                access_key_id: id.trim().to_owned(),
                access_key_secret: secret.trim().to_owned(),
                sign_name: sign.trim().to_owned(),
                timeout: std::time::Duration::from_secs(10),
            },
            code_template: template.trim().to_owned(),
        };
        tracing::info!(endpoint = %config.account.endpoint, "one-time codes by SMS");
        let sms = tongban_server::app::sms::Sms::new(config).map_err(|e| anyhow::anyhow!("--sms-*: {e}"))?;
        state.sms = Some(std::sync::Arc::new(sms));
    }
    let period = std::time::Duration::try_from_secs_f64(supervision_interval)
        .ok()
        .filter(|d| !d.is_zero())
        .context("--supervision-interval must be a positive number of seconds")?;
    // Once, after the upgrade that added it: the concerns ledger from the stored cases.
    tongban_server::app::ensure_concern_ledger(&state.app).await.context("building the supervision concerns ledger")?;
    let worker = tongban_server::app::worker::spawn(state.app.clone(), period);
    let notice_worker = if notices.no_notices {
        tracing::warn!("notices are off (--no-notices)");
        None
    } else {
        Some(tongban_server::app::notify::worker::spawn(state.app.clone(), notice_period))
    };
    tongban_server::serve(listener, state, shutdown_signal()).await?;
    worker.abort();
    if let Some(w) = notice_worker {
        w.abort();
    }
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
