//! The stored ACL model (`spec/personium-api.md` §3.3) and the access decision (§3.4 steps 2-8,
//! with the access types of §5.3 and the `WWW-Authenticate` rules of §2.2).
//!
//! [`decide`] is one pure function, called by every handler that checks a privilege. It does
//! not allocate: the ACL chain, the caller's role ids and the box facts are borrowed, and every
//! denial is a `&'static str` PR code.
//!
//! ACEs name roles by role id, so renaming a role keeps its ACLs; an ACE whose role was deleted
//! simply never matches (the PROPFIND rendering drops it, as Personium does).
//!
//! Role ids on the caller side: `&[String]`, **sorted** (byte order, as `slice::sort` leaves
//! them) — the resident's roles, or for visitors the roles of this cell reached through ExtCell,
//! Relation and ExtRole links (§3.4 last paragraph). Duplicates are harmless.

use serde::{Deserialize, Serialize};

use crate::auth::privilege::{PrivSet, Privilege};

/// A role's database id (Personium `__id`, 32 hex characters here).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleId(pub String);

impl RoleId {
    /// The id as text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who an ACE is about: `D:all` (everyone, anonymous included) or one role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcePrincipal {
    All,
    Role(RoleId),
}

/// One access control entry: grant only (no `deny`, no `invert`, §3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ace {
    pub principal: AcePrincipal,
    /// The privileges as written; what they include is worked out at check time.
    pub grant: PrivSet,
}

/// `p:requireSchemaAuthz` (§3.3, §3.4 step 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaAuthz {
    None,
    Public,
    Confidential,
}

impl SchemaAuthz {
    /// The attribute value.
    pub const fn as_str(self) -> &'static str {
        match self {
            SchemaAuthz::None => "none",
            SchemaAuthz::Public => "public",
            SchemaAuthz::Confidential => "confidential",
        }
    }

    /// Parses an attribute value; only the three exact words are valid.
    pub fn parse(value: &str) -> Option<SchemaAuthz> {
        match value {
            "none" => Some(SchemaAuthz::None),
            "public" => Some(SchemaAuthz::Public),
            "confidential" => Some(SchemaAuthz::Confidential),
            _ => None,
        }
    }
}

/// The ACL of one resource (cell, box, collection or file), stored as JSON text.
/// Empty (the default for new resources) grants nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    #[serde(default)]
    pub aces: Vec<Ace>,
    /// `None` = not set here: the value is inherited from the parent (§3.4 step 4).
    #[serde(
        default,
        rename = "requireSchemaAuthz",
        skip_serializing_if = "Option::is_none"
    )]
    pub require_schema_authz: Option<SchemaAuthz>,
}

impl Acl {
    /// The JSON stored in the database.
    pub fn to_json(&self) -> String {
        // Serializing plain structs, enums and strings into a String cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Reads the stored JSON.
    pub fn from_json(json: &str) -> Result<Acl, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// True if an ACE of this ACL grants `required` to a caller holding `roles` (sorted).
    ///
    /// A granted privilege includes everything below it (§3.1, §3.2).
    // COMPAT(personium): cell `root` granted to a *role* grants every privilege, box ones
    // included; granted to `D:all` it grants only cell privileges, because Personium looks the
    // ACE's privilege names up among the required privilege's own kind and special-cases `root`
    // for role ACEs only (AccessContext.hasSubjectPrivilegeForAcl).
    pub fn grants(&self, required: Privilege, roles: &[String]) -> bool {
        self.grants_to(required, &RoleMatcher::new(roles))
    }

    #[inline]
    fn grants_to(&self, required: Privilege, roles: &RoleMatcher<'_>) -> bool {
        let for_all = required.granted_by();
        let for_role = for_all | PrivSet::of(Privilege::Root);
        self.aces.iter().any(|ace| match &ace.principal {
            AcePrincipal::All => ace.grant.intersects(for_all),
            AcePrincipal::Role(id) => ace.grant.intersects(for_role) && roles.contains(id),
        })
    }
}

/// How many role ids [`RoleMatcher`] keeps keys for on the stack.
const KEYED_ROLES: usize = 16;

/// The caller's role ids, ready for many lookups within one decision: for up to
/// [`KEYED_ROLES`] roles an array of 8-byte prefix keys on the stack (scanned; ids are random
/// hex, so the full comparison runs almost only on the match itself), beyond that a binary
/// search of the sorted ids.
struct RoleMatcher<'a> {
    roles: &'a [String],
    keys: [u64; KEYED_ROLES],
}

impl<'a> RoleMatcher<'a> {
    #[inline]
    fn new(roles: &'a [String]) -> Self {
        debug_assert!(
            roles.windows(2).all(|w| w[0] <= w[1]),
            "role ids must be sorted"
        );
        let mut keys = [0u64; KEYED_ROLES];
        if roles.len() <= KEYED_ROLES {
            for (k, r) in keys.iter_mut().zip(roles) {
                *k = prefix_key(r);
            }
        }
        RoleMatcher { roles, keys }
    }

    #[inline]
    fn contains(&self, id: &RoleId) -> bool {
        let (id, key) = (id.as_str(), prefix_key(id.as_str()));
        let n = self.roles.len();
        if n <= KEYED_ROLES {
            return self.keys[..n]
                .iter()
                .zip(self.roles)
                .any(|(k, r)| *k == key && r == id);
        }
        self.roles
            .binary_search_by(|r| prefix_key(r).cmp(&key).then_with(|| r.as_str().cmp(id)))
            .is_ok()
    }
}

/// The first 8 bytes, zero-padded, big-endian: ordered like the strings themselves (ties are
/// settled by the full comparison).
#[inline]
fn prefix_key(s: &str) -> u64 {
    match s.as_bytes().first_chunk::<8>() {
        Some(head) => u64::from_be_bytes(*head),
        None => {
            let mut buf = [0u8; 8];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            u64::from_be_bytes(buf)
        }
    }
}

/// The unit-user role a UUT carries for cell contents (§3.4 step 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellContents {
    /// Neither `CellContentsReader` nor `CellContentsAdmin`.
    None,
    /// `CellContentsReader`: read-type privileges only.
    Reader,
    /// `CellContentsAdmin`: every privilege.
    Admin,
}

/// What a cell-issued or trans-cell token says about the app and the scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenInfo<'a> {
    /// The token's schema (client) URL; a trailing `#c` marks a confidential client. `None` =
    /// no schema authentication.
    pub schema: Option<&'a str>,
    /// The cell privileges of the token scope ([`PrivSet::from_scope`]).
    pub scope: PrivSet,
}

/// The caller, classified by access type (§5.3). Role ids are sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller<'a> {
    /// No credentials.
    Anonymous,
    /// Unusable credentials; the 401 code to report if access is refused (e.g. `PR401-AU-0002`
    /// expired, `-0003` scheme, `-0006` parse, `-0007` refresh token, `-0011` Basic failed).
    Invalid(&'static str),
    /// The unit master token without `X-Personium-Unit-User`.
    UnitMaster,
    /// MT + `X-Personium-Unit-User`, or a UUT (`admin`: the UUT carries `UnitAdmin` and no
    /// `X-Personium-Unit-User`). `owner_match`: the subject is the cell owner.
    UnitUser {
        admin: bool,
        owner_match: bool,
        contents: CellContents,
    },
    /// A unit-local unit user token (`AU~`).
    UnitLocal { owner_match: bool },
    /// Basic authentication of an account of this cell (scope `root`).
    Basic { roles: &'a [String] },
    /// A resident access token (`AR~`).
    Account {
        roles: &'a [String],
        token: TokenInfo<'a>,
    },
    /// A password-change token (`AP~`).
    PasswordChange { token: TokenInfo<'a> },
    /// A visitor token (`AV~`) or a trans-cell token addressed to this cell: the roles are this
    /// cell's roles mapped from the token.
    Visitor {
        roles: &'a [String],
        token: TokenInfo<'a>,
    },
}

/// Where the resource lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level<'a> {
    /// Cell level: the cell root, `__ctl`, `__message`, `__event`, ...
    Cell,
    /// Inside a box (the box itself included).
    Box(BoxInfo<'a>),
}

/// The facts about the box that the decision needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoxInfo<'a> {
    /// The box Schema URL in http form (`personium-localunit:` resolved); `None` or empty =
    /// no schema. For the main box `__` this is the cell URL.
    pub schema: Option<&'a str>,
    /// True for the main box `__` (Basic is allowed there despite its schema).
    pub main: bool,
}

impl BoxInfo<'_> {
    fn schema(&self) -> Option<&str> {
        self.schema.filter(|s| !s.is_empty())
    }

    /// Basic is accepted on the main box and on boxes without a schema (§2.1).
    fn basic_allowed(&self) -> bool {
        self.main || self.schema().is_none()
    }
}

/// One privilege check.
#[derive(Clone, Copy, Debug)]
pub struct AccessRequest<'a> {
    pub required: Privilege,
    pub caller: &'a Caller<'a>,
    pub level: Level<'a>,
    /// Box level: the ACLs from the resource up to the box, nearest first, skipping resources
    /// that do not exist. Cell level: ignored (pass `&[]`).
    pub chain: &'a [&'a Acl],
    /// The cell's own ACL.
    pub cell_acl: &'a Acl,
}

/// Which `WWW-Authenticate` challenges a 401 carries (§2.2); realm = the cell URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// None (403 responses).
    None,
    /// `Bearer realm="{C}"` only: cell level, and boxes with a schema.
    Bearer,
    /// `Bearer realm="{C}"` and `Basic realm="{C}"`: the main box and boxes without schema.
    BearerAndBasic,
}

/// Why access is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denial {
    /// The PR code id, e.g. `PR401-AU-0001`, `PR403-AU-0002`.
    pub code: &'static str,
    pub challenge: Challenge,
}

impl Denial {
    /// The HTTP status: the three digits after `PR`.
    pub fn status(&self) -> u16 {
        self.code
            .get(2..5)
            .and_then(|s| s.parse().ok())
            .unwrap_or(403)
    }

    /// The `{0}` of the code's message, if it has one: the privilege name for `PR403-AU-0007`.
    pub fn param(&self, required: Privilege) -> Option<&'static str> {
        (self.code == code::INSUFFICIENT_SCOPE).then_some(required.name())
    }
}

/// The outcome of [`decide`].
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Denial),
}

impl Decision {
    /// True for [`Decision::Allow`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// The PR codes [`decide`] returns.
pub mod code {
    /// Anonymous (or Basic where Basic is not accepted) and not granted.
    pub const AUTHORIZATION_REQUIRED: &str = "PR401-AU-0001";
    /// A password-change token anywhere under a box.
    pub const PASSWORD_CHANGE_TOKEN: &str = "PR401-AU-0012";
    /// Authenticated but not granted.
    pub const PRIVILEGE_LACKING: &str = "PR403-AU-0002";
    /// The box needs schema authentication and the token has no schema.
    pub const SCHEMA_AUTH_REQUIRED: &str = "PR403-AU-0004";
    /// The token's schema is not the box's.
    pub const SCHEMA_MISMATCH: &str = "PR403-AU-0005";
    /// `confidential` required, public client (or no client) presented.
    pub const INSUFFICIENT_SCHEMA_LEVEL: &str = "PR403-AU-0006";
    /// Cell level: granted by the ACL but not by the token scope (`{0}` = privilege name).
    pub const INSUFFICIENT_SCOPE: &str = "PR403-AU-0007";
}

/// §3.4: may the caller exercise `req.required` on the resource?
///
/// Order, as Personium's `CellRsCmp`/`DavRsCmp.checkAccessContext`: unit-user bypass; (box)
/// password-change token; (box) schema check; Basic invalidation; the ACL walk up to the cell
/// ACL; the failure code; (cell) the token scope.
#[inline]
pub fn decide(req: &AccessRequest<'_>) -> Decision {
    let caller = req.caller;
    if unit_bypass(caller, req.required) {
        return Decision::Allow;
    }
    match req.level {
        Level::Cell => decide_cell(req),
        Level::Box(bx) => decide_box(req, &bx),
    }
}

fn decide_cell(req: &AccessRequest<'_>) -> Decision {
    // Basic is never accepted at cell level (§3.4 step 5).
    let who = effective(req.caller, false);
    if !req.cell_acl.grants(req.required, who.roles) {
        return deny_for(&who, Challenge::Bearer);
    }
    // COMPAT(personium): the scope check follows the ACL check, so even a `D:all` grant needs a
    // token scope: anonymous and unit-local callers get 403 PR403-AU-0007 there.
    if req.required.is_cell_level() && !who.scope.grants(req.required) {
        return deny(code::INSUFFICIENT_SCOPE, Challenge::None);
    }
    Decision::Allow
}

fn decide_box(req: &AccessRequest<'_>, bx: &BoxInfo<'_>) -> Decision {
    let challenge = if bx.basic_allowed() {
        Challenge::BearerAndBasic
    } else {
        Challenge::Bearer
    };
    if matches!(req.caller, Caller::PasswordChange { .. }) {
        return deny(code::PASSWORD_CHANGE_TOKEN, challenge);
    }
    if let Some(denial) = schema_check(req, bx, challenge) {
        return Decision::Deny(denial);
    }
    let who = effective(req.caller, bx.basic_allowed());
    let granted = chain_grants(req, who.roles);
    if granted {
        Decision::Allow
    } else {
        deny_for(&who, challenge)
    }
}

/// PROPFIND: may the caller see the `<D:acl>` property (`read-acl` in a box, `acl-read` at
/// cell level)? Unit bypass, else the ACL walk alone: no schema and no scope check, as
/// Personium's `doPropfind` (the PROPFIND itself has been allowed by [`decide`] already).
pub fn can_read_acl(req: &AccessRequest<'_>) -> bool {
    if unit_bypass(req.caller, req.required) {
        return true;
    }
    match req.level {
        Level::Cell => req
            .cell_acl
            .grants(req.required, effective(req.caller, false).roles),
        Level::Box(bx) => chain_grants(req, effective(req.caller, bx.basic_allowed()).roles),
    }
}

/// §3.4 step 6: the resource's ACL, its ancestors' up to the box, then the cell's.
#[inline]
fn chain_grants(req: &AccessRequest<'_>, roles: &[String]) -> bool {
    let roles = RoleMatcher::new(roles);
    req.chain
        .iter()
        .copied()
        .chain(std::iter::once(req.cell_acl))
        .any(|acl| acl.grants_to(req.required, &roles))
}

/// §3.4 step 2: `AccessContext.isUnitUserToken(privilege)`.
#[inline]
fn unit_bypass(caller: &Caller<'_>, required: Privilege) -> bool {
    match *caller {
        Caller::UnitMaster => true,
        Caller::UnitUser {
            admin,
            owner_match,
            contents,
        } if admin || owner_match => match contents {
            CellContents::Admin => true,
            CellContents::Reader => required.is_read_type(),
            CellContents::None => false,
        },
        // COMPAT(personium): a unit-local token never carries a unit-user role, so it never
        // passes this bypass; it only skips the schema check.
        _ => false,
    }
}

/// `AccessContext.isUnitUserToken()`: callers that skip the schema check.
fn schema_exempt(caller: &Caller<'_>) -> bool {
    match *caller {
        Caller::UnitMaster => true,
        Caller::UnitUser {
            admin, owner_match, ..
        } => admin || owner_match,
        Caller::UnitLocal { owner_match } => owner_match,
        _ => false,
    }
}

/// §3.4 step 4 (`AccessContext.checkSchemaAccess`).
fn schema_check(req: &AccessRequest<'_>, bx: &BoxInfo<'_>, challenge: Challenge) -> Option<Denial> {
    if schema_exempt(req.caller) {
        return None;
    }
    // COMPAT(personium): the nearest explicit value wins, and the walk goes past the box up to
    // the cell ACL (DavRsCmp.getConfidentialLevel asks its parent, the cell, last).
    let level = req
        .chain
        .iter()
        .copied()
        .chain(std::iter::once(req.cell_acl))
        .find_map(|acl| acl.require_schema_authz)
        .unwrap_or(SchemaAuthz::None);
    if level == SchemaAuthz::None {
        return None;
    }
    match *req.caller {
        Caller::Invalid(code) => return Some(Denial { code, challenge }),
        Caller::Anonymous => return Some(denial(code::AUTHORIZATION_REQUIRED, challenge)),
        _ => {}
    }
    let token_schema = token_of(req.caller).and_then(|t| t.schema);
    if let Some(box_schema) = bx.schema() {
        match token_schema {
            None => return Some(denial(code::SCHEMA_AUTH_REQUIRED, Challenge::None)),
            Some(ts) if !schema_matches(ts, box_schema) => {
                return Some(denial(code::SCHEMA_MISMATCH, Challenge::None))
            }
            Some(_) => {}
        }
    }
    let client = client_level(token_schema);
    let enough = match level {
        SchemaAuthz::Public => client != SchemaAuthz::None,
        SchemaAuthz::Confidential => client == SchemaAuthz::Confidential,
        SchemaAuthz::None => true,
    };
    (!enough).then(|| denial(code::INSUFFICIENT_SCHEMA_LEVEL, Challenge::None))
}

/// The token's client level: none without a schema, confidential when it ends with `#c`.
fn client_level(schema: Option<&str>) -> SchemaAuthz {
    match schema {
        None | Some("") => SchemaAuthz::None,
        Some(s) if s.ends_with("#c") => SchemaAuthz::Confidential,
        Some(_) => SchemaAuthz::Public,
    }
}

/// `tokenSchema.replaceAll("#c", "").equals(boxSchema)` without allocating.
// COMPAT(personium): every `#c` is removed, not only a trailing one.
fn schema_matches(token_schema: &str, box_schema: &str) -> bool {
    let (t, b) = (token_schema.as_bytes(), box_schema.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < t.len() {
        if t[i] == b'#' && t.get(i + 1) == Some(&b'c') {
            i += 2;
            continue;
        }
        if b.get(j) != Some(&t[i]) {
            return false;
        }
        i += 1;
        j += 1;
    }
    j == b.len()
}

fn token_of<'a>(caller: &Caller<'a>) -> Option<TokenInfo<'a>> {
    match *caller {
        Caller::Account { token, .. }
        | Caller::Visitor { token, .. }
        | Caller::PasswordChange { token } => Some(token),
        _ => None,
    }
}

/// The caller as the ACL walk sees it.
struct Effective<'a> {
    roles: &'a [String],
    scope: PrivSet,
    /// What to answer when nothing grants the privilege.
    failure: Failure,
}

#[derive(Clone, Copy)]
enum Failure {
    Unauthorized(&'static str),
    Forbidden,
}

/// Applies Basic invalidation (§3.4 step 5) and picks roles, scope and failure code (step 7).
fn effective<'a>(caller: &Caller<'a>, basic_allowed: bool) -> Effective<'a> {
    let root_scope = PrivSet::of(Privilege::Root);
    let (roles, scope, failure): (&[String], PrivSet, Failure) = match *caller {
        Caller::Anonymous => (
            &[],
            PrivSet::EMPTY,
            Failure::Unauthorized(code::AUTHORIZATION_REQUIRED),
        ),
        Caller::Invalid(c) => (&[], PrivSet::EMPTY, Failure::Unauthorized(c)),
        Caller::Basic { roles } if basic_allowed => (roles, root_scope, Failure::Forbidden),
        // Basic where it is not accepted counts as no credentials (the scope stays `root`).
        Caller::Basic { .. } => (
            &[],
            root_scope,
            Failure::Unauthorized(code::AUTHORIZATION_REQUIRED),
        ),
        Caller::Account { roles, token } | Caller::Visitor { roles, token } => {
            (roles, token.scope, Failure::Forbidden)
        }
        Caller::PasswordChange { token } => (&[], token.scope, Failure::Forbidden),
        Caller::UnitMaster | Caller::UnitUser { .. } | Caller::UnitLocal { .. } => {
            (&[], PrivSet::EMPTY, Failure::Forbidden)
        }
    };
    Effective {
        roles,
        scope,
        failure,
    }
}

fn deny_for(who: &Effective<'_>, challenge: Challenge) -> Decision {
    match who.failure {
        Failure::Unauthorized(code) => deny(code, challenge),
        Failure::Forbidden => deny(code::PRIVILEGE_LACKING, Challenge::None),
    }
}

#[inline]
fn denial(code: &'static str, challenge: Challenge) -> Denial {
    Denial { code, challenge }
}

#[inline]
fn deny(code: &'static str, challenge: Challenge) -> Decision {
    Decision::Deny(denial(code, challenge))
}

#[cfg(test)]
mod tests;
