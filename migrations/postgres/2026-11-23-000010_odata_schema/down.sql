DROP TABLE odata_association_ends;
DROP TABLE odata_complex_type_properties;
DROP TABLE odata_properties;
DROP TABLE odata_complex_types;
DROP TABLE odata_entity_types;
