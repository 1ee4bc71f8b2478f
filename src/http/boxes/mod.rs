//! Box-level endpoints (`spec/personium-api.md` §6, §7.2): one catch-all route per box, the
//! `(target, method)` table in `dispatch`, and the WebDAV handlers in `dav`.

pub mod dav;
pub mod dispatch;
pub mod files;
pub mod locks;
pub mod moves;
pub mod odata_batch;
pub mod odata_data;
pub mod odata_schema;
pub mod props;
