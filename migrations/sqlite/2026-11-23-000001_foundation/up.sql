-- The Unit's cells and their control objects (spec/personium-api.md §4.1, §4.3).
-- Timestamps are epoch milliseconds; version counts updates for ETags W/"{version}-{updated}".

CREATE TABLE cells (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- Owning unit user in personium-localunit form, or NULL (created by the master token).
    owner TEXT,
    -- 'normal' or 'import failed'.
    status TEXT NOT NULL DEFAULT 'normal',
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL
);

CREATE TABLE boxes (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    schema_url TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (cell_id, name),
    UNIQUE (cell_id, schema_url)
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    account_type TEXT NOT NULL DEFAULT 'basic',
    ip_address_range TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    -- argon2id PHC string; NULL when the account has no password.
    password_hash TEXT,
    last_authenticated BIGINT,
    failed_count INTEGER NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (cell_id, name)
);

CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    box_id TEXT REFERENCES boxes(id),
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE UNIQUE INDEX roles_key ON roles (cell_id, COALESCE(box_id, ''), name);
CREATE INDEX roles_box ON roles (box_id);

CREATE TABLE relations (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    box_id TEXT REFERENCES boxes(id),
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE UNIQUE INDEX relations_key ON relations (cell_id, COALESCE(box_id, ''), name);
CREATE INDEX relations_box ON relations (box_id);

CREATE TABLE ext_cells (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (cell_id, url)
);

CREATE TABLE ext_roles (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    relation_id TEXT NOT NULL REFERENCES relations(id),
    url TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (relation_id, url)
);
CREATE INDEX ext_roles_cell ON ext_roles (cell_id);

CREATE TABLE rules (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    box_id TEXT REFERENCES boxes(id),
    name TEXT NOT NULL,
    event_external BOOLEAN NOT NULL DEFAULT FALSE,
    event_subject TEXT,
    event_type TEXT,
    event_object TEXT,
    event_info TEXT,
    action TEXT NOT NULL,
    target_url TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE UNIQUE INDEX rules_key ON rules (cell_id, COALESCE(box_id, ''), name);
CREATE INDEX rules_box ON rules (box_id);

CREATE TABLE received_messages (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    box_id TEXT REFERENCES boxes(id),
    in_reply_to TEXT,
    from_url TEXT NOT NULL,
    multicast_to TEXT,
    message_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 3,
    status TEXT NOT NULL,
    -- JSON array of RequestObject values.
    request_objects TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE INDEX received_messages_cell ON received_messages (cell_id);
CREATE INDEX received_messages_box ON received_messages (box_id);

CREATE TABLE sent_messages (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    box_id TEXT REFERENCES boxes(id),
    in_reply_to TEXT,
    to_urls TEXT,
    to_relation TEXT,
    message_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 3,
    request_objects TEXT,
    -- JSON array of {To, Code, Reason}.
    result TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE INDEX sent_messages_cell ON sent_messages (cell_id);
CREATE INDEX sent_messages_box ON sent_messages (box_id);

-- N:N links between control objects; removed with either end.
CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, role_id)
);
CREATE INDEX account_roles_role ON account_roles (role_id);

CREATE TABLE role_ext_cells (
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    ext_cell_id TEXT NOT NULL REFERENCES ext_cells(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, ext_cell_id)
);
CREATE INDEX role_ext_cells_ext_cell ON role_ext_cells (ext_cell_id);

CREATE TABLE role_ext_roles (
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    ext_role_id TEXT NOT NULL REFERENCES ext_roles(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, ext_role_id)
);
CREATE INDEX role_ext_roles_ext_role ON role_ext_roles (ext_role_id);

CREATE TABLE role_relations (
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    relation_id TEXT NOT NULL REFERENCES relations(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, relation_id)
);
CREATE INDEX role_relations_relation ON role_relations (relation_id);

CREATE TABLE relation_ext_cells (
    relation_id TEXT NOT NULL REFERENCES relations(id) ON DELETE CASCADE,
    ext_cell_id TEXT NOT NULL REFERENCES ext_cells(id) ON DELETE CASCADE,
    PRIMARY KEY (relation_id, ext_cell_id)
);
CREATE INDEX relation_ext_cells_ext_cell ON relation_ext_cells (ext_cell_id);

CREATE TABLE account_received_messages (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    received_message_id TEXT NOT NULL REFERENCES received_messages(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, received_message_id)
);
CREATE INDEX account_received_messages_msg ON account_received_messages (received_message_id);
