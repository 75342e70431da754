//! Demo joint review meetings (联审联批): the seed's 8 meetings over the year before `now`,
//! held by the counties and zones of the projects on them, deciding this year's candidates
//! (the library's projects with an annual planned investment — 212 in the demo): 13 exited
//! with their reasons, 44 given a roadmap (most tasks done, the latest meeting's still open,
//! one project's overdue), the other 155 unblocked into modular approval. Everything goes
//! through the same use case as the API, so the figures come from the records; the split
//! scales when the library holds fewer candidates. No randomness: the same library, the
//! same meetings.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use tongban_core::calendar::{WorkingCalendar, local_date};
use tongban_core::division::DivisionCode;
use tongban_core::identity::Role;
use tongban_core::joint_review::{Decision, MeetingInput, ProjectInput, TaskInput};
use tongban_server::App;
use tongban_server::app::actor::staff_account;
use tongban_server::app::meetings;
use tongban_server::auth::{Principal, Via};

/// Meetings held.
const MEETINGS: usize = 8;
/// Days before `now` each meeting was held.
const DAYS_AGO: [i64; MEETINGS] = [330, 290, 245, 200, 150, 100, 45, 8];
/// The seed's split of 212 projects.
const SEED: (usize, usize, usize) = (13, 44, 212);

const EXIT_REASONS: [&str; 3] = [
    "违法违规：未批先建，已责令停止施工并告知投资人依法整改后重新申报",
    "选址位于生态保护红线内，不符合国土空间规划，退出审批流程并书面告知投资人",
    "不符合产业政策（限制类项目），退出审批流程并告知投资人原因",
];
const BLOCKAGES: [&str; 3] = ["用地预审意见已协调出具", "规划设计条件已明确", "项目资金已落实到位"];
const TASKS: [(&str, u32); 2] = [("补齐要件材料并完成预审", 10), ("协调落实用地指标与建设资金", 20)];

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The decisions for `n` candidates in the seed's proportions, spread over the list by a
/// stride coprime to `n` (so exits and roadmaps fall on every meeting).
fn decisions(n: usize) -> Vec<Decision> {
    let (exit, roadmap, all) = SEED;
    let exits = (n * exit + all / 2) / all;
    let roadmaps = (n * roadmap + all / 2) / all;
    let list: Vec<Decision> = (0..n)
        .map(|i| match i {
            i if i < exits => Decision::Exit,
            i if i < exits + roadmaps => Decision::Roadmap,
            _ => Decision::Unblocked,
        })
        .collect();
    let stride = (37..).find(|s| gcd(*s, n.max(1)) == 1).unwrap_or(1);
    (0..n).map(|j| list[(j * stride) % n]).collect()
}

/// The division most of `divisions` are in (the first such, in order).
fn most_common<'a>(divisions: impl Iterator<Item = &'a DivisionCode>) -> Option<DivisionCode> {
    let mut counts: Vec<(&DivisionCode, usize)> = Vec::new();
    for d in divisions {
        match counts.iter_mut().find(|(c, _)| *c == d) {
            Some((_, n)) => *n += 1,
            None => counts.push((d, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    counts.into_iter().find(|(_, n)| *n == best).map(|(d, _)| d.clone())
}

/// Records the demo meetings unless some exist or there are no candidates; returns how many
/// projects they decided.
pub async fn ensure(app: &App, now: Timestamp, calendar: &WorkingCalendar) -> anyhow::Result<usize> {
    // The use cases act on the demo's dates: each meeting on its day, each task done before
    // it was due, whatever the wall clock says.
    let clock = Arc::new(Mutex::new(now));
    let mut app = app.clone();
    let hands = clock.clone();
    app.clock = Arc::new(move || *hands.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let app = &app;
    let set = |t: Timestamp| *clock.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = t;
    let _ = calendar; // the use case counts deadlines on the center's calendar
    let leader = Principal {
        account: Some(staff_account("leader", "leader", Role::CenterLeader)),
        via: Via::Console,
        client: None,
        session_hash: None,
        session_csrf: None,
    };
    if meetings::summary(app, &leader).await?.meetings > 0 {
        return Ok(0);
    }
    let mut candidates = meetings::candidates(app, &leader).await?;
    candidates.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    let departments: Vec<String> =
        tongban_server::app::public::departments(app).await?.into_iter().map(|d| d.code.to_string()).collect();
    if candidates.is_empty() || departments.is_empty() {
        return Ok(0);
    }
    let decided = decisions(candidates.len());
    let mut recorded = Vec::new();
    for (k, ago) in DAYS_AGO.iter().enumerate() {
        // Contiguous runs of the list sorted by division: each meeting is its county's or zone's.
        let n = candidates.len();
        let on: Vec<usize> = (k * n / MEETINGS..(k + 1) * n / MEETINGS).collect();
        let held = now.checked_sub(SignedDuration::from_hours(24 * ago))?;
        let date = local_date(held);
        let Some(division) = most_common(on.iter().map(|&i| &candidates[i].1)) else { continue };
        let mut projects = Vec::new();
        for (n, &i) in on.iter().enumerate() {
            let (code, _, _) = &candidates[i];
            let mut p =
                ProjectInput { project: code.to_string(), decision: decided[i].as_str().into(), ..Default::default() };
            match decided[i] {
                Decision::Exit => p.reasons = Some(EXIT_REASONS[i % EXIT_REASONS.len()].into()),
                Decision::Roadmap => {
                    p.reasons = Some("要件不全、用地指标或资金未落实，制定路线图限时解决".into());
                    p.tasks = TASKS
                        .iter()
                        .enumerate()
                        .map(|(t, (title, days))| TaskInput {
                            title: (*title).into(),
                            owner: Some(departments[(i + t) % departments.len()].clone()),
                            person: None,
                            days: Some(*days),
                            due: None,
                        })
                        .collect();
                }
                Decision::Unblocked => p.blockages = vec![BLOCKAGES[(i + n) % BLOCKAGES.len()].into()],
            }
            projects.push(p);
        }
        let units: Vec<String> = on.iter().take(20).map(|&i| candidates[i].2.clone()).collect();
        let input = MeetingInput {
            title: format!("{}年第{}次工程建设项目联审联批会议", date.year(), k + 1),
            date: date.to_string(),
            division: division.to_string(),
            leaders: vec!["分管副区长".into(), "政务服务中心主任".into()],
            representatives: departments
                .iter()
                .take(6)
                .map(|d| tongban_core::joint_review::RepresentativeInput {
                    department: d.clone(),
                    name: Some("首席代表".into()),
                    account: None,
                })
                .collect(),
            units: units.into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect(),
            agenda: None,
            minutes: format!("会议听取了{}个项目的审批堵点汇报，逐项研究，形成退出、路线图和疏通三类决定。", on.len()),
            projects,
        };
        set(held);
        let row = meetings::record_meeting(app, &leader, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo meeting {}: {e}", k + 1))?;
        recorded.push(row);
    }
    // Roadmaps followed: every task done but the latest meeting's (still open) and the first
    // roadmap of the meeting before it (open past its deadline: overdue, alerted).
    let mut left_overdue = false;
    for (k, m) in recorded.iter().enumerate() {
        for a in m.projects.iter().filter(|a| !a.tasks.is_empty()) {
            if k + 1 == recorded.len() {
                continue;
            }
            if k + 2 == recorded.len() && !left_overdue {
                left_overdue = true;
                continue;
            }
            for t in &a.tasks {
                // Done a working day or so before the deadline (never after `now`).
                set(t.task.due_at.checked_sub(SignedDuration::from_hours(30))?.min(now));
                meetings::finish_task(app, &leader, t.id).await?;
            }
        }
    }
    set(now);
    let s = meetings::summary(app, &leader).await?;
    println!(
        "demo joint review: {} meetings on {} projects: {} exited, {} roadmaps, {} unblocked; investment {} yuan ({} this year)",
        s.meetings, s.projects, s.exit, s.roadmap, s.unblocked, s.total_investment_yuan, s.annual_investment_yuan
    );
    Ok(usize::try_from(s.projects).unwrap_or(0))
}

/// The demo's joint review as the records count it: the seed's 8 meetings on 212 projects
/// (13 / 44 / 155), 149.29 and 26.02 billion yuan, roadmap tasks open and overdue, and a
/// second seeding adding nothing.
#[cfg(test)]
pub(crate) async fn assert_seed_figures(app: &App, now: Timestamp, calendar: &WorkingCalendar, day: &str) {
    let leader = Principal::console();
    let s = meetings::summary(app, &leader).await.expect("summary");
    assert_eq!(
        (s.meetings, s.projects, s.exit, s.roadmap, s.unblocked),
        (8, 212, 13, 44, 155),
        "{day}: the seed's meetings and decisions"
    );
    assert_eq!((s.total_investment_yuan, s.annual_investment_yuan), (149_290_000_000, 26_020_000_000), "{day}");
    let open = meetings::roadmap_tasks(app, &leader, Some(true)).await.expect("open tasks");
    let overdue = open.iter().filter(|t| t.task.due_at < now).count();
    assert!(!open.is_empty() && overdue >= 1 && overdue < open.len(), "{day}: {} open, {overdue} overdue", open.len());
    assert_eq!(ensure(app, now, calendar).await.expect("again"), 0, "{day}: seeding twice adds nothing");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_split_is_kept_and_spread() {
        let d = decisions(212);
        let count = |x: Decision| d.iter().filter(|y| **y == x).count();
        assert_eq!((count(Decision::Exit), count(Decision::Roadmap), count(Decision::Unblocked)), (13, 44, 155));
        // Every meeting (an eighth of the list) gets roadmaps and unblocked projects.
        for k in 0..MEETINGS {
            let on: Vec<Decision> = (k * 212 / MEETINGS..(k + 1) * 212 / MEETINGS).map(|i| d[i]).collect();
            assert!(on.contains(&Decision::Unblocked) && on.contains(&Decision::Roadmap), "meeting {k}");
        }
        assert_eq!(decisions(4).len(), 4);
        assert!(decisions(0).is_empty());
    }
}
