ALTER TABLE accounts DROP COLUMN lock_failures;
