//! Business rules, free of HTTP types: each function takes the state, the caller's
//! `AccessContext` and parsed input, decides, and persists through `db`.

pub mod access;
pub mod acl;
pub mod auth;
pub mod body;
pub mod cache;
pub mod cell_pages;
pub mod cell_props;
pub mod cells;
pub mod certs;
pub mod ctl;
pub mod dav;
pub mod etag;
pub mod events;
pub mod keys;
pub mod odata_data;
pub mod odata_schema;
pub mod unit;
