//! The calendars of a center: one national calendar and, for divisions with local closures
//! (闭厅: a hall closed for a storm, a county's own holiday), that calendar with their
//! closures. A closure of a division closes the divisions inside it too (a city's storm day
//! is a closed day in its counties).

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{CalendarError, WorkingCalendar};
use crate::division::{DivisionCode, DivisionLevel};

/// How deep a division lies: province 0, city 1, county 2.
fn depth(d: &DivisionCode) -> u8 {
    match d.level() {
        DivisionLevel::Province => 0,
        DivisionLevel::City => 1,
        DivisionLevel::County => 2,
    }
}

/// A day a division's halls are closed (闭厅).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// The division whose halls close (and the divisions inside it).
    pub division: DivisionCode,
    /// The day.
    pub date: Date,
    /// Why, e.g. `暴雨闭厅` or a local festival's name.
    pub name: String,
}

/// The national calendar and one calendar per division with closures. Cheap to clone.
#[derive(Debug, Clone)]
pub struct CalendarSet {
    base: WorkingCalendar,
    local: Arc<HashMap<DivisionCode, WorkingCalendar>>,
    closures: Arc<Vec<Closure>>,
}

impl From<WorkingCalendar> for CalendarSet {
    fn from(base: WorkingCalendar) -> CalendarSet {
        CalendarSet::national(base)
    }
}

impl CalendarSet {
    /// The set with no closures.
    pub fn national(base: WorkingCalendar) -> CalendarSet {
        CalendarSet { base, local: Arc::default(), closures: Arc::default() }
    }

    /// `base` plus `closures`: each division with closures gets `base` with its own closures
    /// and those of the divisions it lies in.
    ///
    /// ```
    /// use tongban_core::calendar::{CalendarSet, Closure, WorkingCalendar};
    /// use tongban_core::division::DivisionCode;
    ///
    /// let city = DivisionCode::parse("620100")?;
    /// let county = DivisionCode::parse("620102")?;
    /// let storm = Closure { division: city.clone(), date: "2026-07-14".parse()?, name: "暴雨闭厅".into() };
    /// let set = CalendarSet::new(WorkingCalendar::builtin(), vec![storm])?;
    /// assert!(!set.for_division(&county).is_working_day("2026-07-14".parse()?)?);
    /// assert!(set.for_division(&DivisionCode::parse("620200")?).is_working_day("2026-07-14".parse()?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(base: WorkingCalendar, mut closures: Vec<Closure>) -> Result<CalendarSet, CalendarError> {
        closures.sort_by(|a, b| (a.division.as_str(), a.date).cmp(&(b.division.as_str(), b.date)));
        let mut local = HashMap::new();
        for c in &closures {
            if local.contains_key(&c.division) {
                continue;
            }
            let dates: Vec<Date> =
                closures.iter().filter(|o| c.division.is_within(&o.division)).map(|o| o.date).collect();
            local.insert(c.division.clone(), base.with_closures(&dates)?);
        }
        Ok(CalendarSet { base, local: Arc::new(local), closures: Arc::new(closures) })
    }

    /// The national calendar.
    pub fn base(&self) -> &WorkingCalendar {
        &self.base
    }

    /// The calendar of `division`: the one of the innermost division with closures that holds
    /// it, else the national one.
    pub fn for_division(&self, division: &DivisionCode) -> &WorkingCalendar {
        self.local
            .iter()
            .filter(|(d, _)| division.is_within(d))
            .max_by_key(|(d, _)| depth(d))
            .map_or(&self.base, |(_, cal)| cal)
    }

    /// Every closure, by division and date.
    pub fn closures(&self) -> &[Closure] {
        &self.closures
    }

    /// The stored revision the set was loaded from.
    pub fn revision(&self) -> u64 {
        self.base.revision()
    }
}
