//! Cell-level endpoints (`spec/personium-api.md` §4.2, §4.3), one file per reserved path family.

pub mod authz;
pub mod authz_html;
pub mod ctl;
pub mod root;
pub mod token;
