//! Links between user entities (`spec/personium-api.md` §8.2): `$links` (list, create,
//! delete), navigation-property lists and creates, with the occupancy rules of the
//! association's multiplicities (personium-core `EsODataProducer`: every conflict is
//! `PR409-OD-0002`, at most `odata.links.NtoN.maxnum` N:N links per entity `PR400-OD-0038`).

use serde_json::{Map, Value as Json};

use super::ops::{found, insert};
use super::{entity_url, key_id, load, TypeSchema};
use crate::auth::privilege::Privilege;
use crate::db::dialect::dialect_of;
use crate::db::odata_data::{self as repo, EntityRow};
use crate::db::odata_links as links;
use crate::db::DbConn;
use crate::domain::body;
use crate::domain::odata_schema::ops::write;
use crate::domain::odata_schema::Collection;
use crate::error::{codes, Error, Result};
use crate::odata::entity::Entity;
use crate::odata::query::QueryOptions;
use crate::odata::schema::Multiplicity;
use crate::odata::svc_schema::StoredEnd;
use crate::odata::uri::{self, Key, ResourcePath};
use crate::state::AppState;

/// Most N:N links of one entity over one association (`odata.links.NtoN.maxnum`, §2.6).
pub const MAX_N_TO_N: i64 = 150_000;

/// An association seen from one EntityType through its navigation property.
#[derive(Clone)]
pub struct Assoc {
    /// The end on this type, and its partner on the target type.
    pub mine: StoredEnd,
    pub theirs: StoredEnd,
    /// The target EntityType.
    pub target: String,
}

/// The association behind navigation property `nav` (`_{Target}`) of a type.
pub fn association(schema: &TypeSchema, nav: &str) -> Option<Assoc> {
    let target = &schema.def().nav_prop(nav)?.target_type;
    let ends = &schema.stored().ends;
    ends.iter().find_map(|mine| {
        let partner = ends.iter().find(|e| Some(&e.id) == mine.partner.as_ref())?;
        (mine.entity_type == schema.name && &partner.entity_type == target).then(|| Assoc {
            mine: mine.clone(),
            theirs: partner.clone(),
            target: target.clone(),
        })
    })
}

fn conflict() -> Error {
    Error::new(&codes::PR409_OD_0002)
}

/// Links `x` to `y` over `a` after the occupancy checks.
fn link(conn: &mut DbConn, a: &Assoc, x: i64, y: i64) -> Result<()> {
    let (mine, theirs) = (a.mine.id.as_str(), a.theirs.id.as_str());
    if links::exists(conn, mine, x, y)? {
        return Err(conflict());
    }
    let many = |m: Multiplicity| m == Multiplicity::Many;
    if !many(a.theirs.multiplicity) && links::count(conn, mine, x)? > 0 {
        return Err(conflict());
    }
    if !many(a.mine.multiplicity) && links::count(conn, theirs, y)? > 0 {
        return Err(conflict());
    }
    if many(a.mine.multiplicity)
        && many(a.theirs.multiplicity)
        && links::count(conn, mine, x)? >= MAX_N_TO_N
    {
        return Err(Error::new(&codes::PR400_OD_0038));
    }
    links::insert(conn, (mine, x), (theirs, y))?;
    Ok(())
}

/// `PR409-OD-0001` when deleting `row` would orphan the "many" side of a 1:N association.
pub fn check_deletable(conn: &mut DbConn, schema: &TypeSchema, row: &EntityRow) -> Result<()> {
    for nav in &schema.def().nav_props {
        let Some(a) = association(schema, &nav.name) else {
            continue;
        };
        let one_to_many = a.mine.multiplicity != Multiplicity::Many
            && a.theirs.multiplicity == Multiplicity::Many;
        if one_to_many && links::count(conn, &a.mine.id, row.seq)? > 0 {
            return Err(Error::new(&codes::PR409_OD_0001));
        }
    }
    Ok(())
}

/// What a link request works on: the source entity's type and row, and the association.
struct Source {
    row: EntityRow,
    assoc: Assoc,
}

/// A link or navigation request, owned so that it can go to the database thread: the
/// collection, and the EntityType, `__id` and navigation property of the source.
struct Via {
    node_id: String,
    type_name: String,
    id: String,
    nav: String,
}

fn via(col: &Collection<'_>, (type_name, id, nav): (&str, &str, &str)) -> Via {
    Via {
        node_id: col.node_id(),
        type_name: type_name.to_owned(),
        id: id.to_owned(),
        nav: nav.to_owned(),
    }
}

/// Loads the source entity and the association of `nav` (`missing_nav` when there is none).
fn source(
    conn: &mut DbConn,
    v: &Via,
    missing_nav: &'static crate::error::codes::Code,
) -> Result<Source> {
    let schema = load(conn, &v.node_id, &v.type_name)?;
    let assoc = association(&schema, &v.nav).ok_or_else(|| Error::new(missing_nav))?;
    let row = found(repo::get(conn, &schema.type_id, &v.id)?)?;
    Ok(Source { row, assoc })
}

/// The row of the target entity `{col}/{Target}('{id}')` named by a `$links` body.
fn target_of(
    conn: &mut DbConn,
    node_id: &str,
    col_url: &str,
    s: &Source,
    bytes: &[u8],
) -> Result<EntityRow> {
    let obj = body::parse_object(bytes)?;
    let url = body::required_str(&obj, "uri")?;
    let bad = || Error::new(&codes::PR400_OD_0008);
    let tail = url
        .strip_prefix(col_url)
        .and_then(|t| t.strip_prefix('/'))
        .ok_or_else(bad)?;
    let key = match uri::parse_resource_path(tail) {
        Ok(ResourcePath::Entity { set, key }) if set == s.assoc.target => key,
        _ => return Err(bad()),
    };
    let target = load(conn, node_id, &s.assoc.target)?;
    found(repo::get(conn, &target.type_id, &key_id(&key)?)?)
}

/// `GET {col}/{Type}('{id}')/$links/{_Nav}`: the target URLs.
pub async fn list_links(
    state: &AppState,
    col: Collection<'_>,
    (type_name, id, nav): (&str, &str, &str),
    (top, skip): (u32, u32),
) -> Result<Vec<String>> {
    col.require(Privilege::Read)?;
    let v = via(&col, (type_name, id, nav));
    let (target, ids) = state
        .db
        .read(move |conn| {
            let s = source(conn, &v, &codes::PR400_OD_0008)?;
            let page = (i64::from(top), i64::from(skip));
            let ids = links::target_ids(conn, &s.assoc.mine.id, s.row.seq, page)?;
            Ok::<_, Error>((s.assoc.target, ids))
        })
        .await?;
    Ok(ids.iter().map(|t| entity_url(&col, &target, t)).collect())
}

/// `POST {col}/{Type}('{id}')/$links/{_Nav}` with `{"uri": "{col}/{Target}('{id}')"}`.
pub async fn create_link(
    state: &AppState,
    col: Collection<'_>,
    (type_name, id, nav): (&str, &str, &str),
    bytes: &[u8],
) -> Result<()> {
    col.require(Privilege::Write)?;
    let (v, url) = (via(&col, (type_name, id, nav)), col.url());
    let bytes = bytes.to_vec();
    write(state, move |conn| {
        let s = source(conn, &v, &codes::PR400_OD_0008)?;
        let target = target_of(conn, &v.node_id, &url, &s, &bytes)?;
        link(conn, &s.assoc, s.row.seq, target.seq)
    })
    .await
}

/// `DELETE {col}/{Type}('{id}')/$links/{_Nav}('{target id}')`
pub async fn delete_link(
    state: &AppState,
    col: Collection<'_>,
    (type_name, id, nav): (&str, &str, &str),
    target: &Key,
) -> Result<()> {
    col.require(Privilege::Write)?;
    let v = via(&col, (type_name, id, nav));
    let target_id = key_id(target)?;
    write(state, move |conn| {
        let s = source(conn, &v, &codes::PR400_OD_0008)?;
        let t = load(conn, &v.node_id, &s.assoc.target)?;
        let y = found(repo::get(conn, &t.type_id, &target_id)?)?;
        let ends = (
            (s.assoc.mine.id.as_str(), s.row.seq),
            (s.assoc.theirs.id.as_str(), y.seq),
        );
        if !links::delete(conn, ends.0, ends.1)? {
            return Err(Error::new(&codes::PR404_OD_0002));
        }
        Ok(())
    })
    .await
}

/// `GET {col}/{Type}('{id}')/{_Nav}`: the linked entities under the query options.
pub async fn list_nav(
    state: &AppState,
    col: Collection<'_>,
    (type_name, id, nav): (&str, &str, &str),
    options: QueryOptions,
) -> Result<(Vec<Entity>, Option<i64>)> {
    col.require(Privilege::Read)?;
    let v = via(&col, (type_name, id, nav));
    let (target, page) = state
        .db
        .read(move |conn| {
            let s = source(conn, &v, &codes::PR404_OD_0003)?;
            let target = load(conn, &v.node_id, &s.assoc.target)?;
            let resolver = target.resolver(dialect_of(conn));
            let linked = Some((s.assoc.mine.id.as_str(), s.row.seq));
            let page = repo::list(conn, &target.type_id, linked, &options, &resolver)?;
            drop(resolver);
            Ok::<_, Error>((target, page))
        })
        .await?;
    let entities = page
        .rows
        .iter()
        .map(|row| target.entity(&col, row))
        .collect::<Result<Vec<_>>>()?;
    Ok((entities, page.count))
}

/// `POST {col}/{Type}('{id}')/{_Nav}`: creates a target entity linked to the source.
pub async fn create_nav(
    state: &AppState,
    col: Collection<'_>,
    (type_name, id, nav): (&str, &str, &str),
    bytes: &[u8],
) -> Result<Entity> {
    col.require(Privilege::Write)?;
    let obj: Map<String, Json> = body::parse_object(bytes)?;
    let v = via(&col, (type_name, id, nav));
    let (target, row) = write(state, move |conn| {
        let s = source(conn, &v, &codes::PR404_OD_0003)?;
        let target = load(conn, &v.node_id, &s.assoc.target)?;
        let (target, row) = insert(conn, &v.node_id, target, &obj)?;
        link(conn, &s.assoc, s.row.seq, row.seq)?;
        Ok((target, row))
    })
    .await?;
    target.entity(&col, &row)
}

/// Most entities expanded per navigation property of one entity: of a list, of a single
/// retrieve (`odata.expand.list.maxnum` / `.retrieve.maxnum`, §2.6).
pub const EXPAND_LIST_MAX: u32 = 100;
pub const EXPAND_RETRIEVE_MAX: u32 = 1000;

/// The linked rows of one `$expand` navigation property, per source row.
pub struct Expansion {
    pub nav: String,
    pub target: TypeSchema,
    /// The target end is `0..1` / `1`.
    pub single: bool,
    pub rows: Vec<Vec<EntityRow>>,
}

/// Reads the `$expand` navigation properties of `rows` (`PR400-OD-0025` for a name that is
/// not one), at most `limit` linked entities each.
pub fn expansions(
    conn: &mut DbConn,
    node_id: &str,
    schema: &TypeSchema,
    rows: &[EntityRow],
    (expand, limit): (&[String], u32),
) -> Result<Vec<Expansion>> {
    let mut out = Vec::with_capacity(expand.len());
    for nav in expand {
        let a = association(schema, nav).ok_or_else(|| {
            Error::from(crate::odata::error::QueryError::UnknownNavProp(nav.clone()))
        })?;
        let target = load(conn, node_id, &a.target)?;
        let mut options = crate::odata::query::parse_query(
            "",
            false,
            &crate::odata::query::QueryLimits::default(),
        )?;
        options.top = limit;
        let resolver = target.resolver(dialect_of(conn));
        let mut per_row = Vec::with_capacity(rows.len());
        for row in rows {
            let linked = Some((a.mine.id.as_str(), row.seq));
            per_row.push(repo::list(conn, &target.type_id, linked, &options, &resolver)?.rows);
        }
        drop(resolver);
        out.push(Expansion {
            nav: nav.clone(),
            target,
            single: a.theirs.multiplicity != Multiplicity::Many,
            rows: per_row,
        });
    }
    Ok(out)
}

/// Puts the expansions into the entities built from the same rows, in the same order.
pub fn apply(
    col: &Collection<'_>,
    entities: &mut [Entity],
    expansions: Vec<Expansion>,
) -> Result<()> {
    for x in expansions {
        for (e, rows) in entities.iter_mut().zip(&x.rows) {
            let linked = rows
                .iter()
                .map(|r| x.target.entity(col, r))
                .collect::<Result<Vec<_>>>()?;
            if let Some(slot) = e.nav.iter_mut().find(|n| n.name() == x.nav) {
                *slot = crate::odata::entity::NavLink::Expanded {
                    name: x.nav.clone(),
                    entities: linked,
                    single: x.single,
                };
            }
        }
    }
    Ok(())
}
