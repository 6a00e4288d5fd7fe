-- What the operator tells everyone: the server's rules (Mastodon's `/api/v1/instance/rules`,
-- shown at sign-up and in reports) and announcements (`/api/v1/announcements`, each person
-- dismisses them for themselves). Written with `credence admin rule …` and `… announce`.
CREATE TABLE instance_rules (
    id              BIGINT PRIMARY KEY,
    text            TEXT NOT NULL,
    hint            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE announcements (
    id              BIGINT PRIMARY KEY,
    text            TEXT NOT NULL,
    published_at    BIGINT NOT NULL,
    ends_at         BIGINT,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE announcement_dismissals (
    announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, profile_id)
);
