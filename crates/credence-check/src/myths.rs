//! Health-myth detection.
//!
//! The catalogue (`data/myths.toml`) describes each myth as concept groups: a stretch of
//! text is a *candidate* when it holds a word starting with some term of every group. The
//! catalogue itself warns that this cannot tell a claim from its debunk, so every candidate
//! then goes through a stance check:
//!
//! * **Debunk framing** anywhere in the sentence ("it's a myth that", "no evidence",
//!   "debunked", "contrary to", "people wrongly think", "the claim that" ...) means the
//!   sentence reports or rejects the myth rather than asserting it. A short framing
//!   sentence with no myth in it ("That's a myth.", "Common myths:") frames its neighbours.
//! * **Negation** counts only when it governs the claim: the negator sits between two of
//!   the myth's concept words in the same clause segment ("sugar doesn't feed cancer"),
//!   or at most three words before one ("don't tilt your head back"), or it negates a link
//!   right after them ("vaccines and autism are not linked"). Negations that belong to
//!   something else are ignored: reporting verbs ("they never tell you that ..."), purpose
//!   and avoidance ("so I don't get ...", "never ... again"), conditions ("if it wasn't
//!   safe ..."), necessity ("not ... unless"), capacity ("the virus can't survive heat"),
//!   idioms ("no doubt") and "not only".
//! * **Negative myths.** Some myths are negative claims ("you can't get pregnant the first
//!   time"). The polarity of each myth is learned once at construction from the catalogue's
//!   own `claim` and `phrasings` (no per-sentence tuning): for those myths the negation is
//!   part of the claim and an affirmation near the topic ("yes, you *can* get pregnant")
//!   is the correction. For ordinary myths, a negation is treated as part of the claim only
//!   for the concept terms the catalogue's phrasings themselves negate ("measles is no big
//!   deal"), so "measles is not harmless" still reads as a correction.
//! * **A claim stated whole elsewhere in the sentence** stands even when a clause negates
//!   something ("Cinnamon cured my diabetes, I don't need metformin anymore"): every concept
//!   group is present in clause segments that hold no governing negation.
//! * **Questions.** A yes/no question ("Do vaccines cause autism?", "Is it true that ...?")
//!   asks rather than asserts and is not flagged. Wh-questions ("Why would you inject
//!   formaldehyde into a baby?") are usually rhetorical in posts and are checked like
//!   statements.
//!
//! Matching is per sentence. Posts often spread one claim over two sentences ("Six shots in
//! one visit? That's way too much for a baby's immune system."), so two adjacent sentences
//! are also tried together, but only for myths with three or more concept groups (these
//! carry an explicit cue group) or when one sentence is a short fragment (≤ 4 words), to
//! keep loose topic co-occurrence across sentences from matching.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{Finding, FindingKind, Severity, Span};

const CATALOGUE: &str = include_str!("../data/myths.toml");

/// Where a reader can check the evidence against a myth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MythSource {
    pub title: String,
    pub url: String,
    /// 1 = peer-reviewed, 2 = health agency (see `data/myths.toml`).
    pub tier: u8,
}

/// One myth asserted in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MythHit {
    /// Stable catalogue id, e.g. `vaccines-cause-autism`.
    pub id: String,
    /// The sentence (or two adjacent sentences) stating the myth.
    pub span: Span,
    /// The myth in one sentence, as catalogued.
    pub claim: String,
    /// What the evidence says instead.
    pub correction: String,
    pub sources: Vec<MythSource>,
}

impl MythHit {
    /// The hit as a report finding: a warning on the passage, with the correction and the
    /// strongest source as the suggestion.
    pub fn to_finding(&self) -> Finding {
        let mut suggestion = self.correction.clone();
        if let Some(source) = self.sources.iter().min_by_key(|s| s.tier) {
            suggestion.push_str(&format!(" Source: {} ({})", source.title, source.url));
        }
        Finding {
            kind: FindingKind::Myth,
            severity: Severity::Warning,
            span: Some(self.span),
            message: format!("This repeats a common health myth: {}", self.claim),
            suggestion: Some(suggestion),
        }
    }
}

#[derive(Deserialize)]
struct RawCatalogue {
    myth: Vec<RawMyth>,
}

#[derive(Deserialize)]
struct RawMyth {
    id: String,
    claim: String,
    phrasings: Vec<String>,
    concepts: Vec<Vec<String>>,
    correction: String,
    sources: Vec<MythSource>,
}

/// How a myth's own wording uses negation, learned from the catalogue.
#[derive(Default)]
struct Polarity {
    /// The myth is a negative claim ("you can't get pregnant ..."): negation is its normal
    /// form and an affirmation is the correction.
    negative: bool,
    /// Concept groups the catalogue's wording negates (used for negative myths).
    groups: HashSet<usize>,
    /// `(group, term)` pairs the catalogue's wording negates (used for other myths).
    terms: HashSet<(usize, String)>,
}

struct Myth {
    id: String,
    claim: String,
    correction: String,
    sources: Vec<MythSource>,
    groups: Vec<Vec<String>>,
    polarity: Polarity,
}

/// Finds health myths asserted in a text. Build once; `find` is read-only.
pub struct MythMatcher {
    myths: Vec<Myth>,
    /// Concept term → every (myth, group) using it.
    index: crate::fasthash::FastMap<String, Vec<(usize, usize)>>,
    /// Longest term, in chars: bounds the prefixes looked up per word.
    max_term_chars: usize,
    min_term_chars: usize,
    /// The first two characters of every term (or the whole term if shorter): a token that
    /// starts otherwise cannot match, and most words are rejected with one lookup.
    term_starts: crate::fasthash::FastSet<String>,
}

impl Default for MythMatcher {
    fn default() -> Self {
        MythMatcher::new()
    }
}

impl MythMatcher {
    /// Parses the embedded catalogue and learns each myth's polarity from its wording.
    pub fn new() -> MythMatcher {
        let raw: RawCatalogue =
            toml::from_str(CATALOGUE).expect("embedded data/myths.toml must parse");
        let mut matcher = MythMatcher {
            myths: Vec::with_capacity(raw.myth.len()),
            index: Default::default(),
            max_term_chars: 0,
            min_term_chars: usize::MAX,
            term_starts: Default::default(),
        };
        for (mi, m) in raw.myth.iter().enumerate() {
            for (gi, group) in m.concepts.iter().enumerate() {
                for term in group {
                    let term = term.to_lowercase();
                    matcher.max_term_chars = matcher.max_term_chars.max(term.chars().count());
                    matcher.min_term_chars = matcher.min_term_chars.min(term.chars().count());
                    matcher.term_starts.insert(term.chars().take(2).collect());
                    matcher.index.entry(term).or_default().push((mi, gi));
                }
            }
            matcher.myths.push(Myth {
                id: m.id.clone(),
                claim: m.claim.clone(),
                correction: m.correction.clone(),
                sources: m.sources.clone(),
                groups: m
                    .concepts
                    .iter()
                    .map(|g| g.iter().map(|t| t.to_lowercase()).collect())
                    .collect(),
                polarity: Polarity::default(),
            });
        }
        for (mi, m) in raw.myth.iter().enumerate() {
            let polarity = matcher.learn_polarity(mi, &m.claim, &m.phrasings);
            matcher.myths[mi].polarity = polarity;
        }
        matcher
    }

    /// Number of catalogued myths.
    pub fn len(&self) -> usize {
        self.myths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.myths.is_empty()
    }

    /// Every myth asserted in `text`, in text order. A myth is reported once per passage.
    pub fn find(&self, text: &str) -> Vec<MythHit> {
        let tokens = tokenize(text);
        let uses: Vec<Vec<(usize, usize)>> = tokens.iter().map(|t| self.token_uses(t)).collect();
        let sentences: Vec<Sentence> = sentences(text)
            .into_iter()
            .map(|span| Sentence::new(text, span, &tokens))
            .collect();
        let framed = self.framed_sentences(text, &tokens, &sentences);
        let usable = |i: usize| !framed[i] && !sentences[i].polar_question;

        let mut hits: Vec<(usize, Span)> = Vec::new();
        // Myths with a full concept match inside one sentence, judged there (asserted or
        // not): such a sentence is never re-judged as part of a pair.
        let mut judged: Vec<HashSet<usize>> = vec![HashSet::new(); sentences.len()];
        for (si, s) in sentences.iter().enumerate() {
            if !usable(si) {
                continue;
            }
            let candidates = self.concept_hits_from(&uses[s.tokens.clone()]);
            if candidates.is_empty() {
                continue;
            }
            // The unit (negations, stance) is only worth building for a full concept match.
            let unit = Unit::new(text, &tokens[s.tokens.clone()]);
            for (mi, groups) in candidates {
                judged[si].insert(mi);
                if self.asserts(&unit, mi, &groups) {
                    hits.push((mi, s.span));
                }
            }
        }
        for si in 1..sentences.len() {
            let (a, b) = (&sentences[si - 1], &sentences[si]);
            if !usable(si - 1) || !usable(si) {
                continue;
            }
            let shortest = a.tokens.len().min(b.tokens.len());
            // A pair can only match a myth that has some concept in each sentence.
            let pair_uses = &uses[a.tokens.start..b.tokens.end];
            if pair_uses.iter().all(Vec::is_empty) {
                continue;
            }
            let candidates: Vec<(usize, Vec<Vec<usize>>)> = self
                .concept_hits_from(pair_uses)
                .into_iter()
                .filter(|(mi, _)| !judged[si - 1].contains(mi) && !judged[si].contains(mi))
                .filter(|(mi, _)| !(self.myths[*mi].groups.len() < 3 && shortest > 4))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let unit = Unit::new(text, &tokens[a.tokens.start..b.tokens.end]);
            for (mi, groups) in candidates {
                if self.asserts(&unit, mi, &groups) {
                    hits.push((mi, Span::new(a.span.start, b.span.end)));
                }
            }
        }
        self.build_hits(hits)
    }

    /// Sorts hits by position, drops repeats of a myth on overlapping passages and attaches
    /// the catalogue entry.
    fn build_hits(&self, mut hits: Vec<(usize, Span)>) -> Vec<MythHit> {
        hits.sort_by_key(|(mi, span)| (span.start, span.end, *mi));
        // Hits of one myth are kept non-overlapping and in order, so only the last kept
        // hit of the same myth can overlap the next one.
        let mut last_of: HashMap<usize, Span> = HashMap::new();
        let mut kept: Vec<(usize, Span)> = Vec::new();
        for (mi, span) in hits {
            if last_of.get(&mi).is_some_and(|last| last.overlaps(&span)) {
                continue;
            }
            last_of.insert(mi, span);
            kept.push((mi, span));
        }
        kept.into_iter()
            .map(|(mi, span)| {
                let m = &self.myths[mi];
                MythHit {
                    id: m.id.clone(),
                    span,
                    claim: m.claim.clone(),
                    correction: m.correction.clone(),
                    sources: m.sources.clone(),
                }
            })
            .collect()
    }

    /// Sentences whose neighbour frames them as a myth or a falsehood. A short sentence
    /// (≤ 6 words) with debunk wording and no myth of its own frames the next sentence
    /// ("Here's a common myth. Vaccines cause autism.") and, at ≤ 5 words, the previous
    /// one ("Vaccines cause autism. That's a myth."); one ending with a colon ("Common
    /// myths:") frames every sentence up to the next blank line. Longer sentences that
    /// merely mention misinformation ("I've read so much misinformation lately.") frame
    /// nothing, since the author may go on to repeat a myth.
    fn framed_sentences(&self, text: &str, tokens: &[Token], sentences: &[Sentence]) -> Vec<bool> {
        let mut framed = vec![false; sentences.len()];
        let mut list_frame = false;
        for (si, s) in sentences.iter().enumerate() {
            if si > 0 {
                let gap = &text[sentences[si - 1].span.end..s.span.start];
                if gap.matches('\n').count() >= 2 {
                    list_frame = false;
                }
            }
            if list_frame {
                framed[si] = true;
            }
            let words = words_of(&tokens[s.tokens.clone()]);
            if !has_debunk_cue(&words) || !self.concept_hits(&tokens[s.tokens.clone()]).is_empty() {
                continue;
            }
            let heads_a_list = s.span.text(text).trim_end().ends_with(':');
            if si + 1 < sentences.len() && (words.len() <= 6 || heads_a_list) {
                framed[si + 1] = true;
            }
            if si > 0 && words.len() <= 5 {
                framed[si - 1] = true;
            }
            list_frame |= heads_a_list;
        }
        framed
    }

    /// Myths whose every concept group is present in `tokens`, with the token positions
    /// matching each group. Ordered by catalogue position so results are deterministic.
    fn concept_hits(&self, tokens: &[Token]) -> BTreeMap<usize, Vec<Vec<usize>>> {
        let uses: Vec<Vec<(usize, usize)>> = tokens.iter().map(|t| self.token_uses(t)).collect();
        self.concept_hits_from(&uses)
    }

    /// The (myth, group) pairs whose terms are prefixes of a token. `find` computes them once
    /// per token and reuses them for every sentence and sentence pair.
    fn token_uses(&self, token: &Token) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let two = token
            .lower
            .char_indices()
            .nth(2)
            .map_or(token.lower.len(), |(i, _)| i);
        if !self.term_starts.contains(&token.lower[..two]) {
            return out;
        }
        for (count, (idx, ch)) in token.lower.char_indices().enumerate() {
            if count >= self.max_term_chars {
                break;
            }
            if count + 1 < self.min_term_chars {
                continue;
            }
            if let Some(uses) = self.index.get(&token.lower[..idx + ch.len_utf8()]) {
                out.extend_from_slice(uses);
            }
        }
        out
    }

    /// Like [`Self::concept_hits`], from each token's precomputed uses.
    fn concept_hits_from(&self, uses: &[Vec<(usize, usize)>]) -> BTreeMap<usize, Vec<Vec<usize>>> {
        // First, which groups of which myths occur at all (a bit per group; myths have few
        // groups), without allocating per myth…
        let mut masks: Vec<u64> = vec![0; self.myths.len()];
        for &(mi, gi) in uses.iter().flatten() {
            masks[mi] |= 1u64 << gi.min(63);
        }
        let complete = |mi: usize| {
            let n = self.myths[mi].groups.len().min(64);
            let full = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
            masks[mi] & full == full
        };
        // …then positions only for myths whose every group occurs.
        let mut found: BTreeMap<usize, Vec<Vec<usize>>> = BTreeMap::new();
        for (pos, token_uses) in uses.iter().enumerate() {
            for &(mi, gi) in token_uses {
                if !complete(mi) {
                    continue;
                }
                let groups = found
                    .entry(mi)
                    .or_insert_with(|| vec![Vec::new(); self.myths[mi].groups.len()]);
                if groups[gi].last() != Some(&pos) {
                    groups[gi].push(pos);
                }
            }
        }
        found
    }

    /// Does this unit assert myth `mi` (rather than deny, question or report it)?
    fn asserts(&self, unit: &Unit, mi: usize, groups: &[Vec<usize>]) -> bool {
        if unit.debunk {
            return false;
        }
        let polarity = &self.myths[mi].polarity;
        if polarity.negative && unit.affirms(groups) {
            return false;
        }
        let negations = unit.claim_negations(groups);
        let denying: Vec<&Negation> = negations
            .iter()
            .filter(|n| !self.negation_is_part_of_claim(unit, mi, n))
            .collect();
        if denying.is_empty() {
            return true;
        }
        // "Cinnamon cured my diabetes, I don't need metformin": the claim is complete in
        // clause segments that hold no denying negation, so the negation is about something
        // else.
        let negated_segments: HashSet<usize> = denying.iter().map(|n| unit.seg[n.pos]).collect();
        groups
            .iter()
            .all(|g| g.iter().any(|&p| !negated_segments.contains(&unit.seg[p])))
    }

    /// Whether a negation is part of how the myth itself is worded, as learned from the
    /// catalogue ("no family history means I'm safe", "measles is no big deal").
    fn negation_is_part_of_claim(&self, unit: &Unit, mi: usize, n: &Negation) -> bool {
        let myth = &self.myths[mi];
        if myth.polarity.negative {
            return myth.polarity.groups.contains(&n.group);
        }
        let word = unit.tokens[n.governed].lower.as_str();
        myth.groups[n.group].iter().any(|term| {
            word.starts_with(term.as_str())
                && myth.polarity.terms.contains(&(n.group, term.clone()))
        })
    }

    /// Learns from the catalogue's claim and phrasings which negations belong to the myth.
    fn learn_polarity(&self, mi: usize, claim: &str, phrasings: &[String]) -> Polarity {
        let mut polarity = Polarity::default();
        let (mut matched, mut negated) = (0usize, 0usize);
        for phrasing in phrasings {
            let tokens = tokenize(phrasing);
            let hits = self.concept_hits(&tokens);
            let Some(groups) = hits.get(&mi) else {
                continue;
            };
            let unit = Unit::new(phrasing, &tokens);
            let negations = unit.claim_negations(groups);
            matched += 1;
            if !negations.is_empty() {
                negated += 1;
            }
            for n in negations {
                polarity.groups.insert(n.group);
                let word = &tokens[n.governed].lower;
                for term in &self.myths[mi].groups[n.group] {
                    if word.starts_with(term.as_str()) {
                        polarity.terms.insert((n.group, term.clone()));
                    }
                }
            }
        }
        let claim_tokens = tokenize(claim);
        let claim_negated = self
            .concept_hits(&claim_tokens)
            .get(&mi)
            .is_some_and(|groups| {
                !Unit::new(claim, &claim_tokens)
                    .claim_negations(groups)
                    .is_empty()
            });
        // Mostly-negated phrasings (≥ 60%) or a negated catalogue claim make a negative myth.
        polarity.negative = claim_negated || (matched > 0 && negated * 5 >= matched * 3);
        polarity
    }
}

// ---------------------------------------------------------------------------------------
// Text units and stance analysis
// ---------------------------------------------------------------------------------------

/// A sentence of the text: its span, its token range and whether it is a yes/no question.
struct Sentence {
    span: Span,
    tokens: std::ops::Range<usize>,
    polar_question: bool,
}

impl Sentence {
    fn new(text: &str, span: Span, tokens: &[Token]) -> Sentence {
        let first = tokens.partition_point(|t| t.start < span.start);
        let last = tokens.partition_point(|t| t.end <= span.end);
        let range = first..last.max(first);
        let polar_question = is_polar_question(text, span, &tokens[range.clone()]);
        Sentence {
            span,
            tokens: range,
            polar_question,
        }
    }
}

/// A negator that governs some of the myth's concept words.
struct Negation {
    /// Position of the negator ("not", or "don" of "don't").
    pos: usize,
    /// Position of the concept word it governs.
    governed: usize,
    /// Concept group of that word.
    group: usize,
}

/// A negation word found in a unit, with the myth-independent verdict on whether it can
/// negate a claim at all.
struct Negator {
    pos: usize,
    /// 1 for "not", 2 for "don" + "t".
    len: usize,
    /// The negation belongs to something else (reporting verb, purpose, condition ...).
    ignored: bool,
}

/// One sentence (or two adjacent ones) prepared for stance analysis.
struct Unit<'a> {
    tokens: &'a [Token],
    /// Clause segment of each token: commas, semicolons, colons, brackets, dashes, sentence
    /// ends and conjunctions ("but", "because", "and" ...) start a new segment.
    seg: Vec<usize>,
    negators: Vec<Negator>,
    /// The unit contains debunk framing ("myth", "no evidence", "people wrongly think").
    debunk: bool,
}

impl<'a> Unit<'a> {
    fn new(text: &str, tokens: &'a [Token]) -> Unit<'a> {
        let words = words_of(tokens);
        let seg = segments(text, tokens);
        let negators = find_negators(&words, &seg);
        Unit {
            tokens,
            seg,
            negators,
            debunk: has_debunk_cue(&words),
        }
    }

    fn word(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.lower.as_str()).unwrap_or("")
    }

    /// Negations that govern the claim made of `groups` (see the module docs).
    fn claim_negations(&self, groups: &[Vec<usize>]) -> Vec<Negation> {
        // Concept positions with their (lowest) group, sorted by position.
        let mut concepts: Vec<(usize, usize)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, ps)| ps.iter().map(move |&p| (p, g)))
            .collect();
        concepts.sort_unstable();
        concepts.dedup_by_key(|(p, _)| *p);
        // A negator that is itself the only match of a group is the claim's own wording
        // ("vaccines are *never* tested", "*nobody* catches a cold").
        let own_words: HashSet<usize> = groups
            .iter()
            .filter(|g| g.len() == 1)
            .map(|g| g[0])
            .collect();
        let link_noun_first = concepts
            .first()
            .is_some_and(|&(first, _)| (0..first).any(|k| LINK_NOUNS.contains(&self.word(k))));

        let mut out = Vec::new();
        for n in &self.negators {
            if n.ignored || own_words.contains(&n.pos) {
                continue;
            }
            let seg = self.seg[n.pos];
            let next = n.pos + n.len;
            let after_idx = concepts.partition_point(|&(p, _)| p < next);
            let after = concepts
                .get(after_idx)
                .filter(|&&(p, _)| self.seg[p] == seg);
            let before_idx = concepts.partition_point(|&(p, _)| p < n.pos);
            let before = before_idx
                .checked_sub(1)
                .map(|i| concepts[i])
                .filter(|&(p, _)| self.seg[p] == seg);
            match (before, after) {
                // Between two concept words, or just before one: "sugar doesn't feed cancer".
                (Some(_), Some(&(p, g))) => out.push(Negation {
                    pos: n.pos,
                    governed: p,
                    group: g,
                }),
                (None, Some(&(p, g))) if p - next <= 3 => out.push(Negation {
                    pos: n.pos,
                    governed: p,
                    group: g,
                }),
                // Right after them, negating a link: "vaccines and autism are not linked".
                (Some((p, g)), None)
                    if n.pos - p <= 3
                        && (link_noun_first
                            || (next..next + 3).any(|k| LINK_WORDS.contains(&self.word(k)))) =>
                {
                    out.push(Negation {
                        pos: n.pos,
                        governed: p,
                        group: g,
                    })
                }
                _ => {}
            }
        }
        out
    }

    /// An emphatic affirmation right before a concept word ("yes, you *can* get pregnant",
    /// "kids *do* get depression"): the correction of a negative myth.
    fn affirms(&self, groups: &[Vec<usize>]) -> bool {
        let mut concepts: Vec<usize> = groups.iter().flatten().copied().collect();
        concepts.sort_unstable();
        (0..self.tokens.len()).any(|k| {
            let w = self.word(k);
            let reach = if AFFIRM_WORDS.contains(&w) {
                3
            } else if w == "still" {
                1
            } else {
                return false;
            };
            if self.word(k + 1) == "t" {
                return false; // "can't", "don't"
            }
            let first = concepts.partition_point(|&c| c <= k);
            concepts[first..]
                .iter()
                .take_while(|&&c| c - k <= reach)
                .any(|&c| self.seg[c] == self.seg[k] && !self.negated_between(k, c))
        })
    }

    /// Whether a negator lies strictly between positions `a` and `b`.
    fn negated_between(&self, a: usize, b: usize) -> bool {
        let first = self.negators.partition_point(|n| n.pos <= a);
        self.negators.get(first).is_some_and(|n| n.pos < b)
    }
}

fn words_of(tokens: &[Token]) -> Vec<&str> {
    tokens.iter().map(|t| t.lower.as_str()).collect()
}

/// Clause segment id per token.
fn segments(text: &str, tokens: &[Token]) -> Vec<usize> {
    let mut seg = Vec::with_capacity(tokens.len());
    let mut current = 0;
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            let gap = &text[tokens[i - 1].end..t.start];
            let dash = gap.contains(['–', '—'])
                || (gap.contains('-') && gap.contains(char::is_whitespace));
            if dash || gap.contains([',', ';', ':', '(', ')', '[', ']', '.', '!', '?', '…', '\n'])
            {
                current += 1;
            }
            if SEGMENT_CONJUNCTIONS.contains(&t.lower.as_str()) {
                current += 1;
            }
        }
        seg.push(current);
    }
    seg
}

/// Every negation word in a unit and whether it can negate a claim at all.
fn find_negators(words: &[&str], seg: &[usize]) -> Vec<Negator> {
    let word = |i: usize| words.get(i).copied().unwrap_or("");
    let n = words.len();
    // Precomputed so that each negator is judged in constant time, even in one huge
    // unpunctuated "sentence": whether a condition word opened the segment before a
    // token, and whether "unless"/"again" follows a token within its segment.
    let mut condition_before = vec![false; n];
    for i in 1..n {
        condition_before[i] = seg[i] == seg[i - 1]
            && (condition_before[i - 1] || CONDITION_WORDS.contains(&words[i - 1]));
    }
    let mut unless_after = vec![false; n + 1];
    for i in (0..n.saturating_sub(1)).rev() {
        unless_after[i] = seg[i] == seg[i + 1]
            && (unless_after[i + 1] || matches!(words[i + 1], "unless" | "again"));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let len = if NEGATORS.contains(&word(i)) {
            1
        } else if NEGATED_CONTRACTIONS.contains(&word(i)) && word(i + 1) == "t" {
            2
        } else {
            i += 1;
            continue;
        };
        let next = i + len;
        let ignored = (word(i) == "not" && word(next) == "only")
            || IDIOMS.contains(&word(next))
            // "they never tell you that ...", "the virus can't survive heat"
            || (next..next + 2).any(|k| {
                REPORTING_VERBS.contains(&word(k)) || CAPACITY_VERBS.contains(&word(k))
            })
            // "so I don't get ...", "try not to ...", "or you'll ..."
            || (i.saturating_sub(3)..i).any(|k| seg[k] == seg[i] && PURPOSE_WORDS.contains(&word(k)))
            // "if it wasn't safe ..."
            || condition_before[i]
            // "not a heart attack unless ...", "never giving him cake again"
            || unless_after[next - 1];
        out.push(Negator {
            pos: i,
            len,
            ignored,
        });
        i = next;
    }
    out
}

/// Debunk or distancing wording: the sentence rejects or reports the myth.
fn has_debunk_cue(words: &[&str]) -> bool {
    // The word lists, hashed and indexed once: this runs for every sentence and pair.
    struct Cues {
        words: crate::fasthash::FastSet<&'static str>,
        phrases: crate::fasthash::FastMap<&'static str, Vec<&'static [&'static str]>>,
        subjects: crate::fasthash::FastSet<&'static str>,
    }
    static CUES: std::sync::OnceLock<Cues> = std::sync::OnceLock::new();
    let cues = CUES.get_or_init(|| {
        let mut phrases: crate::fasthash::FastMap<&'static str, Vec<&'static [&'static str]>> =
            Default::default();
        for p in DEBUNK_PHRASES {
            if let Some(first) = p.first() {
                phrases.entry(*first).or_default().push(p);
            }
        }
        Cues {
            words: DEBUNK_WORDS.iter().copied().collect(),
            phrases,
            subjects: BELIEF_SUBJECTS.iter().copied().collect(),
        }
    });
    words.iter().enumerate().any(|(i, w)| {
        cues.words.contains(w)
            || cues.phrases.get(w).is_some_and(|ps| ps.iter().any(|p| words[i..].starts_with(p)))
            // "people think ...", "many still believe ...", "some say ..."
            || (cues.subjects.contains(w) && words[i + 1..].iter().take(2).any(|v| BELIEF_VERBS.contains(v)))
    })
}

/// A yes/no question asks rather than asserts: "Do vaccines cause autism?", "Honest
/// question: is it true that ...?". Tag questions ("..., don't they?") and wh-questions
/// are not treated as questions (they are usually rhetorical).
fn is_polar_question(text: &str, span: Span, tokens: &[Token]) -> bool {
    let end = span
        .text(text)
        .trim_end_matches(|c: char| c.is_whitespace() || CLOSERS.contains(&c) || c == '!');
    if !end.ends_with('?') || tokens.is_empty() {
        return false;
    }
    let words = words_of(tokens);
    let opens_question = |i: usize| {
        QUESTION_OPENERS.contains(&words[i])
            || words[i..].starts_with(&["is", "it", "true"])
            || words[i..].starts_with(&["i", "wonder"])
            || words[i..]
                .iter()
                .take(2)
                .any(|w| *w == "anyone" || *w == "anybody")
    };
    if opens_question(0) {
        return true;
    }
    // After a short lead-in clause: "So, do ...", "Honest question: does ...".
    let seg = segments(text, tokens);
    let lead = seg.iter().take_while(|&&s| s == seg[0]).count();
    lead <= 2 && lead < words.len() && opens_question(lead)
}

// ---------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------

const NEGATORS: &[&str] = &[
    "not", "no", "never", "nobody", "none", "nothing", "neither", "nor", "cannot", "nowhere",
    "noone",
];
/// First halves of "n't" contractions once split on the apostrophe ("don" + "t").
const NEGATED_CONTRACTIONS: &[&str] = &[
    "don", "doesn", "didn", "won", "can", "isn", "aren", "wasn", "weren", "haven", "hasn", "hadn",
    "shouldn", "wouldn", "couldn", "mustn", "ain", "needn",
];
const REPORTING_VERBS: &[&str] = &[
    "tell",
    "tells",
    "told",
    "telling",
    "admit",
    "admits",
    "admitted",
    "mention",
    "mentions",
    "report",
    "reports",
    "reported",
    "teach",
    "teaches",
    "taught",
    "acknowledge",
    "acknowledges",
    "talk",
    "talks",
    "want",
    "wants",
    "warn",
    "warns",
    "warned",
    "publish",
    "published",
    "care",
    "cares",
];
const CAPACITY_VERBS: &[&str] = &[
    "survive",
    "survives",
    "live",
    "lives",
    "thrive",
    "thrives",
    "handle",
    "cope",
    "withstand",
    "tolerate",
    "stand",
];
const PURPOSE_WORDS: &[&str] = &[
    "so",
    "or",
    "otherwise",
    "lest",
    "avoid",
    "try",
    "trying",
    "tried",
    "careful",
];
const CONDITION_WORDS: &[&str] = &["if", "unless", "whether", "when", "whenever"];
const IDIOMS: &[&str] = &[
    "doubt",
    "question",
    "wonder",
    "joke",
    "kidding",
    "lie",
    "exaggeration",
    "coincidence",
    "matter",
];
const LINK_WORDS: &[&str] = &[
    "linked",
    "link",
    "connected",
    "connection",
    "related",
    "associated",
    "correlated",
    "tied",
    "caused",
    "true",
];
const LINK_NOUNS: &[&str] = &["link", "links", "connection", "association", "correlation"];
const AFFIRM_WORDS: &[&str] = &[
    "can",
    "could",
    "possible",
    "yes",
    "actually",
    "do",
    "does",
    "definitely",
];
const SEGMENT_CONJUNCTIONS: &[&str] = &[
    "but", "however", "though", "although", "whereas", "because", "and",
];
const QUESTION_OPENERS: &[&str] = &[
    "do", "does", "did", "is", "are", "can", "could", "will", "would", "should", "was", "were",
    "has", "have", "may", "might", "am", "isn", "aren", "doesn", "don", "didn",
];
const CLOSERS: &[char] = &['"', '\'', ')', ']', '”', '’', '»'];

const DEBUNK_WORDS: &[&str] = &[
    "myth",
    "myths",
    "misconception",
    "misconceptions",
    "debunk",
    "debunked",
    "debunking",
    "debunks",
    "false",
    "falsely",
    "untrue",
    "wrongly",
    "mistakenly",
    "incorrectly",
    "erroneously",
    "misinformation",
    "disinformation",
    "disproven",
    "disproved",
    "refuted",
    "discredited",
    "baseless",
    "unfounded",
    "pseudoscience",
    "supposedly",
    "allegedly",
];
const DEBUNK_PHRASES: &[&[&str]] = &[
    &["no", "evidence"],
    &["no", "proof"],
    &["no", "link"],
    &["no", "scientific"],
    &["not", "true"],
    &["isn", "t", "true"],
    &["contrary", "to"],
    &["old", "wives"],
    &["wives", "tale"],
    &["urban", "legend"],
    &["lie", "that"],
    &["lies", "that"],
    &["stop", "spreading"],
    &["don", "t", "believe"],
    &["do", "not", "believe"],
    &["conspiracy", "theory"],
    &["conspiracy", "theories"],
    &["fact", "check"],
    &["not", "supported"],
    &["no", "basis"],
    &["the", "idea", "that"],
    &["the", "notion", "that"],
    &["the", "belief", "that"],
    &["claims", "that"],
    &["claim", "that"],
    &["so", "called"],
    &["bad", "idea"],
    &["not", "recommended"],
    &["isn", "t", "recommended"],
];
const BELIEF_SUBJECTS: &[&str] = &[
    "people",
    "many",
    "some",
    "folks",
    "others",
    "antivaxxers",
    "lots",
];
const BELIEF_VERBS: &[&str] = &["think", "believe", "claim", "assume", "say", "insist"];

// ---------------------------------------------------------------------------------------
// Tokens and sentences (shared with `citations`)
// ---------------------------------------------------------------------------------------

/// A run of alphanumeric characters, lower-cased, with its byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) lower: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Splits on every non-alphanumeric character, as the catalogue's matching rule says
/// ("can't" → "can" + "t"; "5G" stays "5g").
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    // Each token is lower-cased once when it ends (ASCII words take the cheap path), rather
    // than character by character.
    let finish = |tokens: &mut Vec<Token>, start: usize, end: usize| {
        let word = &text[start..end];
        let lower = if word.is_ascii() {
            word.to_ascii_lowercase()
        } else {
            word.to_lowercase()
        };
        tokens.push(Token { lower, start, end });
    };
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            finish(&mut tokens, s, i);
        }
    }
    if let Some(s) = start {
        finish(&mut tokens, s, text.len());
    }
    tokens
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "vs", "approx", "fig", "al", "st", "jr", "sr", "cf",
];

/// Sentence spans (trimmed, non-empty). Ends at `!`, `?`, `…`, line breaks and periods,
/// but not at periods inside numbers or domains ("2.5", "cdc.gov"), after dotted
/// abbreviations ("e.g.", "i.e.", "U.S."), after titles ("Dr."), or "etc." mid-sentence.
pub(crate) fn sentences(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\n' | '\r' => {
                push_trimmed(text, start, i, &mut out);
                start = i + c.len_utf8();
                continue;
            }
            '.' if !period_ends_sentence(text, start, i) => continue,
            '.' | '!' | '?' | '…' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if matches!(d, '.' | '!' | '?' | '…') || CLOSERS.contains(&d) {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                end
            }
            _ => continue,
        };
        push_trimmed(text, start, end, &mut out);
        start = end;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        out.push(Span::new(start + lead, start + lead + trimmed.len()));
    }
}

/// Whether the period at byte `i` ends a sentence that began at `start`.
fn period_ends_sentence(text: &str, start: usize, i: usize) -> bool {
    let after = &text[i + 1..];
    if after.chars().next().is_some_and(char::is_alphanumeric) {
        return false; // "2.5", "cdc.gov", the inner dot of "e.g."
    }
    let before = &text[start..i];
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphabetic() || c == '.')
        .last()
        .map_or(before.len(), |(j, _)| j);
    let word = before[word_start..].to_lowercase();
    if word.contains('.') || ABBREVIATIONS.contains(&word.as_str()) {
        return false; // "e.g.", "U.S.", "Dr."
    }
    if word == "etc" {
        // "etc." ends the sentence unless the text carries on in lower case.
        let next = after.trim_start().chars().next();
        return !next.is_some_and(char::is_lowercase);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(m: &MythMatcher, text: &str) -> Vec<String> {
        m.find(text).into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn catalogue_loads_and_every_phrasing_matches_its_own_concepts() {
        let m = MythMatcher::new();
        assert_eq!(m.len(), 100);
        let raw: RawCatalogue = toml::from_str(CATALOGUE).unwrap();
        for myth in &raw.myth {
            for p in &myth.phrasings {
                let tokens = tokenize(p);
                let mi = m.myths.iter().position(|x| x.id == myth.id).unwrap();
                assert!(
                    m.concept_hits(&tokens).contains_key(&mi),
                    "{}: {p}",
                    myth.id
                );
            }
        }
    }

    #[test]
    fn catches_plain_and_paraphrased_claims() {
        let m = MythMatcher::new();
        for (text, id) in [
            ("Vaccines cause autism.", "vaccines-cause-autism"),
            (
                "The MMR shot caused my nephew's autism, I'm sure of it.",
                "vaccines-cause-autism",
            ),
            (
                "They don't want you to know that ivermectin cures covid.",
                "ivermectin-cures-covid",
            ),
            (
                "Nobody will admit that the flu shot gives you the flu.",
                "flu-vaccine-gives-you-flu",
            ),
            (
                "Cancer can't survive in an alkaline body.",
                "alkaline-diet-cures-cancer",
            ),
            (
                "I stopped using antiperspirant so I don't get breast cancer.",
                "antiperspirants-cause-breast-cancer",
            ),
            (
                "You won't get pregnant on your period, it's totally safe.",
                "cant-get-pregnant-on-period",
            ),
            (
                "Vaccines cause autism, no doubt about it.",
                "vaccines-cause-autism",
            ),
            (
                "I never vaccinate my kids because vaccines cause autism.",
                "vaccines-cause-autism",
            ),
            (
                "Measles is basically gone, we don't need that vaccine anymore.",
                "vaccine-preventable-diseases-gone",
            ),
            (
                "ADHD isn't real, it's just an excuse for lazy parenting.",
                "adhd-is-not-real",
            ),
            (
                "Why would you inject formaldehyde into a baby? Vaccines are poison.",
                "vaccines-contain-toxic-ingredients",
            ),
            (
                "I've read so much misinformation lately. Vaccines cause autism, my son is proof.",
                "vaccines-cause-autism",
            ),
            (
                "Cinnamon capsules cured my type 2 diabetes, I don't need metformin anymore.",
                "natural-remedies-cure-diabetes",
            ),
        ] {
            assert!(
                ids(&m, text).contains(&id.to_string()),
                "missed {id}: {text}"
            );
        }
    }

    #[test]
    fn negations_and_debunks_are_not_flagged() {
        let m = MythMatcher::new();
        for text in [
            "There is no evidence that vaccines cause autism.",
            "It's a myth that cold weather gives you a cold; colds come from viruses.",
            "Vaccines don't cause autism.",
            "Vaccines do not cause autism, full stop.",
            "Contrary to popular belief, cold weather doesn't give you a cold.",
            "No, cold weather doesn't give you a cold.",
            "The claim that 5G spreads covid has been debunked many times.",
            "That vaccines cause autism is a false claim.",
            "People wrongly think that cracking your knuckles causes arthritis.",
            "Many people believe antibiotics cure colds, but they only work on bacteria.",
            "Vaccines and autism are not linked.",
            "The link between vaccines and autism is not real.",
            "Measles is not harmless, it kills children.",
            "HIV is not spread through kissing, hugging or sharing cups.",
            "Yes, you can get pregnant the first time you have sex.",
            "You can still get pregnant if you have unprotected sex on your period.",
            "Pulling out is not a reliable method of contraception.",
            "Don't tilt your head back during a nosebleed, lean forward and pinch.",
            "Myth: vaccines cause autism. Fact: they don't.",
            "Vaccines cause autism. That's a myth.",
            "Common myths:\n- vaccines cause autism\n- the flu shot gives you the flu",
            "Here's a popular myth. Vaccines cause autism.",
        ] {
            assert!(
                m.find(text).is_empty(),
                "flagged: {text} -> {:?}",
                ids(&m, text)
            );
        }
    }

    #[test]
    fn yes_no_questions_are_not_assertions() {
        let m = MythMatcher::new();
        for text in [
            "Do vaccines cause autism?",
            "Is it true that sugar feeds cancer?",
            "Honest question: does the flu shot give you the flu?",
            "Does anyone know if microwaving food causes cancer?",
        ] {
            assert!(m.find(text).is_empty(), "flagged question: {text}");
        }
        // A tag question still asserts.
        assert_eq!(
            ids(&m, "Vaccines cause autism, don't they?"),
            ["vaccines-cause-autism"]
        );
    }

    #[test]
    fn unrelated_true_statements_are_not_flagged() {
        let m = MythMatcher::new();
        for text in [
            "The MMR vaccine protects against measles, mumps and rubella.",
            "Antibiotics treat bacterial infections like strep throat.",
            "Smoking is the leading cause of lung cancer.",
            "Wash your hands with soap and water for at least 20 seconds.",
            "Getting multiple vaccines at the same visit is safe for babies.",
            "My son was diagnosed with autism last year. We're still doing all his vaccines.",
            "Thimerosal was removed from routine childhood vaccines in 2001.",
        ] {
            assert!(
                m.find(text).is_empty(),
                "flagged: {text} -> {:?}",
                ids(&m, text)
            );
        }
    }

    #[test]
    fn span_is_the_sentence_and_hit_carries_the_catalogue_entry() {
        let m = MythMatcher::new();
        let text = "I love my kids. Vaccines cause autism! Stay safe.";
        let hits = m.find(text);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].span.text(text), "Vaccines cause autism!");
        assert!(!hits[0].correction.is_empty());
        assert!(hits[0].sources.iter().any(|s| s.tier <= 2));
        let finding = hits[0].to_finding();
        assert_eq!(finding.kind, FindingKind::Myth);
        assert_eq!(finding.span, Some(hits[0].span));
    }

    #[test]
    fn claim_spread_over_two_sentences_spans_both() {
        let m = MythMatcher::new();
        let text =
            "Six shots in one visit? That's way too much for a baby's immune system to cope with.";
        let hits = m.find(text);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "too-many-vaccines-overload-immune-system");
        assert_eq!(hits[0].span, Span::new(0, text.len()));
    }

    #[test]
    fn sentence_splitting_respects_abbreviations_and_decimals() {
        let text =
            "Take e.g. 2.5 mg daily. See cdc.gov for more! Really? Dr. Smith agrees\nNew line";
        let got: Vec<&str> = sentences(text).iter().map(|s| s.text(text)).collect();
        assert_eq!(
            got,
            [
                "Take e.g. 2.5 mg daily.",
                "See cdc.gov for more!",
                "Really?",
                "Dr. Smith agrees",
                "New line"
            ]
        );
    }

    #[test]
    fn odd_input_never_panics() {
        let m = MythMatcher::new();
        let long = "vaccines cause autism ".repeat(5_000);
        for text in [
            "",
            " ",
            ".",
            "?!…",
            "\u{0}\u{7}\u{1b}[31m",
            "لقاحات تسبب التوحد. ‏vaccines cause autism‏",
            "💉💉 vaccines cause autism 🧩🧩. İstanbul ǅ ß",
            "e.g.",
            "etc.",
            "no",
            "don't",
            long.as_str(),
        ] {
            for hit in m.find(text) {
                assert!(
                    text.is_char_boundary(hit.span.start) && text.is_char_boundary(hit.span.end)
                );
                let _ = hit.span.text(text);
            }
        }
    }
}
