-- The user schema of OData service collections (spec/personium-api.md §8.1): EntityType,
-- ComplexType, Property, ComplexTypeProperty and AssociationEnd, each keyed by the collection's
-- node (`dav_nodes.id`, kind 'odata'). Deleting the collection deletes its schema (cascade), and
-- deleting a type deletes what hangs off it. User data (§8.2) will reference
-- `odata_entity_types.id`. `version`, `published`, `updated` as in the `__ctl` tables.
CREATE TABLE odata_entity_types (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES dav_nodes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (node_id, name)
);

CREATE TABLE odata_complex_types (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES dav_nodes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (node_id, name)
);

-- prop_type: `Edm.String` ... or the Name of a ComplexType of the same collection.
-- is_declared = false: registered by a data write with an undeclared (dynamic) property.
CREATE TABLE odata_properties (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES dav_nodes(id) ON DELETE CASCADE,
    entity_type_id TEXT NOT NULL REFERENCES odata_entity_types(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prop_type TEXT NOT NULL,
    nullable BOOLEAN NOT NULL DEFAULT TRUE,
    default_value TEXT,
    collection_kind TEXT,
    is_key BOOLEAN NOT NULL DEFAULT FALSE,
    unique_key TEXT,
    is_declared BOOLEAN DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (entity_type_id, name)
);
CREATE INDEX odata_properties_node ON odata_properties (node_id);
CREATE INDEX odata_properties_type ON odata_properties (node_id, prop_type);

CREATE TABLE odata_complex_type_properties (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES dav_nodes(id) ON DELETE CASCADE,
    complex_type_id TEXT NOT NULL REFERENCES odata_complex_types(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prop_type TEXT NOT NULL,
    nullable BOOLEAN NOT NULL DEFAULT TRUE,
    default_value TEXT,
    collection_kind TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (complex_type_id, name)
);
CREATE INDEX odata_complex_type_properties_node ON odata_complex_type_properties (node_id);
CREATE INDEX odata_complex_type_properties_type
    ON odata_complex_type_properties (node_id, prop_type);

-- partner_id: the AssociationEnd this one is paired with (`$links/_AssociationEnd`); both
-- ends point at each other, so an association is two rows.
CREATE TABLE odata_association_ends (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES dav_nodes(id) ON DELETE CASCADE,
    entity_type_id TEXT NOT NULL REFERENCES odata_entity_types(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    multiplicity TEXT NOT NULL,
    partner_id TEXT REFERENCES odata_association_ends(id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (entity_type_id, name)
);
CREATE INDEX odata_association_ends_node ON odata_association_ends (node_id);
CREATE INDEX odata_association_ends_partner ON odata_association_ends (partner_id);
