//! Posts: templates checked once each, and the generator that fills batches of posts.

use super::people::{Author, People};
use super::texts::{TopicText, STUDIES, TOPICS};
use super::writer::{Rows, Writer, FAVOURITE_COLUMNS, POST_COLUMNS, POST_TOPIC_COLUMNS, V};
use super::{
    earliest_id_time, id_at, texts, DAY_MS, FOLLOWERS_ONLY, MAX_FAVOURITES, MEAN_FAVOURITES,
    POSTS_PER_BATCH, SPAN_DAYS,
};
use credence_check::{Checker, DraftKind};
use credence_core::kernel::clock::now_ms;
use credence_core::posts::PostKind;
use credence_core::profiles::{Profile, ProfileKind, VerificationState};
use credence_core::{content, posts, CoreError, CoreResult, Role};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything that determines a post's checked text (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Template {
    Post {
        topic: u8,
        fact: u8,
        action: u8,
        sourced: bool,
        opener: u8,
        closer: u8,
    },
    Tip {
        topic: u8,
        fact: u8,
        action: u8,
        sourced: bool,
        closer: u8,
    },
    Article {
        topic: u8,
        title: u8,
        closer: u8,
    },
    ResearchUpdate {
        study: u8,
        closer: u8,
    },
}

impl Template {
    pub(super) fn kind(self) -> PostKind {
        match self {
            Template::Post { .. } => PostKind::Post,
            Template::Tip { .. } => PostKind::Tip,
            Template::Article { .. } => PostKind::Article,
            Template::ResearchUpdate { .. } => PostKind::ResearchUpdate,
        }
    }

    pub(super) fn draft_kind(self) -> DraftKind {
        match self.kind() {
            PostKind::Post => DraftKind::Post,
            PostKind::Tip => DraftKind::Tip,
            PostKind::Article => DraftKind::Article,
            PostKind::ResearchUpdate => DraftKind::ResearchUpdate,
        }
    }

    /// The curated topic this text is about (its slug is the hashtag).
    pub(super) fn slug(self) -> &'static str {
        match self {
            Template::Post { topic, .. }
            | Template::Tip { topic, .. }
            | Template::Article { topic, .. } => TOPICS[topic as usize].slug,
            Template::ResearchUpdate { study, .. } => STUDIES[study as usize].slug,
        }
    }

    /// Title and body, as an author would have typed them.
    pub(super) fn text(self) -> (String, String) {
        fn sentence(parts: &[&str]) -> String {
            parts
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        }
        let closer_of = |c: u8| texts::CLOSERS[c as usize];
        match self {
            Template::Post {
                topic,
                fact,
                action,
                sourced,
                opener,
                closer,
            } => {
                let t: &TopicText = &TOPICS[topic as usize];
                let mut body = sentence(&[
                    texts::OPENERS[opener as usize],
                    t.facts[fact as usize],
                    t.actions[action as usize],
                    closer_of(closer),
                ]);
                if sourced {
                    let lead =
                        texts::SOURCE_LEADS[(fact + action) as usize % texts::SOURCE_LEADS.len()];
                    body.push_str(&format!("\n\n{lead} {}", t.source));
                }
                // Two in three carry their topic as an inline hashtag; the others were filed
                // with the compose form's topic list.
                if (fact + action) % 3 != 0 {
                    body.push_str(&format!("\n\n#{}", t.slug));
                }
                (String::new(), body)
            }
            Template::Tip {
                topic,
                fact,
                action,
                sourced,
                closer,
            } => {
                let t = &TOPICS[topic as usize];
                let mut body = sentence(&[
                    t.actions[action as usize],
                    t.facts[fact as usize],
                    closer_of(closer),
                ]);
                if sourced {
                    body.push_str(&format!("\n\nSource: {}", t.source));
                }
                body.push_str(&format!("\n\n#{}", t.slug));
                (String::new(), body)
            }
            Template::Article {
                topic,
                title,
                closer,
            } => {
                let t = &TOPICS[topic as usize];
                let f = &t.facts;
                let a = &t.actions;
                let mut body = format!(
                    "{} {}\n\n## What you can do\n\n- {}\n- {}\n- {}\n- {}\n\n{} {}\n\n",
                    f[0], f[1], a[0], a[1], a[2], a[3], f[2], f[3]
                );
                if !closer_of(closer).is_empty() {
                    body.push_str(closer_of(closer));
                    body.push_str("\n\n");
                }
                body.push_str(&format!("Source: <{}>\n\n#{}", t.source, t.slug));
                (t.titles[title as usize].to_string(), body)
            }
            Template::ResearchUpdate { study, closer } => {
                let s = &STUDIES[study as usize];
                let mut body = format!("{}\n\n<https://doi.org/{}>\n\n", s.summary, s.doi);
                if !closer_of(closer).is_empty() {
                    body.push_str(closer_of(closer));
                    body.push_str("\n\n");
                }
                body.push_str(&format!("#{}", s.slug));
                (s.title.to_string(), body)
            }
        }
    }
}

/// A template's text, rendered and checked once.
pub(super) struct Prepared {
    pub(super) title: Arc<str>,
    pub(super) body: Arc<str>,
    pub(super) body_html: Arc<str>,
    /// The slugs of the hashtags in the body.
    pub(super) hashtags: Vec<String>,
    pub(super) label: &'static str,
    pub(super) reasons: Arc<str>,
    pub(super) score: i64,
    pub(super) reading_grade: f64,
    /// Whether `posts::create` would publish it (see [`publishable`]).
    pub(super) publishable: bool,
}

impl Prepared {
    pub(super) fn new(checker: &Checker, author: &Profile, template: Template) -> Prepared {
        let (title, body) = template.text();
        let kind = template.kind();
        let body_html = if matches!(kind, PostKind::Article | PostKind::ResearchUpdate) {
            content::render_markdown(&body)
        } else {
            content::render_plain(&body)
        };
        let assessment = check(checker, author, template, &title, &body);
        Prepared {
            hashtags: content::hashtags(&body),
            publishable: publishable(kind, &assessment),
            label: posts::label_code(assessment.label),
            reasons: serde_json::to_string(&assessment.reasons)
                .unwrap_or_else(|_| "[]".into())
                .into(),
            score: i64::from(assessment.score),
            reading_grade: assessment.reading_grade,
            title: title.into(),
            body: body.into(),
            body_html: body_html.into(),
        }
    }
}

/// The engine's verdict on a post's text, checked exactly as `posts::create` checks it (no
/// disclosure, citations, content warning or media here; readability on title and body).
pub(super) fn check(
    checker: &Checker,
    author: &Profile,
    template: Template,
    title: &str,
    body: &str,
) -> posts::Assessment {
    posts::assess_prose(
        checker,
        author,
        template.draft_kind(),
        &posts::text_for_check(title, body, "", &[]),
        Some(&format!("{title}\n\n{body}")),
        &[],
    )
}

/// The publishing rules of `posts::create` that a seeded post could meet: no PHI (seeded posts
/// record no consent, and members are not asked to confirm), no commercial promotion (they
/// carry no disclosure), and a research update needs a peer-reviewed source.
pub(super) fn publishable(kind: PostKind, assessment: &posts::Assessment) -> bool {
    let report = &assessment.report;
    let commercial = report.findings.iter().any(|f| {
        f.kind == credence_check::FindingKind::CommercialInterest
            && f.severity >= credence_check::Severity::Warning
    });
    let peer_reviewed = report.citations.iter().any(|c| c.tier == Some(1));
    report.phi.is_empty() && !commercial && (kind != PostKind::ResearchUpdate || peer_reviewed)
}

/// The byline the engine sees for cached checks: no name or company in a template matches it.
pub(super) fn template_author() -> Profile {
    let now = now_ms();
    Profile {
        id: 0,
        user_id: 0,
        kind: ProfileKind::Professional,
        handle: "seeded_author".into(),
        display_name: "Seeded Author".into(),
        bio: String::new(),
        links: Vec::new(),
        profession: None,
        specialty: None,
        credentials: None,
        licence_number: None,
        licence_jurisdiction: None,
        npi: None,
        affiliations: Vec::new(),
        org_kind: None,
        verification: VerificationState::Verified,
        verified_at: None,
        created_at: now,
        updated_at: now,
        disclosures: Vec::new(),
        locked: false,
        avatar_key: None,
        header_key: None,
        stats: None,
        render_version: 0,
    }
}

/// Post batches shared by one or two writers, and what they have stored so far.
pub(super) struct PostFeed {
    pub(super) receiver: tokio::sync::Mutex<tokio::sync::mpsc::Receiver<PostBatch>>,
    pub(super) totals: std::sync::Mutex<PostTotals>,
    pub(super) last_report: std::sync::Mutex<Instant>,
    /// Set when a writer fails, so the other one stops too.
    pub(super) failed: AtomicBool,
}

#[derive(Debug, Clone, Default)]
pub(super) struct PostTotals {
    pub(super) posts: u64,
    pub(super) followers_only: u64,
    pub(super) articles: u64,
    pub(super) tips: u64,
    pub(super) research_updates: u64,
    pub(super) post_topics: u64,
    pub(super) favourites: u64,
}

impl PostFeed {
    /// Stores batches on `conn` until there are none left (or the other writer failed), calling
    /// `report` with the totals at most every five seconds.
    pub(super) async fn drain(
        &self,
        conn: &mut AnyConnection,
        writer: &mut Writer,
        report: &(dyn Fn(&PostTotals, bool) + Sync),
    ) -> CoreResult<()> {
        while !self.failed.load(Ordering::Relaxed) {
            let batch = self.receiver.lock().await.recv().await;
            let Some(batch) = batch else { break };
            if let Err(e) = writer.write_post_batch(conn, &batch).await {
                self.failed.store(true, Ordering::Relaxed);
                return Err(e);
            }
            let totals = {
                let mut t = self.totals.lock().expect("totals lock");
                t.posts += batch.posts.len() as u64;
                t.followers_only += batch.followers_only;
                t.articles += batch.articles;
                t.tips += batch.tips;
                t.research_updates += batch.research_updates;
                t.post_topics += batch.post_topics.len() as u64;
                t.favourites += batch.favourites.len() as u64;
                t.clone()
            };
            let due = {
                let mut last = self.last_report.lock().expect("report lock");
                let due = last.elapsed() >= Duration::from_secs(5);
                if due {
                    *last = Instant::now();
                }
                due
            };
            report(&totals, due);
        }
        Ok(())
    }
}

/// A batch of posts with their topics and favourites.
pub(super) struct PostBatch {
    pub(super) posts: Rows,
    pub(super) post_topics: Rows,
    pub(super) favourites: Rows,
    pub(super) followers_only: u64,
    pub(super) articles: u64,
    pub(super) tips: u64,
    pub(super) research_updates: u64,
}

pub(super) struct PostGenerator {
    pub(super) people: Arc<People>,
    pub(super) followers: Vec<Vec<u32>>,
    pub(super) topic_ids: Arc<HashMap<&'static str, i64>>,
    pub(super) posts: usize,
    pub(super) now: i64,
    pub(super) rng_seed: u64,
}

impl PostGenerator {
    /// Generates every post, sending batches until done or until the receiver is gone.
    /// Returns how many templates were checked.
    pub(super) fn run(self, sender: tokio::sync::mpsc::Sender<PostBatch>) -> CoreResult<u64> {
        let mut rng = StdRng::seed_from_u64(self.rng_seed ^ 0x9057);
        let checker = Checker::new();
        let byline = template_author();
        let authors = &self.people.authors;
        let activity = WeightedIndex::new(authors.iter().map(|a| a.activity))
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("author weights: {e}")))?;
        // Favourites per post follow the author's popularity, scaled so the mean over all
        // posts is MEAN_FAVOURITES (or less, under the cap).
        let total_activity: f64 = authors.iter().map(|a| a.activity).sum();
        let mean_appeal: f64 = authors
            .iter()
            .map(|a| a.activity / total_activity * a.popularity)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let mean_favourites = MEAN_FAVOURITES.min(MAX_FAVOURITES as f64 / self.posts.max(1) as f64);
        let mut favourites_left = MAX_FAVOURITES;
        let mut cache: HashMap<Template, Arc<Prepared>> = HashMap::new();
        let start = (self.now - SPAN_DAYS * DAY_MS).max(earliest_id_time());
        let span = (self.now - 60_000 - start).max(self.posts as i64);
        let slot = (span / self.posts as i64).max(1);

        let mut i = 0;
        while i < self.posts {
            let n = POSTS_PER_BATCH.min(self.posts - i);
            let mut batch = PostBatch {
                posts: Rows::new("posts", POST_COLUMNS),
                post_topics: Rows::new("post_topics", POST_TOPIC_COLUMNS),
                favourites: Rows::new("favourites", FAVOURITE_COLUMNS),
                followers_only: 0,
                articles: 0,
                tips: 0,
                research_updates: 0,
            };
            batch.posts.values.reserve(n * POST_COLUMNS.len());
            for k in i..i + n {
                // Publication times rise with k (one slot per post, jittered inside it), so
                // ids come in order and the inserts append to the indexes on id.
                let at = start + (k as i64 * span) / self.posts as i64 + rng.gen_range(0..slot);
                let a = activity.sample(&mut rng);
                let author = &authors[a];
                let mut prepared = None;
                for _ in 0..20 {
                    let template = pick_template(&mut rng, author);
                    let p = cache
                        .entry(template)
                        .or_insert_with(|| Arc::new(Prepared::new(&checker, &byline, template)))
                        .clone();
                    if p.publishable {
                        prepared = Some((template, p));
                        break;
                    }
                }
                let Some((template, p)) = prepared else {
                    return Err(CoreError::Internal(anyhow::anyhow!(
                        "no publishable template found: the seed texts need fixing"
                    )));
                };
                let id = id_at(at);
                let followers = &self.followers[a];
                let visibility = if rng.gen_bool(FOLLOWERS_ONLY) {
                    batch.followers_only += 1;
                    "followers"
                } else {
                    "public"
                };
                match template.kind() {
                    PostKind::Article => batch.articles += 1,
                    PostKind::Tip => batch.tips += 1,
                    PostKind::ResearchUpdate => batch.research_updates += 1,
                    PostKind::Post => {}
                }
                // Topics: the hashtags in the text, and sometimes a related topic picked from
                // the compose form's list.
                let mut topics: Vec<i64> = p
                    .hashtags
                    .iter()
                    .filter_map(|slug| self.topic_ids.get(slug.as_str()).copied())
                    .collect();
                let main = self.topic_ids[template.slug()];
                if !topics.contains(&main) {
                    topics.push(main);
                }
                if let Template::Post { topic, .. } | Template::Tip { topic, .. } = template {
                    let related = TOPICS[topic as usize].related;
                    if rng.gen_bool(0.4) {
                        let extra = self.topic_ids[related[rng.gen_range(0..related.len())]];
                        if !topics.contains(&extra) {
                            topics.push(extra);
                        }
                    }
                }
                for t in &topics {
                    batch.post_topics.push([V::Int(id), V::Int(*t)]);
                }
                // Favourites: followers mostly; for a public post, anyone now and then; a
                // followers-only post only by followers (who else could see it).
                let mean = mean_favourites * author.popularity / mean_appeal;
                let wanted = ((-rng.gen::<f64>().max(1e-12).ln()) * mean).round() as u64;
                let wanted = wanted.min(200).min(favourites_left);
                let mut fans: Vec<usize> = Vec::new();
                let mut attempts = 0;
                while (fans.len() as u64) < wanted && attempts < wanted * 4 {
                    attempts += 1;
                    let from_followers = visibility == "followers" || rng.gen_bool(0.7);
                    let fan = if from_followers {
                        if followers.is_empty() {
                            break;
                        }
                        followers[rng.gen_range(0..followers.len())] as usize
                    } else {
                        rng.gen_range(0..authors.len())
                    };
                    if fan != a && !fans.contains(&fan) {
                        fans.push(fan);
                    }
                }
                favourites_left -= fans.len() as u64;
                let latest = self.now.saturating_sub(at).clamp(1, 2 * DAY_MS);
                for fan in &fans {
                    batch.favourites.push([
                        V::Int(authors[*fan].profile_id),
                        V::Int(id),
                        V::Int(at + rng.gen_range(0..latest)),
                    ]);
                }
                let rank = at + posts::rank_bonus(author.verified(), p.label, false);
                batch.posts.push([
                    V::Int(id),
                    V::Int(author.profile_id),
                    V::Static(template.kind().as_str()),
                    V::Static("published"),
                    V::Static(visibility),
                    V::Shared(p.title.clone()),
                    V::Shared(p.body.clone()),
                    V::Shared(p.body_html.clone()),
                    V::Static(p.label),
                    V::Shared(p.reasons.clone()),
                    V::Int(p.score),
                    V::Real(p.reading_grade),
                    V::Int(rank),
                    V::Int(fans.len() as i64),
                    V::Int(at),
                    V::Int(at),
                ]);
            }
            i += n;
            if sender.blocking_send(batch).is_err() {
                break;
            }
        }
        Ok(cache.len() as u64)
    }
}

/// One of the first `n` phrases, by index. The lists repeat "" to make it more likely; every
/// blank counts as index 0, so that one text is one cache key.
pub(super) fn phrase(rng: &mut StdRng, n: usize, phrases: &[&str]) -> u8 {
    let i = rng.gen_range(0..n);
    if phrases[i].is_empty() {
        0
    } else {
        i as u8
    }
}

/// What an author writes next: members write short posts on any topic; professionals and
/// organisations mostly short posts in their field, some tips and articles, and a few
/// research updates.
pub(super) fn pick_template(rng: &mut StdRng, author: &Author) -> Template {
    let topic = if !author.focus.is_empty() && rng.gen_bool(0.75) {
        author.focus[rng.gen_range(0..author.focus.len())]
    } else {
        rng.gen_range(0..TOPICS.len())
    } as u8;
    let fact = rng.gen_range(0..4u8);
    let action = rng.gen_range(0..4u8);
    let closer = phrase(rng, texts::CLOSERS.len(), texts::CLOSERS);
    let member = author.role == Role::Member;
    let roll = if member { 0.0 } else { rng.gen::<f64>() };
    // Members open with the plain phrases only ("From our team:" is for clinics and
    // clinicians).
    let openers = if member { 7 } else { texts::OPENERS.len() };
    if roll < 0.74 {
        Template::Post {
            topic,
            fact,
            action,
            sourced: rng.gen_bool(0.45),
            opener: phrase(rng, openers, texts::OPENERS),
            closer,
        }
    } else if roll < 0.86 {
        Template::Tip {
            topic,
            fact,
            action,
            sourced: rng.gen_bool(0.45),
            closer,
        }
    } else if roll < 0.97 {
        Template::Article {
            topic,
            title: rng.gen_range(0..2u8),
            closer,
        }
    } else {
        Template::ResearchUpdate {
            study: rng.gen_range(0..STUDIES.len()) as u8,
            closer,
        }
    }
}
