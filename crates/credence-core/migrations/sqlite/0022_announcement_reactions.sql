-- Reactions to the operator's announcements (Mastodon's
-- /api/v1/announcements/:id/reactions/:name): each person's emoji, counted for everyone.
CREATE TABLE announcement_reactions (
    announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (announcement_id, profile_id, name)
);
