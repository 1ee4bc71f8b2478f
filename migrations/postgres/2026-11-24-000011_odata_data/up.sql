-- User data of OData service collections (spec/personium-api.md §8.2). Each entity is one row
-- of `odata_entities`: its EntityType, its `__id`, and its properties as one JSON object whose
-- keys are the properties' `json_key`s (not their names, so that renaming a Property or a
-- ComplexTypeProperty rewrites no data). Filters and sorts run on that JSON; every declared
-- scalar Property has its own partial expression index (`odata_ix_{property id}`, made by the
-- schema write that declares it, `WHERE type_id = '{type id}'`), so a query on one type reads
-- only that type's rows.
-- Bumped by every change of a collection's user schema: data requests check it against the
-- schema they cached.
ALTER TABLE dav_nodes ADD COLUMN schema_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE odata_entity_types ADD COLUMN key_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE odata_complex_types ADD COLUMN key_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE odata_properties ADD COLUMN json_key TEXT;
ALTER TABLE odata_complex_type_properties ADD COLUMN json_key TEXT;
-- Rows made before user data existed have no data; their id is a key no counter yields.
UPDATE odata_properties SET json_key = id;
UPDATE odata_complex_type_properties SET json_key = id;

CREATE TABLE odata_entities (
    seq BIGSERIAL PRIMARY KEY,
    type_id TEXT NOT NULL REFERENCES odata_entity_types(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    body JSONB NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (type_id, id)
);
CREATE INDEX odata_entities_type ON odata_entities (type_id, seq);

-- Full-text search (`q`): `search` holds the entity's string values.
CREATE INDEX odata_entities_search ON odata_entities USING GIN (to_tsvector('simple', search));

-- A link between two entities over an association, stored once per direction: `end_id` is the
-- AssociationEnd on the side of `from_seq`.
CREATE TABLE odata_links (
    end_id TEXT NOT NULL REFERENCES odata_association_ends(id) ON DELETE CASCADE,
    from_seq BIGINT NOT NULL REFERENCES odata_entities(seq) ON DELETE CASCADE,
    to_seq BIGINT NOT NULL REFERENCES odata_entities(seq) ON DELETE CASCADE,
    PRIMARY KEY (end_id, from_seq, to_seq)
);
CREATE INDEX odata_links_to ON odata_links (to_seq);
