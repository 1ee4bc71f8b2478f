//! unitcell: a personal data store (PDS) server that speaks the Personium REST API.
//!
//! Layers, one way only (DESIGN.md "Shape of the code"): `http` (actix glue) -> `domain` (rules)
//! -> `db` -> `model` / `odata` / `error`. Only `http`, `app` and `error` import actix; only `db`
//! imports diesel.

pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod model;
pub mod odata;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod webdav;

pub use app::{configure, AppState};
pub use error::{Error, Result};
