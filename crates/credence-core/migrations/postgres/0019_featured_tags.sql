-- Featured hashtags (Mastodon's `/api/v1/featured_tags`): a person shows the topics they post
-- about on their profile, with how many of their public posts carry each.
CREATE TABLE featured_tags (
    id              BIGINT PRIMARY KEY,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    topic_id        BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    UNIQUE (profile_id, topic_id)
);
