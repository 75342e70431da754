//! 窗口考核评议 in the demo: for the three months before now, every window clerk's attendance
//! ledger (mostly on time; some late, on leave or absent; now and then a check-out
//! forgotten), third-party scores for every window and site, and a democratic evaluation
//! survey per month, answered for the latest month by service users, other departments'
//! staff and department heads. Everything goes through the use cases (the imports read a
//! generated CSV). Deterministic: its own random stream from the demo's seed.

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tongban_core::assessment::Period;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::identity::Role;
use tongban_core::org::Position;
use tongban_server::App;
use tongban_server::app::assessment::ledger::{self, Answer};
use tongban_server::app::tables::Upload;
use tongban_server::app::{Account, AppError};
use tongban_server::auth::Principal;

use super::org::Org;

/// Separates this module's random stream from the others'.
const STREAM: u64 = 0x6b61_6f68_6500_0022;
/// Months assessed before now.
const MONTHS: usize = 3;

/// What was loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Loaded {
    /// Days in the attendance ledger.
    pub days: usize,
    /// Third-party scores.
    pub scores: usize,
    /// Survey answers.
    pub answers: usize,
}

/// One clerk's day: (check_in, check_out, mark).
fn day(rng: &mut ChaCha8Rng) -> (String, String, &'static str) {
    let roll = rng.random_range(0..1000);
    let time = |h: u32, m: u32| format!("{h:02}:{m:02}");
    let out = time(17, rng.random_range(0..30));
    match roll {
        0..900 => (time(8, rng.random_range(25..60)), out, ""),
        900..950 => (time(9, rng.random_range(3..45)), out, ""),
        950..980 => (String::new(), String::new(), "leave"),
        980..990 => (String::new(), String::new(), "absent"),
        _ => (time(8, rng.random_range(30..60)), String::new(), ""),
    }
}

fn staff_as(id: &str, role: Role, department: Option<&tongban_core::org::DepartmentCode>) -> Principal {
    let kind = if role == Role::Applicant { "applicant" } else { "staff" };
    let account = tongban_server::app::actor::staff_account(id, id, role);
    Principal {
        account: Some(Account { kind: kind.into(), department: department.cloned(), ..account }),
        ..Principal::console()
    }
}

/// A grade 1–5, mostly good.
fn grade(rng: &mut ChaCha8Rng) -> i64 {
    match rng.random_range(0..100) {
        0..55 => 5,
        55..85 => 4,
        85..95 => 3,
        95..98 => 2,
        _ => 1,
    }
}

/// Loads the three months before `now`.
pub(super) async fn load(
    app: &App,
    org: &Org,
    seed: u64,
    now: jiff::Timestamp,
    calendar: &WorkingCalendar,
) -> anyhow::Result<Loaded> {
    let console = Principal::console();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let mut periods = vec![Period::of(now).previous()];
    while periods.len() < MONTHS {
        let before = periods.last().map_or(Period::of(now), |p| p.previous());
        periods.push(before);
    }
    periods.reverse();
    let clerks: Vec<_> = org.staff.iter().filter(|s| s.window.is_some()).collect();
    let (mut attendance, mut scores) =
        ("account,day,check_in,check_out,mark\n".to_owned(), "period,kind,code,score,source\n".to_owned());
    let mut loaded = Loaded::default();
    for period in &periods {
        let mut date = period.first_day();
        while period.contains(date) {
            if calendar.is_working_day(date).unwrap_or(false) {
                for s in &clerks {
                    let (i, o, mark) = day(&mut rng);
                    writeln!(attendance, "{},{date},{i},{o},{mark}", s.id)?;
                    loaded.days += 1;
                }
            }
            date = date.tomorrow()?;
        }
        let windows = org.windows.iter().map(|w| ("window", w.code.to_string()));
        let sites = org.sites.iter().map(|s| ("site", s.code.to_string()));
        for (kind, code) in windows.chain(sites) {
            let hundredths = rng.random_range(8200..=9950);
            writeln!(
                scores,
                "{period},{kind},{code},{}.{:02},兰州市政务服务第三方评估中心",
                hundredths / 100,
                hundredths % 100
            )?;
            loaded.scores += 1;
        }
    }
    ledger::import_attendance(app, &console, &Upload::CSV, attendance.as_bytes(), false).await?;
    ledger::import_scores(app, &console, &Upload::CSV, scores.as_bytes(), false).await?;

    for period in &periods {
        let (year, month) = (period.first_day().year(), period.first_day().month());
        ledger::open_survey(app, &console, *period, &format!("{year}年{month}月窗口民主评议")).await?;
    }
    // Answers for the latest month, which is still open: service users grade windows,
    // other departments' staff and the heads grade windows and departments.
    let Some(latest) = periods.last().copied() else { return Ok(loaded) };
    let heads: Vec<_> = org.staff.iter().filter(|s| s.position == Position::Head).collect();
    let answer = |who: Principal, kind: &str, code: String, rng: &mut ChaCha8Rng| {
        let a = Answer { subject_kind: kind.into(), subject_code: code, grade: grade(rng), comment: String::new() };
        (who, latest, a)
    };
    let mut all = Vec::new();
    for (k, w) in org.windows.iter().enumerate() {
        for u in 0..4 {
            let user = staff_as(&format!("demo.user.{k}.{u}"), Role::Applicant, None);
            all.push(answer(user, "window", w.code.to_string(), &mut rng));
        }
        if let Some(h) = heads.get(rng.random_range(0..heads.len().max(1))) {
            all.push(answer(
                staff_as(h.id.as_str(), Role::DepartmentHead, Some(&h.department)),
                "window",
                w.code.to_string(),
                &mut rng,
            ));
        }
    }
    for d in &org.departments {
        for h in heads.iter().filter(|h| h.department != d.code).take(3) {
            all.push(answer(
                staff_as(h.id.as_str(), Role::DepartmentHead, Some(&h.department)),
                "department",
                d.code.to_string(),
                &mut rng,
            ));
        }
        for s in clerks.iter().filter(|s| s.department != d.code).take(2) {
            all.push(answer(
                staff_as(s.id.as_str(), Role::Reviewer, Some(&s.department)),
                "department",
                d.code.to_string(),
                &mut rng,
            ));
        }
    }
    for (who, period, a) in all {
        match ledger::answer_survey(app, &who, period, a).await {
            Ok(()) => loaded.answers += 1,
            // Seeded on a clock whose latest month is closed, or a repeat: left out.
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(loaded)
}
