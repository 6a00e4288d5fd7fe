-- Locked accounts (Mastodon's `locked`): a person approves each follower. A follow of a
-- locked account is a request until its owner authorizes it; followers-only posts reach only
-- approved followers, since they are the rows of `follows`.
ALTER TABLE profiles ADD COLUMN locked BIGINT NOT NULL DEFAULT 0;

CREATE TABLE follow_requests (
    id              BIGINT PRIMARY KEY,
    follower_id     BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    followee_id     BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    UNIQUE (follower_id, followee_id)
);
CREATE INDEX follow_requests_followee ON follow_requests (followee_id, id);
