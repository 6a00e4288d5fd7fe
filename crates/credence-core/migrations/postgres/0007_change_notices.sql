-- Change notices for the caches of server instances (credence-core `ref_cache`): every
-- statement that updates or deletes posts or profiles announces the ids it touched on the
-- channel `credence_refs`, whichever process ran it (another instance, `credence admin`, psql).
-- NOTIFY is delivered when the transaction commits, in commit order, and only then.
--
-- Payload: `p:` (posts) or `a:` (profiles, "accounts"), then the ids separated by commas, or
-- `*` when the statement touched more rows than one notice holds (PostgreSQL caps a payload
-- at 8000 bytes; 300 ids of up to 19 digits fit): listeners then forget everything of that
-- kind. One notice per statement, not per row: a bulk update (the demo seed recounting a
-- million posts) sends one notice, not a million.
CREATE FUNCTION credence_announce_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched BIGINT;
    ids TEXT;
BEGIN
    SELECT count(*), string_agg(CAST(id AS TEXT), ',')
      INTO touched, ids
      FROM (SELECT id FROM changed_rows LIMIT 301) c;
    IF touched = 0 THEN
        RETURN NULL;
    END IF;
    IF touched > 300 THEN
        ids := '*';
    END IF;
    PERFORM pg_notify('credence_refs', TG_ARGV[0] || ':' || ids);
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_announce_updates AFTER UPDATE ON posts
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credence_announce_changes('p');
CREATE TRIGGER posts_announce_deletes AFTER DELETE ON posts
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credence_announce_changes('p');
CREATE TRIGGER profiles_announce_updates AFTER UPDATE ON profiles
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credence_announce_changes('a');
CREATE TRIGGER profiles_announce_deletes AFTER DELETE ON profiles
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credence_announce_changes('a');
