//! Conflict-of-interest disclosures on a profile.

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::text::single_line;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::model::{label_of, Disclosure, RELATIONSHIPS};

/// Adds a conflict-of-interest disclosure to the acting profile.
pub async fn add_disclosure(
    core: &Core,
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
        .fetch_one(&core.db.pool)
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
    .execute(&core.db.pool)
    .await?;
    Ok(Disclosure {
        id,
        company,
        relationship: relationship.to_string(),
        relationship_label,
        details,
    })
}

pub async fn remove_disclosure(core: &Core, actor: &Actor, disclosure_id: i64) -> CoreResult<()> {
    let done = sqlx::query("DELETE FROM disclosures WHERE id = $1 AND profile_id = $2")
        .bind(disclosure_id)
        .bind(actor.profile_id)
        .execute(&core.db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(CoreError::NotFound("disclosure"));
    }
    Ok(())
}
