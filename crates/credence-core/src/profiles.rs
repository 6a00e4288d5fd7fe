//! Profiles: personal, professional and organisation identities, their credentials and
//! conflict-of-interest disclosures, and the verification workflow.
//!
//! Rules kept here (never only in templates):
//! - licence numbers are shown only to reviewers (moderators, admins) and to the owner;
//! - only moderators and admins decide verification requests, never on their own profile;
//! - changing what a badge vouches for (name, credentials, specialty, affiliations) sends the
//!   profile back to unverified;
//! - nothing public links a login's personal profile to its professional one.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::accounts::{Actor, Handle, Role};
use crate::audit;
use crate::db::{col, new_id, now_ms, parse_col, Db};
use crate::error::{unique_violation, CoreError, CoreResult};
use crate::text::{multi_line, refuse_format_chars, single_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    Personal,
    Professional,
    Organisation,
}

impl ProfileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Personal => "personal",
            ProfileKind::Professional => "professional",
            ProfileKind::Organisation => "organisation",
        }
    }

    /// Professional and organisation profiles carry credentials and can be verified.
    pub fn is_verifiable(self) -> bool {
        !matches!(self, ProfileKind::Personal)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerificationState {
    /// Personal profiles: nothing to verify.
    None,
    Unverified,
    Pending,
    Verified,
    Rejected,
}

impl VerificationState {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::None => "none",
            VerificationState::Unverified => "unverified",
            VerificationState::Pending => "pending",
            VerificationState::Verified => "verified",
            VerificationState::Rejected => "rejected",
        }
    }
}

impl FromStr for VerificationState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "none" => VerificationState::None,
            "unverified" => VerificationState::Unverified,
            "pending" => VerificationState::Pending,
            "verified" => VerificationState::Verified,
            "rejected" => VerificationState::Rejected,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for VerificationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Professions a professional profile can hold: (stored value, label shown to people).
pub const PROFESSIONS: &[(&str, &str)] = &[
    ("physician", "Physician"),
    ("nurse", "Registered nurse"),
    ("nurse_practitioner", "Nurse practitioner"),
    ("physician_assistant", "Physician assistant"),
    ("pharmacist", "Pharmacist"),
    ("dietitian", "Dietitian"),
    ("psychologist", "Psychologist"),
    ("therapist", "Therapist / counsellor"),
    ("dentist", "Dentist"),
    ("midwife", "Midwife"),
    ("physiotherapist", "Physiotherapist"),
    ("occupational_therapist", "Occupational therapist"),
    ("speech_language_pathologist", "Speech-language pathologist"),
    ("optometrist", "Optometrist"),
    ("paramedic", "Paramedic"),
    ("social_worker", "Clinical social worker"),
    ("public_health", "Public-health professional"),
    ("researcher", "Health researcher"),
    ("other", "Other health professional"),
];

/// Kinds of organisation: (stored value, label).
pub const ORG_KINDS: &[(&str, &str)] = &[
    ("clinic", "Clinic or practice"),
    ("hospital", "Hospital or health system"),
    ("advocacy_group", "Patient-advocacy group"),
    ("public_health_agency", "Public-health agency"),
    ("professional_association", "Professional association"),
    ("research_institute", "Research institute or university"),
    ("other", "Other health organisation"),
];

/// Relationships a disclosure can describe (ICMJE's categories, simplified).
pub const RELATIONSHIPS: &[(&str, &str)] = &[
    ("consulting", "Consulting fees"),
    ("speaker", "Speaker or presenter fees"),
    ("research_funding", "Research funding"),
    ("employment", "Employment"),
    ("equity", "Stock or ownership"),
    ("royalties", "Royalties or licences"),
    ("advisory_board", "Advisory board"),
    ("sponsorship", "Sponsored content"),
    ("other", "Other financial relationship"),
];

pub fn label_of(table: &[(&str, &'static str)], value: &str) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == value).map(|(_, l)| *l)
}

/// A US National Provider Identifier: 10 digits whose last is a Luhn check digit computed over
/// the prefix 80840 and the first nine digits (CMS, "NPI check digit" specification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Npi(String);

impl Npi {
    pub fn parse(input: &str) -> CoreResult<Npi> {
        let digits = input.trim();
        let bad = |why: &str| CoreError::invalid("npi", format!("the NPI {why}"));
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("must be exactly 10 digits"));
        }
        if !matches!(digits.as_bytes()[0], b'1' | b'2') {
            return Err(bad("must start with 1 or 2"));
        }
        let check = npi_check_digit(&digits[..9]);
        if u32::from(digits.as_bytes()[9] - b'0') != check {
            return Err(bad(
                "check digit does not match: please re-check the number",
            ));
        }
        Ok(Npi(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The NPI check digit for nine leading digits: Luhn over "80840" followed by them, doubling
/// every second digit from the right starting with the rightmost.
pub fn npi_check_digit(first_nine: &str) -> u32 {
    let payload = format!("80840{first_nine}");
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    pub id: i64,
    pub company: String,
    pub relationship: String,
    pub relationship_label: &'static str,
    pub details: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub id: i64,
    #[serde(skip)]
    pub user_id: i64,
    pub kind: ProfileKind,
    pub handle: String,
    pub display_name: String,
    pub bio: String,
    pub links: Vec<String>,
    pub profession: Option<String>,
    pub specialty: Option<String>,
    pub credentials: Option<String>,
    /// Present only when the viewer may see it (see [`Profile::for_viewer`]).
    pub licence_number: Option<String>,
    pub licence_jurisdiction: Option<String>,
    pub npi: Option<String>,
    pub affiliations: Vec<String>,
    pub org_kind: Option<String>,
    pub verification: VerificationState,
    pub verified_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub disclosures: Vec<Disclosure>,
    /// Followers, following and posts, where the query that loaded the profile counted them.
    pub stats: Option<Stats>,
}

/// How many follow a profile, how many it follows, and its published posts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub followers: i64,
    pub following: i64,
    pub posts: i64,
    pub last_post_at: Option<i64>,
}

impl Profile {
    fn from_row(row: &AnyRow) -> sqlx::Result<Profile> {
        let lines = |name: &str| -> sqlx::Result<Vec<String>> {
            let text: String = col(row, name)?;
            Ok(text
                .lines()
                .map(str::to_string)
                .filter(|l| !l.is_empty())
                .collect())
        };
        Ok(Profile {
            id: col(row, "id")?,
            user_id: col(row, "user_id")?,
            kind: parse_col(row, "kind")?,
            handle: col(row, "handle")?,
            display_name: col(row, "display_name")?,
            bio: col(row, "bio")?,
            links: lines("links")?,
            profession: col(row, "profession")?,
            specialty: col(row, "specialty")?,
            credentials: col(row, "credentials")?,
            licence_number: col(row, "licence_number")?,
            licence_jurisdiction: col(row, "licence_jurisdiction")?,
            npi: col(row, "npi")?,
            affiliations: lines("affiliations")?,
            org_kind: col(row, "org_kind")?,
            verification: parse_col(row, "verification_state")?,
            verified_at: col(row, "verified_at")?,
            created_at: col(row, "created_at")?,
            updated_at: col(row, "updated_at")?,
            disclosures: Vec::new(),
            stats: Some(Stats {
                followers: col(row, "followers_count")?,
                following: col(row, "following_count")?,
                posts: col(row, "posts_count")?,
                last_post_at: col(row, "last_post_at")?,
            }),
        })
    }

    pub fn is_verified(&self) -> bool {
        self.verification == VerificationState::Verified
    }

    pub fn profession_label(&self) -> Option<&'static str> {
        self.profession
            .as_deref()
            .and_then(|p| label_of(PROFESSIONS, p))
    }

    pub fn org_kind_label(&self) -> Option<&'static str> {
        self.org_kind
            .as_deref()
            .and_then(|k| label_of(ORG_KINDS, k))
    }

    /// Strips what this viewer may not see: the licence number is for reviewers and the owner.
    pub fn for_viewer(mut self, viewer: Option<&Actor>) -> Profile {
        if !may_see_licence(&self, viewer) {
            self.licence_number = None;
        }
        self
    }
}

pub fn may_see_licence(profile: &Profile, viewer: Option<&Actor>) -> bool {
    viewer.is_some_and(|v| v.role.can_review() || v.user_id == profile.user_id)
}

const PROFILE_COLUMNS: &str = "id, user_id, kind, handle, display_name, bio, links, profession, \
    specialty, credentials, licence_number, licence_jurisdiction, npi, affiliations, org_kind, \
    verification_state, verified_at, created_at, updated_at, followers_count, following_count, \
    posts_count, last_post_at";

/// A display name: one line of 1–100 characters, no control or invisible format characters
/// (it is shown next to the verified badge); defaults to the handle.
pub fn clean_display_name(input: &str, handle: &str) -> CoreResult<String> {
    let name = single_line("display_name", "the display name", input, 100)?;
    Ok(if name.is_empty() {
        handle.to_string()
    } else {
        name
    })
}

pub(crate) async fn ensure_handle_free(db: &Db, handle: &Handle) -> CoreResult<()> {
    let taken = sqlx::query("SELECT id FROM profiles WHERE handle_lower = $1")
        .bind(handle.as_str().to_lowercase())
        .fetch_optional(&db.pool)
        .await?
        .is_some();
    if taken {
        return Err(CoreError::Conflict {
            field: "handle",
            message: "that handle is already taken".into(),
        });
    }
    Ok(())
}

pub(crate) async fn insert_profile(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    kind: ProfileKind,
    handle: &Handle,
    display_name: &str,
) -> CoreResult<i64> {
    let id = new_id();
    let now = now_ms();
    let state = if kind.is_verifiable() {
        VerificationState::Unverified
    } else {
        VerificationState::None
    };
    sqlx::query(
        "INSERT INTO profiles (id, user_id, kind, handle, handle_lower, display_name, \
         verification_state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(user_id)
    .bind(kind.as_str())
    .bind(handle.as_str())
    .bind(handle.as_str().to_lowercase())
    .bind(display_name)
    .bind(state.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_violation(e, "handle", "that handle is already taken"))?;
    Ok(id)
}

async fn load_disclosures(db: &Db, profile: &mut Profile) -> CoreResult<()> {
    let rows = sqlx::query(
        "SELECT id, company, relationship, details FROM disclosures WHERE profile_id = $1 ORDER BY id",
    )
    .bind(profile.id)
    .fetch_all(&db.pool)
    .await?;
    profile.disclosures = rows
        .iter()
        .map(|r| {
            let relationship: String = col(r, "relationship")?;
            Ok(Disclosure {
                id: col(r, "id")?,
                company: col(r, "company")?,
                relationship_label: label_of(RELATIONSHIPS, &relationship).unwrap_or("Other"),
                relationship,
                details: col(r, "details")?,
            })
        })
        .collect::<sqlx::Result<_>>()?;
    Ok(())
}

async fn fetch_one_where(
    db: &Db,
    condition: &str,
    value: &(dyn ToBind + Sync),
) -> CoreResult<Profile> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE {condition}");
    let row = value
        .bind_to(sqlx::query(&sql))
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("profile"))?;
    let mut profile = Profile::from_row(&row)?;
    load_disclosures(db, &mut profile).await?;
    Ok(profile)
}

/// Lets one helper bind either an id or a text key.
trait ToBind {
    fn bind_to<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;
}
impl ToBind for i64 {
    fn bind_to<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        q.bind(*self)
    }
}
impl ToBind for String {
    fn bind_to<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        q.bind(self.as_str())
    }
}

/// A profile with everything stored (licence included): for core rules, not for display.
pub async fn get(db: &Db, id: i64) -> CoreResult<Profile> {
    fetch_one_where(db, "id = $1", &id).await
}

pub async fn get_by_handle(db: &Db, handle: &str) -> CoreResult<Profile> {
    let key = handle.trim().trim_start_matches('@').to_lowercase();
    fetch_one_where(db, "handle_lower = $1", &key).await
}

/// Profiles by handle (any case, with or without `@`), keyed by lower-case handle; unknown
/// handles are absent. Licence numbers are left out, as in [`public_by_ids`].
pub async fn by_handles(db: &Db, handles: &[String]) -> CoreResult<HashMap<String, Profile>> {
    let mut keys: Vec<String> = handles
        .iter()
        .map(|h| h.trim().trim_start_matches('@').to_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id FROM profiles WHERE handle_lower IN ({})",
        crate::db::placeholders(1, keys.len())
    );
    let mut query = sqlx::query(&sql);
    for key in &keys {
        query = query.bind(key);
    }
    let ids: Vec<i64> = query
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<sqlx::Result<_>>()?;
    Ok(public_by_ids(db, &ids)
        .await?
        .into_values()
        .map(|p| (p.handle.to_lowercase(), p))
        .collect())
}

/// A profile as this viewer may see it, with its counts.
pub async fn view(db: &Db, viewer: Option<&Actor>, handle: &str) -> CoreResult<Profile> {
    Ok(get_by_handle(db, handle).await?.for_viewer(viewer))
}

pub async fn view_by_id(db: &Db, viewer: Option<&Actor>, id: i64) -> CoreResult<Profile> {
    Ok(get(db, id).await?.for_viewer(viewer))
}

/// The first profile a login made: what a new session acts as.
pub async fn primary_for_user(db: &Db, user_id: i64) -> CoreResult<Profile> {
    let row = sqlx::query("SELECT id FROM profiles WHERE user_id = $1 ORDER BY id LIMIT 1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("profile"))?;
    get(db, col(&row, "id")?).await
}

/// All profiles of one login (for the owner's profile switcher only).
pub async fn for_user(db: &Db, user_id: i64) -> CoreResult<Vec<Profile>> {
    let rows = sqlx::query(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles WHERE user_id = $1 ORDER BY id"
    ))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(Profile::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// The profiles of the `limit` newest logins (the admin accounts table), in one query rather
/// than one per login.
pub async fn for_newest_users(db: &Db, limit: i64) -> CoreResult<Vec<Profile>> {
    let rows = sqlx::query(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles \
         WHERE user_id IN (SELECT id FROM users ORDER BY id DESC LIMIT $1) ORDER BY id"
    ))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(Profile::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// Verified professionals and organisations, newest verification first (home page directory).
pub async fn verified_directory(db: &Db, limit: i64) -> CoreResult<Vec<Profile>> {
    let rows = sqlx::query(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles WHERE verification_state = 'verified' \
         ORDER BY verified_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let mut profiles: Vec<Profile> = rows
        .iter()
        .map(Profile::from_row)
        .collect::<sqlx::Result<_>>()?;
    for p in &mut profiles {
        p.licence_number = None;
    }
    Ok(profiles)
}

/// Several profiles by id, as the public sees them (licence numbers stripped), with their
/// disclosures and counts: two queries however many posts a page shows.
pub async fn public_by_ids(db: &Db, ids: &[i64]) -> CoreResult<HashMap<i64, Profile>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let list = crate::db::placeholders(1, ids.len());
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE id IN ({list})");
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(&db.pool).await? {
        let mut profile = Profile::from_row(&row)?;
        profile.licence_number = None;
        out.insert(profile.id, profile);
    }
    let sql = format!(
        "SELECT id, profile_id, company, relationship, details FROM disclosures \
         WHERE profile_id IN ({list}) ORDER BY id"
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    for r in query.fetch_all(&db.pool).await? {
        let profile_id: i64 = col(&r, "profile_id")?;
        let relationship: String = col(&r, "relationship")?;
        if let Some(p) = out.get_mut(&profile_id) {
            p.disclosures.push(Disclosure {
                id: col(&r, "id")?,
                company: col(&r, "company")?,
                relationship_label: label_of(RELATIONSHIPS, &relationship).unwrap_or("Other"),
                relationship,
                details: col(&r, "details")?,
            });
        }
    }
    Ok(out)
}

/// Recounts every profile's followers, following and public posts (after a bulk load that
/// wrote rows without going through `social::follow` and `posts::create`).
pub async fn recount(db: &Db) -> CoreResult<()> {
    sqlx::query(
        "UPDATE profiles SET \
            followers_count = (SELECT COUNT(*) FROM follows WHERE followee_id = profiles.id), \
            following_count = (SELECT COUNT(*) FROM follows WHERE follower_id = profiles.id), \
            posts_count = (SELECT COUNT(*) FROM posts WHERE author_id = profiles.id \
                AND state = 'published' AND visibility = 'public' AND reblog_of_id IS NULL), \
            last_post_at = (SELECT MAX(published_at) FROM posts WHERE author_id = profiles.id \
                AND state = 'published' AND visibility = 'public' AND reblog_of_id IS NULL)",
    )
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Moves a profile's public post count when one of its public posts is published (+1, with
/// the time) or deleted (−1). Runs in the caller's transaction.
pub(crate) async fn count_post(
    conn: &mut sqlx::AnyConnection,
    profile_id: i64,
    delta: i64,
    published_at: Option<i64>,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE profiles SET posts_count = CASE WHEN posts_count + $2 < 0 THEN 0 \
         ELSE posts_count + $2 END, last_post_at = COALESCE($3, last_post_at) WHERE id = $1",
    )
    .bind(profile_id)
    .bind(delta)
    .bind(published_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn count_profiles(db: &Db) -> CoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM profiles")
        .fetch_one(&db.pool)
        .await?;
    Ok(col(&row, "n")?)
}

/// Adds a personal profile to a professional's or organisation's login, under another handle.
/// The two are never shown together in public.
pub async fn create_personal_profile(
    db: &Db,
    actor: &Actor,
    handle: &str,
    display_name: &str,
) -> CoreResult<Profile> {
    let handle = Handle::parse(handle)?;
    let display_name = clean_display_name(display_name, handle.as_str())?;
    let existing = for_user(db, actor.user_id).await?;
    if existing.iter().any(|p| p.kind == ProfileKind::Personal) {
        return Err(CoreError::invalid(
            "handle",
            "you already have a personal profile",
        ));
    }
    ensure_handle_free(db, &handle).await?;
    let mut tx = db.begin_write().await?;
    let id = insert_profile(
        &mut tx,
        actor.user_id,
        ProfileKind::Personal,
        &handle,
        &display_name,
    )
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "profile.create_personal",
        ("profile", Some(id)),
        "",
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

/// Fields a profile's owner can edit. `None` leaves a field unchanged (API partial updates);
/// `Some("")` clears it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub links: Option<String>,
    pub profession: Option<String>,
    pub specialty: Option<String>,
    pub credentials: Option<String>,
    pub licence_number: Option<String>,
    pub licence_jurisdiction: Option<String>,
    pub npi: Option<String>,
    pub affiliations: Option<String>,
    pub org_kind: Option<String>,
}

fn optional(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// Validates a list of links, one per line: http(s) URLs only.
fn clean_links(text: &str) -> CoreResult<String> {
    let links: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if links.len() > 5 {
        return Err(CoreError::invalid("links", "add at most 5 links"));
    }
    for link in &links {
        let ok = link.len() <= 300
            && url::Url::parse(link)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(CoreError::invalid(
                "links",
                format!(
                    "'{}' is not a web address starting with https://",
                    truncate(link, 60)
                ),
            ));
        }
    }
    Ok(links.join("\n"))
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// What a verified badge vouches for: the name it is shown next to and everything a reviewer
/// checked. Changing any of it sends a verified or pending profile back to unverified.
fn vouched_details(p: &Profile) -> impl PartialEq + '_ {
    (
        &p.display_name,
        &p.profession,
        &p.specialty,
        &p.credentials,
        &p.licence_number,
        &p.licence_jurisdiction,
        &p.npi,
        &p.affiliations,
        &p.org_kind,
    )
}

/// Applies an owner's edit. Changing what the badge vouches for (see [`vouched_details`]) on a
/// verified or pending profile sends it back to unverified: the badge must always describe
/// what a reviewer actually checked.
pub async fn update(db: &Db, actor: &Actor, update: ProfileUpdate) -> CoreResult<Profile> {
    let current = get(db, actor.profile_id).await?;
    let next = edited(&current, &update)?;
    let mut tx = db.begin_write().await?;
    write_details(&mut tx, &next).await?;
    if vouched_details(&current) != vouched_details(&next) {
        reset_verification(
            &mut tx,
            current.id,
            Some(actor.user_id),
            "the owner changed verified details",
        )
        .await?;
    }
    tx.commit().await?;
    get(db, current.id).await
}

/// The profile as it would be after `update`, every field validated; nothing is written.
fn edited(current: &Profile, update: &ProfileUpdate) -> CoreResult<Profile> {
    let mut next = current.clone();
    if let Some(v) = &update.display_name {
        next.display_name = clean_display_name(v, &current.handle)?;
    }
    if let Some(v) = &update.bio {
        next.bio = multi_line("bio", "the bio", v, 2000)?;
    }
    if let Some(v) = &update.links {
        next.links = clean_links(v)?.lines().map(str::to_string).collect();
    }
    if current.kind.is_verifiable() {
        apply_credentials(&mut next, update)?;
    } else if update.profession.is_some() || update.licence_number.is_some() || update.npi.is_some()
    {
        return Err(CoreError::invalid(
            "profession",
            "a personal profile has no professional credentials; edit your professional profile instead",
        ));
    }
    Ok(next)
}

/// Stores the editable fields. It never writes the verification state: a reviewer's decision
/// committed while the edit was under way must not be overwritten with what the edit read.
async fn write_details(tx: &mut sqlx::Transaction<'_, sqlx::Any>, p: &Profile) -> CoreResult<()> {
    sqlx::query(
        "UPDATE profiles SET display_name = $1, bio = $2, links = $3, profession = $4, \
         specialty = $5, credentials = $6, licence_number = $7, licence_jurisdiction = $8, npi = $9, \
         affiliations = $10, org_kind = $11, updated_at = $12 WHERE id = $13",
    )
    .bind(&p.display_name)
    .bind(&p.bio)
    .bind(p.links.join("\n"))
    .bind(&p.profession)
    .bind(&p.specialty)
    .bind(&p.credentials)
    .bind(&p.licence_number)
    .bind(&p.licence_jurisdiction)
    .bind(&p.npi)
    .bind(p.affiliations.join("\n"))
    .bind(&p.org_kind)
    .bind(now_ms())
    .bind(p.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sends a verified or pending profile back to unverified and withdraws its pending request,
/// with an audit entry saying `why`. The condition is on the *stored* state, so it sees a
/// decision committed a moment ago. Returns whether anything was reset.
pub(crate) async fn reset_verification(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    profile_id: i64,
    actor_user_id: Option<i64>,
    why: &str,
) -> CoreResult<bool> {
    let now = now_ms();
    let reset = sqlx::query(
        "UPDATE profiles SET verification_state = 'unverified', verified_at = NULL, \
         updated_at = $1 WHERE id = $2 AND verification_state IN ('verified', 'pending')",
    )
    .bind(now)
    .bind(profile_id)
    .execute(&mut **tx)
    .await?;
    if reset.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE verification_requests SET state = 'rejected', reason = $1, decided_at = $2 \
         WHERE profile_id = $3 AND state = 'pending'",
    )
    .bind(format!("withdrawn: {why}"))
    .bind(now)
    .bind(profile_id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        &mut **tx,
        actor_user_id,
        "verification.reset",
        ("profile", Some(profile_id)),
        why,
    )
    .await?;
    Ok(true)
}

fn apply_credentials(next: &mut Profile, update: &ProfileUpdate) -> CoreResult<()> {
    if let Some(v) = &update.profession {
        let v = v.trim();
        if !v.is_empty() && label_of(PROFESSIONS, v).is_none() {
            return Err(CoreError::invalid(
                "profession",
                "choose a profession from the list",
            ));
        }
        next.profession = optional(v.to_string());
    }
    if let Some(v) = &update.org_kind {
        let v = v.trim();
        if !v.is_empty() && label_of(ORG_KINDS, v).is_none() {
            return Err(CoreError::invalid(
                "org_kind",
                "choose a kind of organisation from the list",
            ));
        }
        next.org_kind = optional(v.to_string());
    }
    if let Some(v) = &update.specialty {
        next.specialty = optional(single_line("specialty", "the specialty", v, 100)?);
    }
    if let Some(v) = &update.credentials {
        next.credentials = optional(single_line("credentials", "the credentials", v, 100)?);
    }
    if let Some(v) = &update.licence_number {
        next.licence_number = optional(single_line("licence_number", "the licence number", v, 50)?);
    }
    if let Some(v) = &update.licence_jurisdiction {
        next.licence_jurisdiction = optional(single_line(
            "licence_jurisdiction",
            "the issuing jurisdiction",
            v,
            100,
        )?);
    }
    if let Some(v) = &update.npi {
        next.npi = match v.trim() {
            "" => None,
            v => Some(Npi::parse(v)?.as_str().to_string()),
        };
    }
    if let Some(v) = &update.affiliations {
        let text = multi_line("affiliations", "the affiliations", v, 1000)?;
        next.affiliations = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        // Each line is an institution's name shown on the profile, like a one-line field.
        for line in &next.affiliations {
            refuse_format_chars("affiliations", "the affiliations", line)?;
        }
        if next.affiliations.len() > 10 {
            return Err(CoreError::invalid(
                "affiliations",
                "list at most 10 affiliations",
            ));
        }
    }
    Ok(())
}

/// Adds a conflict-of-interest disclosure to the acting profile.
pub async fn add_disclosure(
    db: &Db,
    actor: &Actor,
    company: &str,
    relationship: &str,
    details: &str,
) -> CoreResult<Disclosure> {
    let company = single_line("company", "the company name", company, 120)?;
    if company.is_empty() {
        return Err(CoreError::invalid("company", "name the company"));
    }
    let relationship_label = label_of(RELATIONSHIPS, relationship)
        .ok_or_else(|| CoreError::invalid("relationship", "choose a relationship from the list"))?;
    let details = single_line("details", "the details", details, 500)?;
    let count = sqlx::query("SELECT COUNT(*) AS n FROM disclosures WHERE profile_id = $1")
        .bind(actor.profile_id)
        .fetch_one(&db.pool)
        .await?;
    if col::<i64>(&count, "n")? >= 50 {
        return Err(CoreError::invalid(
            "company",
            "a profile can list at most 50 disclosures",
        ));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO disclosures (id, profile_id, company, relationship, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(actor.profile_id)
    .bind(&company)
    .bind(relationship)
    .bind(&details)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(Disclosure {
        id,
        company,
        relationship: relationship.to_string(),
        relationship_label,
        details,
    })
}

pub async fn remove_disclosure(db: &Db, actor: &Actor, disclosure_id: i64) -> CoreResult<()> {
    let done = sqlx::query("DELETE FROM disclosures WHERE id = $1 AND profile_id = $2")
        .bind(disclosure_id)
        .bind(actor.profile_id)
        .execute(&db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(CoreError::NotFound("disclosure"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Verification

#[derive(Debug, Clone, Serialize)]
pub struct VerificationRequest {
    pub id: i64,
    pub profile: Profile,
    pub note: String,
    pub state: VerificationState,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

/// The owner asks for the acting profile to be verified. Required credentials must be filled in.
///
/// Race-safe: the profile is claimed with a conditional update, so of two submissions at once
/// only one creates a request, and completeness is checked on the claimed (locked) row.
pub async fn submit_verification(
    db: &Db,
    actor: &Actor,
    note: &str,
) -> CoreResult<VerificationRequest> {
    let profile = get(db, actor.profile_id).await?;
    if !profile.kind.is_verifiable() {
        return Err(CoreError::invalid(
            "profile",
            "personal profiles are not verified; switch to your professional profile",
        ));
    }
    refuse_resubmission(profile.verification)?;
    let note = multi_line("note", "the note to reviewers", note, 1000)?;
    let now = now_ms();
    // Profile row first, then verification_requests: the lock order of `update` and `decide`.
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE profiles SET verification_state = 'pending', updated_at = $1 \
         WHERE id = $2 AND verification_state IN ('unverified', 'rejected')",
    )
    .bind(now)
    .bind(profile.id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        // Another submission (or a decision) changed the state since we read it.
        return Err(CoreError::invalid(
            "profile",
            "a verification request is already waiting for review",
        ));
    }
    refuse_incomplete(&locked_profile(&mut tx, profile.id).await?)?;
    sqlx::query(
        "INSERT INTO verification_requests (id, profile_id, note, state, submitted_at) \
         VALUES ($1, $2, $3, 'pending', $4)",
    )
    .bind(new_id())
    .bind(profile.id)
    .bind(&note)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "verification.submit",
        ("profile", Some(profile.id)),
        "",
    )
    .await?;
    tx.commit().await?;
    latest_request(db, actor, profile.id)
        .await?
        .ok_or(CoreError::NotFound("verification request"))
}

fn refuse_resubmission(state: VerificationState) -> CoreResult<()> {
    let why = match state {
        VerificationState::Pending => "a verification request is already waiting for review",
        VerificationState::Verified => "this profile is already verified",
        _ => return Ok(()),
    };
    Err(CoreError::invalid("profile", why))
}

/// Refuses a request a reviewer could not check: the credentials must all be there.
fn refuse_incomplete(profile: &Profile) -> CoreResult<()> {
    let required = match profile.kind {
        ProfileKind::Professional => vec![
            ("profession", profile.profession.is_none()),
            ("credentials", profile.credentials.is_none()),
            ("licence number", profile.licence_number.is_none()),
            (
                "issuing jurisdiction",
                profile.licence_jurisdiction.is_none(),
            ),
        ],
        _ => vec![("kind of organisation", profile.org_kind.is_none())],
    };
    let missing: Vec<&str> = required
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CoreError::invalid(
        "profile",
        format!(
            "fill in your {} before asking for verification",
            missing.join(", ")
        ),
    ))
}

/// A profile read inside a transaction that has already updated (and so locked) its row.
async fn locked_profile(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> CoreResult<Profile> {
    let row = sqlx::query(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Profile::from_row(&row)?)
}

/// The newest request for a profile: visible to its owner and to reviewers.
pub async fn latest_request(
    db: &Db,
    actor: &Actor,
    profile_id: i64,
) -> CoreResult<Option<VerificationRequest>> {
    let profile = get(db, profile_id).await?;
    if profile.user_id != actor.user_id && !actor.role.can_review() {
        return Err(CoreError::forbidden(
            "you cannot see this profile's verification requests",
        ));
    }
    let row = sqlx::query(
        "SELECT id, note, state, submitted_at, decided_at, reason FROM verification_requests \
         WHERE profile_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(profile_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| request_from_row(&r, profile)).transpose()
}

fn request_from_row(row: &AnyRow, profile: Profile) -> CoreResult<VerificationRequest> {
    Ok(VerificationRequest {
        id: col(row, "id")?,
        profile,
        note: col(row, "note")?,
        state: parse_col(row, "state")?,
        submitted_at: col(row, "submitted_at")?,
        decided_at: col(row, "decided_at")?,
        reason: col(row, "reason")?,
    })
}

fn require_reviewer(actor: &Actor) -> CoreResult<()> {
    if actor.role.can_review() {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "only moderators and administrators can open the review queue",
        ))
    }
}

/// Pending requests, oldest first, with full credentials (licence numbers included).
pub async fn review_queue(db: &Db, actor: &Actor) -> CoreResult<Vec<VerificationRequest>> {
    require_reviewer(actor)?;
    let rows = sqlx::query(
        "SELECT id, profile_id, note, state, submitted_at, decided_at, reason FROM verification_requests \
         WHERE state = 'pending' ORDER BY submitted_at, id LIMIT 200",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let profile = get(db, col(row, "profile_id")?).await?;
        out.push(request_from_row(row, profile)?);
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub enum Decision {
    Verify,
    Reject { reason: String },
}

/// A reviewer verifies or rejects a pending request. Written to the audit log.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    request_id: i64,
    decision: Decision,
) -> CoreResult<VerificationRequest> {
    require_reviewer(actor)?;
    let row = sqlx::query("SELECT profile_id, state FROM verification_requests WHERE id = $1")
        .bind(request_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("verification request"))?;
    let profile_id: i64 = col(&row, "profile_id")?;
    let state: VerificationState = parse_col(&row, "state")?;
    if state != VerificationState::Pending {
        return Err(CoreError::invalid(
            "request",
            format!("this request was already {state}"),
        ));
    }
    let profile = get(db, profile_id).await?;
    if profile.user_id == actor.user_id {
        return Err(CoreError::forbidden(
            "you cannot decide on your own verification request",
        ));
    }
    let (new_state, reason) = match &decision {
        Decision::Verify => (VerificationState::Verified, None),
        Decision::Reject { reason } => {
            let reason = multi_line("reason", "the reason", reason, 1000)?;
            if reason.is_empty() {
                return Err(CoreError::invalid(
                    "reason",
                    "give the applicant a reason for the rejection",
                ));
            }
            (VerificationState::Rejected, Some(reason))
        }
    };
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    // Profile first, then the request: the lock order of `update` and `submit_verification`, so
    // a decision and an edit never deadlock. The state conditions make it safe against both a
    // second reviewer and an edit that withdrew the request meanwhile: only a profile still
    // pending, with this request still pending, is decided.
    let profile_updated = sqlx::query(
        "UPDATE profiles SET verification_state = $1, verified_at = $2, updated_at = $3 \
         WHERE id = $4 AND verification_state = 'pending'",
    )
    .bind(new_state.as_str())
    .bind((new_state == VerificationState::Verified).then_some(now))
    .bind(now)
    .bind(profile_id)
    .execute(&mut *tx)
    .await?;
    let request_updated = sqlx::query(
        "UPDATE verification_requests SET state = $1, decided_by = $2, decided_at = $3, reason = $4 \
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(new_state.as_str())
    .bind(actor.user_id)
    .bind(now)
    .bind(&reason)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    if profile_updated.rows_affected() == 0 || request_updated.rows_affected() == 0 {
        // Dropping the transaction rolls back whichever of the two did apply.
        return Err(CoreError::invalid(
            "request",
            "this request is no longer pending: someone else decided it, or the applicant \
             changed their details and it was withdrawn",
        ));
    }
    let action = match decision {
        Decision::Verify => "verification.verify",
        Decision::Reject { .. } => "verification.reject",
    };
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        action,
        ("profile", Some(profile_id)),
        reason.as_deref().unwrap_or(""),
    )
    .await?;
    tx.commit().await?;
    latest_request(db, actor, profile_id)
        .await?
        .ok_or(CoreError::NotFound("verification request"))
}

/// Marks a profile verified directly (operator command `admin create-user --verified`, demo).
pub async fn verify_directly(
    db: &Db,
    actor_user_id: Option<i64>,
    profile_id: i64,
    why: &str,
) -> CoreResult<()> {
    let now = now_ms();
    // Profile first, then verification_requests: the lock order used everywhere.
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE profiles SET verification_state = 'verified', verified_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(profile_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO verification_requests (id, profile_id, note, state, submitted_at, decided_by, decided_at) \
         VALUES ($1, $2, $3, 'verified', $4, $5, $4)",
    )
    .bind(new_id())
    .bind(profile_id)
    .bind(why)
    .bind(now)
    .bind(actor_user_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor_user_id,
        "verification.verify",
        ("profile", Some(profile_id)),
        why,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a role may hold a verifiable profile at all.
pub fn role_has_professional_profile(role: Role) -> bool {
    matches!(role, Role::Professional | Role::Organisation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_validation() {
        // CMS's worked example: 123456789 has check digit 3.
        assert!(Npi::parse("1234567893").is_ok());
        assert!(Npi::parse("1234567890").is_err());
        assert!(Npi::parse("123456789").is_err());
        assert!(Npi::parse("12345678a3").is_err());
        assert!(Npi::parse("3234567893").is_err());
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert!(clean_links("https://example.org\n\nhttp://a.b/c").is_ok());
        assert!(clean_links("javascript:alert(1)").is_err());
        assert!(clean_links("ftp://example.org").is_err());
    }
}
