//! Envelope encryption: the one module every private record uses (consent records today;
//! messages, diaries, consultations, verification documents and platform tokens as they come).
//!
//! - Each owner (a profile, say) has a random 256-bit **data key**, made on first use. Records
//!   are sealed with it by XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`), a fresh
//!   random 192-bit nonce each time, and the record's table, row id and column as associated
//!   data: a ciphertext copied into another row, column or table does not open.
//! - Data keys are stored **wrapped** (sealed) by a **key-encryption key** (KEK) that lives in
//!   a key file outside the database (`--key-file`, default `DATA_DIR/credence.key`, mode
//!   0600), bound to their owner by the same means. A copy of the database alone opens nothing.
//! - A **key check** (a known phrase sealed by the KEK) is stored in the database, so a wrong
//!   or missing key file is refused at start with a message, before anything is written. The
//!   key file is created only while the database holds no check and no wrapped key: several
//!   instances read one key file (on a shared mount) and none makes its own.
//! - **Rotation** (`credence admin rotate-key`, one at a time under a lock file) writes a new
//!   KEK into the key file beside the old one (marked retiring), moves the check to it,
//!   re-wraps every data key in batches (records are not touched), then drops the old KEK.
//!   Interrupted, it is run again and finishes. Other instances re-read the key file when
//!   they meet a data key wrapped by a KEK they lack, and before wrapping a new data key when
//!   the check names a KEK other than their current one (read with the check's row locked, so
//!   no data key is wrapped by the old KEK once re-wrapping began).
//! - **Crypto-shredding**: deleting an owner's data key ([`Keyring::shred`]) makes every record
//!   sealed with it unreadable for good, wherever copies of the rows went (backups included).
//!
//! Losing the key file means losing every sealed record: the README says how to back it up
//! apart from the database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use anyhow::{bail, Context};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::clock::{new_id, now_ms};
use super::db::{col, Db};
use super::error::{CoreError, CoreResult};
use super::secrets::hex;

/// The format byte that starts every sealed value (what follows: nonce, ciphertext and tag).
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
/// What the key check seals, and the associated data it is sealed with.
const CHECK_PHRASE: &[u8] = b"credence key check";
const CHECK_AAD: &[u8] = b"key_check";
/// Data keys re-wrapped per transaction during a rotation.
const ROTATION_BATCH: i64 = 500;

/// Whose data key seals a record: `("profile", 42)`.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub kind: &'a str,
    pub id: i64,
}

/// Where a sealed value is stored; its associated data, so it opens only there.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub table: &'a str,
    pub row: i64,
    pub column: &'a str,
    /// The record the row belongs to, when the row names it (a consent record's post): a row
    /// pointed at another record no longer opens.
    pub belongs_to: Option<(&'a str, i64)>,
}

impl Place<'_> {
    fn aad(&self) -> Vec<u8> {
        let mut aad = format!("{}\u{0}{}\u{0}{}", self.table, self.row, self.column);
        if let Some((kind, id)) = self.belongs_to {
            aad.push_str(&format!("\u{0}{kind}\u{0}{id}"));
        }
        aad.into_bytes()
    }
}

/// A key-encryption key and its id (the start of its SHA-256, in hex): the id is stored with
/// each data key it wraps and with the key check, never the key.
struct Kek {
    id: String,
    cipher: XChaCha20Poly1305,
    text: String,
}

impl Kek {
    fn generate() -> Kek {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        Kek::from_bytes(&key).expect("32 bytes")
    }

    fn from_bytes(bytes: &[u8]) -> anyhow::Result<Kek> {
        if bytes.len() != 32 {
            bail!("a key is 32 bytes, this one is {}", bytes.len());
        }
        let digest = Sha256::digest([b"credence kek ".as_slice(), bytes].concat());
        Ok(Kek {
            id: hex(&digest[..8]),
            cipher: XChaCha20Poly1305::new_from_slice(bytes).expect("32 bytes"),
            text: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        })
    }

    fn from_text(text: &str) -> anyhow::Result<Kek> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .context("a key is not valid base64")?;
        Kek::from_bytes(&bytes)
    }
}

/// The key file: the current KEK and, during a rotation, the one being retired.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    current: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retiring: Vec<String>,
}

struct Keys {
    current: Kek,
    retiring: Vec<Kek>,
}

impl Keys {
    fn by_id(&self, id: &str) -> Option<&Kek> {
        std::iter::once(&self.current)
            .chain(&self.retiring)
            .find(|k| k.id == id)
    }

    fn ids(&self) -> Vec<&str> {
        std::iter::once(&self.current)
            .chain(&self.retiring)
            .map(|k| k.id.as_str())
            .collect()
    }
}

/// This process's key-encryption keys, read from the key file.
pub struct Keyring {
    path: PathBuf,
    keys: RwLock<Keys>,
}

/// What [`Keyring::status`] reports.
#[derive(Debug, Clone)]
pub struct KeyStatus {
    /// The current key-encryption key's id.
    pub key_id: String,
    /// How many data keys the database holds.
    pub data_keys: i64,
}

/// What a rotation did.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub from: String,
    pub to: String,
    pub rewrapped: u64,
}

fn seal_with(cipher: &XChaCha20Poly1305, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any length this server handles");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// `None` when the value was changed, belongs elsewhere or was sealed with another key: the
/// AEAD tells nothing more, and nothing of a failed opening is returned.
fn open_with(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = sealed.split_first()?;
    if version != VERSION || rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}

/// The associated data that binds a wrapped data key to its owner.
fn wrap_aad(owner: Owner<'_>) -> Vec<u8> {
    format!("data_key\u{0}{}\u{0}{}", owner.kind, owner.id).into_bytes()
}

/// The key file must be readable by its owner only: the key opens every private record.
fn refuse_open_permissions(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "the key file {} can be read by other users (mode {:o}); it opens every private \
                 record, so Credence will not use it: run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    Ok(())
}

fn read_key_file(path: &Path) -> anyhow::Result<Keys> {
    refuse_open_permissions(path)?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    let file: KeyFile = toml::from_str(&text)
        .with_context(|| format!("the key file {} is not a Credence key file", path.display()))?;
    let parse = |text: &str| {
        Kek::from_text(text).with_context(|| format!("the key file {} is damaged", path.display()))
    };
    Ok(Keys {
        current: parse(&file.current)?,
        retiring: file
            .retiring
            .iter()
            .map(|t| parse(t))
            .collect::<anyhow::Result<_>>()?,
    })
}

fn key_file_text(keys: &Keys) -> String {
    let file = KeyFile {
        current: keys.current.text.clone(),
        retiring: keys.retiring.iter().map(|k| k.text.clone()).collect(),
    };
    format!(
        "# Credence's key-encryption key. Keep this file secret, readable by Credence only, and\n\
         # backed up apart from the database: without it, encrypted records (consent records,\n\
         # messages, diaries) cannot be read by anyone, ever.\n{}",
        toml::to_string(&file).expect("a key file serialises")
    )
}

/// Writes a new file beside `path` (`<name>.new`), readable by its owner only, synced.
fn write_staging(path: &Path, keys: &Keys) -> anyhow::Result<PathBuf> {
    let staging = path.with_extension("key.new");
    let _ = std::fs::remove_file(&staging);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&staging)
        .with_context(|| format!("cannot write the key file {}", staging.display()))?;
    file.write_all(key_file_text(keys).as_bytes())?;
    file.sync_all()?;
    Ok(staging)
}

/// Syncs the directory holding `path`, so a rename or a new name in it survives a power cut.
fn sync_parent(path: &Path) -> anyhow::Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = std::fs::File::open(parent.unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot sync the directory of {}", path.display()))?;
    dir.sync_all()?;
    Ok(())
}

/// Creates the key file, whole or not at all: written beside it, then linked into place, which
/// fails if the name exists. `Ok(false)` when another process created it first (read theirs).
fn create_key_file(path: &Path, keys: &Keys) -> anyhow::Result<bool> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    let staging = write_staging(path, keys)?;
    let linked = std::fs::hard_link(&staging, path);
    let _ = std::fs::remove_file(&staging);
    match linked {
        Ok(()) => {
            sync_parent(path)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot create the key file {}", path.display())),
    }
}

/// Replaces the key file as one step (a new file renamed over it, the directory synced): an
/// interruption or a power cut leaves the old file or the new one, never half of one.
fn replace_key_file(path: &Path, keys: &Keys) -> anyhow::Result<()> {
    let staging = write_staging(path, keys)?;
    std::fs::rename(&staging, path)
        .with_context(|| format!("cannot replace the key file {}", path.display()))?;
    sync_parent(path)
}

/// Holds the rotation lock (`<key file>.lock`, `flock`) while it lives: two rotations at once
/// would each write their own new key into the file, and the loser's re-wrapped keys would
/// open with nothing.
fn lock_rotation(path: &Path) -> anyhow::Result<std::fs::File> {
    let lock_path = path.with_extension("key.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open the lock file {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another key rotation is running (it holds {}): let it finish",
            lock_path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", lock_path.display()))
        }
    }
}

/// The id of the KEK new data keys are wrapped by (the key check's), read with the check's row
/// locked until `conn`'s transaction ends: a rotation moves the check first and waits for this
/// transaction, so a data key is never wrapped by a KEK after the rotation began re-wrapping.
async fn current_kek_locked(conn: &mut AnyConnection) -> CoreResult<String> {
    let row = sqlx::query("UPDATE key_check SET kek_id = kek_id WHERE id = 1 RETURNING kek_id")
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("the key check is missing")))?;
    Ok(col(&row, "kek_id")?)
}

/// The key check stored in the database: (KEK id, sealed phrase).
async fn stored_check(db: &Db) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    let row = sqlx::query("SELECT kek_id, sealed FROM key_check WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((col(&r, "kek_id")?, col(&r, "sealed")?)))
        .transpose()
}

async fn count_data_keys(db: &Db) -> sqlx::Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM data_keys")
        .fetch_one(&db.pool)
        .await?;
    col(&row, "n")
}

/// Whether `keys` open the stored check; an error that says what to do otherwise.
fn verify_check(path: &Path, keys: &Keys, check: &(String, Vec<u8>)) -> anyhow::Result<()> {
    let opens = keys
        .by_id(&check.0)
        .and_then(|kek| open_with(&kek.cipher, CHECK_AAD, &check.1))
        .is_some_and(|phrase| phrase == CHECK_PHRASE);
    if !opens {
        bail!(
            "the key file {} does not open this database's encrypted records (it holds key {}; \
             the database was sealed with key {}): start with the key file this database was \
             created with",
            path.display(),
            keys.ids().join(", "),
            check.0
        );
    }
    Ok(())
}

async fn store_check(db: &Db, kek: &Kek) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO key_check (id, kek_id, sealed, created_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&kek.id)
    .bind(seal_with(&kek.cipher, CHECK_AAD, CHECK_PHRASE))
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The keys of a database that holds no encrypted data yet: a new key file, or the one
/// another instance sharing the file made a moment ago. `true` when this call created it.
async fn first_key_file(db: &Db, path: &Path) -> anyhow::Result<(Keys, bool)> {
    if stored_check(db).await?.is_some() || count_data_keys(db).await? > 0 {
        bail!(
            "the database holds encrypted records but the key file {} is missing: restore it \
             from your backup (or point --key-file at it); without it they cannot be read",
            path.display()
        );
    }
    let keys = Keys {
        current: Kek::generate(),
        retiring: Vec::new(),
    };
    if create_key_file(path, &keys)? {
        Ok((keys, true))
    } else {
        Ok((read_key_file(path)?, false))
    }
}

impl Keyring {
    /// Opens the key file at `path` against the database's key check, creating both when the
    /// database holds no encrypted data yet. Refuses, saying why, a key file that is missing
    /// while the database holds encrypted data, one that does not open the check, and one
    /// other users can read.
    pub async fn load(db: &Db, path: &Path) -> anyhow::Result<Keyring> {
        let (keys, created) = if path.exists() {
            (read_key_file(path)?, false)
        } else {
            first_key_file(db, path).await?
        };
        let check = match stored_check(db).await? {
            Some(check) => check,
            // The first start (or a database from before encryption): store ours, unless another
            // instance stored its own meanwhile, and read whichever is there.
            None => {
                store_check(db, &keys.current).await?;
                stored_check(db)
                    .await?
                    .context("the key check was not stored")?
            }
        };
        if let Err(refused) = verify_check(path, &keys, &check) {
            if created {
                // Another instance, with a key file of its own, stored its key first.
                let _ = std::fs::remove_file(path);
                bail!(
                    "another instance created this database's key at the same moment: give this \
                     one that instance's key file ({})",
                    path.display()
                );
            }
            return Err(refused);
        }
        if created {
            tracing::info!(key_file = %path.display(), "created the key file: back it up apart from the database");
        }
        Ok(Keyring {
            path: path.to_path_buf(),
            keys: RwLock::new(keys),
        })
    }

    /// Where the key file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current key's id and how many data keys the database holds.
    pub async fn status(&self, db: &Db) -> anyhow::Result<KeyStatus> {
        let key_id = self.keys.read().unwrap().current.id.clone();
        Ok(KeyStatus {
            key_id,
            data_keys: count_data_keys(db).await?,
        })
    }

    /// Seals `plaintext` for `place` with `owner`'s data key (made now if they have none), on
    /// `conn` (the caller's transaction, usually).
    pub async fn seal(
        &self,
        conn: &mut AnyConnection,
        owner: Owner<'_>,
        place: Place<'_>,
        plaintext: &[u8],
    ) -> CoreResult<Vec<u8>> {
        let key = match self.data_key(&mut *conn, owner).await? {
            Some(key) => key,
            None => self.create_data_key(conn, owner).await?,
        };
        Ok(seal_with(&key, &place.aad(), plaintext))
    }

    /// Opens a value sealed for `place` with `owner`'s data key. A value that was changed,
    /// moved, or whose key was shredded gives [`CoreError::Unreadable`], never a part of it.
    pub async fn open(
        &self,
        conn: &mut AnyConnection,
        owner: Owner<'_>,
        place: Place<'_>,
        sealed: &[u8],
    ) -> CoreResult<Vec<u8>> {
        let key = self.data_key(conn, owner).await?.ok_or_else(|| {
            CoreError::Unreadable("this record's key was deleted: it cannot be read".into())
        })?;
        open_with(&key, &place.aad(), sealed).ok_or_else(|| {
            tracing::error!(
                table = place.table,
                row = place.row,
                "a sealed value did not open"
            );
            CoreError::Unreadable(
                "this record cannot be read: it was changed after it was written".into(),
            )
        })
    }

    /// Deletes `owner`'s data key: everything sealed with it is unreadable for good. Returns
    /// whether there was one.
    pub async fn shred(&self, conn: &mut AnyConnection, owner: Owner<'_>) -> CoreResult<bool> {
        let done = sqlx::query("DELETE FROM data_keys WHERE owner_kind = $1 AND owner_id = $2")
            .bind(owner.kind)
            .bind(owner.id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// `owner`'s data key, unwrapped, if they have one.
    async fn data_key(
        &self,
        conn: &mut AnyConnection,
        owner: Owner<'_>,
    ) -> CoreResult<Option<XChaCha20Poly1305>> {
        let row = sqlx::query(
            "SELECT kek_id, wrapped FROM data_keys WHERE owner_kind = $1 AND owner_id = $2",
        )
        .bind(owner.kind)
        .bind(owner.id)
        .fetch_optional(conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let kek_id: String = col(&row, "kek_id")?;
        let wrapped: Vec<u8> = col(&row, "wrapped")?;
        self.unwrap_key(&kek_id, owner, &wrapped).map(Some)
    }

    fn unwrap_key(
        &self,
        kek_id: &str,
        owner: Owner<'_>,
        wrapped: &[u8],
    ) -> CoreResult<XChaCha20Poly1305> {
        if self.keys.read().unwrap().by_id(kek_id).is_none() {
            // Wrapped by a KEK this process has not read yet: another process rotated.
            self.reload().map_err(CoreError::Internal)?;
        }
        let keys = self.keys.read().unwrap();
        let kek = keys.by_id(kek_id).ok_or_else(|| {
            CoreError::Internal(anyhow::anyhow!(
                "a data key is wrapped by key {kek_id}, which the key file {} does not hold",
                self.path.display()
            ))
        })?;
        let bytes = open_with(&kek.cipher, &wrap_aad(owner), wrapped).ok_or_else(|| {
            CoreError::Unreadable("this record's key was changed: it cannot be read".into())
        })?;
        Ok(XChaCha20Poly1305::new_from_slice(&bytes).expect("data keys are 32 bytes"))
    }

    async fn create_data_key(
        &self,
        conn: &mut AnyConnection,
        owner: Owner<'_>,
    ) -> CoreResult<XChaCha20Poly1305> {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let current = current_kek_locked(&mut *conn).await?;
        if self.keys.read().unwrap().current.id != current {
            // Another process rotated the key since this one read the file.
            self.reload().map_err(CoreError::Internal)?;
        }
        let (kek_id, wrapped) = {
            let keys = self.keys.read().unwrap();
            let kek = &keys.current;
            if kek.id != current {
                return Err(CoreError::Internal(anyhow::anyhow!(
                    "the database's records are sealed under key {current}, but the key file \
                     {} holds {} as its current key",
                    self.path.display(),
                    kek.id
                )));
            }
            (
                kek.id.clone(),
                seal_with(&kek.cipher, &wrap_aad(owner), &key),
            )
        };
        // Another transaction may have made one first: then theirs is the key.
        let inserted = sqlx::query(
            "INSERT INTO data_keys (id, owner_kind, owner_id, kek_id, wrapped, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner_kind, owner_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(owner.kind)
        .bind(owner.id)
        .bind(kek_id)
        .bind(wrapped)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(XChaCha20Poly1305::new(&key));
        }
        self.data_key(conn, owner)
            .await?
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("a data key was not stored")))
    }

    /// Reads the key file again (another process rotated the key).
    fn reload(&self) -> anyhow::Result<()> {
        let keys = read_key_file(&self.path)?;
        *self.keys.write().unwrap() = keys;
        Ok(())
    }

    /// Re-wraps every data key under a new key-encryption key; see the module comment. Run
    /// after an interruption, it finishes the rotation that was under way rather than start
    /// another.
    pub async fn rotate(&self, db: &Db) -> anyhow::Result<Rotation> {
        let _lock = lock_rotation(&self.path)?;
        self.reload()?;
        let from = self.begin_rotation()?;
        // The check moves first: from here on every process wraps new data keys by the new
        // KEK (see `current_kek_locked`), so the re-wrapping below meets the last old one.
        let to = self.move_check(db).await?;
        let rewrapped = self.rewrap_all(db).await?;
        {
            let mut keys = self.keys.write().unwrap();
            keys.retiring.clear();
            replace_key_file(&self.path, &keys)?;
        }
        Ok(Rotation {
            from,
            to,
            rewrapped,
        })
    }

    /// Writes a new current KEK into the key file beside the old one (marked retiring), unless
    /// an interrupted rotation already did. Returns the retiring keys' ids.
    fn begin_rotation(&self) -> anyhow::Result<String> {
        let mut keys = self.keys.write().unwrap();
        if keys.retiring.is_empty() {
            let old = std::mem::replace(&mut keys.current, Kek::generate());
            keys.retiring.push(old);
            replace_key_file(&self.path, &keys)?;
        }
        Ok(keys
            .retiring
            .iter()
            .map(|k| k.id.as_str())
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// Seals the key check by the current KEK. Returns its id.
    async fn move_check(&self, db: &Db) -> anyhow::Result<String> {
        let (to, check) = {
            let keys = self.keys.read().unwrap();
            let kek = &keys.current;
            (
                kek.id.clone(),
                seal_with(&kek.cipher, CHECK_AAD, CHECK_PHRASE),
            )
        };
        sqlx::query("UPDATE key_check SET kek_id = $1, sealed = $2 WHERE id = 1")
            .bind(&to)
            .bind(check)
            .execute(&db.pool)
            .await?;
        Ok(to)
    }

    /// Re-wraps, batch by batch, every data key not yet wrapped by the current KEK.
    async fn rewrap_all(&self, db: &Db) -> anyhow::Result<u64> {
        let current = self.keys.read().unwrap().current.id.clone();
        let mut rewrapped = 0;
        // Walks the keys by id, so each batch starts where the last ended rather than passing
        // every key done already. New keys are wrapped by `current` (see `current_kek_locked`).
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(
                "SELECT id, owner_kind, owner_id, kek_id, wrapped FROM data_keys \
                 WHERE id > $1 AND kek_id <> $2 ORDER BY id LIMIT $3",
            )
            .bind(after)
            .bind(&current)
            .bind(ROTATION_BATCH)
            .fetch_all(&db.pool)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(rewrapped);
            };
            after = col(last, "id")?;
            let mut tx = db.begin_write().await?;
            for r in &rows {
                let id: i64 = col(r, "id")?;
                let kind: String = col(r, "owner_kind")?;
                let owner = Owner {
                    kind: &kind,
                    id: col(r, "owner_id")?,
                };
                let old: String = col(r, "kek_id")?;
                let wrapped: Vec<u8> = col(r, "wrapped")?;
                let rewrapped_key = {
                    let keys = self.keys.read().unwrap();
                    let kek = keys.by_id(&old).with_context(|| {
                        format!("data key {id} is wrapped by unknown key {old}")
                    })?;
                    let key = open_with(&kek.cipher, &wrap_aad(owner), &wrapped)
                        .with_context(|| format!("data key {id} does not open"))?;
                    seal_with(&keys.current.cipher, &wrap_aad(owner), &key)
                };
                sqlx::query(
                    "UPDATE data_keys SET kek_id = $1, wrapped = $2 WHERE id = $3 AND kek_id = $4",
                )
                .bind(&current)
                .bind(rewrapped_key)
                .bind(id)
                .bind(&old)
                .execute(&mut *tx)
                .await?;
                rewrapped += 1;
            }
            tx.commit().await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_where_it_was_sealed() {
        let kek = Kek::generate();
        let here = Place {
            table: "consents",
            row: 7,
            column: "sealed",
            belongs_to: Some(("post", 3)),
        };
        let sealed = seal_with(
            &kek.cipher,
            &here.aad(),
            b"Ann Example agreed on 2026-11-30",
        );
        assert_eq!(
            open_with(&kek.cipher, &here.aad(), &sealed).unwrap(),
            b"Ann Example agreed on 2026-11-30"
        );
        let elsewhere = Place { row: 8, ..here };
        assert!(open_with(&kek.cipher, &elsewhere.aad(), &sealed).is_none());
        let other_post = Place {
            belongs_to: Some(("post", 4)),
            ..here
        };
        assert!(open_with(&kek.cipher, &other_post.aad(), &sealed).is_none());
        for i in 0..sealed.len() {
            let mut changed = sealed.clone();
            changed[i] ^= 0x01;
            assert!(
                open_with(&kek.cipher, &here.aad(), &changed).is_none(),
                "byte {i}"
            );
        }
        assert!(open_with(&Kek::generate().cipher, &here.aad(), &sealed).is_none());
        assert!(open_with(&kek.cipher, &here.aad(), &[]).is_none());
        assert!(open_with(&kek.cipher, &here.aad(), &sealed[..10]).is_none());
    }

    #[test]
    fn a_key_survives_its_file_and_keeps_its_id() {
        let kek = Kek::generate();
        let again = Kek::from_text(&kek.text).unwrap();
        assert_eq!(kek.id, again.id);
        assert_eq!(kek.id.len(), 16);
        let keys = Keys {
            current: kek,
            retiring: vec![Kek::generate()],
        };
        let file: KeyFile = toml::from_str(&key_file_text(&keys)).unwrap();
        assert_eq!(file.current, keys.current.text);
        assert_eq!(file.retiring, vec![keys.retiring[0].text.clone()]);
        assert!(Kek::from_text("not a key").is_err());
        assert!(Kek::from_text("c2hvcnQ").is_err());
    }
}
