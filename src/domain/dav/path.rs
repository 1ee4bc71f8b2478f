//! What a box-level path names, and which privilege each method needs there
//! (`spec/personium-api.md` §6, §3.2): pure functions, so the box-level route table in
//! `http::boxes::dispatch` stays a plain `match`.

use crate::auth::privilege::Privilege;

/// Deepest collection level below a box (`dav.depth.maxnum`, §2.6).
pub const MAX_DEPTH: usize = 50;
/// Most children one collection may hold (`dav.childresource.maxnum`, §2.6).
pub const MAX_CHILDREN: i64 = 1024;
/// The source folder of an Engine service collection, created with it.
pub const SERVICE_SRC: &str = "__src";

/// The kind of a node of the box tree (`dav_nodes.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// The box itself (the root of its tree).
    Box,
    /// A plain WebDAV collection.
    Col,
    File,
    /// An OData service collection (`p:odata`).
    OData,
    /// An Engine service collection (`p:service`).
    Service,
    /// A stream collection (`p:stream`).
    Stream,
}

impl NodeKind {
    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            NodeKind::Box => "box",
            NodeKind::Col => "col",
            NodeKind::File => "file",
            NodeKind::OData => "odata",
            NodeKind::Service => "service",
            NodeKind::Stream => "stream",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<NodeKind> {
        [
            NodeKind::Box,
            NodeKind::Col,
            NodeKind::File,
            NodeKind::OData,
            NodeKind::Service,
            NodeKind::Stream,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// True for the box and plain collections: the kinds whose children are WebDAV nodes
    /// walked by name.
    pub const fn is_dav_container(self) -> bool {
        matches!(self, NodeKind::Box | NodeKind::Col)
    }
}

/// What a box-level path names, after walking the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The box itself.
    Box,
    /// An existing node below the box.
    Node(NodeKind),
    /// A path below a file or a service-type collection (OData, Engine, stream): resolved by
    /// that collection's own handler, not by the WebDAV tree.
    Below(NodeKind),
    /// Nothing there; `parent_exists` when its parent is a WebDAV collection (or the box).
    Missing { parent_exists: bool },
}

/// Splits the part of the URL after the box name into segments (empty ones, e.g. from a
/// trailing slash, are dropped).
pub fn segments(tail: &str) -> Vec<&str> {
    tail.split('/').filter(|s| !s.is_empty()).collect()
}

/// The target of a path whose deepest existing node is of kind `deepest`, with `unresolved`
/// segments left after it (the walk stops at the first missing name and at any node that is
/// not a WebDAV container).
pub fn target(deepest: NodeKind, unresolved: usize) -> Target {
    match (deepest, unresolved) {
        (NodeKind::Box, 0) => Target::Box,
        (kind, 0) => Target::Node(kind),
        (kind, _) if !kind.is_dav_container() => Target::Below(kind),
        (_, 1) => Target::Missing {
            parent_exists: true,
        },
        _ => Target::Missing {
            parent_exists: false,
        },
    }
}

/// Where a privilege is checked: on the resource itself, or on its parent collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    Resource,
    Parent,
}

/// The box privilege a WebDAV method needs (§3.2), and where: `exists` tells PUT on an
/// existing file (`write-content`) from PUT of a new one (`bind` on the parent). `None` for
/// methods the WebDAV tree does not serve.
pub fn required(method: &str, exists: bool) -> Option<(Privilege, On)> {
    Some(match method {
        "GET" | "HEAD" | "OPTIONS" | "REPORT" | "COPY" => (Privilege::Read, On::Resource),
        "PROPFIND" => (Privilege::ReadProperties, On::Resource),
        "PROPPATCH" => (Privilege::WriteProperties, On::Resource),
        "ACL" => (Privilege::WriteAcl, On::Resource),
        "POST" => (Privilege::Write, On::Resource),
        "PUT" if exists => (Privilege::WriteContent, On::Resource),
        "PUT" | "MKCOL" => (Privilege::Bind, On::Parent),
        "DELETE" | "MOVE" => (Privilege::Unbind, On::Parent),
        _ => return None,
    })
}

/// Personium's `DavCommon.isValidResourceName`: 1-255 characters, none of `\ / : * ? " < > |`
/// and no control characters.
pub fn is_valid_name(name: &str) -> bool {
    let len = name.chars().count();
    (1..=255).contains(&len)
        && !name
            .chars()
            .any(|c| "\\/:*?\"<>|".contains(c) || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_to_targets() {
        use NodeKind::*;
        // (tail, segments, deepest existing kind, how many of the segments were found)
        let cases: &[(&str, &[&str], NodeKind, usize, Target)] = &[
            ("", &[], Box, 0, Target::Box),
            ("/", &[], Box, 0, Target::Box),
            ("col", &["col"], Col, 1, Target::Node(Col)),
            ("col/", &["col"], Col, 1, Target::Node(Col)),
            ("a//b/", &["a", "b"], Col, 2, Target::Node(Col)),
            (
                "new",
                &["new"],
                Box,
                0,
                Target::Missing {
                    parent_exists: true,
                },
            ),
            (
                "col/new",
                &["col", "new"],
                Col,
                1,
                Target::Missing {
                    parent_exists: true,
                },
            ),
            (
                "x/y",
                &["x", "y"],
                Box,
                0,
                Target::Missing {
                    parent_exists: false,
                },
            ),
            (
                "col/x/y/z",
                &["col", "x", "y", "z"],
                Col,
                1,
                Target::Missing {
                    parent_exists: false,
                },
            ),
            ("f.txt", &["f.txt"], File, 1, Target::Node(File)),
            ("f.txt/x", &["f.txt", "x"], File, 1, Target::Below(File)),
            ("od", &["od"], OData, 1, Target::Node(OData)),
            (
                "od/Set('k')",
                &["od", "Set('k')"],
                OData,
                1,
                Target::Below(OData),
            ),
            (
                "od/$metadata/x",
                &["od", "$metadata", "x"],
                OData,
                1,
                Target::Below(OData),
            ),
            (
                "svc/__src/a.js",
                &["svc", "__src", "a.js"],
                Service,
                1,
                Target::Below(Service),
            ),
            (
                "st/queue/q",
                &["st", "queue", "q"],
                Stream,
                1,
                Target::Below(Stream),
            ),
        ];
        for (tail, segs, deepest, found, want) in cases {
            assert_eq!(segments(tail), *segs, "{tail}");
            assert_eq!(target(*deepest, segs.len() - found), *want, "{tail}");
        }
    }

    type Want = Option<(Privilege, On)>;

    #[test]
    fn privilege_per_method() {
        use Privilege::*;
        let cases: &[(&str, bool, Want)] = &[
            ("GET", true, Some((Read, On::Resource))),
            ("GET", false, Some((Read, On::Resource))),
            ("HEAD", true, Some((Read, On::Resource))),
            ("OPTIONS", true, Some((Read, On::Resource))),
            ("REPORT", false, Some((Read, On::Resource))),
            ("PROPFIND", true, Some((ReadProperties, On::Resource))),
            ("PROPPATCH", true, Some((WriteProperties, On::Resource))),
            ("ACL", true, Some((WriteAcl, On::Resource))),
            ("POST", false, Some((Write, On::Resource))),
            ("PUT", true, Some((WriteContent, On::Resource))),
            ("PUT", false, Some((Bind, On::Parent))),
            ("MKCOL", false, Some((Bind, On::Parent))),
            ("MKCOL", true, Some((Bind, On::Parent))),
            ("DELETE", true, Some((Unbind, On::Parent))),
            ("MOVE", true, Some((Unbind, On::Parent))),
            ("COPY", true, Some((Read, On::Resource))),
            ("MERGE", true, None),
            ("LOCK", true, None),
        ];
        for (method, exists, want) in cases {
            assert_eq!(required(method, *exists), *want, "{method} {exists}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in ["box", "col", "file", "odata", "service", "stream"] {
            assert_eq!(NodeKind::parse(k).map(NodeKind::as_str), Some(k));
        }
        assert_eq!(NodeKind::parse("dir"), None);
    }

    #[test]
    fn resource_names() {
        let long = "a".repeat(255);
        let too_long = "a".repeat(256);
        let cases: &[(&str, bool)] = &[
            ("col", true),
            ("日本語", true),
            ("a b", true),
            ("$metadata", true),
            (&long, true),
            ("", false),
            (&too_long, false),
            ("a:b", false),
            ("a*b", false),
            ("a?b", false),
            ("a\"b", false),
            ("a<b", false),
            ("a>b", false),
            ("a|b", false),
            ("a\\b", false),
            ("a\u{7}b", false),
        ];
        for (name, ok) in cases {
            assert_eq!(is_valid_name(name), *ok, "{name:?}");
        }
    }
}
