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

fn place(id: i64, post_id: i64) -> Place<'static> {
    Place {
        table: "consents",
        row: id,
        column: "sealed",
        belongs_to: Some(("post", post_id)),
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
        .seal(&mut *tx, owner(author_id), place(id, post_id), &plaintext)
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

/// Seals a post's consent records again for its new id (`create::rekey`, on `tx`, after the
/// rows followed the id): each is bound to the post it belongs to. A record that does not open
/// is left as it is (it covers nothing, see [`consented_identifiers`]).
pub(super) async fn follow_new_id(core: &Core, tx: &mut Tx, old: i64, new: i64) -> CoreResult<()> {
    let rows = sqlx::query("SELECT id, author_id, sealed FROM consents WHERE post_id = $1")
        .bind(new)
        .fetch_all(&mut **tx)
        .await?;
    for r in rows {
        let id: i64 = col(&r, "id")?;
        let Some(sealed) = col::<Option<Vec<u8>>>(&r, "sealed")? else {
            continue;
        };
        let owner = owner(col(&r, "author_id")?);
        let plaintext = match core
            .keys
            .open(&mut *tx, owner, place(id, old), &sealed)
            .await
        {
            Ok(plaintext) => plaintext,
            Err(CoreError::Unreadable(_)) => continue,
            Err(e) => return Err(e),
        };
        let resealed = core
            .keys
            .seal(&mut *tx, owner, place(id, new), &plaintext)
            .await?;
        sqlx::query("UPDATE consents SET sealed = $2 WHERE id = $1")
            .bind(id)
            .bind(resealed)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The consent records of a post, opened (each an error if it does not open).
async fn opened(core: &Core, post_id: i64) -> CoreResult<Vec<CoreResult<Sealed>>> {
    let mut conn = core.db.pool.acquire().await?;
    let rows =
        sqlx::query("SELECT id, author_id, sealed FROM consents WHERE post_id = $1 ORDER BY id")
            .bind(post_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = col(&r, "id")?;
        let sealed: Option<Vec<u8>> = col(&r, "sealed")?;
        let Some(sealed) = sealed else {
            out.push(Err(CoreError::Internal(anyhow::anyhow!(
                "consent record {id} was never sealed"
            ))));
            continue;
        };
        let opened = core
            .keys
            .open(
                &mut conn,
                owner(col(&r, "author_id")?),
                place(id, post_id),
                &sealed,
            )
            .await;
        out.push(opened.and_then(|plaintext| parse_sealed(id, &plaintext)));
    }
    Ok(out)
}

/// A consent record's opened value. A parse error is logged by its kind and place only: its
/// message could quote the record (a patient's name).
fn parse_sealed(id: i64, plaintext: &[u8]) -> CoreResult<Sealed> {
    serde_json::from_slice(plaintext).map_err(|e| {
        CoreError::Internal(anyhow::anyhow!(
            "consent record {id} opened to a value that is not a consent record ({:?} at line {} \
             column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// The consent records of a post: its author only.
pub async fn consents(core: &Core, actor: &Actor, id: i64) -> CoreResult<Vec<ConsentInput>> {
    own_post_row(core, actor, id).await?;
    opened(core, id)
        .await?
        .into_iter()
        .map(|c| {
            c.map(|c| ConsentInput {
                patient_name: c.patient_name,
                scope: c.scope,
                consented_on: c.consented_on,
            })
        })
        .collect()
}

/// The identifiers that consent recorded for this post covers (lower-case). A record that does
/// not open (its key shredded, its row changed) covers nothing: an edit that keeps a name it
/// covered asks for consent again, rather than the post becoming uneditable.
pub(super) async fn consented_identifiers(core: &Core, id: i64) -> CoreResult<Vec<String>> {
    let mut covered = Vec::new();
    for record in opened(core, id).await? {
        match record {
            Ok(c) => covered.extend(c.covered),
            Err(e) => tracing::warn!(post = id, error = %e, "a consent record did not open"),
        }
    }
    Ok(covered)
}

/// Seals the consent records written before they were encrypted (migration 0009), empties
/// their plain columns and purges the old text from the database files: on SQLite with
/// `secure_delete` on while the rows are rewritten, then a VACUUM (which rewrites the file from
/// the live rows only) and the write-ahead log truncated; on PostgreSQL a `VACUUM FULL` of the
/// table (old copies in PostgreSQL's write-ahead log and in backups age out with their
/// retention: README, "Keys and backups"). Run at every start; returns how many it sealed (0
/// once done). Interrupted, it finishes next time: each row is sealed on its own, and the
/// purge is pending (`pending_purges`) until it has succeeded.
pub async fn seal_legacy_consents(core: &Core) -> CoreResult<u64> {
    let mut conn = core.db.pool.acquire().await?;
    // Migration 0009 marks the purge pending exactly when it found rows from before it, and the
    // mark goes only once they are sealed and purged: without it there is nothing to do.
    if !purge_pending(&mut conn).await? {
        return Ok(0);
    }
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
        tracing::info!(
            sealed,
            "sealed the consent records written before encryption"
        );
    }
    purge(core.db.backend, &mut conn).await?;
    Ok(sealed)
}

/// Seals, on `conn`, every consent record not sealed yet and empties its plain columns, one
/// transaction per record. Returns how many.
async fn seal_plain_rows(core: &Core, conn: &mut AnyConnection) -> CoreResult<u64> {
    let rows = sqlx::query(
        "SELECT id, post_id, author_id, patient_name, scope, consented_on, covered \
         FROM consents WHERE sealed IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let covered: String = col(r, "covered")?;
        let value = Sealed {
            patient_name: col(r, "patient_name")?,
            scope: col(r, "scope")?,
            consented_on: col(r, "consented_on")?,
            // Refused rather than dropped: an empty list would make the next edit of the post
            // ask for consent the patient gave.
            covered: serde_json::from_str(&covered).map_err(|e| {
                CoreError::Internal(anyhow::anyhow!(
                    "consent record {id} lists the identifiers it covers in a form that cannot \
                     be read ({:?}); it was left as it is",
                    e.classify()
                ))
            })?,
        };
        let plaintext = serde_json::to_vec(&value).expect("a consent record serialises");
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let place = place(id, col(r, "post_id")?);
        let sealed = core
            .keys
            .seal(&mut tx, owner(col(r, "author_id")?), place, &plaintext)
            .await?;
        sqlx::query(
            "UPDATE consents SET sealed = $2, patient_name = '', scope = '', consented_on = '', \
             covered = '[]' WHERE id = $1 AND sealed IS NULL",
        )
        .bind(id)
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(rows.len() as u64)
}

/// Whether the consent records' old text still has to be purged from the database files.
async fn purge_pending(conn: &mut AnyConnection) -> CoreResult<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM pending_purges WHERE name = 'consents'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// Rewrites the database files without the free space where the plain text was, then marks the
/// purge done. Sent as plain statements (VACUUM cannot run in a prepared statement's implicit
/// transaction). A write-ahead log that other connections keep from being truncated leaves the
/// purge pending for the next start, with a warning.
async fn purge(backend: Backend, conn: &mut AnyConnection) -> CoreResult<()> {
    match backend {
        Backend::Sqlite => {
            conn.execute("VACUUM").await?;
            if !truncate_wal(conn).await? {
                tracing::warn!(
                    "the write-ahead log was in use and could not be emptied: old consent text \
                     may remain in it until the next start"
                );
                return Ok(());
            }
        }
        Backend::Postgres => {
            conn.execute("VACUUM FULL consents").await?;
        }
    }
    sqlx::query("DELETE FROM pending_purges WHERE name = 'consents'")
        .execute(&mut *conn)
        .await?;
    tracing::info!("purged the consent records' old plain text from the database files");
    Ok(())
}

/// Checkpoints SQLite's write-ahead log and truncates it, retrying while another connection
/// reads from it. `false` when it stayed busy (SQLite reports that in the result row, not as
/// an error).
async fn truncate_wal(conn: &mut AnyConnection) -> CoreResult<bool> {
    for _ in 0..20 {
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await?;
        let busy: i64 = col(&row, "busy")?;
        if busy == 0 {
            return Ok(true);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(false)
}
