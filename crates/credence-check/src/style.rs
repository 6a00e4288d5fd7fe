//! Style checks: sensational wording ("miracle", "doctors hate", ALL CAPS, "!!!") and
//! unprofessional replies (insults, profanity, harassment).
//!
//! Both checks are data-driven: the word lists live in `data/hype.toml` and
//! `data/profanity.toml` (embedded at compile time, parsed once in [`Style::new`]); each
//! file's header documents its matching rules. Each list is compiled into one Aho-Corasick
//! automaton, so a check is one pass over the text plus a little work per match.
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
//! * Professionalism: profanity, insults and harassment are Warnings (mild swearing is
//!   Info); telling someone to kill or harm themselves or wishing them dead is a Block. It
//!   is abuse aimed at another person, unlike the first-person language `crisis.rs` answers
//!   with help, which never blocks. Adjective insults ("stupid", "dumb") count only when a
//!   person is targeted nearby ("you're so stupid"), not "this stupid disease".

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
        for (i, cat) in prof.category.iter().enumerate() {
            for term in &cat.terms {
                prof_terms.push((term.clone(), i));
                if cat.obfuscation {
                    prof_terms.extend(starred_variants(term).into_iter().map(|v| (v, i)));
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

        for hit in self
            .prof_set
            .find(&norm, |s, e| profanity_boundary(&norm, text, s, e))
        {
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

        let mut run = Run::default();
        let mut prev_end = 0;
        for (start, end) in text::tokens(text) {
            if text[prev_end..start].contains('\n') {
                flush(&mut run, out);
            }
            prev_end = end;
            let word = &text[start..end];
            let span = Span::new(start, end);
            let tagged = matches!(text::char_before(text, start), Some('#' | '@'));
            if tagged || text::inside_any(links, span) {
                continue; // neutral: neither shouting nor a break
            }
            let has_lower = word.chars().any(char::is_lowercase);
            if has_lower {
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

    fn is_acronym(&self, word: &str) -> bool {
        let up = word.to_uppercase();
        let base = up
            .strip_suffix("'S")
            .or_else(|| up.strip_suffix("\u{2019}S"))
            .unwrap_or(&up);
        self.acronyms.contains(base)
    }

    fn exclamations(&self, text: &str, out: &mut Vec<Finding>) {
        let mut start = None;
        let mut bangs = 0;
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
        for (i, c) in text.char_indices() {
            match c {
                '!' | '\u{FF01}' => {
                    start.get_or_insert(i);
                    bangs += 1;
                }
                '?' | '\u{FF1F}' => {
                    start.get_or_insert(i);
                }
                _ => {
                    if let Some(s) = start.take() {
                        report(s, i, bangs, out);
                    }
                    bangs = 0;
                }
            }
        }
        if let Some(s) = start {
            report(s, text.len(), bangs, out);
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

/// Spellings of `word` with one run of inner letters replaced by as many '*'; the first
/// and last letters stay visible: "fuck" -> "f*ck", "fu*k", "f**k". Only for single ASCII
/// words of 4+ letters (a starred 3-letter word such as "as*" is too ambiguous).
fn starred_variants(word: &str) -> Vec<String> {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n < 4 || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in 1..n - 1 {
        for j in i + 1..n {
            let mut v = bytes.to_vec();
            v[i..j].fill(b'*');
            out.push(String::from_utf8(v).expect("ASCII"));
        }
    }
    out
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
        let letters: Vec<usize> = run
            .clone()
            .filter(|&k| out[k].is_ascii_alphabetic())
            .collect();
        let (Some(&first), Some(&last)) = (letters.first(), letters.last()) else {
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
    use aho_corasick::{AhoCorasickKind, MatchKind};

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
                    if seen.insert(v.to_ascii_lowercase()) {
                        patterns.push(v);
                        entry_of.push(entry);
                    }
                }
            }
            // A full DFA: one table lookup per byte, a few hundred KB at most for these lists.
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .expect("phrase automaton builds");
            PhraseSet { ac, entry_of }
        }

        /// All matches accepted by `accept(start, end)`, then reduced to non-overlapping
        /// ones, preferring the leftmost and then the longest.
        pub fn find(&self, haystack: &[u8], accept: impl Fn(usize, usize) -> bool) -> Vec<Hit> {
            let mut hits: Vec<Hit> = self
                .ac
                .find_overlapping_iter(haystack)
                .filter(|m| accept(m.start(), m.end()))
                .map(|m| Hit {
                    start: m.start(),
                    end: m.end(),
                    entry: self.entry_of[m.pattern().as_usize()],
                })
                .collect();
            hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
            let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
            for h in hits {
                if out.last().is_none_or(|last| h.start >= last.end) {
                    out.push(h);
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
        s.trim().to_lowercase().replace('\u{2019}', "'")
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

    /// Byte ranges of the words of `text`: runs of letters and digits, with apostrophes
    /// inside a word kept ("don't").
    pub fn tokens(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut end = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_word_char(c) {
                start.get_or_insert(i);
                end = i + c.len_utf8();
            } else if is_apostrophe(c)
                && start.is_some()
                && chars.peek().is_some_and(|&(_, n)| is_word_char(n))
            {
                // inner apostrophe: the word goes on
            } else if let Some(s) = start.take() {
                out.push((s, end));
            }
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
        let mut word = String::new();
        let mut chars = head.chars().rev().peekable();
        while let Some(c) = chars.next() {
            let inner_apostrophe = is_apostrophe(c)
                && !word.is_empty()
                && chars.peek().is_some_and(|&p| is_word_char(p));
            if is_word_char(c) || inner_apostrophe {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                out.push(fold(&word.chars().rev().collect::<String>()));
                word.clear();
                if out.len() == n {
                    return out;
                }
            }
            if is_sentence_stop(c) || c == '.' {
                return out;
            }
        }
        if !word.is_empty() && out.len() < n {
            out.push(fold(&word.chars().rev().collect::<String>()));
        }
        out
    }

    /// Up to `n` folded words just after byte `pos`, not crossing the end of the sentence.
    pub fn words_after(text: &str, pos: usize, n: usize) -> Vec<String> {
        let Some(tail) = text.get(pos..) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut word = String::new();
        let mut chars = tail.chars().peekable();
        while let Some(c) = chars.next() {
            let inner_apostrophe = is_apostrophe(c)
                && !word.is_empty()
                && chars.peek().is_some_and(|&p| is_word_char(p));
            if is_word_char(c) || inner_apostrophe {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                out.push(fold(&word));
                word.clear();
                if out.len() == n {
                    return out;
                }
            }
            if is_sentence_stop(c) || c == '.' {
                return out;
            }
        }
        if !word.is_empty() && out.len() < n {
            out.push(fold(&word));
        }
        out
    }

    /// The sentence around `[start, end)`: from just after the previous stop ('.', '!',
    /// '?', ';', line break; a '.' only when followed by whitespace or the end) to just
    /// before the next one.
    pub fn sentence_around(text: &str, start: usize, end: usize) -> (usize, usize) {
        let (Some(head), Some(tail)) = (text.get(..start), text.get(end..)) else {
            return (start.min(text.len()), start.min(text.len()));
        };
        let is_stop = |c: char, next: Option<char>| {
            is_sentence_stop(c) || (c == '.' && next.is_none_or(char::is_whitespace))
        };
        let mut s = 0;
        let mut next = char_after(text, start);
        for (i, c) in head.char_indices().rev() {
            if is_stop(c, next) {
                s = i + c.len_utf8();
                break;
            }
            next = Some(c);
        }
        let mut e = text.len();
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
        // ASCII word boundaries keep the fast DFA engines usable on non-ASCII text.
        Regex::new(r"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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

    /// Whitespace-separated pieces of `text` (with their byte offsets) that contain a '.'
    /// followed by an ASCII letter or digit: the only places a URL, domain or e-mail
    /// address can be. Running link regexes on these alone is much faster than on the
    /// whole text and finds the same matches, since those regexes never cross whitespace.
    pub fn dotted_pieces(text: &str) -> impl Iterator<Item = (usize, &str)> {
        let base = text.as_ptr() as usize;
        text.split(char::is_whitespace)
            .filter(|p| {
                p.as_bytes()
                    .windows(2)
                    .any(|w| w[0] == b'.' && w[1].is_ascii_alphanumeric())
            })
            .map(move |p| (p.as_ptr() as usize - base, p))
    }

    pub fn inside_any(spans: &[Span], span: Span) -> bool {
        spans.iter().any(|s| s.overlaps(&span))
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
    fn starred_variants_keep_two_letters() {
        let v = starred_variants("fuck");
        assert!(v.contains(&"f*ck".to_string()));
        assert!(v.contains(&"f**k".to_string()));
        assert!(v.contains(&"f**k".to_string()));
        assert!(!v.contains(&"fu**".to_string()));
        assert!(!v.contains(&"f***".to_string()));
        assert!(starred_variants("ass").is_empty());
        assert!(starred_variants("shut up").is_empty());
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

    /// Timing smoke test for all three of this file's sibling detectors (style, coi,
    /// crisis). Run with `cargo test -p credence-check --release -- --ignored --nocapture
    /// perf_smoke`; in debug builds the numbers are several times higher.
    #[test]
    #[ignore]
    fn perf_smoke() {
        use std::time::Instant;
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
        assert_eq!(tokens("don't stop-now"), vec![(0, 5), (6, 10), (11, 14)]);
        assert!(is_whole_word("#ad here", 0, 3));
        assert!(!is_whole_word("cocktail", 0, 4));
        assert!(is_quoted("say 'kill yourself!' now", 5, 18));
    }
}
