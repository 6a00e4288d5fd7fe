-- A log of changes to what listings show of posts and accounts, for the in-memory cache of
-- each server process (credence-core `ref_cache`). PostgreSQL announces the same changes with
-- NOTIFY (its migration 0007); SQLite has no notices, so each change leaves a row here, whoever
-- makes it (this server, a `credence admin` command, the sqlite3 shell), and a server reads the
-- rows past the last one it applied before it trusts its cache (the newest `seq` comes with
-- every home page, in the same statement). Old rows are pruned by the scheduler; a server
-- that finds a gap forgets everything.
--
-- kind: 'p' (a post: its version, state, counts or the accounts shown in it) or 'a' (an
-- account's render version, which covers all its columns: migration 0005).
CREATE TABLE ref_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id BIGINT NOT NULL
);

CREATE TRIGGER posts_ref_change AFTER UPDATE OF version, state, replies_count,
    favourites_count, reblogs_count, author_id, reblog_of_id, reviewer_id ON posts
BEGIN INSERT INTO ref_changes (kind, id) VALUES ('p', NEW.id); END;
CREATE TRIGGER posts_ref_delete AFTER DELETE ON posts
BEGIN INSERT INTO ref_changes (kind, id) VALUES ('p', OLD.id); END;
CREATE TRIGGER profiles_ref_change AFTER UPDATE OF version ON profiles
BEGIN INSERT INTO ref_changes (kind, id) VALUES ('a', NEW.id); END;
CREATE TRIGGER profiles_ref_delete AFTER DELETE ON profiles
BEGIN INSERT INTO ref_changes (kind, id) VALUES ('a', OLD.id); END;
