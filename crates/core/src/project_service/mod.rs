//! Proactive project service (3+X) before and during approval: concentrated trainings that
//! find blockages (集中培训查堵), the problems found on projects with the prescription their
//! class calls for (对症下药开方), and the coordination meetings (协调会商) of several
//! departments on complex projects.
//!
//! Everything here checks input and states rules; whether a project or a department exists
//! is the caller's question (it holds the data). Errors list every bad field as
//! `(JSON field path, message)`, like the rest of the API.

pub mod coordination;
pub mod problem;
pub mod training;

pub use coordination::{Coordinated, Coordination, CoordinationDecision, CoordinationInput, Opinion, SolvedInput};
pub use problem::{
    Closing, Handling, MAX_DEADLINE_DAYS, NewProblem, Prescription, ProblemClass, ProblemInput, ProblemSource,
};
pub use training::{Attendee, AttendeeInput, Training, TrainingInput};

use crate::text;

/// Every bad field of an input: `(field path, what is wrong)`.
pub type FieldErrors = Vec<(String, String)>;

/// A required one-line text of 1..=`max` characters, trimmed; the error goes to `field`.
pub(crate) fn required(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let t = value.trim();
    if t.is_empty() {
        errors.push((field.to_owned(), "must not be empty".into()));
    } else if let Err(e) = text::check(t, max) {
        errors.push((field.to_owned(), e.to_string()));
    }
    t.to_owned()
}

/// An optional text: blank is none.
pub(crate) fn optional(errors: &mut FieldErrors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    let t = value.map(str::trim).filter(|t| !t.is_empty())?;
    if let Err(e) = text::check(t, max) {
        errors.push((field.to_owned(), e.to_string()));
    }
    Some(t.to_owned())
}

/// A calendar date `YYYY-MM-DD`.
pub(crate) fn date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<jiff::civil::Date> {
    match value.trim().parse::<jiff::civil::Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push((field.to_owned(), format!("{:?} is not a date YYYY-MM-DD", value.trim())));
            None
        }
    }
}
