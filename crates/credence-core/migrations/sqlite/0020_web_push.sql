-- Web Push for apps (Mastodon's /api/v1/push/subscription; RFC 8030, 8291, 8292).
--
-- One subscription per access token, as Mastodon keeps them: a new one replaces the token's
-- old one, and it ends with the token. Where the pushes go (the push service's endpoint URL,
-- the device's public key and auth secret) and the token the app reads them with (Mastodon's
-- payload carries it) are sealed under the person's data key (kernel::envelope): with them
-- anyone could send to the device, read what we send, or act as the app.
CREATE TABLE push_subscriptions (
    id              BIGINT PRIMARY KEY,
    token_id        BIGINT NOT NULL UNIQUE REFERENCES access_tokens(id) ON DELETE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    sealed          BLOB NOT NULL,
    -- The notification types pushed, space separated (Mastodon's names and Credence's own).
    alerts          TEXT NOT NULL,
    policy          TEXT NOT NULL CHECK (policy IN ('all', 'followed', 'follower', 'none')),
    created_at      BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_profile ON push_subscriptions (profile_id);

-- Pushes waiting to go out: one row per notification and subscription, written in the
-- notification's own transaction (nothing is pushed for one rolled back; a push claimed by a
-- process that stops goes out from another once the claim lapses, so a push may arrive twice,
-- never not at all while attempts remain), deleted once the push service took it or it was
-- given up. The message
-- is composed when it is sent, so nothing of its text waits here. `claimed_until` lets several
-- instances share the queue; `due_at` moves on after a failed attempt.
CREATE TABLE push_deliveries (
    notification_id BIGINT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    notification_type TEXT NOT NULL,
    actor_id        BIGINT,
    what            TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notification_id, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (due_at);

-- The server's own key pairs, by name: today the VAPID key (RFC 8292) push services know us
-- by. The public half is shown to apps; the private half is sealed by the envelope module
-- under the owner ('server', 0). Made once, by whichever instance first needs it.
CREATE TABLE server_keys (
    id              BIGINT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    public_key      TEXT NOT NULL,
    sealed          BLOB NOT NULL,
    created_at      BIGINT NOT NULL
);
