//! `tongban` — the binary: serve, demo, migrate, import/export, calendar, bench.
//!
//! Configuration comes from flags, then `TONGBAN_*` environment variables, then an
//! optional TOML file (`--config`), then defaults. It is parsed once, here.

mod admin_cmd;
mod bench;
mod calendar_cmd;
mod catalog_cmd;
mod config;
mod demo;
mod demo_accounts;
mod demo_projects;
mod plan_cmd;

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
    /// Benchmarks of this machine and build.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Import a holiday file (`date,kind,name`; kind `holiday` or `workday`), replacing the years it covers.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
    },
    /// Print the stored calendar (or the built-in one when none is stored) as CSV.
    Export {
        #[command(flatten)]
        db: DbArgs,
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
        Command::Serve { db, listen, supervision_interval, escalate_chief_after, escalate_supervisor_after } => {
            let store = open_store(&config, &db).await?;
            let escalation = tongban_core::supervision::EscalationRule {
                chief_after_hours: escalate_chief_after,
                supervisor_after_hours: escalate_supervisor_after,
            };
            serve(&config, store, listen, supervision_interval, escalation).await?;
        }
        Command::Demo { db, listen, seed, seed_only, supervision_interval } => {
            let store = open_store(&config, &db).await?;
            let calendar = load_calendar(&store).await?;
            let now = jiff::Timestamp::now();
            eprintln!("seeding the demo center (seed {seed}) …");
            let summary = demo::seed(&store, seed, now, &calendar).await?;
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
            demo_accounts::ensure(&store, now).await?;
            demo_projects::ensure(&store, now, &calendar).await?;
            print!("{}", demo_accounts::logins_table());
            if !seed_only {
                serve(&config, store, listen, supervision_interval, Default::default()).await?;
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
    }
    Ok(ExitCode::SUCCESS)
}

async fn calendar(config: &Config, command: CalendarCommand) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Import { db, file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let days = WorkingCalendar::parse_csv(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            // Check the merged calendar before writing anything.
            let store = open_store(config, &db).await?;
            let mut merged = tongban_store::calendar_days(&store).await?;
            if merged.is_empty() {
                merged = WorkingCalendar::builtin().days().to_vec();
            }
            let years: Vec<i16> = days.iter().map(|d| d.date.year()).collect();
            merged.retain(|d| !years.contains(&d.date.year()));
            merged.extend(days.iter().cloned());
            WorkingCalendar::new(&merged, Default::default(), &[])
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let count = days.len();
            store
                .write(move |conn| {
                    Box::pin(async move {
                        // The first import stores the built-in years too, so the stored
                        // calendar is complete on its own.
                        tongban_store::replace_calendar_days(conn, &merged).await?;
                        Ok::<_, anyhow::Error>(())
                    })
                })
                .await?;
            println!("imported {count} days from {}", file.display());
        }
        CalendarCommand::Export { db } => {
            let store = open_store(config, &db).await?;
            print!("{}", WorkingCalendar::to_csv(load_calendar(&store).await?.days()));
        }
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
    if files.is_empty() {
        let store = open_store(config, db).await?;
        load_calendar(&store).await
    } else {
        calendar_cmd::calendar_from_files(files)
    }
}

/// The stored calendar, or the built-in one when none was imported.
pub(crate) async fn load_calendar(store: &Store) -> anyhow::Result<WorkingCalendar> {
    let days = tongban_store::calendar_days(store).await?;
    if days.is_empty() {
        Ok(WorkingCalendar::builtin())
    } else {
        WorkingCalendar::new(&days, Default::default(), &[]).context("the stored calendar is inconsistent")
    }
}

pub(crate) async fn open_store(config: &Config, db: &DbArgs) -> anyhow::Result<Store> {
    let url = config.database_url(db)?;
    Store::open(&url).await.with_context(|| format!("cannot open the database {}", config::redact(&url)))
}

async fn serve(
    config: &Config,
    store: Store,
    listen: Option<SocketAddr>,
    supervision_interval: f64,
    escalation: tongban_core::supervision::EscalationRule,
) -> anyhow::Result<()> {
    let addr = config.listen(listen)?;
    let calendar = load_calendar(&store).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    println!("tongban is serving on http://{local}/");
    tracing::info!(listen = %local, "serving");
    let mut state = AppState::new(store.clone(), calendar);
    state.escalation = escalation;
    let period = std::time::Duration::try_from_secs_f64(supervision_interval)
        .ok()
        .filter(|d| !d.is_zero())
        .context("--supervision-interval must be a positive number of seconds")?;
    let worker = tongban_server::supervision::spawn(state.clone(), period);
    tongban_server::serve(listener, state, shutdown_signal()).await?;
    worker.abort();
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
