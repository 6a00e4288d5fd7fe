-- Read markers, as Mastodon's `/api/v1/markers` keeps them: per person and timeline (`home`,
-- `notifications`), the newest id they have read, and a version raised on every save. The web
-- and the apps share them, so a notification read in one is read in the other; a notification
-- is unread while its id is above the `notifications` marker.
CREATE TABLE markers (
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    timeline        TEXT NOT NULL CHECK (timeline IN ('home', 'notifications')),
    last_read_id    BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (profile_id, timeline)
);

-- What the notifications page marked read until now becomes each person's marker.
INSERT INTO markers (profile_id, timeline, last_read_id, version, updated_at)
SELECT recipient_id, 'notifications', MAX(id), 1, MAX(read_at)
FROM notifications WHERE read_at IS NOT NULL GROUP BY recipient_id;

-- Notification groups, as Mastodon's grouped notifications (`/api/v2/notifications`) define
-- them: likes and boosts of one post, and follows, fall into one group while it spans less
-- than 12 hours; the key is `<kind>[-<post id>]-<hour the group began>`. Other kinds have no
-- group (each is its own). Earlier rows get the hour they were made in.
ALTER TABLE notifications ADD COLUMN group_key TEXT;
UPDATE notifications SET group_key = kind || '-' || post_id || '-' || (created_at / 3600000)
WHERE kind IN ('favourite', 'reblog') AND post_id IS NOT NULL;
UPDATE notifications SET group_key = 'follow-' || (created_at / 3600000) WHERE kind = 'follow';
CREATE INDEX notifications_group ON notifications (recipient_id, group_key, id);
