//! Boxes found by Schema or listed by name, for the authorization endpoint's
//! `box_not_installed`, `__box` and `__role` (`spec/personium-api.md` §5.4, §5.7, §1.2).

use diesel::prelude::*;

use super::schema::boxes;
use super::{DbConn, DbResult};

/// The name of a box of the cell whose Schema is one of `schemas` (the spellings of one
/// schema URL: http and `personium-localunit:` forms).
pub fn find_by_schema(
    conn: &mut DbConn,
    cell_id: &str,
    schemas: &[String],
) -> DbResult<Option<String>> {
    if schemas.is_empty() {
        return Ok(None);
    }
    Ok(boxes::table
        .filter(boxes::cell_id.eq(cell_id))
        .filter(boxes::schema_url.eq_any(schemas))
        .select(boxes::name)
        .order(boxes::name)
        .first(conn)
        .optional()?)
}

/// The names of the cell's boxes, sorted.
pub fn names(conn: &mut DbConn, cell_id: &str) -> DbResult<Vec<String>> {
    Ok(boxes::table
        .filter(boxes::cell_id.eq(cell_id))
        .select(boxes::name)
        .order(boxes::name)
        .load(conn)?)
}
