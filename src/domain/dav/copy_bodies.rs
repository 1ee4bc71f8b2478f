//! The file bodies of a `COPY` (RFC 4918 §9.8; DESIGN.md "Storage and data"): every file of the
//! source gets its own new blob, streamed from the source's blob through the [`BlobStore`]
//! before the COPY's transaction (never held in memory, never shared: deleting one file
//! shreds only its own body). The transaction then points the copied rows at these blobs; when
//! the COPY fails, the new blobs are removed.

use std::collections::HashMap;

use crate::db::dav::NodeRow;
use crate::db::dav_files::{self as files_repo, FileBody, SubtreeFile};
use crate::db::DbConn;
use crate::error::{codes, Error, Result};
use crate::state::AppState;
use crate::storage::{ChunkStream, Staged, StoreError};

use super::files::remove_blob;
use super::path::NodeKind;

/// New bodies by source file id, committed in the store and not yet named by any row.
#[derive(Debug, Default)]
pub struct Bodies {
    by_source: HashMap<String, Copied>,
}

#[derive(Debug)]
struct Copied {
    staged: Staged,
    content_type: String,
}

impl Bodies {
    /// Copies the body of every file among `source` (and with `deep` its subtree), one at a
    /// time; on a failure the bodies copied so far are removed.
    pub async fn stage(state: &AppState, source: &NodeRow, deep: bool) -> Result<Bodies> {
        let files = files_of(state, source, deep).await?;
        let mut bodies = Bodies::default();
        for file in files {
            match copy_one(state, &file.blob_key).await {
                Ok(staged) => {
                    let content_type = file.content_type.unwrap_or_default();
                    let copied = Copied {
                        staged,
                        content_type,
                    };
                    bodies.by_source.insert(file.id, copied);
                }
                Err(e) => {
                    bodies.remove(state).await;
                    return Err(e);
                }
            }
        }
        Ok(bodies)
    }

    /// Inside the transaction: gives the copy `to_id` of file `from` the body staged for it.
    /// False when `from` was not staged (it appeared after [`Bodies::stage`] looked): the
    /// caller leaves it out of the copy.
    pub fn apply(&self, conn: &mut DbConn, from: &NodeRow, to_id: &str) -> Result<bool> {
        let Some(c) = self.by_source.get(&from.id) else {
            return Ok(false);
        };
        let body = FileBody {
            content_type: &c.content_type,
            size: i64::try_from(c.staged.size).map_err(Error::internal)?,
            blob_key: &c.staged.key,
            sha256: &c.staged.digests.sha256,
            sha1: &c.staged.digests.sha1,
            md5: &c.staged.digests.md5,
            // The copy keeps the client's modification time, as a copied file does on disk.
            mtime: from.mtime,
        };
        if !files_repo::set_body(conn, to_id, &body)? {
            return Err(Error::new(&codes::PR404_DV_0001).param(&from.name));
        }
        Ok(true)
    }

    /// Removes every staged body (the COPY failed; no row names them).
    pub async fn remove(&self, state: &AppState) {
        for c in self.by_source.values() {
            remove_blob(state.blobs.as_ref(), &c.staged.key).await;
        }
    }
}

/// The files to copy: `source` itself, or the files below it when `deep`.
async fn files_of(state: &AppState, source: &NodeRow, deep: bool) -> Result<Vec<SubtreeFile>> {
    if source.kind == NodeKind::File.as_str() {
        return Ok(source
            .blob_key
            .iter()
            .map(|key| SubtreeFile {
                id: source.id.clone(),
                blob_key: key.clone(),
                content_type: source.content_type.clone(),
            })
            .collect());
    }
    if !deep {
        return Ok(Vec::new());
    }
    let id = source.id.clone();
    state
        .db
        .run(move |conn| Ok(files_repo::subtree_files(conn, &id)?))
        .await
}

/// Streams one committed body into a new committed blob.
async fn copy_one(state: &AppState, key: &str) -> Result<Staged> {
    let store = state.blobs.as_ref();
    let source = store.open(key, None).await.map_err(store_error)?;
    let input: ChunkStream<'_> = source;
    let limit = state.settings.storage.max_file_bytes;
    let staged = store.write(input, limit).await.map_err(store_error)?;
    if let Err(e) = store.commit(&staged).await {
        let _ = store.discard(&staged).await;
        return Err(store_error(e));
    }
    Ok(staged)
}

fn store_error(e: StoreError) -> Error {
    // The source was replaced or deleted meanwhile, or the store failed: the COPY can be retried.
    Error::new(&codes::PR503_DV_0001).source(e)
}
