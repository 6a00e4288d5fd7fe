//! The audit log: every verification decision and every privileged change is written here with
//! who did it, to what, and when. Rows are only ever inserted.

use serde::Serialize;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::{Core, CoreResult};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor_handle: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub detail: String,
}

/// Records an action. Runs on any executor so it can join the caller's transaction.
pub async fn record<'e, E>(
    executor: E,
    actor_user_id: Option<i64>,
    action: &str,
    subject: (&str, Option<i64>),
    detail: &str,
) -> CoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_user_id, action, subject_type, subject_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(actor_user_id)
    .bind(action)
    .bind(subject.0)
    .bind(subject.1)
    .bind(detail)
    .execute(executor)
    .await?;
    Ok(())
}

/// The newest entries first; `subject` narrows to one profile or user.
pub async fn recent(
    core: &Core,
    subject: Option<(&str, i64)>,
    limit: i64,
) -> CoreResult<Vec<AuditEntry>> {
    // The actor is shown by the handle of one of their profiles (the lowest id: the first made).
    let base = "SELECT a.id, a.at, a.actor_user_id, a.action, a.subject_type, a.subject_id, \
                a.detail, (SELECT p.handle FROM profiles p WHERE p.user_id = a.actor_user_id \
                ORDER BY p.id LIMIT 1) AS actor_handle FROM audit_log a";
    let rows = match subject {
        Some((kind, id)) => {
            sqlx::query(&format!(
                "{base} WHERE a.subject_type = $1 AND a.subject_id = $2 ORDER BY a.id DESC LIMIT $3"
            ))
            .bind(kind)
            .bind(id)
            .bind(limit)
            .fetch_all(&core.db.pool)
            .await?
        }
        None => {
            sqlx::query(&format!("{base} ORDER BY a.id DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(&core.db.pool)
                .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: col(r, "id")?,
                at: col(r, "at")?,
                actor_user_id: col(r, "actor_user_id")?,
                actor_handle: col(r, "actor_handle")?,
                action: col(r, "action")?,
                subject_type: col(r, "subject_type")?,
                subject_id: col(r, "subject_id")?,
                detail: col(r, "detail")?,
            })
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}
