-- Key lookups by name (the COALESCE key indexes cannot serve 'name = ? AND box IS NULL') and
-- default-ordered pages of each cell's control objects without sorting all of them.
CREATE INDEX roles_cell_name ON roles (cell_id, name);
CREATE INDEX relations_cell_name ON relations (cell_id, name);
CREATE INDEX rules_cell_name ON rules (cell_id, name);
CREATE INDEX accounts_cell_order ON accounts (cell_id, published, id);
CREATE INDEX roles_cell_order ON roles (cell_id, published, id);
CREATE INDEX boxes_cell_order ON boxes (cell_id, published, id);
CREATE INDEX relations_cell_order ON relations (cell_id, published, id);
CREATE INDEX ext_cells_cell_order ON ext_cells (cell_id, published, id);
CREATE INDEX ext_roles_cell_order ON ext_roles (cell_id, published, id);
CREATE INDEX rules_cell_order ON rules (cell_id, published, id);
CREATE INDEX received_messages_cell_order ON received_messages (cell_id, published, id);
CREATE INDEX sent_messages_cell_order ON sent_messages (cell_id, published, id);
