-- Unlisted posts (Mastodon's `visibility=unlisted`): public to read (by link, on the profile,
-- in followers' home timelines, in the profile's Atom feed), but not listed where people
-- discover posts of others: the public timeline, explore, topic (hashtag) feeds and search.
-- A flag on public posts rather than a fourth visibility: everything that may read a public
-- post may read an unlisted one, and only the discovery paths ask about it.
ALTER TABLE posts ADD COLUMN unlisted BIGINT NOT NULL DEFAULT 0;
