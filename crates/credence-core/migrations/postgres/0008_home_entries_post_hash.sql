-- Home pages walk the primary key (owner_id, post_id) backwards. With the b-tree on post_id
-- beside it, PostgreSQL's generic plan for the page statement walked that index instead and
-- filtered by owner whenever the statistics showed few feeds (a new instance, or the bench,
-- where one member reads): it read every newer entry of every other feed, and a home page
-- cost up to twice as much (bench/README.md, finding 12). The index on post_id serves only
-- equality (removing a post's entries, the foreign key's cascade), so a hash index does its
-- job and cannot be walked in order.
DROP INDEX IF EXISTS home_entries_post;
CREATE INDEX home_entries_post ON home_entries USING hash (post_id);
