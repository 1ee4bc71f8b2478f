//! WebDAV protocol pieces, independent of the server (`spec/personium-api.md` §3.3, §6): XML in
//! and out, unit-tested without HTTP.

pub mod acl_xml;
pub mod if_header;
pub mod lock_xml;
pub mod mkcol_xml;
pub mod owncloud;
pub mod propfind_xml;
pub mod proppatch;
pub mod props;
pub mod range;
