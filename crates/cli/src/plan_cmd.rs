//! `tongban plan …`: approval plans of modular approval (模块化审批) — import and export as
//! BPMN 2.0, show a plan's schedule, compare two plans.
//!
//! A plan id is looked up in the store first (its latest version), then among the built-in
//! reform plans `before-reform` (111 steps, 232 days) and `after-reform` (48 steps, 72 days),
//! which core holds: they are never written to the store, so `compare before-reform
//! after-reform` works on an empty database, and importing a plan with one of those ids
//! overrides the built-in one. An import checks the whole file before it opens the store:
//! a refused file writes nothing and exits with code 2.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::Serialize;
use tongban_core::plan::{Plan, PlanComparison, PlanId, Schedule, bpmn, reform};
use tongban_server::app::PlanEntry;

use crate::config::{Config, DbArgs};

/// Approval plans.
#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// Import a BPMN 2.0 file as a plan (the next version when its id exists); print its id, step count and critical-path working days. A refused file stores nothing (exit code 2).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The .bpmn file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a plan as BPMN 2.0 XML with a diagram, to standard output or a file.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The plan id (stored, or before-reform / after-reform).
        id: String,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// A stored version [default: the latest].
        #[arg(long, value_name = "N")]
        plan_version: Option<u32>,
    },
    /// Compare two plans: steps, critical-path working days and the cut percentages.
    Compare {
        #[command(flatten)]
        db: DbArgs,
        /// The plan before, e.g. before-reform.
        a: String,
        /// The plan after, e.g. after-reform.
        b: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show a plan: every step with its times and slack, and the critical path.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// The plan id.
        id: String,
        /// Print JSON (the plan and its schedule) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the stored plans (latest versions) and the built-in ones.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `plan` sub-command.
pub async fn run(config: &Config, cmd: PlanCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PlanCommand::Import { db, file, json } => import(config, &db, &file, json).await,
        PlanCommand::Export { db, id, output, plan_version } => {
            let app = crate::open_app(config, &db).await?;
            let plan = resolve(&app, &id, plan_version).await?;
            let xml = bpmn::export(&plan);
            match output {
                Some(path) => {
                    std::fs::write(&path, xml).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("wrote plan {} v{} to {}", plan.id(), plan.version(), path.display());
                }
                None => print!("{xml}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        PlanCommand::Compare { db, a, b, json } => {
            let app = crate::open_app(config, &db).await?;
            let comparison = PlanComparison::new(&resolve(&app, &a, None).await?, &resolve(&app, &b, None).await?);
            if json {
                println!("{}", serde_json::to_string_pretty(&comparison)?);
            } else {
                println!("{comparison}");
            }
            Ok(ExitCode::SUCCESS)
        }
        PlanCommand::Show { db, id, json } => {
            let app = crate::open_app(config, &db).await?;
            let plan = resolve(&app, &id, None).await?;
            let schedule = plan.schedule();
            if json {
                #[derive(Serialize)]
                struct Shown<'a> {
                    plan: &'a Plan,
                    schedule: &'a Schedule,
                }
                println!("{}", serde_json::to_string_pretty(&Shown { plan: &plan, schedule: &schedule })?);
            } else {
                print!("{}", show(&plan, &schedule));
            }
            Ok(ExitCode::SUCCESS)
        }
        PlanCommand::List { db, json } => {
            let app = crate::open_app(config, &db).await?;
            let rows = tongban_server::app::list_plans(&app, &tongban_server::auth::Principal::console()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print!("{}", list(&rows));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What `import` prints.
#[derive(Debug, Serialize)]
struct Imported {
    id: PlanId,
    version: u32,
    name: String,
    steps: usize,
    total_days: u32,
    critical_path: Vec<String>,
}

async fn import(config: &Config, db: &DbArgs, file: &std::path::Path, json: bool) -> anyhow::Result<ExitCode> {
    let refused = |why: String| {
        eprintln!("{}: {why}", file.display());
        eprintln!("nothing was imported");
        Ok(ExitCode::from(2))
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return refused(format!("cannot read the file: {e}")),
    };
    // The same use case as the API and the pages: checked, stored and audited alike.
    let app = crate::open_app(config, db).await?;
    let console = tongban_server::auth::Principal::console();
    let (plan, version) = match tongban_server::app::import_plan(&app, &console, &text).await {
        Ok(imported) => imported,
        Err(tongban_server::app::AppError::Invalid(problems)) => {
            return refused(problems.into_iter().map(|(_, why)| why).collect::<Vec<_>>().join("\n"));
        }
        Err(e) => return Err(e.into()),
    };
    let id = plan.id().clone();
    let schedule = plan.schedule();
    let out = Imported {
        id,
        version,
        name: plan.name().to_owned(),
        steps: plan.steps().len(),
        total_days: schedule.total_days,
        critical_path: schedule.critical_path.iter().map(ToString::to_string).collect(),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "imported plan {} version {} ({}): {} steps, {} working days on the critical path",
            out.id, out.version, out.name, out.steps, out.total_days
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Version `version` (else the latest) of the stored plan `id`, else the built-in plan of
/// that id: the app's rule, as the API and the pages resolve it.
async fn resolve(app: &tongban_server::App, id: &str, version: Option<u32>) -> anyhow::Result<Plan> {
    match tongban_server::app::resolve_plan(app, id, version).await {
        Ok((plan, _)) => Ok(plan),
        Err(tongban_server::app::AppError::NotFound(why)) if version.is_none() => bail!(
            "{why}: import one with `tongban plan import FILE.bpmn`, or use {} or {}",
            reform::BEFORE_REFORM,
            reform::AFTER_REFORM
        ),
        Err(e) => Err(e.into()),
    }
}

/// The text of `plan show`.
fn show(plan: &Plan, schedule: &Schedule) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "plan {} v{} — {}", plan.id(), plan.version(), plan.name());
    let _ = writeln!(
        out,
        "{} steps, {} working days on the critical path (* = critical)\n",
        plan.steps().len(),
        schedule.total_days
    );
    let _ = writeln!(
        out,
        "  {:<14} {:<4} {:<8} {:>4} {:>9} {:>9} {:>5}  {:<12} name",
        "id", "模块", "板块", "days", "start", "finish", "slack", "lead"
    );
    for (step, t) in plan.steps().iter().zip(&schedule.steps) {
        let mark = if t.is_critical() { '*' } else { ' ' };
        let _ = writeln!(
            out,
            "{mark} {:<14} {:<4} {:<8} {:>4} {:>4}–{:<4} {:>4}–{:<4} {:>5}  {:<12} {}",
            step.id.as_str(),
            step.module.zh(),
            step.section.zh(),
            t.days,
            t.earliest_start,
            t.latest_start,
            t.earliest_finish,
            t.latest_finish,
            t.slack,
            step.lead_department,
            step.name
        );
    }
    let path: Vec<&str> = schedule.critical_path.iter().map(|s| s.as_str()).collect();
    let _ = writeln!(out, "\ncritical path: {}", path.join(" → "));
    let _ = writeln!(out, "(start and finish: earliest–latest working day)");
    out
}

/// The text of `plan list`.
fn list(rows: &[PlanEntry]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{:<24} {:>7} {:>6} {:>5}  name", "id", "version", "steps", "days");
    for r in rows {
        let _ = writeln!(out, "{:<24} {:>7} {:>6} {:>5}  {}", r.id, r.version, r.steps, r.total_days, r.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open_store;

    fn temp_db() -> (tempfile::TempDir, DbArgs) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = DbArgs { database_url: Some(tongban_store::sqlite_url(dir.path())), data_dir: None };
        (dir, db)
    }

    fn bpmn_file(dir: &std::path::Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("write");
        path
    }

    const GOOD: &str = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tongban="urn:tongban:bpmn:1">
  <process id="demo" name="示例"><task id="a" tongban:days="3"/><task id="b" tongban:days="4"/>
  <sequenceFlow sourceRef="a" targetRef="b"/></process></definitions>"#;

    #[tokio::test]
    async fn import_stores_a_plan_and_a_refused_file_stores_nothing() {
        let (dir, db) = temp_db();
        let config = Config::default();
        let bad = bpmn_file(dir.path(), "bad.bpmn", &GOOD.replace("<task id=\"b\"", "<callActivity id=\"b\""));
        let code = run(&config, PlanCommand::Import { db: db.clone(), file: bad, json: false }).await.expect("runs");
        assert_eq!(code, ExitCode::from(2));
        let missing = dir.path().join("missing.bpmn");
        let code = run(&config, PlanCommand::Import { db: db.clone(), file: missing, json: true }).await.expect("runs");
        assert_eq!(code, ExitCode::from(2));

        let good = bpmn_file(dir.path(), "good.bpmn", GOOD);
        for _ in 0..2 {
            let code = run(&config, PlanCommand::Import { db: db.clone(), file: good.clone(), json: true })
                .await
                .expect("runs");
            assert_eq!(code, ExitCode::SUCCESS);
        }
        let store = open_store(&config, &db).await.expect("open");
        let rows = store.plans().await.expect("list");
        assert_eq!(rows.len(), 1, "only the good file was stored");
        assert_eq!((rows[0].id.as_str(), rows[0].version, rows[0].steps, rows[0].total_days), ("demo", 2, 2, 7));
        store.close().await;
    }

    #[tokio::test]
    async fn built_in_plans_are_found_and_stored_plans_take_precedence() {
        let (dir, db) = temp_db();
        let app = crate::open_app(&Config::default(), &db).await.expect("open");
        assert_eq!(resolve(&app, "before-reform", None).await.expect("built-in").steps().len(), 111);
        let missing = resolve(&app, "nope", None).await.expect_err("no such plan").to_string();
        assert!(missing.contains("tongban plan import"), "{missing}");
        let path = bpmn_file(dir.path(), "a.bpmn", &GOOD.replace("id=\"demo\"", "id=\"after-reform\""));
        let plan = bpmn::import(&std::fs::read_to_string(path).expect("read")).expect("valid");
        // The use case refuses a built-in id; a plan stored under one (an older database)
        // still takes precedence.
        let store = open_store(&Config::default(), &db).await.expect("open");
        store
            .write(move |conn| {
                Box::pin(async move { tongban_store::insert_plan(conn, &plan, jiff::Timestamp::UNIX_EPOCH).await })
            })
            .await
            .expect("insert");
        store.close().await;
        let console = tongban_server::auth::Principal::console();
        assert_eq!(resolve(&app, "after-reform", None).await.expect("stored").steps().len(), 2);
        assert_eq!(resolve(&app, "after-reform", Some(1)).await.expect("version 1").steps().len(), 2);
        assert!(resolve(&app, "after-reform", Some(9)).await.is_err());
        let listed = list(&tongban_server::app::list_plans(&app, &console).await.expect("plans"));
        assert!(listed.contains("before-reform") && listed.contains("after-reform"), "{listed}");
    }

    #[test]
    fn show_text_names_the_critical_path() {
        let plan = reform::after_reform();
        let text = show(&plan, &plan.schedule());
        assert!(text.contains("48 steps, 72 working days"), "{text}");
        assert!(text.contains("critical path: YD") || text.contains("critical path: LX"), "{text}");
    }
}
