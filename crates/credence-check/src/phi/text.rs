//! Tokens with byte spans. Words are runs of letters (with combining marks) and digits; every
//! other visible character is its own punctuation token. Offsets always fall on `char`
//! boundaries, so slicing the text with them cannot panic.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters only.
    Alpha,
    /// Digits only.
    Num,
    /// Letters and digits ("RNB646406", "104F", "5th").
    AlNum,
    Punct,
}

#[derive(Debug, Clone)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Lower-cased text (for comparisons with word lists).
    pub lower: String,
    /// Whitespace separates this token from the previous one.
    pub space_before: bool,
}

impl Tok {
    pub fn has_digit(&self) -> bool {
        matches!(self.kind, Kind::Num | Kind::AlNum)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.lower.starts_with(c) && self.lower.len() == c.len_utf8()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Combining marks (accents written as separate code points) belong to the word they follow.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

pub fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(text.len() / 4);
    let mut chars = text.char_indices().peekable();
    let mut space_before = true;
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() || c.is_control() {
            space_before = true;
            continue;
        }
        if is_word_char(c) {
            let (mut letters, mut digits) = (c.is_alphabetic(), c.is_numeric());
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !is_word_char(d) {
                    break;
                }
                letters |= d.is_alphabetic();
                digits |= d.is_numeric();
                end = i + d.len_utf8();
                chars.next();
            }
            let kind = match (letters, digits) {
                (true, true) => Kind::AlNum,
                (false, true) => Kind::Num,
                _ => Kind::Alpha,
            };
            toks.push(Tok {
                start,
                end,
                kind,
                // ASCII words (most of them) take the cheap path.
                lower: if text[start..end].is_ascii() {
                    text[start..end].to_ascii_lowercase()
                } else {
                    text[start..end].to_lowercase()
                },
                space_before,
            });
        } else {
            let end = start + c.len_utf8();
            toks.push(Tok {
                start,
                end,
                kind: Kind::Punct,
                lower: text[start..end].to_string(),
                space_before,
            });
        }
        space_before = false;
    }
    toks
}

/// Whether a word starts with a capital letter (and is not all capitals, which marks an
/// acronym, unless it is a single letter or the whole text shouts).
pub fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() => {
            chars.clone().next().is_none() || chars.any(|c| c.is_lowercase())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_byte_spans() {
        let text = "Ánh's MRN: A3115508 — ok 🙏";
        let toks = tokenize(text);
        let words: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(
            words,
            ["Ánh", "'", "s", "MRN", ":", "A3115508", "—", "ok", "🙏"]
        );
        assert_eq!(toks[5].kind, Kind::AlNum);
    }

    #[test]
    fn capitals() {
        assert!(is_capitalised("Jason"));
        assert!(is_capitalised("J"));
        assert!(!is_capitalised("MRN"));
        assert!(!is_capitalised("jason"));
    }
}
