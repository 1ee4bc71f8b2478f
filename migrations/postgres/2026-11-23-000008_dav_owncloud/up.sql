-- ownCloud extensions of file nodes (beyond Personium; rclone's owncloud vendor mode):
-- sha1 / md5: lower-case hex hashes of the body, computed with sha256 while a PUT streams it,
--   shown as <oc:checksums> in PROPFIND; NULL for files stored before this migration.
-- mtime: the modification time a PUT's X-OC-Mtime set (epoch ms), shown as getlastmodified
--   and Last-Modified instead of `updated`; NULL when the last PUT sent none. `updated` stays
--   the server's change time, so ETags ("version-updated") keep changing with every write.
ALTER TABLE dav_nodes ADD COLUMN sha1 TEXT;
ALTER TABLE dav_nodes ADD COLUMN md5 TEXT;
ALTER TABLE dav_nodes ADD COLUMN mtime BIGINT;
