-- Follows get a time-ordered id (as `kernel::clock::new_id` makes them: milliseconds since
-- 2024-01-01 shifted left 22 bits), so followers and following lists page by keyset, newest
-- follow first, with Mastodon's `max_id`/`since_id`/`min_id`. Earlier follows get one from
-- when they were made; the low bits only order follows made in the same millisecond.
ALTER TABLE follows ADD COLUMN id BIGINT;
UPDATE follows SET id = (created_at - 1704067200000) * 4194304
    + ((follower_id + followee_id) % 4194304);
CREATE INDEX follows_followee_by_id ON follows (followee_id, id);
CREATE INDEX follows_follower_by_id ON follows (follower_id, id);
