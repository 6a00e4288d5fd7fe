//! Prints the engine's quality figures on evaluation data.
//!
//! ```text
//! cargo run --release -p credence-check --example eval -- [--phi ../shared/data/phi/dev.jsonl]
//!     [--readability ../shared/data/readability/dev.jsonl]
//!     [--myths crates/credence-check/tests/data/myths_eval.jsonl] [--errors]
//! ```
//! PHI uses the matching rule of `shared/data/phi/eval_phi.py` (overlap, compatible label
//! classes): a gold span is found when a predicted span of a compatible class overlaps it by at
//! least one character; a prediction is correct when it overlaps a gold span of a compatible
//! class.

use std::collections::BTreeMap;

use credence_check::myths::MythMatcher;
use credence_check::phi::{Author, PhiDetector, PhiLabel};
use credence_check::readability::Readability;
use serde_json::Value;

fn class(label: &str) -> &str {
    match label {
        "AGE_OVER_89" => "DATE",
        "FAX" => "PHONE",
        "SSN" | "MRN" | "HEALTH_PLAN_ID" | "ACCOUNT_NUMBER" | "LICENSE_NUMBER" | "VEHICLE_ID"
        | "DEVICE_ID" | "OTHER_ID" => "ID",
        other => other,
    }
}

fn char_offsets(text: &str) -> Vec<usize> {
    // byte offset -> char offset (for every byte position that starts a char, plus the end)
    let mut map = vec![0; text.len() + 1];
    for (ci, (bi, _)) in text.char_indices().enumerate() {
        map[bi] = ci;
    }
    map[text.len()] = text.chars().count();
    map
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let phi_path = arg("--phi").unwrap_or_else(|| "../shared/data/phi/dev.jsonl".into());
    let show_errors = args.iter().any(|a| a == "--errors");
    let detector = PhiDetector::new();
    let data = std::fs::read_to_string(&phi_path)
        .unwrap_or_else(|e| panic!("cannot read {phi_path}: {e}"));
    // label -> (gold, found); predicted label -> (preds, correct)
    let mut gold_stats: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut pred_stats: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let (mut clean_texts, mut clean_flagged) = (0, 0);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let rec: Value = serde_json::from_str(line).expect("valid JSON line");
        let text = rec["text"].as_str().unwrap_or_default();
        let map = char_offsets(text);
        let hits = detector.detect(text, &Author::default());
        let preds: Vec<(usize, usize, &str)> = hits
            .iter()
            .map(|h| (map[h.span.start], map[h.span.end], h.label.as_str()))
            .collect();
        let gold: Vec<(usize, usize, String)> = rec["spans"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| {
                        (
                            s["start"].as_u64().unwrap() as usize,
                            s["end"].as_u64().unwrap() as usize,
                            s["label"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if gold.is_empty() {
            clean_texts += 1;
            if !preds.is_empty() {
                clean_flagged += 1;
            }
        }
        let overlaps = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
        for g in &gold {
            let found = preds
                .iter()
                .any(|p| overlaps((p.0, p.1), (g.0, g.1)) && class(p.2) == class(&g.2));
            let e = gold_stats.entry(g.2.clone()).or_default();
            e.0 += 1;
            if found {
                e.1 += 1;
            } else if show_errors {
                println!(
                    "MISS {:<14} [{}]  in: {}",
                    g.2,
                    text.chars().skip(g.0).take(g.1 - g.0).collect::<String>(),
                    rec["id"]
                );
            }
        }
        for p in &preds {
            let correct = gold
                .iter()
                .any(|g| overlaps((p.0, p.1), (g.0, g.1)) && class(p.2) == class(&g.2));
            let e = pred_stats.entry(p.2.to_string()).or_default();
            e.0 += 1;
            if correct {
                e.1 += 1;
            } else if show_errors {
                let s: String = text.chars().skip(p.0).take(p.1 - p.0).collect();
                let ctx: String = text
                    .chars()
                    .skip(p.0.saturating_sub(30))
                    .take(p.1 - p.0 + 50)
                    .collect();
                println!(
                    "FP   {:<14} [{}]  ctx: {}  ({})",
                    p.2,
                    s,
                    ctx.replace('\n', " "),
                    rec["id"]
                );
            }
        }
    }
    println!("PHI on {phi_path} (overlap rule, compatible label classes)");
    println!(
        "{:<16} {:>6} {:>7} {:>7} {:>9}",
        "label", "gold", "recall", "preds", "precision"
    );
    let labels: Vec<&str> = gold_stats
        .keys()
        .map(String::as_str)
        .chain(pred_stats.keys().map(String::as_str))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let (mut g_all, mut f_all, mut p_all, mut c_all) = (0, 0, 0, 0);
    for l in labels {
        let (g, f) = gold_stats.get(l).copied().unwrap_or_default();
        let (p, c) = pred_stats.get(l).copied().unwrap_or_default();
        g_all += g;
        f_all += f;
        p_all += p;
        c_all += c;
        let ratio = |a: u32, b: u32| {
            if b == 0 {
                "-".to_string()
            } else {
                format!("{:.3}", a as f64 / b as f64)
            }
        };
        println!(
            "{:<16} {:>6} {:>7} {:>7} {:>9}",
            l,
            g,
            ratio(f, g),
            p,
            ratio(c, p)
        );
    }
    let (r, p) = (
        f_all as f64 / g_all.max(1) as f64,
        c_all as f64 / p_all.max(1) as f64,
    );
    println!(
        "{:<16} {:>6} {:>7.3} {:>7} {:>9.3}   F1 {:.3}",
        "overall",
        g_all,
        r,
        p_all,
        p,
        2.0 * p * r / (p + r)
    );
    println!("clean texts flagged: {clean_flagged}/{clean_texts}");
    let _ = PhiLabel::Name;
    println!();
    readability(
        &arg("--readability").unwrap_or_else(|| "../shared/data/readability/dev.jsonl".into()),
    );
    println!();
    myths(
        &arg("--myths")
            .unwrap_or_else(|| "crates/credence-check/tests/data/myths_eval.jsonl".into()),
        show_errors,
    );
}

/// Flesch–Kincaid grade, reading ease and SMOG against textstat's reference figures.
fn readability(path: &str) {
    let Ok(data) = std::fs::read_to_string(path) else {
        println!("readability: {path} not found");
        return;
    };
    let engine = Readability::new();
    let (mut n, mut within, mut fk, mut fre, mut smog) = (0u32, 0u32, 0.0f64, 0.0f64, 0.0f64);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let rec: Value = serde_json::from_str(line).expect("valid JSON line");
        let s = engine.measure(rec["text"].as_str().unwrap_or_default());
        let r = &rec["textstat"];
        let d_fk =
            (s.flesch_kincaid_grade - r["flesch_kincaid_grade"].as_f64().unwrap_or(0.0)).abs();
        n += 1;
        if d_fk <= 0.5 {
            within += 1;
        }
        fk += d_fk;
        fre += (s.flesch_reading_ease - r["flesch_reading_ease"].as_f64().unwrap_or(0.0)).abs();
        smog += (s.smog_index - r["smog_index"].as_f64().unwrap_or(0.0)).abs();
    }
    let n_f = f64::from(n.max(1));
    println!("Readability on {path} ({n} texts) against textstat 0.7.13");
    println!(
        "  Flesch-Kincaid grade within +/-0.5: {within}/{n} ({:.1}%)",
        100.0 * f64::from(within) / n_f
    );
    println!(
        "  mean absolute difference: FK {:.4}, reading ease {:.4}, SMOG {:.4}",
        fk / n_f,
        fre / n_f,
        smog / n_f
    );
}

/// Myth detection on a labelled set of paraphrases, negations and unrelated statements.
fn myths(path: &str, show_errors: bool) {
    let Ok(data) = std::fs::read_to_string(path) else {
        println!("myths: {path} not found");
        return;
    };
    let matcher = MythMatcher::new();
    // kind -> (lines, correct)
    let mut by_kind: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let (mut tp, mut fp, mut fn_) = (0u32, 0u32, 0u32);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let rec: Value = serde_json::from_str(line).expect("valid JSON line");
        let text = rec["text"].as_str().unwrap_or_default();
        let expected = rec["myth"].as_str();
        let hits = matcher.find(text);
        let ok = match expected {
            Some(id) => {
                let found = hits.iter().any(|h| h.id == id);
                if found {
                    tp += 1
                } else {
                    fn_ += 1
                }
                fp += hits.iter().filter(|h| h.id != id).count() as u32;
                found
            }
            None => {
                fp += hits.len() as u32;
                hits.is_empty()
            }
        };
        if !ok && show_errors {
            println!(
                "MYTH {:<10} expected {:?}, got {:?}: {text}",
                rec["kind"].as_str().unwrap_or(""),
                expected,
                hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>()
            );
        }
        let e = by_kind
            .entry(rec["kind"].as_str().unwrap_or("?").to_string())
            .or_default();
        e.0 += 1;
        if ok {
            e.1 += 1;
        }
    }
    println!("Myths on {path}");
    println!(
        "  precision {:.3}, recall {:.3}",
        f64::from(tp) / f64::from((tp + fp).max(1)),
        f64::from(tp) / f64::from((tp + fn_).max(1))
    );
    for (kind, (n, ok)) in by_kind {
        println!("  {kind:<11} {ok}/{n} handled correctly");
    }
}
