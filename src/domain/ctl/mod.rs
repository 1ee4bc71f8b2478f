//! Cell control objects (`spec/personium-api.md` §4.3): one generic implementation of create,
//! retrieve, list, update (PUT/MERGE), delete, `$links` and navigation properties, driven by the
//! set definitions in `sets`.

pub mod keys;
pub mod links;
pub mod ops;
pub mod rule;
pub mod sets;
pub mod validate;

pub use sets::{set, SetDef};
