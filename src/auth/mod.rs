//! Who is calling: the access context built from the `Authorization` header
//! (`spec/personium-api.md` §3.4, §5.3) and the unit-level checks of §4.1.

pub mod acl;
pub mod authorization;
pub mod context;
pub mod cookie;
pub mod keys;
pub mod password;
pub mod privilege;
pub mod token;

pub use authorization::Authorization;
pub use context::{AccessContext, Principal};
