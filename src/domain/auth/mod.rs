//! Authentication (`spec/personium-api.md` §5): password checks and, with the token codec,
//! the token endpoint.

pub mod client;
pub mod grant;
pub mod login;
pub mod password_change;
