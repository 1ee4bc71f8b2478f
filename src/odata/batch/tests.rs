use super::*;

const BODY: &str = "--b1\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
\r\n\
GET Item('x') HTTP/1.1\r\n\
Host: h\r\n\
\r\n\
\r\n\
--b1\r\n\
Content-Type: multipart/mixed; boundary=c1\r\n\
\r\n\
--c1\r\n\
Content-Type: application/http\r\n\
\r\n\
POST Item HTTP/1.1\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"__id\":\"a\"}\r\n\
--c1\r\n\
Content-Type: application/http\r\n\
\r\n\
DELETE Item('b') HTTP/1.1\r\n\
\r\n\
--c1--\r\n\
--b1--\r\n";

#[test]
fn query_and_changeset() {
    for body in [BODY.to_owned(), BODY.replace("\r\n", "\n")] {
        let items = parse(body.as_bytes(), "b1", 1000).unwrap();
        assert_eq!(items.len(), 2);
        let Item::Query(q) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(
            (q.method.as_str(), q.target.as_str(), q.body.as_str()),
            ("GET", "Item('x')", "")
        );
        assert_eq!(q.header("host"), Some("h"));
        let Item::ChangeSet(ops) = &items[1] else {
            panic!("{items:?}")
        };
        assert_eq!(ops.len(), 2);
        assert_eq!(
            (ops[0].method.as_str(), ops[0].body.as_str()),
            ("POST", "{\"__id\":\"a\"}")
        );
        assert_eq!(ops[0].header("Content-Type"), Some("application/json"));
        assert_eq!(
            (ops[1].method.as_str(), ops[1].target.as_str()),
            ("DELETE", "Item('b')")
        );
    }
}

#[test]
fn refusals() {
    let nested = BODY.replace(
        "--c1\r\nContent-Type: application/http\r\n\r\nDELETE",
        "--c1\r\nContent-Type: multipart/mixed; boundary=c2\r\n\r\nDELETE",
    );
    let cases: Vec<(String, &str, usize, BatchError)> = vec![
        (BODY.to_owned(), "b1", 2, BatchError::TooMany(3)),
        (nested, "b1", 1000, BatchError::NestedChangeSet),
        (
            BODY.replace("--b1--", "--b9--"),
            "b1",
            1000,
            BatchError::Syntax("no closing --b1--".into()),
        ),
        (
            BODY.replace("GET Item('x') HTTP/1.1", "FETCH Item('x') HTTP/1.1"),
            "b1",
            1000,
            BatchError::Method("FETCH".into()),
        ),
        (
            BODY.replace("GET Item('x') HTTP/1.1", "GET Item('x')"),
            "b1",
            1000,
            BatchError::Path("GET Item('x')".into()),
        ),
        (
            BODY.replace("Host: h", "no colon"),
            "b1",
            1000,
            BatchError::Header("no colon".into()),
        ),
    ];
    for (body, boundary, max, want) in cases {
        assert_eq!(
            parse(body.as_bytes(), boundary, max),
            Err(want.clone()),
            "{want:?}"
        );
    }
    assert!(parse(b"\xff\xfe", "b1", 10).is_err());
    assert!(parse(b"", "b1", 10).is_err());
}

#[test]
fn boundaries() {
    let cases = [
        ("multipart/mixed; boundary=batch_1", Some("batch_1")),
        ("multipart/mixed;boundary=\"q\"", Some("q")),
        ("Multipart/Mixed; charset=x; Boundary=z", Some("z")),
        ("multipart/mixed", None),
        ("application/json; boundary=x", None),
        ("multipart/mixed; boundary=", None),
    ];
    for (ct, want) in cases {
        assert_eq!(boundary_of(ct).as_deref(), want, "{ct}");
    }
}

#[test]
fn render_round_trip() {
    let created = Answer {
        status: 201,
        headers: vec![("Location".into(), "http://u/c/b/od/Item('a')".into())],
        body: "{\"d\":{}}".into(),
    };
    let gone = Answer {
        status: 204,
        headers: vec![],
        body: String::new(),
    };
    let out = render(
        &[
            ItemAnswer::Query(gone.clone()),
            ItemAnswer::ChangeSet(vec![created, gone]),
        ],
        "batch_1",
        || "changeset_1".to_owned(),
    );
    assert!(
        out.starts_with("--batch_1\r\nContent-Type: application/http\r\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "HTTP/1.1 201 Created\r\nLocation: http://u/c/b/od/Item('a')\r\n\r\n{\"d\":{}}\r\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "Content-Type: multipart/mixed; boundary=changeset_1\r\n\r\n--changeset_1\r\n"
        ),
        "{out}"
    );
    assert!(out.ends_with("--changeset_1--\r\n--batch_1--\r\n"), "{out}");
    // What we render parses as a batch again (status lines in place of request lines aside).
    let as_request = out
        .replace("HTTP/1.1 201 Created", "POST Item HTTP/1.1")
        .replace("HTTP/1.1 204 No Content", "DELETE Item('a') HTTP/1.1");
    let items = parse(as_request.as_bytes(), "batch_1", 10).unwrap();
    assert_eq!(items.len(), 2);
}
