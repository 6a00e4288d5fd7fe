//! Rough per-module timing over the PHI dev texts (a quick profile; the real figures come from
//! `cargo bench`). `cargo run --release -p credence-check --example timing`
use std::time::Instant;

use credence_check::citations::Citations;
use credence_check::coi::Coi;
use credence_check::crisis::Crisis;
use credence_check::myths::MythMatcher;
use credence_check::phi::{Author, PhiDetector};
use credence_check::readability::Readability;
use credence_check::style::Style;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/phi/dev.jsonl".into());
    let data = std::fs::read_to_string(&path).expect("corpus");
    // A .txt file is one text; anything else is JSON lines with a "text" field.
    let texts: Vec<String> = if path.ends_with(".txt") {
        vec![data]
    } else {
        data.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect()
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = Instant::now();
    let phi = PhiDetector::new();
    let cit = Citations::new();
    let myths = MythMatcher::new();
    let style = Style::new();
    let coi = Coi::new();
    let crisis = Crisis::new();
    let read = Readability::new();
    println!("build: {:?}", t.elapsed());
    let iterations: usize = std::env::var("ITER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let only = std::env::var("ONLY").ok();
    let time = |name: &str, f: &dyn Fn(&str)| {
        if only.as_deref().is_some_and(|o| o != name) {
            return;
        }
        let t = Instant::now();
        for _ in 0..iterations {
            for s in &texts {
                f(s);
            }
        }
        let secs = t.elapsed().as_secs_f64() / iterations as f64;
        println!(
            "{name:<16} {:>8.1} µs/text  {:>7.2} MB/s",
            secs * 1e6 / texts.len() as f64,
            bytes as f64 / secs / 1e6
        );
    };
    let checker = credence_check::Checker::new();
    time("full_check", &|s| {
        drop(checker.check(&credence_check::Draft::new(s)))
    });
    time("phi", &|s| drop(phi.detect(s, &Author::default())));
    time("citations", &|s| drop(cit.findings(s, &cit.extract(s))));
    time("myths", &|s| drop(myths.find(s)));
    time("sensationalism", &|s| drop(style.sensationalism(s)));
    time("professionalism", &|s| drop(style.professionalism(s)));
    time("coi", &|s| drop(coi.check(s, &[])));
    time("crisis", &|s| drop(crisis.check(s)));
    time("readability", &|s| {
        std::hint::black_box(read.measure(s));
    });
}
