//! The HTML pages of the authorization endpoint (`spec/personium-api.md` §5.4 built-in login
//! form, §1.2 `__html/error`). Our own plain markup: labelled fields with autocomplete hints,
//! no script (the forms work as plain HTML posts), every echoed value escaped; served with a
//! strict `Content-Security-Policy`, `X-Frame-Options: DENY` and `Cache-Control: no-store`.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::domain::auth::authz::{message_for, Form};

/// The one stylesheet, inline; the CSP admits it by hash.
const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;\
padding:1rem;background:#f4f4f5;color:#18181b}\
main{max-width:26rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:.5rem;\
border:1px solid #d4d4d8}\
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin-top:1rem}\
input{box-sizing:border-box;width:100%;font-size:1rem;padding:.5rem;margin-top:.25rem;\
border:1px solid #71717a;border-radius:.25rem}\
input:focus,button:focus{outline:3px solid #2563eb;outline-offset:1px}\
.actions{display:flex;gap:.75rem;margin-top:1.5rem}\
button{font-size:1rem;padding:.5rem 1rem;border-radius:.25rem;border:1px solid #1d4ed8;\
background:#1d4ed8;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#1d4ed8}\
.error{color:#b91c1c;font-weight:600}.hint{font-size:.9rem;color:#52525b}\
dl{margin:0}dt{font-weight:600}dd{margin:0 0 .5rem;overflow-wrap:anywhere}";

static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page with the security headers. `form_targets` = the CSP `form-action` sources
/// (the form posts to this cell, which redirects to the app).
fn html(title: &str, main: &str, form_targets: &str) -> HttpResponse {
    let csp = format!(
        "default-src 'none'; style-src {}; form-action {form_targets}; \
         frame-ancestors 'none'; base-uri 'none'",
        *STYLE_HASH
    );
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n</body>\n</html>\n",
        escape(title)
    );
    HttpResponse::Ok()
        .content_type("text/html;charset=UTF-8")
        .insert_header(("Content-Security-Policy", csp))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// A form page of `__authz`.
pub fn page(form: &Form, title: &str, main: String) -> HttpResponse {
    html(title, &main, &format!("'self' {}", form.client_origin))
}

/// The message paragraph and the id inputs point to with `aria-describedby`.
fn message(form: &Form) -> String {
    if form.is_error {
        format!(
            "<p id=\"form-message\" class=\"error\" role=\"alert\">{}</p>\n",
            escape(&form.message)
        )
    } else {
        format!("<p id=\"form-message\">{}</p>\n", escape(&form.message))
    }
}

/// Who asks and where: the app and the cell.
fn parties(form: &Form) -> String {
    format!(
        "<dl>\n<dt>Application</dt><dd>{}</dd>\n<dt>Your cell</dt><dd>{}</dd>\n</dl>\n",
        escape(&form.client_id),
        escape(&form.cell_url)
    )
}

fn form_open(form: &Form) -> String {
    let mut out = format!(
        "<form method=\"post\" action=\"{}\">\n",
        escape(&form.action)
    );
    for (name, value) in &form.hidden {
        out.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    out
}

const BUTTONS: &str = "<div class=\"actions\">\n\
<button type=\"submit\">Sign in</button>\n\
<button type=\"submit\" class=\"secondary\" name=\"cancel_flg\" value=\"true\" \
formnovalidate>Cancel</button>\n</div>\n</form>\n";

/// The login form: user name and password, the request's parameters as hidden fields, and a
/// Cancel button (`cancel_flg=true`).
pub fn login_form(form: &Form) -> String {
    format!(
        "<h1>Sign in</h1>\n{}{}{}\
         <label for=\"username\">User name</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" \
         autocapitalize=\"none\" spellcheck=\"false\" required autofocus \
         aria-describedby=\"form-message\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required aria-describedby=\"form-message\">\n\
         {BUTTONS}",
        message(form),
        parties(form),
        form_open(form)
    )
}

/// The form for a new password (account status `passwordChangeRequired`).
pub fn password_change_form(form: &Form) -> String {
    format!(
        "<h1>Change your password</h1>\n{}{}{}\
         <label for=\"password\">New password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"new-password\" minlength=\"6\" maxlength=\"32\" required autofocus \
         aria-describedby=\"form-message password-hint\">\n\
         <p id=\"password-hint\" class=\"hint\">6 to 32 characters: letters, digits and \
         <code>-_!$*=^`{{|}}~.@</code></p>\n\
         {BUTTONS}",
        message(form),
        parties(form),
        form_open(form)
    )
}

/// `{C}__html/error?code=`: the message of the code (or "The code is undefined.").
pub fn error_page(code: &str) -> HttpResponse {
    let title = message_for("PS-ER-0001").unwrap_or_default();
    let text = message_for(code)
        .or_else(|| message_for("PS-ER-0002"))
        .unwrap_or_default();
    let main = format!(
        "<h1>{}</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n<p class=\"hint\">Code: {}</p>\n",
        escape(&title),
        escape(&text),
        escape(code)
    );
    html(&title, &main, "'none'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
