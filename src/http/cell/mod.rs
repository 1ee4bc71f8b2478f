//! Cell-level endpoints (`spec/personium-api.md` §4.2, §4.3), one file per reserved path family.

pub mod ctl;
pub mod root;
pub mod token;
