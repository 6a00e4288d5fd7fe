-- Render versions and materialised home timelines: see the SQLite migration of the same name
-- for why. Here the versions move in BEFORE UPDATE triggers on the row itself, and in AFTER
-- triggers on the rows that belong to it.
ALTER TABLE posts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION credence_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;

CREATE TRIGGER posts_render_version BEFORE UPDATE OF kind, state, visibility, title, body,
    body_html, spoiler_text, sensitive, disclosure, in_reply_to_id, reblog_of_id, label,
    label_reasons, score, reading_grade, reviewer_id, reviewed_at, published_at, scheduled_at,
    edited_at ON posts
    FOR EACH ROW EXECUTE FUNCTION credence_next_version();

CREATE TRIGGER profiles_render_version BEFORE UPDATE OF user_id, kind, handle, handle_lower,
    display_name, bio, links, profession, specialty, credentials, licence_number,
    licence_jurisdiction, npi, affiliations, org_kind, verification_state, verified_at,
    created_at, updated_at, followers_count, following_count, posts_count, last_post_at
    ON profiles
    FOR EACH ROW EXECUTE FUNCTION credence_next_version();

-- Bumps the version of the post (TG_ARGV[0] = 'posts') or profile ('profiles') that a child
-- row (column TG_ARGV[1]) belongs to, before and after the change.
CREATE FUNCTION credence_touch_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_parent BIGINT;
    new_parent BIGINT;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO old_parent USING OLD;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO new_parent USING NEW;
    END IF;
    EXECUTE format('UPDATE %I SET version = version + 1 WHERE id IN ($1, $2)', TG_ARGV[0])
        USING old_parent, new_parent;
    RETURN NULL;
END $$;

CREATE TRIGGER coauthors_render AFTER INSERT OR UPDATE OR DELETE ON coauthors
    FOR EACH ROW EXECUTE FUNCTION credence_touch_parent('posts', 'post_id');
CREATE TRIGGER media_render AFTER INSERT OR DELETE OR UPDATE OF post_id, description,
    long_description, width, height, blurhash ON media
    FOR EACH ROW EXECUTE FUNCTION credence_touch_parent('posts', 'post_id');
CREATE TRIGGER disclosures_render AFTER INSERT OR UPDATE OR DELETE ON disclosures
    FOR EACH ROW EXECUTE FUNCTION credence_touch_parent('profiles', 'profile_id');

CREATE TABLE home_feeds (
    owner_id        BIGINT PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    floor_id        BIGINT NOT NULL,
    built_at        BIGINT NOT NULL
);
CREATE TABLE home_entries (
    owner_id        BIGINT NOT NULL REFERENCES home_feeds(owner_id) ON DELETE CASCADE,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (owner_id, post_id)
);
CREATE INDEX home_entries_post ON home_entries (post_id);
