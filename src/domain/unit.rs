//! Unit-wide operations that are not about one cell: health.

use crate::error::{Error, Result};
use crate::state::AppState;

/// Checks that the database answers (`GET /__status`).
pub async fn ping(state: &AppState) -> Result<()> {
    state
        .db
        .run(|conn| crate::db::ping(conn).map_err(Error::from))
        .await
}
