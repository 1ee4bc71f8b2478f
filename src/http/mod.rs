//! actix glue only: extractors, middleware, response helpers and one handler per Personium
//! operation, grouped by resource family. Handlers parse, call `domain`, render.

pub mod boxes;
pub mod cell;
pub mod extract;
pub mod middleware;
pub mod odata;
pub mod unit;
