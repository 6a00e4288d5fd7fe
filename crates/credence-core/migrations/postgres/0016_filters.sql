-- Keyword filters (Mastodon's `/api/v2/filters`): a person hides or folds posts that carry
-- words they choose (a diagnosis they do not want to read about today, a trigger), or chosen
-- posts, in the contexts they name. Private to their owner.
CREATE TABLE filters (
    id              BIGINT PRIMARY KEY,
    owner_id        BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    -- Space-separated: home notifications public thread account.
    contexts        TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('warn', 'hide')),
    expires_at      BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX filters_owner ON filters (owner_id, id);

CREATE TABLE filter_keywords (
    id              BIGINT PRIMARY KEY,
    filter_id       BIGINT NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    keyword         TEXT NOT NULL,
    whole_word      BIGINT NOT NULL
);
CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id, id);

CREATE TABLE filter_statuses (
    id              BIGINT PRIMARY KEY,
    filter_id       BIGINT NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    post_id         BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE ON UPDATE CASCADE,
    UNIQUE (filter_id, post_id)
);
