//! The report: a score from 0 to 100, a label, and every finding located in Unicode code-point
//! offsets (as Python and JavaScript-free clients index strings). The rubric is explained in
//! `docs/credibility.md`.

use serde::Serialize;

use crate::citations::Citation;
use crate::myths::{MythHit, MythSource};
use crate::phi::PhiHit;
use crate::readability::Scores;
use crate::{Finding, FindingKind, Severity, Span};

/// The overall verdict shown to readers and authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// Contains PHI: cannot be published as it is.
    BlockedPhi,
    /// States a known myth, relies on a low-credibility or commercial source, or promotes a
    /// product without disclosure.
    Caution,
    /// Makes health claims without a source.
    NeedsSources,
    /// Cites peer-reviewed or agency sources and has no warnings.
    EvidenceBased,
    /// Nothing to flag (no claims that need a source).
    NoIssues,
}

impl Label {
    pub fn text(self) -> &'static str {
        match self {
            Label::BlockedPhi => "Blocked: contains PHI",
            Label::Caution => "Caution",
            Label::NeedsSources => "Needs sources",
            Label::EvidenceBased => "Evidence-based",
            Label::NoIssues => "No issues found",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingOut {
    pub kind: FindingKind,
    pub severity: Severity,
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub message: String,
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhiOut {
    pub label: &'static str,
    /// The label in words ("a medical record number"), for messages people read.
    pub description: &'static str,
    /// What the span is replaced with when redacting: `[LABEL]`.
    pub redaction: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub confidence: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CitationOut {
    pub kind: crate::citations::CitationKind,
    pub value: String,
    pub tier: Option<u8>,
    pub tier_name: Option<String>,
    pub source_name: Option<String>,
    pub note: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MythOut {
    pub id: String,
    pub start: usize,
    pub end: usize,
    pub claim: String,
    pub correction: String,
    pub sources: Vec<MythSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadabilityOut {
    pub flesch_kincaid_grade: f64,
    pub flesch_reading_ease: f64,
    pub smog_index: f64,
    pub target_grade: f64,
    pub words: u32,
    pub sentences: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub score: u8,
    pub label: Label,
    pub label_text: &'static str,
    pub findings: Vec<FindingOut>,
    pub phi: Vec<PhiOut>,
    pub citations: Vec<CitationOut>,
    pub myths: Vec<MythOut>,
    pub readability: ReadabilityOut,
}

/// Byte offset → code-point offset, computed once per text.
struct CharIndex {
    /// Byte offsets of every char start, ascending.
    starts: Vec<usize>,
    len: usize,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        CharIndex {
            starts: text.char_indices().map(|(i, _)| i).collect(),
            len: text.len(),
        }
    }

    fn of(&self, byte: usize) -> usize {
        if byte >= self.len {
            return self.starts.len();
        }
        self.starts.partition_point(|&s| s < byte)
    }

    fn span(&self, s: Span) -> (usize, usize) {
        (self.of(s.start), self.of(s.end))
    }
}

/// Points each kind of finding costs, and the most it can cost in total.
fn penalty(f: &Finding) -> (u32, FindingKind, u32) {
    use FindingKind::*;
    use Severity::*;
    let (points, cap) = match (f.kind, f.severity) {
        (Phi, _) => (100, 100),
        (Myth, _) => (35, 70),
        (NeedsSource, _) => (15, 40),
        (WeakSource, Warning | Block) => (15, 30),
        (WeakSource, Info) => (4, 10),
        (CommercialInterest, Warning | Block) => (15, 30),
        (CommercialInterest, Info) => (3, 6),
        (Sensationalism, Warning | Block) => (8, 30),
        (Sensationalism, Info) => (3, 9),
        (Professionalism, Warning | Block) => (10, 30),
        (Professionalism, Info) => (3, 9),
        (Readability, Warning | Block) => (10, 10),
        (Readability, Info) => (5, 5),
        // A crisis notice offers help; it says nothing about credibility.
        (Crisis, _) => (0, 0),
    };
    (points, f.kind, cap)
}

impl Report {
    /// Moves every located finding to the span `to_source` gives for it: the report of a text
    /// derived from what the author typed (an article as readers get it) then points at the
    /// author's own words. The quoted text of a PHI hit stays what readers would see.
    pub fn relocate(&mut self, to_source: impl Fn(usize, usize) -> (usize, usize)) {
        for f in &mut self.findings {
            if let (Some(start), Some(end)) = (f.start, f.end) {
                let (start, end) = to_source(start, end);
                (f.start, f.end) = (Some(start), Some(end));
            }
        }
        for p in &mut self.phi {
            (p.start, p.end) = to_source(p.start, p.end);
        }
        for c in &mut self.citations {
            (c.start, c.end) = to_source(c.start, c.end);
        }
        for m in &mut self.myths {
            (m.start, m.end) = to_source(m.start, m.end);
        }
    }

    pub(crate) fn build(
        text: &str,
        target_grade: f64,
        findings: Vec<Finding>,
        phi: Vec<PhiHit>,
        citations: Vec<Citation>,
        myths: Vec<MythHit>,
        readability: Scores,
    ) -> Report {
        let idx = CharIndex::new(text);
        let score = score(&findings);
        let label = label(&findings, &citations);
        Report {
            score,
            label,
            label_text: label.text(),
            findings: findings
                .into_iter()
                .map(|f| {
                    let span = f.span.map(|s| idx.span(s));
                    FindingOut {
                        kind: f.kind,
                        severity: f.severity,
                        start: span.map(|s| s.0),
                        end: span.map(|s| s.1),
                        message: f.message,
                        suggestion: f.suggestion,
                    }
                })
                .collect(),
            phi: phi
                .iter()
                .map(|h| {
                    let (start, end) = idx.span(h.span);
                    PhiOut {
                        label: h.label.as_str(),
                        description: h.label.describe(),
                        redaction: format!("[{}]", h.label.as_str()),
                        start,
                        end,
                        text: text[h.span.start..h.span.end].to_string(),
                        confidence: h.confidence,
                    }
                })
                .collect(),
            citations: citations
                .into_iter()
                .map(|c| {
                    let (start, end) = idx.span(c.span);
                    CitationOut {
                        kind: c.kind,
                        value: c.value,
                        tier: c.tier,
                        tier_name: c.tier_name,
                        source_name: c.source_name,
                        note: c.note,
                        start,
                        end,
                    }
                })
                .collect(),
            myths: myths
                .into_iter()
                .map(|m| {
                    let (start, end) = idx.span(m.span);
                    MythOut {
                        id: m.id,
                        start,
                        end,
                        claim: m.claim,
                        correction: m.correction,
                        sources: m.sources,
                    }
                })
                .collect(),
            readability: ReadabilityOut {
                flesch_kincaid_grade: readability.flesch_kincaid_grade,
                flesch_reading_ease: readability.flesch_reading_ease,
                smog_index: readability.smog_index,
                target_grade,
                words: readability.words,
                sentences: readability.sentences,
            },
        }
    }

    /// Whether publishing must wait (PHI found).
    pub fn is_blocked(&self) -> bool {
        self.label == Label::BlockedPhi
    }

    /// Whether anything is worth a warning.
    pub fn has_warnings(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity >= Severity::Warning)
    }
}

/// 100 minus the penalties, each kind capped so one repeated problem cannot sink the score
/// alone; PHI sets it to 0.
fn score(findings: &[Finding]) -> u8 {
    let mut by_kind: std::collections::BTreeMap<FindingKind, (u32, u32)> = Default::default();
    for f in findings {
        let (points, kind, cap) = penalty(f);
        let entry = by_kind.entry(kind).or_insert((0, cap));
        entry.0 += points;
        entry.1 = entry.1.max(cap);
    }
    let total: u32 = by_kind.values().map(|(sum, cap)| (*sum).min(*cap)).sum();
    100u32.saturating_sub(total) as u8
}

fn label(findings: &[Finding], citations: &[Citation]) -> Label {
    let has = |kind: FindingKind, min: Severity| {
        findings.iter().any(|f| f.kind == kind && f.severity >= min)
    };
    if has(FindingKind::Phi, Severity::Info) {
        Label::BlockedPhi
    } else if has(FindingKind::Myth, Severity::Info)
        || has(FindingKind::WeakSource, Severity::Warning)
        || has(FindingKind::CommercialInterest, Severity::Warning)
    {
        Label::Caution
    } else if has(FindingKind::NeedsSource, Severity::Info) {
        Label::NeedsSources
    } else if citations.iter().any(|c| c.tier.is_some_and(|t| t <= 2))
        && !findings.iter().any(|f| f.severity >= Severity::Warning)
    {
        Label::EvidenceBased
    } else {
        Label::NoIssues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_point_offsets() {
        let text = "Ánh 🙏 Jason";
        let idx = CharIndex::new(text);
        let start = text.find("Jason").unwrap();
        assert_eq!(idx.span(Span::new(start, start + 5)), (6, 11));
        assert_eq!(idx.of(text.len()), text.chars().count());
    }
}
