//! Reading profiles: one by id or handle, several at once for a page, the directory.

use std::collections::HashMap;

use crate::kernel::db::{col, placeholders, Tx};
use crate::kernel::error::HANDLE_TAKEN;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::handle::{look_alike_key, Handle};
use super::model::{label_of, Disclosure, Profile, PROFILE_COLUMNS, RELATIONSHIPS};

pub(crate) async fn ensure_handle_free(core: &Core, handle: &Handle) -> CoreResult<()> {
    let taken = sqlx::query("SELECT id FROM profiles WHERE handle_lower = $1")
        .bind(handle.as_str().to_lowercase())
        .fetch_optional(&core.db.pool)
        .await?
        .is_some();
    if taken {
        return Err(CoreError::taken(&HANDLE_TAKEN));
    }
    Ok(())
}

async fn load_disclosures(core: &Core, profile: &mut Profile) -> CoreResult<()> {
    let rows = sqlx::query(
        "SELECT id, company, relationship, details FROM disclosures WHERE profile_id = $1 ORDER BY id",
    )
    .bind(profile.id)
    .fetch_all(&core.db.pool)
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
    core: &Core,
    condition: &str,
    value: &(dyn ToBind + Sync),
) -> CoreResult<Profile> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE {condition}");
    let row = value
        .bind_to(sqlx::query(&sql))
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("profile"))?;
    let mut profile = Profile::from_row(&row)?;
    load_disclosures(core, &mut profile).await?;
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
pub async fn get(core: &Core, id: i64) -> CoreResult<Profile> {
    fetch_one_where(core, "id = $1", &id).await
}

pub async fn get_by_handle(core: &Core, handle: &str) -> CoreResult<Profile> {
    let key = handle.trim().trim_start_matches('@').to_lowercase();
    fetch_one_where(core, "handle_lower = $1", &key).await
}

/// Profiles by handle (any case, with or without `@`), keyed by lower-case handle; unknown
/// handles are absent. Licence numbers are left out, as in [`public_by_ids`].
pub async fn by_handles(core: &Core, handles: &[String]) -> CoreResult<HashMap<String, Profile>> {
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
        placeholders(1, keys.len())
    );
    let mut query = sqlx::query(&sql);
    for key in &keys {
        query = query.bind(key);
    }
    let ids: Vec<i64> = query
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<sqlx::Result<_>>()?;
    Ok(public_by_ids(core, &ids)
        .await?
        .into_values()
        .map(|p| (p.handle.to_lowercase(), p))
        .collect())
}

/// A profile as this viewer may see it, with its counts.
pub async fn view(core: &Core, viewer: Option<&Actor>, handle: &str) -> CoreResult<Profile> {
    Ok(get_by_handle(core, handle).await?.for_viewer(viewer))
}

pub async fn view_by_id(core: &Core, viewer: Option<&Actor>, id: i64) -> CoreResult<Profile> {
    Ok(get(core, id).await?.for_viewer(viewer))
}

/// The handle of a verified profile whose name reads the same as `profile`'s (case, width and
/// lookalike letters aside: `handle::look_alike_key`), when `profile` itself is not verified:
/// its readers are told it is not that person. Compared in Rust over the verified profiles,
/// once per unverified profile page (SQL's `lower` differs between the backends and knows no
/// lookalikes).
pub async fn verified_namesake(core: &Core, profile: &Profile) -> CoreResult<Option<String>> {
    if profile.is_verified() {
        return Ok(None);
    }
    let key = look_alike_key(&profile.display_name);
    let rows = sqlx::query(
        "SELECT handle, display_name FROM profiles \
         WHERE verification_state = 'verified' AND id <> $1 ORDER BY id",
    )
    .bind(profile.id)
    .fetch_all(&core.db.pool)
    .await?;
    for row in rows {
        if look_alike_key(&col::<String>(&row, "display_name")?) == key {
            return Ok(Some(col(&row, "handle")?));
        }
    }
    Ok(None)
}

/// The first profile a login made: what a new session acts as.
pub async fn primary_for_user(core: &Core, user_id: i64) -> CoreResult<Profile> {
    let row = sqlx::query("SELECT id FROM profiles WHERE user_id = $1 ORDER BY id LIMIT 1")
        .bind(user_id)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("profile"))?;
    get(core, col(&row, "id")?).await
}

/// All profiles of one login (for the owner's profile switcher only).
pub async fn for_user(core: &Core, user_id: i64) -> CoreResult<Vec<Profile>> {
    all_where(core, "user_id = $1 ORDER BY id", user_id).await
}

/// The profiles of the `limit` newest logins (the admin accounts table), in one query rather
/// than one per login.
pub(crate) async fn for_newest_users(core: &Core, limit: i64) -> CoreResult<Vec<Profile>> {
    all_where(
        core,
        "user_id IN (SELECT id FROM users ORDER BY id DESC LIMIT $1) ORDER BY id",
        limit,
    )
    .await
}

/// Verified professionals and organisations, newest verification first (home page directory).
pub async fn verified_directory(core: &Core, limit: i64) -> CoreResult<Vec<Profile>> {
    let condition = "verification_state = 'verified' ORDER BY verified_at DESC, id DESC LIMIT $1";
    let mut profiles = all_where(core, condition, limit).await?;
    for p in &mut profiles {
        p.licence_number = None;
    }
    Ok(profiles)
}

/// How a directory page is ordered (Mastodon's `order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    /// Who posted most recently first.
    Active,
    /// Newest profiles first.
    New,
}

/// A directory request: professionals and organisations, optionally of one profession or
/// specialty, or verified only. Members (patients) are never listed.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub order: DirectoryOrder,
    pub profession: Option<String>,
    pub specialty: Option<String>,
    pub verified_only: bool,
    pub offset: i64,
    pub limit: i64,
}

/// The find-a-professional directory: one page of professionals and organisations.
pub async fn directory(core: &Core, q: &DirectoryQuery) -> CoreResult<Vec<Profile>> {
    let mut condition = String::from("kind IN ('professional', 'organisation')");
    let mut values: Vec<String> = Vec::new();
    for (column, wanted) in [("profession", &q.profession), ("specialty", &q.specialty)] {
        if let Some(wanted) = wanted.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            values.push(wanted.to_lowercase());
            condition.push_str(&format!(
                " AND LOWER(COALESCE({column}, '')) = ${}",
                values.len()
            ));
        }
    }
    if q.verified_only {
        condition.push_str(" AND verification_state = 'verified'");
    }
    let order = match q.order {
        DirectoryOrder::Active => "COALESCE(last_post_at, 0) DESC, id DESC",
        DirectoryOrder::New => "created_at DESC, id DESC",
    };
    let sql = format!(
        "SELECT id FROM profiles WHERE {condition} ORDER BY {order} LIMIT {} OFFSET {}",
        q.limit.clamp(1, 80),
        q.offset.clamp(0, 100_000)
    );
    let mut query = sqlx::query(&sql);
    for value in &values {
        query = query.bind(value.clone());
    }
    let ids: Vec<i64> = query
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<sqlx::Result<_>>()?;
    let people = public_by_ids(core, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| people.get(id).cloned())
        .collect())
}

/// The profiles meeting `condition` (SQL over `profiles` with its order, its one value at `$1`).
async fn all_where(core: &Core, condition: &str, value: i64) -> CoreResult<Vec<Profile>> {
    let rows = sqlx::query(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles WHERE {condition}"
    ))
    .bind(value)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(Profile::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// Several profiles by id, as the public sees them (licence numbers stripped), with their
/// disclosures and counts: two queries however many posts a page shows.
pub async fn public_by_ids(core: &Core, ids: &[i64]) -> CoreResult<HashMap<i64, Profile>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let list = placeholders(1, ids.len());
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE id IN ({list})");
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(&core.db.pool).await? {
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
    for r in query.fetch_all(&core.db.pool).await? {
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

pub async fn count_profiles(core: &Core) -> CoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM profiles")
        .fetch_one(&core.db.pool)
        .await?;
    Ok(col(&row, "n")?)
}

/// A profile read inside a transaction that has already updated (and so locked) its row.
pub(crate) async fn locked(tx: &mut Tx, id: i64) -> CoreResult<Profile> {
    let row = sqlx::query(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Profile::from_row(&row)?)
}
