//! The text readers get from an article, for the engine to check, and the way back from a
//! place in that text to what the author typed.
//!
//! Readers see the rendered, sanitised HTML, not the Markdown: `&#72;arriet` reads "Harriet",
//! `555-*123*-4567` reads as a phone number, and whatever the sanitiser drops is never seen.
//! So the text is taken from the sanitised HTML itself (html5ever's tokenizer decodes it as a
//! browser does), never re-derived from the Markdown: what the engine checks cannot drift from
//! what the page shows. Link targets, image descriptions and tooltips are part of it, as a
//! reader can see or follow them.
//!
//! Findings must still point at the author's words, so the reader text is aligned with the
//! source by a character diff (Myers, from `similar`): equal runs map one to one, and a
//! stretch that rendering changed (an entity, emphasis markers) maps to the whole source
//! stretch it came from. The alignment only places highlights; what is found does not
//! depend on it.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

use pulldown_cmark::{Event, Parser};

use super::{markdown_options, render_markdown};

/// Past this the alignment settles for a coarser answer. The diff costs about
/// (source + text) × changes; a 100,000-character article with heavy markup stays well
/// inside it on this machine.
const ALIGNMENT_BUDGET: Duration = Duration::from_millis(250);

/// What readers of a piece of content get, and where each of its characters came from.
#[derive(Debug, Clone)]
pub struct ReaderText {
    pub text: String,
    /// For each character of `text` (in code points), the source span it came from.
    origins: Vec<(usize, usize)>,
    source_chars: usize,
}

impl ReaderText {
    /// Text that reaches readers as typed (a short post is escaped, never interpreted).
    pub fn verbatim(text: &str) -> ReaderText {
        let origins = (0..text.chars().count()).map(|i| (i, i + 1)).collect();
        ReaderText {
            text: text.to_string(),
            source_chars: text.chars().count(),
            origins,
        }
    }

    /// The source span (code points, end exclusive) behind `start..end` of the reader text.
    pub fn source_span(&self, start: usize, end: usize) -> (usize, usize) {
        let last = self.origins.len();
        if last == 0 {
            return (0, self.source_chars);
        }
        let from = self.origins[start.min(last - 1)].0;
        let to = self.origins[end.clamp(1, last) - 1].1;
        (from, to.max(from))
    }
}

/// The text readers get from an article written in Markdown.
pub fn article_text(markdown: &str) -> ReaderText {
    let text = visible_text(&render_markdown(markdown));
    let origins = align(markdown, &text);
    ReaderText {
        source_chars: markdown.chars().count(),
        text,
        origins,
    }
}

/// The text of sanitised HTML, as a browser lays it out: blocks on their own lines, link
/// targets after their text, image descriptions and tooltips where they stand.
pub fn visible_text(html: &str) -> String {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(TextSink::default(), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let text = tokenizer.sink.text.take();
    text.trim_end().to_string()
}

#[derive(Default)]
struct TextSink {
    text: RefCell<String>,
    /// The targets of the links we are inside, innermost last.
    links: RefCell<Vec<Option<String>>>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(chars) => self.text.borrow_mut().push_str(&chars),
            Token::NullCharacterToken => self.text.borrow_mut().push('\u{FFFD}'),
            Token::TagToken(tag) => self.tag(&tag),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl TextSink {
    fn tag(&self, tag: &Tag) {
        let name = &*tag.name;
        let mut text = self.text.borrow_mut();
        match tag.kind {
            TagKind::StartTag => {
                for attr in &tag.attrs {
                    if matches!(&*attr.name.local, "alt" | "title") && !attr.value.is_empty() {
                        push_word(&mut text, &attr.value);
                    }
                }
                match name {
                    "br" => text.push('\n'),
                    "a" => {
                        // The site's own hashtag and mention links say nothing the text does
                        // not; every other target can be seen (on hover) or followed.
                        let ours = tag.attrs.iter().any(|a| {
                            &*a.name.local == "class" && matches!(&*a.value, "hashtag" | "mention")
                        });
                        let href = tag.attrs.iter().find(|a| &*a.name.local == "href");
                        self.links
                            .borrow_mut()
                            .push(href.filter(|_| !ours).map(|a| a.value.to_string()));
                    }
                    _ => {}
                }
            }
            TagKind::EndTag => match name {
                "a" => {
                    let href = self.links.borrow_mut().pop().flatten();
                    // An autolink's text is its target: once is enough.
                    if let Some(href) = href.filter(|h| !text.ends_with(h.as_str())) {
                        push_word(&mut text, &href);
                    }
                }
                "td" | "th" => text.push(' '),
                "li" | "tr" | "dt" | "dd" => end_line(&mut text),
                "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "ul"
                | "ol" | "table" | "div" | "dl" | "figure" => {
                    end_line(&mut text);
                    text.push('\n');
                }
                _ => {}
            },
        }
    }
}

fn push_word(text: &mut String, word: &str) {
    if !text.is_empty() && !text.ends_with(char::is_whitespace) {
        text.push(' ');
    }
    text.push_str(word);
    text.push(' ');
}

fn end_line(text: &mut String) {
    while text.ends_with(' ') {
        text.pop();
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// For each character of `text`, the span of `source` it came from.
///
/// A character diff of a whole article costs (length × changes); but most of an article is
/// plain text that reaches readers unchanged, and the Markdown parser says where each run of
/// it sits in the source. Those runs, found in order in the reader text, anchor the
/// alignment, and only the short gaps between them (markup, entities, link targets) are
/// diffed. Measured with `cargo bench -p credence-core --bench reader`.
fn align(source: &str, text: &str) -> Vec<(usize, usize)> {
    let old: Vec<char> = source.chars().collect();
    let new: Vec<char> = text.chars().collect();
    let (old_at, new_at) = (char_index(source), char_index(text));
    let deadline = Some(Instant::now() + ALIGNMENT_BUDGET);
    let mut origins = vec![(0, 0); new.len()];
    let (mut old_done, mut new_done) = (0, 0);
    let mut searched = 0;
    for (event, range) in Parser::new_ext(source, markdown_options()).into_offset_iter() {
        let Event::Text(run) = event else { continue };
        if run.len() < MIN_ANCHOR || source.get(range.clone()) != Some(&*run) {
            continue;
        }
        let Some(found) = text[searched..].find(&*run) else {
            continue;
        };
        let (old_run, new_run) = (
            old_at[range.start]..old_at[range.end],
            new_at[searched + found]..new_at[searched + found + run.len()],
        );
        if old_run.start < old_done {
            continue;
        }
        let gap = (old_done..old_run.start, new_done..new_run.start);
        diff_gap(&mut origins, &old, &new, gap, deadline);
        map_chars(
            &mut origins,
            DiffTag::Equal,
            old_run.clone(),
            new_run.clone(),
        );
        (old_done, new_done) = (old_run.end, new_run.end);
        searched += found + run.len();
    }
    let gap = (old_done..old.len(), new_done..new.len());
    diff_gap(&mut origins, &old, &new, gap, deadline);
    origins
}

type Span = std::ops::Range<usize>;

/// Aligns the characters of a stretch between two anchors.
fn diff_gap(
    origins: &mut [(usize, usize)],
    old: &[char],
    new: &[char],
    (from, to): (Span, Span),
    deadline: Option<Instant>,
) {
    let (old_part, new_part) = (&old[from.clone()], &new[to.clone()]);
    for op in capture_diff_slices_deadline(Algorithm::Myers, old_part, new_part, deadline) {
        let (tag, f, t) = op.as_tag_tuple();
        let shifted = (
            f.start + from.start..f.end + from.start,
            t.start + to.start..t.end + to.start,
        );
        map_chars(origins, tag, shifted.0, shifted.1);
    }
}

/// Runs shorter than this could be found in the wrong place ("a", "the").
const MIN_ANCHOR: usize = 8;

/// The code-point index of every byte offset that starts a character (and of the end).
fn char_index(text: &str) -> Vec<usize> {
    let mut index = vec![0; text.len() + 1];
    for (chars, (byte, _)) in text.char_indices().enumerate() {
        index[byte] = chars;
    }
    index[text.len()] = text.chars().count();
    index
}

/// Records where the characters `to` of the text came from, given the diff's verdict.
fn map_chars(origins: &mut [(usize, usize)], tag: DiffTag, from: Span, to: Span) {
    for (i, at) in to.enumerate() {
        origins[at] = match tag {
            DiffTag::Equal => (from.start + i, from.start + i + 1),
            // Rendering made these characters out of that stretch of source.
            DiffTag::Replace => (from.start, from.end),
            // Added by rendering (a line break, a link's target): they stand between the
            // neighbouring source characters.
            DiffTag::Insert | DiffTag::Delete => (from.start, from.start),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_of(markdown: &str, reader: &ReaderText, needle: &str) -> String {
        let start = reader.text.find(needle).expect("needle in reader text");
        let start = reader.text[..start].chars().count();
        let end = start + needle.chars().count();
        let (from, to) = reader.source_span(start, end);
        markdown.chars().skip(from).take(to - from).collect()
    }

    #[test]
    fn entities_are_read_as_readers_read_them_and_point_back_at_what_was_typed() {
        let markdown = "Seen today: &#72;arriet &#81;uimbyson, SSN 123-45-*6789*.";
        let reader = article_text(markdown);
        assert!(reader.text.contains("Harriet Quimbyson"), "{}", reader.text);
        assert!(reader.text.contains("123-45-6789"), "{}", reader.text);
        assert_eq!(
            source_of(markdown, &reader, "Harriet Quimbyson"),
            "&#72;arriet &#81;uimbyson"
        );
        // From the first to the last character that readers see: the closing marker is
        // markup around the number, not part of it.
        assert_eq!(source_of(markdown, &reader, "123-45-6789"), "123-45-*6789");
    }

    #[test]
    fn nothing_readers_cannot_see_is_read_and_nothing_is_swallowed() {
        let reader = article_text(
            "Intro.\n\n<!-- a note: doi:10.1000/hidden -->\n\n<script>x()</script>\n\n\
             <style>\np { color: red }\n\nAfter the style: doi:10.1000/visible\n\nLast line.",
        );
        // A closed comment or script hides its content from readers, so the engine does not
        // read it either; an unclosed <style> would hide the rest, so it is shown as typed.
        assert!(!reader.text.contains("10.1000/hidden"), "{}", reader.text);
        assert!(!reader.text.contains("x()"), "{}", reader.text);
        assert!(reader.text.contains("<style>"), "{}", reader.text);
        assert!(
            reader.text.contains("doi:10.1000/visible"),
            "{}",
            reader.text
        );
        assert!(reader.text.ends_with("Last line."), "{}", reader.text);
        for unclosed in ["<!-- note", "<textarea>", "<plaintext>", "<SCRIPT src=x>"] {
            let reader = article_text(&format!("Before.\n\n{unclosed}\n\nAfter."));
            assert!(
                reader.text.ends_with("After."),
                "{unclosed}: {}",
                reader.text
            );
        }
    }

    #[test]
    fn link_targets_and_image_descriptions_are_part_of_the_text() {
        let reader = article_text(
            "See [the trial](https://doi.org/10.1056/x) and ![Harriet's chart](https://e.org/c.png).\n\n\
             <https://www.cdc.gov/flu>",
        );
        assert!(
            reader.text.contains("the trial https://doi.org/10.1056/x"),
            "{}",
            reader.text
        );
        assert!(reader.text.contains("Harriet's chart"), "{}", reader.text);
        for target in [
            "//e.example/Harriet-Quimbyson",
            "/p?ssn=219-09-9999",
            "MAILTO:w@e.net",
        ] {
            let reader = article_text(&format!("[see]({target})"));
            assert!(reader.text.contains(target), "{target}: {}", reader.text);
        }
        assert_eq!(reader.text.matches("https://www.cdc.gov/flu").count(), 1);
    }

    #[test]
    fn verbatim_text_maps_to_itself() {
        let reader = ReaderText::verbatim("héllo wörld");
        assert_eq!(reader.source_span(6, 11), (6, 11));
        assert_eq!(reader.text, "héllo wörld");
    }

    /// Sentences of our own, each naming a patient or carrying an identifier.
    const WITH_PHI: &[&str] = &[
        "Today I saw my patient Harriet Quimbyson about her asthma.",
        "Her social security number is 219-09-9999 and she asked us to keep it.",
        "Call the family on (614) 555-0182 after six.",
        "He was born on 03/14/1961 and came in with chest pain.",
        "MRN 44817235 was admitted to ward 4 overnight.",
        "Write to him at walter.okafor@example.net about the results.",
        "Mrs Delphine Arkwright, 82, went home after the hip repair.",
        "She lives at 1418 Maple Avenue, Dayton, OH 45402 with her son.",
    ];

    /// Rewrites `plain` as an author could, so that readers still get the same text:
    /// characters as numeric entities, parts of words inside inline tags, whole words in
    /// Markdown emphasis.
    fn disguise(plain: &str, rng: &mut impl rand::Rng) -> String {
        let mut out = String::new();
        for word in plain.split(' ') {
            if !out.is_empty() {
                out.push(' ');
            }
            let chars: Vec<char> = word.chars().collect();
            let whole_word = chars.first().is_some_and(|c| c.is_alphanumeric())
                && chars.last().is_some_and(|c| c.is_alphanumeric());
            let emphasis = if whole_word && rng.gen_bool(0.15) {
                ["*", "**"][rng.gen_range(0..2)]
            } else {
                ""
            };
            out.push_str(emphasis);
            let tag = ["b", "em", "span", "strong", "i", "font", "sup"][rng.gen_range(0..7)];
            let (a, b) = (rng.gen_range(0..chars.len()), rng.gen_range(0..chars.len()));
            let tagged = rng.gen_bool(0.3).then_some((a.min(b), a.max(b)));
            for (i, c) in chars.iter().enumerate() {
                if tagged.is_some_and(|(open, _)| open == i) {
                    out.push_str(&format!("<{tag}>"));
                }
                if c.is_alphanumeric() && rng.gen_bool(0.2) {
                    if rng.gen_bool(0.5) {
                        out.push_str(&format!("&#{};", *c as u32));
                    } else {
                        out.push_str(&format!("&#x{:X};", *c as u32));
                    }
                } else {
                    out.push(*c);
                }
                if tagged.is_some_and(|(_, close)| close == i) {
                    out.push_str(&format!("</{tag}>"));
                }
            }
            out.push_str(emphasis);
        }
        out
    }

    fn phi_labels(checker: &credence_check::Checker, text: &str) -> Vec<&'static str> {
        let draft = credence_check::Draft::new(text);
        let mut labels: Vec<&'static str> =
            checker.check(&draft).phi.iter().map(|p| p.label).collect();
        labels.sort_unstable();
        labels.dedup();
        labels
    }

    #[test]
    fn phi_found_in_plain_text_is_found_however_the_article_spells_it() {
        use rand::SeedableRng;
        let checker = credence_check::Checker::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(21);
        let mut tried = 0;
        for plain in WITH_PHI {
            let expected = phi_labels(&checker, plain);
            assert!(!expected.is_empty(), "the engine finds PHI in {plain:?}");
            for _ in 0..60 {
                let written = disguise(plain, &mut rng);
                let reader = article_text(&written);
                assert_eq!(
                    reader.text, *plain,
                    "readers get the same text from {written:?}"
                );
                let found = phi_labels(&checker, &reader.text);
                assert_eq!(found, expected, "{written:?}");
                tried += 1;
            }
        }
        assert_eq!(tried, WITH_PHI.len() * 60);
    }
}
