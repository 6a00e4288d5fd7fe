//! What a profile is: its kind, verification state, credentials and disclosures, and what a
//! given viewer may see of it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::kernel::db::{col, parse_col};
use crate::kernel::{Actor, Role};

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

    /// The kind of the profile a login of this role starts with.
    pub fn primary_for(role: Role) -> ProfileKind {
        match role {
            Role::Professional => ProfileKind::Professional,
            Role::Organisation => ProfileKind::Organisation,
            _ => ProfileKind::Personal,
        }
    }
}
impl FromStr for ProfileKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "personal" => Ok(ProfileKind::Personal),
            "professional" => Ok(ProfileKind::Professional),
            "organisation" => Ok(ProfileKind::Organisation),
            _ => Err(()),
        }
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
    /// Approves each follower (a follow is a request until then).
    pub locked: bool,
    /// The profile photo and header image: file keys of cleaned images in `media`.
    #[serde(skip)]
    pub avatar_key: Option<String>,
    #[serde(skip)]
    pub header_key: Option<String>,
    /// Followers, following and posts, where the query that loaded the profile counted them.
    pub stats: Option<Stats>,
    /// Moves with anything shown of the account, counts included (the triggers of migration
    /// 0005): a renderer may keep the account's rendering for as long as it stays.
    #[serde(skip)]
    pub render_version: i64,
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
    pub(super) fn from_row(row: &AnyRow) -> sqlx::Result<Profile> {
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
            locked: col::<i64>(row, "locked")? != 0,
            avatar_key: col(row, "avatar_key")?,
            header_key: col(row, "header_key")?,
            stats: Some(Stats {
                followers: col(row, "followers_count")?,
                following: col(row, "following_count")?,
                posts: col(row, "posts_count")?,
                last_post_at: col(row, "last_post_at")?,
            }),
            render_version: col(row, "version")?,
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

    /// Where the profile's photo is served: its 400-px thumbnail, or the default picture.
    pub fn avatar_path(&self) -> String {
        self.avatar_key
            .as_ref()
            .map_or("/static/avatar.png".to_string(), |k| {
                format!("/media/{k}/thumbnail")
            })
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
/// The columns every profile query reads.
pub(super) const PROFILE_COLUMNS: &str = "id, user_id, kind, handle, display_name, bio, links, \
    profession, specialty, credentials, licence_number, licence_jurisdiction, npi, affiliations, \
    org_kind, verification_state, verified_at, created_at, updated_at, followers_count, \
    following_count, posts_count, last_post_at, locked, avatar_key, header_key, version";
