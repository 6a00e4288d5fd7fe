-- Foundation schema: accounts, profiles, verification, audit, sessions, OAuth.
-- Times are UTC milliseconds since the Unix epoch (BIGINT); ids are application-generated
-- 64-bit snowflakes, so both backends share one set of queries.

CREATE TABLE users (
    id              BIGINT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('member','professional','organisation','moderator','admin')),
    created_at      BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE profiles (
    id              BIGINT PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('personal','professional','organisation')),
    handle          TEXT NOT NULL,
    handle_lower    TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    bio             TEXT NOT NULL DEFAULT '',
    links           TEXT NOT NULL DEFAULT '',
    profession      TEXT,
    specialty       TEXT,
    credentials     TEXT,
    licence_number  TEXT,
    licence_jurisdiction TEXT,
    npi             TEXT,
    affiliations    TEXT NOT NULL DEFAULT '',
    org_kind        TEXT,
    verification_state TEXT NOT NULL DEFAULT 'none'
        CHECK (verification_state IN ('none','unverified','pending','verified','rejected')),
    verified_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (user_id, kind)
);
CREATE INDEX profiles_verified ON profiles (verification_state, id);

CREATE TABLE disclosures (
    id              BIGINT PRIMARY KEY,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    company         TEXT NOT NULL,
    relationship    TEXT NOT NULL,
    details         TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX disclosures_profile ON disclosures (profile_id);

CREATE TABLE verification_requests (
    id              BIGINT PRIMARY KEY,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    note            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('pending','verified','rejected')),
    submitted_at    BIGINT NOT NULL,
    decided_by      BIGINT REFERENCES users(id),
    decided_at      BIGINT,
    reason          TEXT
);
CREATE INDEX verification_requests_state ON verification_requests (state, submitted_at);

CREATE TABLE audit_log (
    id              BIGINT PRIMARY KEY,
    at              BIGINT NOT NULL,
    actor_user_id   BIGINT,
    action          TEXT NOT NULL,
    subject_type    TEXT NOT NULL,
    subject_id      BIGINT,
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);

CREATE TABLE sessions (
    id              BIGINT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    csrf_token      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    id              BIGINT PRIMARY KEY,
    account_key     TEXT NOT NULL,
    address         TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (account_key, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

CREATE TABLE oauth_apps (
    id              BIGINT PRIMARY KEY,
    client_id       TEXT NOT NULL UNIQUE,
    client_secret   TEXT NOT NULL,
    name            TEXT NOT NULL,
    website         TEXT,
    redirect_uris   TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE oauth_codes (
    code_hash       TEXT PRIMARY KEY,
    app_id          BIGINT NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    redirect_uri    TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    code_challenge  TEXT,
    challenge_method TEXT,
    expires_at      BIGINT NOT NULL,
    used            BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE access_tokens (
    id              BIGINT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('personal','oauth','app')),
    app_id          BIGINT REFERENCES oauth_apps(id) ON DELETE CASCADE,
    user_id         BIGINT REFERENCES users(id) ON DELETE CASCADE,
    profile_id      BIGINT REFERENCES profiles(id) ON DELETE CASCADE,
    scopes          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
