//! `tongban bench recompute`: how long importing a year's schedule takes when `--cases`
//! running cases have due times in that year, on a fresh SQLite file (and a fresh
//! PostgreSQL database with `--postgres`).
//!
//! The cases were accepted in December under the provisional next year; the imported
//! schedule adds one weekday holiday early in January, so every case's due time moves and
//! each gets its `due_recomputed` event. The import goes through the same path as the CLI,
//! the API and the pages ([`tongban_server::app::import_year`]). The baseline, measured in
//! the same run on the same cases, is the core alone recomputing them in memory: what is
//! left is the store's reading, locking and writing.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use tongban_core::calendar::{CalendarDay, CalendarSet, DayKind, WorkingCalendar};
use tongban_core::case::{Case, CaseCommand, CaseState, Context};
use tongban_core::item::{ServiceItem, TimeLimit};
use tongban_store::{Store, allocate_case_number, append_events, insert_case};

use super::ratio;
use super::store::{bench_item, prepare, sqlite_file_url, submission, with_fresh_database};

/// `tongban bench recompute` options.
#[derive(Debug, clap::Args)]
pub struct RecomputeArgs {
    /// Running cases whose due time the import moves.
    #[arg(long, default_value_t = 100_000, env = "TONGBAN_BENCH_CASES")]
    cases: usize,
    /// A PostgreSQL server to measure too (a fresh database is created on it and dropped).
    #[arg(long = "postgres", visible_alias = "database-url", env = "TONGBAN_BENCH_POSTGRES_URL", value_name = "URL")]
    postgres: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The year the cases run into and the import announces.
const YEAR: i16 = 2027;

/// Runs the benchmark and prints its figures.
pub async fn run(args: RecomputeArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.cases >= 1, "--cases must be at least 1");
    let item = ServiceItem { promised_limit: Some(TimeLimit::parse("promised_limit", "20d")?), ..bench_item()? };
    let csv = announced_year()?;
    let mut results = Vec::new();
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let url = sqlite_file_url(&dir.path().join("recompute.db"))?;
    results.push(measure("sqlite", &url, &item, args.cases, &csv).await?);
    if let Some(admin) = &args.postgres {
        sqlx::any::install_default_drivers();
        let (item, csv, n) = (item.clone(), csv.clone(), args.cases);
        results.push(
            with_fresh_database(admin, |url| async move { measure("postgres", &url, &item, n, &csv).await }).await?,
        );
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "cases": args.cases, "databases": results }))?
        );
    } else {
        for r in &results {
            println!(
                "{} {} running cases: import + recompute {:.2} s ({:.0} cases/s, {} moved) | core alone {:.3} s | {:.0}× the core alone | seeding took {:.1} s",
                r["database"].as_str().unwrap_or(""),
                args.cases,
                r["import_s"].as_f64().unwrap_or(0.0),
                r["cases_per_sec"].as_f64().unwrap_or(0.0),
                r["cases_recomputed"],
                r["core_alone_s"].as_f64().unwrap_or(0.0),
                r["ratio_vs_core_alone"].as_f64().unwrap_or(0.0),
                r["seed_s"].as_f64().unwrap_or(0.0),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `YEAR`'s statutory days (what the provisional year already has) and one more weekday
/// holiday, the first Monday after New Year's Day, so that every case's due time moves.
fn announced_year() -> anyhow::Result<String> {
    let mut days = tongban_core::calendar::law::statutory_days(YEAR)?;
    let mut extra = jiff::civil::date(YEAR, 1, 2);
    while extra.weekday() != jiff::civil::Weekday::Monday {
        extra = extra.tomorrow()?;
    }
    days.push(CalendarDay { date: extra, kind: DayKind::Holiday, name: "元旦（基准测试调休）".into() });
    days.sort_by_key(|d| d.date);
    Ok(WorkingCalendar::to_csv(&days))
}

/// The moment case `i` was accepted: a working morning in December of the year before.
fn accepted_at(i: usize) -> anyhow::Result<jiff::Timestamp> {
    let day = jiff::civil::date(YEAR - 1, 12, 10 + (i % 18) as i8);
    let day = match day.weekday() {
        jiff::civil::Weekday::Saturday => day.checked_sub(jiff::Span::new().days(1))?,
        jiff::civil::Weekday::Sunday => day.checked_sub(jiff::Span::new().days(2))?,
        _ => day,
    };
    let tz = jiff::tz::TimeZone::fixed(tongban_core::calendar::CHINA_STANDARD_TIME);
    Ok(day.at(10, 0, 0, 0).to_zoned(tz)?.timestamp())
}

/// Seeds `n` accepted cases on a fresh store at `url`, then times the import, and the core
/// alone recomputing the same cases.
async fn measure(
    database: &str,
    url: &str,
    item: &ServiceItem,
    n: usize,
    csv: &str,
) -> anyhow::Result<serde_json::Value> {
    let store = Store::open(url).await?;
    prepare(&store, item.clone()).await?;
    let calendar = WorkingCalendar::builtin();
    anyhow::ensure!(calendar.is_provisional_year(YEAR), "{YEAR} must be provisional before the import");
    let seeding = Instant::now();
    seed(&store, item, &calendar, n).await?;
    let seed_s = seeding.elapsed().as_secs_f64();

    // The baseline: the core alone, on the cases as stored, with the imported calendar.
    let numbers = store.running_cases_behind(1).await?;
    anyhow::ensure!(numbers.len() == n, "expected {n} running cases, found {}", numbers.len());
    let cases = store.write(move |c| Box::pin(async move { tongban_store::lock_cases(c, &numbers).await })).await?;
    let mut schedules = WorkingCalendar::builtin_schedules().to_vec();
    schedules.push(tongban_core::calendar::Schedule::parse(YEAR, csv)?);
    let imported = CalendarSet::from(WorkingCalendar::from_schedules(&schedules, Default::default(), &[])?);
    let core = Instant::now();
    let mut moved_in_core = 0;
    for case in &cases {
        moved_in_core += usize::from(case.recompute_due(imported.for_division(&case.division), "bench")?.is_some());
    }
    let core_alone_s = core.elapsed().as_secs_f64();
    drop(cases);

    let import = Instant::now();
    let change = tongban_server::app::import_year(&store, "bench", YEAR, csv, jiff::Timestamp::now())
        .await
        .map_err(|e| anyhow::anyhow!("the import failed: {e}"))?;
    let import_s = import.elapsed().as_secs_f64();
    anyhow::ensure!(
        change.cases_recomputed == n && moved_in_core == n,
        "expected all {n} cases to move; the import moved {}, the core {moved_in_core}",
        change.cases_recomputed
    );
    let (_, events) = store.counts().await?;
    anyhow::ensure!(events as usize == 3 * n, "expected {} events, found {events}", 3 * n);
    store.close().await;
    Ok(serde_json::json!({
        "database": database,
        "cases_recomputed": change.cases_recomputed,
        "import_s": import_s,
        "cases_per_sec": ratio(n as f64, import_s),
        "core_alone_s": core_alone_s,
        "ratio_vs_core_alone": ratio(import_s, core_alone_s),
        "seed_s": seed_s,
    }))
}

/// Writes `n` accepted cases (submitted and accepted events) in transactions of 1,000.
async fn seed(store: &Store, item: &ServiceItem, calendar: &WorkingCalendar, n: usize) -> anyhow::Result<()> {
    const PER_TRANSACTION: usize = 1000;
    for start in (0..n).step_by(PER_TRANSACTION) {
        let (item, calendar) = (item.clone(), calendar.clone());
        let end = (start + PER_TRANSACTION).min(n);
        store
            .write(move |conn| {
                Box::pin(async move {
                    for i in start..end {
                        let at = accepted_at(i)?;
                        let number = allocate_case_number(conn, &item.division, YEAR - 1).await?;
                        let (case, first) = Case::submit(number, &item, 1, submission(i), at)?;
                        insert_case(conn, &case, &first, "bench").await?;
                        let ctx = Context { now: at, calendar: &calendar, item: &item, actor: "bench" };
                        let events = case.handle(&CaseCommand::Accept, &ctx)?;
                        let mut after = case.clone();
                        for e in &events {
                            after.apply(e, at);
                        }
                        anyhow::ensure!(after.state == CaseState::Accepted, "case {i} was not accepted");
                        append_events(conn, case.version, &after, &events, "bench", at, None).await?;
                    }
                    Ok::<_, anyhow::Error>(())
                })
            })
            .await?;
    }
    Ok(())
}
