//! `tongban demo`: fills an empty database with deterministic demo data — the divisions of
//! Lanzhou, 33 departments with windows and staff, a catalog of about 240 items in two
//! versions (before and after a 三减一压缩 reform), the published lists (权责清单, 职责清单,
//! 财政专项资金管理清单, 便民服务事项) and a year of case histories.
//!
//! **Everything here is generated demo data.** Department names are modelled on a city's
//! departments; items, limits, materials, fees, legal citations, the lists' entries, people,
//! ID numbers and cases are invented and are not published or real records.
//!
//! The same `seed` and `now` give the same data. Cases are driven through the real case
//! state machine (`tongban_core::case`) and stored with the same store functions the
//! server uses, so the demo exercises the rules it shows.

mod accountability;
mod assessment;
mod cases;
mod catalog;
mod chain;
mod guide;
mod lists;
mod org;
mod people;
mod ratings;
mod reform;
mod spec;
#[cfg(test)]
mod tests;

use anyhow::{Context as _, anyhow};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::item::{Category, ServiceItem};
use tongban_server::App;
use tongban_server::app::{bulk, public};
use tongban_server::auth::Principal;

use cases::World;

/// Cases simulated over the year before `now`.
pub const CASE_COUNT: usize = 5_000;

/// The latest cases are kept running at `now` (受理/办理中/挂起), so the hall has work in hand.
const RUNNING_TAIL: usize = 130;

/// Cases written per store transaction.
const BATCH: usize = 200;

/// Mixed into the seed for the catalog before the reform.
const REFORM_STREAM: u64 = 0x7265_666f_726d;

/// What [`seed`] put into (or found in) the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    /// Administrative divisions (行政区划).
    pub divisions: usize,
    /// Departments (部门).
    pub departments: usize,
    /// Windows (窗口); 0 when the database was already seeded (not counted).
    pub windows: usize,
    /// Staff (工作人员); 0 when the database was already seeded (not counted).
    pub staff: usize,
    /// Service items (事项) in the latest catalog version.
    pub items: usize,
    /// Cases (办件).
    pub cases: usize,
    /// Case events.
    pub events: usize,
}

/// Seeds an empty database with demo data; a database that already holds a catalog is left
/// alone and its counts are returned.
///
/// Deterministic: the same `seed` and `now` give the same data. Cases fall in the year
/// before `now`, on the working time of `calendar` (only the years it covers).
pub async fn seed(
    app: &App,
    seed: u64,
    now: jiff::Timestamp,
    calendar: &WorkingCalendar,
) -> anyhow::Result<SeedSummary> {
    if let Some(version) = public::catalog_versions(app).await?.iter().map(|v| v.number).max() {
        return existing(app, version).await;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let specs = spec::departments()?;
    let org = org::build(&mut rng, &specs)?;
    let items = catalog::build(&mut rng, &specs)?;
    let console = Principal::console();
    let organisation = bulk::Organisation {
        divisions: org.divisions.clone(),
        sites: org.sites.clone(),
        departments: org.departments.clone(),
        windows: org.windows.clone(),
        staff: org.staff.clone(),
    };
    // The version before the reform from a stream of its own, so the current catalog and
    // the cases are the same as without it.
    let mut reform_rng = ChaCha8Rng::seed_from_u64(seed ^ REFORM_STREAM);
    let catalogs = vec![
        bulk::CatalogDraft {
            label: reform::LABEL.to_owned(),
            published_at: now.checked_sub(jiff::SignedDuration::from_hours(24 * 365))?,
            items: reform::before(&mut reform_rng, &items)?,
        },
        bulk::CatalogDraft { label: catalog::LABEL.to_owned(), published_at: now, items: items.clone() },
    ];
    let version = bulk::load_organisation(app, &console, organisation, catalogs)
        .await
        .context("storing the demo organisation and catalogs")?;
    tracing::info!(
        departments = org.departments.len(),
        items = items.len(),
        version,
        "demo organisation and catalog stored"
    );
    let published = tongban_server::app::lists::load_lists(app, &console, lists::build(&specs, &org, &items, now)?)
        .await
        .context("storing the demo's published lists")?;
    tracing::info!(versions = published.len(), "demo published lists stored");

    // The chains were in place before the year of cases began.
    let from = now.checked_sub(jiff::SignedDuration::from_hours(24 * 366))?;
    let delegations = chain::load(app, &org, &items, from).await.context("storing the demo's staff and grants")?;
    let world = world(&specs, &org, &items, version, calendar, &delegations, now)?;
    let times = cases::submission_times(&mut rng, CASE_COUNT, now, calendar)?;
    let tail = times.len().saturating_sub(RUNNING_TAIL);
    let mut histories = Vec::with_capacity(times.len());
    for (k, t0) in times.into_iter().enumerate() {
        histories.push(cases::simulate(&mut rng, &world, t0, k >= tail)?);
    }
    let (cases, events) =
        bulk::load_case_histories(app, &console, histories, BATCH).await.context("storing demo cases")?;
    tracing::info!(cases, events, "demo cases stored");
    let records =
        accountability::load(app, &org, &items, calendar, now).await.context("storing demo accountability")?;
    tracing::info!(records, "demo accountability records stored");
    let assessed = assessment::load(app, &org, seed, now, calendar).await.context("storing demo assessment")?;
    tracing::info!(days = assessed.days, answers = assessed.answers, "demo attendance and evaluations stored");
    let rated = ratings::load(app, &org, now).await.context("storing demo ratings")?;
    tracing::info!(ratings = rated.ratings, closed = rated.closed, "demo ratings and rectifications stored");
    // What is stored in the end: the ratings' follow-ups add events to the loaded histories.
    let (cases, events) = bulk::counts(app).await?;
    Ok(SeedSummary {
        divisions: org.divisions.len(),
        departments: org.departments.len(),
        windows: org.windows.len(),
        staff: org.staff.len(),
        items: items.len(),
        cases: usize::try_from(cases)?,
        events: usize::try_from(events)?,
    })
}

/// Counts of a database seeded before (windows and staff are not counted).
async fn existing(app: &App, version: u32) -> anyhow::Result<SeedSummary> {
    let (cases, events) = bulk::counts(app).await?;
    Ok(SeedSummary {
        // The demo's divisions ship with the product (the national list).
        divisions: org::divisions()?.len(),
        departments: public::departments(app).await?.len(),
        windows: 0,
        staff: 0,
        items: public::items_in_version(app, version).await?.len(),
        cases: usize::try_from(cases)?,
        events: usize::try_from(events)?,
    })
}

/// Who handles each item and how many cases it gets.
fn world<'a>(
    specs: &[spec::DeptSpec],
    org: &'a org::Org,
    items: &'a [ServiceItem],
    version: u32,
    calendar: &'a WorkingCalendar,
    delegations: &'a tongban_core::delegation::Delegations,
    now: jiff::Timestamp,
) -> anyhow::Result<World<'a>> {
    let mut world = World {
        items,
        version,
        teams: Vec::new(),
        individuals: Vec::new(),
        cumulative: Vec::new(),
        long_cumulative: Vec::new(),
        calendar,
        delegations,
        now,
    };
    let (mut sum, mut long_sum) = (0.0, 0.0);
    for item in items {
        let d = specs
            .iter()
            .position(|s| s.code == item.department.as_str())
            .ok_or_else(|| anyhow!("item {} has no department", item.code))?;
        world.teams.push(&org.teams[d]);
        world.individuals.push(specs[d].individuals);
        // Quick items are asked for far more often than project approvals.
        let category = match item.category {
            Category::OnTheSpot => 3.0,
            Category::SameDay => 2.0,
            Category::TimeLimited => 1.0,
            Category::Agency => 0.3,
        };
        sum += specs[d].volume * category;
        if item.promised_limit.is_some() {
            long_sum += specs[d].volume * category;
        }
        world.cumulative.push(sum);
        world.long_cumulative.push(long_sum);
    }
    Ok(world)
}
