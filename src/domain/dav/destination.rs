//! The `Destination` and `Overwrite` headers of MOVE and COPY (RFC 4918 §10.3, §10.6;
//! `spec/personium-api.md` §6; Personium's `DavMoveResource.validateHeaders` and
//! `DavDestination.loadDestinationHierarchy`): the destination URL inside the same box,
//! walked down the box tree.

use crate::auth::privilege::Privilege;
use crate::db::dav as repo;
use crate::db::DbConn;
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::state::AppState;

use super::path::{self, On, MAX_CHILDREN, MAX_DEPTH};
use super::tree::{self, DavPath, Node};

/// A walked destination.
#[derive(Clone, Debug)]
pub struct Dest {
    /// The Destination header as sent (Personium answers it as `Location`).
    pub url: String,
    /// The destination path; `nodes` holds the box root and every segment found.
    pub path: DavPath,
}

impl Dest {
    /// Whether something is mapped at the destination.
    pub fn exists(&self) -> bool {
        self.path.unresolved() == 0
    }

    /// The node that is there (when [`Dest::exists`]).
    pub fn current(&self) -> Option<&Node> {
        self.exists().then(|| self.path.deepest())
    }

    /// The destination's parent node, when it exists.
    pub fn parent(&self) -> Option<&Node> {
        let n = self.path.segments.len();
        self.path.nodes.get(n - 1)
    }

    /// The parent's parent (None above the box).
    pub fn grandparent(&self) -> Option<&Node> {
        let n = self.path.segments.len();
        n.checked_sub(2).and_then(|i| self.path.nodes.get(i))
    }

    /// The new name.
    pub fn name(&self) -> &str {
        self.path.segments.last().map(String::as_str).unwrap_or("")
    }

    /// `PR409-DV-0001` unless every collection above the destination exists.
    pub fn require_parent(&self) -> Result<()> {
        let found = self.path.nodes.len() - 1;
        if found + 1 < self.path.segments.len() {
            return Err(Error::new(&codes::PR409_DV_0001).param(&self.path.segments[found]));
        }
        Ok(())
    }
}

/// What a MOVE or COPY transaction needs of a checked destination.
#[derive(Clone, Debug)]
pub struct Slot {
    pub parent_id: String,
    pub name: String,
    /// The node being replaced.
    pub replaced: Option<String>,
    /// How many segments below the box.
    pub depth: usize,
    /// Answered as `Location`.
    pub location: String,
}

impl Dest {
    /// Requires `bind` (and `unbind` when replacing) on the destination's parent.
    pub fn claim(&self, cell: &CellAccess) -> Result<Slot> {
        self.path.require(cell, Privilege::Bind, On::Parent)?;
        if self.exists() {
            self.path.require(cell, Privilege::Unbind, On::Parent)?;
        }
        Ok(Slot {
            parent_id: self.parent().map(|p| p.row.id.clone()).unwrap_or_default(),
            name: self.name().to_owned(),
            replaced: self.current().map(|c| c.row.id.clone()),
            depth: self.path.segments.len(),
            location: self.url.clone(),
        })
    }
}

impl Slot {
    /// Inside the transaction, before writing: a new name needs room (`PR400-DV-0007`),
    /// `height` more levels must fit (`PR400-DV-0008`), the destination must still be what
    /// was checked (else `PR412-DV-0002`); the node it replaces is deleted. Returns the blob
    /// keys that deletion orphans, for the caller to remove once the transaction commits.
    pub fn prepare(&self, conn: &mut DbConn, height: usize) -> Result<Vec<String>> {
        if self.replaced.is_none() && repo::child_count(conn, &self.parent_id)? >= MAX_CHILDREN {
            return Err(Error::new(&codes::PR400_DV_0007));
        }
        if self.depth + height > MAX_DEPTH {
            return Err(Error::new(&codes::PR400_DV_0008));
        }
        if repo::child(conn, &self.parent_id, &self.name)?.map(|r| r.id) != self.replaced {
            // Someone else wrote the destination meanwhile.
            return Err(Error::new(&codes::PR412_DV_0002));
        }
        let Some(old) = &self.replaced else {
            return Ok(Vec::new());
        };
        let bodies = crate::db::dav_files::blob_keys_of(conn, old)?;
        repo::delete(conn, old)?;
        Ok(bodies)
    }
}

/// `Overwrite: T|F` (default `F`; anything else `PR400-DV-0009`).
pub fn overwrite(value: Option<&str>) -> Result<bool> {
    match value {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("T") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("F") => Ok(false),
        Some(v) => Err(Error::new(&codes::PR400_DV_0009)
            .param("Overwrite")
            .param(v)),
    }
}

/// Checks the `Destination` header against the source (required; not the source's own URL;
/// inside the same box, not the box itself; a valid resource name) and returns its decoded
/// segments below the box.
pub fn segments(source: &DavPath, destination: Option<&str>) -> Result<Vec<String>> {
    let Some(dest) = destination.filter(|d| !d.is_empty()) else {
        return Err(Error::new(&codes::PR400_DV_0010).param("Destination"));
    };
    if dest == source.url() {
        return Err(Error::new(&codes::PR403_DV_0005).param(dest));
    }
    let invalid = || {
        Error::new(&codes::PR400_DV_0009)
            .param("Destination")
            .param(dest)
    };
    let below = dest
        .strip_prefix(&source.box_url())
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or_else(invalid)?;
    let below = below.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<String> = path::segments(below)
        .into_iter()
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|d| d.into_owned())
                .map_err(|_| invalid())
        })
        .collect::<Result<_>>()?;
    let Some(name) = segments.last() else {
        return Err(invalid());
    };
    if segments == source.segments {
        return Err(Error::new(&codes::PR403_DV_0005).param(dest));
    }
    if !path::is_valid_name(name) {
        return Err(Error::new(&codes::PR403_DV_0004).param(name));
    }
    Ok(segments)
}

/// Walks the destination down the box tree of `source`.
// COMPAT(personium): the walk goes into every kind of node (as `DavCmp.getChild`), so an
// Engine service collection's `__src` is found and checked by the caller.
pub async fn load(
    state: &AppState,
    source: &DavPath,
    url: &str,
    segments: Vec<String>,
) -> Result<Dest> {
    let root = source.nodes[0].clone();
    let walk_segments = segments.clone();
    let nodes = state
        .db
        .read(move |conn| walk(conn, root, &walk_segments))
        .await?;
    Ok(Dest {
        url: url.to_owned(),
        path: DavPath {
            cell_id: source.cell_id.clone(),
            cell_url: source.cell_url.clone(),
            bx: source.bx.clone(),
            nodes,
            segments,
        },
    })
}

fn walk(conn: &mut DbConn, root: Node, segments: &[String]) -> Result<Vec<Node>> {
    let mut nodes = vec![root];
    for seg in segments {
        let current = &nodes[nodes.len() - 1];
        if !current.stored {
            break;
        }
        match repo::child(conn, &current.row.id, seg)? {
            Some(row) => nodes.push(tree::node(row, true)?),
            None => break,
        }
    }
    Ok(nodes)
}

/// How many levels of descendants a node has (0 for a file or an empty collection).
pub fn height(conn: &mut DbConn, id: &str) -> Result<usize> {
    let mut level = vec![id.to_owned()];
    let mut height = 0;
    loop {
        let mut next = Vec::new();
        for id in &level {
            next.extend(repo::children(conn, id)?.into_iter().map(|c| c.id));
        }
        if next.is_empty() {
            return Ok(height);
        }
        height += 1;
        level = next;
    }
}
