//! The events hook (`spec/personium-api.md` §9.3): every state-changing box request reports one
//! [`Event`] here, shaped as Personium's (`type` such as `davfile.create`, `object` in
//! `personium-localcell:` form, `info` = the response status). For now events are only logged;
//! the events work will persist them and feed rules from this one function.

use crate::domain::access::{CellAccess, Resolved};
use crate::domain::dav::{DavPath, NodeKind, Target};
use crate::state::AppState;

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// `{category}.{operation}`, e.g. `davfile.update`, `webdavcol.mkcol`, `box.acl`.
    pub kind: String,
    /// The resource, `personium-localcell:/{box}/{path}`.
    pub object: String,
    /// Who asked (an account name, a subject URL); `None` for anonymous callers.
    pub subject: Option<&'a str>,
    /// The HTTP status answered.
    pub result: u16,
}

/// Records `event` (for now: one log line; never tokens or bodies).
pub fn record(_state: &AppState, event: &Event<'_>) {
    tracing::info!(
        event = %event.kind,
        object = %event.object,
        subject = event.subject.unwrap_or("-"),
        result = event.result,
        "event"
    );
}

/// Records the event of a box-level request, when its method changes state.
pub fn record_box_request(
    state: &AppState,
    cell: &CellAccess,
    path: &DavPath,
    method: &str,
    status: u16,
) {
    let target = path.target();
    if let Target::Below(NodeKind::OData) = target {
        // User data and schema: `$batch` reports each of its operations instead.
        if path.segments.last().is_some_and(|s| s == "$batch") {
            return;
        }
        return record_odata(state, cell, path, "", method, status);
    }
    let Some(op) = operation(method, status == 201) else {
        return;
    };
    let kind = match (method, target) {
        ("PUT", _) => NodeKind::File,
        ("MKCOL", Target::Missing { .. }) => NodeKind::Col,
        (_, Target::Box) => NodeKind::Box,
        _ => path.deepest().kind,
    };
    let mut object = format!("personium-localcell:/{}", path.bx.name);
    for s in &path.segments {
        object.push('/');
        object.push_str(s);
    }
    record(
        state,
        &Event {
            kind: format!("{}.{op}", category(kind)),
            object,
            subject: subject(&cell.caller),
            result: status,
        },
    );
}

/// Records the event of a change below an OData service collection (user data, its
/// `$links`, the schema under `$metadata`): type `odata.{operation}`, object the collection's
/// path followed by `tail` (a `$batch` operation's target) or by the request's own segments.
pub fn record_odata(
    state: &AppState,
    cell: &CellAccess,
    path: &DavPath,
    tail: &str,
    method: &str,
    status: u16,
) {
    let op = match method {
        "POST" => "create",
        "PUT" => "update",
        "MERGE" => "merge",
        "DELETE" => "delete",
        _ => return,
    };
    let mut object = format!("personium-localcell:/{}", path.bx.name);
    let depth = if tail.is_empty() {
        path.segments.len()
    } else {
        path.nodes.len() - 1
    };
    for s in path.segments.iter().take(depth) {
        object.push('/');
        object.push_str(s);
    }
    if !tail.is_empty() {
        object.push('/');
        object.push_str(tail);
    }
    record(
        state,
        &Event {
            kind: format!("odata.{op}"),
            object,
            subject: subject(&cell.caller),
            result: status,
        },
    );
}

/// Who is asking, as events name them.
fn subject(caller: &Resolved) -> Option<&str> {
    match caller {
        Resolved::Account { account, .. }
        | Resolved::BasicAccount { account, .. }
        | Resolved::PasswordChange { account } => Some(account.as_str()),
        Resolved::Visitor { subject, .. } => Some(subject.as_str()),
        Resolved::UnitMaster => Some("unit-master"),
        Resolved::UnitUser { .. } | Resolved::UnitLocal { .. } => Some("unit-user"),
        Resolved::Anonymous | Resolved::Invalid(_) | Resolved::Basic => None,
    }
}

/// The event category of a box-level resource kind (`PersoniumEventType.Category`).
pub fn category(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Box => "box",
        NodeKind::Col => "webdavcol",
        NodeKind::File => "davfile",
        NodeKind::OData => "odatacol",
        NodeKind::Service => "servicecol",
        NodeKind::Stream => "streamcol",
    }
}

/// The operation of a state-changing WebDAV method (`PersoniumEventType.Operation`);
/// `None` for methods that change nothing. `created` tells a PUT that made a file.
pub fn operation(method: &str, created: bool) -> Option<&'static str> {
    Some(match method {
        "PUT" if created => "create",
        "PUT" => "update",
        "DELETE" => "delete",
        "MKCOL" => "mkcol",
        "ACL" => "acl",
        "PROPPATCH" => "proppatch",
        "MOVE" => "move",
        "COPY" => "copy",
        "POST" => "create",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            ("PUT", true, Some("create")),
            ("PUT", false, Some("update")),
            ("DELETE", false, Some("delete")),
            ("MKCOL", true, Some("mkcol")),
            ("ACL", false, Some("acl")),
            ("PROPPATCH", false, Some("proppatch")),
            ("MOVE", false, Some("move")),
            ("GET", false, None),
            ("PROPFIND", false, None),
            ("OPTIONS", false, None),
        ];
        for (method, created, want) in cases {
            assert_eq!(operation(method, *created), *want, "{method}");
        }
    }
}
