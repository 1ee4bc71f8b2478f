-- The consecutive failed logins that count towards a lockout, kept apart from the
-- authentication history (failed_count), which some accounts do not record.
ALTER TABLE accounts ADD COLUMN lock_failures INTEGER NOT NULL DEFAULT 0;
