//! Queue tickets (排队号): which queue a ticket joins, the letter its number starts with, and
//! the day its numbering belongs to.

/// The queue of the comprehensive window (综合窗口), which any department's window also calls.
pub const COMPREHENSIVE: &str = "comprehensive";

/// The day a ticket belongs to, `YYYY-MM-DD` in China Standard Time: numbers restart at
/// Beijing's midnight.
pub fn ticket_day(t: jiff::Timestamp) -> String {
    let d = crate::calendar::CHINA_STANDARD_TIME.to_datetime(t).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The letter that starts a queue's numbers: `A` for the comprehensive window, else the
/// department code's first letter. Queues sharing a letter share its daily counter.
pub fn queue_letter(queue: &str) -> char {
    if queue == COMPREHENSIVE {
        return 'A';
    }
    queue.chars().find(char::is_ascii_alphabetic).map_or('B', |c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_day_turns_at_beijing_midnight() {
        let before: jiff::Timestamp = "2026-12-31T15:59:59Z".parse().expect("time");
        let after: jiff::Timestamp = "2026-12-31T16:00:00Z".parse().expect("time");
        assert_eq!(ticket_day(before), "2026-12-31");
        assert_eq!(ticket_day(after), "2027-01-01");
    }

    #[test]
    fn the_comprehensive_window_is_a_and_departments_take_their_initial() {
        assert_eq!(queue_letter(COMPREHENSIVE), 'A');
        assert_eq!(queue_letter("zjj"), 'Z');
        assert_eq!(queue_letter("12x"), 'X');
        assert_eq!(queue_letter("123"), 'B');
    }
}
