//! People: the generated accounts, their profiles, credentials and disclosures.

use super::texts::TOPICS;
use super::writer::{
    Rows, DISCLOSURE_COLUMNS, PROFILE_COLUMNS, USER_COLUMNS, V, VERIFICATION_COLUMNS,
};
use super::{earliest_id_time, id_at, texts, DAY_MS, SPAN_DAYS};
use credence_core::profiles::{npi_check_digit, ProfileKind, VerificationState};
use credence_core::{profiles, Role};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::Arc;

pub(super) struct Author {
    pub(super) user_id: i64,
    pub(super) profile_id: i64,
    pub(super) role: Role,
    pub(super) verification: VerificationState,
    pub(super) handle: String,
    pub(super) email: String,
    pub(super) display_name: String,
    /// Index into [`texts::SPECIALTIES`] (professionals) or [`texts::ORGANISATIONS`].
    pub(super) variant: usize,
    /// Topics this author mostly posts about (indexes into [`TOPICS`]).
    pub(super) focus: Vec<usize>,
    pub(super) created_at: i64,
    /// How much they post, and how much others follow and favourite them (relative).
    pub(super) activity: f64,
    pub(super) popularity: f64,
}

impl Author {
    pub(super) fn verified(&self) -> bool {
        self.verification == VerificationState::Verified
    }
}

pub(super) struct People {
    pub(super) authors: Vec<Author>,
}

#[derive(Default)]
pub(super) struct AccountCounts {
    pub(super) professionals: u64,
    pub(super) verified: u64,
    pub(super) organisations: u64,
    pub(super) members: u64,
    pub(super) other_rows: u64,
}

impl People {
    pub(super) fn generate(
        n: usize,
        rng_seed: u64,
        now: i64,
        taken_handles: &HashSet<String>,
        taken_emails: &HashSet<String>,
    ) -> People {
        let mut rng = StdRng::seed_from_u64(rng_seed);
        let organisations = ((n as f64) * 0.08).round() as usize;
        let members = if n >= 2 {
            (((n as f64) * 0.22).round() as usize).max(1)
        } else {
            0
        };
        let professionals = n - organisations.min(n) - members.min(n - organisations.min(n));
        let mut roles: Vec<Role> = std::iter::repeat_n(Role::Professional, professionals)
            .chain(std::iter::repeat_n(Role::Organisation, organisations))
            .chain(std::iter::repeat_n(Role::Member, members))
            .take(n)
            .collect();
        // Interleave roles so that ids (creation times) do not group by role.
        for i in (1..roles.len()).rev() {
            roles.swap(i, rng.gen_range(0..=i));
        }
        // Popularity follows a power law over a random ranking (a few authors have most of
        // the followers), scaled by how much people follow each kind of account.
        let mut ranking: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            ranking.swap(i, rng.gen_range(0..=i));
        }
        let mut handles: HashSet<String> = taken_handles.clone();
        // Accounts were opened up to three years before the posts began (never before ids
        // could record it).
        let newest = (now - (SPAN_DAYS + 1) * DAY_MS).max(earliest_id_time() + 1);
        let oldest = (now - 3 * 365 * DAY_MS)
            .max(earliest_id_time())
            .min(newest - 1);
        let mut authors = Vec::with_capacity(n);
        for (i, role) in roles.into_iter().enumerate() {
            let first = texts::FIRST_NAMES[rng.gen_range(0..texts::FIRST_NAMES.len())];
            let last = texts::LAST_NAMES[rng.gen_range(0..texts::LAST_NAMES.len())];
            let (stem, display_name, variant, verification) = match role {
                Role::Professional => {
                    let v = rng.gen_range(0..texts::SPECIALTIES.len());
                    let s = &texts::SPECIALTIES[v];
                    let state = match rng.gen_range(0..100) {
                        0..=84 => VerificationState::Verified,
                        85..=89 => VerificationState::Pending,
                        _ => VerificationState::Unverified,
                    };
                    (
                        format!("{}_{}", s.handle_stem, last.to_ascii_lowercase()),
                        s.display.replace("{f}", first).replace("{l}", last),
                        v,
                        state,
                    )
                }
                Role::Organisation => {
                    let v = rng.gen_range(0..texts::ORGANISATIONS.len());
                    let city = texts::CITIES[rng.gen_range(0..texts::CITIES.len())];
                    let (kind, pattern, _) = texts::ORGANISATIONS[v];
                    let word = match kind {
                        "clinic" => "health",
                        "hospital" => "hospital",
                        "public_health_agency" => "publichealth",
                        "advocacy_group" => "network",
                        "professional_association" => "nurses",
                        _ => "research",
                    };
                    let state = if rng.gen_bool(0.9) {
                        VerificationState::Verified
                    } else {
                        VerificationState::Unverified
                    };
                    (
                        format!("{}_{word}", city.to_ascii_lowercase().replace(' ', "")),
                        pattern.replace("{c}", city),
                        v,
                        state,
                    )
                }
                _ => (
                    format!(
                        "{}_{}",
                        first.to_ascii_lowercase(),
                        &last[..1].to_ascii_lowercase()
                    ),
                    format!("{first} {}.", &last[..1]),
                    0,
                    VerificationState::None,
                ),
            };
            // A number makes the handle unique; a taken one (earlier run, real account) is
            // skipped.
            let mut number = i + 1;
            let handle = loop {
                let candidate = format!("{stem}{number}");
                let email = format!("{candidate}@seed.credence.example");
                if !handles.contains(&candidate) && !taken_emails.contains(&email) {
                    break candidate;
                }
                number += n;
            };
            handles.insert(handle.clone());
            let focus = match role {
                Role::Professional => texts::SPECIALTIES[variant]
                    .focus
                    .iter()
                    .filter_map(|slug| TOPICS.iter().position(|t| t.slug == *slug))
                    .collect(),
                Role::Organisation => (0..3).map(|_| rng.gen_range(0..TOPICS.len())).collect(),
                _ => Vec::new(),
            };
            let (post_factor, follow_factor) = match (role, verification) {
                (Role::Organisation, VerificationState::Verified) => (2.0, 1.5),
                (Role::Professional, VerificationState::Verified) => (1.0, 1.0),
                (Role::Member, _) => (0.15, 0.05),
                _ => (0.6, 0.3),
            };
            let rank = ranking[i] as f64 + 1.0;
            let created_at = rng.gen_range(oldest..newest);
            authors.push(Author {
                user_id: id_at(created_at),
                profile_id: id_at(created_at),
                role,
                verification,
                email: format!("{handle}@seed.credence.example"),
                handle,
                display_name,
                variant,
                focus,
                created_at,
                activity: post_factor / rank.powf(0.5),
                popularity: follow_factor / rank.powf(0.8),
            });
        }
        People { authors }
    }

    /// Users, profiles, verification requests and disclosures, as rows.
    pub(super) fn account_rows(
        &self,
        password_hash: &str,
        rng_seed: u64,
        now: i64,
    ) -> (Vec<Rows>, AccountCounts) {
        let mut rng = StdRng::seed_from_u64(rng_seed ^ 0xacc0);
        let hash: Arc<str> = password_hash.into();
        let mut users = Rows::new("users", USER_COLUMNS);
        let mut profile_rows = Rows::new("profiles", PROFILE_COLUMNS);
        let mut requests = Rows::new("verification_requests", VERIFICATION_COLUMNS);
        let mut disclosures = Rows::new("disclosures", DISCLOSURE_COLUMNS);
        let mut counts = AccountCounts::default();
        for a in &self.authors {
            users.push([
                V::Int(a.user_id),
                V::Text(a.email.clone()),
                V::Shared(hash.clone()),
                V::Static(a.role.as_str()),
                V::Int(a.created_at),
                V::Int(a.created_at),
            ]);
            let (state_code, st_name) = texts::STATES[rng.gen_range(0..texts::STATES.len())];
            let city = texts::CITIES[rng.gen_range(0..texts::CITIES.len())];
            let npi = |rng: &mut StdRng| {
                let prefix = format!("1{:08}", rng.gen_range(0..100_000_000u32));
                format!("{prefix}{}", npi_check_digit(&prefix))
            };
            let verified_at =
                (a.verified()).then(|| a.created_at + rng.gen_range(DAY_MS..14 * DAY_MS));
            let mut details = Details::default();
            match a.role {
                Role::Professional => {
                    counts.professionals += 1;
                    let s = &texts::SPECIALTIES[a.variant];
                    let topics: Vec<&str> =
                        a.focus.iter().take(3).map(|t| TOPICS[*t].slug).collect();
                    details = Details {
                        kind: ProfileKind::Professional,
                        bio: format!(
                            "{} ({}). I share practical, evidence-based information on {}.",
                            s.specialty,
                            profiles::label_of(profiles::PROFESSIONS, s.profession)
                                .unwrap_or("Health professional"),
                            topics
                                .iter()
                                .map(|t| format!("#{t}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        profession: Some(s.profession.to_string()),
                        specialty: Some(s.specialty.to_string()),
                        credentials: Some(s.credentials.to_string()),
                        licence_number: Some(format!(
                            "{state_code}-{}-{:06}",
                            s.handle_stem.to_ascii_uppercase(),
                            rng.gen_range(0..1_000_000)
                        )),
                        licence_jurisdiction: Some(format!("{st_name} {}", s.board)),
                        npi: rng.gen_bool(0.8).then(|| npi(&mut rng)),
                        affiliations: if rng.gen_bool(0.6) {
                            format!("{city} Family Health")
                        } else {
                            String::new()
                        },
                        org_kind: None,
                    };
                }
                Role::Organisation => {
                    counts.organisations += 1;
                    let (kind, _, bio) = texts::ORGANISATIONS[a.variant];
                    details = Details {
                        kind: ProfileKind::Organisation,
                        bio: bio.to_string(),
                        licence_number: Some(format!(
                            "ORG-{state_code}-{:05}",
                            rng.gen_range(0..100_000)
                        )),
                        licence_jurisdiction: Some(format!("{st_name} Department of Health")),
                        npi: Some(npi(&mut rng)),
                        org_kind: Some(kind.to_string()),
                        ..Details::default()
                    };
                }
                _ => counts.members += 1,
            }
            if a.verified() {
                counts.verified += 1;
            }
            profile_rows.push([
                V::Int(a.profile_id),
                V::Int(a.user_id),
                V::Static(details.kind.as_str()),
                V::Text(a.handle.clone()),
                V::Text(a.handle.to_lowercase()),
                V::Text(a.display_name.clone()),
                V::Text(details.bio),
                V::Static(""),
                V::OptText(details.profession),
                V::OptText(details.specialty),
                V::OptText(details.credentials),
                V::OptText(details.licence_number),
                V::OptText(details.licence_jurisdiction),
                V::OptText(details.npi),
                V::Text(details.affiliations),
                V::OptText(details.org_kind),
                V::Static(a.verification.as_str()),
                V::OptInt(verified_at),
                V::Int(a.created_at),
                V::Int(verified_at.unwrap_or(a.created_at)),
            ]);
            // The verification history the review queue and audit expect.
            match (a.verification, verified_at) {
                (VerificationState::Verified, Some(at)) => requests.push([
                    V::Int(id_at(at)),
                    V::Int(a.profile_id),
                    V::Static("demo content"),
                    V::Static("verified"),
                    V::Int(at),
                    V::OptInt(Some(at)),
                ]),
                (VerificationState::Pending, _) => {
                    let at = now - rng.gen_range(DAY_MS..20 * DAY_MS);
                    requests.push([
                        V::Int(id_at(at)),
                        V::Int(a.profile_id),
                        V::Static("My licence can be checked on the state board's website."),
                        V::Static("pending"),
                        V::Int(at),
                        V::OptInt(None),
                    ]);
                }
                _ => {}
            }
            if a.role == Role::Professional && rng.gen_bool(0.08) {
                let (company, relationship, text) =
                    texts::COMPANIES[rng.gen_range(0..texts::COMPANIES.len())];
                disclosures.push([
                    V::Int(id_at(a.created_at)),
                    V::Int(a.profile_id),
                    V::Static(company),
                    V::Static(relationship),
                    V::Static(text),
                    V::Int(a.created_at),
                ]);
            }
        }
        counts.other_rows = (requests.len() + disclosures.len()) as u64;
        (vec![users, profile_rows, requests, disclosures], counts)
    }
}

pub(super) struct Details {
    pub(super) kind: ProfileKind,
    pub(super) bio: String,
    pub(super) profession: Option<String>,
    pub(super) specialty: Option<String>,
    pub(super) credentials: Option<String>,
    pub(super) licence_number: Option<String>,
    pub(super) licence_jurisdiction: Option<String>,
    pub(super) npi: Option<String>,
    pub(super) affiliations: String,
    pub(super) org_kind: Option<String>,
}

impl Default for Details {
    fn default() -> Self {
        Details {
            kind: ProfileKind::Personal,
            bio: String::new(),
            profession: None,
            specialty: None,
            credentials: None,
            licence_number: None,
            licence_jurisdiction: None,
            npi: None,
            affiliations: String::new(),
            org_kind: None,
        }
    }
}
