//! One row of a holiday schedule (节假日安排): [`CalendarDay`], and its CSV form `date,kind,name`.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// What a schedule row says about its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// 放假 — a public holiday (法定节假日) or a rest day moved into one: no work.
    Holiday,
    /// 调休上班 — a make-up working day, usually a weekend day; on a weekday it changes nothing.
    Workday,
}

impl DayKind {
    /// The CSV / JSON spelling: `holiday` or `workday`.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DayKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "holiday" => Ok(DayKind::Holiday),
            "workday" => Ok(DayKind::Workday),
            other => Err(format!("kind must be `holiday` or `workday`, not `{other}`")),
        }
    }
}

/// One row of a holiday schedule: a date, whether it is off or worked, and the festival's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalendarDay {
    /// The civil date in China Standard Time.
    pub date: Date,
    /// Off (放假) or worked (调休上班).
    pub kind: DayKind,
    /// The festival, e.g. `春节` or `国庆节、中秋节`; may be empty. Kept as written (not trimmed).
    pub name: String,
}

const HEADER: [&str; 3] = ["date", "kind", "name"];

/// Parses `date,kind,name` CSV text (header required). See [`WorkingCalendar::parse_csv`](super::WorkingCalendar::parse_csv).
pub(super) fn parse_csv(text: &str) -> Result<Vec<CalendarDay>, CalendarError> {
    Ok(parse_csv_lines(text)?.into_iter().map(|(_, day)| day).collect())
}

/// Like [`parse_csv`], with each row's 1-based line number.
pub(super) fn parse_csv_lines(text: &str) -> Result<Vec<(u64, CalendarDay)>, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            return Err(parse_error(1, None, "empty text: expected the header `date,kind,name`"));
        }
        Some(record) => record.map_err(csv_error)?,
    };
    let fields: Vec<&str> = header.iter().map(str::trim).collect();
    if fields != HEADER {
        let line = header.position().map_or(1, csv::Position::line);
        let why = format!("expected the header `date,kind,name`, found `{}`", fields.join(","));
        return Err(parse_error(line, None, &why));
    }
    let mut days = Vec::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, csv::Position::line);
        days.push((line, parse_row(&record, line)?));
    }
    Ok(days)
}

fn parse_row(record: &csv::StringRecord, line: u64) -> Result<CalendarDay, CalendarError> {
    let [date, kind, name] = match (record.get(0), record.get(1), record.get(2), record.len()) {
        (Some(d), Some(k), Some(n), 3) => [d.trim(), k.trim(), n],
        (.., found) => {
            let why = format!("expected 3 fields `date,kind,name`, found {found}");
            return Err(parse_error(line, None, &why));
        }
    };
    let date = parse_date(date).map_err(|why| parse_error(line, Some(1), &why))?;
    let kind = kind.parse().map_err(|why: String| parse_error(line, Some(2), &why))?;
    Ok(CalendarDay { date, kind, name: name.to_owned() })
}

/// A strict `YYYY-MM-DD` date.
fn parse_date(s: &str) -> Result<Date, String> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(format!("date must be YYYY-MM-DD, not `{s}`"));
    }
    s.parse::<Date>().map_err(|e| format!("`{s}` is not a valid date: {e}"))
}

pub(super) fn parse_error(line: u64, column: Option<u32>, why: &str) -> CalendarError {
    CalendarError::Parse { line, column, why: why.to_owned() }
}

fn csv_error(e: csv::Error) -> CalendarError {
    let line = e.position().map_or(0, csv::Position::line);
    CalendarError::Parse { line, column: None, why: e.to_string() }
}

/// Writes `days` as `date,kind,name` CSV with a header, quoting names only when needed.
pub(super) fn to_csv(days: &[CalendarDay]) -> String {
    let mut out = String::with_capacity(16 + days.len() * 24);
    out.push_str("date,kind,name\n");
    for day in days {
        out.push_str(&day.date.to_string());
        out.push(',');
        out.push_str(day.kind.as_str());
        out.push(',');
        push_field(&mut out, &day.name);
        out.push('\n');
    }
    out
}

fn push_field(out: &mut String, field: &str) {
    // Quote when a reader would otherwise split or trim the field.
    let needs_quotes = field.contains([',', '"', '\n', '\r'])
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if needs_quotes {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}
