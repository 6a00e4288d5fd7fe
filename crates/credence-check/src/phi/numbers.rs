//! Identifiers with a recognisable shape: keyword-introduced numbers (MRN, member ID, claim
//! number…), SSNs, card numbers, VINs, phone and fax numbers, e-mail addresses, URLs, IP
//! addresses, dates and ages over 89.

use std::sync::OnceLock;

use regex::Regex;

use super::context::Doc;
use super::lexicon::{flag, FastMap, Lexicon, UNITS, VITAL_WORDS};
use super::text::Kind;
use super::{Candidate, PhiLabel};
use crate::Span;

struct Patterns {
    ssn: Regex,
    card: Regex,
    vin: Regex,
    phone: Regex,
    email: Regex,
    url: Regex,
    ipv4: Regex,
    ipv6: Regex,
    dates: Vec<Regex>,
    month_alone: Regex,
    age: Regex,
    handle: Regex,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("valid PHI pattern");
        Patterns {
            ssn: re(r"(?-u:\b)[0-9]{3}-[0-9]{2}-[0-9]{4}(?-u:\b)"),
            card: re(r"(?-u:\b)[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}(?-u:\b)"),
            vin: re(r"(?i)(?-u:\b)[a-hj-npr-z0-9]{17}(?-u:\b)"),
            phone: re(r"(?:\+?1[\s.\-]?)?(?:\([0-9]{3}\)\s?|(?-u:\b)[0-9]{3}[\s.\-]?)[0-9]{3}[\s.\-]?[0-9]{4}(?-u:\b)"),
            email: re(r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+\-]*@[a-z0-9][a-z0-9.\-]*\.[a-z]{2,}(?-u:\b)"),
            url: re(r"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>\x22']+|(?-u:\b)(?:[a-z0-9\-]+\.)+(?:com|org|net|gov|edu|io|me|co|us|ly|app|tv|info|health|blog|site|page|link)/[^\s<>\x22']*"),
            ipv4: re(r"(?-u:\b)(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?-u:\b)"),
            ipv6: re(r"(?i)(?-u:\b)(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?-u:\b)"),
            dates: vec![
                re(r"(?-u:\b)(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}|[0-9]{1,2}\.[0-9]{1,2}\.(?:19|20)[0-9]{2})(?-u:\b)"),
                re(r"(?-u:\b)[0-9]{1,2}[/\-][0-9]{1,2}(?:[/\-](?:[0-9]{4}|[0-9]{2}))?(?-u:\b)"),
                re(&format!(r"(?i)(?-u:\b){MONTH}\.?\s+[0-9]{{1,2}}(?:st|nd|rd|th)?(?-u:\b)(?:,?\s+[0-9]{{4}}(?-u:\b))?")),
                re(&format!(r"(?i)(?-u:\b)[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?-u:\b)\.?(?:,?\s+[0-9]{{4}}(?-u:\b))?")),
                re(&format!(r"(?i)(?-u:\b){MONTH}\.?,?\s+[0-9]{{4}}(?-u:\b)")),
            ],
            month_alone: re(r"(?i)(?-u:\b)(?:since|diagnosed|born|admitted|discharged|started|starting|until|through|back in|in|last|early|late|mid|during|around|by)\s+(?:in\s+)?(january|february|march|april|june|july|august|september|october|november|december|jan|feb|aug|sept|oct|nov|dec|May)(?-u:\b)"),
            age: re(r"(?-u:\b)(9[0-9]|1[01][0-9]|120)(?:[fFmM]|yo|YO|y/o)?(?-u:\b)"),
            handle: re(r"(?i)(?:^|[^0-9A-Za-z_@])(@[a-z0-9_][a-z0-9_.]{2,29})(?-u:\b)"),
        }
    })
}

/// Builds the patterns now (so the cost is paid when the engine is built, not on first use).
pub fn warm_up() {
    patterns();
    keyword_index();
}

/// Spans of URLs, e-mail addresses and handles, whether PHI or not: words inside them are not
/// names or places.
pub fn masks(doc: &Doc) -> Vec<Span> {
    let p = patterns();
    p.url
        .find_iter(doc.text)
        .chain(p.email.find_iter(doc.text))
        .map(|m| Span::new(m.start(), m.end()))
        .chain(
            p.handle
                .captures_iter(doc.text)
                .filter_map(|c| c.get(1))
                .map(|m| Span::new(m.start(), m.end())),
        )
        .collect()
}

pub fn detect(doc: &Doc, lex: &Lexicon, out: &mut Vec<Candidate>) {
    let p = patterns();
    let text = doc.text;
    keyword_ids(doc, out);
    // Cheap byte checks first: most patterns cannot match without a digit, an '@' or a link,
    // and skipping a regex scan is the biggest saving on long posts.
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let has_at = text.contains('@');
    if has_digit {
        for m in p.ssn.find_iter(text) {
            push(out, PhiLabel::Ssn, m.start(), m.end(), 0.9, 8);
        }
        for m in p.card.find_iter(text) {
            let digits: Vec<u32> = m.as_str().chars().filter_map(|c| c.to_digit(10)).collect();
            if (13..=19).contains(&digits.len()) && luhn(&digits) {
                push(out, PhiLabel::AccountNumber, m.start(), m.end(), 0.85, 7);
            }
        }
        for m in p.vin.find_iter(text) {
            let s = m.as_str();
            let digits = s.chars().filter(char::is_ascii_digit).count();
            if (3..=14).contains(&digits) {
                push(out, PhiLabel::VehicleId, m.start(), m.end(), 0.8, 7);
            }
        }
        for m in p.ipv4.find_iter(text).chain(p.ipv6.find_iter(text)) {
            push(out, PhiLabel::IpAddress, m.start(), m.end(), 0.9, 8);
        }
        phones(doc, p, out);
        ages(doc, p, out);
    }
    if has_at {
        emails(doc, p, out);
        handles(doc, p, out);
    }
    if text.contains('.') || text.contains('/') {
        urls(doc, lex, p, out);
    }
    dates(doc, lex, p, out, has_digit);
}

fn push(
    out: &mut Vec<Candidate>,
    label: PhiLabel,
    start: usize,
    end: usize,
    confidence: f32,
    priority: u8,
) {
    out.push(Candidate {
        label,
        span: Span::new(start, end),
        confidence,
        priority,
    });
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Words allowed between a keyword and its value ("MRN is 4471", "SSN ending in 4411").
const FILLERS: &[&str] = &[
    "is", "was", "number", "no", "num", "id", "ending", "ends", "are", "last", "four", "digits",
    "digit", "it", "its", "s", "code",
];

/// Keywords that introduce an identifier, as lower-case words (punctuation between them is
/// ignored, so "driver's license" is "driver s license"). Longer phrases are tried first.
const KEYWORDS: &[(&str, PhiLabel)] = &[
    ("medical record", PhiLabel::Mrn),
    ("mrn", PhiLabel::Mrn),
    ("mrns", PhiLabel::Mrn),
    ("chart", PhiLabel::Mrn),
    ("patient id", PhiLabel::Mrn),
    ("patient number", PhiLabel::Mrn),
    ("hospital id", PhiLabel::Mrn),
    ("hospital number", PhiLabel::Mrn),
    ("portal id", PhiLabel::Mrn),
    ("record number", PhiLabel::Mrn),
    ("encounter", PhiLabel::Mrn),
    ("member", PhiLabel::HealthPlanId),
    ("medicare", PhiLabel::HealthPlanId),
    ("medicaid", PhiLabel::HealthPlanId),
    ("mbi", PhiLabel::HealthPlanId),
    ("group number", PhiLabel::HealthPlanId),
    ("group id", PhiLabel::HealthPlanId),
    ("group no", PhiLabel::HealthPlanId),
    ("policy number", PhiLabel::HealthPlanId),
    ("policy id", PhiLabel::HealthPlanId),
    ("policy no", PhiLabel::HealthPlanId),
    ("insurance", PhiLabel::HealthPlanId),
    ("subscriber", PhiLabel::HealthPlanId),
    ("plan id", PhiLabel::HealthPlanId),
    ("acct", PhiLabel::AccountNumber),
    ("act", PhiLabel::AccountNumber),
    ("account", PhiLabel::AccountNumber),
    ("card", PhiLabel::AccountNumber),
    ("routing", PhiLabel::AccountNumber),
    ("iban", PhiLabel::AccountNumber),
    ("billing id", PhiLabel::AccountNumber),
    ("billing number", PhiLabel::AccountNumber),
    ("license plate", PhiLabel::VehicleId),
    ("licence plate", PhiLabel::VehicleId),
    ("plate", PhiLabel::VehicleId),
    ("plates", PhiLabel::VehicleId),
    ("tag number", PhiLabel::VehicleId),
    ("vin", PhiLabel::VehicleId),
    ("driver s license", PhiLabel::LicenseNumber),
    ("drivers license", PhiLabel::LicenseNumber),
    ("driver license", PhiLabel::LicenseNumber),
    ("dl", PhiLabel::LicenseNumber),
    ("license", PhiLabel::LicenseNumber),
    ("licence", PhiLabel::LicenseNumber),
    ("birth certificate", PhiLabel::LicenseNumber),
    ("death certificate", PhiLabel::LicenseNumber),
    ("birth cert", PhiLabel::LicenseNumber),
    ("death cert", PhiLabel::LicenseNumber),
    ("certificate", PhiLabel::LicenseNumber),
    ("cert", PhiLabel::LicenseNumber),
    ("state id", PhiLabel::LicenseNumber),
    ("serial", PhiLabel::DeviceId),
    ("sn", PhiLabel::DeviceId),
    ("s n", PhiLabel::DeviceId),
    ("device", PhiLabel::DeviceId),
    ("imei", PhiLabel::DeviceId),
    ("udi", PhiLabel::DeviceId),
    ("transmitter", PhiLabel::DeviceId),
    ("pump serial", PhiLabel::DeviceId),
    ("pump id", PhiLabel::DeviceId),
    ("sensor id", PhiLabel::DeviceId),
    ("claim", PhiLabel::OtherId),
    ("case number", PhiLabel::OtherId),
    ("case id", PhiLabel::OtherId),
    ("case", PhiLabel::OtherId),
    ("subject", PhiLabel::OtherId),
    ("study id", PhiLabel::OtherId),
    ("participant", PhiLabel::OtherId),
    ("student", PhiLabel::OtherId),
    ("employee", PhiLabel::OtherId),
    ("badge", PhiLabel::OtherId),
    ("rx", PhiLabel::OtherId),
    ("prescription", PhiLabel::OtherId),
    ("passport", PhiLabel::OtherId),
    ("confirmation", PhiLabel::OtherId),
    ("reference number", PhiLabel::OtherId),
    ("ticket", PhiLabel::OtherId),
    ("order number", PhiLabel::OtherId),
    ("ssn", PhiLabel::Ssn),
    ("ss", PhiLabel::Ssn),
    ("social security", PhiLabel::Ssn),
    ("social", PhiLabel::Ssn),
];

/// Values introduced by keywords ("MRN 448812", "member ID XJH847392011", "plate 953 MNX");
/// a keyword may introduce several ("MRNs 75862399 and 3812586").
fn keyword_ids(doc: &Doc, out: &mut Vec<Candidate>) {
    let words: Vec<usize> = (0..doc.toks.len())
        .filter(|&i| {
            doc.toks[i].kind != Kind::Punct
                && !(doc.toks[i].lower == "s" && i > 0 && !doc.toks[i].space_before)
        })
        .collect();
    let mut w = 0;
    while w < words.len() {
        let Some((len, label)) = keyword_at(doc, &words, w) else {
            w += 1;
            continue;
        };
        let mut at = doc.toks[words[w + len - 1]].end;
        let mut resume = w + len;
        for _ in 0..4 {
            let Some(span) = value_after(doc, at, label) else {
                break;
            };
            push(out, label, span.start, span.end, 0.95, 9);
            // Continue after the value, so a later keyword cannot claim it again.
            resume = resume.max(words.partition_point(|&i| doc.toks[i].start < span.end));
            // "… and 3812586", "…, A0443634"
            let next = doc.tok_from(span.end);
            let joined = doc
                .toks
                .get(next)
                .is_some_and(|t| matches!(t.lower.as_str(), "and" | "," | "&" | "or" | "/"));
            if !joined {
                break;
            }
            at = doc.toks[next].end;
        }
        w = resume;
    }
}

/// Keyword phrases split into words, indexed by their first word.
type KeywordIndex = FastMap<&'static str, Vec<(Vec<&'static str>, PhiLabel)>>;

/// Built once.
fn keyword_index() -> &'static KeywordIndex {
    static INDEX: OnceLock<KeywordIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = KeywordIndex::default();
        for (phrase, label) in KEYWORDS {
            let parts: Vec<&'static str> = phrase.split(' ').collect();
            index.entry(parts[0]).or_default().push((parts, *label));
        }
        index
    })
}

/// The longest keyword phrase starting at word `w`: (number of words, label).
fn keyword_at(doc: &Doc, words: &[usize], w: usize) -> Option<(usize, PhiLabel)> {
    let first = doc.toks[words[w]].lower.as_str();
    keyword_index()
        .get(first)?
        .iter()
        .filter(|(parts, _)| {
            parts.iter().enumerate().all(|(k, part)| {
                words
                    .get(w + k)
                    .is_some_and(|&i| doc.toks[i].lower == *part)
            })
        })
        .map(|(parts, label)| (parts.len(), *label))
        .max_by_key(|(len, _)| *len)
}

fn is_joiner(c: &str) -> bool {
    matches!(c, "-" | "." | "/" | "_")
}

/// The identifier after a keyword: alphanumeric groups joined by '-', '.', '/' or single
/// spaces, containing at least one digit.
fn value_after(doc: &Doc, at: usize, label: PhiLabel) -> Option<Span> {
    let toks = &doc.toks;
    let mut i = doc.tok_from(at);
    let mut skipped = 0;
    while i < toks.len() && skipped < 5 {
        let t = &toks[i];
        let skippable = match t.kind {
            Kind::Punct => matches!(
                t.lower.as_str(),
                ":" | "#" | "(" | "[" | "=" | "'" | "’" | "-" | "—" | "–"
            ),
            // "ending in 4411": "in" only after "ending".
            Kind::Alpha => {
                FILLERS.contains(&t.lower.as_str())
                    || (t.lower == "in"
                        && i > 0
                        && matches!(toks[i - 1].lower.as_str(), "ending" | "ends"))
                    || (t.lower == "on" && toks.get(i + 1).is_some_and(|n| n.lower == "file"))
                    || (t.lower == "file" && i > 0 && toks[i - 1].lower == "on")
            }
            Kind::Num => {
                t.lower == "4"
                    && toks
                        .get(i.wrapping_sub(1))
                        .is_some_and(|p| p.lower == "last")
            }
            _ => false,
        };
        if !skippable {
            break;
        }
        i += 1;
        skipped += 1;
    }
    let first = toks.get(i)?;
    if first.kind == Kind::Punct {
        return None;
    }
    let start = first.start;
    let mut end = first.end;
    let mut has_digit = first.has_digit();
    let mut j = i + 1;
    while j < toks.len() {
        let t = &toks[j];
        if t.kind == Kind::Punct && is_joiner(&t.lower) && !t.space_before {
            match toks.get(j + 1) {
                Some(n) if n.kind != Kind::Punct && !n.space_before => {
                    end = n.end;
                    has_digit |= n.has_digit();
                    j += 2;
                    continue;
                }
                _ => break,
            }
        }
        // A space-separated group continues the value when it has digits ("RNT 06691 5422"),
        // or, for plates, is a short group of capitals ("953 MNX").
        let gap_is_one_space = &doc.text[end..t.start] == " ";
        let continues = t.kind != Kind::Punct
            && gap_is_one_space
            && (t.has_digit()
                || (label == PhiLabel::VehicleId
                    && t.lower.len() <= 4
                    && (doc.text[t.start..t.end]
                        .chars()
                        .all(|c| c.is_ascii_uppercase())
                        || doc.lower_style)));
        if !continues {
            break;
        }
        end = t.end;
        has_digit |= t.has_digit();
        j += 1;
    }
    let value = &doc.text[start..end];
    // "case: 65yo F" introduces a patient, not a case number.
    let lower_value = value.to_lowercase();
    if lower_value
        .trim_end_matches(|c: char| c.is_alphabetic())
        .chars()
        .all(|c| c.is_ascii_digit())
        && [
            "yo", "y", "f", "m", "yr", "yrs", "mo", "wk", "am", "pm", "st", "nd", "rd", "th",
        ]
        .iter()
        .any(|s| lower_value.ends_with(s))
    {
        return None;
    }
    // A year alone ("my insurance 2024 plan") is not an identifier.
    if value.len() == 4
        && value.chars().all(|c| c.is_ascii_digit())
        && (value.starts_with("19") || value.starts_with("20"))
    {
        return None;
    }
    let long_enough = value.chars().filter(|c| c.is_alphanumeric()).count() >= 3;
    // A word without digits is never an identifier here ("chart notes", "account of").
    // A value may open with a short code in capitals ("RNT 06691 5422"), never with a word
    // ("in 2024", "on 3/14", "Stage 3-4").
    let first_text = &doc.text[first.start..first.end];
    let code_like = first.lower.chars().count() <= 5
        && (first_text.chars().all(|c| c.is_uppercase())
            || (doc.lower_style
                && !matches!(
                    first.lower.as_str(),
                    "in" | "on" | "at" | "of" | "stage" | "grade" | "level" | "type" | "step"
                )));
    let first_ok = first.has_digit() || (code_like && has_digit);
    (has_digit && long_enough && first_ok).then(|| Span::new(start, end))
}

const WEBMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "ymail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "comcast.net",
    "att.net",
    "verizon.net",
    "sbcglobal.net",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "mail.com",
    "zoho.com",
    "yandex.com",
    "cox.net",
    "charter.net",
    "earthlink.net",
];

/// Mailboxes of a role, not of a person.
const ROLE_MAILBOXES: &[&str] = &[
    "info",
    "contact",
    "records",
    "scheduling",
    "schedule",
    "referrals",
    "referral",
    "appointments",
    "appointment",
    "admin",
    "office",
    "frontdesk",
    "front.desk",
    "billing",
    "hello",
    "support",
    "help",
    "press",
    "media",
    "team",
    "clinic",
    "nurse",
    "nurses",
    "noreply",
    "no-reply",
    "questions",
    "pharmacy",
    "intake",
    "medicalrecords",
    "reception",
    "careers",
    "jobs",
    "webmaster",
    "privacy",
    "compliance",
    "patientservices",
    "care",
];

fn emails(doc: &Doc, p: &Patterns, out: &mut Vec<Candidate>) {
    for m in p.email.find_iter(doc.text) {
        let address = m.as_str().to_lowercase();
        let (local, domain) = address.split_once('@').unwrap_or((&address, ""));
        let personal_domain = WEBMAIL
            .iter()
            .any(|w| domain == *w || domain.ends_with(&format!(".{w}")));
        let role = ROLE_MAILBOXES.contains(&local)
            || local.contains("nurse")
            || local.contains("clinic")
            || looks_institutional(domain);
        let public = doc.sentence_at(m.start()).is_public();
        if personal_domain || (!role && !public) {
            push(
                out,
                PhiLabel::Email,
                m.start(),
                m.end(),
                if personal_domain { 0.95 } else { 0.7 },
                8,
            );
        }
    }
}

/// Hosts where a path leads to one person: social profiles, fundraisers, shared files, blogs.
const PERSONAL_HOSTS: &[&str] = &[
    "facebook.com",
    "fb.com",
    "instagram.com",
    "x.com",
    "twitter.com",
    "tiktok.com",
    "youtube.com",
    "youtu.be",
    "linkedin.com",
    "threads.net",
    "reddit.com",
    "pinterest.com",
    "snapchat.com",
    "twitch.tv",
    "tumblr.com",
    "medium.com",
    "substack.com",
    "blogspot.com",
    "wordpress.com",
    "gofundme.com",
    "caringbridge.org",
    "givesendgo.com",
    "mealtrain.com",
    "lotsahelpinghands.com",
    "fundly.com",
    "gogetfunding.com",
    "spotfund.com",
    "venmo.com",
    "cash.app",
    "paypal.me",
    "drive.google.com",
    "docs.google.com",
    "photos.google.com",
    "photos.app.goo.gl",
    "dropbox.com",
    "onedrive.live.com",
    "1drv.ms",
    "icloud.com",
    "imgur.com",
    "flickr.com",
    "wetransfer.com",
    "box.com",
    "linktr.ee",
    "bsky.app",
    "mastodon.social",
    "patreon.com",
    "ko-fi.com",
    "vimeo.com",
    "soundcloud.com",
];

fn urls(doc: &Doc, lex: &Lexicon, p: &Patterns, out: &mut Vec<Candidate>) {
    let _ = lex;
    for m in p.url.find_iter(doc.text) {
        let raw = m.as_str();
        // Sentence punctuation after a URL is not part of it.
        let trimmed = raw.trim_end_matches(|c: char| {
            matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '*') || !c.is_ascii()
        });
        if trimmed.is_empty() {
            continue;
        }
        let lower = trimmed.to_lowercase();
        let without_scheme = lower
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let (host, path) = without_scheme
            .split_once('/')
            .unwrap_or((without_scheme, ""));
        let host = host
            .trim_start_matches("www.")
            .split(':')
            .next()
            .unwrap_or_default();
        let personal_host = PERSONAL_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        let has_path = path.trim_matches('/').len() > 1;
        // "name.wordpress.com": a personal subdomain on a blogging host.
        let personal_subdomain = personal_host
            && PERSONAL_HOSTS
                .iter()
                .any(|h| host.ends_with(&format!(".{h}")) && !host.starts_with("www."));
        let sentence = doc.sentence_at(m.start());
        let personal_context = sentence.personal > 0 && !sentence.is_public();
        let public_site =
            host.ends_with(".gov") || host.ends_with(".edu") || host.ends_with(".int");
        if (personal_host && (has_path || personal_subdomain))
            || (personal_context && !public_site && !looks_institutional(host))
        {
            push(
                out,
                PhiLabel::Url,
                m.start(),
                m.start() + trimmed.len(),
                if personal_host { 0.9 } else { 0.6 },
                8,
            );
        }
    }
}

/// Health-organisation hosts (the source registry grades them elsewhere; here they only need
/// to be recognised as not personal).
fn looks_institutional(host: &str) -> bool {
    const WORDS: &[&str] = &[
        "health",
        "clinic",
        "hospital",
        "medical",
        "med",
        "cardiology",
        "pediatrics",
        "pharmacy",
        "cdc",
        "who",
        "nih",
        "mayoclinic",
        "cancer",
        "heart",
        "diabetes",
        "lung",
        "association",
        "society",
        "foundation",
        "journal",
        "nejm",
        "lancet",
        "bmj",
        "jama",
        "pubmed",
        "doi",
        "uspreventiveservicestaskforce",
        "healthychildren",
        "familymed",
        "care",
    ];
    WORDS.iter().any(|w| host.contains(w))
}

const RELATIONS_FOR_PHONES: &[&str] = &[
    "mom",
    "mother",
    "dad",
    "father",
    "son",
    "daughter",
    "wife",
    "husband",
    "brother",
    "sister",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "cousin",
    "friend",
    "neighbor",
    "neighbour",
    "partner",
    "kid",
    "child",
    "niece",
    "nephew",
    "caregiver",
    "patient",
];

/// "call my mom at …", "I called my brother at …": a relation in the few words before.
fn relation_just_before(before: &str) -> bool {
    let words: Vec<&str> = before
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let tail = &words[words.len().saturating_sub(4)..];
    tail.windows(2).any(|w| {
        matches!(w[0], "my" | "her" | "his" | "our" | "their")
            && RELATIONS_FOR_PHONES.contains(&w[1])
    })
}

const TOLL_FREE: &[&str] = &["800", "888", "877", "866", "855", "844", "833"];

/// Words that make a number an organisation's ("call us", "our office", "poison control").
const ORG_PHONE_CUES: &[&str] = &[
    "call us",
    "our office",
    "our clinic",
    "our practice",
    "our pharmacy",
    "our team",
    "poison control",
    "hotline",
    "helpline",
    "help line",
    "main line",
    "front desk",
    "with questions",
    "questions",
    "insurance says",
    "appointments",
    "to schedule",
    "office",
    "clinic",
    "practice fax",
    "pharmacy",
    "customer",
    "support line",
    "crisis",
    "i've called",
    "i called",
    "keep calling",
    "kept calling",
    "been calling",
    "ive called",
];

fn phones(doc: &Doc, p: &Patterns, out: &mut Vec<Candidate>) {
    let text = doc.text;
    for m in p.phone.find_iter(text) {
        // Not inside a longer run of digits (an ID or card number).
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '/' || c == '.')
            || after.is_some_and(|c| c.is_alphanumeric() || c == '-')
        {
            continue;
        }
        let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
        let area = if digits.len() == 11 {
            &digits[1..4]
        } else {
            &digits[..3.min(digits.len())]
        };
        if TOLL_FREE.contains(&area) {
            continue;
        }
        let sentence = doc.sentence_text(m.start());
        let before_text = doc.sentence_text_before(m.start());
        let personal = [
            "her number",
            "his number",
            "my number",
            "their number",
            "number is",
            "can be reached",
            "reach me",
            "call me",
            "text me",
            "my cell",
            "her cell",
            "his cell",
            "son's",
            "daughter's",
            "mom's",
            "dad's",
            "wife's",
            "husband's",
        ]
        .iter()
        .any(|c| before_text.contains(c))
            || relation_just_before(&before_text);
        let org = ORG_PHONE_CUES.iter().any(|c| sentence.contains(c))
            || doc.sentence_at(m.start()).is_public();
        if org && !personal {
            continue;
        }
        let fax = before_text.contains("fax");
        let label = if fax { PhiLabel::Fax } else { PhiLabel::Phone };
        push(
            out,
            label,
            m.start(),
            m.end(),
            if personal { 0.95 } else { 0.75 },
            7,
        );
    }
}

/// Words before a short numeric date that mark it as one.
const DATE_CUES: &[&str] = &[
    "on",
    "since",
    "dob",
    "born",
    "admitted",
    "discharged",
    "surgery",
    "until",
    "till",
    "by",
    "due",
    "appointment",
    "appt",
    "visit",
    "of",
    "from",
    "date",
    "dated",
    "died",
    "passed",
    "diagnosed",
    "started",
    "seen",
    "follow",
    "up",
    "scheduled",
    "before",
    "after",
    "as",
];

/// Events after a short numeric date ("the 12-26 visit").
const DATED_EVENTS: &[&str] = &[
    "visit",
    "appointment",
    "appt",
    "surgery",
    "admission",
    "discharge",
    "procedure",
    "scan",
    "mri",
    "labs",
    "test",
    "follow",
    "deadline",
    "birthday",
    "funeral",
    "shift",
];

/// Words after a number-pair that make it a ratio, dose or range instead of a date.
fn not_a_date_after(word: &str) -> bool {
    UNITS.contains(&word)
        || matches!(
            word,
            "of" | "split"
                | "ratio"
                | "scale"
                | "am"
                | "pm"
                | "shift"
                | "shifts"
                | "care"
                | "support"
                | "access"
                | "coverage"
                | "job"
                | "tablet"
                | "tab"
                | "cup"
                | "teaspoon"
                | "tsp"
                | "tbsp"
        )
}

fn dates(doc: &Doc, lex: &Lexicon, p: &Patterns, out: &mut Vec<Candidate>, has_digit: bool) {
    let text = doc.text;
    let has_month = doc
        .toks
        .iter()
        .any(|t| lex.flags(t.lower.trim_end_matches('.')) & flag::MONTH != 0);
    for (k, re) in p.dates.iter().enumerate() {
        // Patterns 0 and 1 are numeric; 2–4 need a month name and a number.
        if !has_digit || (k >= 2 && !has_month) {
            continue;
        }
        for m in re.find_iter(text) {
            let s = m.as_str();
            if k == 1 && !plausible_numeric_date(s) {
                continue;
            }
            // "3-4", "1-2" are usually ranges ("stage 3-4", "1-2 glasses"); as a date they
            // come after a word that dates something ("on 9-5", "since 12-2").
            if k == 1 && s.matches('-').count() == 1 && !s.contains('/') {
                let first_tok = doc.tok_from(m.start());
                let cue = doc
                    .words_before(first_tok, 2)
                    .iter()
                    .any(|w| DATE_CUES.contains(w))
                    || doc
                        .words_after(doc.tok_from(m.end()), 1)
                        .first()
                        .is_some_and(|w| DATED_EVENTS.contains(w));
                if !cue {
                    continue;
                }
            }
            // Numeric dates must not be glued to other numbers or letters (IDs, versions).
            if k <= 1 {
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '.' | '#'))
                    || after.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '%'))
                {
                    continue;
                }
            }
            let ti = doc.tok_from(m.end());
            let next = doc.words_after(ti, 1);
            if k == 1 && next.first().is_some_and(|w| not_a_date_after(w)) {
                continue;
            }
            let first_tok = doc.tok_from(m.start());
            let prev = doc.words_before(first_tok, 1);
            if prev.first().is_some_and(|w| {
                VITAL_WORDS.contains(w)
                    || matches!(
                        *w,
                        "ages"
                            | "age"
                            | "aged"
                            | "between"
                            | "score"
                            | "scored"
                            | "rated"
                            | "grade"
                            | "version"
                            | "v"
                            | "icd"
                            | "cpt"
                    )
            }) {
                continue;
            }
            // "may 5 people" is a verb; a month name needs a day that looks like one.
            if k == 2
                && s.to_lowercase().starts_with("may")
                && !s.starts_with('M')
                && next.first().is_some_and(|w| UNITS.contains(w))
            {
                continue;
            }
            if doc.sentence_at(m.start()).is_public() {
                continue;
            }
            let end = s.trim_end_matches('.').len() + m.start();
            push(out, PhiLabel::Date, m.start(), end, 0.8, 5);
        }
    }
    if !has_month {
        return;
    }
    for c in p.month_alone.captures_iter(text) {
        let Some(month) = c.get(1) else { continue };
        if doc.sentence_at(month.start()).is_public() {
            continue;
        }
        let _ = lex;
        push(out, PhiLabel::Date, month.start(), month.end(), 0.6, 4);
    }
}

/// "3/14", "12-2", "9/25/02": a month and a day in range, and not a fraction like "1/2".
fn plausible_numeric_date(s: &str) -> bool {
    let parts: Vec<u32> = s.split(['/', '-']).filter_map(|p| p.parse().ok()).collect();
    let (a, b) = match parts.as_slice() {
        [a, b] | [a, b, _] => (*a, *b),
        _ => return false,
    };
    let md = (1..=12).contains(&a) && (1..=31).contains(&b);
    let dm = (1..=12).contains(&b) && (1..=31).contains(&a);
    if !(md || dm) {
        return false;
    }
    // Common fractions and schedules written like dates.
    if parts.len() == 2 && matches!((a, b), (24, 7) | (50, 50)) {
        return false;
    }
    true
}

/// Ages of 90 and above, written as ages: "97 y/o", "a 101-year-old", "104F", "(92)", "age 94",
/// "she's 103", "is 100 and", "Ruben, 96, admitted".
fn ages(doc: &Doc, p: &Patterns, out: &mut Vec<Candidate>) {
    let text = doc.text;
    for c in p.age.captures_iter(text) {
        let (Some(whole), Some(m)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let glued = whole.end() > m.end();
        let before = &text[..m.start()];
        let rest = &text[m.end()..];
        // Part of a bigger number, a decimal, a ratio, a time or an ID.
        if before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | '$' | '#' | '-' | ':'))
            || (!glued
                && rest.starts_with(|c: char| c.is_alphanumeric() || matches!(c, '/' | '%' | ':')))
            || (rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        let ti = doc.tok_from(m.start());
        let prev = doc.words_before(ti, 2);
        let next = doc.words_after(ti + 1, 1);
        let next_word = next.first().copied().unwrap_or("");
        if prev.iter().any(|w| VITAL_WORDS.contains(w)) {
            continue;
        }
        let rest_lower: String = rest.chars().take(14).collect::<String>().to_lowercase();
        let glued_sex = glued;
        let age_suffix = glued_sex
            || [
                "y/o", "yo", "y.o", " y/o", " yo", " y.o", "-year", " year", "yr", " yr", "-yr",
            ]
            .iter()
            .any(|s| rest_lower.starts_with(s));
        if !age_suffix && UNITS.contains(&next_word) {
            continue;
        }
        let prev_word = prev.first().copied().unwrap_or("");
        let age_prefix = matches!(
            prev_word,
            "age" | "aged" | "turns" | "turned" | "turning" | "is" | "s" | "was" | "im" | "am"
        ) || (prev_word == "at" && prev.get(1) == Some(&"age"));
        let in_parens = before.ends_with('(') && rest.starts_with(')');
        // "At 96, my nana still walks": "at" plus a number opening a sentence.
        let at_opening = prev_word == "at"
            && rest.starts_with(',')
            && doc.sentence(ti).first + 1 >= ti
            && doc.words_after(ti + 1, 1).first().is_some_and(|w| {
                matches!(
                    *w,
                    "my" | "her"
                        | "his"
                        | "our"
                        | "their"
                        | "mom"
                        | "dad"
                        | "grandma"
                        | "grandpa"
                        | "nana"
                        | "she"
                        | "he"
                )
            });
        let after_name = before.ends_with(", ")
            && (rest.starts_with(',')
                || matches!(
                    next_word,
                    "admitted" | "presented" | "died" | "passed" | "was" | "is" | "and" | "yo"
                ));
        if age_suffix || age_prefix || in_parens || after_name || at_opening {
            push(out, PhiLabel::AgeOver89, m.start(), m.end(), 0.8, 6);
        }
    }
}

/// Social-media handles of a person ("my handle is @jdoe_88", "find her on insta @x").
fn handles(doc: &Doc, p: &Patterns, out: &mut Vec<Candidate>) {
    for c in p.handle.captures_iter(doc.text) {
        let Some(h) = c.get(1) else { continue };
        let sentence = doc.sentence_text(h.start());
        let cue = [
            "handle",
            "username",
            "user name",
            "insta",
            "ig ",
            "tiktok",
            "snap",
            "find me",
            "follow me",
            "dm me",
            "message me",
            "follow her",
            "follow him",
            "my account",
            "on x",
            "twitter",
            "forum",
        ]
        .iter()
        .any(|k| sentence.contains(k));
        if cue && !doc.sentence_at(h.start()).is_public() {
            push(out, PhiLabel::OtherId, h.start(), h.end(), 0.7, 6);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_dates() {
        assert!(plausible_numeric_date("3/14"));
        assert!(plausible_numeric_date("12-2"));
        assert!(plausible_numeric_date("9/25/02"));
        assert!(!plausible_numeric_date("142/91"));
        assert!(!plausible_numeric_date("24/7"));
    }

    #[test]
    fn luhn_check() {
        let d = |s: &str| s.chars().filter_map(|c| c.to_digit(10)).collect::<Vec<_>>();
        assert!(luhn(&d("4539 1488 0343 6467")));
        assert!(!luhn(&d("4539 1488 0343 6468")));
    }
}
