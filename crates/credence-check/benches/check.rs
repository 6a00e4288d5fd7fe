//! Speed of the credibility engine (criterion). Figures: building the `Checker`, a full check
//! of a 500-word post, readability alone (building `Readability`, measuring the post), and
//! PHI-detection and full-check throughput over the evaluation corpus
//! (`../shared/data/phi/dev.jsonl` when present, else the built-in post repeated).
//!
//! ```text
//! cargo bench -p credence-check --bench check
//! ```

use std::time::Duration;

use credence_check::phi::Author;
use credence_check::readability::Readability;
use credence_check::{Checker, Draft};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// A realistic 500-word educational post with a citation, a little hype and one patient detail.
const POST: &str = "High blood pressure is one of the most common reasons people see their family doctor, \
and it is also one of the easiest to miss. Most people with hypertension feel completely well. That is why \
the only reliable way to know your numbers is to measure them. A reading below 120 over 80 is considered \
normal. Readings between 120 and 129 systolic with a diastolic below 80 are called elevated, and anything at \
or above 130 over 80 is stage 1 hypertension under the 2017 American College of Cardiology and American Heart \
Association guideline. Why does this matter? Over years, raised pressure damages the lining of the arteries, \
strains the heart and raises the risk of stroke, heart attack, kidney disease and dementia. Lowering systolic \
pressure by about 10 points reduces major cardiovascular events by roughly a fifth, according to a large \
meta-analysis of randomised trials (Ettehad et al., Lancet 2016, doi:10.1016/S0140-6736(15)01225-8). \
The good news is that a lot of the work happens outside the clinic. Cutting down on salt is the single most \
effective dietary change for many people: most of the salt we eat is already in bread, cheese, processed meat \
and ready meals rather than in the salt shaker. Eating more vegetables, fruit, beans and whole grains helps, \
and the DASH eating pattern has good evidence behind it. Regular physical activity, about 150 minutes a week \
of brisk walking or similar, lowers pressure by several points. So does losing weight if you are above a \
healthy weight, drinking less alcohol and not smoking. Sleep matters too: untreated sleep apnoea is a common \
and under-recognised cause of hard-to-control blood pressure. Home monitoring is worth learning. Use a \
validated upper-arm cuff, sit quietly for five minutes with your back supported and your feet flat, keep \
your arm at heart level, and take two readings a minute apart in the morning and the evening for a week \
before your appointment. Write the numbers down or use the memory in the device and bring them with you. \
Many people will still need medicine, and that is not a failure. The common first choices, such as ACE \
inhibitors, angiotensin receptor blockers, calcium channel blockers and thiazide-type diuretics, are \
inexpensive, well studied and usually well tolerated. If one gives you side effects, tell your clinician: \
there is almost always an alternative. Never stop a blood pressure tablet suddenly without talking to \
someone first. Last week my patient Maria, 97, told me she had stopped her tablets because she felt fine. \
That is exactly the pattern we want to avoid. This miracle approach is not a secret: know your numbers, \
keep moving, eat well, and keep taking the medicine if you need it. For more, see the CDC page at \
https://www.cdc.gov/high-blood-pressure/ and talk with your own doctor or pharmacist about what target is \
right for you, because targets differ with age, kidney function and diabetes. Small changes, repeated \
every day, add up to fewer strokes and heart attacks over a lifetime, and that is worth the effort.";

fn corpus() -> Vec<String> {
    let path = std::env::var("CREDENCE_PHI_DEV")
        .unwrap_or_else(|_| "../../../shared/data/phi/dev.jsonl".into());
    match std::fs::read_to_string(&path) {
        Ok(data) => data
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect(),
        Err(_) => {
            eprintln!("note: {path} not found; using the built-in post as the corpus");
            vec![POST.to_string(); 50]
        }
    }
}

fn benches(c: &mut Criterion) {
    let words = POST.split_whitespace().count();
    eprintln!("benchmark post: {words} words, {} bytes", POST.len());
    c.bench_function("checker_new", |b| b.iter(|| black_box(Checker::new())));

    let checker = Checker::new();
    let mut g = c.benchmark_group("post_500_words");
    g.throughput(Throughput::Bytes(POST.len() as u64));
    g.bench_function("full_check", |b| {
        b.iter(|| black_box(checker.check(&Draft::new(black_box(POST)))))
    });
    g.bench_function("phi_only", |b| {
        b.iter(|| black_box(checker.phi().detect(black_box(POST), &Author::default())))
    });
    let readability = Readability::new();
    g.bench_function("readability_only", |b| {
        b.iter(|| black_box(readability.measure(black_box(POST))))
    });
    g.finish();
    c.bench_function("readability_new", |b| {
        b.iter(|| black_box(Readability::new()))
    });

    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("dev_corpus");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("phi_only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(checker.phi().detect(t, &Author::default()));
            }
        })
    });
    g.bench_function("full_check", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(checker.check(&Draft::new(t)));
            }
        })
    });
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
