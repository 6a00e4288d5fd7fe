//! Style checks: sensational wording ("miracle", "doctors hate", ALL CAPS, "!!!") and
//! unprofessional replies (insults, profanity, harassment).
//!
//! Both checks are data-driven: the word lists live in `data/hype.toml` and
//! `data/profanity.toml` (embedded at compile time, parsed once in [`Style::new`]); each
//! file's header documents its matching rules. Each list is compiled into one Aho-Corasick
//! DFA, so a check is one pass over the text plus a little work per match (ALL CAPS and
//! "!!!" are found by jumping between capital letters and '!' bytes).
//!
//! The `text` module at the end holds the small, panic-free text helpers (words, sentences,
//! links, phrase matching) that `coi.rs` and `crisis.rs` use too.
//!
//! Decisions worth knowing:
//! * Words match whole (never inside a longer word) and case-insensitively (ASCII).
//! * "100%" is hype only in fixed phrases ("100% effective", "100% natural", ...); a plain
//!   percentage such as "100% of patients in the trial" is a number and is never flagged.
//! * An honest disclaimer is not hype: "there is no miracle cure" and "nothing is
//!   guaranteed" are skipped (`negatable` entries).
//! * ALL CAPS: a word is shouted when it has at least two letters, all upper case, no
//!   digits, is not a known acronym (`acronyms` in hype.toml) and is not part of a hashtag,
//!   handle, URL or e-mail address. Adjacent shouted words form one run (a line break ends
//!   a run). A run is flagged when it has a shouted word of 5+ letters, or 4+ shouted words
//!   ("DO NOT EAT THIS"); short words alone are taken as acronyms. Info for one or two
//!   words, Warning for three or more.
//! * Exclamation marks: a run of `!`/`?` with two or more `!` is flagged: Info for two,
//!   Warning for three or more.
//! * Professionalism: profanity, insults, harassment and threats are Warnings (mild
//!   swearing is Info); telling someone to kill or harm themselves or wishing them dead is
//!   a Block (Info when quoted, skipped when negated: "please don't kill yourself over
//!   this"). It is abuse aimed at another person, unlike the first-person language
//!   `crisis.rs` answers with help, which never blocks. Adjective insults ("stupid",
//!   "dumb") count only when a person is targeted nearby ("you're so stupid"), not "this
//!   stupid disease". Simple disguises ("f*ck", "sh!t", "a$$") are seen through; whole-word
//!   matching keeps "class", "assess", "Dickens" and "cocktail" clean.

use crate::{Finding, FindingKind, Severity, Span};
use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::Deserialize;
use std::collections::HashSet;

const HYPE_TOML: &str = include_str!("../data/hype.toml");
const PROFANITY_TOML: &str = include_str!("../data/profanity.toml");

/// Sensationalism and professionalism checks.
pub struct Style {
    negators: HashSet<String>,
    acronyms: HashSet<String>,
    caps: Advice,
    exclamation: Advice,
    hype: Vec<HypeEntry>,
    hype_set: text::PhraseSet,
    prof_negators: HashSet<String>,
    targets: HashSet<String>,
    prof: Vec<ProfCategory>,
    prof_set: text::PhraseSet,
    /// Lower-case single words that may be written with '*' ("f*ck"), and their category.
    starrable: Vec<(Vec<u8>, usize)>,
    links: Regex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HypeFile {
    negators: Vec<String>,
    acronyms: Vec<String>,
    caps: Advice,
    exclamation: Advice,
    hype: Vec<HypeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advice {
    message: String,
    suggestion: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HypeEntry {
    #[allow(dead_code)]
    id: String,
    severity: text::SeverityName,
    #[serde(default)]
    negatable: bool,
    #[serde(default)]
    unless_before: Vec<String>,
    #[serde(default)]
    unless_after: Vec<String>,
    terms: Vec<String>,
    message: String,
    suggestion: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfanityFile {
    targets: Vec<String>,
    negators: Vec<String>,
    category: Vec<ProfCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfCategory {
    #[allow(dead_code)]
    id: String,
    severity: text::SeverityName,
    #[serde(default)]
    obfuscation: bool,
    #[serde(default)]
    needs_target: bool,
    #[serde(default)]
    or_sentence_end: bool,
    #[serde(default)]
    negatable: bool,
    #[serde(default)]
    quoted_info: bool,
    terms: Vec<String>,
    message: String,
    suggestion: String,
}

impl Default for Style {
    fn default() -> Self {
        Style::new()
    }
}

impl Style {
    /// Parses the embedded word lists and builds the matchers.
    ///
    /// Panics only if the embedded data files are malformed, which the unit tests rule out.
    pub fn new() -> Style {
        let hype: HypeFile = toml::from_str(HYPE_TOML).expect("data/hype.toml is valid");
        let prof: ProfanityFile =
            toml::from_str(PROFANITY_TOML).expect("data/profanity.toml is valid");

        let hype_set = text::PhraseSet::new(
            hype.hype
                .iter()
                .enumerate()
                .flat_map(|(i, e)| e.terms.iter().map(move |t| (t.clone(), i))),
        );

        let mut prof_terms = Vec::new();
        let mut starrable = Vec::new();
        for (i, cat) in prof.category.iter().enumerate() {
            for term in &cat.terms {
                prof_terms.push((term.clone(), i));
                let word = term.trim().to_ascii_lowercase().into_bytes();
                if cat.obfuscation && word.len() >= 4 && word.iter().all(u8::is_ascii_alphabetic) {
                    starrable.push((word, i));
                }
            }
        }

        Style {
            negators: lower_set(&hype.negators),
            acronyms: hype.acronyms.iter().map(|a| a.to_uppercase()).collect(),
            caps: hype.caps,
            exclamation: hype.exclamation,
            hype: hype
                .hype
                .into_iter()
                .map(|mut e| {
                    e.unless_before = e.unless_before.iter().map(|w| text::fold(w)).collect();
                    e.unless_after = e.unless_after.iter().map(|w| text::fold(w)).collect();
                    e
                })
                .collect(),
            hype_set,
            prof_negators: lower_set(&prof.negators),
            targets: lower_set(&prof.targets),
            prof: prof.category,
            prof_set: text::PhraseSet::new(prof_terms.into_iter()),
            starrable,
            links: text::link_regex(),
        }
    }

    /// Sensational wording: hype words and phrases, ALL-CAPS shouting and "!!!".
    pub fn sensationalism(&self, text: &str) -> Vec<Finding> {
        let links = text::link_spans(&self.links, text);
        let mut out = Vec::new();

        for hit in self
            .hype_set
            .find(text.as_bytes(), |s, e| text::is_whole_word(text, s, e))
        {
            let span = Span::new(hit.start, hit.end);
            if text::inside_any(&links, span) {
                continue;
            }
            let entry = &self.hype[hit.entry];
            let before = text::words_before(text, hit.start, 3);
            if entry.negatable && before.iter().any(|w| self.negators.contains(w)) {
                continue;
            }
            if before
                .first()
                .is_some_and(|w| entry.unless_before.contains(w))
            {
                continue;
            }
            let after = text::words_after(text, hit.end, 1);
            if after
                .first()
                .is_some_and(|w| entry.unless_after.contains(w))
            {
                continue;
            }
            out.push(finding(
                FindingKind::Sensationalism,
                entry.severity.into(),
                span,
                &entry.message,
                &entry.suggestion,
                text,
            ));
        }

        self.shouting(text, &links, &mut out);
        self.exclamations(text, &mut out);
        out.sort_by_key(|f| f.span.map(|s| (s.start, s.end)));
        out
    }

    /// Unprofessional wording for replies and comments: insults, profanity, harassment.
    pub fn professionalism(&self, text: &str) -> Vec<Finding> {
        let links = text::link_spans(&self.links, text);
        let norm = deobfuscate(text);
        let mut out = Vec::new();

        let mut hits = self
            .prof_set
            .find(&norm, |s, e| profanity_boundary(&norm, text, s, e));
        if norm.contains(&b'*') {
            hits.extend(self.starred(&norm, text));
            hits.sort_by_key(|h| h.start);
        }
        for hit in hits {
            let span = Span::new(hit.start, hit.end);
            if text.get(hit.start..hit.end).is_none() || text::inside_any(&links, span) {
                continue;
            }
            let cat = &self.prof[hit.entry];
            if cat.negatable
                && text::words_before(text, hit.start, 2)
                    .iter()
                    .any(|w| self.prof_negators.contains(w))
            {
                continue;
            }
            if cat.needs_target {
                let near = text::words_before(text, hit.start, 4)
                    .into_iter()
                    .chain(text::words_after(text, hit.end, 3));
                let targeted = near.into_iter().any(|w| self.targets.contains(&w));
                let at_end = cat.or_sentence_end && text::ends_sentence(text, hit.end);
                if !targeted && !at_end {
                    continue;
                }
            }
            let mut severity: Severity = cat.severity.into();
            if cat.quoted_info && text::is_quoted(text, hit.start, hit.end) {
                severity = Severity::Info;
            }
            out.push(finding(
                FindingKind::Professionalism,
                severity,
                span,
                &cat.message,
                &cat.suggestion,
                text,
            ));
        }
        out
    }

    fn shouting(&self, text: &str, links: &[Span], out: &mut Vec<Finding>) {
        #[derive(Default)]
        struct Run {
            start: usize,
            end: usize,
            words: usize,
            long: bool,
        }
        let flush = |run: &mut Run, out: &mut Vec<Finding>| {
            if run.words > 0 && (run.long || run.words >= 4) {
                let severity = if run.words >= 3 {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                out.push(finding(
                    FindingKind::Sensationalism,
                    severity,
                    Span::new(run.start, run.end),
                    &self.caps.message,
                    &self.caps.suggestion,
                    text,
                ));
            }
            *run = Run::default();
        };

        // Only words with a capital (or a non-ASCII letter) can shout, so jump from one
        // such byte to the next; a lower-case letter or a line break in between ends a run.
        let bytes = text.as_bytes();
        let mut run = Run::default();
        let mut gap_from = 0;
        let mut i = 0;
        while let Some(k) = bytes.get(i..).and_then(|rest| {
            rest.iter()
                .position(|&b| b.is_ascii_uppercase() || b >= 0x80)
        }) {
            i += k;
            let (start, end) = text::word_around(text, i);
            if start == end {
                i += text::char_at(text, i).1; // not a letter or digit (emoji, punctuation)
                continue;
            }
            let gap = text.get(gap_from..start).unwrap_or("");
            if gap.contains('\n') || gap.chars().any(char::is_lowercase) {
                flush(&mut run, out);
            }
            gap_from = end;
            i = end;
            let word = &text[start..end];
            let tagged = matches!(text::char_before(text, start), Some('#' | '@'));
            let code = text::words_before(text, start, 1)
                .first()
                .is_some_and(|w| w == "code");
            if tagged || code || text::inside_any(links, Span::new(start, end)) {
                continue; // neutral (a hashtag, handle, link or "code SAVE"): not shouting
            }
            if word.chars().any(char::is_lowercase) {
                flush(&mut run, out);
                continue;
            }
            let upper = word.chars().filter(|c| c.is_uppercase()).count();
            if upper < 2 || word.chars().any(|c| c.is_numeric()) || self.is_acronym(word) {
                continue; // "I", "A", "H5N1", "COVID": neutral
            }
            if run.words == 0 {
                run.start = start;
            }
            run.end = end;
            run.words += 1;
            run.long |= word.chars().filter(|c| c.is_alphabetic()).count() >= 5;
        }
        flush(&mut run, out);
    }

    /// Words written with a run of '*' for inner letters ("f*ck", "f**k", "a**hole"):
    /// the first and last letters and every visible letter must match a listed word of
    /// the same length, and the stars must be one run inside the word. A starred
    /// three-letter word ("as*") is too ambiguous and never matches.
    fn starred(&self, norm: &[u8], text: &str) -> Vec<text::Hit> {
        let mut out = Vec::new();
        let is_run = |b: u8| b.is_ascii_alphabetic() || b == b'*';
        let mut i = 0;
        while i < norm.len() {
            if !is_run(norm[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < norm.len() && is_run(norm[i]) {
                i += 1;
            }
            let run = &norm[start..i];
            let stars: Vec<usize> = (0..run.len()).filter(|&k| run[k] == b'*').collect();
            let (Some(&first_star), Some(&last_star)) = (stars.first(), stars.last()) else {
                continue;
            };
            let one_inner_run = first_star > 0
                && last_star + 1 < run.len()
                && last_star - first_star + 1 == stars.len();
            if run.len() < 4 || !one_inner_run || !profanity_boundary(norm, text, start, i) {
                continue;
            }
            let matches = |word: &[u8]| {
                word.len() == run.len()
                    && word
                        .iter()
                        .zip(run)
                        .all(|(w, r)| *r == b'*' || w.eq_ignore_ascii_case(r))
            };
            if let Some((_, category)) = self.starrable.iter().find(|(w, _)| matches(w)) {
                out.push(text::Hit {
                    start,
                    end: i,
                    entry: *category,
                });
            }
        }
        out
    }

    fn is_acronym(&self, word: &str) -> bool {
        let up = word.to_uppercase();
        let base = up
            .strip_suffix("'S")
            .or_else(|| up.strip_suffix("\u{2019}S"))
            .unwrap_or(&up);
        self.acronyms.contains(base)
    }

    fn exclamations(&self, text: &str, out: &mut Vec<Finding>) {
        let report = |start: usize, end: usize, bangs: usize, out: &mut Vec<Finding>| {
            if bangs >= 2 {
                let severity = if bangs >= 3 {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                out.push(finding(
                    FindingKind::Sensationalism,
                    severity,
                    Span::new(start, end),
                    &self.exclamation.message,
                    &self.exclamation.suggestion,
                    text,
                ));
            }
        };
        // Jump between the bytes that can be part of a run: '!', '?' and the first byte
        // of their full-width forms.
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(k) = bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| matches!(b, b'!' | b'?' | 0xEF)))
        {
            i += k;
            let (run_start, mut bangs) = (i, 0);
            loop {
                match text::char_at(text, i) {
                    ('!' | '\u{FF01}', len) => {
                        bangs += 1;
                        i += len;
                    }
                    ('?' | '\u{FF1F}', len) => i += len,
                    (_, len) => {
                        if i == run_start {
                            i += len; // a 0xEF byte of some other character
                        }
                        break;
                    }
                }
                if i >= bytes.len() {
                    break;
                }
            }
            report(run_start, i, bangs, out);
        }
    }
}

fn lower_set(words: &[String]) -> HashSet<String> {
    words.iter().map(|w| text::fold(w)).collect()
}

fn finding(
    kind: FindingKind,
    severity: Severity,
    span: Span,
    message: &str,
    suggestion: &str,
    text: &str,
) -> Finding {
    let term = text.get(span.start..span.end).unwrap_or("").trim();
    Finding {
        kind,
        severity,
        span: Some(span),
        message: message.replace("{term}", term),
        suggestion: Some(suggestion.to_string()),
    }
}

/// A copy of `text` of the same byte length in which simple disguises inside a word are
/// undone: '@' -> 'a', '$' -> 's' anywhere in a run that has letters; '!', '1', '0', '3'
/// -> 'i', 'i', 'o', 'e' when there is a letter both before and after them in the run.
/// Only ASCII bytes are changed (to ASCII bytes), so offsets stay valid for `text`.
fn deobfuscate(text: &str) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    let is_run_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'$' | b'!' | b'*');
    let mut i = 0;
    while i < out.len() {
        if !is_run_byte(out[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < out.len() && is_run_byte(out[i]) {
            i += 1;
        }
        let run = start..i;
        let is_letter = |k: &usize| out[*k].is_ascii_alphabetic();
        let (Some(first), Some(last)) = (run.clone().find(is_letter), run.clone().rfind(is_letter))
        else {
            continue;
        };
        for k in run {
            out[k] = match out[k] {
                b'@' => b'a',
                b'$' => b's',
                b'!' | b'1' if k > first && k < last => b'i',
                b'0' if k > first && k < last => b'o',
                b'3' if k > first && k < last => b'e',
                b => b,
            };
        }
    }
    out
}

/// Whole-word test on the de-obfuscated bytes: the neighbours must not be letters, digits
/// or '*' (ASCII, judged on `norm`) nor alphanumeric (non-ASCII, judged on `text`).
fn profanity_boundary(norm: &[u8], text: &str, start: usize, end: usize) -> bool {
    let joins = |b: Option<&u8>, c: Option<char>| match b {
        Some(b) if b.is_ascii() => b.is_ascii_alphanumeric() || *b == b'*',
        Some(_) => c.is_some_and(char::is_alphanumeric),
        None => false,
    };
    let before = start.checked_sub(1).and_then(|k| norm.get(k));
    let after = norm.get(end);
    !joins(before, text::char_before(text, start)) && !joins(after, text::char_after(text, end))
}

/// Text helpers shared by `style`, `coi` and `crisis`. Every function accepts any byte
/// offsets and never panics: out-of-range or mid-character offsets give empty results.
pub(crate) mod text {
    use super::*;
    use aho_corasick::{AhoCorasickKind, Input, MatchKind};

    /// Severity as written in the data files.
    #[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "lowercase")]
    pub enum SeverityName {
        Info,
        Warning,
        Block,
    }

    impl From<SeverityName> for Severity {
        fn from(s: SeverityName) -> Severity {
            match s {
                SeverityName::Info => Severity::Info,
                SeverityName::Warning => Severity::Warning,
                SeverityName::Block => Severity::Block,
            }
        }
    }

    /// One accepted phrase match: byte range and the index of the entry it belongs to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Hit {
        pub start: usize,
        pub end: usize,
        pub entry: usize,
    }

    /// Many phrases in one ASCII-case-insensitive Aho-Corasick automaton.
    pub struct PhraseSet {
        ac: AhoCorasick,
        entry_of: Vec<usize>,
    }

    impl PhraseSet {
        /// `terms` are (phrase, entry index). A straight apostrophe also matches a curly
        /// one and the other way round. Duplicate phrases keep their first entry.
        pub fn new(terms: impl Iterator<Item = (String, usize)>) -> PhraseSet {
            let mut seen = HashSet::new();
            let mut patterns = Vec::new();
            let mut entry_of = Vec::new();
            for (term, entry) in terms {
                let term = term.trim().to_string();
                if term.is_empty() {
                    continue;
                }
                let curly = term.replace('\'', "\u{2019}");
                let straight = term.replace('\u{2019}', "'");
                for v in [term, curly, straight] {
                    let v = v.to_ascii_lowercase();
                    if seen.insert(v.clone()) {
                        patterns.push(v);
                        entry_of.push(entry);
                    }
                }
            }
            // A full DFA: one table lookup per byte. Patterns are lower case and `find`
            // lower-cases the haystack (ASCII only, so offsets are unchanged): a
            // case-sensitive DFA is much quicker to build than a case-insensitive one.
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .expect("phrase automaton builds");
            PhraseSet { ac, entry_of }
        }

        /// Non-overlapping matches accepted by `accept(start, end)`, preferring the
        /// leftmost and then the longest. When the longest phrase at a position is
        /// rejected (say it runs into a longer word), shorter phrases starting there are
        /// tried before moving on, so the result equals "all accepted matches, then the
        /// leftmost-longest non-overlapping ones".
        pub fn find(&self, haystack: &[u8], accept: impl Fn(usize, usize) -> bool) -> Vec<Hit> {
            let haystack = &haystack.to_ascii_lowercase()[..];
            let mut out = Vec::new();
            let mut pos = 0;
            while pos < haystack.len() {
                let Some(first) = self.ac.find(Input::new(haystack).range(pos..)) else {
                    break;
                };
                let mut candidate = Some(first);
                let mut accepted = None;
                while let Some(m) = candidate {
                    if accept(m.start(), m.end()) {
                        accepted = Some(m);
                        break;
                    }
                    // The leftmost-longest match inside [start, end - 1) is the longest
                    // shorter phrase at the same start, if there is one.
                    candidate = if m.end() > m.start() + 1 {
                        let shorter = Input::new(haystack).range(m.start()..m.end() - 1);
                        self.ac.find(shorter).filter(|s| s.start() == m.start())
                    } else {
                        None
                    };
                }
                match accepted {
                    Some(m) => {
                        out.push(Hit {
                            start: m.start(),
                            end: m.end(),
                            entry: self.entry_of[m.pattern().as_usize()],
                        });
                        pos = m.end().max(m.start() + 1);
                    }
                    None => pos = first.start() + 1,
                }
            }
            out
        }
    }

    pub fn is_word_char(c: char) -> bool {
        c.is_alphanumeric()
    }

    pub fn is_apostrophe(c: char) -> bool {
        c == '\'' || c == '\u{2019}'
    }

    /// Lower-cases and turns curly apostrophes straight, for comparing words.
    pub fn fold(s: &str) -> String {
        let s = s.trim();
        if s.is_ascii() {
            s.to_ascii_lowercase()
        } else {
            s.to_lowercase().replace('\u{2019}', "'")
        }
    }

    /// The char starting at byte `i` of `text` and its length; `i` must be a char
    /// boundary (callers only step by whole chars). ASCII is decoded without a search.
    pub fn char_at(text: &str, i: usize) -> (char, usize) {
        match text.as_bytes().get(i) {
            Some(&b) if b < 0x80 => (b as char, 1),
            _ => text
                .get(i..)
                .and_then(|t| t.chars().next())
                .map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8())),
        }
    }

    pub fn char_before(text: &str, i: usize) -> Option<char> {
        text.get(..i)?.chars().next_back()
    }

    pub fn char_after(text: &str, i: usize) -> Option<char> {
        text.get(i..)?.chars().next()
    }

    /// `text[start..end]` is not part of a longer word: where the match begins (ends) with a
    /// letter or digit, the character before (after) it is not one.
    pub fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
        let edge = |inner: Option<char>, outer: Option<char>| {
            !(inner.is_some_and(is_word_char) && outer.is_some_and(is_word_char))
        };
        text.get(start..end).is_some()
            && edge(char_after(text, start), char_before(text, start))
            && edge(char_before(text, end), char_after(text, end))
    }

    /// The word (as `tokens` defines words) containing the char at byte `i`, or an empty
    /// range at `i` when that char is not a letter or digit.
    pub fn word_around(text: &str, i: usize) -> (usize, usize) {
        if !char_after(text, i).is_some_and(is_word_char) {
            return (i, i);
        }
        let mut start = i;
        while let Some(c) = char_before(text, start) {
            let inner_apostrophe = is_apostrophe(c)
                && char_before(text, start - c.len_utf8()).is_some_and(is_word_char);
            if !is_word_char(c) && !inner_apostrophe {
                break;
            }
            start -= c.len_utf8();
        }
        let mut end = i;
        while let Some(c) = char_after(text, end) {
            let inner_apostrophe =
                is_apostrophe(c) && char_after(text, end + c.len_utf8()).is_some_and(is_word_char);
            if !is_word_char(c) && !inner_apostrophe {
                break;
            }
            end += c.len_utf8();
        }
        (start, end)
    }

    /// Byte ranges of the words of `text`: runs of letters and digits, with apostrophes
    /// inside a word kept ("don't").
    pub fn tokens(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut end = 0;
        let mut i = 0;
        while i < text.len() {
            let (c, len) = char_at(text, i);
            if is_word_char(c) {
                start.get_or_insert(i);
                end = i + len;
            } else if is_apostrophe(c)
                && start.is_some()
                && i + len < text.len()
                && is_word_char(char_at(text, i + len).0)
            {
                // inner apostrophe: the word goes on
            } else if let Some(s) = start.take() {
                out.push((s, end));
            }
            i += len;
        }
        if let Some(s) = start {
            out.push((s, end));
        }
        out
    }

    fn is_sentence_stop(c: char) -> bool {
        matches!(
            c,
            '!' | '?' | '\n' | '\r' | ';' | '\u{3002}' | '\u{FF01}' | '\u{FF1F}'
        )
    }

    /// Up to `n` folded words just before byte `pos`, nearest first, not crossing the
    /// start of the sentence.
    pub fn words_before(text: &str, pos: usize, n: usize) -> Vec<String> {
        let Some(head) = text.get(..pos) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut word: Option<(usize, usize)> = None; // byte range being read, backwards
        let mut chars = head.char_indices().rev().peekable();
        while let Some((i, c)) = chars.next() {
            let inner_apostrophe = is_apostrophe(c)
                && word.is_some()
                && chars.peek().is_some_and(|&(_, p)| is_word_char(p));
            if is_word_char(c) || inner_apostrophe {
                let end = word.map_or(i + c.len_utf8(), |(_, e)| e);
                word = Some((i, end));
                continue;
            }
            if let Some((s, e)) = word.take() {
                out.push(fold(&head[s..e]));
                if out.len() == n {
                    return out;
                }
            }
            if is_sentence_stop(c) || c == '.' {
                return out;
            }
        }
        if let Some((s, e)) = word {
            if out.len() < n {
                out.push(fold(&head[s..e]));
            }
        }
        out
    }

    /// Up to `n` folded words just after byte `pos`, not crossing the end of the sentence.
    pub fn words_after(text: &str, pos: usize, n: usize) -> Vec<String> {
        let Some(tail) = text.get(pos..) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut word: Option<(usize, usize)> = None;
        let mut chars = tail.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let inner_apostrophe = is_apostrophe(c)
                && word.is_some()
                && chars.peek().is_some_and(|&(_, p)| is_word_char(p));
            if is_word_char(c) || inner_apostrophe {
                let start = word.map_or(i, |(s, _)| s);
                word = Some((start, i + c.len_utf8()));
                continue;
            }
            if let Some((s, e)) = word.take() {
                out.push(fold(&tail[s..e]));
                if out.len() == n {
                    return out;
                }
            }
            if is_sentence_stop(c) || c == '.' {
                return out;
            }
        }
        if let Some((s, e)) = word {
            if out.len() < n {
                out.push(fold(&tail[s..e]));
            }
        }
        out
    }

    /// The longest stretch `sentence_around` looks at on either side of the match, so that
    /// text without sentence stops costs linear, not quadratic, time.
    pub const MAX_SENTENCE_REACH: usize = 600;

    /// The sentence around `[start, end)`: from just after the previous stop ('.', '!',
    /// '?', ';', line break; a '.' only when followed by whitespace or the end) to just
    /// before the next one, but at most `MAX_SENTENCE_REACH` bytes (rounded to whole
    /// chars) on either side.
    pub fn sentence_around(text: &str, start: usize, end: usize) -> (usize, usize) {
        let mut lo = start.saturating_sub(MAX_SENTENCE_REACH);
        while !text.is_char_boundary(lo) {
            lo += 1;
        }
        let mut hi = end.saturating_add(MAX_SENTENCE_REACH).min(text.len());
        while !text.is_char_boundary(hi) {
            hi -= 1;
        }
        let (Some(head), Some(tail)) = (text.get(lo..start), text.get(end..hi.max(end))) else {
            return (start.min(text.len()), start.min(text.len()));
        };
        let is_stop = |c: char, next: Option<char>| {
            is_sentence_stop(c) || (c == '.' && next.is_none_or(char::is_whitespace))
        };
        let mut s = lo;
        let mut next = char_after(text, start);
        for (i, c) in head.char_indices().rev() {
            if is_stop(c, next) {
                s = lo + i + c.len_utf8();
                break;
            }
            next = Some(c);
        }
        let mut e = hi.max(end);
        let mut chars = tail.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_stop(c, chars.peek().map(|&(_, n)| n)) {
                e = end + i;
                break;
            }
        }
        (s, e)
    }

    /// Nothing but spaces, closing quotes/brackets, or emoji-free punctuation is left
    /// before the sentence ends at `pos`.
    pub fn ends_sentence(text: &str, pos: usize) -> bool {
        let Some(tail) = text.get(pos..) else {
            return false;
        };
        for c in tail.chars() {
            if c == '.' || is_sentence_stop(c) {
                return true;
            }
            if is_word_char(c) {
                return false;
            }
        }
        true
    }

    /// Only spaces, quotes, bullets or opening brackets stand between `pos` and the start
    /// of the text or of a sentence.
    pub fn starts_sentence(text: &str, pos: usize) -> bool {
        let Some(head) = text.get(..pos) else {
            return false;
        };
        for c in head.chars().rev() {
            if c == '.' || c == ':' || is_sentence_stop(c) {
                return true;
            }
            let filler = c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\''
                        | '('
                        | '['
                        | '*'
                        | '-'
                        | '>'
                        | '#'
                        | '\u{2022}'
                        | '\u{201C}'
                        | '\u{2018}'
                );
            if !filler {
                return false;
            }
        }
        true
    }

    /// The match is wrapped in quotation marks (possibly with spaces or punctuation
    /// inside the quotes, e.g. `"kill yourself!"`).
    pub fn is_quoted(text: &str, start: usize, end: usize) -> bool {
        let is_quote = |c: char| {
            matches!(
                c,
                '"' | '\''
                    | '\u{2018}'
                    | '\u{2019}'
                    | '\u{201C}'
                    | '\u{201D}'
                    | '\u{00AB}'
                    | '\u{00BB}'
            )
        };
        let opening = text
            .get(..start)
            .and_then(|h| h.chars().rev().find(|c| !c.is_whitespace()))
            .is_some_and(is_quote);
        let closing = text
            .get(end..)
            .and_then(|t| {
                t.chars()
                    .find(|c| !c.is_whitespace() && !matches!(c, '!' | '?' | '.' | ','))
            })
            .is_some_and(is_quote);
        opening && closing
    }

    /// URLs (with a scheme or "www.") and e-mail addresses.
    pub fn link_regex() -> Regex {
        // ASCII classes and word boundaries: quick to compile, and they keep the fast DFA
        // engines usable on non-ASCII text.
        Regex::new(
            r"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>]+|[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
        )
        .expect("link regex compiles")
    }

    pub fn link_spans(re: &Regex, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        for (offset, piece) in dotted_pieces(text) {
            out.extend(
                re.find_iter(piece)
                    .map(|m| Span::new(offset + m.start(), offset + m.end())),
            );
        }
        out
    }

    /// Pieces of `text` between ASCII whitespace (with their byte offsets) that contain a
    /// '.' followed by an ASCII letter or digit: the only places a URL, domain or e-mail
    /// address can be. Running link regexes on these alone is much faster than on the
    /// whole text and finds the same matches, since those regexes never cross whitespace.
    pub fn dotted_pieces(text: &str) -> Vec<(usize, &str)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(k) = bytes[i..].iter().position(|&b| b == b'.') {
            let dot = i + k;
            i = dot + 1;
            if !bytes.get(dot + 1).is_some_and(u8::is_ascii_alphanumeric) {
                continue;
            }
            let start = bytes[..dot]
                .iter()
                .rposition(u8::is_ascii_whitespace)
                .map_or(0, |p| p + 1);
            let end = bytes[dot..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |p| dot + p);
            if let Some(piece) = text.get(start..end) {
                out.push((start, piece));
            }
            i = end;
        }
        out
    }

    /// `span` overlaps one of `spans`, which must be sorted by start and not overlap each
    /// other (as link spans are). A binary search, so many matches against many links
    /// stay cheap.
    pub fn inside_any(spans: &[Span], span: Span) -> bool {
        let after = spans.partition_point(|s| s.start < span.end);
        after > 0 && spans[after - 1].overlaps(&span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> Style {
        Style::new()
    }

    fn terms(text: &str, findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| f.span.unwrap().text(text).to_string())
            .collect()
    }

    fn hype(text: &str) -> Vec<String> {
        terms(text, &style().sensationalism(text))
    }

    fn rude(text: &str) -> Vec<String> {
        terms(text, &style().professionalism(text))
    }

    #[test]
    fn data_files_parse_and_have_content() {
        let s = style();
        assert!(s.hype.len() >= 10);
        assert!(s
            .hype
            .iter()
            .all(|e| !e.terms.is_empty() && !e.message.is_empty()));
        assert!(s.prof.len() >= 5);
        assert!(s.acronyms.contains("COVID") && s.acronyms.contains("HIPAA"));
    }

    #[test]
    fn flags_classic_hype() {
        let text =
            "This miracle cure is a cure-all that doctors hate. They don't want you to know!";
        let found = hype(text);
        assert_eq!(
            found,
            vec![
                "miracle cure",
                "cure-all",
                "doctors hate",
                "They don't want you to know"
            ]
        );
        let f = &style().sensationalism(text)[0];
        assert_eq!(f.kind, FindingKind::Sensationalism);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.message.contains("'miracle cure'"));
        assert!(f.suggestion.is_some());
    }

    #[test]
    fn flags_clickbait_secret_shocking_guaranteed_and_detox() {
        let text = "You won't believe this one trick. The shocking secret: guaranteed results with a detox tea.";
        assert_eq!(
            hype(text),
            vec![
                "You won't believe",
                "this one trick",
                "shocking",
                "secret",
                "guaranteed results",
                "detox tea"
            ]
        );
        let f = style().sensationalism(text);
        assert_eq!(f[2].severity, Severity::Info); // shocking
        assert_eq!(f[3].severity, Severity::Info); // secret
        assert_eq!(f[4].severity, Severity::Warning);
    }

    #[test]
    fn curly_apostrophes_match() {
        assert_eq!(
            hype("What they don\u{2019}t tell you about statins"),
            vec!["What they don\u{2019}t tell you"]
        );
    }

    #[test]
    fn hundred_percent_only_as_hype() {
        assert_eq!(
            hype("This tea is 100% natural and 100% effective."),
            vec!["100% natural", "100% effective"]
        );
        assert!(hype(
            "100% of patients in the trial responded; 100 percent of participants finished."
        )
        .is_empty());
        assert!(hype("Vaccination coverage reached 100% in the cohort.").is_empty());
    }

    #[test]
    fn honest_disclaimers_are_not_hype() {
        assert!(
            hype("There is no miracle cure for diabetes, and nothing is guaranteed.").is_empty()
        );
        assert!(
            hype("Exercise is not a cure-all, and no treatment can guarantee results.").is_empty()
        );
        assert!(hype("It's no secret that sleep matters.").is_empty());
    }

    #[test]
    fn clinical_uses_are_not_hype() {
        assert!(
            hype("She was admitted for medical detox and then moved to the detox unit.").is_empty()
        );
        assert!(
            hype("Breakthrough infections and breakthrough bleeding are well described.")
                .is_empty()
        );
        assert!(
            hype("Cleanse the wound with saline. The secretary assessed the secretion.").is_empty()
        );
        assert_eq!(
            hype("A breakthrough in diabetes care!"),
            vec!["breakthrough"]
        );
        assert_eq!(
            hype("Try this juice cleanse to flush out toxins"),
            vec!["juice cleanse", "flush out toxins"]
        );
    }

    #[test]
    fn words_inside_other_words_are_not_hype() {
        assert!(
            hype("Miraclegrow is a plant food; secretive people; detoxification enzymes")
                .is_empty()
        );
    }

    #[test]
    fn shouting_is_flagged_but_acronyms_are_not() {
        let text = "This is AMAZING and the CDC, NIH and FDA agree about COVID and HIPAA.";
        assert_eq!(hype(text), vec!["AMAZING"]);
        let f = style().sensationalism(text);
        assert_eq!(f[0].severity, Severity::Info);

        let text = "STOP EATING SUGAR NOW";
        assert_eq!(hype(text), vec!["STOP EATING SUGAR NOW"]);
        assert_eq!(style().sensationalism(text)[0].severity, Severity::Warning);

        assert_eq!(hype("DO NOT EAT THIS"), vec!["DO NOT EAT THIS"]);
        assert!(hype("Ask about an MRI or EKG at the ICU; ACE ARB BB options.").is_empty());
        assert!(
            hype("Follow #WELLNESSJOURNEY and @WELLNESSGURU or https://EXAMPLE.COM/HELLO")
                .is_empty()
        );
        assert!(hype("H5N1 and SARS-CoV-2 and BRCA1 and I am A person").is_empty());
        assert!(hype("Use code SARAH at checkout").is_empty()); // a code, not shouting
        assert_eq!(hype("Η ΑΘΗΝΑ"), vec!["ΑΘΗΝΑ"]); // cased scripts other than Latin work too
        assert!(hype("日本語のテキスト").is_empty()); // uncased scripts are never shouting
    }

    #[test]
    fn shouting_runs_break_at_lowercase_and_lines() {
        let text = "IMPORTANT news\nREALLY important";
        assert_eq!(hype(text), vec!["IMPORTANT", "REALLY"]);
    }

    #[test]
    fn exclamation_runs() {
        let text = "Great! Wow!! Really?!! NO WAY!!!";
        let f = style().sensationalism(text);
        let runs: Vec<_> = f
            .iter()
            .filter(|f| f.message.contains("exclamation"))
            .collect();
        assert_eq!(
            terms(text, &f).iter().filter(|t| t.contains('!')).count(),
            3
        );
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[0].severity, Severity::Info);
        assert_eq!(runs[2].severity, Severity::Warning);
        assert!(hype("Hello! How are you? Fine!").is_empty());
    }

    #[test]
    fn insults_aimed_at_people() {
        assert_eq!(rude("You idiot, shut up."), vec!["idiot", "shut up"]);
        assert_eq!(rude("you're so stupid"), vec!["stupid"]);
        assert_eq!(rude("Only stupid people believe that"), vec!["stupid"]);
        assert_eq!(rude("You people never listen"), vec!["You people"]);
        let f = style().professionalism("what a moron");
        assert_eq!(f[0].kind, FindingKind::Professionalism);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn adjectives_without_a_target_are_fine() {
        assert!(rude("This stupid disease took my energy. I felt dumb asking.").is_empty());
        assert!(rude("That was a dumb luck finding in a pathetic little study").is_empty());
    }

    #[test]
    fn profanity_and_obfuscations() {
        assert_eq!(rude("This is bullshit"), vec!["bullshit"]);
        assert_eq!(rude("what the f*ck, f**k this"), vec!["f*ck", "f**k"]);
        assert_eq!(
            rude("sh!t happens, you a$$hole, b1tch"),
            vec!["sh!t", "a$$hole", "b1tch"]
        );
        assert_eq!(rude("FUCK"), vec!["FUCK"]);
        let f = style().professionalism("oh crap");
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn scunthorpe_traps() {
        let clean = "Our class will assess the cocktail of drugs. Dickens wrote about Scunthorpe \
                     and Essex. A finger prick test, shiitake mushrooms, the hello-world passage, \
                     cockpit, assassin, classic, Shitake? No: butterscotch. Title: Mr. Dick Grayson? \
                     Therapists use assertive language. 100% of 3 patients. $49.99 @assistant!";
        let found = rude(clean);
        // "Dick" as a bare word is not on the list; only "you dick"/"what a dick" are.
        assert!(found.is_empty(), "{found:?}");
        assert!(rude("shit!!").len() == 1);
        assert!(rude("email me at ass@example.com or see https://example.com/shit").is_empty());
    }

    #[test]
    fn harassment_and_dismissal() {
        assert_eq!(rude("Nobody cares."), vec!["Nobody cares"]);
        assert_eq!(
            rude("nobody cares about your opinion"),
            vec!["nobody cares"]
        );
        assert!(rude("It feels like no one cares about chronic pain patients").is_empty());
        assert_eq!(
            rude("Get a life and stay in your lane"),
            vec!["Get a life", "stay in your lane"]
        );
    }

    #[test]
    fn death_wishes_block_but_not_when_quoted_or_negated() {
        let f = style().professionalism("just kill yourself");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Block);
        assert_eq!(style().professionalism("kys")[0].severity, Severity::Block);
        assert!(style()
            .professionalism("Please don't kill yourself over this deadline")
            .is_empty());
        let quoted = style().professionalism("Telling someone \"kill yourself\" is abuse.");
        assert_eq!(quoted.len(), 1);
        assert_eq!(quoted[0].severity, Severity::Info);
        assert!(style().professionalism("I want to kill myself").is_empty()); // crisis, not abuse
    }

    #[test]
    fn starred_words_keep_first_and_last_letters() {
        assert_eq!(
            rude("f*ck, fu*k, f**k, a**hole, b***h, sh*t"),
            vec!["f*ck", "fu*k", "f**k", "a**hole", "b***h", "sh*t"]
        );
        assert!(rude("f***, fu**, *uck, as*, such as* noted, f*c*k, ***, 5*3").is_empty());
    }

    #[test]
    fn deobfuscate_keeps_length_and_only_inner_leet() {
        let t = "sh!t!! a$$ b1tch COVID19 $50 é!";
        let n = deobfuscate(t);
        assert_eq!(n.len(), t.len());
        assert_eq!(
            std::str::from_utf8(&n).unwrap(),
            "shit!! ass bitch COVID19 $50 é!"
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let s = style();
        let long = "MIRACLE!!! ".repeat(5000);
        let inputs = [
            "",
            " ",
            "!",
            "\u{0}\u{1}\u{7f}",
            "مرحبا بالعالم معجزة!!",
            "\u{202E}miracle\u{202C} cure",
            "😀 MIRACLE 😀!!😀 f*ck😀 idiot😀",
            "é",
            "ÉÉÉÉÉ ÀÀÀÀÀ",
            "'",
            "\u{2019}s",
            "a\u{301}\u{301}\u{301}",
            long.as_str(),
        ];
        for t in inputs {
            for f in s.sensationalism(t).into_iter().chain(s.professionalism(t)) {
                let span = f.span.unwrap();
                assert!(t.get(span.start..span.end).is_some(), "bad span in {t:?}");
            }
        }
    }

    /// Random strings from an alphabet full of edge cases, through all three detectors of
    /// this file and its siblings: no panic, every span on char boundaries.
    #[test]
    fn random_inputs_never_panic() {
        let style = style();
        let coi = crate::coi::Coi::new();
        let crisis = crate::crisis::Crisis::new();
        let pieces = [
            "a",
            "I",
            "MIRACLE",
            "f*ck",
            "a$$",
            "sh!t",
            "!",
            "!!",
            "?",
            ".",
            ". ",
            " ",
            "\n",
            "'",
            "\u{2019}",
            "\"",
            "#",
            "@",
            "$",
            "\u{a3}",
            "\u{20ac}",
            "%",
            "*",
            "-",
            "/",
            "?ref=",
            "amzn.to/",
            "https://",
            "www.",
            "code ",
            "SAVE20",
            "99",
            "\u{e9}",
            "\u{301}",
            "\u{1F600}",
            "\u{202E}",
            "\u{0}",
            "\u{FF01}",
            "\u{FFFD}",
            "\u{5b57}",
            "\u{627}",
            "want to die",
            "I can't breathe",
            "Ozempic",
            "Ensure",
            "#ad",
            "kill yourself",
            "you idiot",
            "detox",
            "100%",
            "no ",
            "use my code ",
            "link in bio",
            "chest pain",
        ];
        let mut seed: u64 = 0x5eed;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..1500 {
            let len = next() % 40;
            let text: String = (0..len).map(|_| pieces[next() % pieces.len()]).collect();
            let all = style
                .sensationalism(&text)
                .into_iter()
                .chain(style.professionalism(&text))
                .chain(coi.check(&text, &["Novo Nordisk".to_string()]))
                .chain(crisis.check(&text));
            for f in all {
                let span = f.span.expect("all findings here are located");
                assert!(
                    text.get(span.start..span.end).is_some(),
                    "bad span in {text:?}"
                );
            }
        }
    }

    /// Text without sentence stops must not make sentence look-ups quadratic.
    #[test]
    fn long_text_without_stops_stays_linear() {
        let text = "I want to die and buy Ozempic with code SAVE20 you idiot MIRACLE ".repeat(3000);
        let start = std::time::Instant::now();
        let style = style();
        let n = style.sensationalism(&text).len()
            + style.professionalism(&text).len()
            + crate::coi::Coi::new().check(&text, &[]).len()
            + crate::crisis::Crisis::new().check(&text).len();
        assert!(n > 0);
        // ~200 KB; generous for unoptimised debug builds on a busy machine.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
    }

    /// Timing smoke test for all three of this file's sibling detectors (style, coi,
    /// crisis). Run with `cargo test -p credence-check --release -- --ignored --nocapture
    /// perf_smoke`; in debug builds the numbers are several times higher.
    #[test]
    #[ignore]
    fn perf_smoke() {
        use std::time::Instant;
        let t = Instant::now();
        let _checker = crate::Checker::new();
        println!("whole engine build: {:?}", t.elapsed());
        let t = Instant::now();
        let style = Style::new();
        let t_style = t.elapsed();
        let t = Instant::now();
        let coi = crate::coi::Coi::new();
        let t_coi = t.elapsed();
        let t = Instant::now();
        let crisis = crate::crisis::Crisis::new();
        let t_crisis = t.elapsed();
        let sentence = "Many of my patients ask whether Ozempic is a miracle cure; it is not, \
            and the trials (https://pubmed.ncbi.nlm.nih.gov/12345/) show real but limited \
            weight loss with side effects like nausea. If you have chest pain, call 911. ";
        let post = sentence.repeat(500 / sentence.split_whitespace().count() + 1);
        let words = post.split_whitespace().count();
        let n = 2000;
        let time = |f: &dyn Fn() -> usize| {
            let t = Instant::now();
            let mut k = 0;
            for _ in 0..n {
                k += f();
            }
            (t.elapsed() / n, k)
        };
        let (s, _) = time(&|| style.sensationalism(&post).len());
        let (p, _) = time(&|| style.professionalism(&post).len());
        let (c, _) = time(&|| coi.check(&post, &[]).len());
        let (k, _) = time(&|| crisis.check(&post).len());
        println!(
            "build: style {t_style:?}, coi {t_coi:?}, crisis {t_crisis:?}; \
             per {words}-word post: sensationalism {s:?}, professionalism {p:?}, coi {c:?}, crisis {k:?}"
        );
    }

    #[test]
    fn text_helpers() {
        use text::*;
        assert_eq!(words_before("I am not a miracle", 11, 2), vec!["a", "not"]);
        assert_eq!(words_before("Stop. miracle", 6, 2), Vec::<String>::new());
        assert_eq!(words_after("miracle cure here", 7, 1), vec!["cure"]);
        assert_eq!(words_before("x", 99, 2), Vec::<String>::new());
        let t = "First one. I can\u{2019}t breathe right now! Next";
        let start = t.find("breathe").unwrap();
        let (s, e) = sentence_around(t, start, start + 7);
        assert_eq!(&t[s..e], " I can\u{2019}t breathe right now");
        assert_eq!(sentence_around("3.5 mg dose", 6, 10), (0, 11));
        let long = format!("{}x{}", "é".repeat(1000), "é".repeat(1000));
        let (s, e) = sentence_around(&long, 2000, 2001);
        assert!(long.is_char_boundary(s) && long.is_char_boundary(e) && e - s <= 1202);
        let links = [Span::new(0, 5), Span::new(10, 20)];
        assert!(inside_any(&links, Span::new(12, 13)));
        assert!(inside_any(&links, Span::new(4, 11)));
        assert!(!inside_any(&links, Span::new(5, 10)));
        assert!(!inside_any(&[], Span::new(0, 1)));
        assert_eq!(tokens("don't stop-now"), vec![(0, 5), (6, 10), (11, 14)]);
        assert!(is_whole_word("#ad here", 0, 3));
        assert!(!is_whole_word("cocktail", 0, 4));
        assert!(is_quoted("say 'kill yourself!' now", 5, 18));
    }
}
