//! The follow graph: who follows whom, skewed towards popular authors, and topic follows.

use super::people::People;
use super::texts::TOPICS;
use super::writer::{Rows, FOLLOW_COLUMNS, TOPIC_FOLLOW_COLUMNS, V};
use super::DAY_MS;
use credence_core::Role;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeSet, HashMap};

pub(super) struct Graph {
    pub(super) follow_rows: Rows,
    pub(super) topic_follow_rows: Rows,
    /// For each author, the authors following them (indexes).
    pub(super) followers: Vec<Vec<u32>>,
    pub(super) sample_member: usize,
    pub(super) sample_member_follows: u64,
}

impl Graph {
    pub(super) fn generate(
        people: &People,
        topic_ids: &HashMap<&'static str, i64>,
        rng_seed: u64,
        now: i64,
    ) -> Graph {
        let mut rng = StdRng::seed_from_u64(rng_seed ^ 0xf011);
        let authors = &people.authors;
        let n = authors.len();
        let weights: Vec<f64> = authors.iter().map(|a| a.popularity).collect();
        let pick = WeightedIndex::new(&weights).ok();
        // The first member follows exactly 100 accounts (fewer on a tiny instance): the load
        // test reads their home timeline, and a fixed size keeps runs comparable.
        let sample_member = authors
            .iter()
            .position(|a| a.role == Role::Member)
            .unwrap_or(0);
        let mut followers: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut pairs: Vec<(i64, i64, i64)> = Vec::new();
        let mut topic_follows = Rows::new("topic_follows", TOPIC_FOLLOW_COLUMNS);
        // With few accounts, following "50–200" would mean following nearly everyone.
        let most = (n.saturating_sub(1) / 2).max(1);
        for (i, a) in authors.iter().enumerate() {
            let wanted = if i == sample_member {
                100.min(n.saturating_sub(1))
            } else if a.role == Role::Organisation {
                rng.gen_range(10..=40).min(most)
            } else {
                rng.gen_range(50..=200).min(most)
            };
            let Some(pick) = &pick else { break };
            // A BTreeSet, so that the same seed gives the same graph (a HashSet's order varies).
            let mut chosen: BTreeSet<usize> = BTreeSet::new();
            let mut attempts = 0;
            while chosen.len() < wanted && attempts < wanted * 50 {
                attempts += 1;
                let j = pick.sample(&mut rng);
                if j != i {
                    chosen.insert(j);
                }
            }
            // Popularity is skewed; on a small instance fill up with anyone not yet followed.
            if chosen.len() < wanted {
                for j in (0..n).filter(|j| *j != i) {
                    if chosen.len() >= wanted {
                        break;
                    }
                    chosen.insert(j);
                }
            }
            for j in chosen {
                let since = a.created_at.max(authors[j].created_at);
                let at = since + rng.gen_range(0..=((now - since) / 2).max(1));
                pairs.push((a.profile_id, authors[j].profile_id, at));
                followers[j].push(i as u32);
            }
            // Some people also follow topics; the sample member follows three.
            let topic_count = if i == sample_member {
                3
            } else if a.role != Role::Organisation && rng.gen_bool(0.3) {
                rng.gen_range(1..=5)
            } else {
                0
            };
            let mut topics: Vec<usize> = Vec::new();
            while topics.len() < topic_count {
                let t = if !a.focus.is_empty() && rng.gen_bool(0.7) {
                    a.focus[rng.gen_range(0..a.focus.len())]
                } else {
                    rng.gen_range(0..TOPICS.len())
                };
                if !topics.contains(&t) {
                    topics.push(t);
                }
            }
            for t in topics {
                topic_follows.push([
                    V::Int(a.profile_id),
                    V::Int(topic_ids[TOPICS[t].slug]),
                    V::Int(a.created_at + rng.gen_range(0..DAY_MS * 30)),
                ]);
            }
        }
        let sample_member_follows = pairs
            .iter()
            .filter(|p| p.0 == authors[sample_member].profile_id)
            .count() as u64;
        // Primary-key order makes the inserts append to the B-tree instead of splitting pages
        // all over it.
        pairs.sort_unstable();
        let mut follow_rows = Rows::new("follows", FOLLOW_COLUMNS);
        follow_rows.values.reserve(pairs.len() * 4);
        for (follower, followee, at) in pairs {
            // Time-ordered, as the server makes them, so follower lists page by keyset.
            let id = credence_core::kernel::clock::id_at(at, follower ^ followee);
            follow_rows.push([V::Int(id), V::Int(follower), V::Int(followee), V::Int(at)]);
        }
        Graph {
            follow_rows,
            topic_follow_rows: topic_follows,
            followers,
            sample_member,
            sample_member_follows,
        }
    }
}
