//! The `memory` blob store: bodies in a map, for unit tests of code above the store
//! (DESIGN.md "Testing"). Same contract as `local`, nothing persisted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};
use futures_util::future::{BoxFuture, LocalBoxFuture};
use futures_util::{stream, StreamExt};

use super::{new_key, BlobStore, ByteRange, ByteStream, ChunkStream, Staged, StoreError};

#[derive(Default)]
struct Maps {
    staged: HashMap<String, Bytes>,
    committed: HashMap<String, Bytes>,
}

/// Bodies in memory.
#[derive(Clone, Default)]
pub struct MemoryStore {
    maps: Arc<Mutex<Maps>>,
}

impl MemoryStore {
    fn maps(&self) -> MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Committed keys, sorted (for assertions).
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.maps().committed.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// How many staged bodies wait for commit or discard.
    pub fn staged_count(&self) -> usize {
        self.maps().staged.len()
    }
}

impl BlobStore for MemoryStore {
    fn write<'a>(
        &'a self,
        mut input: ChunkStream<'a>,
        limit: u64,
    ) -> LocalBoxFuture<'a, Result<Staged, StoreError>> {
        Box::pin(async move {
            let mut buf = BytesMut::new();
            while let Some(chunk) = input.next().await {
                let chunk = chunk.map_err(StoreError::Input)?;
                if (buf.len() + chunk.len()) as u64 > limit {
                    return Err(StoreError::TooLarge(limit));
                }
                buf.extend_from_slice(&chunk);
            }
            let staged = Staged {
                key: new_key(),
                size: buf.len() as u64,
                digests: super::digest::of(&buf),
            };
            self.maps().staged.insert(staged.key.clone(), buf.freeze());
            Ok(staged)
        })
    }

    fn commit<'a>(&'a self, staged: &'a Staged) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut maps = self.maps();
            let body = maps
                .staged
                .remove(&staged.key)
                .ok_or_else(|| StoreError::NotFound(staged.key.clone()))?;
            maps.committed.insert(staged.key.clone(), body);
            Ok(())
        })
    }

    fn discard<'a>(&'a self, staged: &'a Staged) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.maps().staged.remove(&staged.key);
            Ok(())
        })
    }

    fn open<'a>(
        &'a self,
        key: &'a str,
        range: Option<ByteRange>,
    ) -> BoxFuture<'a, Result<ByteStream, StoreError>> {
        Box::pin(async move {
            let body = self
                .maps()
                .committed
                .get(key)
                .cloned()
                .ok_or_else(|| StoreError::NotFound(key.to_owned()))?;
            let body = match range {
                Some(r) => {
                    let start = (r.start as usize).min(body.len());
                    let end = start.saturating_add(r.len as usize).min(body.len());
                    body.slice(start..end)
                }
                None => body,
            };
            let s: ByteStream = Box::pin(stream::iter([Ok(body)]));
            Ok(s)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.maps().committed.remove(key);
            Ok(())
        })
    }
}
