//! The holiday law (《全国年节及纪念日放假办法》) as versioned data: which days are statutory
//! days off (法定节假日) in a year, by the version in force on each day.
//!
//! A year without an announced State Council schedule is *provisional*: its working days are
//! the weekdays minus these statutory days (no make-up working days, no bridging). Lunar
//! dates and the 清明 solar term come from the `tyme4rs` crate (6tail's tyme, the successor
//! of the widely used `lunar` calendar libraries), exact for [`FIRST_YEAR`]..=[`LAST_YEAR`]
//! and tested against the published schedules of 2020–2026 and known festival dates.

use std::sync::LazyLock;

use jiff::civil::Date;
use tyme4rs::tyme::Tyme as _;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

use super::{CalendarDay, CalendarError, DayKind};

/// The first year the law's days are computed for.
pub const FIRST_YEAR: i16 = 1950;
/// The last year the law's days are computed for.
pub const LAST_YEAR: i16 = 2100;

/// How a festival day is found in a given (Gregorian) year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FestivalDay {
    /// A fixed Gregorian date, e.g. 10-1.
    Solar {
        /// Month, 1–12.
        month: i8,
        /// Day of the month.
        day: i8,
    },
    /// A day of the lunar calendar (农历), e.g. 五月初五; never a leap month.
    Lunar {
        /// Lunar month, 1–12.
        month: u8,
        /// Lunar day, 1–30.
        day: u8,
    },
    /// 除夕: the last day of the lunar year, the day before 正月初一 (腊月廿九 or 三十).
    LunarNewYearsEve,
    /// The day of the 清明 solar term (the sun at 15° ecliptic longitude, Beijing time).
    Qingming,
}

/// One festival of a law version and its days off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Festival {
    /// Its name as the State Council's notices write it, e.g. `春节`.
    pub name: &'static str,
    /// Its statutory days off.
    pub days: &'static [FestivalDay],
}

/// A version of the law, in force from `effective` until the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LawVersion {
    /// The first day it is in force, `YYYY-MM-DD`.
    pub effective: &'static str,
    /// The decree that made it.
    pub source: &'static str,
    /// Its festivals in the law's order.
    pub festivals: &'static [Festival],
}

use FestivalDay::{Lunar, LunarNewYearsEve, Qingming, Solar};

const fn solar(month: i8, day: i8) -> FestivalDay {
    Solar { month, day }
}

const fn lunar(month: u8, day: u8) -> FestivalDay {
    Lunar { month, day }
}

const NEW_YEAR: Festival = Festival { name: "元旦", days: &[solar(1, 1)] };
const QINGMING: Festival = Festival { name: "清明节", days: &[Qingming] };
const DRAGON_BOAT: Festival = Festival { name: "端午节", days: &[lunar(5, 5)] };
const MID_AUTUMN: Festival = Festival { name: "中秋节", days: &[lunar(8, 15)] };
const NATIONAL_DAY_3: Festival = Festival { name: "国庆节", days: &[solar(10, 1), solar(10, 2), solar(10, 3)] };

/// Every version of the law, oldest first.
pub const VERSIONS: &[LawVersion] = &[
    LawVersion {
        effective: "1949-12-23",
        source: "政务院《全国年节及纪念日放假办法》（1949年12月23日）",
        festivals: &[
            NEW_YEAR,
            Festival { name: "春节", days: &[lunar(1, 1), lunar(1, 2), lunar(1, 3)] },
            Festival { name: "劳动节", days: &[solar(5, 1)] },
            Festival { name: "国庆节", days: &[solar(10, 1), solar(10, 2)] },
        ],
    },
    LawVersion {
        effective: "1999-09-18",
        source: "国务院令第270号（1999年9月18日）",
        festivals: &[
            NEW_YEAR,
            Festival { name: "春节", days: &[lunar(1, 1), lunar(1, 2), lunar(1, 3)] },
            Festival { name: "劳动节", days: &[solar(5, 1), solar(5, 2), solar(5, 3)] },
            NATIONAL_DAY_3,
        ],
    },
    LawVersion {
        effective: "2008-01-01",
        source: "国务院令第513号（2007年12月14日）",
        festivals: &[
            NEW_YEAR,
            Festival { name: "春节", days: &[LunarNewYearsEve, lunar(1, 1), lunar(1, 2)] },
            QINGMING,
            Festival { name: "劳动节", days: &[solar(5, 1)] },
            DRAGON_BOAT,
            MID_AUTUMN,
            NATIONAL_DAY_3,
        ],
    },
    LawVersion {
        effective: "2014-01-01",
        source: "国务院令第644号（2013年12月11日）",
        festivals: &[
            NEW_YEAR,
            Festival { name: "春节", days: &[lunar(1, 1), lunar(1, 2), lunar(1, 3)] },
            QINGMING,
            Festival { name: "劳动节", days: &[solar(5, 1)] },
            DRAGON_BOAT,
            MID_AUTUMN,
            NATIONAL_DAY_3,
        ],
    },
    LawVersion {
        effective: "2025-01-01",
        source: "国务院令第795号（2024年11月10日）",
        festivals: &[
            NEW_YEAR,
            Festival { name: "春节", days: &[LunarNewYearsEve, lunar(1, 1), lunar(1, 2), lunar(1, 3)] },
            QINGMING,
            Festival { name: "劳动节", days: &[solar(5, 1), solar(5, 2)] },
            DRAGON_BOAT,
            MID_AUTUMN,
            NATIONAL_DAY_3,
        ],
    },
];

/// The version of the law in force on `date`: the latest whose effective day is not after it.
pub fn version_on(date: Date) -> &'static LawVersion {
    let effective = |v: &LawVersion| v.effective.parse::<Date>().unwrap_or(Date::MIN);
    VERSIONS.iter().rev().find(|v| effective(v) <= date).unwrap_or(&VERSIONS[0])
}

/// The statutory days off of `year`, one `holiday` row per distinct day in date order. Each
/// day counts under the version in force on it; two festivals on one day are one row named
/// `国庆节、中秋节` (the longer festival first, as the notices write it).
///
/// Errors: a year outside [`FIRST_YEAR`]..=[`LAST_YEAR`] ([`CalendarError::YearNotSupported`]).
///
/// ```
/// use tongban_core::calendar::law;
///
/// let days = law::statutory_days(2025)?;
/// assert_eq!(days.len(), 13);
/// assert_eq!(days[1].date.to_string(), "2025-01-28"); // 除夕, statutory again from 2025
/// # Ok::<(), tongban_core::calendar::CalendarError>(())
/// ```
pub fn statutory_days(year: i16) -> Result<Vec<CalendarDay>, CalendarError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(CalendarError::YearNotSupported { year });
    }
    let table = &TABLE[usize::try_from(year - FIRST_YEAR).unwrap_or(0)];
    Ok(table.clone())
}

/// Every year's statutory days, computed once (lunar conversion is the slow part).
static TABLE: LazyLock<Vec<Vec<CalendarDay>>> =
    LazyLock::new(|| (FIRST_YEAR..=LAST_YEAR).map(|y| compute(y).unwrap_or_default()).collect());

fn compute(year: i16) -> Option<Vec<CalendarDay>> {
    // (date, festival length, law order, name)
    let mut found: Vec<(Date, usize, usize, &'static str)> = Vec::new();
    for version in VERSIONS {
        for (order, festival) in version.festivals.iter().enumerate() {
            for &day in festival.days {
                let date = locate(year, day)?;
                if std::ptr::eq(version_on(date), version) {
                    found.push((date, festival.days.len(), order, festival.name));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut rows: Vec<CalendarDay> = Vec::new();
    for (date, _, _, name) in found {
        match rows.last_mut() {
            Some(last) if last.date == date => {
                if !last.name.split('、').any(|n| n == name) {
                    last.name = format!("{}、{name}", last.name);
                }
            }
            _ => rows.push(CalendarDay { date, kind: DayKind::Holiday, name: name.to_owned() }),
        }
    }
    Some(rows)
}

/// The Gregorian date of a festival day in `year`.
fn locate(year: i16, day: FestivalDay) -> Option<Date> {
    let y = isize::from(year);
    let solar_day = match day {
        Solar { month, day } => return Date::new(year, month, day).ok(),
        Lunar { month, day } => LunarDay::new(y, isize::from(month), usize::from(day)).ok()?.get_solar_day(),
        LunarNewYearsEve => LunarDay::new(y, 1, 1).ok()?.get_solar_day().next(-1),
        Qingming => SolarTerm::new(y, "清明").ok()?.get_julian_day().get_solar_day(),
    };
    date_of(solar_day)
}

fn date_of(d: SolarDay) -> Option<Date> {
    let year = i16::try_from(d.get_year()).ok()?;
    let month = i8::try_from(d.get_month()).ok()?;
    let day = i8::try_from(d.get_day()).ok()?;
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    fn dates(year: i16) -> Vec<String> {
        statutory_days(year).expect("year in range").iter().map(|r| r.date.to_string()).collect()
    }

    #[test]
    fn the_version_in_force_follows_the_effective_dates() {
        assert_eq!(version_on(d("2007-12-31")).effective, "1999-09-18");
        assert_eq!(version_on(d("2008-01-01")).effective, "2008-01-01");
        assert_eq!(version_on(d("2024-12-31")).effective, "2014-01-01");
        assert_eq!(version_on(d("2025-01-01")).effective, "2025-01-01");
        assert_eq!(version_on(d("1950-01-01")).effective, "1949-12-23");
    }

    #[test]
    fn lunar_festivals_and_qingming_fall_on_their_published_dates() {
        // Spring Festival (正月初一), Qingming, Dragon Boat and Mid-Autumn as published.
        let known = [
            ("1950-02-17", lunar(1, 1)),
            ("1976-01-31", lunar(1, 1)),
            ("2000-02-05", lunar(1, 1)),
            ("2033-01-31", lunar(1, 1)),
            ("1985-02-20", lunar(1, 1)),
            ("2034-02-19", lunar(1, 1)),
            ("2050-01-23", lunar(1, 1)),
            ("2024-02-09", LunarNewYearsEve),
            ("2026-02-16", LunarNewYearsEve),
            ("2008-04-04", Qingming),
            ("2019-04-05", Qingming),
            ("2020-04-04", Qingming),
            ("2023-04-05", Qingming),
            ("2020-06-25", lunar(5, 5)),
            ("2027-06-09", lunar(5, 5)),
            ("2020-10-01", lunar(8, 15)),
            ("2027-09-15", lunar(8, 15)),
        ];
        for (date, day) in known {
            let at = d(date);
            assert_eq!(locate(at.year(), day), Some(at), "{day:?} in {}", at.year());
        }
    }

    #[test]
    fn each_year_has_the_days_of_its_version() {
        assert_eq!(dates(2007).len(), 10); // 1999 version: 1 + 3 + 3 + 3
        assert_eq!(dates(2008).len(), 11);
        assert_eq!(dates(2024).len(), 11);
        assert_eq!(dates(2025).len(), 13);
        assert_eq!(dates(2026).len(), 13);
        assert!(!dates(2024).contains(&"2024-02-09".to_owned()), "2024's 除夕 was not statutory");
        assert!(dates(2025).contains(&"2025-01-28".to_owned()), "2025's 除夕 is");
        assert!(dates(2027).contains(&"2027-05-02".to_owned()));
    }

    #[test]
    fn two_festivals_on_one_day_are_one_row() -> Result<(), CalendarError> {
        let days = statutory_days(2020)?;
        let oct1 = days.iter().find(|r| r.date == d("2020-10-01")).expect("National Day");
        assert_eq!(oct1.name, "国庆节、中秋节");
        assert_eq!(days.len(), 10); // 11 statutory days, two of them on one date
        Ok(())
    }

    #[test]
    fn years_outside_the_law_are_refused() {
        assert!(statutory_days(1949).is_err());
        assert!(statutory_days(2101).is_err());
        assert_eq!(statutory_days(1950).map(|d| d.len()), Ok(7));
    }
}
