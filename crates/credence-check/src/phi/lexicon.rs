//! Word lists, loaded once. Large lists are embedded data files with their origin in their
//! headers; short ones are written here.

pub use crate::fasthash::{FastMap, FastSet};

const FIRST_NAMES: &str = include_str!("../../data/names/first.tsv");
const LAST_NAMES: &str = include_str!("../../data/names/last.tsv");
const US_CITIES: &str = include_str!("../../data/phi/us_cities.txt");
const LEXICON: &str = include_str!("../../data/phi/lexicon.toml");

/// Common English words that are also in the census name lists ("will", "may", "brown",
/// "case"). In lower-case text, or without another sign, they are read as words, not names.
/// Written by the Credence project: English function words, frequent verbs, adjectives and
/// nouns, and words that recur in health posts.
const COMMON_WORDS: &str = "
a about above after again against ago all almost alone along already also although always am
among an and another any anyone anything are around as ask asked at away back bad be because
been before being below best better between big bit both but by call called came can cannot
care case cases change check child children close come coming could day days did do does
doing done down during each early else end enough even ever every everyone everything fact far
feel few find fine first five for found four free from full further get gets getting give given
go goes going gone good got great had half happy hard has have having he her here hers herself
him himself his home hope how however i if in into is it its itself just keep kind know last
late later least left less let life like little long look lot love made make many may maybe me
mean might mine more most much must my myself need needs never new next nice no none nor not
nothing now of off often oh ok okay old on once one only or other others our ours out over own
part past people per please plus point put quite rather read real really right said same saw
say says see seen she should show side since so some someone something soon still such sure
take taken tell than thank thanks that the their them then there these they thing things think
this those though three through time times to today together told too took toward true try
two under until up upon us use used very visit want was way we week well went were what when
where which while who whole whom whose why will wish with within without work would year years
yes yet you young your yours yourself
patient patients pt doctor nurse nurses hospital clinic unit room bed ward floor shift chart
care health medical med meds pain test tests result results scan blood heart brain lung liver
kidney skin bone cancer diabetes stroke surgery dose daily morning night evening tonight
weekend baby mom dad son wife husband family friend friends kids help update news story
journey page post prayers pray love miss grateful thank blessed strong brave sweet dear
little big old young new grand great black white green brown gray grey gold silver rose
hill wood woods field fields lake river park forest stone rock bridge king queen prince bishop
pope god lord mark will bill rich frank grant hunt hunter cook baker mason carter miller
fisher walker turner porter hall wall bell may june april august march rose lily iris ivy
faith hope joy grace pat sue kim don ray jay guy art ed al
";

/// Months and their abbreviations.
pub const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Countries, regions and nationalities: never a town, never a person.
pub const COUNTRIES: &[&str] = &[
    "america",
    "usa",
    "us",
    "canada",
    "mexico",
    "india",
    "china",
    "japan",
    "korea",
    "vietnam",
    "philippines",
    "uk",
    "england",
    "britain",
    "ireland",
    "scotland",
    "wales",
    "france",
    "germany",
    "spain",
    "italy",
    "portugal",
    "brazil",
    "argentina",
    "colombia",
    "peru",
    "chile",
    "guatemala",
    "honduras",
    "salvador",
    "nicaragua",
    "venezuela",
    "ecuador",
    "bolivia",
    "nigeria",
    "kenya",
    "ghana",
    "uganda",
    "egypt",
    "ethiopia",
    "morocco",
    "africa",
    "europe",
    "asia",
    "australia",
    "russia",
    "ukraine",
    "pakistan",
    "bangladesh",
    "jamaica",
    "haiti",
    "cuba",
    "greece",
    "turkey",
    "iran",
    "iraq",
    "syria",
    "lebanon",
    "sweden",
    "norway",
    "denmark",
    "finland",
    "netherlands",
    "belgium",
    "switzerland",
    "austria",
    "poland",
    "indonesia",
    "thailand",
    "malaysia",
    "singapore",
    "taiwan",
    "nepal",
    "zealand",
    "american",
    "mexican",
    "indian",
    "chinese",
    "english",
    "spanish",
    "hispanic",
    "latino",
    "latina",
    "asian",
    "african",
    "european",
    "canadian",
    "british",
];

/// Words that begin many town names ("Lake Mary", "North Platte", "Port Arthur").
pub const PLACE_PREFIXES: &[&str] = &[
    "north", "south", "east", "west", "new", "lake", "port", "mount", "mt", "fort", "ft", "saint",
    "st", "san", "santa", "los", "las", "el", "la", "grand", "little", "big", "upper", "lower",
    "glen", "palm", "cedar", "rock", "spring", "springs", "falls", "city", "beach", "hills",
    "park", "valley", "heights", "bay", "del", "des", "le", "green", "white", "black",
];

pub const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
];

/// US states and territories (names, and two-letter USPS codes): never labelled, and a ZIP code
/// often follows one.
pub const STATES: &[&str] = &[
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "california",
    "colorado",
    "connecticut",
    "delaware",
    "florida",
    "georgia",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "rhode island",
    "south carolina",
    "south dakota",
    "tennessee",
    "texas",
    "utah",
    "vermont",
    "virginia",
    "washington",
    "west virginia",
    "wisconsin",
    "wyoming",
    "puerto rico",
    "guam",
];
pub const STATE_CODES: &[&str] = &[
    "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia", "ks",
    "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny",
    "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv",
    "wi", "wy", "dc", "pr",
];

/// Words that end an organisation or facility name ("Lakeview Rehab", "Northside Urgent Care"):
/// a capitalised phrase followed by one is not a person or a town.
pub const ORG_WORDS: &[&str] = &[
    "hospital",
    "clinic",
    "center",
    "centre",
    "health",
    "healthcare",
    "medical",
    "medicine",
    "care",
    "rehab",
    "rehabilitation",
    "pharmacy",
    "university",
    "college",
    "school",
    "institute",
    "foundation",
    "association",
    "society",
    "academy",
    "group",
    "partners",
    "associates",
    "practice",
    "pediatrics",
    "cardiology",
    "oncology",
    "labs",
    "laboratory",
    "church",
    "department",
    "services",
    "network",
    "system",
    "systems",
    "inc",
    "llc",
    "corp",
    "company",
    "hospice",
    "home",
    "homes",
    "manor",
    "village",
    "county",
    "city",
    "street",
    "council",
    "board",
    "agency",
    "trust",
    "fund",
    "alliance",
    "coalition",
    "unit",
    "ward",
    "icu",
    "er",
    "ed",
    "urgent",
    "family",
    "general",
    "memorial",
    "regional",
    "community",
    "children's",
    "childrens",
    "mercy",
    "saint",
    "st",
    "day",
    "week",
    "month",
    "awareness",
    "syndrome",
    "disease",
    "disorder",
];

/// Keywords of vital signs and lab values: a number after one is a measurement, not an age.
pub const VITAL_WORDS: &[&str] = &[
    "bp",
    "hr",
    "pulse",
    "rr",
    "sat",
    "sats",
    "spo2",
    "o2",
    "glucose",
    "sugar",
    "sugars",
    "bg",
    "a1c",
    "hba1c",
    "temp",
    "temperature",
    "weight",
    "wt",
    "weighs",
    "lbs",
    "ldl",
    "hdl",
    "cholesterol",
    "triglycerides",
    "egfr",
    "gfr",
    "inr",
    "hgb",
    "hb",
    "wbc",
    "plt",
    "platelets",
    "creatinine",
    "tsh",
    "psa",
    "score",
    "bmi",
    "rate",
    "level",
    "levels",
    "iq",
    "k",
    "na",
];

/// Units: a number before one is a dose or measurement.
pub const UNITS: &[&str] = &[
    "mg", "mcg", "µg", "ug", "g", "kg", "lb", "lbs", "ml", "l", "cc", "units", "unit", "iu",
    "mmhg", "bpm", "percent", "pct", "minutes", "minute", "min", "mins", "hours", "hour", "hr",
    "hrs", "seconds", "sec", "secs", "days", "weeks", "months", "tabs", "tablets", "tablet",
    "pills", "pill", "caps", "capsules", "doses", "dose", "puffs", "drops", "cups", "servings",
    "steps", "calories", "kcal", "mmol", "meq", "cm", "mm", "in", "ft", "inches", "feet", "miles",
    "km", "times", "x", "people", "patients", "adults", "kids", "children", "cases", "deaths",
    "beds", "degrees", "f", "c",
];

#[derive(serde::Deserialize)]
struct LexiconFile {
    street_suffixes: Vec<String>,
    eponyms: Vec<String>,
    public_figures: Vec<String>,
    relation_words: Vec<String>,
    role_words: Vec<String>,
    provider_titles: Vec<String>,
    personal_cues: Vec<String>,
    public_cues: Vec<String>,
    facility_cues: Vec<String>,
}

/// What the lists say about one word, found with a single lookup (the hot paths ask several
/// questions about every word).
pub mod flag {
    pub const PERSONAL_CUE: u16 = 1;
    pub const RELATION: u16 = 1 << 1;
    pub const PUBLIC_CUE: u16 = 1 << 2;
    pub const FACILITY_CUE: u16 = 1 << 3;
    pub const PAIR_START: u16 = 1 << 4;
    pub const NEVER_NAME: u16 = 1 << 5;
    pub const PROVIDER: u16 = 1 << 6;
    pub const ROLE: u16 = 1 << 7;
    pub const FIRST_NAME: u16 = 1 << 8;
    pub const LAST_NAME: u16 = 1 << 9;
    pub const COMMON: u16 = 1 << 10;
    pub const MONTH: u16 = 1 << 11;
}

pub struct Lexicon {
    /// Word → `flag` bits, for every word of the lists above.
    pub flags: FastMap<std::borrow::Cow<'static, str>, u16>,
    pub not_place: FastSet<&'static str>,
    /// Product brand names (lower-case), which are never towns or people.
    pub brands: FastSet<String>,
    pub org_words: FastSet<&'static str>,
    pub object_triggers: FastSet<&'static str>,
    pub cities: FastSet<&'static str>,
    pub street_suffixes: FastSet<String>,
    pub eponyms: FastSet<String>,
    pub public_figures: Vec<String>,
    pub personal_cues: FastSet<String>,
    pub public_cues: FastSet<String>,
    pub facility_cues: FastSet<String>,
    /// Words whose misspellings are recognised ("membber", "licnese", "husbaand").
    vocab: FastSet<String>,
    /// Each vocabulary word with one letter deleted, to the word (`None` when two words share
    /// a variant, so the correction would be a guess).
    vocab_deletes: FastMap<String, Option<String>>,
    /// The first two letters of every vocabulary word: a cheap test before trying corrections.
    vocab_starts: FastSet<String>,
}

/// Words of identifier keywords and clinical events whose typos should still be recognised.
const KEYWORD_VOCABULARY: &[&str] = &[
    "license",
    "licence",
    "number",
    "member",
    "medicare",
    "medicaid",
    "account",
    "employee",
    "student",
    "claim",
    "serial",
    "transmitter",
    "prescription",
    "passport",
    "certificate",
    "subscriber",
    "insurance",
    "policy",
    "medical",
    "record",
    "records",
    "patient",
    "hospital",
    "portal",
    "device",
    "confirmation",
    "reference",
    "social",
    "security",
    "driver",
    "drivers",
    "plate",
    "birth",
    "death",
    "diagnosed",
    "admitted",
    "discharged",
    "surgery",
    "appointment",
    "birthday",
    "grandson",
    "granddaughter",
    "husband",
    "daughter",
    "mother",
    "father",
    "grandma",
    "grandpa",
    "pacemaker",
    "charted",
    "remission",
    "follow",
    "presented",
    "resides",
    "email",
    "handle",
    "wallet",
    "billing",
    "charged",
    "injured",
    "worker",
    "workers",
    "permission",
];

/// Every string made by deleting one character.
fn deletes(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|i| chars[..i].iter().chain(&chars[i + 1..]).collect())
        .collect()
}

/// Brand names from `data/brands.toml`, lower-cased (only the names are needed here).
fn brand_names() -> FastSet<String> {
    #[derive(serde::Deserialize)]
    struct Brands {
        brand: Vec<Brand>,
    }
    #[derive(serde::Deserialize)]
    struct Brand {
        name: String,
    }
    let brands: Brands = toml::from_str(include_str!("../../data/brands.toml"))
        .expect("embedded brands.toml is valid");
    brands
        .brand
        .into_iter()
        .map(|b| b.name.to_lowercase())
        .filter(|n| !n.contains(' '))
        .collect()
}

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    pub fn load() -> Lexicon {
        let file: LexiconFile = toml::from_str(LEXICON).expect("embedded lexicon.toml is valid");
        let set = |v: Vec<String>| v.into_iter().collect::<FastSet<String>>();
        let pair_starts: FastSet<String> = file
            .personal_cues
            .iter()
            .chain(&file.public_cues)
            .chain(&file.facility_cues)
            .filter_map(|c| c.split_once(' ').map(|(first, _)| first.to_string()))
            .collect();
        let vocab: FastSet<String> = file
            .relation_words
            .iter()
            .chain(&file.role_words)
            .chain(&file.provider_titles)
            .chain(&file.personal_cues)
            .chain(&file.public_cues)
            .chain(&file.facility_cues)
            .map(String::as_str)
            .chain(KEYWORD_VOCABULARY.iter().copied())
            .filter(|w| w.chars().count() >= 5 && !w.contains(' '))
            .map(str::to_string)
            .collect();
        let mut vocab_deletes: FastMap<String, Option<String>> = FastMap::default();
        for word in &vocab {
            for variant in deletes(word) {
                vocab_deletes
                    .entry(variant)
                    .and_modify(|v| {
                        if v.as_deref() != Some(word.as_str()) {
                            *v = None;
                        }
                    })
                    .or_insert_with(|| Some(word.clone()));
            }
        }
        use std::borrow::Cow;
        let mut flags: FastMap<Cow<'static, str>, u16> = FastMap::default();
        flags.reserve(100_000);
        {
            // Embedded lists are borrowed; only the few words from the TOML file are copied.
            let mut mark_static = |words: &mut dyn Iterator<Item = &'static str>, bit: u16| {
                for w in words {
                    *flags.entry(Cow::Borrowed(w)).or_default() |= bit;
                }
            };
            mark_static(
                &mut MONTHS
                    .iter()
                    .chain(WEEKDAYS)
                    .chain(COUNTRIES)
                    .chain(ORG_WORDS)
                    .chain(UNITS)
                    .chain(VITAL_WORDS)
                    .copied(),
                flag::NEVER_NAME,
            );
            mark_static(
                &mut data_lines(FIRST_NAMES).filter_map(|l| l.split('\t').next()),
                flag::FIRST_NAME,
            );
            mark_static(
                &mut data_lines(LAST_NAMES).filter_map(|l| l.split('\t').next()),
                flag::LAST_NAME,
            );
            mark_static(&mut COMMON_WORDS.split_whitespace(), flag::COMMON);
            mark_static(&mut MONTHS.iter().copied(), flag::MONTH);
            let mut mark = |words: &mut dyn Iterator<Item = &str>, bit: u16| {
                for w in words {
                    *flags.entry(Cow::Owned(w.to_string())).or_default() |= bit;
                }
            };
            mark(
                &mut file.personal_cues.iter().map(String::as_str),
                flag::PERSONAL_CUE,
            );
            mark(
                &mut file.relation_words.iter().map(String::as_str),
                flag::RELATION,
            );
            mark(
                &mut file.public_cues.iter().map(String::as_str),
                flag::PUBLIC_CUE,
            );
            mark(
                &mut file.facility_cues.iter().map(String::as_str),
                flag::FACILITY_CUE,
            );
            mark(
                &mut pair_starts.iter().map(String::as_str),
                flag::PAIR_START,
            );
            mark(
                &mut file.provider_titles.iter().map(String::as_str),
                flag::PROVIDER,
            );
            mark(&mut file.role_words.iter().map(String::as_str), flag::ROLE);
        }
        let vocab_starts = vocab.iter().map(|w| w.chars().take(2).collect()).collect();
        Lexicon {
            flags,
            vocab_starts,
            not_place: super::places::NOT_PLACE.iter().copied().collect(),
            brands: brand_names(),
            org_words: ORG_WORDS.iter().copied().collect(),
            object_triggers: super::names::OBJECT_TRIGGERS.iter().copied().collect(),
            vocab,
            vocab_deletes,
            facility_cues: set(file.facility_cues),
            cities: data_lines(US_CITIES).collect(),
            street_suffixes: set(file.street_suffixes),
            eponyms: set(file.eponyms),
            public_figures: file.public_figures,
            personal_cues: set(file.personal_cues),
            public_cues: set(file.public_cues),
        }
    }

    /// The vocabulary word a misspelt word stands for (one insertion, deletion, substitution or
    /// swap away), for words of five letters or more. `None` when the word is spelt right or is
    /// not close to exactly one vocabulary word.
    pub fn correct(&self, lower: &str) -> Option<&str> {
        // Short words are too often real words one letter away from a keyword ("drive" and
        // "driver"); and typos rarely change the first letter ("cereal" is not "serial").
        // Keywords are short; a long token is never one of their typos (and trying every
        // deletion of a huge token would cost quadratic time and memory).
        let len = lower.chars().count();
        if !(6..=16).contains(&len) || self.vocab.contains(lower) {
            return None;
        }
        let first = lower.chars().next();
        // A typo keeps the first letter and, nearly always, the second or the third.
        let start: String = lower.chars().take(2).collect();
        let start_skip: String = lower
            .chars()
            .take(1)
            .chain(lower.chars().skip(2).take(1))
            .collect();
        if !self.vocab_starts.contains(&start) && !self.vocab_starts.contains(&start_skip) {
            return None;
        }
        if let Some(Some(word)) = self.vocab_deletes.get(lower) {
            return (word.chars().next() == first).then_some(word.as_str());
        }
        // Try every one-letter deletion of the word, reusing one buffer.
        let chars: Vec<char> = lower.chars().collect();
        let mut variant = String::with_capacity(lower.len());
        let mut found: Option<&str> = None;
        for skip in 0..chars.len() {
            variant.clear();
            variant.extend(
                chars
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != skip)
                    .map(|(_, c)| c),
            );
            let hit = self
                .vocab
                .get(variant.as_str())
                .map(String::as_str)
                .or_else(|| {
                    self.vocab_deletes
                        .get(variant.as_str())
                        .and_then(|w| w.as_deref())
                });
            let hit = hit.filter(|w| w.chars().next() == first);
            match (found, hit) {
                (None, Some(w)) => found = Some(w),
                (Some(f), Some(w)) if f != w => return None,
                _ => {}
            }
        }
        found
    }

    /// A word some list knows as itself (a name, a town, a street word, a common word): never
    /// "corrected" into a keyword.
    pub fn is_known_word(&self, lower: &str) -> bool {
        let singular = lower.strip_suffix('s').unwrap_or(lower);
        self.is_first_name(lower)
            || self.is_last_name(lower)
            || self.cities.contains(lower)
            || self.is_common(lower)
            || self.street_suffixes.contains(lower)
            || self.street_suffixes.contains(singular)
    }

    /// The `flag` bits of a word (0 when no list has it).
    pub fn flags(&self, lower: &str) -> u16 {
        self.flags.get(lower).copied().unwrap_or(0)
    }

    pub fn is_common(&self, lower: &str) -> bool {
        self.flags(lower) & flag::COMMON != 0
    }

    pub fn is_first_name(&self, lower: &str) -> bool {
        self.flags(lower) & flag::FIRST_NAME != 0
    }

    pub fn is_last_name(&self, lower: &str) -> bool {
        self.flags(lower) & flag::LAST_NAME != 0
    }

    pub fn is_state(&self, lower: &str) -> bool {
        STATE_CODES.contains(&lower) || STATES.contains(&lower)
    }
}
