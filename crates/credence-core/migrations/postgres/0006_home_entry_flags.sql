-- The feed owner's own flags (liked, boosted, bookmarked) kept on their home feed entries, so
-- that a home page needs no per-post probe of favourites, boosts and bookmarks (on PostgreSQL
-- those probes were about a quarter of a home request's CPU; bench/README.md, finding 11).
-- Set when entries are made and recomputed in the favourite, boost and bookmark
-- transactions (credence-core home_feeds::refresh_flags).
ALTER TABLE home_entries ADD COLUMN favourited BIGINT NOT NULL DEFAULT 0;
ALTER TABLE home_entries ADD COLUMN reblogged BIGINT NOT NULL DEFAULT 0;
ALTER TABLE home_entries ADD COLUMN bookmarked BIGINT NOT NULL DEFAULT 0;
-- Feeds built before this have no flags: each is rebuilt on its owner's next read.
DELETE FROM home_entries;
DELETE FROM home_feeds;
