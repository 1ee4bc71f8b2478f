DROP INDEX cells_owner;
DROP INDEX cells_published;
