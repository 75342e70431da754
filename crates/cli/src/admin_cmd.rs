//! `tongban admin create-user` and `tongban audit verify`.

use std::process::ExitCode;

use anyhow::Context as _;
use tongban_core::audit;

use crate::config::{Config, DbArgs};
use crate::open_store;

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

pub async fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<ExitCode> {
    let AdminCommand::CreateUser { db, login, name, role, department, password_env } = command;
    let password = match password_env {
        Some(var) => std::env::var(&var).with_context(|| format!("environment variable {var} is not set"))?,
        None => {
            eprintln!("password for {login} (at least 10 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the password")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let state = crate::open_app(config, &db).await?;
    let req = tongban_server::app::NewStaff { login: login.clone(), password, name, role: role.clone(), department };
    match tongban_server::app::create_staff_account(&state, &tongban_server::auth::Principal::console(), req).await {
        Ok(_) => {}
        Err(tongban_server::app::AppError::Invalid(fields)) => {
            for (field, why) in fields {
                eprintln!("error: {field}: {why}");
            }
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    }
    println!("created {login} ({role})");
    Ok(ExitCode::SUCCESS)
}

pub async fn audit(config: &Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { db, json } = command;
    let store = open_store(config, &db).await?;
    let entries = store.audit_entries().await?;
    let chain = audit::verify(&entries);
    // The events each act wrote are named in its entry; every one must still be there,
    // intact. Kept as 128-bit prefixes: a few bytes a case even for ten years of a city.
    let mut named: std::collections::HashSet<u128> = entries
        .iter()
        .filter(|e| e.action.starts_with("case."))
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .filter_map(|d| d.get("events").and_then(|v| v.as_array()).cloned())
        .flatten()
        .filter_map(|h| h.as_str().and_then(prefix))
        .collect();
    let events = store
        .check_events(|hash| {
            if let Some(p) = prefix(hash) {
                named.remove(&p);
            }
        })
        .await?;
    let events_problem = events.first_bad.clone().or_else(|| {
        (!named.is_empty()).then(|| {
            format!("{} events named in the audit chain are missing or were rewritten with a new hash", named.len())
        })
    });
    let ok = chain.is_ok() && events_problem.is_none();
    if json {
        let v = serde_json::json!({
            "ok": ok,
            "entries": chain.as_ref().ok(),
            "error": chain.as_ref().err().map(ToString::to_string),
            "first_bad_entry": chain.as_ref().err().map(first_bad),
            "events": events.events,
            "events_without_hash": events.unhashed,
            "events_error": events_problem,
        });
        println!("{v}");
    } else {
        match &chain {
            Ok(n) => println!("audit log intact: {n} entries"),
            Err(e) => eprintln!("audit log broken: {e}"),
        }
        match &events_problem {
            None => println!("case events intact: {} events", events.events),
            Some(e) => eprintln!("case events broken: {e}"),
        }
        if events.unhashed > 0 {
            eprintln!(
                "note: {} events were written before event hashes were kept and cannot be checked",
                events.unhashed
            );
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The first 128 bits of a hex SHA-256.
fn prefix(hash: &str) -> Option<u128> {
    u128::from_str_radix(hash.get(..32)?, 16).ok()
}

fn first_bad(e: &audit::ChainError) -> u64 {
    match e {
        audit::ChainError::Sequence { expected, .. } => *expected,
        audit::ChainError::Link { seq } | audit::ChainError::Content { seq } => *seq,
    }
}
