//! Names of private people. A capitalised word is not enough (posts are full of drugs,
//! places, clinicians and eponyms), so a name needs evidence:
//! - a trigger before it: a relation ("my wife Ana"), a title ("Mrs. Doe"), a clinical role
//!   ("pt J.D."), a self-introduction ("I'm Ana"), a prayer hashtag (#PrayForAna);
//! - or census name lists: a known first name followed by a known surname ("Karen Rivera",
//!   even in lower case), or a known first name in the middle of a sentence;
//! - or a shape: a signature at the end ("- Brian"), "Surname, First (MRN …)".
//!
//! And a name is dropped when a clinician's title or credential goes with it ("Dr. Moore",
//! "Ana Ruiz, MD"), when it is an eponym ("Crohn's", "Down syndrome"), a public figure, an
//! organisation ("Mercy Hospital"), or the author's own byline.

use super::context::Doc;
use super::lexicon::{flag, Lexicon, MONTHS, ORG_WORDS};
use super::text::{is_capitalised, Kind};
use super::{Author, Candidate, PhiLabel};
use crate::Span;

/// What a person's possessive usually introduces ("Ana's MRI", "Ana's chart").
const POSSESSED: &[&str] = &[
    "mri",
    "ct",
    "scan",
    "xray",
    "chart",
    "results",
    "labs",
    "lab",
    "biopsy",
    "surgery",
    "room",
    "bed",
    "diagnosis",
    "prognosis",
    "meds",
    "medication",
    "medications",
    "treatment",
    "chemo",
    "appointment",
    "birthday",
    "funeral",
    "recovery",
    "condition",
    "pain",
    "family",
    "care",
];

/// Events after "was"/"is" that happen to patients.
const CLINICAL_EVENTS: &[&str] = &[
    "discharged",
    "admitted",
    "readmitted",
    "diagnosed",
    "recovering",
    "born",
    "transferred",
    "seen",
    "treated",
    "intubated",
    "extubated",
    "released",
    "hospitalized",
    "hospitalised",
    "sent",
    "moved",
    "rushed",
    "airlifted",
    "stable",
    "critical",
    "sedated",
];

/// Eponyms that are also common surnames.
const AMBIGUOUS_EPONYMS: &[&str] = &[
    "wilson",
    "williams",
    "turner",
    "bell",
    "bells",
    "barrett",
    "barretts",
    "stevens",
    "johnson",
    "down",
    "downs",
    "still",
    "pick",
    "bright",
    "addison",
    "cushing",
    "graves",
    "paget",
    "lewy",
    "reiter",
    "bowen",
    "conn",
    "hansen",
    "wolff",
    "parkinson",
    "huntington",
];

/// Words after a name that mean the "name" is a condition.
const DISEASE_WORDS: &[&str] = &[
    "disease",
    "diseases",
    "syndrome",
    "palsy",
    "sarcoma",
    "lymphoma",
    "dementia",
    "chorea",
    "thyroiditis",
    "disorder",
    "phenomenon",
    "sign",
    "law",
    "test",
    "scale",
    "criteria",
    "procedure",
    "maneuver",
    "reflex",
    "ulcer",
    "anemia",
    "aneurysm",
    "esophagus",
    "tumor",
    "tumour",
    "cyst",
    "contracture",
    "neuralgia",
    "encephalopathy",
    "dystrophy",
];

/// Credentials after a name that mark a clinician.
const CREDENTIALS: &[&str] = &[
    "md", "do", "rn", "np", "pa", "dpt", "pharmd", "rd", "rdn", "phd", "psyd", "dds", "dmd", "od",
    "lcsw", "lpc", "lmft", "cnm", "crna", "aprn", "fnp", "dnp", "msn", "bsn", "mph", "ms", "ma",
    "facc", "facp", "faap", "cdces", "ibclc", "lpn", "cna", "emt", "otr", "slp",
];

/// Verbs and phrases after which a person's name commonly follows in clinical stories.
pub(super) const OBJECT_TRIGGERS: &[&str] = &[
    "named",
    "meet",
    "met",
    "saw",
    "seen",
    "discharged",
    "admitted",
    "transferred",
    "visited",
    "treated",
    "charted",
    "belongs",
    "presented",
    "left",
    "wrong",
    "birthday",
    "bday",
    "rip",
    "remembering",
    "honor",
    "honour",
    "memory",
    "love",
    "miss",
    "congrats",
    "congratulations",
    "welcome",
    "thank",
    "thanks",
    "called",
    "texted",
    "messaged",
    "emailed",
    "told",
    "asked",
    "vip",
    "case",
    "hi",
    "hello",
    "hey",
    "dear",
    "bye",
    "goodbye",
    "sweet",
    "brave",
    "little",
];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Trigger {
    None,
    /// A verb or greeting that often takes a person ("discharged", "happy birthday").
    Weak,
    /// A relation, title, role or self-introduction right before.
    Strong,
}

pub fn detect(
    doc: &Doc,
    lex: &Lexicon,
    author: &Author,
    masked: &[Span],
    out: &mut Vec<Candidate>,
) {
    let author_words: Vec<String> = author
        .names
        .iter()
        .flat_map(|n| {
            n.split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.len() > 1)
        .collect();
    hashtag_names(doc, lex, out);
    let toks = &doc.toks;
    let mut i = 0;
    while i < toks.len() {
        let inside_mask = inside_any(masked, toks[i].start, toks[i].end);
        // Skip words in URLs, e-mails, addresses, hashtags, handles and possessive "'s".
        let after_apostrophe = i > 0
            && !toks[i].space_before
            && (toks[i - 1].is_punct('\'') || toks[i - 1].is_punct('’'));
        if toks[i].kind != Kind::Alpha
            || inside_mask
            || after_apostrophe
            || (i > 0 && toks[i - 1].is_punct('#'))
            || (i > 0 && toks[i - 1].is_punct('@'))
        {
            i += 1;
            continue;
        }
        // Most words cannot start a name: skip them before looking for triggers.
        let could_start = namey(doc, lex, i) != Namey::No
            || doc.toks[i].lower.chars().count() <= 2
            || (i + 2 < toks.len() && toks[i + 1].is_punct(','));
        if !could_start {
            i += 1;
            continue;
        }
        let trigger = trigger_before(doc, lex, i);
        let Some(end) = name_run(doc, lex, i, trigger) else {
            if let Some((a, b)) = surname_comma_first(doc, lex, i) {
                push_name(doc, a, a, 0.8, out);
                push_name(doc, b, b, 0.8, out);
                i = b + 1;
                continue;
            }
            i += 1;
            continue;
        };
        let end = trim_eponym(doc, lex, i, end);
        if let Some(conf) = accept(doc, lex, i, end, trigger, &author_words) {
            push_name(doc, i, end, conf, out);
            // "Surname, First (…)": the second part is a name too.
            if let Some((s2, e2)) = comma_first_name(doc, lex, end, trigger) {
                push_name(doc, s2, e2, conf, out);
                i = e2 + 1;
                continue;
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
}

fn push_name(doc: &Doc, start: usize, end: usize, confidence: f32, out: &mut Vec<Candidate>) {
    let span = Span::new(doc.toks[start].start, doc.toks[end].end);
    out.push(Candidate {
        label: PhiLabel::Name,
        span,
        confidence,
        priority: 4,
    });
}

/// The strongest trigger in the one or two words before token `i`.
fn trigger_before(doc: &Doc, lex: &Lexicon, i: usize) -> Trigger {
    let toks = &doc.toks;
    // Look back over punctuation like "," ":" "." "(" but not across a sentence end.
    let mut j = i;
    let mut words: [&str; 3] = [""; 3];
    let mut count = 0;
    while j > 0 && count < 3 {
        j -= 1;
        let t = &toks[j];
        if t.kind == Kind::Punct {
            if matches!(t.lower.as_str(), "!" | "?") {
                break;
            }
            if matches!(t.lower.as_str(), "-" | "—" | "–" | "~")
                && count == 0
                && is_signature_position(doc, i)
            {
                return Trigger::Strong;
            }
            continue;
        }
        words[count] = t.lower.as_str();
        count += 1;
    }
    let (w1, w2) = (words[0], words[1]);
    if lex.flags(w1) & flag::ROLE != 0
        && !matches!(
            w1,
            "for" | "about" | "regarding" | "member" | "name" | "student"
        )
    {
        return Trigger::Strong;
    }
    let introduces = matches!(
        (w1, w2),
        ("is" | "s", "name") | ("m" | "am", "i") | ("im", _) | ("is", "this" | "pt" | "patient")
    );
    if introduces {
        return Trigger::Strong;
    }
    if lex.flags(w1) & flag::RELATION != 0 && !matches!(w1, "little" | "sweet" | "dear" | "late") {
        return Trigger::Strong;
    }
    // "pray for Ana", "prayers for Ana", "fundraiser for Ana"
    if w1 == "for"
        && matches!(
            w2,
            "pray"
                | "praying"
                | "prayers"
                | "prayer"
                | "thoughts"
                | "fundraiser"
                | "gofundme"
                | "raising"
                | "donate"
        )
    {
        return Trigger::Strong;
    }
    if (w1 == "you" && w2 == "thank")
        || lex.object_triggers.contains(w1)
        || lex.flags(w1) & flag::RELATION != 0
        || (w1 == "on" && w2 == "charted")
        || (w1 == "to" && w2 == "belongs")
        || (w1 == "was" && w2 == "presented")
    {
        return Trigger::Weak;
    }
    Trigger::None
}

/// A name written as the last words of a post after a dash ("- Brian", "— Leon 🙏").
fn is_signature_position(doc: &Doc, i: usize) -> bool {
    doc.toks[i + 1..]
        .iter()
        .take(3)
        .all(|t| t.kind == Kind::Punct && !t.is_punct('.') || t.kind == Kind::Alpha)
        && doc.toks[i + 1..]
            .iter()
            .filter(|t| t.kind == Kind::Alpha)
            .count()
            <= 2
}

/// Whether token `j` can be part of a name, and how name-like it is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Namey {
    No,
    /// Unknown word, lower-case.
    Weak,
    /// Capitalised but not in the census lists (many names are not), or a known name in
    /// lower case.
    Medium,
    /// Capitalised and in the census lists.
    Strong,
}

fn namey(doc: &Doc, lex: &Lexicon, j: usize) -> Namey {
    let t = &doc.toks[j];
    if t.kind != Kind::Alpha {
        return Namey::No;
    }
    let w = t.lower.as_str();
    let raw = doc.tok_text(j);
    if w == "i" {
        return Namey::No;
    }
    // One lookup answers every list question about the word.
    let f = lex.flags(w);
    if f & flag::NEVER_NAME != 0 {
        // "April Rubio": a month used as a first name.
        if !(f & flag::MONTH != 0 && month_used_as_name(doc, lex, j)) {
            return Namey::No;
        }
    }
    if f & (flag::PROVIDER | flag::RELATION | flag::ROLE) != 0 {
        return Namey::No;
    }
    let acronym = raw.chars().count() > 1 && raw.chars().all(|c| c.is_uppercase());
    if acronym && !doc.shouting {
        // All-caps words are acronyms, except in a text that is all capitals.
        return if raw.chars().count() <= 3 {
            Namey::Weak
        } else {
            Namey::No
        };
    }
    let known = f & (flag::FIRST_NAME | flag::LAST_NAME) != 0;
    let common = f & flag::COMMON != 0;
    let cap = is_capitalised(raw);
    // Where the author capitalises, a lower-case word is not a name ("Pt resides at").
    if !cap && !doc.lower_style {
        return Namey::No;
    }
    match (cap && !doc.lower_style, known, common) {
        (true, true, false) => Namey::Strong,
        (true, true, true) => Namey::Medium,
        (true, false, _) => Namey::Medium,
        (false, true, false) => Namey::Medium,
        (false, _, true) => Namey::No,
        (false, false, false) => Namey::Weak,
    }
}

/// An initial: one or two letters, optionally with a period ("J.", "B", "RC", "e.s.").
fn initial_len(doc: &Doc, j: usize) -> Option<usize> {
    let t = doc.toks.get(j)?;
    if t.kind != Kind::Alpha || t.lower.chars().count() > 1 {
        return None;
    }
    Some(
        if doc
            .toks
            .get(j + 1)
            .is_some_and(|p| p.is_punct('.') && !p.space_before)
        {
            2
        } else {
            1
        },
    )
}

/// The tokens of a name starting at `i` (words and initials); returns the last token index.
fn name_run(doc: &Doc, lex: &Lexicon, i: usize, trigger: Trigger) -> Option<usize> {
    let toks = &doc.toks;
    // Initials only after a strong trigger: "pt J.D.", "Pt RC", "pt rb".
    if trigger == Trigger::Strong {
        if let Some(end) = initials_run(doc, i) {
            return Some(end);
        }
    }
    let first = namey(doc, lex, i);
    // An unknown lower-case word is a name only right after a strong trigger in a text
    // written all in lower case ("mr raman"); elsewhere lower case marks ordinary words.
    if first == Namey::No
        || (first == Namey::Weak
            && !(trigger == Trigger::Strong
                && doc.lower_style
                && title_or_relation_before(doc, lex, i)))
    {
        return None;
    }
    let mut end = i;
    let mut j = i + 1;
    let mut parts = 1;
    while j < toks.len() && parts < 4 {
        // A middle initial: "Nicole B. Wilson".
        if let Some(len) = initial_len(doc, j) {
            if toks[j].space_before
                && toks
                    .get(j + len)
                    .is_some_and(|n| n.space_before && namey(doc, lex, j + len) >= Namey::Medium)
            {
                j += len;
                continue;
            }
            break;
        }
        if !toks[j].space_before {
            break;
        }
        let n = namey(doc, lex, j);
        // Later parts must look at least as much like a name as the first part's case suggests.
        let same_case =
            is_capitalised(doc.tok_text(j)) == is_capitalised(doc.tok_text(i)) || doc.lower_style;
        // A census surname after a census first name, even if it is also a word ("christine ward").
        let surname_after_first = parts == 1
            && lex.is_first_name(&toks[i].lower)
            && !lex.is_common(toks[i].lower.as_str())
            && lex.is_last_name(&toks[j].lower)
            && toks[j].kind == Kind::Alpha;
        if (n >= Namey::Medium || surname_after_first) && same_case {
            end = j;
            parts += 1;
            j += 1;
        } else {
            break;
        }
    }
    Some(end)
}

fn initials_run(doc: &Doc, i: usize) -> Option<usize> {
    let toks = &doc.toks;
    let t = &toks[i];
    let raw = doc.tok_text(i);
    // "RC", "rb", "kb": two letters that are not a word.
    if t.kind == Kind::Alpha
        && t.lower.chars().count() == 2
        && !matches!(
            t.lower.as_str(),
            "is" | "in"
                | "on"
                | "at"
                | "to"
                | "of"
                | "an"
                | "as"
                | "be"
                | "by"
                | "he"
                | "me"
                | "my"
                | "no"
                | "so"
                | "up"
                | "us"
                | "we"
                | "it"
                | "or"
                | "do"
                | "go"
                | "hi"
                | "ok"
                | "am"
                | "pm"
                | "ed"
                | "er"
                | "bp"
                | "hr"
        )
    {
        let all_same_case =
            raw.chars().all(|c| c.is_uppercase()) || raw.chars().all(|c| c.is_lowercase());
        let next_is_word = toks
            .get(i + 1)
            .is_some_and(|n| n.kind == Kind::Alpha && n.space_before);
        if all_same_case && !next_is_word {
            return Some(i);
        }
    }
    // "J.D.", "A.K.", "e.s.": letters each followed by a period.
    let mut j = i;
    let mut count = 0;
    while let Some(len) = initial_len(doc, j) {
        if len != 2 {
            break;
        }
        count += 1;
        j += 2;
    }
    (count >= 2).then(|| j - 1)
}

/// Decides whether a candidate run is a private person's name; returns the confidence.
fn accept(
    doc: &Doc,
    lex: &Lexicon,
    start: usize,
    end: usize,
    trigger: Trigger,
    author_words: &[String],
) -> Option<f32> {
    let toks = &doc.toks;
    let words: Vec<&str> = (start..=end)
        .filter(|&k| toks[k].kind == Kind::Alpha)
        .map(|k| toks[k].lower.as_str())
        .collect();
    if words.is_empty()
        || clinician(doc, lex, start, end)
        || eponym(doc, lex, start, end)
        || organisation_follows(doc, end)
    {
        return None;
    }
    let phrase = words.join(" ");
    if lex.public_figures.iter().any(|f| {
        *f == phrase
            || (words.len() == 1
                && f.split(' ').next_back() == Some(words[0])
                && f.contains(' ')
                && trigger == Trigger::None)
    }) {
        return None;
    }
    if !author_words.is_empty() && words.iter().all(|w| author_words.iter().any(|a| a == w)) {
        return None;
    }
    let initials = words.iter().all(|w| w.chars().count() <= 2);
    let first_known = lex.is_first_name(words[0]) && !lex.is_common(words[0]);
    let last_known = words.len() > 1 && lex.is_last_name(words[words.len() - 1]);
    let capitalised = is_capitalised(doc.tok_text(start));
    let sentence_start = doc.sentence(start).first == start
        || toks[..start]
            .iter()
            .rev()
            .take_while(|t| t.kind == Kind::Punct)
            .any(|t| matches!(t.lower.as_str(), ":" | "(" | "\"" | "“"))
            && doc.sentence(start).first + 2 >= start;
    match trigger {
        Trigger::Strong if initials => Some(0.8),
        Trigger::Strong => {
            // After "I'm" only something name-like: "I'm Karen", not "I'm tired" (common words
            // were already refused by `namey`).
            let self_intro = matches!(
                doc.words_before(start, 1).first(),
                Some(&"m") | Some(&"im") | Some(&"am")
            );
            if self_intro && !capitalised && !first_known {
                return None;
            }
            Some(0.85)
        }
        Trigger::Weak if (capitalised && !doc.lower_style) || first_known => Some(0.7),
        _ if initials => None,
        // Known first name + known surname, any case: "Karen Rivera", "courtney vasquez".
        _ if first_known && last_known => Some(0.75),
        // "First M. Last": a middle initial is a strong sign of a person.
        _ if capitalised
            && !doc.lower_style
            && words.len() >= 3
            && words[1].chars().count() == 1 =>
        {
            Some(0.7)
        }
        // Any capitalised name-like word followed by an age, date or record in parentheses
        // ("Ansh (90)", "Vamakshi Mani (September 17, 1964)") or by "you are".
        _ if (capitalised || first_known)
            && !lex.is_common(words[0])
            && strong_person_context_after(doc, lex, end) =>
        {
            Some(0.65)
        }
        // A capitalised known first name mid-sentence, with a name-like neighbour or context.
        _ if capitalised && !doc.lower_style && first_known && !sentence_start => {
            let context = person_context_after(doc, end) || words.len() > 1;
            context.then_some(0.6)
        }
        _ => None,
    }
}

/// After a name: "(92)", "(September 17, 1964)", "(MRN …)", ", 96,", "you are".
fn strong_person_context_after(doc: &Doc, lex: &Lexicon, end: usize) -> bool {
    let toks = &doc.toks;
    let rest = doc.text[toks[end].end..].trim_start();
    if rest.starts_with('(') {
        let k = doc.tok_from(toks[end].end);
        let inner = toks.get(k + 1);
        return inner.is_some_and(|t| {
            t.kind == Kind::Num
                || MONTHS.contains(&t.lower.trim_end_matches('.'))
                || matches!(
                    t.lower.as_str(),
                    "mrn" | "dob" | "age" | "born" | "b" | "d" | "chart"
                )
        });
    }
    if let Some(after_comma) = rest.strip_prefix(", ") {
        let age: String = after_comma
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !age.is_empty() && age.len() <= 3 && after_comma[age.len()..].starts_with([',', ' ']) {
            return true;
        }
    }
    let next = doc.words_after(end + 1, 3);
    // "Chidi's mom", "Ana's MRI": a possessive before a relation or a record.
    if rest.starts_with("'s") || rest.starts_with("’s") {
        return next
            .get(1)
            .is_some_and(|w| lex.flags(w) & flag::RELATION != 0 || POSSESSED.contains(w));
    }
    // "Priya Raman was discharged", "Ana passed away".
    let event = match (next.first(), next.get(1)) {
        (Some(&("was" | "is" | "has" | "had" | "got" | "just")), Some(w)) => {
            CLINICAL_EVENTS.contains(w)
        }
        (Some(w), _) => matches!(
            *w,
            "passed" | "died" | "coded" | "fell" | "refused" | "presented" | "deteriorated"
        ),
        _ => false,
    };
    event
        || (next.first() == Some(&"you")
            && matches!(next.get(1), Some(&"are") | Some(&"re") | Some(&"were")))
}

/// "Ruben (92)", "Jason's MRI", "Ana, 96,", "Ana (MRN …)", "Ana kept dropping off".
fn person_context_after(doc: &Doc, end: usize) -> bool {
    let rest = &doc.text[doc.toks[end].end..];
    let rest = rest.trim_start();
    rest.starts_with('(')
        || rest.starts_with("'s")
        || rest.starts_with("’s")
        || rest.starts_with(", ")
        || doc.words_after(end + 1, 1).first().is_some_and(|w| {
            matches!(
                *w,
                "is" | "was"
                    | "has"
                    | "had"
                    | "says"
                    | "said"
                    | "kept"
                    | "keeps"
                    | "emailed"
                    | "called"
                    | "set"
                    | "makes"
                    | "made"
                    | "can"
                    | "will"
                    | "beat"
                    | "passed"
                    | "died"
                    | "you"
                    | "still"
                    | "just"
                    | "and"
            )
        })
}

/// A clinician: a title before ("Dr. Moore", "Nurse Joy") or a credential after ("Ana Ruiz, MD").
fn clinician(doc: &Doc, lex: &Lexicon, start: usize, end: usize) -> bool {
    let before = doc.words_before(start, 1);
    let title_before = before.first().is_some_and(|w| {
        matches!(
            *w,
            "dr" | "doctor" | "doc" | "prof" | "professor" | "nurse" | "np" | "pa" | "rn" | "dpt"
        ) || (lex.flags(w) & flag::PROVIDER != 0 && *w != "do" && *w != "pt")
    });
    let after = doc.words_after(end + 1, 1);
    let credential_after = after.first().is_some_and(|w| CREDENTIALS.contains(w))
        && doc.text[doc.toks[end].end..]
            .trim_start()
            .starts_with([',', ' '])
        && doc.toks.get(end + 1).is_some_and(|t| {
            t.is_punct(',')
                || t.kind == Kind::Alpha && doc.tok_text(end + 1).chars().all(|c| c.is_uppercase())
                || doc.lower_style
        });
    title_before || credential_after
}

/// "Crohn's", "Down syndrome", "Bell's palsy", "#Parkinsons".
fn eponym(doc: &Doc, lex: &Lexicon, start: usize, end: usize) -> bool {
    let toks = &doc.toks;
    let any_eponym = (start..=end).any(|k| lex.eponyms.contains(toks[k].lower.as_str()));
    if !any_eponym {
        return false;
    }
    // Only the next few characters matter ("'s", "’s"): never lower-case the whole rest.
    let rest: String = doc.text[toks[end].end..]
        .trim_start()
        .chars()
        .take(3)
        .collect::<String>()
        .to_lowercase();
    let rest = rest.as_str();
    let possessive = rest.starts_with("'s")
        || rest.starts_with("’s")
        || rest.starts_with('\'')
        || rest.starts_with('’');
    let disease_after = doc
        .words_after(end + 1, 2)
        .iter()
        .any(|w| DISEASE_WORDS.contains(w));
    let last = toks[end].lower.as_str();
    let last_is_eponym = lex.eponyms.contains(last);
    // Common surnames that also name conditions ("Wilson's disease", "Bell's palsy") are
    // conditions only with the condition word; "Mrs. Turner's daughter" is a person.
    if AMBIGUOUS_EPONYMS.contains(&last) {
        return last_is_eponym && disease_after;
    }
    (possessive || disease_after) && last_is_eponym
}

/// "Lakeview Rehab", "Mercy General Hospital": a name followed by an organisation word.
fn organisation_follows(doc: &Doc, end: usize) -> bool {
    doc.toks.get(end + 1).is_some_and(|t| {
        t.kind == Kind::Alpha
            && t.space_before
            && ORG_WORDS.contains(&t.lower.as_str())
            && (is_capitalised(doc.tok_text(end + 1)) || doc.lower_style)
    })
}

/// After "Allen" in "Allen, Lisa (MRN …)": the first name after the comma.
fn comma_first_name(
    doc: &Doc,
    lex: &Lexicon,
    end: usize,
    trigger: Trigger,
) -> Option<(usize, usize)> {
    let toks = &doc.toks;
    if !toks.get(end + 1)?.is_punct(',') {
        return None;
    }
    let j = end + 2;
    // A comma at the very end of the text has nothing after it (found by fuzzing).
    let paren_after = doc.text[toks.get(j)?.end..].trim_start().starts_with('(');
    let n = namey(doc, lex, j);
    let ok = paren_after && (n >= Namey::Medium || (n == Namey::Weak && trigger >= Trigger::Weak));
    ok.then_some((j, j))
}

/// Names inside prayer and support hashtags: "#PrayForÁnh", "#JusticeForMaria".
fn hashtag_names(doc: &Doc, lex: &Lexicon, out: &mut Vec<Candidate>) {
    const PREFIXES: &[&str] = &[
        "prayfor",
        "prayersfor",
        "praying4",
        "prayingfor",
        "justicefor",
        "strongfor",
        "bravefor",
        "healingfor",
        "lovefor",
        "fightfor",
        "fightlike",
        "team",
        "rip",
        "remembering",
        "getwellsoon",
        "standwith",
        "supportfor",
        "helpfor",
    ];
    let toks = &doc.toks;
    for i in 1..toks.len() {
        if !toks[i - 1].is_punct('#') || toks[i].kind != Kind::Alpha || toks[i].space_before {
            continue;
        }
        let word = doc.tok_text(i);
        let lower = &toks[i].lower;
        for p in PREFIXES {
            let Some(rest) = lower.strip_prefix(p) else {
                continue;
            };
            if rest.chars().count() < 2 {
                continue;
            }
            // Byte offset of the name inside the original token (lower-casing may change
            // lengths for some scripts, so map by characters).
            let skip = p.chars().count();
            let Some((offset, _)) = word.char_indices().nth(skip) else {
                continue;
            };
            let name = &word[offset..];
            let cap = name.starts_with(char::is_uppercase);
            let known = lex.is_first_name(rest) || lex.is_last_name(rest);
            if lex.is_common(rest)
                || lex.eponyms.contains(rest)
                || (*p == "team" && !known)
                || (!cap && !known && !doc.lower_style)
            {
                continue;
            }
            let start = toks[i].start + offset;
            out.push(Candidate {
                label: PhiLabel::Name,
                span: Span::new(start, toks[i].end),
                confidence: 0.8,
                priority: 4,
            });
            break;
        }
    }
}

/// "April" in "April Rubio", "June" in "june smith": a month used as a first name, recognised by
/// a census surname right after it (and no day number).
fn month_used_as_name(doc: &Doc, lex: &Lexicon, j: usize) -> bool {
    let Some(next) = doc.toks.get(j + 1) else {
        return false;
    };
    next.kind == Kind::Alpha
        && next.space_before
        && lex.is_last_name(&next.lower)
        && !lex.is_common(next.lower.as_str())
        && lex.is_first_name(&doc.toks[j].lower)
}

/// A name run that ends in an eponym ("Nihal" + "Barrett's") is cut before the eponym.
fn trim_eponym(doc: &Doc, lex: &Lexicon, start: usize, end: usize) -> usize {
    let mut e = end;
    while e > start && lex.eponyms.contains(doc.toks[e].lower.as_str()) && eponym(doc, lex, e, e) {
        e -= 1;
        while e > start && doc.toks[e].kind == Kind::Punct {
            e -= 1;
        }
    }
    e
}

/// "Allen, Lisa (MRN …)", "woods, terri (mrn …)": surname, comma, first name, then a record
/// in parentheses — the way charts list patients.
fn surname_comma_first(doc: &Doc, lex: &Lexicon, i: usize) -> Option<(usize, usize)> {
    let toks = &doc.toks;
    let (a, comma, b) = (toks.get(i)?, toks.get(i + 1)?, toks.get(i + 2)?);
    if a.kind != Kind::Alpha || !comma.is_punct(',') || b.kind != Kind::Alpha || !b.space_before {
        return None;
    }
    let function_word = |w: &str| {
        NOT_NAME_WORDS.contains(&w)
            || (lex.is_common(w) && !lex.is_last_name(w) && !lex.is_first_name(w))
    };
    if function_word(&a.lower)
        || function_word(&b.lower)
        || a.lower.chars().count() < 2
        || b.lower.chars().count() < 2
    {
        return None;
    }
    strong_person_context_after(doc, lex, i + 2).then_some((i, i + 2))
}

/// Function words never read as names, whatever the lists say.
const NOT_NAME_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "so",
    "if",
    "then",
    "yes",
    "no",
    "ok",
    "okay",
    "oh",
    "well",
    "also",
    "however",
    "today",
    "yesterday",
    "tomorrow",
    "now",
    "here",
    "there",
    "this",
    "that",
    "these",
    "those",
    "he",
    "she",
    "they",
    "we",
    "you",
    "it",
    "i",
    "me",
    "him",
    "her",
    "them",
    "us",
    "my",
    "your",
    "his",
    "our",
    "their",
    "its",
    "is",
    "was",
    "are",
    "were",
];

/// "mr raman", "my wife vi", "named ramon": words that announce a name outright (unlike "pt",
/// which is as often followed by a noun: "pt education").
fn title_or_relation_before(doc: &Doc, lex: &Lexicon, i: usize) -> bool {
    doc.words_before(i, 1).first().is_some_and(|w| {
        matches!(
            *w,
            "mr" | "mrs" | "ms" | "miss" | "mx" | "named" | "im" | "m"
        ) || lex.flags(w) & flag::RELATION != 0
    })
}

/// Whether `[start, end)` lies inside one of `spans` (sorted by start, non-nested enough for
/// a binary search to find the candidate).
fn inside_any(spans: &[Span], start: usize, end: usize) -> bool {
    let i = spans.partition_point(|s| s.start <= start);
    spans[..i]
        .iter()
        .rev()
        .take(4)
        .any(|s| s.start <= start && end <= s.end)
}
