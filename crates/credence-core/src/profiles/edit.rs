//! An owner's edits, and the rule that changing what a badge vouches for sends the profile
//! back to unverified.

use crate::audit;
use crate::kernel::clock::now_ms;
use crate::kernel::db::Tx;
use crate::kernel::text::{multi_line, no_null, refuse_format_chars, single_line};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::handle::clean_display_name;
use super::model::{label_of, Profile, ORG_KINDS, PROFESSIONS};
use super::npi::Npi;
use super::read::get;

/// Fields a profile's owner can edit. `None` leaves a field unchanged (API partial updates);
/// `Some("")` clears it; `null` in JSON is refused ([`no_null`]).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ProfileUpdate {
    #[serde(default, deserialize_with = "no_null")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub bio: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub links: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub profession: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub specialty: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub credentials: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub licence_number: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub licence_jurisdiction: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub npi: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub affiliations: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
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
pub async fn update(core: &Core, actor: &Actor, update: ProfileUpdate) -> CoreResult<Edited> {
    let current = get(core, actor.profile_id).await?;
    let next = edited(&current, &update)?;
    let mut tx = core.db.begin_write().await?;
    write_details(&mut tx, &next).await?;
    let verification_reset = vouched_details(&current) != vouched_details(&next)
        && reset_verification(
            &mut tx,
            current.id,
            Some(actor.user_id),
            "the owner changed verified details",
        )
        .await?;
    tx.commit().await?;
    Ok(Edited {
        profile: get(core, current.id).await?,
        verification_reset,
    })
}

/// Checks an edit in full, writing nothing (so that a request that also uploads pictures is
/// refused before any of it is kept).
pub async fn check_update(core: &Core, actor: &Actor, update: &ProfileUpdate) -> CoreResult<()> {
    edited(&get(core, actor.profile_id).await?, update).map(|_| ())
}

/// What an app may change through Mastodon's `update_credentials`.
#[derive(Debug, Default, Clone)]
pub struct AppProfileEdit {
    pub display_name: Option<String>,
    pub note: Option<String>,
    /// Mastodon's profile fields (name, value), in order, when given.
    pub fields: Option<Vec<(String, String)>>,
    pub bot: bool,
    pub discoverable: Option<bool>,
}

impl AppProfileEdit {
    /// The edit in Credence's terms. Credence accounts are never bots and their place in the
    /// directory follows from their kind; fields hold links, because credentials and
    /// disclosures have their own checked places.
    pub fn into_update(self) -> CoreResult<ProfileUpdate> {
        if self.bot {
            return Err(CoreError::invalid(
                "bot",
                "Credence accounts are people and organisations, not bots",
            ));
        }
        if self.discoverable == Some(false) {
            return Err(CoreError::invalid(
                "discoverable",
                "Professionals and organisations are always in the directory; members never are",
            ));
        }
        let links = match self.fields {
            None => None,
            Some(fields) => Some(field_links(&fields)?),
        };
        Ok(ProfileUpdate {
            display_name: self.display_name,
            bio: self.note,
            links,
            ..ProfileUpdate::default()
        })
    }
}

fn field_links(fields: &[(String, String)]) -> CoreResult<String> {
    let mut links = Vec::new();
    for (name, value) in fields {
        let value = value.trim();
        if name.trim().is_empty() && value.is_empty() {
            continue;
        }
        if !(value.starts_with("https://") || value.starts_with("http://")) {
            return Err(CoreError::invalid(
                "fields_attributes",
                "Profile fields hold links here (https://…); credentials and disclosures are \
                 set on your Credence profile",
            ));
        }
        links.push(value);
    }
    Ok(links.join("\n"))
}

/// A profile after its owner's edit.
#[derive(Debug, Clone)]
pub struct Edited {
    pub profile: Profile,
    /// The edit changed what the badge vouched for, so a verified or pending profile went
    /// back to unverified.
    pub verification_reset: bool,
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
async fn write_details(tx: &mut Tx, p: &Profile) -> CoreResult<()> {
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
    tx: &mut Tx,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_be_web_addresses() {
        assert!(clean_links("https://example.org\n\nhttp://a.b/c").is_ok());
        assert!(clean_links("javascript:alert(1)").is_err());
        assert!(clean_links("ftp://example.org").is_err());
    }
}
