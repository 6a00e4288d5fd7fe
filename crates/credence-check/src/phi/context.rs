//! The analysed document: tokens, sentences, and for each sentence whether it is about a
//! private person or is a public announcement (a clinic's hours, an awareness day, an outbreak
//! report). The same identifier shape is PHI in one and not in the other.

use super::lexicon::{flag, Lexicon};
use super::text::{tokenize, Kind, Tok};

pub struct Doc<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    /// Sentence index of each token.
    pub sentence_of: Vec<usize>,
    pub sentences: Vec<Sentence>,
    /// The text has no capital letters (capitalisation carries no information).
    pub lower_style: bool,
    /// The text is (almost) all capitals: capitals carry no information either.
    pub shouting: bool,
    /// Somewhere the text speaks about a private person ("my mom", "pt", "patient").
    pub personal_text: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Sentence {
    /// Token range.
    pub first: usize,
    pub end: usize,
    pub personal: u32,
    pub public: u32,
    pub facility: u32,
    /// The whole text mentions a private person somewhere.
    pub personal_text: bool,
}

impl Sentence {
    /// A public announcement: more announcement cues than signs of a private person, or only
    /// facility words in a post that never mentions a private person.
    pub fn is_public(&self) -> bool {
        self.public > self.personal
            || (self.public == 0 && self.personal == 0 && self.facility > 0 && !self.personal_text)
    }
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "st", "apt", "ste", "jr", "sr", "vs", "eg", "ie", "etc", "approx",
    "no", "dept", "ave", "blvd", "rd", "ln", "mt", "ft", "pt", "rm", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "prof", "u", "s",
];

impl<'a> Doc<'a> {
    pub fn new(text: &'a str, lex: &Lexicon) -> Doc<'a> {
        let mut toks = tokenize(text);
        // Read misspelt keywords as the keyword ("licnese" → "license", "membber id"), except
        // known words. A typo matters only where an identifier or a name follows (a digit or a
        // capitalised word within the next two tokens), so only those words are tried.
        for i in 0..toks.len() {
            let t = &toks[i];
            if t.kind != Kind::Alpha || t.lower.len() < 6 {
                continue;
            }
            let followed = toks[i + 1..]
                .iter()
                .take(2)
                .any(|n| n.has_digit() || text[n.start..].starts_with(char::is_uppercase));
            if !followed {
                continue;
            }
            if let Some(word) = lex.correct(&t.lower) {
                if !lex.is_known_word(&t.lower) {
                    toks[i].lower = word.to_string();
                }
            }
        }
        let lower_style = !text.chars().any(char::is_uppercase);
        let shouting = text.chars().filter(|c| c.is_lowercase()).take(3).count() < 3;
        let mut doc = Doc {
            text,
            toks,
            sentence_of: Vec::new(),
            sentences: Vec::new(),
            lower_style,
            shouting,
            personal_text: false,
        };
        doc.split_sentences();
        doc.classify(lex);
        doc
    }

    fn split_sentences(&mut self) {
        let mut start = 0;
        self.sentence_of = vec![0; self.toks.len()];
        for i in 0..self.toks.len() {
            self.sentence_of[i] = self.sentences.len();
            let t = &self.toks[i];
            let newline_after = self.text[t.end..]
                .chars()
                .take_while(|c| c.is_whitespace())
                .any(|c| c == '\n');
            let ends = match t.kind {
                Kind::Punct if matches!(t.lower.as_str(), "!" | "?" | "…") => true,
                Kind::Punct if t.lower == "." => {
                    let prev = i.checked_sub(1).map(|p| &self.toks[p]);
                    let abbreviation = prev.is_some_and(|p| {
                        !t.space_before
                            && (ABBREVIATIONS.contains(&p.lower.as_str())
                                || (p.kind == Kind::Alpha && p.lower.chars().count() == 1))
                    });
                    let next_is_space = self.text[t.end..].starts_with(char::is_whitespace)
                        || t.end == self.text.len();
                    next_is_space && !abbreviation
                }
                _ => false,
            };
            if ends || newline_after || i + 1 == self.toks.len() {
                self.sentences.push(Sentence {
                    first: start,
                    end: i + 1,
                    ..Default::default()
                });
                start = i + 1;
            }
        }
    }

    fn classify(&mut self, lex: &Lexicon) {
        for s in 0..self.sentences.len() {
            let (first, end) = (self.sentences[s].first, self.sentences[s].end);
            let (mut personal, mut public, mut facility) = (0, 0, 0);
            for i in first..end {
                let w = self.toks[i].lower.as_str();
                let f = lex.flags(w);
                if f & (flag::PERSONAL_CUE | flag::RELATION) != 0 {
                    personal += 1;
                }
                if f & flag::PUBLIC_CUE != 0 {
                    public += 1;
                }
                if f & flag::FACILITY_CUE != 0 {
                    facility += 1;
                }
                if i + 1 < end && f & flag::PAIR_START != 0 {
                    let pair = format!("{w} {}", self.toks[i + 1].lower);
                    if lex.public_cues.contains(&pair) {
                        public += 2;
                    }
                    if lex.personal_cues.contains(&pair) {
                        personal += 1;
                    }
                    if lex.facility_cues.contains(&pair) {
                        facility += 1;
                    }
                }
            }
            self.sentences[s].personal = personal;
            self.sentences[s].public = public;
            self.sentences[s].facility = facility;
        }
        self.personal_text = self.toks.iter().any(|t| {
            lex.flags(t.lower.as_str()) & flag::RELATION != 0
                || matches!(
                    t.lower.as_str(),
                    "pt" | "patient" | "my" | "i" | "im" | "me"
                )
        });
        for s in &mut self.sentences {
            s.personal_text = self.personal_text;
        }
    }

    pub fn tok_text(&self, i: usize) -> &'a str {
        &self.text[self.toks[i].start..self.toks[i].end]
    }

    pub fn sentence(&self, tok: usize) -> &Sentence {
        &self.sentences[self.sentence_of[tok.min(self.sentence_of.len().saturating_sub(1))]]
    }

    /// The sentence containing a byte offset.
    pub fn sentence_at(&self, byte: usize) -> &Sentence {
        let i = self.toks.partition_point(|t| t.end <= byte);
        self.sentence(i.min(self.toks.len().saturating_sub(1)))
    }

    /// Index of the first token starting at or after `byte`.
    pub fn tok_from(&self, byte: usize) -> usize {
        self.toks.partition_point(|t| t.start < byte)
    }

    /// Lower-cased words of the `n` (at most 4) tokens before token `i`, nearest first,
    /// skipping punctuation. Returned inline: this runs for most candidate words.
    pub fn words_before(&self, i: usize, n: usize) -> Few<'_> {
        let mut few = Few::default();
        for t in self.toks[..i.min(self.toks.len())]
            .iter()
            .rev()
            .filter(|t| t.kind != Kind::Punct)
        {
            if few.len >= n.min(4) {
                break;
            }
            few.items[few.len] = t.lower.as_str();
            few.len += 1;
        }
        few
    }

    /// Lower-cased words of the `n` (at most 4) tokens from token `i` on, skipping punctuation.
    pub fn words_after(&self, i: usize, n: usize) -> Few<'_> {
        let mut few = Few::default();
        for t in self.toks[i.min(self.toks.len())..]
            .iter()
            .filter(|t| t.kind != Kind::Punct)
        {
            if few.len >= n.min(4) {
                break;
            }
            few.items[few.len] = t.lower.as_str();
            few.len += 1;
        }
        few
    }

    /// The text of the same sentence before byte `at`, lower-cased (for keyword checks).
    pub fn sentence_text_before(&self, at: usize) -> String {
        let s = self.sentence_at(at.saturating_sub(1));
        // At most ~120 bytes back: cues are near, and a text without sentence breaks must not
        // be lower-cased again for every match.
        let start = self
            .toks
            .get(s.first)
            .map_or(0, |t| t.start)
            .max(floor_char(self.text, at.saturating_sub(120)));
        self.text[start.min(at)..at].to_lowercase()
    }

    /// The lower-cased text of the sentence containing `at`.
    pub fn sentence_text(&self, at: usize) -> String {
        let s = self.sentence_at(at);
        let start = self.toks.get(s.first).map_or(0, |t| t.start);
        let end = self
            .toks
            .get(s.end.saturating_sub(1))
            .map_or(self.text.len(), |t| t.end);
        self.text[start..end.max(start)].to_lowercase()
    }
}

/// The nearest char boundary at or before `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Up to four words, kept inline (no allocation).
#[derive(Default, Clone, Copy)]
pub struct Few<'a> {
    items: [&'a str; 4],
    len: usize,
}

impl<'a> Few<'a> {
    pub fn first(&self) -> Option<&&'a str> {
        self.get(0)
    }

    pub fn get(&self, i: usize) -> Option<&&'a str> {
        self.items[..self.len].get(i)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, &'a str> {
        self.items[..self.len].iter()
    }
}
