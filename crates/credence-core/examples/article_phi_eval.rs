//! PHI found in articles as readers get them, against the same texts checked as plain text.
//!
//! Each text of a PHI corpus (JSONL with `id` and `text`) is written as an author could write
//! an article that reads exactly the same: Markdown punctuation escaped, a fifth of the letters
//! and digits as numeric entities, some words in inline tags (seeded, so runs repeat). The
//! engine reads it through `content::article_text`; where the reader text equals the original
//! (surrounding whitespace aside, so the offsets agree), its spans are written as predictions
//! for `shared/data/phi/eval_phi.py --preds`. The plain-text predictions are written beside.
//!
//! ```text
//! cargo run --release -p credence-core --example article_phi_eval -- CORPUS.jsonl OUT_DIR
//! python3 ../shared/data/phi/eval_phi.py --preds OUT_DIR/plain.jsonl --split CORPUS.jsonl
//! python3 ../shared/data/phi/eval_phi.py --preds OUT_DIR/article.jsonl --split CORPUS.jsonl
//! ```

use std::io::Write;

use credence_check::{Checker, Draft};
use credence_core::content::article_text;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

fn escaped_and_disguised(plain: &str, rng: &mut impl Rng) -> String {
    let mut out = String::new();
    for word in plain.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        let tagged =
            !word.is_empty() && word.chars().all(char::is_alphanumeric) && rng.gen_bool(0.1);
        if tagged {
            out.push_str("<b>");
        }
        for c in word.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
                out.push(c);
            } else if c.is_alphanumeric() && rng.gen_bool(0.2) {
                out.push_str(&format!("&#{};", c as u32));
            } else {
                out.push(c);
            }
        }
        if tagged {
            out.push_str("</b>");
        }
    }
    out
}

fn spans(checker: &Checker, text: &str, shift: usize) -> Vec<Value> {
    checker
        .check(&Draft::new(text))
        .phi
        .iter()
        .map(|p| json!({"start": p.start + shift, "end": p.end + shift, "label": p.label}))
        .collect()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, out_dir) = (&args[1], std::path::Path::new(&args[2]));
    std::fs::create_dir_all(out_dir)?;
    let checker = Checker::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let mut plain_out = std::fs::File::create(out_dir.join("plain.jsonl"))?;
    let mut article_out = std::fs::File::create(out_dir.join("article.jsonl"))?;
    let (mut same, mut differ) = (0, 0);
    for line in std::fs::read_to_string(corpus)?.lines() {
        let record: Value = serde_json::from_str(line).expect("a JSON line");
        let (id, text) = (&record["id"], record["text"].as_str().expect("text"));
        writeln!(
            plain_out,
            "{}",
            json!({"id": id, "spans": spans(&checker, text, 0)})
        )?;
        let reader = article_text(&escaped_and_disguised(text, &mut rng));
        let article_spans = if reader.text == text.trim() {
            same += 1;
            let lead = text.chars().count() - text.trim_start().chars().count();
            spans(&checker, &reader.text, lead)
        } else {
            differ += 1;
            Vec::new()
        };
        writeln!(article_out, "{}", json!({"id": id, "spans": article_spans}))?;
    }
    eprintln!("{same} texts read back exactly; {differ} differ in layout and predict nothing");
    Ok(())
}
