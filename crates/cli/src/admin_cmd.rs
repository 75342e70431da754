//! `tongban admin create-user`, `tongban admin set-password` and `tongban audit verify`.

use std::process::ExitCode;

use anyhow::Context as _;
use tongban_core::audit;

use crate::config::{Config, DbArgs};

/// Administration.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create a staff account, e.g. the first administrator.
    CreateUser {
        #[command(flatten)]
        db: DbArgs,
        /// Login name (a–z, 0–9, '.', '_', '-').
        #[arg(long)]
        login: String,
        /// Name shown.
        #[arg(long)]
        name: String,
        /// Role: administrator, center_leader, supervisor, department_head, approver, reviewer, window_clerk.
        #[arg(long, default_value = "administrator")]
        role: String,
        /// Department code, for department staff.
        #[arg(long)]
        department: Option<String>,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, value_name = "VAR", conflicts_with = "no_password")]
        password_env: Option<String>,
        /// Create the account without a password: a one-time activation code is printed,
        /// with which its holder sets one at /activate (valid for 7 days).
        #[arg(long)]
        no_password: bool,
    },
    /// Set an account's password (scripted setups): its sessions and tokens end and its
    /// activation codes stop counting. Exit 2 for an unknown login or a refused password.
    SetPassword {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        login: String,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
}

/// The audit log.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit 1 naming the first bad entry if any row was edited, deleted or reordered.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The password from environment variable `var`, or else the first line of standard input.
fn read_password(login: &str, var: Option<String>) -> anyhow::Result<String> {
    match var {
        Some(var) => std::env::var(&var).with_context(|| format!("environment variable {var} is not set")),
        None => {
            eprintln!("password for {login} (at least 10 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the password")?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

/// A refused use case on standard error; exit 2.
fn refused(e: tongban_server::app::AppError) -> ExitCode {
    match e {
        tongban_server::app::AppError::Invalid(fields) => {
            for (field, why) in fields {
                eprintln!("error: {field}: {why}");
            }
        }
        e => eprintln!("error: {e}"),
    }
    ExitCode::from(2)
}

pub async fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::CreateUser { db, login, name, role, department, password_env, no_password } => {
            let password = if no_password { None } else { Some(read_password(&login, password_env)?) };
            let state = crate::open_app(config, &db).await?;
            let req =
                tongban_server::app::NewStaff { login: login.clone(), password, name, role: role.clone(), department };
            let console = tongban_server::auth::Principal::console();
            let created = match tongban_server::app::create_staff_account(&state, &console, req).await {
                Ok(created) => created,
                Err(e) => return Ok(refused(e)),
            };
            println!("created {login} ({role})");
            if let Some(code) = created.activation {
                println!("activation code for {login}: {}", code.code);
                println!("valid until {}; shown only now: hand it over; it is used once at /activate", code.expires_at);
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::SetPassword { db, login, password_env } => {
            let password = read_password(&login, password_env)?;
            let state = crate::open_app(config, &db).await?;
            let console = tongban_server::auth::Principal::console();
            match tongban_server::app::set_account_password(&state, &console, &login, &password).await {
                Ok(()) => {
                    println!("password set for {login}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(tongban_server::app::AppError::NotFound(_)) => {
                    eprintln!("error: no account {login}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Ok(refused(e)),
            }
        }
    }
}

pub async fn audit(config: &Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { db, json } = command;
    let app = crate::open_app(config, &db).await?;
    let check = tongban_server::app::verify_audit(&app, &tongban_server::auth::Principal::console()).await?;
    let chain = &check.chain;
    if json {
        let v = serde_json::json!({
            "ok": check.ok(),
            "entries": chain.as_ref().ok(),
            "error": chain.as_ref().err().map(ToString::to_string),
            "first_bad_entry": chain.as_ref().err().map(first_bad),
            "events": check.events,
            "events_without_hash": check.unhashed,
            "events_error": check.events_problem,
        });
        println!("{v}");
    } else {
        match chain {
            Ok(n) => println!("audit log intact: {n} entries"),
            Err(e) => eprintln!("audit log broken: {e}"),
        }
        match &check.events_problem {
            None => println!("case events intact: {} events", check.events),
            Some(e) => eprintln!("case events broken: {e}"),
        }
        if check.unhashed > 0 {
            eprintln!(
                "note: {} events were written before event hashes were kept and cannot be checked",
                check.unhashed
            );
        }
    }
    Ok(if check.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn first_bad(e: &audit::ChainError) -> u64 {
    match e {
        audit::ChainError::Sequence { expected, .. } => *expected,
        audit::ChainError::Link { seq } | audit::ChainError::Content { seq } => *seq,
    }
}
