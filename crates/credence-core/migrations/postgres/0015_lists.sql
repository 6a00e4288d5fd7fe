-- Lists (Mastodon's `/api/v1/lists`): a person's own groups of people they follow, each with a
-- timeline of its members' posts. Private to their owner; members are not told.
CREATE TABLE lists (
    id              BIGINT PRIMARY KEY,
    owner_id        BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    -- Which replies the list's timeline shows: to anyone the owner follows, to list members,
    -- or none.
    replies_policy  TEXT NOT NULL CHECK (replies_policy IN ('followed', 'list', 'none')),
    created_at      BIGINT NOT NULL
);
CREATE INDEX lists_owner ON lists (owner_id, id);

CREATE TABLE list_members (
    list_id         BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    profile_id      BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (list_id, profile_id)
);
CREATE INDEX list_members_profile ON list_members (profile_id, list_id);
