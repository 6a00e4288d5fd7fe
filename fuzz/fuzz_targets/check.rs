//! Fuzzes the whole credibility check: any bytes that are UTF-8 text must give a report
//! without panicking, with every span on character boundaries and inside the text, and the
//! report must serialise to JSON.
#![no_main]

use std::sync::OnceLock;

use credence_check::{Checker, Draft, DraftKind};
use libfuzzer_sys::fuzz_target;

fn checker() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(Checker::new)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let chars = text.chars().count();
    for kind in [DraftKind::Post, DraftKind::Reply] {
        let mut draft = Draft::new(text);
        draft.kind = kind;
        let report = checker().check(&draft);
        for p in &report.phi {
            assert!(p.start < p.end && p.end <= chars, "PHI span out of range");
            let slice: String = text.chars().skip(p.start).take(p.end - p.start).collect();
            assert_eq!(slice, p.text, "PHI text matches its span");
        }
        for f in &report.findings {
            if let (Some(s), Some(e)) = (f.start, f.end) {
                assert!(s <= e && e <= chars, "finding span out of range");
            }
        }
        for m in &report.myths {
            assert!(m.start <= m.end && m.end <= chars);
        }
        serde_json::to_string(&report).expect("report serialises");
        let hits = checker().phi().detect(text, &draft.author);
        let redacted = checker().phi().redact(text, &hits);
        assert!(hits.is_empty() || redacted != text);
    }
});
