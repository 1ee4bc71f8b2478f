//! Pure types with no I/O: validated names, URLs of the Unit and its cells, time.

pub mod names;
pub mod time;
pub mod url;

pub use names::{CellName, NameKind};
