//! Business rules, free of HTTP types: each function takes the state, the caller's
//! `AccessContext` and parsed input, decides, and persists through `db`.

pub mod auth;
pub mod body;
pub mod cells;
pub mod ctl;
pub mod etag;
pub mod unit;
