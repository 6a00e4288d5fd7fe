-- Follower, following and post counts kept on the profile row, as Mastodon keeps account
-- stats: every status in a timeline embeds its author's counts, and counting them per page
-- (GROUP BY over follows and posts for 20 authors, some with thousands of followers) was the
-- largest cost of a timeline request on a seeded instance of 1,000,000 posts. The counts
-- change in the same transaction as the follow or the post they count (`social::follow`,
-- `posts::write`); `profiles::recount` rebuilds them after a bulk load.
ALTER TABLE profiles ADD COLUMN followers_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN following_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN posts_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN last_post_at BIGINT;
UPDATE profiles SET
    followers_count = (SELECT COUNT(*) FROM follows WHERE followee_id = profiles.id),
    following_count = (SELECT COUNT(*) FROM follows WHERE follower_id = profiles.id),
    posts_count = (SELECT COUNT(*) FROM posts WHERE author_id = profiles.id
        AND state = 'published' AND visibility = 'public' AND reblog_of_id IS NULL),
    last_post_at = (SELECT MAX(published_at) FROM posts WHERE author_id = profiles.id
        AND state = 'published' AND visibility = 'public' AND reblog_of_id IS NULL);
