//! File bodies (DESIGN.md "Storage and data"; `spec/storage-and-engine.md` §E.1): the
//! [`BlobStore`] trait and its back-ends, `local` (files under the data dir) and `memory`
//! (tests). Metadata (which node owns which blob) lives in the database; a store only keeps
//! bytes under opaque keys.
//!
//! A write goes in two steps so a crash never leaves a half body visible: [`BlobStore::write`]
//! streams the body into a temporary object and reports its size and digests, then
//! [`BlobStore::commit`] makes it visible under a fresh key. The caller commits its database row
//! after that, and deletes the previous body only once the row no longer names it.

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::future::{BoxFuture, LocalBoxFuture};
use futures_util::Stream;

pub mod digest;
pub mod local;
pub mod memory;
#[cfg(test)]
mod tests;

pub use digest::Digests;
pub use local::LocalStore;
pub use memory::MemoryStore;

/// A body read back: chunks of bounded size.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A body to write: the request payload, chunk by chunk (it need not be `Send`).
pub type ChunkStream<'a> = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + 'a>>;

/// What can go wrong in a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The body passed the size limit (bytes); nothing was kept.
    #[error("body larger than {0} bytes")]
    TooLarge(u64),
    /// Reading the body from the client failed; nothing was kept.
    #[error("reading the body: {0}")]
    Input(io::Error),
    /// No body under that key.
    #[error("no blob {0}")]
    NotFound(String),
    /// The key is not one this store hands out.
    #[error("malformed blob key {0:?}")]
    BadKey(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A body written but not yet visible: commit it or discard it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    /// The key the body gets once committed (new for every write).
    pub key: String,
    pub size: u64,
    /// The body's SHA-256 (and SHA-1, MD5 for ownCloud clients).
    pub digests: Digests,
}

/// A byte range to read: `len` bytes from `start` (both within the body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub len: u64,
}

/// Where file bodies live. Object safe, so `AppState` holds an `Arc<dyn BlobStore>`.
pub trait BlobStore: Send + Sync {
    /// Streams `input` into a temporary object, refusing more than `limit` bytes.
    fn write<'a>(
        &'a self,
        input: ChunkStream<'a>,
        limit: u64,
    ) -> LocalBoxFuture<'a, Result<Staged, StoreError>>;

    /// Makes a staged body visible under its key.
    fn commit<'a>(&'a self, staged: &'a Staged) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Drops a staged body that will not be committed.
    fn discard<'a>(&'a self, staged: &'a Staged) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Reads a committed body, whole or one range of it.
    fn open<'a>(
        &'a self,
        key: &'a str,
        range: Option<ByteRange>,
    ) -> BoxFuture<'a, Result<ByteStream, StoreError>>;

    /// Deletes a committed body; a missing one is not an error.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A fresh key: 32 lower-case hex digits.
fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// True for keys [`new_key`] makes (so a key never walks out of the store's directory).
fn is_key(key: &str) -> bool {
    key.len() == 32
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
