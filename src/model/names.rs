//! Name formats of Personium objects (`spec/personium-api.md` §2.7, from Personium's
//! `Common.java` regular expressions), checked without regex machinery.

use std::fmt;

/// The kinds of names Personium validates, each with its own alphabet and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// `[a-z0-9][a-z0-9-]{0,127}`
    Cell,
    /// `[a-zA-Z0-9][a-zA-Z0-9-_]{0,127}`: Box, Role, EntityType, Property, ComplexType,
    /// AssociationEnd names, `_Box.Name` and dynamic property keys.
    Object,
    /// ``[a-zA-Z0-9][a-zA-Z0-9-_!$*=^`{|}~.@]{0,127}``
    Account,
    /// `[a-zA-Z0-9-+][a-zA-Z0-9-_+:]{0,127}`
    Relation,
    /// `[a-zA-Z0-9][a-zA-Z0-9-_:]{0,199}`
    Rule,
    /// `[a-zA-Z0-9-_]{1,192}`
    Snapshot,
}

impl NameKind {
    fn max_len(self) -> usize {
        match self {
            NameKind::Rule => 200,
            NameKind::Snapshot => 192,
            _ => 128,
        }
    }

    fn first_ok(self, c: char) -> bool {
        match self {
            NameKind::Cell => c.is_ascii_lowercase() || c.is_ascii_digit(),
            NameKind::Relation => c.is_ascii_alphanumeric() || c == '-' || c == '+',
            NameKind::Snapshot => self.rest_ok(c),
            _ => c.is_ascii_alphanumeric(),
        }
    }

    fn rest_ok(self, c: char) -> bool {
        match self {
            NameKind::Cell => c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
            NameKind::Object | NameKind::Snapshot => {
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            }
            NameKind::Account => c.is_ascii_alphanumeric() || "-_!$*=^`{|}~.@".contains(c),
            NameKind::Relation => c.is_ascii_alphanumeric() || "-_+:".contains(c),
            NameKind::Rule => c.is_ascii_alphanumeric() || "-_:".contains(c),
        }
    }

    /// True when `s` is a valid name of this kind.
    pub fn is_valid(self, s: &str) -> bool {
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if self.first_ok(c) => {}
            _ => return false,
        }
        s.len() <= self.max_len() && chars.all(|c| self.rest_ok(c))
    }
}

/// A validated cell name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellName(String);

impl CellName {
    /// Validates `s` as a cell name.
    pub fn parse(s: &str) -> Option<CellName> {
        NameKind::Cell.is_valid(s).then(|| CellName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CellName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::NameKind::{self, *};

    #[test]
    fn name_formats() {
        let long128 = "a".repeat(128);
        let long129 = "a".repeat(129);
        let rule200 = "r".repeat(200);
        let cases: &[(NameKind, &str, bool)] = &[
            (Cell, "alice", true),
            (Cell, "a-1", true),
            (Cell, "0cell", true),
            (Cell, "Alice", false),
            (Cell, "-a", false),
            (Cell, "a_b", false),
            (Cell, "", false),
            (Cell, &long128, true),
            (Cell, &long129, false),
            (Cell, "__ctl", false),
            (Object, "Box_1-x", true),
            (Object, "_box", false),
            (Object, "bo x", false),
            (Object, "ボックス", false),
            (Account, "me@example.com", true),
            (Account, "a!$*=^`{|}~.", true),
            (Account, ".a", false),
            (Account, "a/b", false),
            (Relation, "+friend:x", true),
            (Relation, "-r", true),
            (Relation, "_r", false),
            (Relation, "r.s", false),
            (Rule, "rule:1_a-b", true),
            (Rule, &rule200, true),
            (Rule, "r@", false),
            (Snapshot, "_snap-1", true),
            (Snapshot, "", false),
            (Snapshot, "a.zip", false),
        ];
        for (kind, name, ok) in cases {
            assert_eq!(kind.is_valid(name), *ok, "{kind:?} {name:?}");
        }
    }
}
