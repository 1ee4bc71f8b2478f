//! The `Range` request header of a file GET (`spec/personium-api.md` §2.1, §6; RFC 7233),
//! read as Personium's `RangeHeaderHandler` / `ByteRangeSpec` read it.

/// One satisfiable byte range, both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub first: u64,
    pub last: u64,
}

impl Span {
    /// How many bytes the range holds.
    pub fn length(self) -> u64 {
        self.last + 1 - self.first
    }

    /// The `Content-Range` value for a body of `size` bytes.
    pub fn content_range(self, size: u64) -> String {
        format!("bytes {}-{}/{}", self.first, self.last, size)
    }
}

/// What a `Range` header asks of a body of known size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ranges {
    /// No header, or one that does not parse: the whole body (200).
    Whole,
    /// Parses, but no range starts inside the body: 416.
    Unsatisfiable,
    /// Exactly one range inside the body: 206.
    One(Span),
    /// Several: Personium answers 501 `PR501-MC-0002` (no multipart responses).
    Many,
}

/// Personium's limit on byte-range-specs per header (more: the header is ignored).
const MAX_SPECS: usize = 13;

/// Reads `header` against a body of `size` bytes.
pub fn parse(header: Option<&str>, size: u64) -> Ranges {
    let Some(set) = header.and_then(specs) else {
        return Ranges::Whole;
    };
    let parts: Vec<&str> = set.split(',').collect();
    if parts.len() > MAX_SPECS {
        return Ranges::Whole;
    }
    let mut spans = Vec::new();
    for part in parts {
        match spec(part, size) {
            None => return Ranges::Whole,
            // COMPAT(personium): ranges starting past the end are dropped, not refused.
            Some(s) if size == 0 || s.first > size - 1 => {}
            Some(s) => spans.push(s),
        }
    }
    match spans.as_slice() {
        [] => Ranges::Unsatisfiable,
        [one] => Ranges::One(*one),
        _ => Ranges::Many,
    }
}

/// `bytes = {set}` (spaces allowed around `=`): the set.
fn specs(header: &str) -> Option<&str> {
    let rest = header.strip_prefix("bytes")?.trim_start();
    let set = rest.strip_prefix('=')?.trim_start();
    (!set.is_empty()).then_some(set)
}

/// One `first-last`, `first-` or `-suffix`; `None` when it does not parse.
fn spec(part: &str, size: u64) -> Option<Span> {
    let (first, last) = part.split_once('-')?;
    if last.contains('-') {
        return None;
    }
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<u64> {
        // Java's Long.parseLong accepts a sign; a negative position never makes a range.
        s.strip_prefix('+').unwrap_or(s).parse().ok()
    };
    let (first, last) = match (first.is_empty(), last.is_empty()) {
        (true, true) => return None,
        (true, false) => {
            let suffix = number(last)?;
            (size.saturating_sub(suffix), size.checked_sub(1)?)
        }
        (false, true) => (number(first)?, size.checked_sub(1)?),
        (false, false) => (number(first)?, number(last)?),
    };
    if first > last {
        return None;
    }
    Some(Span {
        first,
        last: last.min(size.saturating_sub(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(first: u64, last: u64) -> Ranges {
        Ranges::One(Span { first, last })
    }

    #[test]
    fn ranges() {
        let fourteen = format!("bytes={}", ["0-0"; 14].join(","));
        let thirteen = format!("bytes={}", ["0-0"; 13].join(","));
        let cases: &[(Option<&str>, u64, Ranges)] = &[
            (None, 10, Ranges::Whole),
            (Some("bytes=0-4"), 10, one(0, 4)),
            (Some("bytes = 0-4"), 10, one(0, 4)),
            (Some("bytes=5-"), 10, one(5, 9)),
            (Some("bytes=-3"), 10, one(7, 9)),
            (Some("bytes=-30"), 10, one(0, 9)),
            (Some("bytes=3-100"), 10, one(3, 9)),
            (Some("bytes=9-9"), 10, one(9, 9)),
            (Some("bytes= 2 - 3 "), 10, one(2, 3)),
            (Some("bytes=10-20"), 10, Ranges::Unsatisfiable),
            (Some("bytes=10-"), 10, Ranges::Whole),
            (Some("bytes=0-1,20-30"), 10, one(0, 1)),
            (Some("bytes=0-1,3-4"), 10, Ranges::Many),
            (Some("bytes=0-0"), 0, Ranges::Unsatisfiable),
            (Some("bytes=-5"), 0, Ranges::Whole),
            // Malformed: ignored, the whole body.
            (Some("bytes=4-2"), 10, Ranges::Whole),
            (Some("bytes=-"), 10, Ranges::Whole),
            (Some("bytes=a-b"), 10, Ranges::Whole),
            (Some("bytes=1-2-3"), 10, Ranges::Whole),
            (Some("bytes=0-1,x"), 10, Ranges::Whole),
            (Some("items=0-4"), 10, Ranges::Whole),
            (Some("bytes="), 10, Ranges::Whole),
            (Some("bytes=--1"), 10, Ranges::Whole),
            (Some(&fourteen), 10, Ranges::Whole),
            (Some(&thirteen), 10, Ranges::Many),
        ];
        for (header, size, want) in cases {
            assert_eq!(parse(*header, *size), *want, "{header:?} of {size}");
        }
    }

    #[test]
    fn content_range() {
        let s = Span { first: 2, last: 5 };
        assert_eq!(
            (s.length(), s.content_range(10)),
            (4, "bytes 2-5/10".to_owned())
        );
    }
}
