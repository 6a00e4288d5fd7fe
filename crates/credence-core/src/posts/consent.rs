//! Patients' consent records: written with the post that needed them, read by its author only.

use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreResult};

use super::edit::own_post_row;
use super::model::ConsentInput;

/// The consent records of a post: its author only.
pub async fn consents(core: &Core, actor: &Actor, id: i64) -> CoreResult<Vec<ConsentInput>> {
    own_post_row(core, actor, id).await?;
    let rows = sqlx::query(
        "SELECT patient_name, scope, consented_on FROM consents WHERE post_id = $1 \
         AND author_id = $2 ORDER BY id",
    )
    .bind(id)
    .bind(actor.profile_id)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(ConsentInput {
                patient_name: col(r, "patient_name")?,
                scope: col(r, "scope")?,
                consented_on: col(r, "consented_on")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}
