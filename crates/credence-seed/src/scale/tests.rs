//! The seed writes what the application would have written.

use super::people::Author;
use super::templates::{check, template_author, Prepared, Template};
use super::writer::{FOLLOW_COLUMNS, POST_COLUMNS, PROFILE_COLUMNS};
use credence_check::Checker;
use credence_core::posts::PostKind;
use credence_core::{posts, Role};

use super::*;
use credence_core::accounts::Email;
use credence_core::profiles::Handle;

/// The rules real sign-ups follow.
fn valid_account_names(a: &Author) -> bool {
    Handle::parse(&a.handle).is_ok_and(|h| h.as_str() == a.handle)
        && Email::parse(&a.email).is_ok()
        && profiles::clean_display_name(&a.display_name, &a.handle).is_ok()
}

fn every_template() -> Vec<Template> {
    let mut all = Vec::new();
    for topic in 0..TOPICS.len() as u8 {
        for fact in 0..4 {
            for action in 0..4 {
                for sourced in [false, true] {
                    all.push(Template::Post {
                        topic,
                        fact,
                        action,
                        sourced,
                        opener: 0,
                        closer: 0,
                    });
                    all.push(Template::Tip {
                        topic,
                        fact,
                        action,
                        sourced,
                        closer: 0,
                    });
                }
            }
        }
        for title in 0..2 {
            all.push(Template::Article {
                topic,
                title,
                closer: 0,
            });
        }
    }
    for study in 0..STUDIES.len() as u8 {
        all.push(Template::ResearchUpdate { study, closer: 0 });
    }
    // Every opener and closer, around a few sentences.
    for opener in 0..texts::OPENERS.len() as u8 {
        for closer in 0..texts::CLOSERS.len() as u8 {
            for (topic, sourced) in [(0, true), (11, false), (22, true)] {
                all.push(Template::Post {
                    topic,
                    fact: opener % 4,
                    action: closer % 4,
                    sourced,
                    opener,
                    closer,
                });
            }
        }
    }
    all
}

#[test]
fn every_template_can_be_published() {
    let checker = Checker::new();
    let byline = template_author();
    let mut labels: HashMap<&str, usize> = HashMap::new();
    for template in every_template() {
        let p = Prepared::new(&checker, &byline, template);
        assert!(
            p.publishable,
            "{template:?} would be refused: {}",
            template.text().1
        );
        *labels.entry(p.label).or_default() += 1;
        assert!(p.hashtags.len() <= 1);
        assert!(
            p.body.chars().count() <= posts::MAX_POST_CHARS
                || template.kind() == PostKind::Article
                || template.kind() == PostKind::ResearchUpdate
        );
    }
    // A realistic mix: sourced posts earn the evidence-based label, unsourced claims are
    // asked for sources.
    assert!(labels["evidence_based"] > 100, "{labels:?}");
    assert!(labels["needs_sources"] > 20, "{labels:?}");
    assert!(labels["no_issues"] > 100, "{labels:?}");
}

#[test]
fn cached_verdicts_match_a_fresh_check() {
    // The cache stands for a check of each post's own text by its own author: a different
    // byline with disclosures must not change the verdict.
    let checker = Checker::new();
    let mut author = template_author();
    author.display_name = "Dr Amara Okafor".into();
    author.handle = "dr_okafor12".into();
    author.disclosures.push(profiles::Disclosure {
        id: 1,
        company: texts::COMPANIES[0].0.into(),
        relationship: "consulting".into(),
        relationship_label: "Consulting fees",
        details: String::new(),
    });
    let byline = template_author();
    for template in every_template().into_iter().step_by(7) {
        let cached = Prepared::new(&checker, &byline, template);
        let (title, body) = template.text();
        let fresh = check(&checker, &author, template, &title, &body);
        assert_eq!(cached.label, posts::label_code(fresh.label), "{template:?}");
        assert_eq!(cached.score, i64::from(fresh.score), "{template:?}");
        assert_eq!(cached.reading_grade, fresh.reading_grade, "{template:?}");
        assert_eq!(
            &*cached.reasons,
            serde_json::to_string(&fresh.reasons).unwrap()
        );
    }
}

#[test]
fn generated_people_have_valid_names_and_a_realistic_mix() {
    let people = People::generate(2_000, 7, now_ms(), &HashSet::new(), &HashSet::new());
    let mut handles = HashSet::new();
    for a in &people.authors {
        assert!(valid_account_names(a), "{} {}", a.handle, a.email);
        assert!(handles.insert(a.handle.to_lowercase()), "{}", a.handle);
    }
    let count = |f: &dyn Fn(&Author) -> bool| people.authors.iter().filter(|a| f(a)).count();
    let pros = count(&|a| a.role == Role::Professional);
    assert!((1_300..=1_500).contains(&pros), "{pros}");
    assert!(count(&|a| a.role == Role::Professional && a.verified()) > pros * 3 / 4);
    assert!(count(&|a| a.role == Role::Member) > 300);
    assert!(count(&|a| a.role == Role::Organisation) > 100);
    // A second run avoids the first run's handles.
    let taken: HashSet<String> = handles.clone();
    let again = People::generate(2_000, 7, now_ms(), &taken, &HashSet::new());
    assert!(again.authors.iter().all(|a| !taken.contains(&a.handle)));
}

#[test]
fn ids_carry_their_time() {
    let now = now_ms();
    let a = id_at(now - 10 * DAY_MS);
    let b = id_at(now - 9 * DAY_MS);
    assert!(a < b && b < new_id());
    // 22 low bits hold the counter; the rest is milliseconds.
    assert_eq!((b >> 22) - (a >> 22), DAY_MS);
    assert_eq!(id_epoch(), 1_704_067_200_000, "2024-01-01T00:00:00Z");
    assert!(id_at(earliest_id_time()) > 0);
}

#[test]
fn options_are_validated() {
    let ok = |posts, authors| ScaleOptions { posts, authors }.validate();
    assert!(ok(1_000_000, 10_000).is_ok());
    assert!(ok(0, 0).is_err());
    assert!(ok(10, 20).unwrap_err().contains("cannot exceed"));
}

#[test]
fn statements_stay_under_the_parameter_limits() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let w = Writer::new(backend);
        for columns in [POST_COLUMNS, PROFILE_COLUMNS, FOLLOW_COLUMNS] {
            let n = w.rows_per_statement(columns.len());
            assert!(n * columns.len() <= 32_766 && n >= 1);
        }
    }
}
