//! Patients' consent records: written with the post that needed them, sealed under the
//! author's data key (`kernel::envelope`), read by the author only.
//!
//! A record holds the patient's name, what they agreed to, the date on the signed form and the
//! identifiers the engine found when it was recorded (an edit may keep those; new ones need new
//! consent), all in one sealed value. The plain columns of the table are left empty; they held
//! the record before encryption, and [`seal_legacy_consents`] seals such rows and purges their
//! text from the database files.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Executor};

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, Backend, Tx};
use crate::kernel::envelope::{Owner, Place};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::edit::own_post_row;
use super::model::ConsentInput;

/// What a consent record seals.
#[derive(Serialize, Deserialize)]
struct Sealed {
    patient_name: String,
    scope: String,
    consented_on: String,
    /// The identifiers it covers (lower-case).
    covered: Vec<String>,
}

fn owner(author_id: i64) -> Owner<'static> {
    Owner {
        kind: "profile",
        id: author_id,
    }
}

fn place(id: i64) -> Place<'static> {
    Place {
        table: "consents",
        row: id,
        column: "sealed",
    }
}

/// Stores a consent record for post `post_id`, sealed, in the publishing transaction.
pub(super) async fn record(
    core: &Core,
    tx: &mut Tx,
    post_id: i64,
    author_id: i64,
    consent: &ConsentInput,
    covered: Vec<String>,
) -> CoreResult<()> {
    let id = new_id();
    let value = Sealed {
        patient_name: consent.patient_name.clone(),
        scope: consent.scope.clone(),
        consented_on: consent.consented_on.clone(),
        covered,
    };
    let plaintext = serde_json::to_vec(&value).expect("a consent record serialises");
    let sealed = core
        .keys
        .seal(&mut *tx, owner(author_id), place(id), &plaintext)
        .await?;
    sqlx::query(
        "INSERT INTO consents (id, post_id, author_id, patient_name, scope, consented_on, \
         covered, recorded_at, sealed) VALUES ($1, $2, $3, '', '', '', '[]', $4, $5)",
    )
    .bind(id)
    .bind(post_id)
    .bind(author_id)
    .bind(now_ms())
    .bind(sealed)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The consent records of a post, opened: for its author only.
async fn opened(core: &Core, post_id: i64, author_id: Option<i64>) -> CoreResult<Vec<Sealed>> {
    let mut conn = core.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT id, author_id, sealed FROM consents WHERE post_id = $1 \
         AND ($2 = 0 OR author_id = $2) ORDER BY id",
    )
    .bind(post_id)
    .bind(author_id.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = col(&r, "id")?;
        let sealed: Option<Vec<u8>> = col(&r, "sealed")?;
        let sealed = sealed.ok_or_else(|| {
            CoreError::Internal(anyhow::anyhow!("consent record {id} was never sealed"))
        })?;
        let plaintext = core
            .keys
            .open(&mut conn, owner(col(&r, "author_id")?), place(id), &sealed)
            .await?;
        out.push(serde_json::from_slice(&plaintext).map_err(|e| {
            CoreError::Internal(anyhow::anyhow!(
                "consent record {id} opened to bad JSON: {e}"
            ))
        })?);
    }
    Ok(out)
}

/// The consent records of a post: its author only.
pub async fn consents(core: &Core, actor: &Actor, id: i64) -> CoreResult<Vec<ConsentInput>> {
    own_post_row(core, actor, id).await?;
    Ok(opened(core, id, Some(actor.profile_id))
        .await?
        .into_iter()
        .map(|c| ConsentInput {
            patient_name: c.patient_name,
            scope: c.scope,
            consented_on: c.consented_on,
        })
        .collect())
}

/// The identifiers that consent recorded for this post covers (lower-case).
pub(super) async fn consented_identifiers(core: &Core, id: i64) -> CoreResult<Vec<String>> {
    Ok(opened(core, id, None)
        .await?
        .into_iter()
        .flat_map(|c| c.covered)
        .collect())
}

/// Seals the consent records written before they were encrypted (migration 0009), empties
/// their plain columns and purges the old text from the database files: on SQLite with
/// `secure_delete` on while the rows are rewritten, then a VACUUM (which rewrites the file from
/// the live rows only) and the write-ahead log truncated; on PostgreSQL a VACUUM of the table. Run at every start; returns how many it sealed (0 once
/// done). Interrupted, it seals the rest next time (each row is sealed on its own).
pub async fn seal_legacy_consents(core: &Core) -> CoreResult<u64> {
    let mut conn = core.db.pool.acquire().await?;
    let sqlite = core.db.backend == Backend::Sqlite;
    if sqlite {
        // What the updates below free is overwritten with zeros, not left for VACUUM alone.
        conn.execute("PRAGMA secure_delete = ON").await?;
    }
    let sealed = seal_plain_rows(core, &mut conn).await;
    if sqlite {
        conn.execute("PRAGMA secure_delete = OFF").await?;
    }
    let sealed = sealed?;
    if sealed > 0 {
        purge(core.db.backend, &mut conn).await?;
        tracing::info!(
            sealed,
            "sealed the consent records written before encryption"
        );
    }
    Ok(sealed)
}

/// Seals, on `conn`, every consent record not sealed yet and empties its plain columns.
/// Returns how many.
async fn seal_plain_rows(core: &Core, conn: &mut AnyConnection) -> CoreResult<u64> {
    let rows = sqlx::query(
        "SELECT id, author_id, patient_name, scope, consented_on, covered FROM consents \
         WHERE sealed IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let author_id: i64 = col(r, "author_id")?;
        let covered: String = col(r, "covered")?;
        let value = Sealed {
            patient_name: col(r, "patient_name")?,
            scope: col(r, "scope")?,
            consented_on: col(r, "consented_on")?,
            covered: serde_json::from_str(&covered).unwrap_or_default(),
        };
        let plaintext = serde_json::to_vec(&value).expect("a consent record serialises");
        let sealed = core
            .keys
            .seal(&mut *conn, owner(author_id), place(id), &plaintext)
            .await?;
        sqlx::query(
            "UPDATE consents SET sealed = $2, patient_name = '', scope = '', consented_on = '', \
             covered = '[]' WHERE id = $1 AND sealed IS NULL",
        )
        .bind(id)
        .bind(sealed)
        .execute(&mut *conn)
        .await?;
    }
    Ok(rows.len() as u64)
}

/// Rewrites the database files without the free space where the plain text was. Sent as plain
/// statements (VACUUM cannot run in a prepared statement's implicit transaction).
async fn purge(backend: Backend, conn: &mut AnyConnection) -> CoreResult<()> {
    let statements = match backend {
        Backend::Sqlite => "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
        Backend::Postgres => "VACUUM consents",
    };
    conn.execute(statements).await?;
    Ok(())
}
