//! The content hashes of a body, computed while it streams in (DESIGN.md "Storage and data"):
//! SHA-256 (the store's own integrity hash) and, for ownCloud-style clients, SHA-1 and MD5
//! (`<oc:checksums>`, see `webdav::owncloud`). One pass over the bytes feeds all three.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Lower-case hex digests of one body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digests {
    pub sha256: String,
    pub sha1: String,
    pub md5: String,
}

/// The running hashes of a body being written.
#[derive(Default)]
pub struct Hasher {
    sha256: Sha256,
    sha1: Sha1,
    md5: Md5,
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        self.sha1.update(bytes);
        self.md5.update(bytes);
    }

    pub fn finish(self) -> Digests {
        Digests {
            sha256: format!("{:x}", self.sha256.finalize()),
            sha1: format!("{:x}", self.sha1.finalize()),
            md5: format!("{:x}", self.md5.finalize()),
        }
    }
}

/// The digests of a whole body at once.
pub fn of(bytes: &[u8]) -> Digests {
    let mut h = Hasher::default();
    h.update(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_digests() {
        let d = super::of(b"hello\n");
        assert_eq!(
            d.sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
        assert_eq!(d.sha1, "f572d396fae9206628714fb2ce00f72e94f2258f");
        assert_eq!(d.md5, "b1946ac92492d2347c6235b4d2611184");
    }
}
