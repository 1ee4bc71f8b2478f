//! Errors of the OData query options (`spec/personium-api.md` §8.3, codes in §2.3): each variant
//! maps to the `PR400-OD-nnnn` code personium-core raises for the same failure, and carries the
//! parameters of that code's message template (`personium-messages.properties`).
//!
//! The `Display` text is for logs and says what exactly was wrong; the wire message comes from the
//! code table with [`QueryError::params`] filled in.

/// A query option that could not be accepted. Every variant is a 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// `$filter` does not parse, or has a shape Personium rejects (literal on the left, bad
    /// function arity, ordering a boolean, nesting or length limit ...). `PR400-OD-0003`.
    #[error("$filter parse error: {0}")]
    FilterSyntax(String),
    /// An operator outside the supported set (`add`, `sub`, `mul`, `div`, `mod`, or a filter
    /// that is a bare value). `PR400-OD-0043`.
    #[error("unsupported $filter operator: {0}")]
    UnsupportedOperator(String),
    /// A known OData function other than `startswith` / `substringof`. `PR400-OD-0044`.
    #[error("unsupported $filter function: {0}")]
    UnsupportedFunction(String),
    /// A `$filter` property the entity type does not have. `PR400-OD-0045`.
    #[error("unknown property in $filter: {0}")]
    UnknownProperty(String),
    /// The operand does not suit the property's type. `PR400-OD-0046`.
    #[error("operand type does not match property {0}")]
    OperandTypeMismatch(String),
    /// The operand has the right type but an invalid value (out of range). `PR400-OD-0047`.
    #[error("operand for property {0} is out of range or has an unsupported format")]
    UnsupportedOperandFormat(String),
    /// A string operand with a broken backslash escape such as `\u12x`. `PR400-OD-0048`.
    #[error("cannot unescape operand {0}")]
    OperandUnescape(String),
    /// `$orderby` is empty or does not parse. `PR400-OD-0015`.
    #[error("$orderby parse error: {0}")]
    OrderBySyntax(String),
    /// `$orderby` names a `CollectionKind="List"` property. `PR400-OD-0040`.
    #[error("cannot order by list property {0}")]
    OrderByList(String),
    /// `$select` is empty or does not parse. `PR400-OD-0017`.
    #[error("$select parse error: {0}")]
    SelectSyntax(String),
    /// `$expand` does not parse (names must start with `_`, no spaces). `PR400-OD-0026`.
    #[error("$expand parse error: {0}")]
    ExpandSyntax(String),
    /// More `$expand` navigation properties than allowed. `PR400-OD-0039`.
    #[error("too many $expand properties (max {0})")]
    ExpandLimit(usize),
    /// An `$expand` name that is not a navigation property of the type; raised by the caller that
    /// knows the schema. `PR400-OD-0025`.
    #[error("unknown navigation property in $expand: {0}")]
    UnknownNavProp(String),
    /// `$top` / `$skip` is not an integer. `PR400-OD-0036`; the field is the option name.
    #[error("{0} is not an integer")]
    NotAnInteger(&'static str),
    /// `$top` / `$skip` / `q` out of range. `PR400-OD-0029` with (option name, value).
    #[error("query value {option}={value} is out of range")]
    OutOfRange { option: &'static str, value: String },
    /// `$inlinecount` other than `allpages` / `none`. `PR400-OD-0013`.
    #[error("invalid $inlinecount {0}")]
    InlineCount(String),
    /// `$format` other than `json` / `atom`. `PR400-OD-0005`.
    #[error("invalid $format {0}")]
    Format(String),
}

impl QueryError {
    /// The Personium error code.
    pub fn pr_code(&self) -> &'static str {
        match self {
            QueryError::FilterSyntax(_) => "PR400-OD-0003",
            QueryError::UnsupportedOperator(_) => "PR400-OD-0043",
            QueryError::UnsupportedFunction(_) => "PR400-OD-0044",
            QueryError::UnknownProperty(_) => "PR400-OD-0045",
            QueryError::OperandTypeMismatch(_) => "PR400-OD-0046",
            QueryError::UnsupportedOperandFormat(_) => "PR400-OD-0047",
            QueryError::OperandUnescape(_) => "PR400-OD-0048",
            QueryError::OrderBySyntax(_) => "PR400-OD-0015",
            QueryError::OrderByList(_) => "PR400-OD-0040",
            QueryError::SelectSyntax(_) => "PR400-OD-0017",
            QueryError::ExpandSyntax(_) => "PR400-OD-0026",
            QueryError::ExpandLimit(_) => "PR400-OD-0039",
            QueryError::UnknownNavProp(_) => "PR400-OD-0025",
            QueryError::NotAnInteger(_) => "PR400-OD-0036",
            QueryError::OutOfRange { .. } => "PR400-OD-0029",
            QueryError::InlineCount(_) => "PR400-OD-0013",
            QueryError::Format(_) => "PR400-OD-0005",
        }
    }

    /// The parameters of the code's message template (`{0}`, `{1}`), empty when it has none.
    pub fn params(&self) -> Vec<String> {
        match self {
            QueryError::UnknownProperty(p)
            | QueryError::OperandTypeMismatch(p)
            | QueryError::UnsupportedOperandFormat(p)
            | QueryError::OperandUnescape(p)
            | QueryError::UnknownNavProp(p)
            | QueryError::InlineCount(p)
            | QueryError::Format(p) => vec![p.clone()],
            QueryError::NotAnInteger(option) => vec![(*option).to_owned()],
            QueryError::OutOfRange { option, value } => vec![(*option).to_owned(), value.clone()],
            QueryError::FilterSyntax(_)
            | QueryError::UnsupportedOperator(_)
            | QueryError::UnsupportedFunction(_)
            | QueryError::OrderBySyntax(_)
            | QueryError::OrderByList(_)
            | QueryError::SelectSyntax(_)
            | QueryError::ExpandSyntax(_)
            | QueryError::ExpandLimit(_) => Vec::new(),
        }
    }

    /// The HTTP status: always 400 for query options.
    pub fn status(&self) -> u16 {
        400
    }
}
