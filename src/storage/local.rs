//! The `local` blob store (DESIGN.md "Storage and data"): bodies as files under
//! `{data_dir}/blobs/`, sharded `ab/abcd…` by key prefix into 256 directories made when the
//! store is created, so that storing a body never makes a directory (an earlier `ab/cd/abcd…`
//! layout made one for nearly every new file: a `mkdir` and two more directory syncs per PUT,
//! and ext4's directory placement made those the dearest part of a PUT). A store in the old
//! layout is moved to the new one when it is opened (see [`LocalStore::open`]). A body is written to
//! `blobs/tmp/` on the same filesystem, renamed into place, then the body and its shard
//! directory are synced, all before the caller's row names the key: a crash leaves at most an
//! orphan under a key no row names (removed by the start-up sweep), never a half body a row
//! names. Writes, syncs, renames and deletes run on the blocking pool, never on the reactor;
//! buffers are bounded (`FLUSH_BYTES` / `READ_CHUNK`).
//!
//! Reads open the file on the calling thread, and a body of at most `INLINE_READ` bytes is
//! read there too, as nginx serves files from its event loop: for a body in the page cache the
//! `open`/`fstat`/`read` calls take a few microseconds, while a hand-off to the blocking pool and
//! back cost more than that (two thread wake-ups). Larger bodies stream from the blocking pool,
//! `READ_CHUNK` at a time.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::future::{BoxFuture, LocalBoxFuture};
use futures_util::{stream, StreamExt};

use super::digest::Hasher;
use super::{is_key, new_key, BlobStore, ByteRange, ByteStream, ChunkStream, Staged, StoreError};

/// Bytes gathered from the payload before one write on the blocking pool.
const FLUSH_BYTES: usize = 256 * 1024;
/// Largest chunk read back at once.
const READ_CHUNK: u64 = 256 * 1024;
/// Bodies (or ranges) up to this size are read whole on the calling thread.
const INLINE_READ: u64 = 16 * 1024;
const TMP: &str = "tmp";
/// Present once the store has its 256 shard directories and no body in the old layout.
const LAYOUT_MARKER: &str = "layout-flat-256";

/// Bodies under one directory.
#[derive(Clone, Debug)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// Opens (creating) `root` and removes the temporary files a crash left there: those not
    /// written to for `grace` (younger ones may be uploads in flight in another Unit process
    /// sharing the directory). Blocking: call it at start-up.
    pub fn open(root: impl Into<PathBuf>, grace: Duration) -> io::Result<LocalStore> {
        let root = root.into();
        let tmp = root.join(TMP);
        fs::create_dir_all(&tmp)?;
        let now = SystemTime::now();
        let mut removed = 0usize;
        for entry in fs::read_dir(&tmp)? {
            let entry = entry?;
            let modified = entry.metadata()?.modified()?;
            if now.duration_since(modified).unwrap_or_default() >= grace {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, dir = %tmp.display(), "removed unfinished blob writes");
        }
        if !root.join(LAYOUT_MARKER).exists() {
            prepare_layout(&root)?;
        }
        Ok(LocalStore { root })
    }

    /// Every committed key with its file's modification time. Blocking.
    pub fn list(&self) -> io::Result<Vec<(String, SystemTime)>> {
        let mut out = Vec::new();
        for a in fs::read_dir(&self.root)? {
            let a = a?;
            if a.file_name() == TMP || !a.file_type()?.is_dir() {
                continue;
            }
            for f in fs::read_dir(a.path())? {
                let f = f?;
                if let Some(key) = f.file_name().to_str().filter(|k| is_key(k)) {
                    out.push((key.to_owned(), f.metadata()?.modified()?));
                }
            }
        }
        Ok(out)
    }

    /// Deletes a committed body. Blocking.
    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        match fs::remove_file(self.path_of(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        if !is_key(key) {
            return Err(StoreError::BadKey(key.to_owned()));
        }
        Ok(self.root.join(shard_of(key)).join(key))
    }

    fn tmp_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        if !is_key(key) {
            return Err(StoreError::BadKey(key.to_owned()));
        }
        Ok(self.root.join(TMP).join(key))
    }
}

/// The shard directory of a (valid) key: its first two hex digits.
fn shard_of(key: &str) -> &str {
    &key[..2]
}

/// Makes the 256 shard directories, moves every body of the old `ab/cd/abcd…` layout to
/// `ab/abcd…` (same filesystem: renames), syncs what changed, and writes the marker last. A
/// crash part-way leaves each body in one place or the other and no marker, so the next open
/// finishes the job. Blocking; at start-up, before any request.
fn prepare_layout(root: &Path) -> io::Result<()> {
    let mut moved = 0usize;
    for n in 0..=255u8 {
        let shard = root.join(format!("{n:02x}"));
        fs::create_dir_all(&shard)?;
        let mut subs = Vec::new();
        for sub in fs::read_dir(&shard)? {
            let sub = sub?;
            if sub.file_type()?.is_dir() {
                subs.push(sub.path());
            }
        }
        for sub in &subs {
            for f in fs::read_dir(sub)? {
                let f = f?;
                if f.file_name().to_str().is_some_and(is_key) {
                    fs::rename(f.path(), shard.join(f.file_name()))?;
                    moved += 1;
                }
            }
        }
        if !subs.is_empty() {
            // The moved names are durable before the old directories go.
            File::open(&shard)?.sync_all()?;
            for sub in &subs {
                fs::remove_dir(sub)?;
            }
            File::open(&shard)?.sync_all()?;
        }
    }
    // The new shard directories' names (an empty directory needs no sync of its own).
    File::open(root)?.sync_all()?;
    File::create(root.join(LAYOUT_MARKER))?.sync_all()?;
    File::open(root)?.sync_all()?;
    if moved > 0 {
        tracing::info!(moved, dir = %root.display(), "moved blobs to the flat shard layout");
    }
    Ok(())
}

/// The temporary file being written, with its running size and hash.
struct Sink {
    file: File,
    hasher: Hasher,
    size: u64,
}

impl Sink {
    fn write(&mut self, chunks: &[Bytes]) -> io::Result<()> {
        for c in chunks {
            self.file.write_all(c)?;
            self.hasher.update(c);
            self.size += c.len() as u64;
        }
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Io(io::Error::other(e)))?
}

impl LocalStore {
    async fn write_inner(
        &self,
        path: &Path,
        mut input: ChunkStream<'_>,
        limit: u64,
    ) -> Result<Sink, StoreError> {
        // The file is created by the first write, in the same blocking-pool hop: a small body
        // (the usual PUT) takes one hop for both.
        let p = path.to_owned();
        let mut sink: Option<Sink> = None;
        let mut pending: Vec<Bytes> = Vec::new();
        let (mut pending_len, mut total) = (0usize, 0u64);
        loop {
            let next = input.next().await;
            let done = next.is_none();
            if let Some(chunk) = next {
                let chunk = chunk.map_err(StoreError::Input)?;
                total += chunk.len() as u64;
                if total > limit {
                    return Err(StoreError::TooLarge(limit));
                }
                pending_len += chunk.len();
                pending.push(chunk);
            }
            if pending_len >= FLUSH_BYTES || done {
                let chunks = std::mem::take(&mut pending);
                pending_len = 0;
                let (current, p) = (sink.take(), p.clone());
                sink = Some(
                    blocking(move || {
                        let mut sink = match current {
                            Some(sink) => sink,
                            None => Sink {
                                file: File::create_new(p)?,
                                hasher: Hasher::default(),
                                size: 0,
                            },
                        };
                        sink.write(&chunks)?;
                        Ok(sink)
                    })
                    .await?,
                );
            }
            if done {
                // Not synced here: `commit` syncs it after the rename (see there).
                return sink.ok_or_else(|| StoreError::Io(io::ErrorKind::Other.into()));
            }
        }
    }
}

impl BlobStore for LocalStore {
    fn write<'a>(
        &'a self,
        input: ChunkStream<'a>,
        limit: u64,
    ) -> LocalBoxFuture<'a, Result<Staged, StoreError>> {
        Box::pin(async move {
            let key = new_key();
            let tmp = self.tmp_of(&key)?;
            match self.write_inner(&tmp, input, limit).await {
                Ok(sink) => Ok(Staged {
                    key,
                    size: sink.size,
                    digests: sink.hasher.finish(),
                }),
                Err(e) => {
                    // Nothing of a failed write stays behind.
                    let _ = blocking(move || Ok(fs::remove_file(tmp)?)).await;
                    Err(e)
                }
            }
        })
    }

    fn commit<'a>(&'a self, staged: &'a Staged) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let (tmp, path) = (self.tmp_of(&staged.key)?, self.path_of(&staged.key)?);
            let root = self.root.clone();
            blocking(move || {
                let dir = path
                    .parent()
                    .ok_or_else(|| StoreError::BadKey(String::new()))?;
                // The shard directories exist since `open`; one removed by hand is made again.
                let new_dir = !dir.is_dir();
                fs::create_dir_all(dir)?;
                fs::rename(tmp, &path)?;
                // Body and name must be durable before `commit` returns (the caller's row
                // names the key next), but their order does not matter: until that row
                // commits no one names the key, and a crash leaves an orphan for the start-up
                // sweep. Renaming first may let one journal commit carry the data and the entry
                // (ext4: the directory's fsync then finds little left to do); not yet shown to
                // make PUT faster.
                File::open(&path)?.sync_all()?;
                File::open(dir)?.sync_all()?;
                if new_dir {
                    // A shard directory just made must survive too.
                    File::open(&root)?.sync_all()?;
                }
                Ok(())
            })
            .await
        })
    }

    fn discard<'a>(&'a self, staged: &'a Staged) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let tmp = self.tmp_of(&staged.key)?;
            blocking(move || match fs::remove_file(tmp) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            })
            .await
        })
    }

    fn open<'a>(
        &'a self,
        key: &'a str,
        range: Option<ByteRange>,
    ) -> BoxFuture<'a, Result<ByteStream, StoreError>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let mut file = File::open(path).map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => StoreError::NotFound(key.to_owned()),
                _ => e.into(),
            })?;
            let size = file.metadata()?.len();
            let (start, len) = match range {
                Some(r) => (r.start, r.len.min(size.saturating_sub(r.start))),
                None => (0, size),
            };
            file.seek(SeekFrom::Start(start))?;
            if len > INLINE_READ {
                return Ok(read_stream(file, len));
            }
            let mut body = Vec::with_capacity(len as usize);
            file.take(len).read_to_end(&mut body)?;
            if (body.len() as u64) < len {
                return Err(StoreError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "blob shorter than recorded",
                )));
            }
            let body: ByteStream = Box::pin(stream::once(async move { Ok(Bytes::from(body)) }));
            Ok(body)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let this = self.clone();
            let key = key.to_owned();
            blocking(move || this.remove(&key)).await
        })
    }
}

/// `remaining` bytes of `file` from its current position, `READ_CHUNK` at a time.
fn read_stream(file: File, remaining: u64) -> ByteStream {
    Box::pin(stream::unfold(
        (Some(file), remaining),
        |(file, remaining)| async move {
            let mut file = file?;
            if remaining == 0 {
                return None;
            }
            let want = remaining.min(READ_CHUNK);
            let read = tokio::task::spawn_blocking(move || {
                let mut buf = Vec::with_capacity(want as usize);
                (&mut file).take(want).read_to_end(&mut buf)?;
                Ok::<_, io::Error>((file, buf))
            })
            .await
            .map_err(io::Error::other)
            .and_then(|r| r);
            match read {
                Ok((_, buf)) if buf.is_empty() => Some((
                    Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "blob shorter than recorded",
                    )),
                    (None, 0),
                )),
                Ok((file, buf)) => {
                    let left = remaining - buf.len() as u64;
                    Some((Ok(Bytes::from(buf)), (Some(file), left)))
                }
                Err(e) => Some((Err(e), (None, 0))),
            }
        },
    ))
}
