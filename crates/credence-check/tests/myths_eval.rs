//! Measures the myth matcher on `tests/data/myths_eval.jsonl` and prints precision and
//! recall, overall and per kind. The set is for measuring, not tuning: the floors below
//! are deliberately a little under the measured figures so that a regression fails but
//! an honest trade-off does not.
//!
//! Scoring: a line with a myth is correct when that id is among the hits; any hit on a
//! line without a myth (negation or unrelated) is a false positive.
//!   precision = correct myth lines / lines with any hit
//!   recall    = correct myth lines / myth lines

use std::collections::BTreeMap;

use credence_check::myths::MythMatcher;
use serde::Deserialize;

const EVAL: &str = include_str!("data/myths_eval.jsonl");

#[derive(Deserialize)]
struct Line {
    text: String,
    myth: Option<String>,
    kind: String,
}

#[derive(Default)]
struct Tally {
    lines: usize,
    /// Myth lines whose id was found.
    correct: usize,
    /// Myth lines.
    positives: usize,
    /// Lines with at least one hit.
    flagged: usize,
    /// Null lines with a hit.
    false_positives: usize,
}

impl Tally {
    fn add(&mut self, expected: Option<&str>, hits: &[String]) {
        self.lines += 1;
        if !hits.is_empty() {
            self.flagged += 1;
        }
        match expected {
            Some(id) => {
                self.positives += 1;
                if hits.iter().any(|h| h == id) {
                    self.correct += 1;
                }
            }
            None if !hits.is_empty() => self.false_positives += 1,
            None => {}
        }
    }

    fn precision(&self) -> f64 {
        ratio(self.correct, self.flagged)
    }

    fn recall(&self) -> f64 {
        ratio(self.correct, self.positives)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

struct Evaluation {
    overall: Tally,
    by_kind: BTreeMap<String, Tally>,
    errors: Vec<String>,
}

fn evaluate(matcher: &MythMatcher) -> Evaluation {
    let mut eval = Evaluation {
        overall: Tally::default(),
        by_kind: BTreeMap::new(),
        errors: Vec::new(),
    };
    for (n, raw) in EVAL
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line: Line =
            serde_json::from_str(raw).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let hits: Vec<String> = matcher.find(&line.text).into_iter().map(|h| h.id).collect();
        let expected = line.myth.as_deref();
        eval.overall.add(expected, &hits);
        eval.by_kind
            .entry(line.kind.clone())
            .or_default()
            .add(expected, &hits);
        let ok = match expected {
            Some(id) => hits.iter().any(|h| h == id),
            None => hits.is_empty(),
        };
        if !ok {
            eval.errors.push(format!(
                "[{}] expected {:?}, got {:?}: {}",
                line.kind, expected, hits, line.text
            ));
        }
    }
    eval
}

#[test]
fn myth_matcher_precision_and_recall() {
    let matcher = MythMatcher::new();
    let eval = evaluate(&matcher);
    let o = &eval.overall;
    println!(
        "overall: {} lines, precision {:.3} ({}/{}), recall {:.3} ({}/{})",
        o.lines,
        o.precision(),
        o.correct,
        o.flagged,
        o.recall(),
        o.correct,
        o.positives
    );
    for (kind, t) in &eval.by_kind {
        if t.positives > 0 {
            println!(
                "  {kind}: {} lines, precision {:.3} ({}/{}), recall {:.3} ({}/{})",
                t.lines,
                t.precision(),
                t.correct,
                t.flagged,
                t.recall(),
                t.correct,
                t.positives
            );
        } else {
            println!(
                "  {kind}: {} lines, false positives {} (specificity {:.3})",
                t.lines,
                t.false_positives,
                1.0 - ratio(t.false_positives, t.lines)
            );
        }
    }
    for e in &eval.errors {
        println!("  miss: {e}");
    }

    assert!(o.precision() >= 0.93, "precision {:.3}", o.precision());
    assert!(o.recall() >= 0.85, "recall {:.3}", o.recall());
    let negation = &eval.by_kind["negation"];
    assert!(
        negation.false_positives <= 1,
        "negations flagged: {}",
        negation.false_positives
    );
    let unrelated = &eval.by_kind["unrelated"];
    assert!(
        unrelated.false_positives <= 5,
        "unrelated flagged: {}",
        unrelated.false_positives
    );
}

#[test]
fn evaluation_set_is_well_formed() {
    let mut kinds = BTreeMap::<String, usize>::new();
    for raw in EVAL.lines().filter(|l| !l.trim().is_empty()) {
        let line: Line = serde_json::from_str(raw).expect("valid JSON line");
        assert_eq!(
            line.myth.is_some(),
            line.kind == "paraphrase",
            "{}",
            line.text
        );
        *kinds.entry(line.kind).or_default() += 1;
    }
    assert_eq!(kinds.len(), 3, "{kinds:?}");
}
