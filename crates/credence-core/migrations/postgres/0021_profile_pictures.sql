-- Profile photos and header images (Mastodon's `avatar` and `header`), uploaded through
-- update_credentials: the file key of an image in `media`, cleaned by credence-media like any
-- upload (metadata removed, re-encoded). Deleting the image clears the picture.
ALTER TABLE profiles ADD COLUMN avatar_key TEXT REFERENCES media(file_key) ON DELETE SET NULL;
ALTER TABLE profiles ADD COLUMN header_key TEXT REFERENCES media(file_key) ON DELETE SET NULL;
