//! Credence's credibility and safety engine. Pure: no I/O, no async, no database.
//!
//! `Checker::new()` loads the embedded registries once; `checker.check(&draft)` is
//! deterministic and fast enough to run on every pause in typing.
//!
//! Spans inside the engine are byte offsets into the draft's text, always on `char`
//! boundaries; the report converts them to Unicode code-point offsets for output.

mod checker;
pub mod citations;
pub mod coi;
pub mod crisis;
mod fasthash;
pub mod myths;
pub mod phi;
pub mod readability;
pub mod report;
pub mod style;

use serde::Serialize;

pub use checker::{Checker, Draft, DraftKind, DEFAULT_TARGET_GRADE};
pub use phi::Author;
pub use report::{Label, Report};

/// A half-open byte range `[start, end)` into the checked text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// How much a finding matters to publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; does not lower the score much.
    Info,
    /// Should be fixed; lowers the score.
    Warning,
    /// Must be fixed before publishing (PHI).
    Block,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Phi,
    NeedsSource,
    WeakSource,
    Myth,
    Sensationalism,
    CommercialInterest,
    Professionalism,
    Crisis,
    Readability,
}

/// One explained, located finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// Where in the text, when the finding is about a passage.
    pub span: Option<Span>,
    /// What was found and why it matters, in plain words.
    pub message: String,
    /// How to fix it.
    pub suggestion: Option<String>,
}
