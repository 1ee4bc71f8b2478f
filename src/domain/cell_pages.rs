//! The HTML pages a cell serves from elsewhere (`spec/personium-api.md` §4.2 GET `{C}`, §5.4):
//! the relay page of `GET {C}` (cell property `p:relayhtmlurl`), the login page of
//! `GET {C}__authz` (`p:authorizationhtmlurl`) and its password-change form
//! (`p:authorizationpasswordchangehtmlurl`). A cell without the property uses the Unit-wide
//! default of `[cell_pages]` in the configuration (Personium's `cell.*htmlurl.default`).
//!
//! The relay page is required: without a URL, or when it cannot be fetched, `GET {C}` fails
//! with Personium's codes. The login pages are optional: any failure shows the built-in form.

use crate::domain::cell_props::CellProps;
use crate::error::{codes, Error, Result};
use crate::model::url::resolve_local;
use crate::state::AppState;

/// Largest page accepted.
const MAX_PAGE_BYTES: usize = 1 << 20;

/// Which page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellPage {
    Relay,
    Login,
    PasswordChange,
}

impl CellPage {
    /// The cell property (namespace `urn:x-personium:xmlns`) that names the page.
    pub fn property(self) -> &'static str {
        match self {
            CellPage::Relay => "relayhtmlurl",
            CellPage::Login => "authorizationhtmlurl",
            CellPage::PasswordChange => "authorizationpasswordchangehtmlurl",
        }
    }

    fn unit_default(self, state: &AppState) -> &str {
        let pages = &state.settings.cell_pages;
        match self {
            CellPage::Relay => &pages.relay_html_url,
            CellPage::Login => &pages.authorization_html_url,
            CellPage::PasswordChange => &pages.authorization_password_change_html_url,
        }
    }
}

/// A fetched page: the upstream status and its HTML.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub html: Vec<u8>,
}

/// The page's URL as configured: the cell property, else the Unit default; `None` when both
/// are empty.
fn configured(state: &AppState, props: &CellProps, page: CellPage) -> Option<String> {
    let url = props
        .text(page.property())
        .unwrap_or_else(|| page.unit_default(state).to_owned());
    (!url.is_empty()).then_some(url)
}

/// The page's http(s) URL: the cell property, else the Unit default, with
/// `personium-localunit:` and `personium-localcell:` resolved.
fn page_url(state: &AppState, cell_url: &str, props: &CellProps, page: CellPage) -> Result<String> {
    let configured = configured(state, props, page)
        .ok_or_else(|| Error::new(&codes::PR412_UI_0001).param(page.property()))?;
    let mode = state.settings.unit.cell_url_mode;
    let url = resolve_local(&state.unit_url, mode, cell_url, &configured);
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(url),
        _ => Err(Error::new(&codes::PR412_UI_0002).param(page.property())),
    }
}

/// Fetches `page` for the cell at `cell_url`, with Personium's errors: 412 `PR412-UI-0001` when
/// no URL is configured, `PR412-UI-0002` when it is not http(s), 500 `PR500-UI-0002` when the
/// server cannot be reached, `PR500-UI-0001` for a broken answer, and `PR500-NW-0003` when the
/// answer is not `text/html`.
pub async fn fetch(
    state: &AppState,
    cell_url: &str,
    props: &CellProps,
    page: CellPage,
) -> Result<Page> {
    let url = page_url(state, cell_url, props, page)?;
    let resp = state
        .http
        .get(&url)
        .header("Accept", "text/html")
        .send()
        .await
        .map_err(|e| {
            tracing::warn!(%url, error = %e, "cell page not fetched");
            Error::new(&codes::PR500_UI_0002).param(&url)
        })?;
    let status = resp.status().as_u16();
    // COMPAT(personium): the media type must be exactly `text/html` (no parameters), and the
    // upstream status is passed on as it is.
    let media = resp
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if media != "text/html" {
        return Err(Error::new(&codes::PR500_NW_0003)
            .param(&url)
            .param("text/html"));
    }
    let too_large = || Error::new(&codes::PR500_UI_0001).param(&url);
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_PAGE_BYTES as u64)
    {
        return Err(too_large());
    }
    let html = resp.bytes().await.map_err(|_| too_large())?;
    if html.len() > MAX_PAGE_BYTES {
        return Err(too_large());
    }
    Ok(Page {
        status,
        html: html.to_vec(),
    })
}

/// The custom login or password-change page's HTML, or `None` to show the built-in form.
pub async fn login_page(
    state: &AppState,
    cell_url: &str,
    props: &CellProps,
    password_change: bool,
) -> Option<String> {
    let page = if password_change {
        CellPage::PasswordChange
    } else {
        CellPage::Login
    };
    // Nothing configured: the built-in form, without a fetch (or its warning).
    configured(state, props, page)?;
    match fetch(state, cell_url, props, page).await {
        // COMPAT(personium): the login page is read line by line and joined without line
        // breaks, whatever the upstream status.
        Ok(p) => Some(
            String::from_utf8_lossy(&p.html)
                .lines()
                .collect::<Vec<_>>()
                .concat(),
        ),
        Err(e) => {
            tracing::warn!(
                code = e.code().id,
                "login page not fetched; built-in form shown"
            );
            None
        }
    }
}
