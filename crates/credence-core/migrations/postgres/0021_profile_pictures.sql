-- Profile photos and header images (Mastodon's `avatar` and `header`), uploaded through
-- update_credentials: the file key of an image in `media`, cleaned by credence-media like any
-- upload (metadata removed, re-encoded). Deleting the image clears the picture.
ALTER TABLE profiles ADD COLUMN avatar_key TEXT REFERENCES media(file_key) ON DELETE SET NULL;
ALTER TABLE profiles ADD COLUMN header_key TEXT REFERENCES media(file_key) ON DELETE SET NULL;

-- Media rows are deleted with posts and on edits: finding the profiles that point at one must
-- not scan every profile.
CREATE INDEX profiles_avatar_key ON profiles (avatar_key) WHERE avatar_key IS NOT NULL;
CREATE INDEX profiles_header_key ON profiles (header_key) WHERE header_key IS NOT NULL;

-- A profile's render version covers its pictures and `locked` too (cached accounts show them),
-- whoever changes them: an upload, or a deleted image's ON DELETE SET NULL.
DROP TRIGGER profiles_render_version ON profiles;
CREATE TRIGGER profiles_render_version BEFORE UPDATE OF user_id, kind, handle, handle_lower,
    display_name, bio, links, profession, specialty, credentials, licence_number,
    licence_jurisdiction, npi, affiliations, org_kind, verification_state, verified_at,
    created_at, updated_at, followers_count, following_count, posts_count, last_post_at,
    locked, avatar_key, header_key
    ON profiles
    FOR EACH ROW EXECUTE FUNCTION credence_next_version();
