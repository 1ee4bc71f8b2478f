//! `$batch` bodies (`spec/personium-api.md` §8.2; OData v2 batch): a `multipart/mixed` request
//! of query operations (`GET`) and changesets (nested `multipart/mixed` of `POST`, `PUT`,
//! `MERGE`, `DELETE`), parsed into operations, and the `multipart/mixed` response of their
//! answers. Protocol only. Line ends may be CRLF or LF; output uses CRLF.

#[cfg(test)]
mod tests;

/// One operation of a batch: a request line, its headers and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub method: String,
    /// The target as written: relative to the service root, or an absolute URL.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Operation {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// One part of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Query(Operation),
    ChangeSet(Vec<Operation>),
}

/// Why a batch body was refused; each maps to a Personium code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    /// No usable `boundary` (`PR400-OD-0023`).
    Boundary,
    /// The body does not parse as multipart (`PR400-OD-0023`).
    Syntax(String),
    /// A part's headers are malformed (`PR400-OD-0021`).
    Header(String),
    /// A request line names no known method (`PR400-OD-0035`).
    Method(String),
    /// A request line is malformed (`PR400-OD-0034`).
    Path(String),
    /// A changeset inside a changeset (`PR400-OD-0022`).
    NestedChangeSet,
    /// More operations than allowed (`PR400-OD-0030`).
    TooMany(usize),
}

/// One answer of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The answers of one part, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemAnswer {
    Query(Answer),
    ChangeSet(Vec<Answer>),
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The `boundary` parameter of a `multipart/mixed` content type.
pub fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty() && v.len() <= 70)
            .then(|| v.to_owned())
    })
}

/// The parts between `--{boundary}` lines, up to `--{boundary}--` (LF line ends).
fn split_parts<'a>(text: &'a str, boundary: &str) -> Result<Vec<&'a str>, BatchError> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']).trim_end();
        if let Some(rest) = bare.strip_prefix(&delimiter) {
            if rest.is_empty() || rest == "--" {
                if let Some(start) = current {
                    // The line end before a delimiter belongs to the delimiter.
                    let end = if offset > start { offset - 1 } else { start };
                    parts.push(&text[start..end.max(start)]);
                }
                if rest == "--" {
                    return Ok(parts);
                }
                current = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    Err(BatchError::Syntax(format!("no closing --{boundary}--")))
}

/// Header lines as (name, value).
type Headers = Vec<(String, String)>;

/// Headers up to the first empty line, and what follows.
fn split_head(part: &str) -> Result<(Headers, &str), BatchError> {
    let mut headers = Vec::new();
    let mut offset = 0;
    for line in part.split_inclusive('\n') {
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            return Ok((headers, &part[offset..]));
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| BatchError::Header(line.chars().take(100).collect()))?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    Ok((headers, ""))
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "MERGE", "DELETE"];

/// An `application/http` part: request line, headers, body.
fn operation(content: &str) -> Result<Operation, BatchError> {
    let content = content.trim_start_matches(['\r', '\n']);
    let (line, rest) = content.split_once('\n').unwrap_or((content, ""));
    let mut words = line.trim_end_matches('\r').split(' ');
    let (method, target, version) = (words.next(), words.next(), words.next());
    let method = method.unwrap_or_default();
    if !METHODS.contains(&method) {
        return Err(BatchError::Method(method.chars().take(20).collect()));
    }
    let (Some(target), Some("HTTP/1.1"), None) = (target, version, words.next()) else {
        return Err(BatchError::Path(line.chars().take(200).collect()));
    };
    let (headers, body) = split_head(rest)?;
    Ok(Operation {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: body.trim_end_matches(['\r', '\n']).to_owned(),
    })
}

/// Parses a batch body of at most `max_operations` operations (changeset members counted).
pub fn parse(body: &[u8], boundary: &str, max_operations: usize) -> Result<Vec<Item>, BatchError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| BatchError::Syntax("not UTF-8".to_owned()))?
        .replace("\r\n", "\n");
    let mut items = Vec::new();
    let mut count = 0;
    let mut counted = |n: usize| {
        count += n;
        if count > max_operations {
            Err(BatchError::TooMany(count))
        } else {
            Ok(())
        }
    };
    for part in split_parts(&text, boundary)? {
        let (headers, content) = split_head(part)?;
        let content_type = header(&headers, "Content-Type").unwrap_or_default();
        if let Some(inner) = boundary_of(content_type) {
            let mut ops = Vec::new();
            for member in split_parts(content, &inner)? {
                let (member_headers, member_content) = split_head(member)?;
                let ct = header(&member_headers, "Content-Type").unwrap_or_default();
                if ct.to_ascii_lowercase().starts_with("multipart/mixed") {
                    return Err(BatchError::NestedChangeSet);
                }
                counted(1)?;
                ops.push(operation(member_content)?);
            }
            items.push(Item::ChangeSet(ops));
        } else {
            counted(1)?;
            items.push(Item::Query(operation(content)?));
        }
    }
    Ok(items)
}

/// The reason phrase of the statuses an operation answers with.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        501 => "Not Implemented",
        _ => "Internal Server Error",
    }
}

fn push_answer(out: &mut String, a: &Answer) {
    out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
    out.push_str(&format!("HTTP/1.1 {} {}\r\n", a.status, reason(a.status)));
    for (k, v) in &a.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&a.body);
    out.push_str("\r\n");
}

/// The response body; `new_boundary` names each changeset's boundary.
pub fn render(
    answers: &[ItemAnswer],
    boundary: &str,
    mut new_boundary: impl FnMut() -> String,
) -> String {
    let mut out = String::new();
    for item in answers {
        out.push_str(&format!("--{boundary}\r\n"));
        match item {
            ItemAnswer::Query(a) => push_answer(&mut out, a),
            ItemAnswer::ChangeSet(list) => {
                let inner = new_boundary();
                out.push_str(&format!(
                    "Content-Type: multipart/mixed; boundary={inner}\r\n\r\n"
                ));
                for a in list {
                    out.push_str(&format!("--{inner}\r\n"));
                    push_answer(&mut out, a);
                }
                out.push_str(&format!("--{inner}--\r\n"));
            }
        }
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}
