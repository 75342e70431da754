//! `tongban admin create-user` and `tongban audit verify`.

use std::process::ExitCode;

use anyhow::Context as _;
use tongban_core::audit;
use tongban_store::{append_audit, insert_account};

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
    let account = match tongban_server::api::staff_account(&login, &password, &name, &role, department.as_deref()).await
    {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let store = open_store(config, &db).await?;
    let now = jiff::Timestamp::now();
    store
        .write(move |c| {
            Box::pin(async move {
                insert_account(c, &account, now).await?;
                append_audit(
                    c,
                    now,
                    "-",
                    "account.create",
                    &account.id,
                    &serde_json::json!({ "role": account.role.as_str(), "via": "cli" }).to_string(),
                )
                .await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .await?;
    println!("created {login} ({role})");
    Ok(ExitCode::SUCCESS)
}

pub async fn audit(config: &Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { db, json } = command;
    let store = open_store(config, &db).await?;
    let entries = store.audit_entries().await?;
    let outcome = audit::verify(&entries);
    if json {
        let v = match &outcome {
            Ok(n) => serde_json::json!({ "ok": true, "entries": n }),
            Err(e) => serde_json::json!({ "ok": false, "error": e.to_string(), "first_bad_entry": first_bad(e) }),
        };
        println!("{v}");
    }
    match outcome {
        Ok(n) => {
            if !json {
                println!("audit log intact: {n} entries");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if !json {
                eprintln!("audit log broken: {e}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn first_bad(e: &audit::ChainError) -> u64 {
    match e {
        audit::ChainError::Sequence { expected, .. } => *expected,
        audit::ChainError::Link { seq } | audit::ChainError::Content { seq } => *seq,
    }
}
