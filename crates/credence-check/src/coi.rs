//! Undisclosed commercial interest: brand promotion, affiliate links, discount codes and
//! sale prices in a post that carries no disclosure.
//!
//! What counts (all matching is case-insensitive; words match whole):
//! * **Brand mentions** from `data/brands.toml`. Brands marked `ambiguous` ("Boost",
//!   "Ensure", "Align", "Plan B") count only with commercial wording or a promotion signal
//!   in the same sentence ("buy", "my favourite", a price, a code ...), or when written
//!   exactly as the brand is written, not at the start of a sentence, with a promotion
//!   signal nearby. Generic drug names (metformin) are not brands and never count.
//! * **Promotion signals**, each a Warning on its own: affiliate and referral links
//!   (amzn.to, Amazon links with `tag=`, `?ref=`, affiliate `utm_` values, linktr.ee,
//!   ShareASale, rstyle.me, go.magik.ly, Shopify `/discount/` links ...), "link in bio",
//!   discount codes ("use my code X", "code SAVE20"), "20% off", sale prices ("only
//!   $19.99", "$10 off") and calls to buy ("buy now", "shop my ..."). A plain price ("insulin
//!   costs $300 a month") is only commercial *wording*, not a promotion: posts about drug
//!   prices are not adverts. Signals in one sentence are reported together. bit.ly and
//!   other general shorteners are not counted.
//! * **Disclosures**: "#ad", "#sponsored", "paid partnership", "I receive fees from", "I
//!   consult for", "Disclosure:", "affiliate link", "I earn a commission", ... A negated
//!   one ("I have no financial relationship with ...", "Disclosures: none") does not count.
//!
//! Severity ("nearby" = within about two sentences: 300 bytes, `NEAR`):
//! * with a disclosure anywhere in the post, commercial mentions are fine: no findings,
//!   except one Info when the disclosure comes only after the first promotion and not
//!   near the top;
//! * a brand matching `declared_companies` (the author's declared relationships, compared
//!   case-insensitively with the brand, its generic name or its maker) is Info: readers may
//!   not see the profile, so the post should say it too; so is a promotion signal near a
//!   declared brand or a declared company's name;
//! * otherwise a brand with a promotion signal nearby is a Warning, as is every promotion
//!   signal; a brand with commercial wording in its sentence, or in a post whose
//!   promotions are elsewhere, is Info; a brand in neutral context ("Ozempic shortage
//!   continues") is at most Info: for drug brands, a nudge to name the generic when the
//!   post doesn't. Each brand is reported once, at its most commercial mention.
//!
//! Makers: brands.toml has no company field, so makers come from a short table below of
//! well-known manufacturers, plus any company named in parentheses in a brand's `generic`
//! ("(Abbott)", "(Pfizer-BioNTech)").

use crate::style::text::{self, PhraseSet};
use crate::{Finding, FindingKind, Severity, Span};
use regex::Regex;
use serde::Deserialize;
use std::collections::HashSet;

const BRANDS_TOML: &str = include_str!("../data/brands.toml");

/// Well-known makers and the brands they market (names as in brands.toml). Partial by
/// design; used only to match the author's declared companies.
const MAKERS: &[(&[&str], &[&str])] = &[
    (
        &["Novo Nordisk", "Novo"],
        &[
            "Ozempic",
            "Wegovy",
            "Rybelsus",
            "Saxenda",
            "Victoza",
            "NovoLog",
            "NovoRapid",
            "Tresiba",
            "Levemir",
        ],
    ),
    (
        &["Eli Lilly", "Lilly"],
        &[
            "Mounjaro",
            "Zepbound",
            "Trulicity",
            "Humalog",
            "Basaglar",
            "Jardiance",
            "Taltz",
            "Cialis",
            "Prozac",
            "Cymbalta",
            "Zyprexa",
            "Strattera",
            "Forteo",
            "Kisunla",
        ],
    ),
    (
        &["Boehringer Ingelheim", "Boehringer"],
        &["Jardiance", "Pradaxa", "Spiriva"],
    ),
    (
        &["AstraZeneca"],
        &[
            "Farxiga",
            "Forxiga",
            "Crestor",
            "Brilinta",
            "Symbicort",
            "Tagrisso",
            "Nexium",
            "Losec",
            "Seroquel",
            "Arimidex",
        ],
    ),
    (
        &["Merck", "MSD"],
        &[
            "Januvia",
            "Janumet",
            "Keytruda",
            "Gardasil",
            "Zocor",
            "Singulair",
            "Cozaar",
            "Propecia",
            "Proscar",
            "Fosamax",
            "Nexplanon",
        ],
    ),
    (
        &["Pfizer"],
        &[
            "Lipitor",
            "Eliquis",
            "Xeljanz",
            "Ibrance",
            "Paxlovid",
            "Comirnaty",
            "Abrysvo",
            "Prevnar",
            "Zoloft",
            "Celebrex",
            "Lyrica",
            "Premarin",
            "Chantix",
            "Viagra",
            "Norvasc",
            "Effexor",
            "Xanax",
            "Zithromax",
        ],
    ),
    (
        &["Bristol Myers Squibb", "Bristol-Myers Squibb", "BMS"],
        &["Eliquis", "Opdivo", "Revlimid", "Plavix", "Coumadin"],
    ),
    (
        &["AbbVie"],
        &[
            "Humira",
            "Skyrizi",
            "Rinvoq",
            "Imbruvica",
            "Botox",
            "Vraylar",
            "Linzess",
            "Orilissa",
            "Ubrelvy",
            "Synthroid",
        ],
    ),
    (
        &["Johnson & Johnson", "J&J", "Janssen"],
        &[
            "Stelara",
            "Remicade",
            "Xarelto",
            "Tremfya",
            "Invokana",
            "Spravato",
            "Imbruvica",
            "Risperdal",
            "Concerta",
        ],
    ),
    (
        &["Kenvue"],
        &[
            "Tylenol",
            "Motrin",
            "Benadryl",
            "Zyrtec",
            "Neosporin",
            "Imodium",
            "Visine",
            "Rogaine",
            "Regaine",
        ],
    ),
    (
        &["Haleon"],
        &[
            "Advil",
            "Voltaren",
            "Panadol",
            "Centrum",
            "Emergen-C",
            "Tums",
            "Otrivine",
            "Abreva",
            "Caltrate",
        ],
    ),
    (
        &["Amgen"],
        &["Enbrel", "Repatha", "Prolia", "Otezla", "Aimovig"],
    ),
    (&["Sanofi"], &["Lantus", "Toujeo", "Dupixent", "Praluent"]),
    (&["Regeneron"], &["Dupixent", "Praluent", "Eylea"]),
    (
        &["Novartis"],
        &[
            "Entresto",
            "Cosentyx",
            "Gleevec",
            "Leqvio",
            "Zolgensma",
            "Xolair",
            "Diovan",
        ],
    ),
    (
        &["Roche", "Genentech"],
        &[
            "Herceptin",
            "Avastin",
            "Rituxan",
            "Ocrevus",
            "Xolair",
            "Tamiflu",
            "Xofluza",
        ],
    ),
    (
        &["Gilead"],
        &[
            "Biktarvy", "Truvada", "Descovy", "Genvoya", "Harvoni", "Epclusa",
        ],
    ),
    (
        &["GSK", "GlaxoSmithKline"],
        &[
            "Shingrix",
            "Arexvy",
            "Advair",
            "Seretide",
            "Trelegy Ellipta",
            "Breo Ellipta",
            "Nucala",
            "Ventolin",
            "Flovent",
        ],
    ),
    (&["Moderna"], &["Spikevax"]),
    (&["Vertex"], &["Trikafta", "Kaftrio"]),
    (&["Biogen"], &["Tecfidera", "Leqembi"]),
    (&["Eisai"], &["Leqembi", "Aricept"]),
    (&["Takeda"], &["Entyvio", "Vyvanse", "Elvanse"]),
    (&["Otsuka"], &["Abilify", "Rexulti"]),
    (
        &["Abbott"],
        &["FreeStyle Libre", "Lingo", "Ensure", "Pedialyte"],
    ),
    (&["Dexcom"], &["Dexcom", "Stelo"]),
    (&["Insulet"], &["Omnipod"]),
    (&["ResMed"], &["AirSense"]),
    (
        &["Bayer"],
        &[
            "Aleve",
            "Claritin",
            "Alka-Seltzer",
            "One A Day",
            "Canesten",
            "Midol",
            "MiraLAX",
            "Xarelto",
            "Citracal",
        ],
    ),
    (
        &["Procter & Gamble", "P&G"],
        &[
            "Pepto-Bismol",
            "Metamucil",
            "NyQuil",
            "DayQuil",
            "ZzzQuil",
            "Vicks VapoRub",
            "Align",
            "Prilosec",
        ],
    ),
    (
        &["Reckitt"],
        &[
            "Nurofen",
            "Gaviscon",
            "Strepsils",
            "Lemsip",
            "Mucinex",
            "Airborne",
        ],
    ),
    (
        &[
            "Nestle",
            "Nestlé",
            "Nestle Health Science",
            "Nestlé Health Science",
        ],
        &[
            "Pure Encapsulations",
            "Garden of Life",
            "Vital Proteins",
            "Nature's Bounty",
            "Solgar",
        ],
    ),
    (&["Unilever"], &["Olly", "Liquid I.V."]),
    (&["Church & Dwight"], &["Vitafusion"]),
    (&["Glanbia"], &["Optimum Nutrition"]),
    (&["Amway"], &["Nutrilite"]),
    (&["Apple"], &["Apple Watch"]),
    (&["Google"], &["Fitbit"]),
    (&["Hims & Hers"], &["Hims", "Hers"]),
    (&["Teladoc"], &["BetterHelp"]),
];

/// Hosts whose links earn the poster money or lead to a storefront (a host also matches
/// its subdomains).
const AFFILIATE_HOSTS: &[&str] = &[
    "amzn.to",
    "amzn.eu",
    "amzn.asia",
    "a.co",
    "linktr.ee",
    "beacons.ai",
    "stan.store",
    "shareasale.com",
    "shrsl.com",
    "rstyle.me",
    "go.magik.ly",
    "liketk.it",
    "shopltk.com",
    "shopstyle.it",
    "shopmy.us",
    "howl.me",
    "geni.us",
    "awin1.com",
    "prf.hn",
    "pntra.com",
    "avantlink.com",
    "anrdoezrs.net",
    "jdoqocy.com",
    "tkqlhce.com",
    "dpbolvw.net",
    "kqzyfj.com",
    "linksynergy.com",
    "skimresources.com",
    "sjv.io",
    "pxf.io",
    "refersion.com",
    "goaffpro.com",
];

/// Query keys that mark a link as an affiliate or referral link.
const AFFILIATE_KEYS: &[&str] = &[
    "ref",
    "ref_id",
    "aff",
    "affid",
    "aff_id",
    "affiliate",
    "affiliate_id",
    "affiliateid",
    "aff_sub",
    "afftrack",
    "irclickid",
    "irgwc",
    "ranmid",
    "raneaid",
    "ransiteid",
    "sscid",
    "cjevent",
    "rfsn",
    "sca_ref",
    "referral",
    "referral_code",
    "referralcode",
    "invite_code",
];

/// Query keys that carry a discount code.
const PROMO_KEYS: &[&str] = &[
    "discount",
    "discount_code",
    "coupon",
    "coupon_code",
    "promo",
    "promo_code",
    "code",
];

/// Words in a `utm_` value that mark paid promotion.
const UTM_MARKERS: &[&str] = &["affiliate", "influencer", "ambassador", "partner"];

/// All-capital words after "code" that are not discount codes ("CODE BLUE").
const NOT_CODES: &[&str] = &[
    "BLUE", "RED", "GREEN", "YELLOW", "ORANGE", "PINK", "PURPLE", "WHITE", "BLACK", "BROWN",
    "GREY", "GRAY", "SILVER", "STROKE", "STEMI", "SEPSIS", "TRAUMA", "STATUS",
];

/// Words just before "code X" that make X a clinical, billing or other code.
const CODE_CONTEXT: &[&str] = &[
    "icd",
    "icd-10",
    "10",
    "11",
    "cpt",
    "hcpcs",
    "billing",
    "diagnosis",
    "diagnostic",
    "zip",
    "postal",
    "post",
    "area",
    "genetic",
    "source",
    "dress",
    "status",
    "access",
    "country",
    "morse",
    "hospital",
    "emergency",
    "snomed",
    "loinc",
    "drg",
    "procedure",
];

/// Cue phrases. Disclosures make commercial mentions fine; `Strong` ones are promotion
/// signals; `Context` ones are commercial wording that only colours a nearby brand.
const CUES: &[(Cue, &[&str])] = &[
    (
        Cue::Disclosure,
        &[
            "#ad",
            "#advert",
            "#advertisement",
            "#sponsored",
            "#sponsor",
            "#spon",
            "#partner",
            "#paidpartner",
            "#paidpartnership",
            "#brandpartner",
            "#gifted",
            "#affiliate",
            "#affiliatelink",
            "#commissionsearned",
            "[ad]",
            "(ad)",
            "advertisement:",
            "ad:",
            "paid partnership",
            "paid partner",
            "sponsored by",
            "this post is sponsored",
            "sponsored post",
            "this is sponsored",
            "in partnership with",
            "i receive payment",
            "i received payment",
            "i receive fees",
            "i received fees",
            "i receive consulting fees",
            "i have received fees",
            "i have received payment",
            "i receive royalties",
            "i am paid by",
            "i'm paid by",
            "i was paid by",
            "i get paid by",
            "i am a consultant for",
            "i'm a consultant for",
            "i am a consultant to",
            "i'm a consultant to",
            "i consult for",
            "i have consulted for",
            "i've consulted for",
            "i am an advisor",
            "i'm an advisor",
            "i am an adviser",
            "i'm an adviser",
            "i serve on the advisory board",
            "i am on the advisory board",
            "i'm on the advisory board",
            "advisory board for",
            "speakers bureau",
            "speakers' bureau",
            "speaker's bureau",
            "disclosure:",
            "disclosures:",
            "full disclosure",
            "conflict of interest:",
            "conflicts of interest:",
            "competing interests:",
            "coi:",
            "i have a financial relationship",
            "i have financial relationships",
            "financial relationship with",
            "financial interest in",
            "affiliate link",
            "affiliate links",
            "contains affiliate",
            "i earn a commission",
            "i may earn a commission",
            "i earn a small commission",
            "i may earn a small commission",
            "i get a commission",
            "i receive a commission",
            "earn from qualifying purchases",
            "as an amazon associate",
            "i own shares",
            "i own stock",
            "i hold shares",
            "i hold stock",
            "i am an employee of",
            "i'm an employee of",
            "i am employed by",
            "i'm employed by",
            "brand ambassador",
            "i'm an ambassador",
            "i am an ambassador",
            "gifted by",
            "was gifted",
            "were gifted",
            "pr product",
            "pr package",
            "sent to me by",
            "sent me this",
        ],
    ),
    (
        Cue::Strong(Promo::AffiliateLink),
        &[
            "link in bio",
            "link in my bio",
            "links in bio",
            "links in my bio",
            "link in profile",
            "link in my profile",
            "link below",
            "links below",
            "use my link",
            "click my link",
            "via my link",
            "through my link",
            "shop my",
        ],
    ),
    (
        Cue::Strong(Promo::CallToBuy),
        &[
            "shop now",
            "buy now",
            "buy it now",
            "buy it here",
            "buy here",
            "order now",
            "order yours",
            "order here",
            "get yours",
            "grab yours",
            "grab it here",
            "swipe up",
            "bogo",
            "buy one get one",
            "free shipping",
            "limited time offer",
            "limited-time offer",
            "while supplies last",
        ],
    ),
    (
        Cue::Strong(Promo::DiscountCode),
        &["use code", "use my code"],
    ),
    // Deliberately not here, because health writing uses them neutrally: "link" ("the link
    // between X and Y"), "order" ("in order to"), "deal" ("deal with"), "available on"
    // ("available on prescription"), "check out", "must have".
    (
        Cue::Context,
        &[
            "buy",
            "buying",
            "purchase",
            "shop",
            "shopping",
            "my favourite",
            "my favorite",
            "my fave",
            "obsessed with",
            "swear by",
            "love my",
            "can't live without",
            "cant live without",
            "holy grail",
            "ambassador",
            "partnered with",
            "partnering with",
            "collab",
            "free trial",
            "subscribe",
            "subscription",
            "shipping",
            "in stock",
            "restock",
            "haul",
            "unboxing",
            "amazon",
            "deals",
            "sale",
            "price",
            "coupon",
            "promo",
            "discount",
            "must-have",
            "you need this",
        ],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Disclosure,
    Strong(Promo),
    Context,
}

/// Kinds of promotion signal, in the order they are named in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Promo {
    AffiliateLink,
    DiscountCode,
    Discount,
    SalePrice,
    CallToBuy,
}

impl Promo {
    fn label(self) -> &'static str {
        match self {
            Promo::AffiliateLink => "affiliate or shop link",
            Promo::DiscountCode => "discount code",
            Promo::Discount => "discount offer",
            Promo::SalePrice => "sale price",
            Promo::CallToBuy => "call to buy",
        }
    }
}

#[derive(Deserialize)]
struct BrandsFile {
    brand: Vec<BrandEntry>,
}

#[derive(Deserialize)]
struct BrandEntry {
    name: String,
    generic: String,
    kind: String,
    #[serde(default)]
    ambiguous: bool,
}

struct Brand {
    name: String,
    /// Generic name(s) before any parenthesis, folded, for "is the generic named too?".
    generics: Vec<String>,
    /// `name` normalised (see `norm_name`).
    name_norm: String,
    /// `generic` before any parenthesis, normalised, for declared-company matching.
    generic_norm: String,
    is_drug: bool,
    ambiguous: bool,
    /// Makers, normalised (see `norm_name`).
    makers: Vec<String>,
    /// The maker to name in messages.
    display_maker: String,
}

/// Commercial-interest check.
pub struct Coi {
    brands: Vec<Brand>,
    /// What each phrase of `phrases` is.
    terms: Vec<Term>,
    /// Brand names and cue phrases in one automaton: one pass over the text.
    phrases: PhraseSet,
    urls: Regex,
    offers: Regex,
}

#[derive(Debug, Clone, Copy)]
enum Term {
    Brand(usize),
    Cue(Cue),
}

impl Default for Coi {
    fn default() -> Self {
        Coi::new()
    }
}

/// One located commercial item found in the text.
#[derive(Debug, Clone, Copy)]
struct Item {
    span: Span,
    promo: Option<Promo>,
}

impl Coi {
    /// Parses the embedded brand list and builds the matchers.
    ///
    /// Panics only if the embedded data is malformed, which the unit tests rule out.
    pub fn new() -> Coi {
        let file: BrandsFile = toml::from_str(BRANDS_TOML).expect("data/brands.toml is valid");
        let brands: Vec<Brand> = file.brand.into_iter().map(Brand::from_entry).collect();
        let mut terms = Vec::new();
        let mut phrases = Vec::new();
        for (i, b) in brands.iter().enumerate() {
            phrases.push((b.name.clone(), terms.len()));
            terms.push(Term::Brand(i));
        }
        for (kind, cues) in CUES {
            for c in *cues {
                phrases.push((c.to_string(), terms.len()));
                terms.push(Term::Cue(*kind));
            }
        }

        let urls = Regex::new(
            r#"(?i)(?-u:\b)(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?::[0-9]{1,5})?(?:[/?#][^\s<>"'\[\]{}|\\^`]*)?"#,
        )
        .expect("url regex compiles");
        let offers = Regex::new(concat!(
            // discount codes: "use my code JANE15", "promo code: SAVE", "code SAVE20"
            r#"(?P<code>(?i:(?-u:\b)(?:use|enter|apply)\s+(?:my\s+|our\s+|the\s+|this\s+)?(?:promo\s+|discount\s+|coupon\s+|referral\s+|voucher\s+)?code)\s*:?\s*["'“‘]?[A-Za-z0-9][A-Za-z0-9_-]{2,24}"#,
            r#"|(?i:(?-u:\b)(?:promo|discount|coupon|referral|voucher)\s+code)\s*:?\s*["'“‘]?[A-Za-z0-9][A-Za-z0-9_-]{2,24}"#,
            r#"|(?-u:\b)(?i:code)\s*:?\s*["'“‘]?(?P<bare>[A-Z][A-Z0-9]{3,19})(?-u:\b))"#,
            // discounts: "20% off", "save 15%"
            r#"|(?P<pct>(?i:(?-u:\b)(?:(?:save|get|take)\s+)?[0-9]{1,3}\s?(?:%|percent)\s?(?:off|discount)(?-u:\b)|(?-u:\b)(?:save|get|take)\s+[0-9]{1,3}\s?(?:%|percent)))"#,
            // prices: "$49.99", "£20", "49 dollars"
            r#"|(?P<price>[$£€]\s?[0-9]{1,5}(?:,[0-9]{3})*(?:\.[0-9]{1,2})?|(?i:(?-u:\b)[0-9]{1,5}(?:\.[0-9]{2})?\s?(?:usd|gbp|eur|dollars|bucks|quid)(?-u:\b)))"#,
        ))
        .expect("offer regex compiles");

        Coi {
            brands,
            terms,
            phrases: PhraseSet::new(phrases.into_iter()),
            urls,
            offers,
        }
    }

    /// Commercial-interest findings for `text`, given the author's declared relationships.
    pub fn check(&self, text: &str, declared_companies: &[String]) -> Vec<Finding> {
        let declared: Vec<String> = declared_companies
            .iter()
            .map(|d| norm_name(d))
            .filter(|d| d.len() >= 2)
            .collect();

        // 1. Links, cues and offers.
        let mut disclosures: Vec<Span> = Vec::new();
        let mut context: Vec<Span> = Vec::new();
        let mut items: Vec<Item> = Vec::new();
        let mut link_spans = Vec::new();
        let found = text::dotted_pieces(text)
            .into_iter()
            .flat_map(|(offset, piece)| {
                self.urls
                    .find_iter(piece)
                    .map(move |m| (offset + m.start(), m.as_str()))
            });
        for (start, url) in found {
            let url = url.trim_end_matches(['.', ',', ')', '!', '?', ';', ':', '\'', '"']);
            let span = Span::new(start, start + url.len());
            link_spans.push(span);
            if let Some(promo) = classify_url(url) {
                items.push(Item {
                    span,
                    promo: Some(promo),
                });
            }
        }
        let mut brand_hits: Vec<(Span, usize)> = Vec::new();
        for hit in self
            .phrases
            .find(text.as_bytes(), |s, e| text::is_whole_word(text, s, e))
        {
            let span = Span::new(hit.start, hit.end);
            if text::inside_any(&link_spans, span) {
                continue;
            }
            match self.terms[hit.entry] {
                Term::Brand(b) => brand_hits.push((span, b)),
                Term::Cue(Cue::Disclosure) if !negated_disclosure(text, span) => {
                    disclosures.push(span)
                }
                Term::Cue(Cue::Disclosure) => {}
                Term::Cue(Cue::Strong(promo)) => items.push(Item {
                    span,
                    promo: Some(promo),
                }),
                Term::Cue(Cue::Context) => context.push(span),
            }
        }
        for caps in self.offers.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let span = Span::new(m.start(), m.end());
            if text::inside_any(&link_spans, span) {
                continue; // "$" or "code" inside a URL was judged with the URL
            }
            if caps.name("code").is_some() {
                if let Some(bare) = caps.name("bare") {
                    let word_before = text::words_before(text, m.start(), 1);
                    let clinical = word_before
                        .first()
                        .is_some_and(|w| CODE_CONTEXT.contains(&w.as_str()));
                    let code = bare.as_str();
                    let plausible = code.bytes().any(|b| b.is_ascii_digit())
                        || (code.len() >= 5 && !NOT_CODES.contains(&code));
                    if clinical || !plausible {
                        continue;
                    }
                }
                items.push(Item {
                    span,
                    promo: Some(Promo::DiscountCode),
                });
            } else if caps.name("pct").is_some() {
                let next = text::words_after(text, m.end(), 1);
                if next
                    .first()
                    .is_some_and(|w| matches!(w.as_str(), "of" | "less" | "more" | "fewer"))
                {
                    continue; // "save 20% of lives", "get 10% of your calories"
                }
                items.push(Item {
                    span,
                    promo: Some(Promo::Discount),
                });
            } else if caps.name("price").is_some() {
                let before = text::words_before(text, m.start(), 2);
                let after = text::words_after(text, m.end(), 1);
                let sale = before.iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "only"
                            | "just"
                            | "now"
                            | "sale"
                            | "save"
                            | "saving"
                            | "discounted"
                            | "reduced"
                            | "deal"
                            | "was"
                    )
                }) || after
                    .first()
                    .is_some_and(|w| matches!(w.as_str(), "off" | "only"));
                if sale {
                    items.push(Item {
                        span,
                        promo: Some(Promo::SalePrice),
                    });
                } else {
                    items.push(Item { span, promo: None }); // a plain price: commercial wording
                }
            }
        }
        // Remove items nested inside another (a "use code" cue inside a code match).
        items.sort_by_key(|i| (i.span.start, std::cmp::Reverse(i.span.end)));
        let mut deduped: Vec<Item> = Vec::with_capacity(items.len());
        for item in items {
            if deduped
                .last()
                .is_some_and(|l| item.span.end <= l.span.end && item.span.start >= l.span.start)
            {
                continue;
            }
            deduped.push(item);
        }
        let items = deduped;
        let promos: Vec<Item> = items
            .iter()
            .copied()
            .filter(|i| i.promo.is_some())
            .collect();
        context.extend(items.iter().filter(|i| i.promo.is_none()).map(|i| i.span));
        let disclosed = !disclosures.is_empty();
        // Sentences (by start) that hold commercial wording.
        let sentence_of = |span: Span| text::sentence_around(text, span.start, span.end).0;
        let wording_sentences: HashSet<usize> = context.iter().map(|&c| sentence_of(c)).collect();
        let promo_sentences: HashSet<usize> = promos.iter().map(|p| sentence_of(p.span)).collect();
        let promo_spans: Vec<Span> = promos.iter().map(|p| p.span).collect();

        let mut out = Vec::new();

        // 2. Brands.
        let mut best: Vec<Option<(Level, Span)>> = vec![None; self.brands.len()];
        for &(span, index) in &brand_hits {
            let brand = &self.brands[index];
            let sentence = sentence_of(span);
            let promo_near = near_any(&promo_spans, span);
            let wording_near = wording_sentences.contains(&sentence);
            if brand.ambiguous {
                // "boost", "ensure", "Plan B": only with commercial context, or written as
                // the brand (mid-sentence) next to a promotion.
                let exact = text.get(span.start..span.end) == Some(brand.name.as_str());
                let counted = wording_near
                    || promo_sentences.contains(&sentence)
                    || (exact && promo_near && !text::starts_sentence(text, span.start));
                if !counted {
                    continue;
                }
            }
            let level = if promo_near {
                Level::Promoted
            } else if wording_near || !promos.is_empty() {
                Level::Wording
            } else {
                Level::Neutral
            };
            let slot = &mut best[index];
            if slot.is_none_or(|(l, _)| level > l) {
                *slot = Some((level, span));
            }
        }
        let folded = text.to_lowercase();
        for (i, found) in best.iter().enumerate() {
            let Some((level, span)) = *found else {
                continue;
            };
            let brand = &self.brands[i];
            if disclosed {
                continue;
            }
            if let Some(d) = declared.iter().find(|d| brand.matches_declared(d)) {
                out.push(declared_finding(
                    span,
                    &brand.name,
                    original_declared(declared_companies, d),
                ));
                continue;
            }
            match level {
                Level::Promoted => out.push(Finding {
                    kind: FindingKind::CommercialInterest,
                    severity: Severity::Warning,
                    span: Some(span),
                    message: format!(
                        "This reads as promoting {name}; if you have any financial relationship with it, say so in the post (for example '#ad' or 'I consult for {maker}').",
                        name = brand.name,
                        maker = brand.display_maker
                    ),
                    suggestion: Some(format!(
                        "Add a clear disclosure at the start of the post (for example '#ad', 'Paid partnership with {maker}' or 'I receive consulting fees from {maker}'), or remove the promotional details (codes, links, prices).",
                        maker = brand.display_maker
                    )),
                }),
                Level::Wording => out.push(Finding {
                    kind: FindingKind::CommercialInterest,
                    severity: Severity::Info,
                    span: Some(span),
                    message: format!(
                        "The commercial wording around {name} (shopping words or a price) can read like a recommendation to buy it; if you have any financial relationship with it, say so in the post (for example '#ad' or 'I consult for {maker}').",
                        name = brand.name,
                        maker = brand.display_maker
                    ),
                    suggestion: Some("If there is no relationship, nothing to change; otherwise add a one-line disclosure near the start.".to_string()),
                }),
                Level::Neutral => {
                    let generic_named = brand.generics.iter().any(|g| folded.contains(g.as_str()));
                    if brand.is_drug && !generic_named && !brand.generics.is_empty() {
                        out.push(Finding {
                            kind: FindingKind::CommercialInterest,
                            severity: Severity::Info,
                            span: Some(span),
                            message: format!(
                                "'{name}' is a brand name ({generic}). Naming the generic drug keeps the post neutral; if you have any financial relationship with its maker, say so in the post.",
                                name = brand.name,
                                generic = brand.generics.join("/")
                            ),
                            suggestion: Some(format!(
                                "Add the generic name, for example '{generic} ({name})'.",
                                generic = brand.generics.join("/"),
                                name = brand.name
                            )),
                        });
                    }
                }
            }
        }

        // 3. Promotion signals, grouped by sentence.
        if !disclosed {
            // Where the post names a declared company or a brand of one: a promotion near
            // such a mention belongs to a declared relationship.
            let ascii_lower = text.to_ascii_lowercase();
            let mut declared_spans: Vec<(Span, &str)> = Vec::new();
            for d in declared_companies {
                let name = d.trim();
                if name.len() < 3 {
                    continue;
                }
                let needle = name.to_ascii_lowercase();
                for (at, _) in ascii_lower.match_indices(&needle) {
                    if text::is_whole_word(text, at, at + needle.len()) {
                        declared_spans.push((Span::new(at, at + needle.len()), name));
                    }
                }
            }
            for &(span, index) in &brand_hits {
                let brand = &self.brands[index];
                if let Some(d) = declared.iter().find(|d| brand.matches_declared(d)) {
                    declared_spans.push((span, original_declared(declared_companies, d)));
                }
            }
            declared_spans.sort_by_key(|(s, _)| s.start);
            let spans: Vec<Span> = declared_spans.iter().map(|(s, _)| *s).collect();
            let declared_near = |group: Span| -> Option<&str> {
                if !near_any(&spans, group) {
                    return None;
                }
                declared_spans
                    .iter()
                    .min_by_key(|(s, _)| s.start.abs_diff(group.start))
                    .map(|(_, name)| *name)
            };
            let mut i = 0;
            while i < promos.len() {
                let (s_start, s_end) =
                    text::sentence_around(text, promos[i].span.start, promos[i].span.end);
                let sentence = Span::new(s_start, s_end.max(promos[i].span.end));
                let mut j = i + 1;
                while j < promos.len() && promos[j].span.overlaps(&sentence) {
                    j += 1;
                }
                let group = &promos[i..j];
                let span = Span::new(
                    group[0].span.start,
                    group
                        .iter()
                        .map(|g| g.span.end)
                        .max()
                        .unwrap_or(group[0].span.end),
                );
                let mut kinds: Vec<Promo> = group.iter().filter_map(|g| g.promo).collect();
                kinds.sort();
                kinds.dedup();
                let what = kinds
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join(" and ");
                if let Some(who) = declared_near(span) {
                    out.push(Finding {
                        kind: FindingKind::CommercialInterest,
                        severity: Severity::Info,
                        span: Some(span),
                        message: format!(
                            "This {what} relates to a relationship your profile declares ({who}); readers of this post may not see your profile, so say it here too."
                        ),
                        suggestion: Some("Add one line near the start, for example 'Disclosure: I receive fees from X' or '#ad'.".to_string()),
                    });
                } else {
                    out.push(Finding {
                        kind: FindingKind::CommercialInterest,
                        severity: Severity::Warning,
                        span: Some(span),
                        message: format!(
                            "This {what} is a commercial signal: it can earn the author money when readers buy. If you have any financial relationship with the seller, say so in the post (for example '#ad' or 'affiliate link: I earn a commission')."
                        ),
                        suggestion: Some("Add a clear disclosure at the start of the post, or remove the link, code or offer.".to_string()),
                    });
                }
                i = j;
            }
        }

        // 4. A disclosure that only comes late.
        if disclosed {
            let first_disclosure = disclosures[0];
            let first_promo = promos.first().map(|p| p.span.start);
            if let Some(first_promo) = first_promo {
                if first_disclosure.start > first_promo && first_disclosure.start > 200 {
                    out.push(Finding {
                        kind: FindingKind::CommercialInterest,
                        severity: Severity::Info,
                        span: Some(first_disclosure),
                        message: "The disclosure comes only after the promotion, where readers may miss it.".to_string(),
                        suggestion: Some("Move the disclosure (for example '#ad') to the start of the post.".to_string()),
                    });
                }
            }
        }

        out.sort_by_key(|f| f.span.map(|s| (s.start, s.end)));
        out
    }
}

/// How commercial a brand mention looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Neutral,
    Wording,
    Promoted,
}

impl Brand {
    fn from_entry(e: BrandEntry) -> Brand {
        let primary = e
            .generic
            .split(['(', ';'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let generics: Vec<String> = if e.kind == "drug" {
            primary
                .split('/')
                .map(|g| g.trim().to_lowercase())
                .filter(|g| g.len() >= 4)
                .collect()
        } else {
            Vec::new()
        };
        let mut makers: Vec<String> = Vec::new();
        let mut display_maker = None;
        for (names, brands) in MAKERS {
            if brands.iter().any(|b| b.eq_ignore_ascii_case(&e.name)) {
                display_maker.get_or_insert_with(|| names[0].to_string());
                makers.extend(names.iter().map(|n| norm_name(n)));
            }
        }
        // Companies named in parentheses in `generic`: "(Abbott)", "(Pfizer-BioNTech)".
        let mut rest = e.generic.as_str();
        while let Some(open) = rest.find('(') {
            let after = &rest[open + 1..];
            let Some(close) = after.find(')') else { break };
            let inner = after[..close].trim();
            if inner.chars().next().is_some_and(char::is_uppercase) && inner != "OTC" {
                display_maker.get_or_insert_with(|| inner.to_string());
                makers.push(norm_name(inner));
            }
            rest = &after[close + 1..];
        }
        Brand {
            display_maker: display_maker.unwrap_or_else(|| e.name.clone()),
            name_norm: norm_name(&e.name),
            generic_norm: norm_name(&primary),
            generics,
            is_drug: e.kind == "drug",
            ambiguous: e.ambiguous,
            makers,
            name: e.name,
        }
    }

    /// `declared` (normalised) names this brand, its generic or one of its makers.
    fn matches_declared(&self, declared: &str) -> bool {
        names_match(declared, &self.name_norm)
            || declared == self.generic_norm
            || self.makers.iter().any(|m| names_match(declared, m))
    }
}

/// Lower-case, punctuation to spaces, corporate suffixes dropped: "Novo Nordisk A/S" ->
/// "novo nordisk", "Pfizer Inc." -> "pfizer".
fn norm_name(s: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "ag",
        "sa",
        "gmbh",
        "a",
        "s",
        "nv",
        "bv",
        "group",
        "holdings",
    ];
    let lowered: String = s
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '&' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut words: Vec<&str> = lowered
        .split_whitespace()
        .map(|w| if w == "and" { "&" } else { w })
        .collect();
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// Equal, or one contains the other as whole words (the shorter at least 3 characters):
/// "lilly" ~ "eli lilly", "pfizer" ~ "pfizer biontech".
fn names_match(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 3 && format!(" {long} ").contains(&format!(" {short} "))
}

/// How close (in bytes) a promotion signal must be to a brand or a declared name for
/// the two to be read together: about two sentences.
const NEAR: usize = 300;

/// Some span of `spans` (sorted by start, not overlapping) is within `NEAR` bytes of `span`.
fn near_any(spans: &[Span], span: Span) -> bool {
    let gap = |p: &Span| {
        if p.end <= span.start {
            span.start - p.end
        } else {
            p.start.saturating_sub(span.end)
        }
    };
    let i = spans.partition_point(|p| p.start < span.start);
    spans[i.saturating_sub(1)..(i + 1).min(spans.len())]
        .iter()
        .any(|p| gap(p) <= NEAR)
}

fn original_declared<'a>(declared: &'a [String], normalised: &'a str) -> &'a str {
    declared
        .iter()
        .find(|d| norm_name(d) == normalised)
        .map(|d| d.trim())
        .unwrap_or(normalised)
}

fn declared_finding(span: Span, brand: &str, declared: &str) -> Finding {
    Finding {
        kind: FindingKind::CommercialInterest,
        severity: Severity::Info,
        span: Some(span),
        message: format!(
            "Your profile declares a relationship with {declared}, and this post mentions {brand}; readers of the post may not see your profile, so say it here too (for example 'I consult for {declared}')."
        ),
        suggestion: Some(format!(
            "Add one line near the start, for example 'Disclosure: I receive fees from {declared}.'"
        )),
    }
}

/// "I have no financial relationship with ...", "Disclosures: none".
fn negated_disclosure(text: &str, span: Span) -> bool {
    const NEG: &[&str] = &[
        "no", "not", "never", "zero", "don't", "dont", "nor", "without",
    ];
    const EMPTY: &[&str] = &["none", "nothing", "n", "na", "nil", "no"];
    text::words_before(text, span.start, 3)
        .iter()
        .any(|w| NEG.contains(&w.as_str()))
        || text::words_after(text, span.end, 1)
            .first()
            .is_some_and(|w| EMPTY.contains(&w.as_str()))
}

/// What kind of promotion a URL is, if any.
fn classify_url(url: &str) -> Option<Promo> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host_end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    let host = rest[..host_end].trim_start_matches("www.");
    let path_query = &rest[host_end..];
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, q.split('#').next().unwrap_or("")),
        None => (path_query.split('#').next().unwrap_or(""), ""),
    };
    let host_is = |h: &str| {
        host.strip_suffix(h)
            .is_some_and(|p| p.is_empty() || p.ends_with('.'))
    };

    let params: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    if params
        .iter()
        .any(|(k, v)| PROMO_KEYS.contains(k) && !v.is_empty())
        || path.contains("/discount/")
    {
        return Some(Promo::DiscountCode);
    }
    if AFFILIATE_HOSTS.iter().any(|h| host_is(h)) {
        return Some(Promo::AffiliateLink);
    }
    let amazon = host.split('.').any(|label| label == "amazon");
    if amazon && params.iter().any(|(k, _)| *k == "tag") {
        return Some(Promo::AffiliateLink);
    }
    if params.iter().any(|(k, _)| AFFILIATE_KEYS.contains(k)) {
        return Some(Promo::AffiliateLink);
    }
    if params
        .iter()
        .any(|(k, v)| k.starts_with("utm_") && UTM_MARKERS.iter().any(|m| v.contains(m)))
    {
        return Some(Promo::AffiliateLink);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coi() -> Coi {
        Coi::new()
    }

    fn check(text: &str) -> Vec<Finding> {
        coi().check(text, &[])
    }

    fn warnings(text: &str) -> Vec<String> {
        check(text)
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(|f| f.span.unwrap().text(text).to_string())
            .collect()
    }

    fn max_severity(findings: &[Finding]) -> Option<Severity> {
        findings.iter().map(|f| f.severity).max()
    }

    #[test]
    fn brands_load_and_makers_exist() {
        let c = coi();
        assert_eq!(c.brands.len(), 379);
        assert!(c.brands.iter().filter(|b| b.ambiguous).count() > 30);
        for (_, brands) in MAKERS {
            for b in *brands {
                assert!(
                    c.brands.iter().any(|x| x.name == *b),
                    "maker table names unknown brand {b}"
                );
            }
        }
        let oz = c.brands.iter().find(|b| b.name == "Ozempic").unwrap();
        assert_eq!(oz.display_maker, "Novo Nordisk");
        let libre = c
            .brands
            .iter()
            .find(|b| b.name == "FreeStyle Libre")
            .unwrap();
        assert!(libre.makers.contains(&"abbott".to_string()));
    }

    #[test]
    fn promo_post_without_disclosure_warns() {
        let text = "Obsessed with Athletic Greens! Use my code JANE20 for 20% off, link in bio.";
        let f = check(text);
        let w = warnings(text);
        assert!(w.contains(&"Athletic Greens".to_string()), "{w:?}");
        assert_eq!(w.len(), 2, "{w:?}"); // the brand, and the code/offer/link group
        let brand = f
            .iter()
            .find(|f| f.span.unwrap().text(text) == "Athletic Greens")
            .unwrap();
        assert_eq!(brand.kind, FindingKind::CommercialInterest);
        assert!(brand.message.contains("promoting Athletic Greens"));
        assert!(brand.message.contains("#ad"));
        assert!(brand.suggestion.is_some());
        let group = f
            .iter()
            .find(|f| f.message.contains("discount code"))
            .unwrap();
        assert!(group.message.contains("discount offer"));
        assert!(group.message.contains("affiliate or shop link"));
    }

    #[test]
    fn disclosure_makes_it_fine() {
        for d in [
            "#ad ",
            "#sponsored ",
            "Paid partnership with Nutrafol. ",
            "Disclosure: I receive fees from the maker. ",
            "I am a consultant for the company. ",
            "(affiliate link) ",
            "I earn a commission on sales. ",
            "I have a financial relationship with them. ",
        ] {
            let text = format!("{d}Love my Nutrafol, use code HAIR15 at https://amzn.to/3abc");
            let f = check(&text);
            assert!(f.is_empty(), "{d}: {f:?}");
        }
    }

    #[test]
    fn negated_disclosure_is_not_a_disclosure() {
        let text =
            "I have no financial relationship with anyone. Buy Prevagen now, use code MIND20!";
        assert_eq!(max_severity(&check(text)), Some(Severity::Warning));
        let text = "Disclosures: none. Use code SAVE20 on Goli gummies.";
        assert_eq!(max_severity(&check(text)), Some(Severity::Warning));
    }

    #[test]
    fn declared_companies_downgrade_to_info() {
        let text = "Ozempic is now easier to get: order through https://example.com/?ref=drjane";
        let declared = vec!["Novo Nordisk A/S".to_string()];
        let f = coi().check(text, &declared);
        assert!(!f.is_empty());
        assert_eq!(max_severity(&f), Some(Severity::Info), "{f:?}");
        assert!(f.iter().any(|f| f.message.contains("Novo Nordisk A/S")));
        // also by brand name and by generic, case-insensitively
        for d in ["ozempic", "SEMAGLUTIDE", "novo nordisk"] {
            let f = coi().check(text, &[d.to_string()]);
            assert_eq!(max_severity(&f), Some(Severity::Info), "{d}");
        }
        // an unrelated declaration does not help
        let f = coi().check(text, &["Pfizer".to_string()]);
        assert_eq!(max_severity(&f), Some(Severity::Warning));
    }

    #[test]
    fn neutral_brand_mentions_are_at_most_info() {
        let f = check("Ozempic shortage continues into next year.");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].message.contains("semaglutide"));
        // generic named: nothing to say
        assert!(check("The Ozempic (semaglutide) shortage continues.").is_empty());
        // a plain price is news, not promotion
        let f = check("Without insurance, Ozempic costs about $1,000 a month.");
        assert_eq!(max_severity(&f), Some(Severity::Info));
        // generic drug names are not commercial
        assert!(
            check("Metformin remains first-line therapy; buy time with lifestyle changes.")
                .is_empty()
        );
    }

    #[test]
    fn ambiguous_brands_need_context() {
        assert!(
            check("Make sure you ensure good sleep; boost your fibre; align your goals.")
                .is_empty()
        );
        assert!(check("Allegra and Ella went to the clinic. Plan B was to go home.").is_empty());
        assert!(check("Boost is a brand of drink.").is_empty());
        // with commercial wording in the sentence it counts
        let f = check("My favourite protein drink is Premier Protein, you can buy it anywhere.");
        assert!(f.iter().any(|f| f
            .span
            .unwrap()
            .text("My favourite protein drink is Premier Protein, you can buy it anywhere.")
            == "Premier Protein"));
        // exact casing mid-sentence in a post with a promotion signal
        let text = "Every morning I drink Ensure. Use code SHAKE10 to save.";
        let w = warnings(text);
        assert!(w.contains(&"Ensure".to_string()), "{w:?}");
    }

    #[test]
    fn affiliate_links() {
        for url in [
            "https://amzn.to/3xYz",
            "amzn.to/3xYz",
            "https://www.amazon.com/dp/B000?tag=jane-20",
            "https://www.amazon.co.uk/dp/B000?th=1&tag=jane-21",
            "https://shop.example.com/p?ref=jane",
            "https://example.com/x?utm_source=ig&utm_medium=affiliate",
            "linktr.ee/drjane",
            "https://www.shareasale.com/r.cfm?b=1",
            "https://rstyle.me/n/abc",
            "https://go.magik.ly/ml/1/",
            "https://brand.com/discount/JANE15",
        ] {
            let text = format!("Get it here {url}.");
            let w = warnings(&text);
            assert_eq!(w.len(), 1, "{url}: {w:?}");
            assert!(w[0].starts_with(url.trim_end_matches('.')), "{url}: {w:?}");
        }
        for url in [
            "https://www.amazon.com/dp/B000/ref=sr_1_1",
            "https://pubmed.ncbi.nlm.nih.gov/12345/",
            "https://example.com/page?utm_source=newsletter",
            "https://bit.ly/abc",
        ] {
            assert!(warnings(&format!("See {url}")).is_empty(), "{url}");
        }
    }

    #[test]
    fn codes_offers_prices() {
        assert_eq!(warnings("use my code JANE15"), vec!["use my code JANE15"]);
        assert_eq!(
            warnings("Promo code: WELL at checkout"),
            vec!["Promo code: WELL"]
        );
        assert_eq!(warnings("code SAVE20 works"), vec!["code SAVE20"]);
        assert_eq!(warnings("Now only $49.99!"), vec!["$49.99"]);
        assert_eq!(warnings("Take 25% off today"), vec!["Take 25% off"]);
        assert_eq!(warnings("£10 off your first box"), vec!["£10"]);
        // not codes or offers
        assert!(
            warnings("ICD-10 code E11.9 and CPT code 99213; the hospital called a CODE BLUE.")
                .is_empty()
        );
        assert!(
            warnings("Statins save 20% of lives in this group and cut risk by 30 percent.")
                .is_empty()
        );
        assert!(warnings("The trial cost $2.6 billion and insulin is capped at $35.").is_empty());
    }

    #[test]
    fn promotion_far_from_a_brand_does_not_make_it_promoted() {
        let filler = "Sleep, movement and regular meals matter more than any product. ".repeat(6);
        let text = format!(
            "For a fever, Tylenol (acetaminophen) works for most adults. {filler} My newsletter: link in bio."
        );
        let f = check(&text);
        let tylenol = f
            .iter()
            .find(|f| f.span.unwrap().text(&text) == "Tylenol")
            .unwrap();
        assert_eq!(tylenol.severity, Severity::Info);
        assert_eq!(warnings(&text), vec!["link in bio"]);
    }

    #[test]
    fn declared_relationship_covers_only_nearby_promotion() {
        let declared = vec!["Novo Nordisk".to_string()];
        let filler =
            "Protein and strength training help keep muscle while losing weight. ".repeat(6);
        let text = format!(
            "Wegovy helped many of my patients. {filler} Separately, I love these gummies: https://amzn.to/3xyz"
        );
        let f = coi().check(&text, &declared);
        let wegovy = f
            .iter()
            .find(|f| f.span.unwrap().text(&text) == "Wegovy")
            .unwrap();
        assert_eq!(wegovy.severity, Severity::Info);
        let link = f
            .iter()
            .find(|f| f.span.unwrap().text(&text).starts_with("https://amzn.to"))
            .unwrap();
        assert_eq!(link.severity, Severity::Warning);
    }

    #[test]
    fn late_disclosure_is_noted() {
        let filler = "This is a long story about my routine and why it matters to me. ".repeat(4);
        let text = format!("Use code JANE15 for Olly. {filler} #ad");
        let f = check(&text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].message.contains("disclosure"));
    }

    #[test]
    fn names_normalise_and_match() {
        assert_eq!(norm_name("Novo Nordisk A/S"), "novo nordisk");
        assert_eq!(norm_name("Pfizer Inc."), "pfizer");
        assert_eq!(norm_name("Johnson & Johnson"), "johnson & johnson");
        assert_eq!(norm_name("Johnson and Johnson"), "johnson & johnson");
        assert!(names_match("lilly", "eli lilly"));
        assert!(!names_match("li", "eli lilly"));
        assert!(!names_match("pfi", "pfizer"));
    }

    #[test]
    fn never_panics() {
        let c = coi();
        let long = "Buy Ozempic at amzn.to/x with code SAVE20 for $9.99! ".repeat(2000);
        let declared = vec![
            "".to_string(),
            "  ".to_string(),
            "é".to_string(),
            "Novo".to_string(),
        ];
        for t in [
            "",
            "$",
            "code",
            "use my code",
            "http://",
            "https://amzn.to",
            "www.",
            "😀Ozempic😀 $😀 code 😀",
            "\u{202E}Ozempic\u{202C} #ad",
            "£€$ 1,000,000,000 %off",
            "\u{0}\u{1}?ref=",
            long.as_str(),
        ] {
            for f in c.check(t, &declared) {
                let s = f.span.unwrap();
                assert!(t.get(s.start..s.end).is_some(), "{t:?}");
            }
        }
    }
}
