//! The server's VAPID key pair (RFC 8292): push services know our pushes by it, and apps give
//! its public half to the push service when they subscribe. One pair for the server, made by
//! whichever instance first needs it, its private half sealed by the envelope module.

use std::time::Duration;

use base64::Engine;
use url::Url;
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::envelope::{Owner, Place};
use crate::kernel::{Core, CoreError, CoreResult};

const NAME: &str = "vapid";
const OWNER: Owner<'static> = Owner {
    kind: "server",
    id: 0,
};

/// The key pair and its public half as apps are given it: the uncompressed P-256 point,
/// URL-safe base64 without padding (as Mastodon's `vapid_key`).
pub(super) struct ServerKey {
    pub(super) pair: ES256KeyPair,
    pub(super) public: String,
}

impl ServerKey {
    /// The `Authorization` header of a push to `endpoint` (RFC 8292 §3): a JWT for the
    /// endpoint's origin, valid for `valid_for` (at most a day), naming who to contact, and
    /// the public key that checks it. The origin keeps a port that is not the scheme's own
    /// (`web_push_native`'s own header drops it, which only a push service on an unusual
    /// port would notice).
    pub(super) fn authorization(
        &self,
        endpoint: &Url,
        valid_for: Duration,
        contact: &str,
    ) -> CoreResult<String> {
        let claims = Claims::create(valid_for.into())
            .with_audience(endpoint.origin().ascii_serialization())
            .with_subject(contact);
        let token = self
            .pair
            .sign(claims)
            .map_err(|e| anyhow::anyhow!("signing a VAPID token: {e}"))?;
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

fn place(id: i64) -> Place<'static> {
    Place {
        table: "server_keys",
        row: id,
        column: "sealed",
        belongs_to: None,
    }
}

/// The server's VAPID public key (made now if there is none yet). Read without opening the
/// private half, so instance and app descriptions do not depend on the key file.
pub async fn public_key(core: &Core) -> CoreResult<String> {
    let stored = sqlx::query("SELECT public_key FROM server_keys WHERE name = $1")
        .bind(NAME)
        .fetch_optional(&core.db.pool)
        .await?;
    match stored {
        Some(row) => Ok(col(&row, "public_key")?),
        None => Ok(server_key(core).await?.public),
    }
}

/// The server's VAPID key pair, made now if there is none yet.
pub(super) async fn server_key(core: &Core) -> CoreResult<ServerKey> {
    if let Some(key) = stored(core).await? {
        return Ok(key);
    }
    let pair = ES256KeyPair::generate();
    let public = encode_public(&pair);
    let id = new_id();
    let mut tx = core.db.begin_write().await?;
    let sealed = core
        .keys
        .seal(&mut tx, OWNER, place(id), &pair.to_bytes())
        .await?;
    // Two instances may make one at once: the first row written is the server's key.
    sqlx::query(
        "INSERT INTO server_keys (id, name, public_key, sealed, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
    )
    .bind(id)
    .bind(NAME)
    .bind(&public)
    .bind(sealed)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    stored(core)
        .await?
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("the VAPID key was not kept")))
}

async fn stored(core: &Core) -> CoreResult<Option<ServerKey>> {
    let Some(row) = sqlx::query("SELECT id, public_key, sealed FROM server_keys WHERE name = $1")
        .bind(NAME)
        .fetch_optional(&core.db.pool)
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = col(&row, "id")?;
    let sealed: Vec<u8> = col(&row, "sealed")?;
    let mut conn = core.db.pool.acquire().await?;
    let secret = core.keys.open(&mut conn, OWNER, place(id), &sealed).await?;
    let pair = ES256KeyPair::from_bytes(&secret)
        .map_err(|e| anyhow::anyhow!("the stored VAPID key is not a P-256 key: {e}"))?;
    Ok(Some(ServerKey {
        pair,
        public: col(&row, "public_key")?,
    }))
}

fn encode_public(pair: &ES256KeyPair) -> String {
    let point = pair.public_key().public_key().to_bytes_uncompressed();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(point)
}
