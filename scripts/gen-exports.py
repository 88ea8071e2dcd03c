#!/usr/bin/env python3
"""libweir's public symbols, read from its public headers (lib/include/weir/*.h).

libweir.so exports exactly the functions and variables these headers declare
(and the FWPM_* GUID constants they define with DEFINE_GUID); everything else
in the library is internal. The list is generated at build time, so a function
added to a public header is exported without editing any list.

A small reader of C declarations, enough for these headers: comments and
preprocessor lines are dropped (so are the '#ifdef __cplusplus' branches),
then each top-level declaration that is not a typedef or static gives its
declarator's name. Bodies ('{...}' of structs, enums, inline functions) are
skipped whole. A name the headers declare but the library does not define is
harmless in a version script (GNU ld ignores it).

usage: gen-exports.py [--map OUT] [--dynlist OUT] [--list] header...
  --map      a version script for the shared library (-Wl,--version-script)
  --dynlist  a dynamic list for a program that links the engine statically and
             hosts callout modules (-Wl,--dynamic-list): it exports the same
             names, so a module binds to the program's engine
  --list     print the names, one per line
"""
import argparse
import re
import sys

SKIP_CALLS = {"__attribute__", "__declspec", "_Static_assert", "static_assert", "__typeof__",
              "typeof", "__extension__"}
TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[A-Za-z_]\w*|\S')
KEYWORDS = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
            "const", "volatile", "restrict", "struct", "union", "enum", "extern", "inline",
            "_Bool", "bool", "NTAPI", "WINAPI"}
IDENT = re.compile(r"[A-Za-z_]\w*$")


def strip(text):
    """The header as a C compiler (not C++) sees its declarations."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)
    out = []
    # one entry per open conditional: True when its current branch is C++-only
    stack = []
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("#"):
            d = s[1:].strip()
            if re.match(r"if(n?def)?\b", d):
                stack.append(bool(re.match(r"if(def\s+|\s+defined\s*\(?\s*)__cplusplus\b", d)))
            elif re.match(r"(else|elif)\b", d) and stack:
                stack[-1] = False
            elif re.match(r"endif\b", d) and stack:
                stack.pop()
            continue
        if not any(stack):
            out.append(line)
    return "\n".join(out)


def declarations(text):
    """Top-level declarations as token lists, bodies removed."""
    decl, depth, parens_before_body = [], 0, False
    for tok in TOKEN.findall(text):
        if depth:
            depth += {"{": 1, "}": -1}.get(tok, 0)
            if depth == 0 and parens_before_body:
                yield decl  # a function definition ends with its body
                decl = []
            continue
        if tok == "{":
            depth = 1
            parens_before_body = "(" in decl
            decl.append("{}")
        elif tok == ";":
            yield decl
            decl = []
        else:
            decl.append(tok)
    if decl:
        yield decl


def names(decl):
    """Names a top-level declaration gives external linkage to."""
    if not decl or "typedef" in decl or "static" in decl:
        return []
    if decl[0] == "DEFINE_GUID":
        return [decl[2]]
    level = 0
    for i, tok in enumerate(decl):
        if tok == "(":
            if level == 0:
                prev = decl[i - 1] if i else ""
                if IDENT.match(prev) and prev not in SKIP_CALLS and prev not in KEYWORDS:
                    return [prev]  # a function
                group = decl[i + 1:decl.index(")", i) if ")" in decl[i:] else len(decl)]
                if prev not in SKIP_CALLS and "*" in group and "(" not in group:
                    # a pointer to function: (*name)(...), (NTAPI *name)(...)
                    idents = [t for t in group if IDENT.match(t) and t not in KEYWORDS]
                    return idents[-1:]
            level += 1
        elif tok == ")":
            level -= 1
    if decl[0] != "extern":
        return []
    # extern variables: the last identifier before '[' or '=', comma-separated
    found, last, level = [], None, 0
    for tok in decl + [","]:
        if tok in ("(", "["):
            level += 1
        elif tok in (")", "]"):
            level -= 1
        elif level == 0 and tok in (",", "="):
            if last:
                found.append(last)
            last = None
            if tok == "=":
                break
        elif level == 0 and IDENT.match(tok) and tok != "extern":
            last = tok
    return found


def public_names(paths):
    result = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for decl in declarations(strip(f.read())):
                result.update(names(decl))
    return sorted(result)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--map")
    ap.add_argument("--dynlist")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("headers", nargs="+")
    args = ap.parse_args()
    syms = public_names(args.headers)
    if not syms:
        sys.exit("gen-exports: no public symbols found")
    head = "/* Generated by scripts/gen-exports.py from the public headers. Do not edit. */\n"
    if args.map:
        write(args.map, head + "{\n\tglobal:\n" + "".join(f"\t\t{s};\n" for s in syms) +
              "\tlocal:\n\t\t*;\n};\n")
    if args.dynlist:
        write(args.dynlist, head + "{\n" + "".join(f"\t{s};\n" for s in syms) + "};\n")
    if args.list:
        print("\n".join(syms))


if __name__ == "__main__":
    main()
