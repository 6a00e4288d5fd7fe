-- Mastodon's `Idempotency-Key` on `POST /api/v1/statuses`: an app that resends a post after
-- a network error gets the post it already made, not a second one. A key is claimed before the
-- post is written (`post_id` NULL until then), so two racing requests cannot both publish;
-- keys are kept for an hour.
CREATE TABLE idempotency_keys (
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    post_id         BIGINT REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (profile_id, key)
);
