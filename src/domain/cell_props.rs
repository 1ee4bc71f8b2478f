//! Cell properties (`spec/personium-api.md` §4.2 PROPPATCH): dead properties in any namespace,
//! set and removed by the cell's unit user, shown by PROPFIND, and the few the server reads
//! itself: `p:ownerRepresentativeAccounts` (§5.1 `p_owner`), `p:accountsnotrecordingauthhistory`
//! (§5.6), and the page URLs `domain::cell_pages` reads (§4.2, §5.4).

use crate::auth::privilege::NS_PERSONIUM;
use crate::db::cells as repo;
use crate::db::dead_props::{self, Owner};
use crate::domain::access::{CellAccess, Resolved};
use crate::domain::etag;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;
use crate::webdav::proppatch::{self, PropStatus};
use crate::webdav::props::DeadProps;

/// How often a PROPPATCH retries when another one changed the cell under it.
const MAX_ATTEMPTS: usize = 5;

/// A cell's dead properties, as the server reads them.
#[derive(Clone, Debug, Default)]
pub struct CellProps(pub DeadProps);

impl CellProps {
    /// Reads the stored JSON of a cell row; unreadable JSON counts as none (and is logged).
    pub fn from_row(json: Option<&str>) -> CellProps {
        match DeadProps::from_json(json) {
            Ok(p) => CellProps(p),
            Err(e) => {
                tracing::error!(error = %e, "stored cell properties are unreadable");
                CellProps::default()
            }
        }
    }

    /// The text of a `p:` property, `None` when unset or empty.
    pub fn text(&self, local_name: &str) -> Option<String> {
        self.0
            .get(NS_PERSONIUM, local_name)
            .and_then(|v| v.text())
            .filter(|t| !t.is_empty())
    }

    /// Whether `account` may obtain a unit-local unit user token for the cell's owner.
    // COMPAT(personium): Personium 1.8 stopped loading this property (its parser is commented
    // out "for security reasons"), so there every p_owner request fails with PR400-AN-0014;
    // the documented behaviour is implemented here.
    pub fn is_owner_representative(&self, account: &str) -> bool {
        self.0
            .get(NS_PERSONIUM, "ownerRepresentativeAccounts")
            .is_some_and(|v| {
                v.child_texts(NS_PERSONIUM, "account")
                    .iter()
                    .any(|a| a == account)
            })
    }

    /// Whether logins of `account` update its authentication history.
    // COMPAT(personium): the list is split on ',' without trimming, so "a, b" names " b".
    pub fn records_auth_history(&self, account: &str) -> bool {
        self.text("accountsnotrecordingauthhistory")
            .is_none_or(|list| !list.split(',').any(|a| a == account))
    }
}

/// The 401 of a caller without usable credentials at cell level (challenge: Bearer).
fn unauthorized(code: &'static str, realm: &str) -> Error {
    Error::new(codes::by_id(code).unwrap_or(&codes::PR401_AU_0001))
        .header("WWW-Authenticate", format!("Bearer realm=\"{realm}\""))
}

/// PROPPATCH on a cell is for its unit user only: the master token, a UnitAdmin, or the
/// owner's unit user token or `AU~`. Credentials come first, whatever the cell ACL says.
fn require_unit_user(access: &CellAccess) -> Result<()> {
    match &access.caller {
        Resolved::Anonymous => Err(unauthorized("PR401-AU-0001", &access.url)),
        // COMPAT(personium): Basic is turned away at cell level as if absent.
        Resolved::Basic => Err(unauthorized("PR401-AU-0001", &access.url)),
        Resolved::Invalid(code) => Err(unauthorized(code, &access.url)),
        _ if access.is_unit_admin() => Ok(()),
        _ => Err(Error::new(&codes::PR403_AU_0001)),
    }
}

/// The answer to a PROPPATCH: the 207 body and the cell's new ETag.
pub struct Patched {
    pub multistatus: String,
    pub etag: String,
}

/// `PROPPATCH {C}`: applies the set/remove instructions atomically (all or nothing).
#[tracing::instrument(skip_all, fields(cell = %access.name))]
pub async fn proppatch(state: &AppState, access: &CellAccess, body: &[u8]) -> Result<Patched> {
    require_unit_user(access)?;
    let update = proppatch::parse(body)?;
    for _ in 0..MAX_ATTEMPTS {
        let (name, update) = (access.name.clone(), update.clone());
        let outcome = state
            .db
            .run(move |conn| {
                let Some(row) = repo::find_by_name(conn, &name)? else {
                    return Err(Error::new(&codes::PR404_DV_0003));
                };
                let mut props =
                    DeadProps::from_json(row.props.as_deref()).map_err(Error::internal)?;
                let results: Vec<PropStatus> = update.apply(&mut props);
                let now = now_ms();
                if !dead_props::replace(
                    conn,
                    Owner::Cell,
                    &row.id,
                    &props.to_json(),
                    row.version,
                    now,
                )? {
                    return Ok(None);
                }
                Ok(Some((results, etag::weak(row.version + 1, now))))
            })
            .await?;
        if let Some((results, etag)) = outcome {
            tracing::info!(changed = results.len(), "cell properties updated");
            return Ok(Patched {
                multistatus: proppatch::render_multistatus(&access.url, &results),
                etag,
            });
        }
    }
    Err(Error::internal(anyhow::anyhow!(
        "cell kept changing during PROPPATCH"
    )))
}

/// The stored properties of a cell, rendered for PROPFIND's `<prop>`.
pub fn render(json: Option<&str>) -> String {
    CellProps::from_row(json).0.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webdav::props::Property;

    fn with(local: &str, inner: &str) -> CellProps {
        let mut p = DeadProps::default();
        p.set(Property {
            namespace: NS_PERSONIUM.into(),
            local_name: local.into(),
            xml: format!("<p:{local} xmlns:p=\"{NS_PERSONIUM}\">{inner}</p:{local}>"),
        });
        CellProps(p)
    }

    #[test]
    fn interpreted_properties() {
        let reps = with(
            "ownerRepresentativeAccounts",
            "<p:account>alice</p:account><p:account>bob</p:account>",
        );
        let cases = [
            ("alice", true),
            ("bob", true),
            ("carol", false),
            ("", false),
        ];
        for (account, ok) in cases {
            assert_eq!(reps.is_owner_representative(account), ok, "{account}");
        }
        assert!(!CellProps::default().is_owner_representative("alice"));

        let quiet = with("accountsnotrecordingauthhistory", "svc,bot, spaced");
        let cases = [
            ("svc", false),
            ("bot", false),
            ("spaced", true),
            (" spaced", false),
            ("alice", true),
        ];
        for (account, records) in cases {
            assert_eq!(quiet.records_auth_history(account), records, "{account}");
        }
        assert!(CellProps::default().records_auth_history("svc"));
        assert!(with("accountsnotrecordingauthhistory", "").records_auth_history("svc"));

        let page = with("authorizationhtmlurl", "https://app/login.html");
        assert_eq!(
            page.text("authorizationhtmlurl").as_deref(),
            Some("https://app/login.html")
        );
        assert_eq!(page.text("authorizationpasswordchangehtmlurl"), None);
    }
}
