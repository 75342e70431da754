//! 民主评议 — democratic evaluation: a survey per month, answered by service users (办事群众),
//! by departments (部门互评) and by leaders (领导评议), each answer grading one subject from
//! 1 (差) to 5 (优秀). Each group's answers give a mean; the groups weigh 40/30/30 between
//! them, and a group without answers leaves its weight to the others.

use serde::{Deserialize, Serialize};

use super::score::{Score, ratio_score};

/// Who answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Respondent {
    /// 办事群众 — a service user (the public page or an applicant's account).
    User,
    /// 部门 — another department's staff.
    Department,
    /// 领导 — a center leader or a department head.
    Leader,
}

impl Respondent {
    /// Every group.
    pub const ALL: [Respondent; 3] = [Respondent::User, Respondent::Department, Respondent::Leader];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Respondent::User => "user",
            Respondent::Department => "department",
            Respondent::Leader => "leader",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Respondent> {
        Respondent::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The group's weight, percent.
    pub fn weight(self) -> u128 {
        match self {
            Respondent::User => 40,
            Respondent::Department | Respondent::Leader => 30,
        }
    }
}

/// Why an answer is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyAnswerError {
    /// Grades run 1 (差) to 5 (优秀).
    #[error("a grade is 1 to 5, not {0}")]
    Grade(i64),
    /// A survey is answered only in its own month.
    #[error("the survey for {survey} is closed")]
    Closed {
        /// The survey's month.
        survey: String,
    },
}

/// Checks a grade.
pub fn check_answer(grade: i64) -> Result<u8, SurveyAnswerError> {
    u8::try_from(grade).ok().filter(|g| (1..=5).contains(g)).ok_or(SurveyAnswerError::Grade(grade))
}

/// A subject's answers: per group, the number of answers and the sum of (grade − 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationTally {
    /// Per [`Respondent::ALL`] group: (answers, sum of grade − 1).
    pub groups: [(u64, u64); 3],
}

impl EvaluationTally {
    /// Counts one answer of `grade` (1–5; others are ignored, checked on entry).
    pub fn add(&mut self, who: Respondent, grade: u8) {
        if !(1..=5).contains(&grade) {
            return;
        }
        let i = Respondent::ALL.iter().position(|r| *r == who).unwrap_or(0);
        self.groups[i].0 += 1;
        self.groups[i].1 += u64::from(grade - 1);
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: EvaluationTally) {
        for (a, b) in self.groups.iter_mut().zip(other.groups) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    /// The score: Σ weight·(mean grade − 1)/4 over the groups with answers, over their
    /// weights, exactly, rounded half up at the end; none without answers.
    pub fn score(&self) -> Option<Score> {
        // Common denominator: Π of the answering groups' counts keeps it exact.
        let present: Vec<(u128, u128, u128)> = Respondent::ALL
            .iter()
            .zip(self.groups)
            .filter(|(_, (n, _))| *n > 0)
            .map(|(r, (n, sum))| (r.weight(), u128::from(n), u128::from(sum)))
            .collect();
        // Overflow needs more than 2^40 answers a group; such a tally is not scored.
        let weight: u128 = present.iter().map(|p| p.0).sum();
        let product = present.iter().try_fold(1u128, |acc, p| acc.checked_mul(p.1))?;
        let numerator = present
            .iter()
            .try_fold(0u128, |acc, &(w, n, sum)| acc.checked_add(w.checked_mul(sum)?.checked_mul(product / n)?))?;
        ratio_score(numerator, weight.checked_mul(product)?.checked_mul(4)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_weigh_forty_thirty_thirty() {
        let mut t = EvaluationTally::default();
        t.add(Respondent::User, 5);
        t.add(Respondent::User, 3);
        t.add(Respondent::Leader, 1);
        // users 0.75 × 40, leaders 0 × 30 → 30/70.
        assert_eq!(t.score(), Some(Score::from_hundredths(4286)));
        assert_eq!(EvaluationTally::default().score(), None);
        assert_eq!(check_answer(6), Err(SurveyAnswerError::Grade(6)));
        assert_eq!(check_answer(4), Ok(4));
    }
}
