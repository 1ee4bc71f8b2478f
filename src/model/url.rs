//! URLs of the Unit and its cells (`spec/personium-api.md` §1.1, §1.3, §2.7 cell-url and
//! schema-uri formats).

use crate::config::CellUrlMode;

/// The Unit's public URL, e.g. `https://unit.example/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitUrl {
    url: url::Url,
}

impl UnitUrl {
    /// Parses and checks a unit URL: http(s), a host, root path.
    pub fn parse(s: &str) -> anyhow::Result<UnitUrl> {
        let url = url::Url::parse(s)?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https"),
            "unit url must be http or https: {s}"
        );
        anyhow::ensure!(url.host_str().is_some(), "unit url needs a host: {s}");
        anyhow::ensure!(
            url.path() == "/",
            "unit url must end at the root path '/': {s}"
        );
        Ok(UnitUrl { url })
    }

    /// `scheme://host[:port]/`
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or("")
    }

    /// `host[:port]` as it appears in a Host header.
    pub fn authority(&self) -> String {
        match self.url.port() {
            Some(p) => format!("{}:{p}", self.host()),
            None => self.host().to_owned(),
        }
    }

    /// The URL of a cell in the given mode (always ends with `/`).
    pub fn cell_url(&self, cell: &str, mode: CellUrlMode) -> String {
        match mode {
            CellUrlMode::Path => format!("{}{cell}/", self.url),
            CellUrlMode::Fqdn => {
                let port = self.url.port().map(|p| format!(":{p}")).unwrap_or_default();
                format!("{}://{cell}.{}{port}/", self.url.scheme(), self.host())
            }
        }
    }
}

impl UnitUrl {
    /// The name of the cell of this Unit that `url` (a cell URL, with or without path below
    /// it) belongs to, in the given mode.
    pub fn cell_name_of(&self, url: &str, mode: CellUrlMode) -> Option<String> {
        let name = match mode {
            CellUrlMode::Path => url
                .strip_prefix(self.as_str())?
                .split('/')
                .next()?
                .to_owned(),
            CellUrlMode::Fqdn => {
                let parsed = url::Url::parse(url).ok()?;
                let host = parsed.host_str()?;
                let name = host.strip_suffix(&format!(".{}", self.host()))?;
                (parsed.scheme() == self.url.scheme() && parsed.port() == self.url.port())
                    .then(|| name.to_owned())?
            }
        };
        crate::model::NameKind::Cell.is_valid(&name).then_some(name)
    }
}

/// The spellings a URL of a cell on this Unit may be stored in (ExtCell.Url, owners): the http
/// form and both `personium-localunit:` forms.
pub fn local_cell_url_forms(http_url: &str, cell: &str) -> Vec<String> {
    vec![
        http_url.to_owned(),
        format!("personium-localunit:/{cell}/"),
        format!("personium-localunit:{cell}:/"),
    ]
}

/// A stored URL in http form (§1.3): `personium-localunit:/{cell}/{path}` (path-mode units:
/// relative to the unit URL; FQDN units: the first segment names the cell),
/// `personium-localunit:{cell}:/{path}` and `personium-localcell:/{path}` (relative to
/// `cell_url`) are resolved; anything else is returned as given.
pub fn resolve_local(unit: &UnitUrl, mode: CellUrlMode, cell_url: &str, s: &str) -> String {
    if let Some(path) = s.strip_prefix("personium-localcell:/") {
        return format!("{cell_url}{path}");
    }
    let Some(rest) = s.strip_prefix("personium-localunit:") else {
        return s.to_owned();
    };
    match rest.strip_prefix('/') {
        Some(path) if mode == CellUrlMode::Path => format!("{}{path}", unit.as_str()),
        Some(path) => match path.split_once('/') {
            Some((cell, tail)) => format!("{}{tail}", unit.cell_url(cell, mode)),
            None => unit.cell_url(path, mode),
        },
        None => match rest.split_once(":/") {
            Some((cell, tail)) => format!("{}{tail}", unit.cell_url(cell, mode)),
            None => s.to_owned(),
        },
    }
}

/// True when `s` is in Personium's normalised cell-url form: http, https or
/// `personium-localunit:` scheme, no query or fragment, no dot segments or empty segments,
/// a trailing `/`, at most 1024 characters.
pub fn is_cell_url(s: &str) -> bool {
    if s.len() > 1024 || !s.ends_with('/') {
        return false;
    }
    if let Some(rest) = s.strip_prefix("personium-localunit:") {
        let path = rest.split_once(":/").map_or(rest, |(_, p)| p);
        return path_is_normal(path);
    }
    let Ok(url) = url::Url::parse(s) else {
        return false;
    };
    matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
        // The parser normalises; a normalised URL prints back unchanged.
        && url.as_str() == s
        && path_is_normal(url.path())
}

/// True when `s` is a schema URI: a cell URL or a URN (`urn:nid:nss`).
pub fn is_schema_uri(s: &str) -> bool {
    if let Some(rest) = s.strip_prefix("urn:") {
        let mut parts = rest.splitn(2, ':');
        let nid = parts.next().unwrap_or("");
        let nss = parts.next().unwrap_or("");
        return s.len() <= 1024
            && !nid.is_empty()
            && nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !nss.is_empty()
            && !nss.chars().any(|c| c.is_whitespace() || c.is_control());
    }
    is_cell_url(s)
}

/// A path with no empty, `.` or `..` segments (one leading and one trailing `/` allowed).
fn path_is_normal(path: &str) -> bool {
    let inner = path.strip_prefix('/').unwrap_or(path);
    if inner.is_empty() {
        return true;
    }
    let body = inner.strip_suffix('/').unwrap_or(inner);
    !body.is_empty()
        && body
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_schemes_resolve() {
        let unit = UnitUrl::parse("https://unit.example/").unwrap();
        let path_cell = "https://unit.example/c1/";
        let fqdn_cell = "https://c1.unit.example/";
        let cases = [
            (
                CellUrlMode::Path,
                path_cell,
                "personium-localunit:/app/__/login.html",
                "https://unit.example/app/__/login.html",
            ),
            (
                CellUrlMode::Path,
                path_cell,
                "personium-localunit:app:/__/login.html",
                "https://unit.example/app/__/login.html",
            ),
            (
                CellUrlMode::Path,
                path_cell,
                "personium-localcell:/__/login.html",
                "https://unit.example/c1/__/login.html",
            ),
            (
                CellUrlMode::Fqdn,
                fqdn_cell,
                "personium-localunit:/app/__/login.html",
                "https://app.unit.example/__/login.html",
            ),
            (
                CellUrlMode::Fqdn,
                fqdn_cell,
                "personium-localunit:app:/x",
                "https://app.unit.example/x",
            ),
            (
                CellUrlMode::Fqdn,
                fqdn_cell,
                "personium-localcell:/x",
                "https://c1.unit.example/x",
            ),
            (
                CellUrlMode::Path,
                path_cell,
                "https://other.example/p",
                "https://other.example/p",
            ),
            (
                CellUrlMode::Path,
                path_cell,
                "personium-localunit:nonsense",
                "personium-localunit:nonsense",
            ),
        ];
        for (mode, cell, given, http) in cases {
            assert_eq!(resolve_local(&unit, mode, cell, given), http, "{given}");
        }
    }

    #[test]
    fn cell_urls() {
        let cases = [
            ("https://c1.unit.example/", true),
            ("http://unit.example/c1/", true),
            ("http://unit.example:8080/c1/", true),
            ("personium-localunit:/c1/", true),
            ("personium-localunit:c1:/", true),
            ("https://c1.unit.example", false),
            ("https://c1.unit.example/a/../b/", false),
            ("https://c1.unit.example//", false),
            ("https://c1.unit.example/?q=1/", false),
            ("HTTPS://C1.unit.example/", false),
            ("ftp://c1.unit.example/", false),
            ("c1/", false),
        ];
        for (s, ok) in cases {
            assert_eq!(is_cell_url(s), ok, "{s}");
        }
    }

    #[test]
    fn schema_uris() {
        let cases = [
            ("urn:x-personium:app", true),
            ("urn::x", false),
            ("urn:x", false),
            ("https://app.unit.example/", true),
            ("https://app.unit.example", false),
        ];
        for (s, ok) in cases {
            assert_eq!(is_schema_uri(s), ok, "{s}");
        }
    }

    #[test]
    fn cell_url_modes() -> anyhow::Result<()> {
        let unit = UnitUrl::parse("http://localhost:8000/")?;
        assert_eq!(
            unit.cell_url("c1", CellUrlMode::Path),
            "http://localhost:8000/c1/"
        );
        assert_eq!(
            unit.cell_url("c1", CellUrlMode::Fqdn),
            "http://c1.localhost:8000/"
        );
        assert!(UnitUrl::parse("http://localhost:8000/x/").is_err());
        Ok(())
    }
}
