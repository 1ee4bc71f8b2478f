-- The WebDAV tree of every box (spec/personium-api.md §6, §3.3): one root node per box (kind
-- 'box'; id = the box id, or the cell id for the main box `__`, which is no Box entity), and
-- below it collections ('col', 'odata', 'service', 'stream') and files ('file').
-- Root nodes are created lazily, on the first write into the box (its ACL, a child).
-- acl: JSON, principals by role id (as cells.acl). props: JSON object of dead properties
-- (as cells.props: "localname@namespace" -> raw XML). blob_key / sha256: file bodies in the
-- blob store (later steps).
CREATE TABLE dav_nodes (
    id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    box_id TEXT REFERENCES boxes(id) ON DELETE CASCADE,
    parent_id TEXT REFERENCES dav_nodes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    content_type TEXT,
    size BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    acl TEXT,
    props TEXT,
    blob_key TEXT,
    sha256 TEXT,
    UNIQUE (parent_id, name)
);
CREATE UNIQUE INDEX dav_nodes_root ON dav_nodes (cell_id, COALESCE(box_id, ''))
    WHERE parent_id IS NULL;
CREATE INDEX dav_nodes_box ON dav_nodes (box_id);

-- Box ACLs move from boxes.acl to the box's root node.
INSERT INTO dav_nodes (id, cell_id, box_id, parent_id, name, kind, version, published, updated, acl)
    SELECT id, cell_id, id, NULL, '', 'box', 1, published, updated, acl
    FROM boxes WHERE acl IS NOT NULL;
ALTER TABLE boxes DROP COLUMN acl;
