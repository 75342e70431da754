//! The figures of joint review (联审联批): meetings, the distinct projects on their agendas,
//! how many were exited, given a roadmap or unblocked (each project counted once, under its
//! latest decision), and the investment of those projects — all from the records.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Decision;
use crate::plan::ProjectCode;

/// One project on one meeting's agenda, with its decision there and its investment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedRow {
    /// The meeting's id.
    pub meeting: i64,
    /// The day it was held.
    pub date: Date,
    /// The project.
    pub project: ProjectCode,
    /// The decision taken (none: on the agenda, not decided).
    pub decision: Option<Decision>,
    /// 总投资, yuan.
    pub investment_yuan: u64,
    /// 年度计划投资, yuan.
    pub annual_investment_yuan: u64,
}

/// The joint review figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Meetings held.
    pub meetings: u64,
    /// Distinct projects on their agendas.
    pub projects: u64,
    /// Projects whose latest decision is exit.
    pub exit: u64,
    /// … a roadmap.
    pub roadmap: u64,
    /// … unblocked.
    pub unblocked: u64,
    /// The total investment of the distinct projects, yuan.
    pub total_investment_yuan: u64,
    /// Their annual planned investment, yuan.
    pub annual_investment_yuan: u64,
    /// The total investment of the projects unblocked, yuan.
    pub unblocked_investment_yuan: u64,
}

/// The figures of `meetings` meetings whose agendas are `rows`.
pub fn summarize(meetings: u64, rows: &[DecidedRow]) -> Summary {
    let mut latest: BTreeMap<&ProjectCode, (Date, i64, Option<Decision>, u64, u64)> = BTreeMap::new();
    for r in rows {
        let entry = (r.date, r.meeting, r.decision, r.investment_yuan, r.annual_investment_yuan);
        match latest.get(&r.project) {
            // An undecided appearance does not undo an earlier decision.
            Some(&(d, m, prev, ..)) if (d, m) > (r.date, r.meeting) || (r.decision.is_none() && prev.is_some()) => {}
            _ => {
                latest.insert(&r.project, entry);
            }
        }
    }
    let mut s = Summary { meetings, ..Summary::default() };
    let distinct: BTreeSet<&ProjectCode> = latest.keys().copied().collect();
    s.projects = distinct.len() as u64;
    for (_, _, decision, investment, annual) in latest.values() {
        s.total_investment_yuan += investment;
        s.annual_investment_yuan += annual;
        match decision {
            Some(Decision::Exit) => s.exit += 1,
            Some(Decision::Roadmap) => s.roadmap += 1,
            Some(Decision::Unblocked) => {
                s.unblocked += 1;
                s.unblocked_investment_yuan += investment;
            }
            None => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(meeting: i64, date: &str, code: &str, d: Option<Decision>, inv: u64) -> DecidedRow {
        DecidedRow {
            meeting,
            date: date.parse().unwrap(),
            project: ProjectCode::parse(code).unwrap(),
            decision: d,
            investment_yuan: inv,
            annual_investment_yuan: inv / 10,
        }
    }

    #[test]
    fn a_project_counts_once_under_its_latest_decision() {
        let rows = [
            row(1, "2026-03-02", "2026-620102-47-01-000001", Some(Decision::Roadmap), 100),
            row(2, "2026-05-06", "2026-620102-47-01-000001", Some(Decision::Unblocked), 100),
            row(1, "2026-03-02", "2026-620102-47-01-000002", Some(Decision::Exit), 50),
            row(2, "2026-05-06", "2026-620102-47-01-000003", None, 20),
        ];
        let s = summarize(2, &rows);
        assert_eq!(
            s,
            Summary {
                meetings: 2,
                projects: 3,
                exit: 1,
                roadmap: 0,
                unblocked: 1,
                total_investment_yuan: 170,
                annual_investment_yuan: 17,
                unblocked_investment_yuan: 100,
            }
        );
    }
}
