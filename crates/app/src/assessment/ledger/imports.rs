//! Imports of the assessment's ledger: attendance days and third-party scores (第三方评估),
//! read from CSV or xlsx in one pass; on any bad row nothing is written and each problem is
//! named by its line and column.

use std::collections::HashSet;

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::assessment::{AttendanceMark, Grouping, Period, Score};
use tongban_core::table::{Columns, Row, RowError, Table};
use tongban_store::{AttendanceRow, ThirdPartyRow};

use super::parse_day;
use crate::actor::Principal;
use crate::tables::{Upload, read_one};
use crate::{App, AppError, authorize};

/// What an import read (and, unless a dry run, wrote).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// Rows read.
    pub rows: usize,
    /// Whether nothing was written on purpose.
    pub dry_run: bool,
}

fn cells<'r>(columns: &Columns, row: &'r Row, names: &[&str]) -> Vec<&'r str> {
    names.iter().map(|n| columns.get(row, n)).collect()
}

/// Imports attendance: `account,day` then any of `check_in,check_out,mark` (HH:MM, and
/// leave/late/absent or 请假/迟到/旷工). Every row is checked in one pass; on any error
/// nothing is written and each is named by its line and column.
pub async fn import_attendance(
    state: &App,
    principal: &Principal,
    file: &Upload<'_>,
    bytes: &[u8],
    dry_run: bool,
) -> Result<Imported, AppError> {
    authorize(principal, Action::ConfigureAssessment)?;
    let table: Table = read_one(file, bytes, "attendance").map_err(AppError::Rows)?;
    let columns =
        table.columns(&["account", "day"], &["check_in", "check_out", "mark"]).map_err(|e| AppError::Rows(vec![e]))?;
    let staff: HashSet<String> = state.store.staff_posts().await?.into_iter().map(|p| p.account).collect();
    let (mut rows, mut errors, mut seen) = (Vec::new(), Vec::<RowError>::new(), HashSet::new());
    for row in columns.rows(&table) {
        let [account, day, check_in, check_out, mark] =
            cells(&columns, row, &["account", "day", "check_in", "check_out", "mark"])[..]
        else {
            continue;
        };
        let mut fail = |column: &str, why: String| errors.push(table.error(row.number, Some(column), why));
        if !staff.contains(account) {
            fail("account", format!("no staff member {account:?}"));
        }
        // Every cell is checked, so that one pass names all of a row's problems.
        let day = parse_day(day).map_err(|_| fail("day", format!("{day:?} is not a date written YYYY-MM-DD"))).ok();
        if let Some(day) = &day
            && !seen.insert((account.to_owned(), day.clone()))
        {
            fail("day", format!("{account} on {day} appears twice"));
        }
        let time = |t: &str| {
            (!t.is_empty())
                .then(|| t.parse::<jiff::civil::Time>().map(|t| format!("{:02}:{:02}", t.hour(), t.minute())))
        };
        let (i, o) = (time(check_in), time(check_out));
        for (column, t, text) in [("check_in", &i, check_in), ("check_out", &o, check_out)] {
            if matches!(t, Some(Err(_))) {
                fail(column, format!("{text:?} is not a time written HH:MM"));
            }
        }
        let m = (!mark.is_empty()).then(|| AttendanceMark::parse(mark));
        if m == Some(None) {
            fail("mark", format!("{mark:?} is not leave, late or absent (请假, 迟到, 旷工)"));
        }
        let Some(day) = day else { continue };
        rows.push(AttendanceRow {
            account: account.to_owned(),
            day,
            check_in: i.and_then(Result::ok),
            check_out: o.and_then(Result::ok),
            mark: m.flatten().map(|m| m.as_str().to_owned()),
            recorded_by: principal.id().to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let count = rows.len();
    if !dry_run {
        let at = state.now();
        state
            .store
            .write(move |c| {
                Box::pin(async move {
                    for r in &rows {
                        tongban_store::put_attendance_day(c, r, at).await?;
                    }
                    Ok::<_, AppError>(())
                })
            })
            .await?;
    }
    Ok(Imported { rows: count, dry_run })
}

/// Imports third-party scores: `period,kind,code,score` then optionally `source`; a score
/// is 0–100 with at most two decimals. One pass, nothing written on any error.
pub async fn import_scores(
    state: &App,
    principal: &Principal,
    file: &Upload<'_>,
    bytes: &[u8],
    dry_run: bool,
) -> Result<Imported, AppError> {
    authorize(principal, Action::ConfigureAssessment)?;
    let table: Table = read_one(file, bytes, "scores").map_err(AppError::Rows)?;
    let columns =
        table.columns(&["period", "kind", "code", "score"], &["source"]).map_err(|e| AppError::Rows(vec![e]))?;
    let mut known: HashSet<(Grouping, String)> = HashSet::new();
    for g in [Grouping::Window, Grouping::Department, Grouping::Site] {
        known.extend(state.store.assessment_subjects(g.as_str()).await?.into_iter().map(|s| (g, s.code)));
    }
    known.extend(state.store.staff_posts().await?.into_iter().map(|p| (Grouping::Staff, p.account)));
    let (mut rows, mut errors, mut seen) = (Vec::new(), Vec::<RowError>::new(), HashSet::new());
    for row in columns.rows(&table) {
        let [period, kind, code, score, source] =
            cells(&columns, row, &["period", "kind", "code", "score", "source"])[..]
        else {
            continue;
        };
        let mut fail = |column: &str, why: String| errors.push(table.error(row.number, Some(column), why));
        let p = Period::parse(period).map_err(|e| fail("period", e.to_string())).ok();
        let k = Grouping::parse(kind);
        if k.is_none() {
            fail("kind", format!("{kind:?} is not window, department, staff or site"));
        }
        if let Some(k) = k.filter(|k| !known.contains(&(*k, code.to_owned()))) {
            fail("code", format!("no {} {code:?}", k.as_str()));
        }
        let s = Score::parse(score);
        if s.is_none() {
            fail("score", format!("{score:?} is not a score from 0 to 100 with at most two decimals"));
        }
        if !seen.insert((period.to_owned(), kind.to_owned(), code.to_owned())) {
            fail("code", format!("{kind} {code} appears twice for {period}"));
        }
        if let (Some(p), Some(k), Some(s)) = (p, k, s) {
            rows.push(ThirdPartyRow {
                period: p.to_string(),
                subject_kind: k.as_str().to_owned(),
                subject_code: code.to_owned(),
                score: s.hundredths(),
                source: source.to_owned(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let count = rows.len();
    if !dry_run {
        let at = state.now();
        state
            .store
            .write(move |c| {
                Box::pin(async move {
                    for r in &rows {
                        tongban_store::put_third_party_score(c, r, at).await?;
                    }
                    Ok::<_, AppError>(())
                })
            })
            .await?;
    }
    Ok(Imported { rows: count, dry_run })
}
