//! The publishing rules and the engine's verdict: what text is checked, how the label and its
//! reasons are made, and what refuses a post (PHI without consent, commercial interest without
//! a disclosure, a research update without a peer-reviewed source). Also the cleaning of
//! citations and consent records, and the explore rank bonus.

use credence_check::{Checker, Draft, DraftKind, Label, Report};

use crate::kernel::clock::now_ms;
use crate::kernel::text::{multi_line, single_line};
use crate::kernel::{CoreError, CoreResult};
use crate::profiles::{Profile, ProfileKind};

use super::compose::Prepared;
use super::model::{
    Action, Citation, CitationInput, CitationKind, Compose, ConsentInput, PostKind, PostState,
    Visibility,
};

/// The engine's verdict on a draft, as stored with the post.
pub struct Assessment {
    pub label: Label,
    pub reasons: Vec<String>,
    pub score: u8,
    pub reading_grade: f64,
    pub report: Report,
}

/// The text the engine checks: title, body, the disclosure and the references, so structured
/// citations count as sources and a disclosure covers what it discloses.
pub fn text_for_check(title: &str, body: &str, disclosure: &str, citations: &[Citation]) -> String {
    text_for_check_with(title, body, disclosure, citations, "")
}

/// [`text_for_check`] plus `extra` text readers also see (content warning, alt text).
pub fn text_for_check_with(
    title: &str,
    body: &str,
    disclosure: &str,
    citations: &[Citation],
    extra: &str,
) -> String {
    let mut text = String::with_capacity(title.len() + body.len() + extra.len() + 256);
    if !title.is_empty() {
        text.push_str(title);
        text.push_str("\n\n");
    }
    text.push_str(body);
    if !disclosure.is_empty() {
        text.push_str("\n\nDisclosure: ");
        text.push_str(disclosure);
    }
    if !extra.is_empty() {
        text.push_str("\n\n");
        text.push_str(extra);
    }
    if !citations.is_empty() {
        text.push_str("\n\nReferences:\n");
        for c in citations {
            text.push_str(&c.title);
            text.push_str(". ");
            text.push_str(&c.url());
            text.push('\n');
        }
    }
    text
}

/// The engine's kind of draft for a post of this kind (or a reply).
pub fn draft_kind(kind: PostKind, reply: bool) -> DraftKind {
    if reply {
        return DraftKind::Reply;
    }
    match kind {
        PostKind::Post => DraftKind::Post,
        PostKind::Article => DraftKind::Article,
        PostKind::ResearchUpdate => DraftKind::ResearchUpdate,
        PostKind::Tip => DraftKind::Tip,
    }
}

/// Checks a draft with the author's byline and declared disclosures, as the compose screen does.
pub fn assess(
    checker: &Checker,
    author: &Profile,
    kind: DraftKind,
    text: &str,
    citations: &[Citation],
) -> Assessment {
    assess_prose(checker, author, kind, text, None, citations)
}

/// A draft of `author`'s: the engine knows their names (a byline is not a patient's name) and
/// the companies they declared (a disclosed interest is not an undisclosed one).
pub(super) fn author_draft<'a>(author: &Profile, kind: DraftKind, text: &'a str) -> Draft<'a> {
    let mut draft = Draft::new(text);
    draft.kind = kind;
    draft.author.names = vec![author.display_name.clone(), author.handle.clone()];
    draft.declared_companies = author
        .disclosures
        .iter()
        .map(|d| d.company.clone())
        .collect();
    draft
}

/// Adds to `report` the PHI found in what the author typed but readers are not shown (inside
/// a comment or a dropped attribute). The typed source is still stored, searched and shown in
/// earlier versions, so a name hidden there blocks like a visible one. Returns whether any
/// was added; `source` offsets are the author's own, as the live check reports them.
pub(super) fn add_hidden_phi(
    checker: &Checker,
    author: &Profile,
    kind: DraftKind,
    source: &str,
    report: &mut Report,
) -> bool {
    let typed = checker.check_phi(&author_draft(author, kind, source));
    let mut added = false;
    for hit in typed.phi {
        let known = report
            .phi
            .iter()
            .any(|p| p.label == hit.label && p.text == hit.text);
        if known {
            continue;
        }
        if let Some(finding) = typed
            .findings
            .iter()
            .find(|f| f.kind == credence_check::FindingKind::Phi && f.start == Some(hit.start))
        {
            report.findings.push(finding.clone());
        }
        report.phi.push(hit);
        added = true;
    }
    if added {
        report.label = Label::BlockedPhi;
        report.label_text = Label::BlockedPhi.text();
        report.score = 0;
    }
    added
}

/// [`assess`], with readability measured on `prose` (the title and body) rather than on the
/// whole checked text with its references.
pub fn assess_prose(
    checker: &Checker,
    author: &Profile,
    kind: DraftKind,
    text: &str,
    prose: Option<&str>,
    citations: &[Citation],
) -> Assessment {
    let mut draft = author_draft(author, kind, text);
    draft.prose = prose;
    let report = checker.check(&draft);
    let mut reasons = Vec::new();
    // The references are part of the checked text, so the engine has usually counted them;
    // the structured count covers sources it does not recognise from the link alone.
    let peer_reviewed = citations
        .iter()
        .filter(|c| c.is_peer_reviewed())
        .count()
        .max(
            report
                .citations
                .iter()
                .filter(|c| c.tier == Some(1))
                .count(),
        );
    if peer_reviewed > 0 {
        reasons.push(format!(
            "Cites {peer_reviewed} peer-reviewed source{}",
            if peer_reviewed == 1 { "" } else { "s" }
        ));
    }
    for finding in &report.findings {
        if finding.severity < credence_check::Severity::Warning
            || finding.kind == credence_check::FindingKind::Phi
        {
            continue;
        }
        // A myth is shown with what the evidence says and its strongest source.
        let reason = match (&finding.kind, &finding.suggestion) {
            (credence_check::FindingKind::Myth, Some(correction)) => {
                format!(
                    "{}. The evidence: {correction}",
                    finding.message.trim_end_matches('.')
                )
            }
            _ => finding.message.clone(),
        };
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    // Sources cited in structured form count as much as links in the text.
    let trusted = citations.iter().any(|c| c.tier.is_some_and(|t| t <= 2))
        || report
            .citations
            .iter()
            .any(|c| c.tier.is_some_and(|t| t <= 2));
    // Readability and tone do not make evidence less credible; myths, weak sources, hype and
    // undisclosed promotion do.
    let credibility_warning = report.findings.iter().any(|f| {
        use credence_check::FindingKind as K;
        f.severity >= credence_check::Severity::Warning
            && matches!(
                f.kind,
                K::Myth | K::WeakSource | K::Sensationalism | K::CommercialInterest
            )
    });
    let label = match report.label {
        Label::NoIssues | Label::NeedsSources if trusted && !credibility_warning => {
            Label::EvidenceBased
        }
        other => other,
    };
    Assessment {
        label,
        reasons,
        score: report.score,
        reading_grade: report.readability.flesch_kincaid_grade,
        report,
    }
}

pub(super) fn refused(
    code: &'static str,
    message: impl Into<String>,
    report: Option<Report>,
) -> CoreError {
    CoreError::Refused {
        code,
        message: message.into(),
        report: report.map(Box::new),
    }
}

/// The publishing rules. Drafts are not held to them (they are private); publishing and
/// scheduling are.
pub(super) fn enforce_rules(
    author: &Profile,
    input: &Compose,
    prepared: &Prepared,
    assessment: &Assessment,
) -> CoreResult<()> {
    let report = &assessment.report;
    let has_phi = !report.phi.is_empty();
    if has_phi && author.kind == ProfileKind::Personal {
        // Members share their own details; in public they are asked first, in a private
        // message they are not.
        if input.visibility != Visibility::Direct && !input.confirm_public_overshare {
            return Err(refused(
                "overshare",
                format!(
                    "This would share personal health details in public: {}. Anyone can read \
                     public posts: consider sending it as a private message instead, or confirm \
                     that you want to share it publicly.",
                    phi_in_words(report)
                ),
                Some(report.clone()),
            ));
        }
    } else if has_phi && prepared.consent.is_none() {
        let uncovered = report
            .phi
            .iter()
            .any(|p| !prepared.consent_on_file.contains(&p.text.to_lowercase()));
        if uncovered {
            let message = if prepared.consent_on_file.is_empty() {
                format!(
                    "This draft contains protected health information: {}. Redact it, or \
                     record the patient's written consent before publishing.",
                    phi_in_words(report)
                )
            } else {
                format!(
                    "This edit adds protected health information that the recorded consent \
                     does not cover: {}. Redact it, or record the patient's consent for it.",
                    phi_in_words(report)
                )
            };
            return Err(refused("phi", message, Some(report.clone())));
        }
    }
    let undisclosed = report.findings.iter().any(|f| {
        f.kind == credence_check::FindingKind::CommercialInterest
            && f.severity >= credence_check::Severity::Warning
    });
    if undisclosed && prepared.disclosure.is_empty() {
        return Err(refused(
            "disclosure_required",
            "This draft promotes a product or company. Add a disclosure of your relationship \
             with it (for example \"I am a paid consultant for …\") before publishing.",
            Some(report.clone()),
        ));
    }
    if input.kind == PostKind::ResearchUpdate
        && !prepared.citations.iter().any(Citation::is_peer_reviewed)
        && !report.citations.iter().any(|c| c.tier == Some(1))
    {
        return Err(refused(
            "peer_review_source_required",
            "A research update must cite at least one peer-reviewed source (a DOI, a PubMed \
             ID, or a link to a peer-reviewed journal).",
            Some(report.clone()),
        ));
    }
    Ok(())
}

/// The identifiers found, as a refusal names them so that an app's one-line message says which
/// words and why: `"Maria Lopez" (a person's name), "88123456" (a medical record number)`.
fn phi_in_words(report: &Report) -> String {
    const SHOWN: usize = 4;
    let mut named: Vec<String> = Vec::new();
    for p in &report.phi {
        let one = format!("\"{}\" ({})", p.text, p.description);
        if !named.contains(&one) {
            named.push(one);
        }
    }
    let more = named.len().saturating_sub(SHOWN);
    named.truncate(SHOWN);
    let mut words = named.join(", ");
    if more > 0 {
        words.push_str(&format!(" and {more} more"));
    }
    words
}

/// A DOI without the resolver in front: `https://doi.org/`, `http://dx.doi.org/`, `doi:`, …
pub(super) fn strip_doi_resolver(lower: &str) -> &str {
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(lower);
    let rest = rest
        .strip_prefix("www.")
        .or_else(|| rest.strip_prefix("dx."))
        .unwrap_or(rest);
    rest.strip_prefix("doi.org/")
        .or_else(|| rest.strip_prefix("doi:"))
        .unwrap_or(rest)
        .trim()
}

pub(super) fn clean_citation(checker: &Checker, input: &CitationInput) -> CoreResult<Citation> {
    let value = single_line("citations", "A citation", &input.value, 2_000)?;
    let title = single_line("citations", "A citation title", &input.title, 300)?;
    if title.is_empty() {
        return Err(CoreError::invalid(
            "citations",
            format!("The citation \"{value}\" needs a title"),
        ));
    }
    let lower = value.to_ascii_lowercase();
    let kind = match input
        .kind
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("doi") => CitationKind::Doi,
        Some("pmid") => CitationKind::Pmid,
        Some("url") => CitationKind::Url,
        Some(other) => {
            return Err(CoreError::invalid(
                "citations",
                format!("Unknown citation kind \"{other}\": use doi, pmid or url"),
            ))
        }
        None if lower.starts_with("http://") || lower.starts_with("https://") => {
            if strip_doi_resolver(&lower).starts_with("10.") {
                CitationKind::Doi
            } else {
                CitationKind::Url
            }
        }
        None if lower.starts_with("pmid") || value.chars().all(|c| c.is_ascii_digit()) => {
            CitationKind::Pmid
        }
        None => CitationKind::Doi,
    };
    let (value, tier) = match kind {
        CitationKind::Doi => {
            let doi = strip_doi_resolver(&lower);
            // Registrant codes start at 1000 (10.1000/…); the suffix is any printable text.
            let valid = doi.split_once('/').is_some_and(|(prefix, suffix)| {
                prefix
                    .strip_prefix("10.")
                    .and_then(|code| code.split('.').next())
                    .and_then(|code| code.parse::<u32>().ok())
                    .is_some_and(|code| code >= 1000)
                    && !suffix.is_empty()
                    && !suffix.contains(char::is_whitespace)
            });
            if !valid {
                return Err(CoreError::invalid(
                    "citations",
                    format!("\"{value}\" is not a DOI (they look like 10.1056/NEJMoa2034577)"),
                ));
            }
            // Graded as the engine grades DOIs: journal articles are peer-reviewed, preprint
            // servers' prefixes are not.
            let tier = credence_check::citations::doi_tier(doi);
            (doi.to_string(), Some(i64::from(tier)))
        }
        CitationKind::Pmid => {
            let digits = lower
                .trim_start_matches("pmid")
                .trim_start_matches(':')
                .trim();
            if digits.is_empty() || digits.len() > 9 || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return Err(CoreError::invalid(
                    "citations",
                    format!("\"{value}\" is not a PubMed ID (1 to 9 digits)"),
                ));
            }
            (digits.to_string(), Some(1))
        }
        CitationKind::Url => {
            let url = url::Url::parse(&value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            let Some(url) = url else {
                return Err(CoreError::invalid(
                    "citations",
                    format!("\"{value}\" is not a web address (http:// or https://)"),
                ));
            };
            let tier = checker
                .sources()
                .grade_url(url.as_str())
                .map(|g| i64::from(g.tier));
            (url.to_string(), tier)
        }
    };
    Ok(Citation {
        kind,
        value,
        title,
        tier,
    })
}

pub(super) fn clean_consent(consent: &ConsentInput) -> CoreResult<ConsentInput> {
    let patient_name = single_line("consent", "The patient's name", &consent.patient_name, 200)?;
    let scope = multi_line("consent", "The consent's scope", &consent.scope, 2_000)?;
    if patient_name.is_empty() || scope.is_empty() {
        return Err(CoreError::invalid(
            "consent",
            "A consent record needs the patient's name and what they agreed to",
        ));
    }
    let date = chrono::NaiveDate::parse_from_str(consent.consented_on.trim(), "%Y-%m-%d").map_err(
        |_| {
            CoreError::invalid(
                "consent",
                "The consent date must be a date like 2026-11-30 (the date on the signed form)",
            )
        },
    )?;
    if date > chrono::Utc::now().date_naive() {
        return Err(CoreError::invalid(
            "consent",
            "The consent date is in the future",
        ));
    }
    Ok(ConsentInput {
        patient_name,
        scope,
        consented_on: date.to_string(),
    })
}

/// Explore order: the publication time plus a credibility bonus, so a verified, sourced,
/// reviewed post stays near the top for longer than an unsourced one published at the same
/// time. Hours are the unit the bonus is tuned in.
pub fn rank_bonus(author_verified: bool, label: &str, reviewed: bool) -> i64 {
    const HOUR: i64 = 3_600_000;
    let mut bonus = 0;
    if author_verified {
        bonus += 12 * HOUR;
    }
    bonus += match label {
        "evidence_based" => 12 * HOUR,
        "no_issues" => 0,
        "needs_sources" => -6 * HOUR,
        "caution" => -24 * HOUR,
        _ => 0,
    };
    if reviewed {
        bonus += 12 * HOUR;
    }
    bonus
}

pub(super) fn state_for(action: Action) -> CoreResult<(PostState, Option<i64>)> {
    match action {
        Action::SaveDraft => Ok((PostState::Draft, None)),
        Action::Publish => Ok((PostState::Published, None)),
        Action::Schedule(at) => {
            let now = now_ms();
            if at < now + 60_000 {
                return Err(CoreError::invalid(
                    "scheduled_at",
                    "A scheduled time must be at least a minute from now",
                ));
            }
            if at > now + 366 * 86_400_000 {
                return Err(CoreError::invalid(
                    "scheduled_at",
                    "A post can be scheduled at most a year ahead",
                ));
            }
            Ok((PostState::Scheduled, Some(at)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_bonus_orders_credible_content_first() {
        let sourced_verified = rank_bonus(true, "evidence_based", true);
        let plain = rank_bonus(false, "no_issues", false);
        let myth = rank_bonus(false, "caution", false);
        assert!(sourced_verified > plain && plain > myth);
    }

    #[test]
    fn doi_resolver_forms_are_stripped() {
        for form in [
            "https://doi.org/10.1056/x",
            "http://dx.doi.org/10.1056/x",
            "https://www.doi.org/10.1056/x",
            "doi:10.1056/x",
            "10.1056/x",
        ] {
            assert_eq!(strip_doi_resolver(form), "10.1056/x", "{form}");
        }
    }

    #[test]
    fn references_are_part_of_the_checked_text() {
        let c = Citation {
            kind: CitationKind::Pmid,
            value: "123".into(),
            title: "A trial".into(),
            tier: Some(1),
        };
        let text = text_for_check("T", "Body", "I consult for Acme", &[c]);
        assert!(text.contains("https://pubmed.ncbi.nlm.nih.gov/123/"));
        assert!(text.contains("Disclosure: I consult for Acme"));
    }
}
