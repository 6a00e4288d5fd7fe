//! Geography smaller than a state: street addresses (with their unit), towns and counties, and
//! ZIP codes — when they belong to a private person. A clinic's address in an announcement and
//! a county in an outbreak report are public (the sentence's context decides).

use super::context::Doc;
use super::lexicon::{Lexicon, COUNTRIES, MONTHS, ORG_WORDS, PLACE_PREFIXES, WEEKDAYS};
use super::text::{is_capitalised, Kind};
use super::{Candidate, PhiLabel};
use crate::Span;

/// Words that cannot be part of a street or town name.
pub(super) const NOT_PLACE: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "and",
    "or",
    "in",
    "on",
    "at",
    "for",
    "with",
    "my",
    "your",
    "our",
    "her",
    "his",
    "their",
    "per",
    "more",
    "less",
    "than",
    "times",
    "ways",
    "tips",
    "things",
    "reasons",
    "days",
    "weeks",
    "months",
    "years",
    "hours",
    "minutes",
    "people",
    "patients",
    "mg",
    "ml",
    "i",
    "we",
    "you",
    "he",
    "she",
    "they",
    "it",
    "is",
    "was",
    "this",
    "that",
    "who",
    "am",
    "pm",
    "et",
    "pt",
    "dr",
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "now",
    "here",
    "there",
    "home",
    "work",
    "school",
    "bed",
    "pain",
    "care",
    "hospital",
    "clinic",
    "er",
    "icu",
    "ed",
    "town",
    "city",
    "rehab",
    "surgery",
    "labor",
    "recovery",
    "remission",
    "treatment",
    "therapy",
    "hospice",
    "person",
    "general",
    "total",
    "english",
    "spanish",
    "public",
    "private",
    "case",
    "cases",
    "time",
    "stock",
    "check",
    "touch",
];

/// Words that introduce where someone lives or is.
const PLACE_PREPOSITIONS: &[&str] = &["in", "from", "near", "outside", "around", "to"];

/// Words before "in" that make the next capitalised words a place where someone is
/// ("lives in", "hospital in", "is in"), unlike "read it in Nature" or "a rise in Ozempic use".
const IN_CUES: &[&str] = &[
    "lives",
    "live",
    "living",
    "lived",
    "moved",
    "moving",
    "staying",
    "stay",
    "stays",
    "born",
    "raised",
    "up",
    "visit",
    "visiting",
    "visited",
    "home",
    "house",
    "hospital",
    "clinic",
    "pharmacy",
    "rehab",
    "er",
    "icu",
    "lawyer",
    "attorney",
    "dentist",
    "school",
    "is",
    "are",
    "was",
    "were",
    "m",
    "re",
    "s",
    "currently",
    "still",
    "here",
    "back",
    "somewhere",
    "area",
    "hospice",
    "facility",
    "nursing",
    "shelter",
    "church",
    "family",
    "relatives",
    "parents",
    "mom",
    "dad",
    "grandma",
    "grandpa",
    "daughter",
    "son",
    "sister",
    "brother",
    "work",
    "works",
    "worked",
    "job",
    "apartment",
    "condo",
    "farm",
    "office",
    "center",
    "centre",
    "unit",
    "ward",
];

/// Words before "from" that make the next words a person's place of origin ("guy from Gary",
/// "I'm Ana from Fresno"), unlike "switched from Humira".
const FROM_CUES: &[&str] = &[
    "guy",
    "man",
    "woman",
    "lady",
    "girl",
    "boy",
    "kid",
    "family",
    "patient",
    "pt",
    "resident",
    "someone",
    "somebody",
    "people",
    "folks",
    "friend",
    "neighbor",
    "neighbour",
    "m",
    "originally",
    "here",
    "come",
    "came",
    "moved",
    "drove",
    "flew",
    "transferred",
    "visiting",
    "visitor",
    "visitors",
    "way",
    "all",
    "cousin",
    "aunt",
    "uncle",
    "couple",
    "gentleman",
    "veteran",
];

/// Words before "to" for a move ("moved to Dayton").
const TO_CUES: &[&str] = &[
    "moved",
    "move",
    "moving",
    "relocated",
    "relocating",
    "transferred",
    "flew",
    "drove",
    "driving",
    "returned",
];

/// Capitalised words that are shops, publishers and platforms, not towns.
const NOT_TOWNS: &[&str] = &[
    "walgreens",
    "cvs",
    "walmart",
    "target",
    "costco",
    "amazon",
    "kroger",
    "publix",
    "safeway",
    "rite",
    "google",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "reddit",
    "twitter",
    "nature",
    "science",
    "cell",
    "jama",
    "nejm",
    "lancet",
    "bmj",
    "pubmed",
    "medline",
    "webmd",
    "healthline",
    "medicare",
    "medicaid",
    "tricare",
    "aetna",
    "cigna",
    "humana",
    "kaiser",
    "telehealth",
    "zoom",
    "mychart",
    "epic",
    "english",
    "spanish",
    "french",
    "chinese",
];

const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "rm",
    "room",
    "fl",
    "floor",
    "bldg",
    "building",
    "lot",
    "space",
    "trlr",
];

const COUNTY_WORDS: &[&str] = &["county", "parish", "borough"];

/// Adds location candidates; returns the spans of every street address with its town and ZIP,
/// public or not, so that street and town names are not read as people's names.
pub fn detect(doc: &Doc, lex: &Lexicon, out: &mut Vec<Candidate>) -> Vec<Span> {
    let mut masked = Vec::new();
    let mut i = 0;
    while i < doc.toks.len() {
        if let Some(end_tok) = street_address(doc, lex, i) {
            let span = Span::new(doc.toks[i].start, doc.toks[end_tok].end);
            let public = doc.sentence(i).is_public();
            if !public {
                out.push(Candidate {
                    label: PhiLabel::Location,
                    span,
                    confidence: 0.9,
                    priority: 6,
                });
            }
            let after = after_address(doc, lex, end_tok + 1, public, out);
            let last = after.max(end_tok + 1).min(doc.toks.len());
            masked.push(Span::new(span.start, doc.toks[last - 1].end));
            i = after.max(end_tok + 1);
            continue;
        }
        i += 1;
    }
    towns(doc, lex, out);
    zips(doc, out);
    masked
}

/// A word that can be part of a street name (case is checked for the whole address).
fn word_ok_in_street(doc: &Doc, lex: &Lexicon, i: usize) -> bool {
    let t = &doc.toks[i];
    // "4th Street", "21st Ave": ordinals name streets too.
    let ordinal = t.kind == Kind::AlNum
        && ["st", "nd", "rd", "th"]
            .iter()
            .any(|s| t.lower.ends_with(s))
        && t.lower
            .trim_end_matches(char::is_alphabetic)
            .chars()
            .all(|c| c.is_ascii_digit());
    (t.kind == Kind::Alpha || ordinal) && !lex.not_place.contains(t.lower.as_str())
}

/// A word that can be part of a town name after an address: capitalised (any case in a
/// lower-case text), not a common word.
fn word_ok_in_town(doc: &Doc, lex: &Lexicon, i: usize) -> bool {
    let t = &doc.toks[i];
    let w = t.lower.as_str();
    t.kind == Kind::Alpha
        && !lex.not_place.contains(w)
        && !MONTHS.contains(&w)
        && (!lex.is_common(w) || PLACE_PREFIXES.contains(&w) || lex.cities.contains(w))
        && (doc.lower_style || is_capitalised(doc.tok_text(i)))
}

/// A USPS street suffix, or its plural ("Fords", "Plains", "Streets").
fn is_street_suffix(lex: &Lexicon, w: &str) -> bool {
    lex.street_suffixes.contains(w)
        || w.strip_suffix('s')
            .is_some_and(|s| lex.street_suffixes.contains(s))
        || w.strip_suffix("es")
            .is_some_and(|s| lex.street_suffixes.contains(s))
}

/// "8731 White Ramp", "81049 Luna Turnpike, Apt. 232", "1170 Gonzalez Plaza Suite 361":
/// returns the index of the address's last token.
fn street_address(doc: &Doc, lex: &Lexicon, i: usize) -> Option<usize> {
    let toks = &doc.toks;
    let number = &toks[i];
    if number.kind != Kind::Num || number.lower.len() > 6 {
        return None;
    }
    if i > 0 && !toks[i].space_before && toks[i - 1].kind != Kind::Punct {
        return None;
    }
    if i > 0
        && matches!(
            toks[i - 1].lower.as_str(),
            "#" | "$" | "-" | "/" | "." | ":"
        )
    {
        return None;
    }
    // Up to three name words, then a USPS street suffix.
    let mut j = i + 1;
    let mut words = 0;
    let mut suffix_at = None;
    while j < toks.len() && words < 4 {
        if !toks[j].space_before || !word_ok_in_street(doc, lex, j) {
            break;
        }
        words += 1;
        if words >= 2 && is_street_suffix(lex, &toks[j].lower) {
            suffix_at = Some(j);
        }
        j += 1;
    }
    let mut end = suffix_at?;
    // Mixed case: a lower-case street word in a capitalised text is prose, not an address.
    let capitalised =
        (i + 1..=end).all(|k| is_capitalised(doc.tok_text(k)) || doc.toks[k].kind == Kind::AlNum);
    let lower = (i + 1..=end).all(|k| doc.toks[k].lower == doc.tok_text(k));
    if !(capitalised || lower) {
        return None;
    }
    // An abbreviated suffix may carry a period ("St.").
    if toks
        .get(end + 1)
        .is_some_and(|t| t.is_punct('.') && !t.space_before)
        && doc.toks[end].lower.len() <= 4
    {
        end += 1;
    }
    Some(unit_after(doc, end).unwrap_or(end))
}

/// ", Apt. 232", " Suite 361", " #4": extends an address to its unit.
fn unit_after(doc: &Doc, end: usize) -> Option<usize> {
    let toks = &doc.toks;
    let mut j = end + 1;
    if toks.get(j).is_some_and(|t| t.is_punct(',')) {
        j += 1;
    }
    let t = toks.get(j)?;
    let hash = t.is_punct('#');
    if !hash && !UNIT_WORDS.contains(&t.lower.as_str()) {
        return None;
    }
    j += 1;
    if toks
        .get(j)
        .is_some_and(|t| t.is_punct('.') || t.is_punct('#'))
    {
        j += 1;
    }
    let value = toks.get(j)?;
    (value.kind != Kind::Punct && (value.has_digit() || value.lower.len() <= 2)).then_some(j)
}

/// After an address: ", Springfield", ", IL 62704", " Lincoln 04789". Returns the next token
/// index to scan from.
fn after_address(
    doc: &Doc,
    lex: &Lexicon,
    mut j: usize,
    public: bool,
    out: &mut Vec<Candidate>,
) -> usize {
    let toks = &doc.toks;
    if toks.get(j).is_some_and(|t| t.is_punct(',')) {
        j += 1;
    }
    // A town: capitalised words (or lower-case ones in a lower-case text), not a state.
    let start = j;
    while j < toks.len()
        && j - start < 3
        && word_ok_in_town(doc, lex, j)
        && !lex.is_state(&toks[j].lower)
        && toks[j].space_before
    {
        if lex.org_words.contains(toks[j].lower.as_str()) {
            break;
        }
        j += 1;
    }
    if j > start && !public {
        let span = Span::new(toks[start].start, toks[j - 1].end);
        out.push(Candidate {
            label: PhiLabel::Location,
            span,
            confidence: 0.8,
            priority: 5,
        });
    }
    if toks.get(j).is_some_and(|t| t.is_punct(',')) {
        j += 1;
    }
    if toks.get(j).is_some_and(|t| lex.is_state(&t.lower)) {
        j += 1;
    }
    if let Some(end) = zip_at(doc, j) {
        if !public {
            let span = Span::new(toks[j].start, toks[end].end);
            out.push(Candidate {
                label: PhiLabel::Location,
                span,
                confidence: 0.85,
                priority: 5,
            });
        }
        return end + 1;
    }
    j
}

/// A ZIP or ZIP+4 code starting at token `j`; returns its last token.
fn zip_at(doc: &Doc, j: usize) -> Option<usize> {
    let toks = &doc.toks;
    let t = toks.get(j)?;
    if t.kind != Kind::Num || t.lower.len() != 5 {
        return None;
    }
    let plus4 = toks
        .get(j + 1)
        .is_some_and(|d| d.is_punct('-') && !d.space_before)
        && toks
            .get(j + 2)
            .is_some_and(|n| n.kind == Kind::Num && n.lower.len() == 4 && !n.space_before);
    let end = if plus4 { j + 2 } else { j };
    // Not part of a longer identifier.
    let next = toks.get(end + 1);
    if next.is_some_and(|n| !n.space_before && (n.kind != Kind::Punct || n.is_punct('-'))) {
        return None;
    }
    Some(end)
}

/// Towns and counties named after a preposition in a sentence about a private person
/// ("lives in Springfield", "from East Angelabury", "guy from Gary"), and "Town, ST 12345".
fn towns(doc: &Doc, lex: &Lexicon, out: &mut Vec<Candidate>) {
    let toks = &doc.toks;
    for i in 0..toks.len() {
        let t = &toks[i];
        if t.kind != Kind::Alpha || !PLACE_PREPOSITIONS.contains(&t.lower.as_str()) {
            continue;
        }
        let sentence = doc.sentence(i);
        if sentence.is_public() {
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < toks.len() && j - start < 3 && toks[j].space_before && is_place_word(doc, lex, j)
        {
            j += 1;
        }
        if j == start {
            continue;
        }
        // Stop at an organisation ("in Lakeview Rehab"), a possessive or an eponym.
        let phrase: Vec<&str> = (start..j).map(|k| toks[k].lower.as_str()).collect();
        if phrase
            .iter()
            .any(|w| ORG_WORDS.contains(w) && !COUNTY_WORDS.contains(w))
            || toks
                .get(j)
                .is_some_and(|n| n.is_punct('\'') || n.is_punct('’'))
            || toks.get(j).is_some_and(|n| {
                n.kind == Kind::Alpha
                    && ORG_WORDS.contains(&n.lower.as_str())
                    && !COUNTY_WORDS.contains(&n.lower.as_str())
            })
            || phrase.iter().any(|w| lex.eponyms.contains(*w))
        {
            continue;
        }
        let joined = phrase.join(" ");
        // "Polk County": the county word may have been read into the phrase already.
        let county_in_phrase =
            phrase.len() > 1 && phrase.last().is_some_and(|w| COUNTY_WORDS.contains(w));
        let county = county_in_phrase
            || toks
                .get(j)
                .is_some_and(|n| COUNTY_WORDS.contains(&n.lower.as_str()));
        let known = lex.cities.contains(joined.as_str());
        let capitalised = (start..j).all(|k| is_capitalised(doc.tok_text(k)));
        // In a lower-case text only known towns count; otherwise capitalised unknown names do
        // too (many towns are small), but not a lone common first name ("from Anna").
        let personal = sentence.personal > 0 || doc.personal_text;
        let lone_first_name = j - start == 1 && lex.is_first_name(&joined);
        let prev = doc.words_before(i, 1).first().copied().unwrap_or("");
        let prev_is_name = i > 0
            && doc.toks[i - 1].kind == Kind::Alpha
            && is_capitalised(doc.tok_text(i - 1))
            && !doc.lower_style;
        let cue = match t.lower.as_str() {
            "in" => IN_CUES.contains(&prev),
            "from" => FROM_CUES.contains(&prev) || prev_is_name,
            "to" => TO_CUES.contains(&prev),
            _ => true,
        };
        let not_town = phrase
            .iter()
            .any(|w| NOT_TOWNS.contains(w) || lex.brands.contains(*w));
        if not_town || (t.lower == "to" && !cue) {
            continue;
        }
        // An unknown lower-case word ending a clause ("a lawyer in clarkfurt??") in a
        // lower-case text: towns are the usual thing there.
        let clause_end = toks
            .get(j)
            .is_none_or(|n| n.kind == Kind::Punct && !n.is_punct('\'') && !n.is_punct('’'));
        let unknown_lower = doc.lower_style
            && j - start == 1
            && clause_end
            && joined.chars().count() >= 5
            && !lex.is_common(joined.as_str())
            && !lex.is_first_name(&joined)
            && !lex.is_last_name(&joined);
        let accept = known
            || (county && personal)
            || (capitalised && !doc.lower_style && personal && !lone_first_name && cue)
            || (unknown_lower && personal && cue);
        if !accept || lex.is_state(&joined) {
            continue;
        }
        let end = if county && !county_in_phrase {
            j
        } else {
            j - 1
        };
        let span = Span::new(toks[start].start, toks[end].end);
        out.push(Candidate {
            label: PhiLabel::Location,
            span,
            confidence: if known { 0.75 } else { 0.55 },
            priority: 3,
        });
        // "Springfield, IL 62704" or "Raleigh 54623-6944".
        let mut k = end + 1;
        if toks.get(k).is_some_and(|t| t.is_punct(',')) {
            k += 1;
        }
        if toks.get(k).is_some_and(|t| lex.is_state(&t.lower)) {
            k += 1;
        }
        if let Some(z) = zip_at(doc, k) {
            out.push(Candidate {
                label: PhiLabel::Location,
                span: Span::new(toks[k].start, toks[z].end),
                confidence: 0.85,
                priority: 5,
            });
        }
    }
}

fn is_place_word(doc: &Doc, lex: &Lexicon, j: usize) -> bool {
    let t = &doc.toks[j];
    if t.kind != Kind::Alpha {
        return false;
    }
    let w = t.lower.as_str();
    if NOT_PLACE.contains(&w)
        || MONTHS.contains(&w)
        || WEEKDAYS.contains(&w)
        || COUNTRIES.contains(&w)
    {
        return false;
    }
    let capitalised = is_capitalised(doc.tok_text(j));
    if lex.is_common(w) && !lex.cities.contains(w) && !(capitalised && PLACE_PREFIXES.contains(&w))
    {
        return false;
    }
    doc.lower_style || capitalised
}

/// ZIP+4 codes anywhere, and 5-digit ZIPs right after a state ("IL 62704"), in personal text.
fn zips(doc: &Doc, out: &mut Vec<Candidate>) {
    let toks = &doc.toks;
    for j in 0..toks.len() {
        let Some(end) = zip_at(doc, j) else { continue };
        let plus4 = end > j;
        let after_state = j > 0
            && super::lexicon::STATE_CODES.contains(&toks[j - 1].lower.as_str())
            && toks[j - 1].lower.len() == 2;
        // "zip 60614", "ZIP code is 60614"
        let after_keyword = doc
            .words_before(j, 3)
            .iter()
            .any(|w| matches!(*w, "zip" | "zipcode" | "postal"));
        if (plus4 || after_state || after_keyword) && !doc.sentence(j).is_public() {
            out.push(Candidate {
                label: PhiLabel::Location,
                span: Span::new(toks[j].start, toks[end].end),
                confidence: 0.8,
                priority: 5,
            });
        }
    }
}
