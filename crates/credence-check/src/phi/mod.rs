//! PHI: the HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) that belong to a private
//! person — a patient, a relative, the poster — as labelled in `shared/data/phi/LABELING.md`.
//!
//! Look-alikes that belong to an organisation, to a clinician acting professionally or to public
//! information (a clinic's phone, a CDC link, "Dr. Moore", "Parkinson's", an awareness day) are
//! not PHI. Telling them apart needs context, so detection runs in two passes:
//! 1. candidates from patterns (numbers, e-mails, URLs, dates, addresses) and from names in
//!    context (relation words, titles, census name lists);
//! 2. a context check per sentence (is it about a private person, or a public announcement?)
//!    and overlap resolution.

mod context;
mod lexicon;
mod names;
mod numbers;
mod places;
mod text;

use serde::Serialize;

use crate::Span;
use context::Doc;
use lexicon::Lexicon;

/// The identifier types, named as in LABELING.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PhiLabel {
    #[serde(rename = "NAME")]
    Name,
    #[serde(rename = "LOCATION")]
    Location,
    #[serde(rename = "DATE")]
    Date,
    #[serde(rename = "AGE_OVER_89")]
    AgeOver89,
    #[serde(rename = "PHONE")]
    Phone,
    #[serde(rename = "FAX")]
    Fax,
    #[serde(rename = "EMAIL")]
    Email,
    #[serde(rename = "SSN")]
    Ssn,
    #[serde(rename = "MRN")]
    Mrn,
    #[serde(rename = "HEALTH_PLAN_ID")]
    HealthPlanId,
    #[serde(rename = "ACCOUNT_NUMBER")]
    AccountNumber,
    #[serde(rename = "LICENSE_NUMBER")]
    LicenseNumber,
    #[serde(rename = "VEHICLE_ID")]
    VehicleId,
    #[serde(rename = "DEVICE_ID")]
    DeviceId,
    #[serde(rename = "URL")]
    Url,
    #[serde(rename = "IP_ADDRESS")]
    IpAddress,
    #[serde(rename = "OTHER_ID")]
    OtherId,
}

impl PhiLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            PhiLabel::Name => "NAME",
            PhiLabel::Location => "LOCATION",
            PhiLabel::Date => "DATE",
            PhiLabel::AgeOver89 => "AGE_OVER_89",
            PhiLabel::Phone => "PHONE",
            PhiLabel::Fax => "FAX",
            PhiLabel::Email => "EMAIL",
            PhiLabel::Ssn => "SSN",
            PhiLabel::Mrn => "MRN",
            PhiLabel::HealthPlanId => "HEALTH_PLAN_ID",
            PhiLabel::AccountNumber => "ACCOUNT_NUMBER",
            PhiLabel::LicenseNumber => "LICENSE_NUMBER",
            PhiLabel::VehicleId => "VEHICLE_ID",
            PhiLabel::DeviceId => "DEVICE_ID",
            PhiLabel::Url => "URL",
            PhiLabel::IpAddress => "IP_ADDRESS",
            PhiLabel::OtherId => "OTHER_ID",
        }
    }

    /// What a person reads in a finding.
    pub fn describe(self) -> &'static str {
        match self {
            PhiLabel::Name => "a person's name",
            PhiLabel::Location => "a place smaller than a state (address, town or ZIP code)",
            PhiLabel::Date => "a date tied to a person",
            PhiLabel::AgeOver89 => "an age over 89",
            PhiLabel::Phone => "a personal phone number",
            PhiLabel::Fax => "a personal fax number",
            PhiLabel::Email => "a personal e-mail address",
            PhiLabel::Ssn => "a Social Security number",
            PhiLabel::Mrn => "a medical record number",
            PhiLabel::HealthPlanId => "a health-plan member number",
            PhiLabel::AccountNumber => "an account or card number",
            PhiLabel::LicenseNumber => "a licence or certificate number",
            PhiLabel::VehicleId => "a vehicle plate or VIN",
            PhiLabel::DeviceId => "a medical device serial number",
            PhiLabel::Url => "a link that leads to a person",
            PhiLabel::IpAddress => "an IP address",
            PhiLabel::OtherId => "a unique identifier (claim, case, student or Rx number, handle)",
        }
    }
}

/// One identifier found in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhiHit {
    pub label: PhiLabel,
    pub span: Span,
    /// 0–1: how sure the detector is (patterns with a keyword score higher than names in context).
    pub confidence: f32,
}

/// What the engine knows about the author, so their own byline is not taken for a patient.
#[derive(Debug, Clone, Default)]
pub struct Author {
    /// Names the author publishes under (display name, handle).
    pub names: Vec<String>,
}

/// Built once (loads name lists and word lists); `detect` is then cheap.
pub struct PhiDetector {
    lex: Lexicon,
}

impl Default for PhiDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl PhiDetector {
    pub fn new() -> PhiDetector {
        numbers::warm_up();
        PhiDetector {
            lex: Lexicon::load(),
        }
    }

    /// Every PHI span in `text`, sorted by position, never overlapping.
    pub fn detect(&self, text: &str, author: &Author) -> Vec<PhiHit> {
        if text.is_empty() {
            return Vec::new();
        }
        let doc = Doc::new(text, &self.lex);
        let mut candidates = Vec::new();
        let mut masked = numbers::masks(&doc);
        numbers::detect(&doc, &self.lex, &mut candidates);
        masked.extend(places::detect(&doc, &self.lex, &mut candidates));
        masked.sort_by_key(|s| s.start);
        names::detect(&doc, &self.lex, author, &masked, &mut candidates);
        resolve(candidates)
    }

    /// The text with every PHI span replaced by `[LABEL]`.
    pub fn redact(&self, text: &str, hits: &[PhiHit]) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for hit in hits {
            if hit.span.start < at {
                continue;
            }
            out.push_str(&text[at..hit.span.start]);
            out.push('[');
            out.push_str(hit.label.as_str());
            out.push(']');
            at = hit.span.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// A candidate before overlap resolution; higher `priority` wins an overlap.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub label: PhiLabel,
    pub span: Span,
    pub confidence: f32,
    pub priority: u8,
}

/// Keeps the best candidate where candidates overlap: higher priority, then longer, then earlier.
fn resolve(mut candidates: Vec<Candidate>) -> Vec<PhiHit> {
    candidates.retain(|c| c.span.start < c.span.end);
    candidates.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then((b.span.end - b.span.start).cmp(&(a.span.end - a.span.start)))
            .then(a.span.start.cmp(&b.span.start))
    });
    // Kept spans never overlap, so the neighbours by start are the only possible overlaps.
    let mut kept: std::collections::BTreeMap<usize, Candidate> = std::collections::BTreeMap::new();
    for c in candidates {
        let before = kept.range(..c.span.end).next_back();
        let clashes = before.is_some_and(|(_, k)| k.span.overlaps(&c.span));
        if !clashes {
            kept.insert(c.span.start, c);
        }
    }
    kept.into_values()
        .map(|c| PhiHit {
            label: c.label,
            span: c.span,
            confidence: c.confidence,
        })
        .collect()
}
