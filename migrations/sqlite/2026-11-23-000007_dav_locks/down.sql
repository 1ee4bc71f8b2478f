DROP TABLE dav_locks;
