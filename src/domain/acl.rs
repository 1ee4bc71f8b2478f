//! ACL documents of cells (`spec/personium-api.md` §3.3): the `ACL` method replaces the whole
//! ACL, principals are stored by role id (so renaming a role keeps its ACEs), and PROPFIND shows
//! the ACL with hrefs relative to `xml:base`.

use std::sync::Arc;

use crate::auth::acl::{AcePrincipal, Acl, RoleId};
use crate::auth::privilege::Privilege;
use crate::db::{access as repo, cells as cell_repo, DbConn};
use crate::domain::access::CellAccess;
use crate::error::{Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;
use crate::webdav::acl_xml::{
    self, AclDoc, AclError, AclLevel, AclXmlStyle, RenderAce, RenderAcl, RenderPrincipal,
};

/// `ACL {C}`: replaces the cell ACL (privilege `acl`).
pub async fn set_cell_acl(state: &AppState, cell: &CellAccess, body: &[u8]) -> Result<()> {
    cell.require(Privilege::Acl)?;
    let doc = acl_xml::parse_acl(body, AclLevel::Cell)?;
    let (cell_id, cell_url) = (cell.id.clone(), cell.url.clone());
    cell.write(state, move |conn| {
        let acl = to_stored_acl(conn, &cell_id, &cell_url, &doc)?;
        cell_repo::set_acl(conn, &cell_id, &acl.to_json(), now_ms())?;
        Ok::<_, Error>(())
    })
    .await
}

/// The ACL to store for a parsed document: each principal href resolved against `xml:base`
/// to a role of this cell, by id (`PR400-DV-0004` no such role, `PR400-DV-0005` no such box).
pub fn to_stored_acl(
    conn: &mut DbConn,
    cell_id: &str,
    cell_url: &str,
    doc: &AclDoc,
) -> Result<Acl> {
    let base = doc.base.clone().unwrap_or_default();
    doc.to_acl(cell_url, |bx, role| -> Result<RoleId> {
        if let Some(name) = bx {
            if repo::box_id(conn, cell_id, name)?.is_none() {
                return Err(AclError::BoxNotFound(base.clone()).into());
            }
        }
        repo::role_id(conn, cell_id, bx, role)?
            .map(RoleId)
            .ok_or_else(|| AclError::RoleNotFound.into())
    })
}

/// The `<acl>` element of a cell's PROPFIND (inside a multistatus whose default namespace is
/// `DAV:`).
pub async fn render_cell_acl(state: &AppState, cell: &CellAccess) -> Result<String> {
    let acl: Arc<Acl> = cell.acl.clone();
    let ids: Vec<String> = acl
        .aces
        .iter()
        .filter_map(|a| match &a.principal {
            AcePrincipal::Role(id) => Some(id.as_str().to_owned()),
            AcePrincipal::All => None,
        })
        .collect();
    let roles = state
        .db
        .read(move |conn| Ok::<_, Error>(repo::roles_by_ids(conn, &ids)?))
        .await?;
    let hrefs: Vec<Option<String>> = acl
        .aces
        .iter()
        .map(|a| match &a.principal {
            AcePrincipal::All => None,
            AcePrincipal::Role(id) => roles
                .iter()
                .find(|(rid, _, _)| rid == id.as_str())
                .map(|(_, name, bx)| acl_xml::role_href(None, bx.as_deref(), name)),
        })
        .collect();
    let aces: Vec<RenderAce<'_>> = acl
        .aces
        .iter()
        .zip(&hrefs)
        .filter_map(|(a, href)| {
            let principal = match (&a.principal, href) {
                (AcePrincipal::All, _) => RenderPrincipal::All,
                (AcePrincipal::Role(_), Some(h)) => RenderPrincipal::Href(h),
                // A deleted role's ACE is not shown.
                (AcePrincipal::Role(_), None) => return None,
            };
            Some(RenderAce {
                principal,
                grant: a.grant,
                inherited: None,
            })
        })
        .collect();
    let base = acl_xml::role_base_url(&cell.url, None);
    Ok(acl_xml::render_acl(&RenderAcl {
        base: &base,
        require_schema_authz: acl.require_schema_authz,
        aces: &aces,
        style: AclXmlStyle::Personium,
    }))
}
