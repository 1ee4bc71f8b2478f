//! Personium error-code table.
//!
//! Personium answers errors with
//! `{"code":"PR404-DV-0003","message":{"lang":"en","value":"Cell not found."}}` and an HTTP
//! status equal to the three digits after `PR`. Every [`Code`] here carries the id, that
//! status and the English message template; `{0}`, `{1}`, ... are filled by [`Code::render`].
//! Callers name codes by constant (`codes::PR404_DV_0003`) or look them up with [`by_id`].
//!
//! The message texts are copied verbatim from Personium's `personium-messages.properties`
//! (personium-core, `src/main/resources/`, Apache License 2.0; currently v1.8.3). They are part
//! of the wire contract, so do not reword them. The few codes Personium sends that are not in
//! that file are marked `COMPAT(personium)` in the generated files.
//!
//! The family files (`od.rs`, `dv.rs`, `auth.rs`, `message.rs`, `event.rs`, `bar.rs`,
//! `server.rs`, `misc.rs`) and `all.rs` are generated; regenerate them with
//!
//! ```text
//! git --git-dir=<personium-core.git> show <tag>:src/main/resources/personium-messages.properties \
//!     > /tmp/personium-messages.properties
//! python3 scripts/gen-error-codes.py /tmp/personium-messages.properties \
//!     --label "personium-core <tag>, commit <sha>"
//! python3 scripts/gen-error-codes.py --print-spec-codes \
//!     ../shared/spec/personium-api.md /tmp/personium-messages.properties   # list for tests.rs
//! ```
//!
//! Only this file and `tests.rs` are written by hand.

mod all;
mod auth;
mod bar;
mod dv;
mod event;
mod message;
mod misc;
mod od;
mod server;

pub use self::all::ALL;
pub use self::auth::*;
pub use self::bar::*;
pub use self::dv::*;
pub use self::event::*;
pub use self::message::*;
pub use self::misc::*;
pub use self::od::*;
pub use self::server::*;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

/// 423 Locked (RFC 4918 §11.3): a WebDAV lock covers the resource and its token was not
/// submitted in the `If` header.
// COMPAT(personium): Personium has no WebDAV locks and no code for them; this one is
// unitcell's (status 423 in Personium's id format), outside the generated table.
pub const PR423_DV_0001: Code = Code {
    id: "PR423-DV-0001",
    status: 423,
    message: "Resource is locked [{0}].",
};

/// One Personium error code: id, HTTP status and English message template.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// The code as sent in the `code` field, e.g. `"PR404-DV-0003"`.
    pub id: &'static str,
    /// The HTTP status; always the three digits after `PR` in [`Code::id`].
    pub status: u16,
    /// English message template (`message.value`), with `{0}`, `{1}`, ... placeholders.
    pub message: &'static str,
}

impl Code {
    /// Renders the message the way Personium's `PersoniumCoreException.params(...)` does:
    /// `{n}` becomes `params[n]`, then control characters (U+0000..U+001F, U+007F) are
    /// escaped as `\uXXXX` (Personium's `EscapeControlCode`).
    ///
    /// Placeholders without a matching param are replaced with the empty string (Java's
    /// `MessageFormat` would leave the literal `{n}` in place; we do not send that). Params
    /// are inserted as given: format numbers the way Personium does before passing them
    /// (Java formats an `int` param with grouping, e.g. `1,001`).
    #[must_use]
    pub fn render(&self, params: &[String]) -> String {
        let template = self.message;
        let mut out =
            String::with_capacity(template.len() + params.iter().map(String::len).sum::<usize>());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && after.as_bytes().get(digits) == Some(&b'}') {
                if let Some(param) = after[..digits]
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| params.get(index))
                {
                    out.push_str(param);
                }
                rest = &after[digits + 1..];
            } else {
                out.push('{');
                rest = after;
            }
        }
        out.push_str(rest);
        escape_control_chars(out)
    }
}

/// Escapes U+0000..U+001F and U+007F as `\uXXXX` (upper-case hex), like Personium.
fn escape_control_chars(s: String) -> String {
    if !s.chars().any(is_escaped_control) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_escaped_control(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_escaped_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}')
}

/// Looks a code up by its id, e.g. `by_id("PR404-DV-0003")`.
#[must_use]
pub fn by_id(id: &str) -> Option<&'static Code> {
    ALL.binary_search_by(|code| code.id.cmp(id))
        .ok()
        .and_then(|index| ALL.get(index).copied())
}
