//! Authentication (`spec/personium-api.md` §5): password checks and, with the token codec,
//! the token endpoint.

pub mod authz;
pub mod authz_redirect;
pub mod client;
pub mod discovery;
pub mod grant;
pub mod introspect;
pub mod login;
pub mod owner;
pub mod password_change;
