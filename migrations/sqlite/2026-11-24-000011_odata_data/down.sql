DROP TABLE odata_search;
DROP TABLE odata_links;
DROP TABLE odata_entities;
ALTER TABLE odata_complex_type_properties DROP COLUMN json_key;
ALTER TABLE odata_properties DROP COLUMN json_key;
ALTER TABLE odata_complex_types DROP COLUMN key_seq;
ALTER TABLE odata_entity_types DROP COLUMN key_seq;
ALTER TABLE dav_nodes DROP COLUMN schema_seq;
