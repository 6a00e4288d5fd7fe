-- Pinned posts (Mastodon's `/api/v1/statuses/:id/pin`): an author shows up to five of their own
-- public or unlisted posts first on their profile. When it was pinned orders them.
ALTER TABLE posts ADD COLUMN pinned_at BIGINT;
CREATE INDEX posts_pinned ON posts (author_id, pinned_at) WHERE pinned_at IS NOT NULL;
