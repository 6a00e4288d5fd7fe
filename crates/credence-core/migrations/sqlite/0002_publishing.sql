-- Publishing: posts and their versions, citations, topics, media, consent records, follows,
-- interactions, notifications, peer review and co-authors.
--
-- A scheduled post is its own job row: the scheduler publishes rows whose time has come with a
-- conditional UPDATE (state = 'scheduled'), so a restart loses nothing and two instances never
-- publish the same post twice. A post gets a fresh id when it is published (drafts and
-- scheduled posts included), because ids order timelines and clients poll with since_id; the
-- foreign keys follow with ON UPDATE CASCADE. A boost is a post row that points at the boosted post, so the
-- home timeline is one ordered scan.

CREATE TABLE posts (
    id              BIGINT PRIMARY KEY,
    author_id       BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('post','article','research_update','tip')),
    state           TEXT NOT NULL CHECK (state IN ('draft','scheduled','published','deleted')),
    visibility      TEXT NOT NULL CHECK (visibility IN ('public','followers','direct')),
    title           TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL DEFAULT '',
    spoiler_text    TEXT NOT NULL DEFAULT '',
    sensitive       BIGINT NOT NULL DEFAULT 0,
    disclosure      TEXT NOT NULL DEFAULT '',
    in_reply_to_id  BIGINT,
    reblog_of_id    BIGINT,
    label           TEXT NOT NULL DEFAULT 'no_issues',
    label_reasons   TEXT NOT NULL DEFAULT '[]',
    score           BIGINT NOT NULL DEFAULT 0,
    reading_grade   DOUBLE PRECISION,
    reviewer_id     BIGINT REFERENCES profiles(id) ON DELETE SET NULL,
    reviewed_at     BIGINT,
    -- Explore order: publication time plus a credibility bonus, fixed when the post is
    -- published, edited or reviewed, so ranking is an index scan with keyset pagination.
    rank            BIGINT NOT NULL DEFAULT 0,
    replies_count   BIGINT NOT NULL DEFAULT 0,
    favourites_count BIGINT NOT NULL DEFAULT 0,
    reblogs_count   BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    published_at    BIGINT,
    scheduled_at    BIGINT,
    edited_at       BIGINT,
    deleted_at      BIGINT
);
CREATE INDEX posts_author ON posts (author_id, state, id);
CREATE INDEX posts_public ON posts (state, visibility, id);
CREATE INDEX posts_rank ON posts (state, visibility, rank, id);
CREATE INDEX posts_replies ON posts (in_reply_to_id, id);
CREATE INDEX posts_reblogs ON posts (reblog_of_id);
-- One boost per person per post, even when two requests race.
CREATE UNIQUE INDEX posts_one_boost ON posts (author_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX posts_scheduled ON posts (state, scheduled_at);

CREATE TABLE post_versions (
    id              BIGINT PRIMARY KEY,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    spoiler_text    TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX post_versions_post ON post_versions (post_id, id);

CREATE TABLE citations (
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    position        BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('doi','pmid','url')),
    value           TEXT NOT NULL,
    title           TEXT NOT NULL,
    tier            BIGINT,
    PRIMARY KEY (post_id, position)
);

CREATE TABLE topics (
    id              BIGINT PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    curated         BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

CREATE TABLE post_topics (
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    topic_id        BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, topic_id)
);
CREATE INDEX post_topics_topic ON post_topics (topic_id, post_id);

CREATE TABLE mentions (
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, profile_id)
);
CREATE INDEX mentions_profile ON mentions (profile_id, post_id);

-- Named co-authors are shown only once they accept (nobody is put on a post unasked).
CREATE TABLE coauthors (
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    accepted_at     BIGINT,
    PRIMARY KEY (post_id, profile_id)
);

CREATE TABLE review_requests (
    id              BIGINT PRIMARY KEY,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    reviewer_id     BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('pending','approved','declined')),
    created_at      BIGINT NOT NULL,
    decided_at      BIGINT,
    UNIQUE (post_id, reviewer_id)
);
CREATE INDEX review_requests_reviewer ON review_requests (reviewer_id, state);

-- Written consent from a patient to publish details about them. Private: only the author
-- who recorded it can read it.
CREATE TABLE consents (
    id              BIGINT PRIMARY KEY,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    author_id       BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    patient_name    TEXT NOT NULL,
    scope           TEXT NOT NULL,
    consented_on    TEXT NOT NULL,
    -- The identifiers the engine found when the consent was recorded (JSON list, lower-case):
    -- an edit may keep them, but new ones need new consent.
    covered         TEXT NOT NULL DEFAULT '[]',
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX consents_post ON consents (post_id);

CREATE TABLE follows (
    follower_id     BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    followee_id     BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id, follower_id);

CREATE TABLE topic_follows (
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    topic_id        BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (profile_id, topic_id)
);

CREATE TABLE favourites (
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (profile_id, post_id)
);
CREATE INDEX favourites_post ON favourites (post_id);

CREATE TABLE bookmarks (
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (profile_id, post_id)
);

CREATE TABLE notifications (
    id              BIGINT PRIMARY KEY,
    recipient_id    BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    actor_id        BIGINT REFERENCES profiles(id) ON DELETE CASCADE,
    post_id         BIGINT REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);

-- Media live in the database so that several stateless instances share them.
CREATE TABLE media (
    id              BIGINT PRIMARY KEY,
    file_key        TEXT NOT NULL UNIQUE,
    owner_id        BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    post_id         BIGINT REFERENCES posts(id) ON DELETE SET NULL ON UPDATE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('image','video')),
    mime            TEXT NOT NULL,
    data            BLOB NOT NULL,
    thumbnail       BLOB,
    thumbnail_mime  TEXT,
    width           BIGINT,
    height          BIGINT,
    blurhash        TEXT,
    description     TEXT NOT NULL DEFAULT '',
    long_description TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX media_post ON media (post_id);

-- Full-text search over title and body (external content: the text lives once, in posts).
CREATE VIRTUAL TABLE post_search USING fts5(title, body, content='posts', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO post_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    INSERT INTO post_search (post_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER posts_search_update AFTER UPDATE OF id, title, body ON posts BEGIN
    INSERT INTO post_search (post_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO post_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
