-- Envelope encryption (credence-core kernel::envelope). Each owner's data key is stored here
-- wrapped by the key-encryption key of the key file, never in the clear; `kek_id` names the
-- key that wrapped it (a rotation re-wraps them one by one). Deleting a row shreds every record
-- sealed with that key.
CREATE TABLE data_keys (
    id              BIGINT PRIMARY KEY,
    owner_kind      TEXT NOT NULL,
    owner_id        BIGINT NOT NULL,
    kek_id          TEXT NOT NULL,
    wrapped         BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (owner_kind, owner_id)
);

-- A known phrase sealed by the key-encryption key: a wrong or missing key file is refused at
-- start, before anything is written. One row.
CREATE TABLE key_check (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    kek_id          TEXT NOT NULL,
    sealed          BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Consent records are sealed (patient name, scope, date and the identifiers covered, as one
-- value under the author's data key). Rows written before this migration are sealed, and their
-- plain columns emptied and purged, when the server next starts (posts::seal_legacy_consents).
ALTER TABLE consents ADD COLUMN sealed BYTEA;

-- Clean-ups that must finish even if a start is interrupted: a name stays here until its work
-- is done. The consent records' old plain text is purged from the database files once sealed.
CREATE TABLE pending_purges (
    name            TEXT PRIMARY KEY
);
INSERT INTO pending_purges (name) SELECT 'consents' WHERE EXISTS (SELECT 1 FROM consents);
