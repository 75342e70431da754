//! 好差评 in the demo: the ratings the case simulation recorded get their rows (attributed
//! by core's rule), and every bad one is rectified as the rules have it — the department's
//! head verifies, rectifies and feeds back within days, the rater accepts, or every third
//! rates again; one appeal is upheld and one rejected by the supervisor. Steps later than
//! now are left for later, so the newest bad ratings are still being worked on.
//! Deterministic: the order is the stored one, the times follow from the ratings'.

use tongban_core::rating::appeal::Verdict;
use tongban_core::rating::rectification::Step;
use tongban_server::App;
use tongban_server::app::ratings;
use tongban_server::auth::Principal;

use super::org::Org;

/// The supervisor's login in the demo (see `demo_accounts`).
const SUPERVISOR: &str = "supervisor";

/// What was loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Loaded {
    /// Ratings given their rows.
    pub ratings: usize,
    /// Rectifications taken to their end (accepted or rated again).
    pub closed: usize,
}

/// The steps of one rectification after it opened, in hours, with what is said.
const STEPS: [(Step, i64, &str); 3] = [
    (Step::Verify, 20, "调取窗口录像和办件记录核实：高峰时段等候时间过长"),
    (Step::Rectify, 44, "高峰时段增开一个窗口，提醒工作人员一次性告知"),
    (Step::FeedBack, 68, "已电话回访评价人，说明核实情况和整改措施"),
];

/// Loads the ratings and their rectifications and appeals.
pub(super) async fn load(app: &App, org: &Org, now: jiff::Timestamp) -> anyhow::Result<Loaded> {
    let console = Principal::console();
    let mut loaded = Loaded { ratings: ratings::carry_over(app, &console).await?, closed: 0 };
    let mut open = ratings::rectifications(app, &console).await?;
    open.sort_by_key(|x| x.rectification_id);
    let head_of = |department: &str| {
        org.departments
            .iter()
            .zip(&org.teams)
            .find(|(d, _)| d.code.as_str() == department)
            .map_or_else(|| SUPERVISOR.to_owned(), |(_, t)| t.head.clone())
    };
    for (k, x) in open.iter().enumerate() {
        let head = head_of(&x.department);
        let at =
            |hours: i64| x.opened_at.checked_add(jiff::SignedDuration::from_hours(hours)).ok().filter(|t| *t <= now);
        let mut done = true;
        for (step, hours, text) in STEPS {
            let Some(t) = at(hours) else {
                done = false;
                break;
            };
            ratings::load_step(app, &console, x.rectification_id, step, text, &head, t).await?;
        }
        let Some(t) = at(92).filter(|_| done) else { continue };
        let rating = ratings::rating_of(app, x.rating_id).await?;
        let answer = if k % 3 == 2 { Step::Rerate } else { Step::Accept };
        ratings::load_step(app, &console, x.rectification_id, answer, "整改后满意", &rating.rater, t).await?;
        loaded.closed += 1;
    }
    // One appeal upheld (the rater rated another office's case), one rejected.
    let appeals = [
        (Verdict::Upheld, "评价人误评：所评内容为其他单位办理事项", "核查评价记录属实，不计入统计"),
        (Verdict::Rejected, "评价人情绪化评价，申请剔除", "理由不足，差评保留，继续整改"),
    ];
    for (x, (verdict, reasons, note)) in open.iter().zip(appeals) {
        let Some(t) = x.opened_at.checked_add(jiff::SignedDuration::from_hours(30)).ok().filter(|t| *t <= now) else {
            continue;
        };
        let head = head_of(&x.department);
        ratings::load_appeal(app, &console, x.rating_id, reasons, &head, SUPERVISOR, verdict, note, t).await?;
    }
    Ok(loaded)
}
