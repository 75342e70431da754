//! A year of invented case histories, driven through the real case state machine.
//!
//! Each case is submitted on a working day during working hours, then commanded step by
//! step with [`Case::handle`] and [`Case::apply`] at times taken from the working calendar.
//! Steps planned after `now` are not taken, so recent cases are still running; the latest
//! are chosen among items whose limit has not run out. The rates — about 2 % not accepted
//! (some after a correction), 8 % corrections, 5 % suspensions, 5 % denials, 1.5 % late —
//! are the demo's own choice.

use anyhow::anyhow;
use jiff::Timestamp;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use tongban_core::calendar::{CHINA_STANDARD_TIME, WorkingCalendar};
use tongban_core::case::{
    Case, CaseCommand, CaseError, CaseEvent, CaseNumber, CaseState, Context, DeliveryMethod, Submission, Submitter,
};
use tongban_core::delegation::Delegations;
use tongban_core::identity::Power;
use tongban_core::item::{Category, Channel, ItemKind, ServiceItem};

use super::org::Team;
use super::people;

/// Why cases are not accepted (不予受理).
const REJECT_REASONS: [&str; 4] =
    ["申请事项不属于本机关职权范围", "申请人不具备申请资格", "申请事项依法不需要取得许可", "申请材料存在虚假内容"];

/// Why decisions are negative (不予).
const DENY_REASONS: [&str; 4] =
    ["经审查，申请人不符合法定条件", "现场核查不符合要求", "申请材料与实际情况不符", "未通过专家评审"];

/// Why the clock stops (挂起), with the range of working days it stays stopped.
const SUSPENSIONS: [(&str, u64, u64); 4] = [("专家评审", 3, 10), ("听证", 5, 15), ("公示", 5, 7), ("现场勘查", 1, 5)];

/// One recorded step and a case's history are the app's bulk-load types.
pub(super) use tongban_server::app::bulk::{AuthorisedHistory, CaseHistory as History, HistoryStep as Step};

/// What every case of the run shares.
pub(super) struct World<'a> {
    /// The catalog.
    pub items: &'a [ServiceItem],
    /// The catalog version the items belong to.
    pub version: u32,
    /// Per item: who handles it.
    pub teams: Vec<&'a Team>,
    /// Per item: share of individual applicants.
    pub individuals: Vec<f64>,
    /// Per item: running sum of the items' relative case volumes.
    pub cumulative: Vec<f64>,
    /// The same, counting only items with a promised limit of days or hours.
    pub long_cumulative: Vec<f64>,
    /// The working calendar.
    pub calendar: &'a WorkingCalendar,
    /// The grants in force: every decision is taken under one of their chains.
    pub delegations: &'a Delegations,
    /// No step happens after this.
    pub now: Timestamp,
}

/// Submission moments of `count` cases, spread evenly over the working time of the year
/// before `now` (only the part the calendar covers), sorted.
pub(super) fn submission_times(
    rng: &mut ChaCha8Rng,
    count: usize,
    now: Timestamp,
    calendar: &WorkingCalendar,
) -> anyhow::Result<Vec<Timestamp>> {
    let years = calendar.covered_years();
    let at = |y: i16, m: i8, d: i8, h: i8, min: i8| {
        CHINA_STANDARD_TIME.to_timestamp(jiff::civil::date(y, m, d).at(h, min, 0, 0))
    };
    let start = now.checked_sub(jiff::SignedDuration::from_hours(365 * 24))?.max(at(*years.start(), 1, 1, 0, 0)?);
    let end = now.min(at(*years.end(), 12, 31, 23, 59)?);
    if start >= end {
        return Ok(Vec::new());
    }
    let minutes = u64::try_from(calendar.working_minutes_between(start, end)?).unwrap_or(0);
    if minutes == 0 {
        return Ok(Vec::new());
    }
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let t = calendar.next_working_moment(calendar.add_working_minutes(start, rng.random_range(0..minutes))?)?;
        times.push(t.checked_add(jiff::SignedDuration::from_secs(rng.random_range(0..60)))?);
    }
    times.sort();
    Ok(times)
}

/// Picks an item, weighted by volume. For a case that must still be running at `now`,
/// picks among the items whose promised limit has not run out by then; none if there is
/// no such item.
fn pick_item(rng: &mut ChaCha8Rng, world: &World<'_>, t0: Timestamp, running: bool) -> Option<usize> {
    let pick = |rng: &mut ChaCha8Rng, cumulative: &[f64]| {
        let x = rng.random::<f64>() * cumulative.last().copied().unwrap_or(0.0);
        cumulative.partition_point(|&c| c <= x).min(cumulative.len().saturating_sub(1))
    };
    if !running {
        return Some(pick(rng, &world.cumulative));
    }
    let elapsed = world.calendar.working_minutes_between(t0, world.now).ok()?;
    (0..30).map(|_| pick(rng, &world.long_cumulative)).find(|&i| {
        let item = &world.items[i];
        // Room for the acceptance delay (up to a working day) and some work after `now`.
        item.promised_limit.is_some()
            && world.calendar.allowed_minutes(t0, item.deadline()).is_ok_and(|allowed| allowed > elapsed + 480)
    })
}

/// A case in progress and the steps taken so far.
struct Sim<'a> {
    case: Case,
    steps: Vec<Step>,
    item: &'a ServiceItem,
    calendar: &'a WorkingCalendar,
    delegations: &'a Delegations,
    /// The chain each decision was taken under, by step index.
    authority: Vec<(usize, Vec<String>)>,
    now: Timestamp,
    /// Kept running at `now`: no rejection or correction, decided after `now`.
    running: bool,
}

impl Sim<'_> {
    /// Takes one step at `at`; false (and nothing changes) when `at` is unknown, after `now`
    /// or outside the calendar: the case stops there, still running.
    fn step(&mut self, cmd: CaseCommand, at: Option<Timestamp>, actor: &str) -> anyhow::Result<bool> {
        let Some(at) = at.filter(|&t| t <= self.now) else {
            return Ok(false);
        };
        // A decision (准予, 不予) needs the approve power, held through a chain of grants.
        let chain = match cmd {
            CaseCommand::Approve { .. } | CaseCommand::Deny { .. } => Some(
                self.delegations
                    .authority(actor, &self.item.department, &self.item.code, Power::Approve, at)
                    .ok_or_else(|| anyhow!("{actor} holds no authority to decide {}", self.item.code))?,
            ),
            _ => None,
        };
        let ctx = Context { now: at, calendar: self.calendar, item: self.item, actor };
        let events = match self.case.handle(&cmd, &ctx) {
            Ok(events) => events,
            Err(CaseError::Calendar(_)) => return Ok(false),
            Err(e) => {
                return Err(anyhow!("demo case of {} refused {}: {e}", self.item.code, cmd.name()));
            }
        };
        for event in events {
            if let Some(chain) =
                chain.as_ref().filter(|_| matches!(event, CaseEvent::Approved { .. } | CaseEvent::Denied { .. }))
            {
                self.authority.push((self.steps.len(), chain.clone()));
            }
            self.case.apply(&event, at);
            self.steps.push(Step { event, at, actor: actor.to_owned() });
        }
        Ok(true)
    }

    /// `minutes` working minutes after `from`; none outside the calendar.
    fn after(&self, from: Timestamp, minutes: u64) -> Option<Timestamp> {
        self.calendar.add_working_minutes(from, minutes).ok()
    }
}

/// Simulates the life of one case submitted at `t0`; `running` asks for one still running
/// at `now` (honoured when some item's limit allows it).
pub(super) fn simulate(
    rng: &mut ChaCha8Rng,
    world: &World<'_>,
    t0: Timestamp,
    running: bool,
) -> anyhow::Result<AuthorisedHistory> {
    let (i, running) = match pick_item(rng, world, t0, running) {
        Some(i) => (i, running),
        None => (pick_item(rng, world, t0, false).unwrap_or(0), false),
    };
    let item = world.items.get(i).ok_or_else(|| anyhow!("the demo catalog is empty"))?;
    let team = world.teams[i];
    let clerk = team.clerks.choose(rng).ok_or_else(|| anyhow!("no clerk for {}", item.code))?.clone();
    // The item's proof of identity says who applies; otherwise the department's mix does.
    let has = |name: &str| item.materials.iter().any(|m| m.name == name);
    let individual = if has("居民身份证") {
        true
    } else if has("营业执照") {
        false
    } else {
        rng.random_bool(world.individuals[i])
    };
    let submission = Submission {
        applicant: people::applicant(rng, individual),
        channel: channel(rng, &item.channels),
        materials: item
            .materials
            .iter()
            .filter(|m| m.required || rng.random_bool(0.5))
            .map(|m| m.name.clone())
            .collect(),
        owner: clerk.clone(),
        priority: false,
        // Received at a window or by the hall's channel account, the document seen.
        submitter: Some(Submitter { account: clerk.clone(), verified: true }),
    };
    let year = CHINA_STANDARD_TIME.to_datetime(t0).year();
    let placeholder = CaseNumber::new(&item.division, year, 0);
    let (case, first) = Case::submit(placeholder, item, world.version, submission, t0)?;
    let mut sim = Sim {
        case,
        steps: Vec::new(),
        item,
        calendar: world.calendar,
        delegations: world.delegations,
        authority: Vec::new(),
        now: world.now,
        running,
    };
    sim.steps.push(Step { event: first, at: t0, actor: clerk.clone() });
    run(rng, &mut sim, team, &clerk, t0)?;
    let history = History { division: item.division.clone(), steps: sim.steps };
    Ok(AuthorisedHistory { history, authority: sim.authority })
}

/// From submission to delivery, stopping at the first step after `now`.
fn run(rng: &mut ChaCha8Rng, sim: &mut Sim<'_>, team: &Team, clerk: &str, t0: Timestamp) -> anyhow::Result<()> {
    let item = sim.item;
    let mut t = t0;
    let fate: f64 = if sim.running { 1.0 } else { rng.random() };
    if fate < 0.012 {
        let reason = REJECT_REASONS.choose(rng).copied().unwrap_or("不予受理").to_owned();
        sim.step(CaseCommand::Reject { reason }, sim.after(t, rng.random_range(5..=40)), clerk)?;
        return Ok(());
    }
    if fate < 0.10 {
        let count = rng.random_range(1..=2);
        let missing: Vec<String> = item.materials.choose_multiple(rng, count).map(|m| m.name.clone()).collect();
        let note = format!("{}不符合要求，请于5个工作日内补正", missing.join("、"));
        let at = sim.after(t, rng.random_range(5..=30));
        if !sim.step(CaseCommand::RequestCorrection { missing: missing.clone(), note }, at, clerk)? {
            return Ok(());
        }
        t = at.unwrap_or(t);
        if rng.random_bool(0.12) {
            let reason = "申请人逾期未补正申请材料".to_owned();
            sim.step(CaseCommand::Reject { reason }, sim.after(t, 5 * 420 + rng.random_range(0..420)), clerk)?;
            return Ok(());
        }
        let at = sim.after(t, rng.random_range(60..=5 * 420));
        if !sim.step(CaseCommand::Resubmit { materials: missing }, at, clerk)? {
            return Ok(());
        }
        t = at.unwrap_or(t);
    }
    let delay = match item.category {
        Category::OnTheSpot => rng.random_range(1..=10),
        Category::SameDay => rng.random_range(5..=90),
        Category::TimeLimited => rng.random_range(10..=240),
        Category::Agency => rng.random_range(30..=420),
    };
    let accepted = sim.after(t, delay);
    if !sim.step(CaseCommand::Accept, accepted, clerk)? {
        return Ok(());
    }
    let accepted = accepted.unwrap_or(t);
    let Ok(allowed) = sim.calendar.allowed_minutes(accepted, item.deadline()) else {
        return Ok(());
    };
    process(rng, sim, team, clerk, accepted, u64::try_from(allowed).unwrap_or(1).max(1))
}

/// After acceptance: steps, perhaps a suspension, the decision and the delivery, planned in
/// working minutes of the case's clock and placed in time around the suspension.
fn process(
    rng: &mut ChaCha8Rng,
    sim: &mut Sim<'_>,
    team: &Team,
    clerk: &str,
    accepted: Timestamp,
    allowed: u64,
) -> anyhow::Result<()> {
    let item = sim.item;
    let mut delivered = match item.category {
        Category::OnTheSpot => rng.random_range(3..=40),
        Category::SameDay => rng.random_range(20..=360),
        // Most cases finish well before the limit (提前办结).
        _ => (allowed as f64 * (0.12 + 0.85 * rng.random::<f64>().powf(1.3))) as u64,
    }
    .clamp(1, allowed);
    let mut decided = delivered - rng.random_range(0..=(delivered / 4).min(60));
    let elapsed = sim.calendar.working_minutes_between(accepted, sim.now).map_or(0, |m| u64::try_from(m).unwrap_or(0));
    if sim.running && elapsed + 1 < allowed {
        // Still being worked on at `now`, and not late.
        delivered = rng.random_range(elapsed + 1..=allowed);
        decided = decided.clamp(elapsed + 1, delivered);
    } else if rng.random_bool(0.015) {
        delivered = allowed + rng.random_range(30..=(allowed / 3).max(60));
    }
    let mut plan: Vec<(u64, CaseCommand, String)> = Vec::new();
    let at_share = |share: f64| ((decided as f64 * share) as u64).max(1);
    let step = |name: &str| CaseCommand::CompleteStep { step: name.to_owned(), note: String::new() };
    let reviewer = team.clerks.choose(rng).cloned().unwrap_or_else(|| team.chief.clone());
    match item.category {
        Category::OnTheSpot => {}
        Category::SameDay => plan.push((at_share(0.5), step("审核"), team.chief.clone())),
        Category::TimeLimited | Category::Agency => {
            if item.category == Category::Agency {
                plan.push((at_share(0.1), step("代办员对接并代为报送材料"), clerk.to_owned()));
            }
            plan.push((at_share(0.4), step("审查"), reviewer));
            plan.push((at_share(0.7), step("审核"), team.chief.clone()));
        }
    }
    let mut suspension = None;
    if matches!(item.category, Category::TimeLimited | Category::Agency) && decided >= 30 && rng.random_bool(0.11) {
        let (reason, min, max) = *SUSPENSIONS.choose(rng).unwrap_or(&SUSPENSIONS[0]);
        let from = at_share(rng.random_range(0.3..0.8));
        let length = rng.random_range(min..=max) * 420 + rng.random_range(0..420);
        plan.push((from, CaseCommand::Suspend { reason: reason.to_owned() }, team.chief.clone()));
        suspension = Some((from, length));
    }
    let decision = if rng.random_bool(0.05) {
        let reason = DENY_REASONS.choose(rng).copied().unwrap_or("不符合法定条件").to_owned();
        CaseCommand::Deny { reason, legal_basis: item.legal_basis.clone() }
    } else {
        let note = if item.kind == ItemKind::Licensing {
            "符合法定条件，准予许可"
        } else {
            "材料齐全，准予办理"
        };
        CaseCommand::Approve { note: note.to_owned() }
    };
    let approver = match (item.category, item.kind) {
        // 即收即办: decided at the window under the clerk's delegated authority (前台授权).
        (Category::OnTheSpot, _) => clerk.to_owned(),
        (Category::TimeLimited | Category::Agency, ItemKind::Licensing) => team.deputy.clone(),
        _ => team.chief.clone(),
    };
    plan.push((decided, decision, approver));
    plan.push((
        delivered,
        CaseCommand::Deliver { method: delivery(rng, sim.case.channel, &sim.case.number) },
        clerk.to_owned(),
    ));
    // Stable: on equal minutes the plan's order (steps, suspension, decision) holds.
    plan.sort_by_key(|(minute, ..)| *minute);
    for (minute, cmd, actor) in plan {
        let resume = match (&cmd, suspension) {
            (CaseCommand::Suspend { .. }, Some((from, length))) => Some(from + length),
            _ => None,
        };
        let shift = suspension.filter(|&(from, _)| minute > from).map_or(0, |(_, length)| length);
        if !sim.step(cmd, sim.after(accepted, minute + shift), &actor)? {
            return Ok(());
        }
        if let Some(until) = resume
            && !sim.step(CaseCommand::Resume, sim.after(accepted, until), &team.chief)?
        {
            return Ok(());
        }
    }
    // 好差评: most applicants rate, nearly all satisfied (the model reports ≥ 99.5 %).
    if sim.case.state == CaseState::Delivered && rng.random_bool(0.7) {
        let score = match rng.random_range(0..1000) {
            0..2 => 1,
            2..5 => 2,
            5..12 => 3,
            12..150 => 4,
            _ => 5,
        };
        let at = sim.case.closed_at.and_then(|t| sim.after(t, rng.random_range(5..600)));
        sim.step(CaseCommand::Rate { score, comment: String::new() }, at, "applicant")?;
    }
    Ok(())
}

/// The channel a case comes through: mostly the window, often online.
fn channel(rng: &mut ChaCha8Rng, offered: &[Channel]) -> Channel {
    let weight = |c: &Channel| match c {
        Channel::Window => 55,
        Channel::Online => 30,
        Channel::App => 8,
        Channel::Kiosk => 5,
        Channel::Mail => 2,
    };
    offered.choose_weighted(rng, weight).copied().unwrap_or(Channel::Window)
}

/// How a decision is handed over, by the channel it came in by. A mailed one gets an EMS
/// tracking number made from the case number, so the demo's random draws stay as they were.
fn delivery(rng: &mut ChaCha8Rng, channel: Channel, number: &CaseNumber) -> DeliveryMethod {
    const WINDOW: &str = "window";
    const MAIL: &str = "mail";
    const ELECTRONIC: &str = "electronic";
    let choices: &[&str] = match channel {
        Channel::Window | Channel::Kiosk => &[WINDOW, WINDOW, WINDOW, MAIL],
        Channel::Online | Channel::App => &[ELECTRONIC, ELECTRONIC, MAIL, WINDOW],
        Channel::Mail => &[MAIL],
    };
    match choices.choose(rng).copied().unwrap_or(WINDOW) {
        MAIL => {
            let digits: String = number.as_str().chars().filter(char::is_ascii_digit).collect();
            let serial = &digits[digits.len().saturating_sub(9)..];
            DeliveryMethod::Mail {
                tracking_number: format!("EA{serial:0>9}CN"), carrier: Some("中国邮政EMS".into())
            }
        }
        ELECTRONIC => DeliveryMethod::Electronic,
        _ => DeliveryMethod::Window,
    }
}
