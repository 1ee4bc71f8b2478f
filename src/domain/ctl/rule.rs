//! Rule validation across fields (`spec/personium-api.md` §4.3 "Rule validation", §1.3 local
//! URL schemes): timer events, event objects, actions and their target URLs. Each failure is
//! `PR400-OD-0006` naming the field.

use crate::error::{codes, Error, Result};
use crate::model::url::is_cell_url;
use crate::odata::edm::Value;

fn field<'a>(values: &'a [(String, Value)], name: &str) -> Option<&'a str> {
    values
        .iter()
        .find(|(p, _)| p == name)
        .and_then(|(_, v)| v.as_str())
}

fn bad(name: &str) -> Error {
    Error::new(&codes::PR400_OD_0006).param(name)
}

/// Non-empty path segments after a local-scheme prefix.
fn segments(rest: &str) -> usize {
    rest.split('/').filter(|s| !s.is_empty()).count()
}

/// Checks a Rule's values. `box_bound` when `_Box.Name` is set; `unit_url` to refuse http URLs
/// on this Unit that must be written in `personium-localunit:` form.
pub fn check(values: &[(String, Value)], box_bound: bool, unit_url: &str) -> Result<()> {
    let external = values
        .iter()
        .any(|(p, v)| p == "EventExternal" && *v == Value::Boolean(true));
    let event_type = field(values, "EventType").unwrap_or("");
    let object = field(values, "EventObject");
    if event_type.starts_with("timer.periodic") || event_type.starts_with("timer.oneshot") {
        if external {
            return Err(bad("EventExternal"));
        }
        if !object.is_some_and(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit())) {
            return Err(bad("EventObject"));
        }
    } else if let (false, Some(o)) = (external, object) {
        let ok = o.starts_with("personium-localcell:/")
            && (!box_bound || o.starts_with("personium-localcell:/__"))
            || box_bound && o.starts_with("personium-localbox:/");
        if !ok {
            return Err(bad("EventObject"));
        }
    }
    // COMPAT(personium): http URLs on this Unit must be stored in their local form.
    for name in ["EventSubject", "TargetUrl"] {
        if field(values, name).is_some_and(|v| v.starts_with(unit_url)) {
            return Err(bad(name));
        }
    }
    let action = field(values, "Action").unwrap_or("");
    let target = field(values, "TargetUrl");
    match action {
        "relay.data" if !matches!(event_type, "odata.create" | "odata.update" | "odata.patch") => {
            return Err(bad("EventType"));
        }
        _ => {}
    }
    let target_ok = match (action, target) {
        ("exec" | "relay" | "relay.data" | "relay.event", None) => false,
        ("exec", Some(t)) => match (box_bound, t) {
            (false, t) => t
                .strip_prefix("personium-localcell:/")
                .is_some_and(|r| segments(r) == 3),
            (true, t) => t
                .strip_prefix("personium-localbox:/")
                .is_some_and(|r| segments(r) == 2),
        },
        ("relay" | "relay.data", Some(t)) => {
            t.starts_with("http://")
                || t.starts_with("https://")
                || t.starts_with("personium-localunit:")
                || t.starts_with("personium-localcell:/")
                || box_bound && t.starts_with("personium-localbox:/")
        }
        ("relay.event", Some(t)) => is_cell_url(t) || t == "personium-localcell:/",
        _ => true,
    };
    if target_ok {
        Ok(())
    } else {
        Err(bad("TargetUrl"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn rule_table() {
        let s = |v: &str| Value::String(v.to_owned());
        let unit = "https://unit.example/";
        type Case = (Vec<(String, Value)>, bool, Result<(), &'static str>);
        let cases: Vec<Case> = vec![
            (rule(&[("Action", s("log"))]), false, Ok(())),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventObject", s("personium-localcell:/box/x")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[("Action", s("log")), ("EventObject", s("https://x/"))]),
                false,
                Err("EventObject"),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventObject", s("personium-localbox:/col")),
                ]),
                true,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventObject", s("personium-localcell:/col")),
                ]),
                true,
                Err("EventObject"),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventObject", s("personium-localcell:/__ctl/Role")),
                ]),
                true,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventExternal", Value::Boolean(true)),
                    ("EventObject", s("anything")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventType", s("timer.periodic")),
                    ("EventObject", s("5")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventType", s("timer.oneshot")),
                    ("EventObject", s("x")),
                ]),
                false,
                Err("EventObject"),
            ),
            (
                rule(&[
                    ("Action", s("log")),
                    ("EventType", s("timer.periodic")),
                    ("EventExternal", Value::Boolean(true)),
                    ("EventObject", s("5")),
                ]),
                false,
                Err("EventExternal"),
            ),
            (rule(&[("Action", s("exec"))]), false, Err("TargetUrl")),
            (
                rule(&[
                    ("Action", s("exec")),
                    ("TargetUrl", s("personium-localcell:/box/col/svc")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("exec")),
                    ("TargetUrl", s("personium-localcell:/col/svc")),
                ]),
                false,
                Err("TargetUrl"),
            ),
            (
                rule(&[
                    ("Action", s("exec")),
                    ("TargetUrl", s("personium-localbox:/col/svc")),
                ]),
                true,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("relay")),
                    ("TargetUrl", s("https://other.example/c/box/svc")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("relay")),
                    ("TargetUrl", s("https://unit.example/c/box/svc")),
                ]),
                false,
                Err("TargetUrl"),
            ),
            (
                rule(&[("Action", s("relay")), ("TargetUrl", s("ftp://x/"))]),
                false,
                Err("TargetUrl"),
            ),
            (
                rule(&[
                    ("Action", s("relay.data")),
                    ("EventType", s("odata.create")),
                    ("TargetUrl", s("https://o/x")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("relay.data")),
                    ("EventType", s("odata.get")),
                    ("TargetUrl", s("https://o/x")),
                ]),
                false,
                Err("EventType"),
            ),
            (
                rule(&[
                    ("Action", s("relay.event")),
                    ("TargetUrl", s("https://c2.other.example/")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("relay.event")),
                    ("TargetUrl", s("personium-localcell:/")),
                ]),
                false,
                Ok(()),
            ),
            (
                rule(&[
                    ("Action", s("relay.event")),
                    ("TargetUrl", s("https://c2.other.example/box")),
                ]),
                false,
                Err("TargetUrl"),
            ),
        ];
        for (values, bound, expected) in cases {
            let got = check(&values, bound, unit).map_err(|e| e.message());
            let want = expected.map_err(|f| Error::new(&codes::PR400_OD_0006).param(f).message());
            assert_eq!(got, want, "{values:?} bound={bound}");
        }
    }
}
