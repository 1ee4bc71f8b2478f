//! Walking a box-level path through the box tree (`spec/personium-api.md` §6): the box, the
//! nodes that exist from its root down, and what is left of the path; plus the ACL chain of
//! §3.4 step 6 for a privilege checked on the resource or on its parent.

use std::sync::Arc;

use crate::auth::acl::{Acl, BoxInfo, Level};
use crate::db::dav::{self as repo, NodeRow};
use crate::db::{cells as cell_repo, DbConn};
use crate::domain::access::CellAccess;
use crate::domain::auth::discovery::schema_forms;
use crate::error::{codes, Error, Result};
use crate::state::AppState;

use super::path::{self, NodeKind, On, Target};

/// The main box: no Box entity, schema = the cell URL.
pub const MAIN_BOX: &str = "__";

/// The box a request addresses.
#[derive(Clone, Debug)]
pub struct BoxRef {
    /// The Box entity's id; `None` for the main box `__`.
    pub id: Option<String>,
    pub name: String,
    /// The Schema in http form (`personium-localunit:` resolved); the cell URL for `__`.
    pub schema: Option<String>,
    pub published: i64,
    pub updated: i64,
}

/// One node of the walked path.
#[derive(Clone, Debug)]
pub struct Node {
    /// The stored row; for a box root not written yet, a default one (see [`Node::exists`]).
    pub row: NodeRow,
    pub kind: NodeKind,
    pub acl: Acl,
    /// False for a box root that has no row yet (nothing was ever written into the box).
    pub stored: bool,
}

/// A box-level path, walked.
#[derive(Clone, Debug)]
pub struct DavPath {
    pub cell_id: String,
    pub cell_url: String,
    pub bx: BoxRef,
    /// From the box root down to the deepest node found; never empty.
    pub nodes: Vec<Node>,
    /// The requested segments, all of them.
    pub segments: Vec<String>,
}

impl DavPath {
    /// What the path names.
    pub fn target(&self) -> Target {
        path::target(self.deepest().kind, self.unresolved())
    }

    /// How many segments were not found.
    pub fn unresolved(&self) -> usize {
        self.segments.len() + 1 - self.nodes.len()
    }

    /// The deepest node found.
    pub fn deepest(&self) -> &Node {
        // `nodes` always holds the box root.
        &self.nodes[self.nodes.len() - 1]
    }

    /// The box URL without trailing slash, as Personium's `BoxCmp.getUrl`.
    pub fn box_url(&self) -> String {
        format!("{}{}", self.cell_url, self.bx.name)
    }

    /// The URL of the first `depth` segments (0 = the box).
    pub fn url_at(&self, depth: usize) -> String {
        let mut url = self.box_url();
        for s in self.segments.iter().take(depth) {
            url.push('/');
            url.push_str(s);
        }
        url
    }

    /// The URL of the whole path (no trailing slash).
    pub fn url(&self) -> String {
        self.url_at(self.segments.len())
    }

    /// The ACLs a check on the resource (or its parent) walks, nearest first: the existing
    /// nodes up to the box root (§3.4 step 6; Personium's `DavRsCmp.hasSubjectPrivilege`).
    pub fn chain(&self, on: On) -> Vec<&Acl> {
        let skip_self = on == On::Parent && self.unresolved() == 0 && self.nodes.len() > 1;
        let n = self.nodes.len() - usize::from(skip_self);
        self.nodes[..n].iter().rev().map(|node| &node.acl).collect()
    }

    /// The box facts for `auth::acl::decide`.
    pub fn level(&self) -> Level<'_> {
        Level::Box(BoxInfo {
            schema: self.bx.schema.as_deref(),
            main: self.bx.id.is_none(),
        })
    }

    /// The id of the box root node (the box id; the cell id for the main box).
    pub fn root_id(&self) -> &str {
        self.bx.id.as_deref().unwrap_or(&self.cell_id)
    }

    /// Requires `required` on the resource or its parent.
    pub fn require(
        &self,
        cell: &CellAccess,
        required: crate::auth::privilege::Privilege,
        on: On,
    ) -> Result<()> {
        cell.require_at(self.level(), &self.chain(on), required)
    }
}

/// Finds the box (`PR404-DV-0002`; from the access cache when it holds it) and walks `tail`
/// down its tree: one inline read.
pub async fn resolve(
    state: &AppState,
    cell: &CellAccess,
    box_name: &str,
    tail: &str,
) -> Result<DavPath> {
    let segments: Vec<String> = path::segments(tail)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let cache = &state.access_cache;
    let cached = cache.box_ref(&cell.id, box_name);
    let generation = cache.generation();
    let (cell_id, cell_name, name) = (cell.id.clone(), cell.name.clone(), box_name.to_owned());
    let walk_segments = segments.clone();
    let known = cached.clone();
    let found = state
        .db
        .read(move |conn| {
            let bx = match known {
                Some(bx) => bx,
                None => match find_box(conn, &cell_id, &cell_name, &name)? {
                    Some(bx) => Arc::new(bx),
                    None => return Ok::<_, Error>(None),
                },
            };
            let root_id = bx.id.clone().unwrap_or_else(|| cell_id.clone());
            let nodes = walk(conn, &root_id, &bx, &walk_segments)?;
            Ok(Some((bx, nodes)))
        })
        .await?;
    let Some((bx, nodes)) = found else {
        return Err(Error::new(&codes::PR404_DV_0002).param(format!("{}{box_name}", cell.url)));
    };
    let bx = match cached {
        Some(bx) => bx,
        None => {
            let mut loaded = Arc::unwrap_or_clone(bx);
            loaded.schema = match (&loaded.id, loaded.schema.take()) {
                (None, _) => Some(cell.url.clone()),
                (Some(_), Some(s)) if !s.is_empty() => Some(http_form(state, &s)),
                _ => None,
            };
            let loaded = Arc::new(loaded);
            cache.put_box(generation, &cell.id, loaded.clone());
            loaded
        }
    };
    Ok(DavPath {
        cell_id: cell.id.clone(),
        cell_url: cell.url.clone(),
        bx: BoxRef::clone(&bx),
        nodes,
        segments,
    })
}

/// The http spelling of a stored Schema URL.
fn http_form(state: &AppState, schema: &str) -> String {
    schema_forms(state, schema)
        .into_iter()
        .find(|f| f.starts_with("http"))
        .unwrap_or_else(|| schema.to_owned())
}

fn find_box(
    conn: &mut DbConn,
    cell_id: &str,
    cell_name: &str,
    name: &str,
) -> Result<Option<BoxRef>> {
    if name == MAIN_BOX {
        let cell = cell_repo::find_by_name(conn, cell_name)?
            .ok_or_else(|| Error::new(&codes::PR404_DV_0003))?;
        return Ok(Some(BoxRef {
            id: None,
            name: MAIN_BOX.to_owned(),
            schema: None,
            published: cell.published,
            updated: cell.updated,
        }));
    }
    Ok(repo::find_box(conn, cell_id, name)?.map(|b| BoxRef {
        id: Some(b.id),
        name: b.name,
        schema: b.schema_url,
        published: b.published,
        updated: b.updated,
    }))
}

/// The root (stored or default) and the nodes found along `segments`, stopping at the first
/// missing name or at a node that is not a WebDAV container.
fn walk(conn: &mut DbConn, root_id: &str, bx: &BoxRef, segments: &[String]) -> Result<Vec<Node>> {
    let root = match repo::find(conn, root_id)? {
        Some(row) => node(row, true)?,
        None => default_root(root_id, bx),
    };
    let mut nodes = vec![root];
    for seg in segments {
        let current = &nodes[nodes.len() - 1];
        if !current.stored || !current.kind.is_dav_container() {
            break;
        }
        match repo::child(conn, &current.row.id, seg)? {
            Some(row) => nodes.push(node(row, true)?),
            None => break,
        }
    }
    Ok(nodes)
}

pub(super) fn node(row: NodeRow, stored: bool) -> Result<Node> {
    let kind = NodeKind::parse(&row.kind)
        .ok_or_else(|| Error::internal(anyhow::anyhow!("unknown node kind {}", row.kind)))?;
    let acl = match row.acl.as_deref() {
        Some(json) => Acl::from_json(json).map_err(Error::internal)?,
        None => Acl::default(),
    };
    Ok(Node {
        row,
        kind,
        acl,
        stored,
    })
}

/// The root of a box nothing was written into yet: empty ACL, the box's own timestamps.
fn default_root(root_id: &str, bx: &BoxRef) -> Node {
    Node {
        row: NodeRow {
            id: root_id.to_owned(),
            parent_id: None,
            name: String::new(),
            kind: NodeKind::Box.as_str().to_owned(),
            content_type: None,
            size: None,
            version: 1,
            published: bx.published,
            updated: bx.updated,
            acl: None,
            props: None,
            blob_key: None,
            sha1: None,
            md5: None,
            mtime: None,
        },
        kind: NodeKind::Box,
        acl: Acl::default(),
        stored: false,
    }
}
