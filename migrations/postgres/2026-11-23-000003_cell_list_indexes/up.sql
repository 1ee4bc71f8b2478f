-- Unit-level cell lists without work proportional to the number of cells on the Unit:
-- GET /__ctl/Cell pages in (published, id) order (the default order of every list), and a unit
-- user's list is also filtered by owner. Without these, each page sorts every cell.
CREATE INDEX cells_published ON cells (published, id);
CREATE INDEX cells_owner ON cells (owner, published, id);
