ALTER TABLE boxes ADD COLUMN acl TEXT;
UPDATE boxes SET acl = (SELECT n.acl FROM dav_nodes n WHERE n.id = boxes.id);
DROP INDEX dav_nodes_box;
DROP INDEX dav_nodes_root;
DROP TABLE dav_nodes;
