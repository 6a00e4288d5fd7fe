//! Public API of `credence_check::citations`, used the way the checker uses it:
//! extract once, then derive findings from the same citations.

use credence_check::citations::{tier_name, CitationKind, Citations, SourceRegistry, TIER_NAMES};
use credence_check::{FindingKind, Severity};

#[test]
fn a_typical_post_end_to_end() {
    let c = Citations::new();
    let post = "New data: 1 in 3 adults over 65 has high blood pressure. \
                Source: https://www.cdc.gov/bloodpressure/facts.htm. \
                Also worth a read: https://bit.ly/bp-tips and doi:10.1101/2021.05.01.21256123.";
    let cites = c.extract(post);
    let kinds: Vec<CitationKind> = cites.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [CitationKind::Url, CitationKind::Url, CitationKind::Preprint]
    );
    assert_eq!(
        cites[0].value,
        "https://www.cdc.gov/bloodpressure/facts.htm"
    );
    assert_eq!(cites[0].tier_name.as_deref(), Some("health_agency"));

    // The CDC link supports the statistic; the shortener and the preprint are flagged.
    let findings = c.findings(post, &cites);
    let got: Vec<(FindingKind, Severity)> = findings.iter().map(|f| (f.kind, f.severity)).collect();
    assert_eq!(
        got,
        [
            (FindingKind::WeakSource, Severity::Warning),
            (FindingKind::WeakSource, Severity::Info)
        ]
    );
    for f in &findings {
        let span = f.span.expect("located");
        assert!(span.end <= post.len());
    }
}

#[test]
fn unsupported_claim_is_located_on_its_sentence() {
    let c = Citations::new();
    let post =
        "Feeling great lately!\nStudies show cold showers boost your immune system.\nTry it.";
    let findings = c.findings(post, &c.extract(post));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, FindingKind::NeedsSource);
    assert_eq!(
        findings[0].span.unwrap().text(post),
        "Studies show cold showers boost your immune system."
    );
}

#[test]
fn registry_grades_and_serialises() {
    let r = SourceRegistry::new();
    let g = r
        .grade_url("https://www.thelancet.com/journals/lancet/article/x")
        .unwrap();
    assert_eq!(
        (g.tier, g.tier_name, g.source_name.as_str()),
        (1, "peer_reviewed", "The Lancet")
    );
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["tier_name"], "peer_reviewed");
    assert_eq!(tier_name(8), Some("shortener"));
    assert_eq!(tier_name(0), None);
    assert_eq!(tier_name(9), None);
    assert_eq!(TIER_NAMES.len(), 8);
}
