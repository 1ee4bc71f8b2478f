//! The `BlobStore` contract, run against every implementation.

use std::io;

use bytes::Bytes;
use futures_util::{stream, StreamExt};

use super::*;

fn chunks(parts: &[&'static [u8]]) -> ChunkStream<'static> {
    let items: Vec<io::Result<Bytes>> = parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
    Box::pin(stream::iter(items))
}

async fn read(store: &dyn BlobStore, key: &str, range: Option<ByteRange>) -> Vec<u8> {
    let mut s = store.open(key, range).await.unwrap();
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

async fn contract(store: &dyn BlobStore) {
    let staged = store
        .write(chunks(&[b"hello ", b"world"]), 100)
        .await
        .unwrap();
    assert_eq!(staged.size, 11);
    assert_eq!(
        staged.digests.sha256,
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    );
    assert_eq!(
        staged.digests.sha1,
        "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"
    );
    assert_eq!(staged.digests.md5, "5eb63bbbe01eeed093cb22bb8f5acdc3");
    // Not visible before commit.
    assert!(matches!(
        store.open(&staged.key, None).await,
        Err(StoreError::NotFound(_))
    ));
    store.commit(&staged).await.unwrap();
    assert_eq!(read(store, &staged.key, None).await, b"hello world");
    let r = ByteRange { start: 6, len: 5 };
    assert_eq!(read(store, &staged.key, Some(r)).await, b"world");
    let r = ByteRange { start: 0, len: 1 };
    assert_eq!(read(store, &staged.key, Some(r)).await, b"h");
    // Too large: refused, nothing staged.
    let e = store.write(chunks(&[b"12345", b"678"]), 7).await;
    assert!(matches!(e, Err(StoreError::TooLarge(7))), "{e:?}");
    // A broken input stream.
    let bad: ChunkStream<'static> = Box::pin(stream::iter([
        Ok(Bytes::from_static(b"x")),
        Err(io::Error::other("reset")),
    ]));
    assert!(matches!(
        store.write(bad, 10).await,
        Err(StoreError::Input(_))
    ));
    // Discard and delete.
    let other = store.write(chunks(&[b""]), 10).await.unwrap();
    assert_eq!(other.size, 0);
    store.discard(&other).await.unwrap();
    store.delete(&staged.key).await.unwrap();
    store.delete(&staged.key).await.unwrap();
    assert!(matches!(
        store.open(&staged.key, None).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn memory_store() {
    let store = MemoryStore::default();
    contract(&store).await;
    assert!(store.keys().is_empty());
    assert_eq!(store.staged_count(), 0);
}

#[tokio::test]
async fn local_store() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    let store = LocalStore::open(&root, std::time::Duration::ZERO).unwrap();
    contract(&store).await;
    assert!(store.list().unwrap().is_empty());
    // No temporary file is left behind by refused or discarded writes.
    assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    // Keys are sharded by prefix; start-up removes unfinished writes.
    let s = store.write(chunks(&[b"abc"]), 10).await.unwrap();
    store.commit(&s).await.unwrap();
    let path = root.join(&s.key[..2]).join(&s.key);
    assert_eq!(std::fs::read(path).unwrap(), b"abc");
    std::fs::write(root.join("tmp").join("leftover"), b"x").unwrap();
    let store = LocalStore::open(&root, std::time::Duration::ZERO).unwrap();
    assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    assert_eq!(store.list().unwrap().len(), 1);
    // All 256 shard directories exist from the start.
    let shards = std::fs::read_dir(&root)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(shards, 256 + 1, "256 shards and tmp/");
    // Keys never leave the store's directory.
    assert!(matches!(
        store.open("../../etc/passwd", None).await,
        Err(StoreError::BadKey(_))
    ));
}

#[tokio::test]
async fn local_store_moves_the_old_two_level_layout() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    let keys = [
        "abcd0000000000000000000000000000",
        "ab990000000000000000000000000001",
    ];
    for key in keys {
        let old = root.join(&key[..2]).join(&key[2..4]).join(key);
        std::fs::create_dir_all(old.parent().unwrap()).unwrap();
        std::fs::write(&old, key).unwrap();
    }
    let store = LocalStore::open(&root, std::time::Duration::ZERO).unwrap();
    let mut listed: Vec<String> = store.list().unwrap().into_iter().map(|(k, _)| k).collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "ab990000000000000000000000000001",
            "abcd0000000000000000000000000000"
        ]
    );
    for key in keys {
        let body = store.open(key, None).await.unwrap();
        let bytes: Vec<u8> = body.map(|c| c.unwrap().to_vec()).concat().await;
        assert_eq!(bytes, key.as_bytes());
        assert!(
            !root.join(&key[..2]).join(&key[2..4]).exists(),
            "old directory removed"
        );
    }
    // Opened again, nothing moves (the marker says the layout is done).
    let again = LocalStore::open(&root, std::time::Duration::ZERO).unwrap();
    assert_eq!(again.list().unwrap().len(), 2);
}
