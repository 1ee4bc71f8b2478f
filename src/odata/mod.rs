//! OData v2 as Personium speaks it (`spec/personium-api.md` §2.4, §8): the schema model, typed
//! values, resource paths and keys, query options and their SQL, and the JSON v2 / Atom / EDMX
//! renderings. Protocol only: nothing here touches the database or HTTP.

pub mod atom;
pub mod batch;
pub mod ctl_schema;
pub mod edm;
pub mod entity;
pub mod error;
pub mod filter;
pub mod json;
pub mod metadata;
pub mod negotiate;
pub mod query;
pub mod schema;
pub mod service;
pub mod sql;
pub mod svc_schema;
pub mod uri;
