//! `POST {col}/$batch` (`spec/personium-api.md` §8.2): the operations of a `multipart/mixed`
//! body run in order, each with its own privilege check and transaction, and each answered in
//! the multipart response (202). COMPAT(personium): a changeset is not rolled back as a whole;
//! `GET` parts take no query options (lists answer the default page); `$links` other than
//! `POST` answer 501 per part.

use actix_web::HttpResponse;

use super::dav::Request;
use crate::domain::events;
use crate::domain::odata_data::{key_id, links, ops};
use crate::domain::odata_schema::Collection;
use crate::error::{codes, Error, Result};
use crate::http::extract::header;
use crate::odata::batch::{self, Answer, BatchError, Item, ItemAnswer, Operation};
use crate::odata::entity::Entity;
use crate::odata::json;
use crate::odata::query::{parse_query, QueryLimits};
use crate::odata::uri::{self, ResourcePath};

/// Most operations in one batch (`odata.batch.bulkRequestMaxSize`, §2.6).
pub const MAX_OPERATIONS: usize = 1000;

fn batch_error(e: BatchError) -> Error {
    match e {
        BatchError::Boundary | BatchError::Syntax(_) => Error::new(&codes::PR400_OD_0023),
        BatchError::Header(h) => Error::new(&codes::PR400_OD_0021).param(&h),
        BatchError::Method(m) => Error::new(&codes::PR400_OD_0035).param(&m),
        BatchError::Path(p) => Error::new(&codes::PR400_OD_0034).param(&p),
        BatchError::NestedChangeSet => Error::new(&codes::PR400_OD_0022),
        BatchError::TooMany(n) => Error::new(&codes::PR400_OD_0030).param(n.to_string()),
    }
}

/// `POST {col}/$batch`
pub async fn batch(r: &Request<'_>, col: Collection<'_>, body: &[u8]) -> Result<HttpResponse> {
    let boundary = header(r.req, "Content-Type")
        .and_then(batch::boundary_of)
        .ok_or_else(|| batch_error(BatchError::Boundary))?;
    let items = batch::parse(body, &boundary, MAX_OPERATIONS).map_err(batch_error)?;
    let mut answers = Vec::with_capacity(items.len());
    for item in items {
        answers.push(match item {
            Item::Query(op) => ItemAnswer::Query(run(r, col, &op).await),
            Item::ChangeSet(list) => {
                let mut out = Vec::with_capacity(list.len());
                for op in &list {
                    out.push(run(r, col, op).await);
                }
                ItemAnswer::ChangeSet(out)
            }
        });
    }
    let name = |kind: &str| format!("{kind}_{}", uuid::Uuid::new_v4());
    let outer = name("batch");
    let text = batch::render(&answers, &outer, || name("changeset"));
    Ok(HttpResponse::Accepted()
        .insert_header(("DataServiceVersion", "2.0"))
        .content_type(format!("multipart/mixed; boundary={outer}"))
        .body(text))
}

fn json_headers(mut extra: Vec<(String, String)>) -> Vec<(String, String)> {
    extra.push(("Content-Type".into(), "application/json".into()));
    extra.push(("DataServiceVersion".into(), "2.0".into()));
    extra
}

fn entity_answer(status: u16, e: &Entity) -> Answer {
    let mut headers = vec![("ETag".to_owned(), e.etag.clone())];
    if status == 201 {
        headers.push(("Location".into(), e.uri.clone()));
    }
    Answer {
        status,
        headers: json_headers(headers),
        body: json::entity(e),
    }
}

fn no_content(etag: Option<String>) -> Answer {
    Answer {
        status: 204,
        headers: etag.map(|t| vec![("ETag".into(), t)]).unwrap_or_default(),
        body: String::new(),
    }
}

fn feed(entities: &[Entity]) -> Answer {
    Answer {
        status: 200,
        headers: json_headers(Vec::new()),
        body: json::feed(entities, None, None),
    }
}

/// One operation's answer; a failure is the part's answer, not the batch's.
async fn run(r: &Request<'_>, col: Collection<'_>, op: &Operation) -> Answer {
    let answer = match execute(r, col, op).await {
        Ok(a) => a,
        Err(e) => Answer {
            status: e.status().as_u16(),
            headers: json_headers(Vec::new()),
            body: e.body(),
        },
    };
    let root = format!("{}/", col.url());
    let tail = op.target.strip_prefix(&root).unwrap_or(&op.target);
    events::record_odata(r.state, r.cell, r.path, tail, &op.method, answer.status);
    answer
}

async fn execute(r: &Request<'_>, col: Collection<'_>, op: &Operation) -> Result<Answer> {
    let root = format!("{}/", col.url());
    let target = op.target.strip_prefix(&root).unwrap_or(&op.target);
    let path = target.split('?').next().unwrap_or_default();
    let path = uri::parse_resource_path(path).map_err(crate::http::unit::uri_error)?;
    let (state, body) = (r.state, op.body.as_bytes());
    let if_match = op.header("If-Match");
    let defaults = || parse_query("", false, &QueryLimits::default()).map_err(Error::from);
    Ok(match (path, op.method.as_str()) {
        (ResourcePath::EntitySet { set }, "GET") => {
            feed(&ops::list(state, col, &set, defaults()?).await?.0)
        }
        (ResourcePath::EntitySet { set }, "POST") => {
            entity_answer(201, &ops::create(state, col, &set, body).await?)
        }
        (ResourcePath::Entity { set, key }, m) => {
            let id = key_id(&key)?;
            match m {
                "GET" => entity_answer(200, &ops::get(state, col, &set, &id, Vec::new()).await?),
                "PUT" | "MERGE" => {
                    let merge = m == "MERGE";
                    let etag = ops::update(state, col, &set, &id, body, if_match, merge).await?;
                    no_content(Some(etag))
                }
                "DELETE" => {
                    ops::delete(state, col, &set, &id, if_match).await?;
                    no_content(None)
                }
                _ => return Err(Error::new(&codes::PR400_OD_0035).param(m)),
            }
        }
        (ResourcePath::NavProp { set, key, nav }, m) => {
            let id = key_id(&key)?;
            let at = (set.as_str(), id.as_str(), nav.as_str());
            match m {
                "GET" => feed(&links::list_nav(state, col, at, defaults()?).await?.0),
                "POST" => entity_answer(201, &links::create_nav(state, col, at, body).await?),
                _ => return Err(Error::new(&codes::PR400_OD_0035).param(m)),
            }
        }
        (
            ResourcePath::Links {
                set,
                key,
                nav,
                target: None,
            },
            "POST",
        ) => {
            let id = key_id(&key)?;
            links::create_link(state, col, (&set, &id, &nav), body).await?;
            no_content(None)
        }
        (ResourcePath::Links { .. }, _) => return Err(Error::new(&codes::PR501_MC_0001)),
        (_, m) => return Err(Error::new(&codes::PR400_OD_0034).param(format!("{m} {target}"))),
    })
}
