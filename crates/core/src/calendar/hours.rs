//! [`WorkingHours`] (办公时间): the periods of a working day, e.g. 09:00–12:00 and 13:30–17:30.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Time;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CalendarError;

/// Minutes in a day; a period may end at 24:00 (= 1440).
pub(super) const MINUTES_PER_DAY: u16 = 1440;

/// The working periods of every working day (办公时间), in China Standard Time.
///
/// Each period is half-open, `[start, end)`, in whole minutes: with the default hours 09:00 is
/// working time, 12:00 is not, 17:29:59 is, 17:30 is not. Periods are sorted, do not overlap
/// (touching is allowed) and are not empty; an end of `24:00` is allowed.
///
/// The text form (used by [`FromStr`], [`Display`](fmt::Display) and serde) is
/// `09:00-12:00,13:30-17:30`; an en dash `–` may stand for `-`.
///
/// ```
/// use tongban_core::calendar::WorkingHours;
///
/// let hours: WorkingHours = "08:30-12:00, 14:00-18:00".parse()?;
/// assert_eq!(hours.minutes_per_day(), 3 * 60 + 30 + 4 * 60);
/// assert_eq!(hours.to_string(), "08:30-12:00,14:00-18:00");
/// assert_eq!(WorkingHours::default().to_string(), "09:00-12:00,13:30-17:30");
/// assert!("12:00-09:00".parse::<WorkingHours>().is_err());
/// # Ok::<(), tongban_core::calendar::CalendarError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkingHours {
    /// `(start, end)` in minutes after midnight; validated.
    periods: Vec<(u16, u16)>,
}

impl WorkingHours {
    /// Working hours from `(start, end)` civil times; each must be a whole minute.
    ///
    /// A period cannot end at 24:00 this way; use [`WorkingHours::from_minutes`] or the text form.
    pub fn new(periods: &[(Time, Time)]) -> Result<Self, CalendarError> {
        let minutes = periods
            .iter()
            .map(|&(start, end)| Ok((whole_minute(start)?, whole_minute(end)?)))
            .collect::<Result<Vec<_>, CalendarError>>()?;
        Self::from_minutes(&minutes)
    }

    /// Working hours from `(start, end)` in minutes after midnight (0..=1440).
    pub fn from_minutes(periods: &[(u16, u16)]) -> Result<Self, CalendarError> {
        if periods.is_empty() {
            return Err(invalid("no periods: a working day needs at least one"));
        }
        let mut previous_end = 0;
        for (i, &(start, end)) in periods.iter().enumerate() {
            if end > MINUTES_PER_DAY {
                return Err(invalid(&format!("{} is after 24:00", hhmm(end))));
            }
            if start >= end {
                let why = format!("period {}-{} does not end after it starts", hhmm(start), hhmm(end));
                return Err(invalid(&why));
            }
            if i > 0 && start < previous_end {
                let why = format!(
                    "period starting {} overlaps or precedes the one ending {}",
                    hhmm(start),
                    hhmm(previous_end)
                );
                return Err(invalid(&why));
            }
            previous_end = end;
        }
        Ok(WorkingHours { periods: periods.to_vec() })
    }

    /// The periods as `(start, end)` minutes after midnight, sorted.
    pub fn periods(&self) -> &[(u16, u16)] {
        &self.periods
    }

    /// Working minutes in one working day (420 for the default hours).
    pub fn minutes_per_day(&self) -> u32 {
        self.periods.iter().map(|&(s, e)| u32::from(e - s)).sum()
    }

    /// Whether minute `m` after midnight (0..1440) is working time.
    pub fn contains_minute(&self, m: u16) -> bool {
        self.periods.iter().any(|&(s, e)| s <= m && m < e)
    }
}

/// 09:00–12:00 and 13:30–17:30: seven working hours, 420 minutes.
impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours { periods: vec![(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)] }
    }
}

impl FromStr for WorkingHours {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let periods = s
            .split(',')
            .map(|part| {
                let part = part.trim();
                let (start, end) = part
                    .split_once(['-', '–'])
                    .ok_or_else(|| invalid(&format!("`{part}` is not a period like 09:00-12:00")))?;
                Ok((parse_hhmm(start.trim())?, parse_hhmm(end.trim())?))
            })
            .collect::<Result<Vec<_>, CalendarError>>()?;
        Self::from_minutes(&periods)
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(start, end)) in self.periods.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}-{}", hhmm(start), hhmm(end))?;
        }
        Ok(())
    }
}

impl Serialize for WorkingHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WorkingHours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn whole_minute(t: Time) -> Result<u16, CalendarError> {
    if t.second() != 0 || t.subsec_nanosecond() != 0 {
        return Err(invalid(&format!("{t} is not a whole minute")));
    }
    // hour ≤ 23 and minute ≤ 59 are guaranteed by `Time`, so this fits in u16.
    Ok(u16::try_from(i32::from(t.hour()) * 60 + i32::from(t.minute())).unwrap_or(MINUTES_PER_DAY))
}

/// `HH:MM` with `24:00` allowed.
fn parse_hhmm(s: &str) -> Result<u16, CalendarError> {
    let bad = || invalid(&format!("`{s}` is not a time like 09:00"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let digits = |x: &str| !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h * 60 + m > MINUTES_PER_DAY {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn invalid(why: &str) -> CalendarError {
    CalendarError::InvalidHours { why: why.to_owned() }
}
