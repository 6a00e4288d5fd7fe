-- Counting an author's listed posts (published, public, not boosts) and finding the latest:
-- first done per timeline page for every author shown (1.5 s per page on 1,000,000 posts when
-- SQLite, without planner statistics, chose posts_rank and scanned every public post; 6 ms with
-- this index). Since 0004 the counts live on the profile row; this index now serves the
-- recount after a bulk load (`profiles::recount`) and the 0004 backfill, answered from the
-- index alone.
CREATE INDEX posts_author_listed ON posts (author_id, state, visibility, reblog_of_id, published_at);
