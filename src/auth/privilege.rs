//! Privileges and their hierarchy (`spec/personium-api.md` §3.1 cell privileges, §3.2 box
//! privileges, §3.3 for their XML names), and [`PrivSet`], a bitset of privileges.
//!
//! The hierarchy is a set of `const` tables: a granted privilege includes every privilege below
//! it, and cell `root` includes every box privilege as well (box `all` hangs under `root`).
//! Nothing here allocates except the serde and name helpers.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The WebDAV namespace (`D:`).
pub const NS_DAV: &str = "DAV:";
/// Personium's own namespace (`p:`).
pub const NS_PERSONIUM: &str = "urn:x-personium:xmlns";

/// One privilege. Cell privileges first (§3.1), then box privileges (§3.2); the discriminant is
/// the bit in a [`PrivSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Privilege {
    // Cell privileges (`p:`).
    Root,
    Auth,
    AuthRead,
    Message,
    MessageRead,
    Event,
    EventRead,
    Log,
    LogRead,
    Social,
    SocialRead,
    Box,
    BoxRead,
    BoxInstall,
    Acl,
    AclRead,
    Propfind,
    Rule,
    RuleRead,
    Sign,
    // Box privileges (`D:` except `exec`, `stream-send`, `stream-receive`).
    All,
    Read,
    ReadProperties,
    ReadAcl,
    Write,
    Bind,
    Unbind,
    WriteContent,
    WriteProperties,
    WriteAcl,
    Exec,
    AlterSchema,
    StreamSend,
    StreamReceive,
}

/// How many privileges exist.
pub const COUNT: usize = 34;
/// Index of the first box privilege.
const FIRST_BOX: usize = Privilege::All as usize;
/// No parent.
const NONE: u8 = u8::MAX;

use Privilege as P;

/// Every privilege, in discriminant order.
#[rustfmt::skip]
pub const ALL_PRIVILEGES: [Privilege; COUNT] = [
    P::Root, P::Auth, P::AuthRead, P::Message, P::MessageRead, P::Event, P::EventRead, P::Log,
    P::LogRead, P::Social, P::SocialRead, P::Box, P::BoxRead, P::BoxInstall, P::Acl, P::AclRead,
    P::Propfind, P::Rule, P::RuleRead, P::Sign, P::All, P::Read, P::ReadProperties, P::ReadAcl,
    P::Write, P::Bind, P::Unbind, P::WriteContent, P::WriteProperties, P::WriteAcl, P::Exec,
    P::AlterSchema, P::StreamSend, P::StreamReceive,
];

/// XML local names, in discriminant order.
#[rustfmt::skip]
const NAMES: [&str; COUNT] = [
    "root", "auth", "auth-read", "message", "message-read", "event", "event-read", "log",
    "log-read", "social", "social-read", "box", "box-read", "box-install", "acl", "acl-read",
    "propfind", "rule", "rule-read", "sign", "all", "read", "read-properties", "read-acl", "write",
    "bind", "unbind", "write-content", "write-properties", "write-acl", "exec", "alter-schema",
    "stream-send", "stream-receive",
];

/// Parent of each privilege (index), `NONE` for `root`. Box `all` hangs under cell `root`.
#[rustfmt::skip]
const PARENT: [u8; COUNT] = {
    let r = P::Root as u8;
    let a = P::All as u8;
    let w = P::Write as u8;
    [
        NONE, r, P::Auth as u8, r, P::Message as u8, r, P::Event as u8, r, P::Log as u8, r,
        P::Social as u8, r, P::Box as u8, P::Box as u8, r, P::Acl as u8, r, r, P::Rule as u8, r,
        // Box: all, read, read-properties, read-acl, write, bind, unbind, write-content,
        // write-properties, write-acl, exec, alter-schema, stream-send, stream-receive.
        r, a, P::Read as u8, a, a, w, w, w, w, a, a, a, a, a,
    ]
};

/// `Privilege.ACCESS_TYPE_READ` in Personium: what a `CellContentsReader` unit user may do.
const READ_TYPE: u64 = bit(P::AuthRead)
    | bit(P::MessageRead)
    | bit(P::EventRead)
    | bit(P::LogRead)
    | bit(P::SocialRead)
    | bit(P::BoxRead)
    | bit(P::AclRead)
    | bit(P::Propfind)
    | bit(P::RuleRead)
    | bit(P::Read)
    | bit(P::ReadProperties)
    | bit(P::ReadAcl)
    | bit(P::StreamReceive);

const fn bit(p: Privilege) -> u64 {
    1u64 << (p as u8)
}

const fn same_level(a: usize, b: usize) -> bool {
    (a < FIRST_BOX) == (b < FIRST_BOX)
}

/// For each privilege: itself and its ancestors of the same level (cell or box).
const ANCESTORS: [u64; COUNT] = {
    let mut table = [0u64; COUNT];
    let mut i = 0;
    while i < COUNT {
        let mut mask = 1u64 << i;
        let mut cur = PARENT[i];
        while cur != NONE && same_level(cur as usize, i) {
            mask |= 1u64 << cur;
            cur = PARENT[cur as usize];
        }
        table[i] = mask;
        i += 1;
    }
    table
};

/// For each privilege: itself and everything below it, across levels (`root` covers all).
const DESCENDANTS: [u64; COUNT] = {
    let mut table = [0u64; COUNT];
    let mut i = 0;
    while i < COUNT {
        // Walk up from `i`, adding `i` to each ancestor's row.
        table[i] |= 1u64 << i;
        let mut cur = PARENT[i];
        while cur != NONE {
            table[cur as usize] |= 1u64 << i;
            cur = PARENT[cur as usize];
        }
        i += 1;
    }
    table
};

const CELL_MASK: u64 = (1u64 << FIRST_BOX) - 1;
const BOX_MASK: u64 = ((1u64 << COUNT) - 1) & !CELL_MASK;

impl Privilege {
    /// The XML local name (`read`, `box-read`, ...), also the name used in token scopes.
    #[inline]
    pub const fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The XML namespace the privilege element lives in (§3.2): every cell privilege and box
    /// `exec`, `stream-send`, `stream-receive` are `p:`; the other box privileges are `D:`.
    #[inline]
    pub const fn namespace(self) -> &'static str {
        match self {
            P::Exec | P::StreamSend | P::StreamReceive => NS_PERSONIUM,
            _ if self.is_cell_level() => NS_PERSONIUM,
            _ => NS_DAV,
        }
    }

    /// The conventional prefix of [`namespace`](Self::namespace): `D` or `p`.
    #[inline]
    pub const fn prefix(self) -> &'static str {
        if matches!(self.namespace().as_bytes(), b"DAV:") {
            "D"
        } else {
            "p"
        }
    }

    /// The privilege an element `{ns}local` names, if any. The namespace must be the right one:
    /// `{urn:x-personium:xmlns}read` is not a privilege.
    pub fn parse(ns: &str, local: &str) -> Option<Privilege> {
        Self::from_name(local).filter(|p| p.namespace() == ns)
    }

    /// The privilege with this local name (names are unique across cell and box levels).
    pub fn from_name(local: &str) -> Option<Privilege> {
        NAMES
            .iter()
            .position(|n| *n == local)
            .map(|i| ALL_PRIVILEGES[i])
    }

    /// True for the cell privileges of §3.1.
    #[inline]
    pub const fn is_cell_level(self) -> bool {
        (self as usize) < FIRST_BOX
    }

    /// True for read-type privileges (Personium's access type `read`): what a unit user with
    /// the `CellContentsReader` role may exercise.
    #[inline]
    pub const fn is_read_type(self) -> bool {
        READ_TYPE & bit(self) != 0
    }

    /// The privilege directly above this one (`all`'s parent is cell `root`).
    pub const fn parent(self) -> Option<Privilege> {
        let p = PARENT[self as usize];
        if p == NONE {
            None
        } else {
            Some(ALL_PRIVILEGES[p as usize])
        }
    }

    /// This privilege and its ancestors on the same level: the privileges that, granted,
    /// include it. (Cell `root` is not among a box privilege's ancestors here; see
    /// [`crate::auth::acl`] for where `root` still counts.)
    #[inline]
    pub const fn granted_by(self) -> PrivSet {
        PrivSet(ANCESTORS[self as usize])
    }

    /// This privilege and everything it includes.
    #[inline]
    pub const fn includes(self) -> PrivSet {
        PrivSet(DESCENDANTS[self as usize])
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of privileges as a `u64` bitset. As granted in an ACE it is the set as written;
/// [`closure`](Self::closure) adds what each member includes.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PrivSet(u64);

impl PrivSet {
    /// No privilege.
    pub const EMPTY: PrivSet = PrivSet(0);
    /// Every cell privilege.
    pub const CELL: PrivSet = PrivSet(CELL_MASK);
    /// Every box privilege.
    pub const BOX: PrivSet = PrivSet(BOX_MASK);

    /// The set holding only `p`.
    #[inline]
    pub const fn of(p: Privilege) -> PrivSet {
        PrivSet(bit(p))
    }

    /// The raw bits (bit `n` = the privilege with discriminant `n`).
    #[inline]
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// True if `p` is in the set as written (no closure).
    #[inline]
    pub const fn contains(self, p: Privilege) -> bool {
        self.0 & bit(p) != 0
    }

    /// True if the two sets share a member.
    #[inline]
    pub const fn intersects(self, other: PrivSet) -> bool {
        self.0 & other.0 != 0
    }

    /// True if the set is empty.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Adds `p`.
    #[inline]
    pub fn insert(&mut self, p: Privilege) {
        self.0 |= bit(p);
    }

    /// The members that are cell privileges.
    #[inline]
    pub const fn cell_only(self) -> PrivSet {
        PrivSet(self.0 & CELL_MASK)
    }

    /// The set plus everything its members include (`root` includes every box privilege too).
    pub const fn closure(self) -> PrivSet {
        let mut out = 0u64;
        let mut rest = self.0;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            out |= DESCENDANTS[i];
            rest &= rest - 1;
        }
        PrivSet(out)
    }

    /// True if a member of the set includes `p`: `p.granted_by()` meets the set, or `root` is in
    /// it. This is the check for a token scope (§3.4 step 8).
    #[inline]
    pub const fn grants(self, p: Privilege) -> bool {
        self.0 & (ANCESTORS[p as usize] | bit(P::Root)) != 0
    }

    /// The members, in discriminant order.
    pub fn iter(self) -> impl Iterator<Item = Privilege> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            if rest == 0 {
                return None;
            }
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            Some(ALL_PRIVILEGES[i])
        })
    }

    /// The cell privileges named in a token scope (space separated). Other words (role URLs,
    /// `openid`, unknown names) are skipped, as Personium does.
    pub fn from_scope(scope: &str) -> PrivSet {
        scope
            .split_ascii_whitespace()
            .filter_map(Privilege::from_name)
            .filter(|p| p.is_cell_level())
            .collect()
    }
}

impl FromIterator<Privilege> for PrivSet {
    fn from_iter<I: IntoIterator<Item = Privilege>>(iter: I) -> Self {
        let mut set = PrivSet::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

impl BitOr for PrivSet {
    type Output = PrivSet;
    #[inline]
    fn bitor(self, rhs: PrivSet) -> PrivSet {
        PrivSet(self.0 | rhs.0)
    }
}

impl BitOrAssign for PrivSet {
    #[inline]
    fn bitor_assign(&mut self, rhs: PrivSet) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for PrivSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Privilege::name))
            .finish()
    }
}

/// Stored as a JSON list of names (`["read","write"]`), so the bit layout can change freely.
impl Serialize for PrivSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.count_ones() as usize))?;
        for p in self.iter() {
            seq.serialize_element(p.name())?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for PrivSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = PrivSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of privilege names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PrivSet, A::Error> {
                let mut set = PrivSet::EMPTY;
                while let Some(name) = seq.next_element::<String>()? {
                    let p = Privilege::from_name(&name)
                        .ok_or_else(|| de::Error::custom(format!("unknown privilege {name:?}")))?;
                    set.insert(p);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(SetVisitor)
    }
}

#[cfg(test)]
mod tests;
