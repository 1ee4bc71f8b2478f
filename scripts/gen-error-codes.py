#!/usr/bin/env python3
"""Regenerate unitcell's Personium error-code table (src/error/codes/*.rs).

Usage:
    scripts/gen-error-codes.py PATH/TO/personium-messages.properties \
        [--label "personium-core v1.8.3"] [--out src/error/codes]
    scripts/gen-error-codes.py --print-spec-codes PATH/TO/personium-api.md \
        PATH/TO/personium-messages.properties

The first form reads Personium's message catalogue (personium-core,
src/main/resources/personium-messages.properties, Apache License 2.0) and
writes one Rust file per code family plus `all.rs` (the sorted `ALL` slice).
Only response codes (`PRnnn-XX-nnnn`) are emitted; log (`PL-`) and screen
(`PS-`) messages are skipped. The texts are part of Personium's wire
contract, so they are copied verbatim after:

* java.util.Properties decoding (ISO-8859-1, `\\uXXXX`, `\\t` & co., `\\x` -> x,
  line continuations, last duplicate key wins, as `Properties.load` does);
* java.text.MessageFormat quoting (`''` -> `'`, quoted sections taken
  literally), because Personium runs every parameterised message through
  `MessageFormat.format` before sending it.

`{0}`, `{1}`, ... placeholders stay in the template; `Code::render` fills them.

The second form prints the Rust `SPEC_CODES` list used by tests.rs: every
code the spec names, with `/`-lists, `…`/`..` ranges, `000x` wildcards and
`PR400/401-XX-nnnn` status lists expanded to the codes that exist.

The script is unitcell's own code; it contains no Personium code.
"""

import argparse
import hashlib
import os
import re
import sys
import textwrap

# Codes Personium sends that are not in personium-messages.properties, or that
# our spec needs although the properties file lacks them. Each entry:
# (id, message template, COMPAT comment).
EXTRA_CODES = [
    (
        "PR500-SV-9999",
        "Unknown Exception [{0}]",
        "COMPAT(personium): not in personium-messages.properties v1.8.3; "
        "Personium hard-codes this code and text in PersoniumCoreExceptionMapper "
        "for unexpected exceptions ({0} = random error id; Personium sends "
        'lang "en_US" for it).',
    ),
    (
        "PR413-MC-0001",
        "Request body too large. The limit is [{0}] bytes.",
        "Ours, beyond Personium (which has no code for an oversize body): bodies past the "
        "configured limit are refused before they are parsed.",
    ),
]

# Codes our spec mentions only to say Personium's *documentation* names them
# while the server never sends them (the spec's DOC != CODE notes). They are
# deliberately not in the table; tests.rs asserts they stay out.
SPEC_DOC_ONLY = [
    "PR400-AN-0020",
    "PR400-AN-0021",
    "PR400-AN-0030",
    "PR400-AN-0031",
    "PR400-AN-0032",
    "PR400-AN-0033",
    "PR401-AN-0001",
]

# Family (the two letters in the id) -> output module. Families not listed
# here go to FALLBACK_MODULE (with a warning).
MODULES = {
    "od": (["OD"], "`OData` errors (`PRnnn-OD-nnnn`)."),
    "dv": (["DV"], "`WebDAV` errors (`PRnnn-DV-nnnn`)."),
    "auth": (
        ["AU", "AN", "AZ", "PA"],
        "Authorization (`AU`), token endpoint (`AN`), authz endpoint (`AZ`) and "
        "auth plug-in (`PA`) errors.",
    ),
    "message": (["SM", "RM"], "Sent (`SM`) and received (`RM`) message errors."),
    "event": (["EV"], "Event and event-log errors (`PRnnn-EV-nnnn`)."),
    "bar": (["BI"], "Bar file install errors (`PRnnn-BI-nnnn`)."),
    "server": (
        ["SV", "SC", "NW", "PL"],
        "Server (`SV`), service collection engine (`SC`), network (`NW`) and "
        "plug-in (`PL`) errors.",
    ),
    "misc": (
        ["MC", "CM", "UI"],
        "Miscellaneous (`MC`), common (`CM`) and UI relay (`UI`) errors.",
    ),
}
FALLBACK_MODULE = "misc"

KEY_PREFIX = "io.personium.core.msg."
CODE_RE = re.compile(r"^PR(\d{3})-([A-Z]{2})-(\d{4})$")


# ---------------------------------------------------------------- properties


def _logical_lines(text):
    """Yield logical lines as java.util.Properties.load sees them."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r").lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        # A line continues while it ends in an odd number of backslashes.
        while True:
            trailing = len(line) - len(line.rstrip("\\"))
            if trailing % 2 == 0 or i >= len(lines):
                if trailing % 2 == 1:
                    line = line[:-1]
                break
            line = line[:-1] + lines[i].rstrip("\r").lstrip(" \t\f")
            i += 1
        yield line


def _unescape(s):
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(s):
            break
        c = s[i]
        i += 1
        if c == "u":
            hexd = s[i : i + 4]
            if len(hexd) != 4 or not all(h in "0123456789abcdefABCDEF" for h in hexd):
                raise ValueError("malformed \\uxxxx encoding in %r" % s)
            out.append(chr(int(hexd, 16)))
            i += 4
        else:
            out.append({"t": "\t", "r": "\r", "n": "\n", "f": "\f"}.get(c, c))
    return "".join(out)


def _split_key_value(line):
    """Split a logical line into (raw key, raw value) like Properties.load."""
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
            continue
        if c in "=: \t\f":
            break
        i += 1
    key = line[:i]
    # Skip whitespace, at most one '=' or ':', then whitespace again.
    while i < n and line[i] in " \t\f":
        i += 1
    if i < n and line[i] in "=:":
        i += 1
    while i < n and line[i] in " \t\f":
        i += 1
    return key, line[i:]


def parse_properties(path):
    """Return (dict key -> value, list of (duplicate key, overridden value))."""
    with open(path, "rb") as f:
        text = f.read().decode("iso-8859-1")
    props = {}
    dups = []
    for line in _logical_lines(text):
        raw_key, raw_value = _split_key_value(line)
        key = _unescape(raw_key)
        if key in props:
            dups.append((key, props[key]))
            del props[key]  # keep insertion order of the winning (last) entry
        props[key] = _unescape(raw_value)
    return props, dups


# ------------------------------------------------------------- MessageFormat


def message_format_template(pattern, code):
    """Apply MessageFormat quoting; keep `{n}` placeholders as `{n}`.

    Fails on constructs `Code::render` cannot reproduce (format types such as
    `{0,number}`, or a literal `{digits}` produced by quoting).
    """
    out = []
    i = 0
    n = len(pattern)
    in_quote = False
    while i < n:
        c = pattern[i]
        if c == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                out.append("'")
                i += 2
            else:
                in_quote = not in_quote
                i += 1
            continue
        if in_quote:
            if c == "{" and re.match(r"\{\d+\}", pattern[i:]):
                raise ValueError("%s: quoted placeholder cannot be represented" % code)
            out.append(c)
            i += 1
            continue
        if c == "{":
            m = re.match(r"\{\s*(\d+)\s*\}", pattern[i:])
            if not m:
                raise ValueError("%s: unsupported MessageFormat element in %r" % (code, pattern))
            out.append("{%d}" % int(m.group(1)))
            i += m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)


# ------------------------------------------------------------------- output


def rust_str(s):
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def const_name(code):
    return code.replace("-", "_")


def load_codes(props_path):
    props, dups = parse_properties(props_path)
    codes = {}
    for key, value in props.items():
        if not key.startswith(KEY_PREFIX):
            continue
        code = key[len(KEY_PREFIX) :]
        if not CODE_RE.match(code):
            continue  # PL-/PS- log and screen messages
        comment = None
        for dkey, old in dups:
            if dkey == key:
                comment = (
                    "personium-messages.properties defines this key twice; as in "
                    "java.util.Properties the last value wins (overridden: %r)." % old
                )
        codes[code] = (message_format_template(value, code), comment)
    for code, message, comment in EXTRA_CODES:
        if code in codes:
            print("note: extra code %s now in properties; using properties text" % code, file=sys.stderr)
            continue
        codes[code] = (message_format_template(message, code), comment)
    return codes, [d[len(KEY_PREFIX) :] for d, _ in dups if d.startswith(KEY_PREFIX)]


def module_of(family):
    for module, (families, _) in MODULES.items():
        if family in families:
            return module
    print("warning: family %s not mapped; putting it in %s.rs" % (family, FALLBACK_MODULE), file=sys.stderr)
    return FALLBACK_MODULE


HEADER = """\
// @generated by scripts/gen-error-codes.py; do not edit by hand, change the
// script and rerun it. Source: Personium's personium-messages.properties
// ({label}; Apache License 2.0),
// sha256 {sha}.
"""


def render_const(code, message, comment):
    m = CODE_RE.match(code)
    status = int(m.group(1))
    lines = []
    if comment:
        lines.extend("// " + ln for ln in textwrap.wrap(comment, 97))
    lines.append("pub const %s: Code = Code {" % const_name(code))
    lines.append("    id: %s," % rust_str(code))
    lines.append("    status: %d," % status)
    message_line = "    message: %s," % rust_str(message)
    if len(message_line) > 100:  # what rustfmt does with an over-long field
        lines.append("    message:")
        lines.append("        %s," % rust_str(message))
    else:
        lines.append(message_line)
    lines.append("};")
    return "\n".join(lines)


def generate(props_path, out_dir, label):
    with open(props_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    codes, dups = load_codes(props_path)
    for d in dups:
        print("note: duplicate key %s in properties; last value wins (as in Java)" % d, file=sys.stderr)
    header = HEADER.format(label=label, sha=sha)

    by_module = {m: [] for m in MODULES}
    for code in sorted(codes):
        family = CODE_RE.match(code).group(2)
        by_module.setdefault(module_of(family), []).append(code)

    written = []
    for module, members in by_module.items():
        doc = MODULES.get(module, ([], "Other errors."))[1]
        parts = ["//! %s" % doc, "", header, "use super::Code;", "", ""]
        body = "\n\n".join(render_const(c, *codes[c]) for c in members)
        text = "\n".join(parts) + body + "\n"
        path = os.path.join(out_dir, module + ".rs")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        written.append((path, len(members), text.count("\n")))

    all_lines = [
        "//! `ALL`: every code in the table, sorted by id (`by_id` binary-searches it).",
        "",
        header,
        "use super::Code;",
        "",
        "/// Every Personium error code, sorted by id.",
        "pub static ALL: &[&Code] = &[",
    ]
    for code in sorted(codes):
        all_lines.append("    &super::%s," % const_name(code))
    all_lines.append("];")
    path = os.path.join(out_dir, "all.rs")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(all_lines) + "\n")
    written.append((path, len(codes), len(all_lines)))

    for path, count, nlines in written:
        print("wrote %s (%d codes, %d lines)" % (path, count, nlines), file=sys.stderr)
    print("total: %d codes" % len(codes), file=sys.stderr)


# ---------------------------------------------------------------- spec list


def spec_codes(spec_path, props_path):
    codes, _ = load_codes(props_path)
    with open(spec_path, encoding="utf-8") as f:
        spec = f.read()
    found = set()
    # PR400-XX-0001/0002, PR400-XX-0001…0022, PR400-XX-0030..0033 (mixed too).
    for m in re.finditer(r"PR(\d{3})-([A-Z]{2})-(\d{4}(?:(?:/|…|\.\.)\d{4})*)", spec):
        status, family, rest = m.groups()
        tokens = re.split(r"(/|…|\.\.)", rest)
        explicit = [tokens[0]]
        ranged = []
        for sep, num in zip(tokens[1::2], tokens[2::2]):
            if sep == "/":
                explicit.append(num)
            else:
                lo = explicit.pop() if explicit else num
                ranged.append((int(lo), int(num)))
        # The first, fully written code always counts; the shorthand
        # continuations count only where the code exists.
        first = "PR%s-%s-%s" % (status, family, tokens[0])
        found.add(first)
        for num in explicit[1:]:
            c = "PR%s-%s-%s" % (status, family, num)
            if c in codes:
                found.add(c)
        for lo, hi in ranged:
            for k in range(lo, hi + 1):
                c = "PR%s-%s-%04d" % (status, family, k)
                if c in codes:
                    found.add(c)
    # PR412-UI-000x
    for m in re.finditer(r"PR(\d{3})-([A-Z]{2})-(\d{0,3})x", spec):
        prefix = "PR%s-%s-%s" % m.groups()
        found.update(c for c in codes if c.startswith(prefix))
    # PR400/401/500/503-PA-0001
    for m in re.finditer(r"PR(\d{3}(?:/\d{3})+)-([A-Z]{2})-(\d{4})", spec):
        for status in m.group(1).split("/"):
            found.add("PR%s-%s-%s" % (status, m.group(2), m.group(3)))
    doc_only = sorted(found & set(SPEC_DOC_ONLY))
    missing = sorted(found - set(codes) - set(SPEC_DOC_ONLY))
    if missing:
        print("error: spec codes missing from table (add to EXTRA_CODES): %s" % missing, file=sys.stderr)
        sys.exit(1)
    print("/// Every code named in shared/spec/personium-api.md (ranges expanded),")
    print("/// generated by `scripts/gen-error-codes.py --print-spec-codes`.")
    print("const SPEC_CODES: &[&str] = &[")
    for c in sorted(found - set(SPEC_DOC_ONLY)):
        print("    %s," % rust_str(c))
    print("];")
    print()
    print("/// Codes the spec names only as Personium *documentation* errors")
    print("/// (DOC != CODE); the server never sends them, so they are not in the table.")
    print("const SPEC_DOC_ONLY: &[&str] = &[")
    for c in SPEC_DOC_ONLY:
        print("    %s," % rust_str(c))
    print("];")
    if doc_only:
        print("doc-only codes seen in spec: %s" % doc_only, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("properties", nargs="?", help="path of personium-messages.properties")
    ap.add_argument("--label", default="personium-core", help="source description for the header")
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "error", "codes")
    ap.add_argument("--out", default=default_out, help="output directory (default: src/error/codes)")
    ap.add_argument(
        "--print-spec-codes",
        metavar="SPEC_MD",
        help="print the SPEC_CODES list for tests.rs instead of generating",
    )
    args = ap.parse_args()
    if not args.properties:
        ap.error("the path of personium-messages.properties is required")
    if args.print_spec_codes:
        spec_codes(args.print_spec_codes, args.properties)
    else:
        os.makedirs(args.out, exist_ok=True)
        generate(args.properties, os.path.normpath(args.out), args.label)


if __name__ == "__main__":
    main()
