//! `tongban calendar due` and `tongban calendar between`: working-time arithmetic on the
//! command line. This file parses the arguments and formats the answers; the rules live in
//! `tongban_core::calendar`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::ArgGroup;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::json;
use tongban_core::calendar::{CHINA_STANDARD_TIME, Limit, Suspension, WorkingCalendar, WorkingHours};

/// Arguments of `tongban calendar due`: when is a case accepted at `--from` due?
#[derive(Debug, Clone, clap::Args)]
#[command(group(ArgGroup::new("limit").required(true).multiple(false).args(["working_days", "working_hours", "end_of_day"])))]
pub struct DueArgs {
    /// When the case was accepted (受理): ISO 8601 such as `2024-02-08T10:00` (China Standard
    /// Time, +08:00, when no offset is given) or RFC 3339 such as `2024-02-08T02:00:00Z`.
    /// Accepted after hours or on a holiday, the clock starts at the next working moment.
    #[arg(long, value_name = "DATETIME", value_parser = parse_moment)]
    pub from: Timestamp,
    /// N working days (N个工作日): due at the end of the N-th working day (17:30) after the acceptance day.
    #[arg(long, value_name = "N")]
    pub working_days: Option<u32>,
    /// N working hours (N个工作时): due N × 60 working minutes after acceptance.
    #[arg(long, value_name = "N")]
    pub working_hours: Option<u32>,
    /// Finished the same working day (当日办结): due at the end of the acceptance working day.
    #[arg(long)]
    pub end_of_day: bool,
    /// A suspension (挂起) that stops the clock, as `FROM/UNTIL` (each like `--from`); repeatable.
    #[arg(long = "suspension", value_name = "FROM/UNTIL", value_parser = parse_suspension)]
    pub suspensions: Vec<Suspension>,
    /// A holiday CSV file (`date,kind,name`) to use instead of the stored calendar; repeatable,
    /// the files together make the calendar (it covers only their years).
    #[arg(long, value_name = "FILE")]
    pub holidays: Vec<PathBuf>,
    /// Print a JSON object instead of a plain timestamp.
    #[arg(long)]
    pub json: bool,
}

impl DueArgs {
    /// The one limit the argument group allows.
    fn limit(&self) -> anyhow::Result<Limit> {
        match (self.working_days, self.working_hours, self.end_of_day) {
            (Some(n), None, false) => Ok(Limit::WorkingDays(n)),
            (None, Some(n), false) => Ok(Limit::WorkingHours(n)),
            (None, None, true) => Ok(Limit::EndOfDay),
            _ => anyhow::bail!("give exactly one of --working-days, --working-hours, --end-of-day"),
        }
    }
}

/// Arguments of `tongban calendar between`: working time from `--from` to `--to`.
#[derive(Debug, Clone, clap::Args)]
pub struct BetweenArgs {
    /// The start: ISO 8601 such as `2024-02-08T10:00` (China Standard Time, +08:00, when no
    /// offset is given) or RFC 3339 such as `2024-02-08T02:00:00Z`.
    #[arg(long, value_name = "DATETIME", value_parser = parse_moment)]
    pub from: Timestamp,
    /// The end, in the same forms; before `--from` gives negative working time.
    #[arg(long, value_name = "DATETIME", value_parser = parse_moment)]
    pub to: Timestamp,
    /// A holiday CSV file (`date,kind,name`) to use instead of the stored calendar; repeatable,
    /// the files together make the calendar (it covers only their years).
    #[arg(long, value_name = "FILE")]
    pub holidays: Vec<PathBuf>,
    /// Print a JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
}

/// The due time of `args` in `calendar`: an RFC 3339 timestamp at +08:00, or with `--json` an
/// object with the acceptance, the moment the clock started, the limit, the working minutes
/// allowed and the due time. `args.holidays` is not read here: pick the calendar first
/// ([`calendar_from_files`]).
pub fn due(args: &DueArgs, calendar: &WorkingCalendar) -> anyhow::Result<String> {
    let limit = args.limit()?;
    let due = calendar.due(args.from, limit, &args.suspensions).context("cannot compute the due time")?;
    let provisional = calendar.touches_provisional(args.from, due);
    if !args.json {
        // The mark goes after the time, so that scripts reading the first field still work.
        return Ok(if provisional { format!("{} (暂定 provisional)", cst(due)) } else { cst(due) });
    }
    let start = calendar.next_working_moment(args.from)?;
    let allowed = calendar.allowed_minutes(args.from, limit)?;
    let suspensions: Vec<_> =
        args.suspensions.iter().map(|s| json!({ "from": cst(s.from), "until": cst(s.until) })).collect();
    let object = json!({
        "from": cst(args.from),
        "start": cst(start),
        "limit": limit,
        "allowed_working_minutes": allowed,
        "suspensions": suspensions,
        "due": cst(due),
        "provisional": provisional,
    });
    Ok(serde_json::to_string_pretty(&object)?)
}

/// Working time from `args.from` to `args.to` in `calendar`, in working minutes and working
/// days (working minutes ÷ working minutes per day); plain text, or a JSON object with `--json`.
pub fn between(args: &BetweenArgs, calendar: &WorkingCalendar) -> anyhow::Result<String> {
    let minutes = calendar.working_minutes_between(args.from, args.to).context("cannot count working time")?;
    let days = calendar.working_days_between(args.from, args.to)?;
    let per_day = calendar.minutes_per_working_day();
    let provisional = calendar.touches_provisional(args.from, args.to);
    if !args.json {
        let mark = if provisional { " (暂定 provisional)" } else { "" };
        return Ok(format!("{minutes} working minutes = {days:.3} working days (of {per_day} minutes){mark}"));
    }
    let object = json!({
        "from": cst(args.from),
        "to": cst(args.to),
        "working_minutes": minutes,
        "working_days": days,
        "minutes_per_working_day": per_day,
        "provisional": provisional,
    });
    Ok(serde_json::to_string_pretty(&object)?)
}

/// A calendar made of holiday CSV files (`date,kind,name`), with the default working hours and
/// no closures; the years of the files' dates are announced, the others provisional. No
/// files: the built-in calendar (2020–2026 announced).
pub fn calendar_from_files(paths: &[PathBuf]) -> anyhow::Result<WorkingCalendar> {
    if paths.is_empty() {
        return Ok(WorkingCalendar::builtin());
    }
    let mut days = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        days.extend(
            WorkingCalendar::parse_csv(&text).with_context(|| format!("{} is not a holiday CSV", path.display()))?,
        );
    }
    WorkingCalendar::new(&days, WorkingHours::default(), &[]).context("the holiday files do not make a calendar")
}

/// `2024-02-08T10:00` (China Standard Time) or an RFC 3339 timestamp with its offset.
fn parse_moment(s: &str) -> Result<Timestamp, String> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil: DateTime = s
        .parse()
        .map_err(|_| format!("`{s}` is not a date-time like 2024-02-08T10:00 or 2024-02-08T10:00:00+08:00"))?;
    TimeZone::fixed(CHINA_STANDARD_TIME).to_timestamp(civil).map_err(|e| format!("`{s}`: {e}"))
}

/// `FROM/UNTIL`, each as [`parse_moment`].
fn parse_suspension(s: &str) -> Result<Suspension, String> {
    let (from, until) =
        s.split_once('/').ok_or_else(|| format!("`{s}` is not FROM/UNTIL, e.g. 2024-02-05T10:00/2024-02-06T11:00"))?;
    let suspension = Suspension { from: parse_moment(from.trim())?, until: parse_moment(until.trim())? };
    if suspension.until < suspension.from {
        return Err(format!("`{s}` ends before it starts"));
    }
    Ok(suspension)
}

/// RFC 3339 at +08:00, e.g. `2024-02-19T17:30:00+08:00`.
fn cst(t: Timestamp) -> String {
    t.display_with_offset(CHINA_STANDARD_TIME).to_string()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct DueCli {
        #[command(flatten)]
        args: DueArgs,
    }

    #[derive(Debug, Parser)]
    struct BetweenCli {
        #[command(flatten)]
        args: BetweenArgs,
    }

    fn due_of(argv: &[&str]) -> anyhow::Result<String> {
        let cli = DueCli::try_parse_from(std::iter::once("due").chain(argv.iter().copied()))?;
        due(&cli.args, &WorkingCalendar::builtin())
    }

    fn between_of(argv: &[&str]) -> anyhow::Result<String> {
        let cli = BetweenCli::try_parse_from(std::iter::once("between").chain(argv.iter().copied()))?;
        between(&cli.args, &WorkingCalendar::builtin())
    }

    #[test]
    fn due_prints_a_cst_timestamp_across_the_spring_festival() -> anyhow::Result<()> {
        assert_eq!(due_of(&["--from", "2024-02-08T10:00", "--working-days", "3"])?, "2024-02-19T17:30:00+08:00");
        assert_eq!(due_of(&["--from", "2024-02-08T02:00:00Z", "--working-days", "2"])?, "2024-02-18T17:30:00+08:00");
        assert_eq!(due_of(&["--from", "2024-02-08T16:30", "--working-hours", "2"])?, "2024-02-09T10:00:00+08:00");
        assert_eq!(due_of(&["--from", "2024-02-10T09:00", "--end-of-day"])?, "2024-02-18T17:30:00+08:00");
        Ok(())
    }

    #[test]
    fn due_with_a_suspension_is_extended() -> anyhow::Result<()> {
        let argv =
            ["--from", "2024-03-04T09:00", "--working-hours", "7", "--suspension", "2024-03-04T10:00/2024-03-04T11:00"];
        assert_eq!(due_of(&argv)?, "2024-03-05T10:00:00+08:00");
        assert!(
            due_of(&[
                "--from",
                "2024-03-04T09:00",
                "--end-of-day",
                "--suspension",
                "2024-03-04T11:00/2024-03-04T10:00"
            ])
            .is_err()
        );
        Ok(())
    }

    #[test]
    fn due_json_names_start_limit_allowance_and_due() -> anyhow::Result<()> {
        let out = due_of(&["--from", "2024-03-01T18:00", "--working-days", "1", "--json"])?;
        let value: serde_json::Value = serde_json::from_str(&out)?;
        assert_eq!(
            value,
            json!({
                "from": "2024-03-01T18:00:00+08:00",
                "start": "2024-03-04T09:00:00+08:00",
                "limit": { "working_days": 1 },
                "allowed_working_minutes": 840,
                "suspensions": [],
                "due": "2024-03-05T17:30:00+08:00",
                "provisional": false,
            })
        );
        Ok(())
    }

    #[test]
    fn exactly_one_limit_is_required() {
        assert!(due_of(&["--from", "2024-03-01T10:00"]).is_err());
        assert!(due_of(&["--from", "2024-03-01T10:00", "--working-days", "1", "--end-of-day"]).is_err());
        assert!(due_of(&["--from", "2024-03-01T10:00", "--working-days", "1", "--working-hours", "2"]).is_err());
    }

    #[test]
    fn bad_or_uncovered_moments_are_errors() {
        assert!(due_of(&["--from", "next tuesday", "--end-of-day"]).is_err());
        let err = due_of(&["--from", "2101-03-01T10:00", "--end-of-day"]).expect_err("2101 is not covered");
        assert!(format!("{err:#}").contains("1950–2100"), "{err:#}");
    }

    #[test]
    fn a_due_time_in_a_provisional_year_is_marked() -> anyhow::Result<()> {
        assert_eq!(
            due_of(&["--from", "2027-03-01T10:00", "--end-of-day"])?,
            "2027-03-01T17:30:00+08:00 (暂定 provisional)"
        );
        let out = due_of(&["--from", "2026-12-31T10:00", "--working-days", "1", "--json"])?;
        let value: serde_json::Value = serde_json::from_str(&out)?;
        assert_eq!(value["due"], "2027-01-04T17:30:00+08:00");
        assert_eq!(value["provisional"], true);
        Ok(())
    }

    #[test]
    fn between_prints_minutes_and_days() -> anyhow::Result<()> {
        let out = between_of(&["--from", "2024-03-01T10:00", "--to", "2024-03-04T10:00"])?;
        assert_eq!(out, "420 working minutes = 1.000 working days (of 420 minutes)");
        let out = between_of(&["--from", "2024-09-30T09:00", "--to", "2024-10-08T12:00"])?;
        assert_eq!(out, "600 working minutes = 1.429 working days (of 420 minutes)");
        Ok(())
    }

    #[test]
    fn between_json_is_an_object() -> anyhow::Result<()> {
        let out = between_of(&["--from", "2024-03-04T10:00+08:00", "--to", "2024-03-01T10:00", "--json"])?;
        let value: serde_json::Value = serde_json::from_str(&out)?;
        assert_eq!(
            value,
            json!({
                "from": "2024-03-04T10:00:00+08:00",
                "to": "2024-03-01T10:00:00+08:00",
                "working_minutes": -420,
                "working_days": -1.0,
                "minutes_per_working_day": 420,
                "provisional": false,
            })
        );
        Ok(())
    }

    #[test]
    fn calendar_from_files_joins_files_and_names_a_bad_one() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("cn-2030.csv");
        let b = dir.path().join("cn-2031.csv");
        std::fs::write(&a, "date,kind,name\n2030-01-01,holiday,元旦\n")?;
        std::fs::write(&b, "date,kind,name\n2031-01-01,holiday,元旦\n")?;
        let calendar = calendar_from_files(&[a.clone(), b])?;
        assert_eq!(calendar.announced_years(), [2030, 2031]);
        let cli = DueCli::try_parse_from([
            "due",
            "--from",
            "2030-12-31T17:00",
            "--working-hours",
            "1",
            "--holidays",
            "x.csv",
        ])?;
        assert_eq!(due(&cli.args, &calendar)?, "2031-01-02T09:30:00+08:00");

        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "date,kind,name\n2030-01-01,off,元旦\n")?;
        let err = calendar_from_files(&[a, bad]).expect_err("bad kind");
        let message = format!("{err:#}");
        assert!(message.contains("bad.csv") && message.contains("line 2, column 2"), "{message}");
        assert_eq!(calendar_from_files(&[])?.announced_years().len(), 7);
        Ok(())
    }
}
