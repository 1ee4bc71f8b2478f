//! The user schema of an OData service collection (`spec/personium-api.md` §8.1):
//! EntityType, AssociationEnd, Property, ComplexType and ComplexTypeProperty under
//! `{col}/$metadata/`, with Personium's rules (limits, what PUT may change, 409 while in use,
//! AssociationEnd pairing), privileges `read` / `alter-schema` on the collection, and the
//! `UserData` schema that `$metadata` renders. The sets are `__ctl`-style [`SetDef`]s, so the
//! control-object validation, keys and list SQL serve them.

pub mod links;
pub mod ops;
pub mod rules;
pub mod sets;

use crate::auth::privilege::Privilege;
use crate::domain::access::CellAccess;
use crate::domain::dav::path::On;
use crate::domain::dav::DavPath;
use crate::error::Result;

pub use crate::domain::ctl::SetDef;

/// An OData service collection as a request reached it.
#[derive(Clone, Copy)]
pub struct Collection<'a> {
    pub cell: &'a CellAccess,
    /// The walked path; its deepest node is the collection.
    pub path: &'a DavPath,
}

impl Collection<'_> {
    /// The collection's node id, which keys its schema.
    pub fn node_id(&self) -> String {
        self.path.deepest().row.id.clone()
    }

    /// The collection URL, without trailing slash.
    pub fn url(&self) -> String {
        self.path.url_at(self.path.nodes.len() - 1)
    }

    /// The schema service root, `{col}/$metadata/`.
    pub fn schema_root(&self) -> String {
        format!("{}/$metadata/", self.url())
    }

    /// Requires a privilege on the collection (§3.4: its ACL, then those above it).
    pub fn require(&self, privilege: Privilege) -> Result<()> {
        self.path.require(self.cell, privilege, On::Resource)
    }
}
