//! What reading an article as readers get it costs (criterion): rendering alone against
//! rendering, turning the sanitised HTML back into text and aligning it with the Markdown
//! (`content::article_text`, run on every pause in typing an article), for a typical article
//! and one at the 100,000-character limit with markup on every line.
//!
//! ```text
//! cargo bench -p credence-core --bench reader
//! ```

use std::time::Duration;

use credence_core::content::{article_text, render_markdown};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// One section of an article: a heading, emphasis, a link, an entity, a list and a table.
const SECTION: &str = "## Measuring at home\n\n\
Use a *validated* upper-arm cuff and sit quietly for **five minutes** first. Take two readings \
a minute apart &mdash; morning and evening &#8212; for a week before your appointment, as the \
[AHA guide](https://www.heart.org/en/health-topics/high-blood-pressure) explains.\n\n\
- Keep your arm at heart level\n- Feet flat, back supported\n- No coffee for 30 minutes\n\n\
| Reading | Category |\n|---|---|\n| below 120/80 | Normal |\n| 130/80 or more | Stage 1 |\n\n\
Lowering systolic pressure by about 10 points reduces major events by roughly a fifth \
(doi:10.1016/S0140-6736(15)01225-8). <em>Never</em> stop a tablet without advice.\n\n";

fn article_of(chars: usize) -> String {
    SECTION.repeat(chars / SECTION.len() + 1)[..chars]
        .trim_end()
        .to_string()
}

fn reader_text(c: &mut Criterion) {
    let mut group = c.benchmark_group("article");
    group.measurement_time(Duration::from_secs(5));
    for (name, chars) in [("10k chars", 10_000), ("100k chars", 99_000)] {
        let markdown = article_of(chars);
        group.bench_function(format!("render, {name}"), |b| {
            b.iter(|| render_markdown(black_box(&markdown)))
        });
        group.bench_function(format!("reader text and alignment, {name}"), |b| {
            b.iter(|| article_text(black_box(&markdown)))
        });
    }
    group.finish();
}

criterion_group!(benches, reader_text);
criterion_main!(benches);
