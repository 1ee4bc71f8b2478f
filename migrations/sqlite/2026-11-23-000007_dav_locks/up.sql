-- WebDAV write locks (RFC 4918 §6-7; beyond Personium): in the database so that every Unit
-- process sees them (DESIGN.md "Scale-out"). A lock is held on a path of a box, not on a
-- node, so an unmapped URL can be locked and a MOVE leaves the locks behind (§9.9.4).
-- root_id: the box root node's id (the box id; the cell id for the main box `__`).
-- path: the decoded segments below the box joined by '/', '' = the box.
-- owner: the <D:owner> element as rendered in a DAV:-default document. expires: epoch ms.
CREATE TABLE dav_locks (
    token TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    root_id TEXT NOT NULL,
    path TEXT NOT NULL,
    exclusive BOOLEAN NOT NULL,
    infinite BOOLEAN NOT NULL,
    owner TEXT,
    timeout_secs BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX dav_locks_root ON dav_locks (root_id, expires);
