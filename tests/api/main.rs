//! The integration test binary: the whole application in-process, a fresh SQLite database per
//! test (or a fresh PostgreSQL schema when `UNITCELL_TEST_PG_URL` is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_cache;
mod architecture;
mod authorization;
mod authz;
mod box_acl;
mod box_dav;
mod cell_ctl;
mod cell_pages;
mod cell_props;
mod cell_root;
mod dav_blobs;
mod dav_concurrency;
mod dav_copy;
mod dav_files;
mod dav_locks;
mod dav_move;
mod dav_owncloud;
mod dav_props;
mod helpers;
mod odata_batch;
mod odata_data;
mod odata_differential;
mod odata_links;
mod odata_schema;
mod token;
mod token_limits;
mod two_units;
mod unit_ctl;
mod unit_users;
