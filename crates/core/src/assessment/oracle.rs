//! The oracle: for random parts and weights, the total and the rank are recomputed the
//! plain way (a weighted mean with a remainder test, a count of rows strictly ahead) and
//! must agree with [`total`] and [`rank`] exactly.

use proptest::prelude::*;

use super::*;

fn score() -> impl Strategy<Value = Option<Score>> {
    proptest::option::of((0u32..=10_000).prop_map(Score::from_hundredths))
}

fn components() -> impl Strategy<Value = Components> {
    (score(), score(), score(), score(), score(), 0u32..6).prop_map(|(a, b, c, d, e, n)| Components {
        on_time: a,
        satisfaction: b,
        attendance: c,
        evaluation: d,
        third_party: e,
        accountability: n,
    })
}

/// Five whole percentages that sum to 100: four cuts of 0..=100, sorted.
fn weights() -> impl Strategy<Value = Weights> {
    (proptest::collection::vec(0u32..=100, 4), 0u32..=1_000).prop_map(|(mut cuts, deduction)| {
        cuts.sort_unstable();
        Weights {
            on_time: cuts[0],
            satisfaction: cuts[1] - cuts[0],
            attendance: cuts[2] - cuts[1],
            evaluation: cuts[3] - cuts[2],
            third_party: 100 - cuts[3],
            deduction: Score::from_hundredths(deduction),
            ..Weights::default()
        }
    })
}

fn oracle_total(c: &Components, w: &Weights) -> i64 {
    let parts = [
        (c.on_time, w.on_time),
        (c.satisfaction, w.satisfaction),
        (c.attendance, w.attendance),
        (c.evaluation, w.evaluation),
        (c.third_party, w.third_party),
    ];
    let mut sum = 0i64;
    let mut weight = 0i64;
    for (s, wt) in parts {
        if let Some(s) = s {
            sum += i64::from(s.hundredths()) * i64::from(wt);
            weight += i64::from(wt);
        }
    }
    let mean = if weight == 0 {
        0
    } else {
        let (q, r) = (sum / weight, sum % weight);
        if 2 * r >= weight { q + 1 } else { q }
    };
    (mean - i64::from(c.accountability) * i64::from(w.deduction.hundredths())).max(0)
}

proptest! {
    #[test]
    fn total_and_rank_match_the_oracle(
        rows in proptest::collection::vec(components(), 0..30),
        w in weights(),
    ) {
        prop_assert_eq!(w.check(), Ok(()));
        let keyed: Vec<(usize, Components)> = rows.iter().cloned().enumerate().collect();
        let ranked = rank(keyed, &w);
        prop_assert_eq!(ranked.len(), rows.len());
        let totals: Vec<i64> = rows.iter().map(|c| oracle_total(c, &w)).collect();
        for r in &ranked {
            let expected = totals[r.key];
            prop_assert_eq!(i64::from(r.total.hundredths()), expected);
            prop_assert_eq!(&r.components, &rows[r.key]);
            let ahead = totals.iter().filter(|&&t| t > expected).count();
            prop_assert_eq!(r.rank as usize, ahead + 1);
            // The weighted mean agrees with floating point to within rounding.
            let (num, den) = rows[r.key].weighted(&w).iter().fold((0.0f64, 0.0f64), |(a, b), (s, wt)| match s {
                Some(s) => (a + f64::from(s.hundredths()) * f64::from(*wt), b + f64::from(*wt)),
                None => (a, b),
            });
            let float = if den == 0.0 { 0.0 } else { num / den }
                - f64::from(rows[r.key].accountability) * f64::from(w.deduction.hundredths());
            prop_assert!((float.max(0.0) - expected as f64).abs() <= 0.5 + 1e-9);
        }
        for pair in ranked.windows(2) {
            prop_assert!(pair[0].total >= pair[1].total);
        }
        // Honours: named exactly when ranked within the cut and above the floor.
        for r in &ranked {
            let cut = w.red_flag.cut(rows.len());
            let served = r.components.on_time.is_some();
            prop_assert_eq!(w.red_flag.names(r, rows.len()), r.rank <= cut && r.total >= w.red_flag.min_total && served);
        }
    }

    #[test]
    fn evaluation_matches_a_plain_mean(grades in proptest::collection::vec((0usize..3, 1u8..=5), 0..40)) {
        let mut tally = EvaluationTally::default();
        for &(g, grade) in &grades {
            tally.add(Respondent::ALL[g], grade);
        }
        let mut num = 0.0f64;
        let mut den = 0.0f64;
        for (g, who) in Respondent::ALL.iter().enumerate() {
            let mine: Vec<f64> = grades.iter().filter(|x| x.0 == g).map(|x| f64::from(x.1 - 1) / 4.0).collect();
            if !mine.is_empty() {
                num += who.weight() as f64 * mine.iter().sum::<f64>() / mine.len() as f64;
                den += who.weight() as f64;
            }
        }
        match tally.score() {
            None => prop_assert!(grades.is_empty()),
            Some(s) => prop_assert!((f64::from(s.hundredths()) - 10_000.0 * num / den).abs() <= 0.5 + 1e-6),
        }
    }
}
