//! URLs an app dereferences to find its way in a cell: `GET {C}__box[?schema=]` resolves the
//! box installed for an app (`spec/personium-api.md` §5.7), and `GET {C}__role[/{box}[/{role}]]`
//! makes role URLs (§1.2, §1.4) answer.

use crate::auth::privilege::Privilege;
use crate::db::box_lookup;
use crate::domain::access::{CellAccess, Resolved};
use crate::error::{codes, Error, Result};
use crate::model::url::is_schema_uri;
use crate::state::AppState;

/// The spellings one schema URL may be stored in as a Box Schema: as given, plus, for a cell
/// of this Unit, its http form and both `personium-localunit:` forms (§1.3).
pub fn schema_forms(state: &AppState, schema: &str) -> Vec<String> {
    let mode = state.settings.unit.cell_url_mode;
    let local = |cell: &str, rest: &str| {
        vec![
            format!("{}{rest}", state.cell_url(cell)),
            format!("personium-localunit:/{cell}/{rest}"),
            format!("personium-localunit:{cell}:/{rest}"),
        ]
    };
    let mut forms = vec![schema.to_owned()];
    if let Some(tail) = schema.strip_prefix("personium-localunit:") {
        let split = match tail.strip_prefix('/') {
            Some(path) => path.split_once('/'),
            None => tail.split_once(":/"),
        };
        if let Some((cell, rest)) = split {
            forms.extend(local(cell, rest));
        }
    } else if let Some(cell) = state.unit_url.cell_name_of(schema, mode) {
        if let Some(rest) = schema.strip_prefix(&state.cell_url(&cell)) {
            forms.extend(local(&cell, rest));
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// The schema of the caller's token, if it has one.
fn token_schema(caller: &Resolved) -> Option<&str> {
    match caller {
        Resolved::Account { schema, .. } | Resolved::Visitor { schema, .. } => {
            schema.as_deref().filter(|s| !s.is_empty())
        }
        _ => None,
    }
}

/// The 401 of an unusable token.
fn invalid_token(code: &'static str, realm: &str) -> Error {
    Error::new(codes::by_id(code).unwrap_or(&codes::PR401_AU_0006))
        .header("WWW-Authenticate", format!("Bearer realm=\"{realm}\""))
}

/// `GET {C}__box[?schema=]`: the URL of the box whose Schema is `schema` (or, without the
/// query, the caller's token schema, `#c` stripped).
pub async fn box_url(state: &AppState, cell: &CellAccess, query: Option<&str>) -> Result<String> {
    let schema = match query {
        Some(s) if is_schema_uri(s) => Some(s.to_owned()),
        Some(s) => {
            return Err(Error::new(&codes::PR400_OD_0029).param("schema").param(s));
        }
        None => token_schema(&cell.caller).map(|s| s.strip_suffix("#c").unwrap_or(s).to_owned()),
    };
    let forms = schema.map(|s| schema_forms(state, &s)).unwrap_or_default();
    let (cell_id, wanted) = (cell.id.clone(), forms.clone());
    let found = state
        .db
        .read(move |conn| Ok::<_, Error>(box_lookup::find_by_schema(conn, &cell_id, &wanted)?))
        .await?;
    let Some(name) = found else {
        if let Resolved::Invalid(code) = cell.caller {
            return Err(invalid_token(code, &cell.url));
        }
        return Err(Error::new(&codes::PR403_AU_0002));
    };
    // A token issued to the box's own app may always learn its box URL (Personium's
    // `BoxUrlRsCmp`).
    let own_app = token_schema(&cell.caller)
        .map(|s| schema_forms(state, s.strip_suffix("#c").unwrap_or(s)))
        .is_some_and(|mine| mine.iter().any(|f| forms.contains(f)));
    if !own_app {
        // Personium's `BoxUrlRsCmp` checks `read` on the box: its ACL, then the cell's.
        let bx = crate::domain::dav::tree::resolve(state, cell, &name, "").await?;
        bx.require(cell, Privilege::Read, crate::domain::dav::On::Resource)?;
    }
    Ok(format!("{}{name}/", cell.url))
}

/// What `__role` was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RolePath<'a> {
    /// `__role`
    Root,
    /// `__role/{box}`
    Box(&'a str),
    /// `__role/{box}/{role}`
    Role(&'a str, &'a str),
}

/// `GET {C}__role[/{box}[/{role}]]` (priv `auth-read`): the plain-text body Personium answers.
pub async fn role_text(state: &AppState, cell: &CellAccess, path: RolePath<'_>) -> Result<String> {
    cell.require(Privilege::AuthRead)?;
    // COMPAT(personium): Personium's `RoleResource` answers placeholders, not role data: the
    // root lists `__` and the box names, each followed by `<br/>`; `{box}` echoes the box
    // name; `{box}/{role}` echoes box name + role name (`__` alone for the box-less level).
    // Nothing is looked up beyond the box list, so unknown names answer 200 too.
    Ok(match path {
        RolePath::Root => {
            let cell_id = cell.id.clone();
            let names = state
                .db
                .read(move |conn| Ok::<_, Error>(box_lookup::names(conn, &cell_id)?))
                .await?;
            std::iter::once("__".to_owned())
                .chain(names)
                .map(|n| format!("{n}<br/>"))
                .collect()
        }
        RolePath::Box(bx) => bx.to_owned(),
        RolePath::Role("__", _) => "__".to_owned(),
        RolePath::Role(bx, role) => format!("{bx}{role}"),
    })
}
