//! A cell's own login pages (`spec/personium-api.md` §5.4, §4.2): when the cell property
//! `p:authorizationhtmlurl` (or, for the password-change form,
//! `p:authorizationpasswordchangehtmlurl`) is set, `GET {C}__authz` serves the HTML fetched from
//! that URL instead of the built-in form. Any failure falls back to the built-in form, as in
//! Personium.

use crate::domain::cell_props::CellProps;
use crate::model::url::resolve_local;
use crate::state::AppState;

/// Largest page accepted.
const MAX_PAGE_BYTES: usize = 1 << 20;

/// The custom page's HTML, or `None` to show the built-in form.
pub async fn custom_page(
    state: &AppState,
    cell_url: &str,
    props: &CellProps,
    password_change: bool,
) -> Option<String> {
    let configured = props.html_url(password_change)?;
    let mode = state.settings.unit.cell_url_mode;
    let url = resolve_local(&state.unit_url, mode, cell_url, &configured);
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        tracing::warn!(%url, "authorization page property is not an http(s) URL");
        return None;
    }
    match fetch(state, &url).await {
        Ok(html) => Some(html),
        Err(reason) => {
            tracing::warn!(%url, %reason, "authorization page not fetched; built-in form shown");
            None
        }
    }
}

async fn fetch(state: &AppState, url: &str) -> Result<String, String> {
    let resp = state
        .http
        .get(url)
        .header("Accept", "text/html")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    // COMPAT(personium): the status is not checked, and the media type must be exactly
    // `text/html` (no parameters).
    let media = resp
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if media != "text/html" {
        return Err(format!("Content-Type {media:?} is not text/html"));
    }
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_PAGE_BYTES as u64)
    {
        return Err("page too large".to_owned());
    }
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    if body.len() > MAX_PAGE_BYTES {
        return Err("page too large".to_owned());
    }
    // COMPAT(personium): the page is read line by line and joined without line breaks.
    Ok(String::from_utf8_lossy(&body)
        .lines()
        .collect::<Vec<_>>()
        .concat())
}
