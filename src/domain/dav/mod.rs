//! The WebDAV tree of boxes (`spec/personium-api.md` §6; ACLs §3.2-3.4): walking a box-level
//! path, the ACL decision with inheritance up to the box and the cell, and the operations on
//! the box and its collections. Every collection kind shares this code; the kinds with their
//! own protocol (OData, Engine, stream) plug in below their collection node.

pub mod access;
pub mod copies;
pub mod copy_bodies;
pub mod destination;
pub mod files;
pub mod lock_ops;
pub mod locks;
pub mod moves;
pub mod ops;
pub mod path;
pub mod propfind;
pub mod props;
pub mod tree;

pub use path::{NodeKind, On, Target};
pub use tree::{DavPath, MAIN_BOX};
