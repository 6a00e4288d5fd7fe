//! The whole check: every detector run over one draft, then the score and label.

use crate::citations::{Citation, Citations};
use crate::coi::Coi;
use crate::crisis::Crisis;
use crate::myths::{MythHit, MythMatcher};
use crate::phi::{Author, PhiDetector, PhiHit};
use crate::readability::{Readability, Scores};
use crate::report::Report;
use crate::style::Style;
use crate::{Finding, FindingKind, Severity};

/// What kind of text is checked: replies are also checked for professionalism; long-form
/// patient materials are held to the reading-grade target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    #[default]
    Post,
    Article,
    Reply,
    ResearchUpdate,
    Tip,
}

/// A text to check, with what is known about its author.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub text: &'a str,
    pub kind: DraftKind,
    /// The author's display name and handle: their own byline is not a patient's name.
    pub author: Author,
    /// Companies the author declared financial relationships with (on their profile).
    pub declared_companies: Vec<String>,
    /// Reading grade to aim for; patient materials should be at grade 6–8.
    pub target_grade: f64,
    /// The prose readers read, when `text` also carries other parts (a reference list, a
    /// disclosure line): readability is measured on it alone, so URLs and citation titles do
    /// not raise the reading grade. `None` measures the whole text.
    pub prose: Option<&'a str>,
}

/// The default reading-grade target (Flesch–Kincaid grade 8).
pub const DEFAULT_TARGET_GRADE: f64 = 8.0;

impl<'a> Draft<'a> {
    pub fn new(text: &'a str) -> Draft<'a> {
        Draft {
            text,
            kind: DraftKind::Post,
            author: Author::default(),
            declared_companies: Vec::new(),
            target_grade: DEFAULT_TARGET_GRADE,
            prose: None,
        }
    }
}

/// Built once (it loads every registry); `check` is then deterministic and fast.
pub struct Checker {
    phi: PhiDetector,
    citations: Citations,
    myths: MythMatcher,
    style: Style,
    coi: Coi,
    crisis: Crisis,
    readability: Readability,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

impl Checker {
    pub fn new() -> Checker {
        Checker {
            phi: PhiDetector::new(),
            citations: Citations::new(),
            myths: MythMatcher::new(),
            style: Style::new(),
            coi: Coi::new(),
            crisis: Crisis::new(),
            readability: Readability::new(),
        }
    }

    pub fn phi(&self) -> &PhiDetector {
        &self.phi
    }

    /// The source registry, for grading a structured citation's URL.
    pub fn sources(&self) -> &crate::citations::SourceRegistry {
        self.citations.registry()
    }

    pub fn check(&self, draft: &Draft) -> Report {
        let text = draft.text;
        let (phi, readability) = self.privacy_and_reading(draft);
        let (citations, myths, mut findings) = self.sources_and_style(draft);
        findings.extend(phi.iter().map(phi_finding));
        if let Some(f) = reading_level_finding(&readability, draft) {
            findings.push(f);
        }
        findings.sort_by_key(|f| {
            (
                f.span.map_or(usize::MAX, |s| s.start),
                std::cmp::Reverse(f.severity),
            )
        });
        Report::build(
            text,
            draft.target_grade,
            findings,
            phi,
            citations,
            myths,
            readability,
        )
    }

    /// The PHI of a draft alone, as a report (its PHI hits and findings as [`Checker::check`]
    /// gives them): for text that is kept and searched but not shown, where sources, myths and
    /// style do not matter and privacy does.
    pub fn check_phi(&self, draft: &Draft) -> Report {
        let (phi, readability) = self.privacy_and_reading(draft);
        let findings = phi.iter().map(phi_finding).collect();
        Report::build(
            draft.text,
            draft.target_grade,
            findings,
            phi,
            Vec::new(),
            Vec::new(),
            readability,
        )
    }

    fn privacy_and_reading(&self, draft: &Draft) -> (Vec<PhiHit>, Scores) {
        (
            self.phi.detect(draft.text, &draft.author),
            self.readability.measure(draft.prose.unwrap_or(draft.text)),
        )
    }

    fn sources_and_style(&self, draft: &Draft) -> (Vec<Citation>, Vec<MythHit>, Vec<Finding>) {
        let text = draft.text;
        let citations = self.citations.extract(text);
        let myths = self.myths.find(text);
        let mut findings = self.citations.findings(text, &citations);
        findings.extend(myths.iter().map(|m| m.to_finding()));
        findings.extend(self.style.sensationalism(text));
        if draft.kind == DraftKind::Reply {
            findings.extend(self.style.professionalism(text));
        }
        findings.extend(self.coi.check(text, &draft.declared_companies));
        findings.extend(self.crisis.check(text));
        (citations, myths, findings)
    }
}

fn phi_finding(hit: &PhiHit) -> Finding {
    Finding {
        kind: FindingKind::Phi,
        severity: Severity::Block,
        span: Some(hit.span),
        message: format!(
            "This looks like {} ({}). Posting it could identify a patient or their family.",
            hit.label.describe(),
            hit.label.as_str()
        ),
        suggestion: Some(format!(
            "Remove it or replace it with [{}]; if the person gave written consent, record it before publishing.",
            hit.label.as_str()
        )),
    }
}

/// A reading-grade finding for texts long enough for the formula to mean something.
fn reading_level_finding(scores: &crate::readability::Scores, draft: &Draft) -> Option<Finding> {
    const MIN_WORDS: u32 = 30;
    let grade = scores.flesch_kincaid_grade;
    if scores.words < MIN_WORDS || grade <= draft.target_grade + 2.0 {
        return None;
    }
    Some(Finding {
        kind: FindingKind::Readability,
        severity: if grade > draft.target_grade + 4.0 { Severity::Warning } else { Severity::Info },
        span: None,
        message: format!(
            "Reading grade {grade:.1} is above the target of {:.0}: many patients will find this hard to read.",
            draft.target_grade
        ),
        suggestion: Some("Use shorter sentences and everyday words (\"high blood pressure\" rather than \"hypertension\"); explain any medical term you keep.".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readability_is_measured_on_the_prose_when_given() {
        let prose = "Wash your hands before you check your blood sugar. Fruit on your fingers can \
                     make the number too high. Dry them well, then use a fresh strip.";
        let text = format!(
            "{prose}\n\nReferences:\nCenters for Disease Control and Prevention: Monitoring \
             your blood sugar. https://www.cdc.gov/diabetes/diabetes-testing/monitoring-blood-sugar.html"
        );
        let checker = Checker::new();
        let whole = checker.check(&Draft::new(&text));
        let mut draft = Draft::new(&text);
        draft.prose = Some(prose);
        let measured = checker.check(&draft);
        let alone = checker.check(&Draft::new(prose));
        assert_eq!(
            measured.readability.flesch_kincaid_grade,
            alone.readability.flesch_kincaid_grade
        );
        assert!(whole.readability.flesch_kincaid_grade > alone.readability.flesch_kincaid_grade);
        // Everything else still looks at the whole text: the reference counts as a source.
        assert_eq!(measured.citations.len(), whole.citations.len());
    }
}
