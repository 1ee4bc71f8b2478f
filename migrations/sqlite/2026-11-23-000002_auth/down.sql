DROP TABLE token_grants;
DROP TABLE cell_keys;
ALTER TABLE accounts DROP COLUMN locked_until;
ALTER TABLE accounts DROP COLUMN last_failed;
ALTER TABLE cells DROP COLUMN props;
ALTER TABLE boxes DROP COLUMN acl;
ALTER TABLE cells DROP COLUMN acl;
