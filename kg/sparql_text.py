"""SPARQL text: which form a request has, and whether it may call a remote endpoint.

A lexer, not a word search: variables, prefixed names, IRIs, strings and comments named `add` or
`service` are not keywords. The parser is pyoxigraph's; this only has to agree with it on what is
code. `kg serve` and `kg query` both refuse updates with it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

UPDATE_FORMS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

_NAME_CHAR = r"[\w\-\u00B7\u0300-\u036F\u203F\u2040]"
_LOCAL_ESCAPE = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_LOCAL_CHAR = rf"(?:{_NAME_CHAR}|:|{_LOCAL_ESCAPE})"
_TOKEN = re.compile("|".join([
    r"(?P<comment>#[^\r\n]*)",
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    r"(?P<string>\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r"|\"(?:[^\"\\\r\n]|\\.)*\"|'(?:[^'\\\r\n]|\\.)*')",
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)",
    r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    rf"(?P<bnode>_:{_NAME_CHAR}(?:(?:{_NAME_CHAR}|\.)*{_NAME_CHAR})?)",
    rf"(?P<pname>(?:[^\W\d_](?:(?:{_NAME_CHAR}|\.)*{_NAME_CHAR})?)?:"
    rf"(?:{_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?)?)",
    r"(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)",
    r"(?P<word>[^\W\d_]\w*)",
    r"(?P<space>\s+)",
    r"(?P<punct>.)",
]), re.DOTALL)
_OPERAND_KINDS = frozenset({"var", "number", "string", "langtag", "iri", "pname", "bnode"})


@dataclass(frozen=True)
class Token:
    kind: str   # comment, iri, string, var, langtag, bnode, pname, number, word or punct
    text: str


def sparql_tokens(sparql: str) -> tuple[Token, ...]:
    """The tokens of a SPARQL text, without whitespace and comments."""
    return tuple(Token(match.lastgroup, match.group()) for match in _TOKEN.finditer(sparql)
                 if match.lastgroup not in ("space", "comment"))


def _is_word(token: Token, *words: str) -> bool:
    return token.kind == "word" and token.text.upper() in words


def query_form(tokens: tuple[Token, ...]) -> str:
    """The first keyword after the prologue (BASE and PREFIX declarations), upper-cased: SELECT, ASK, ...
    for a query, INSERT, LOAD, ... for an update; "" when it starts with no keyword."""
    i = 0
    while i < len(tokens):
        if _is_word(tokens[i], "BASE"):
            i += 2
        elif _is_word(tokens[i], "PREFIX"):
            i += 3
        else:
            return tokens[i].text.upper() if tokens[i].kind == "word" else ""
    return ""


def _follows_operand(tokens: tuple[Token, ...], i: int) -> bool:
    """Whether tokens[i] comes where an expression operand ended, so that its `<` may be read as less-than."""
    if i == 0:
        return False
    before = tokens[i - 1]
    if before.kind == "pname" and i >= 2 and _is_word(tokens[i - 2], "PREFIX"):
        return False
    return before.kind in _OPERAND_KINDS or before.text == ")" or _is_word(before, "TRUE", "FALSE")


def _service_prefixed(token: Token) -> bool:
    return token.kind == "pname" and token.text.split(":", 1)[0].upper() == "SERVICE"


def _ends_in_service(code: tuple[Token, ...]) -> bool:
    """Whether code cut short by a comment ends in the start of a SERVICE clause: the keyword right
    after an expression closed (`)`, `.`), then at most its endpoint (`?u`, `ex:u`; `SERVICE:u` alone)."""
    for i in range(1, len(code)):
        after = code[i + 1:]
        if code[i - 1].text in (")", ".", "]", ";", ",") and (
                (_is_word(code[i], "SERVICE") and len(after) <= 1 and all(t.kind in ("var", "pname") for t in after))
                or (_service_prefixed(code[i]) and not after)):
            return True
    return False


def calls_service(tokens: tuple[Token, ...]) -> bool:
    """Whether the parser may read a SERVICE clause here: the keyword itself; `SERVICE:x {`, which it
    reads as SERVICE and the IRI `:x`; or a keyword hidden in what looks like an IRI but follows an
    operand, where `<` is less-than and a `#` in it starts a comment (`FILTER(1<2)SERVICE#>`)."""
    for i, token in enumerate(tokens):
        if _is_word(token, "SERVICE"):
            return True
        if (_service_prefixed(token) and i + 1 < len(tokens) and tokens[i + 1].text == "{"
                and not (i and _is_word(tokens[i - 1], "GRAPH", "FROM", "NAMED", "DESCRIBE"))):
            return True
        if (token.kind == "iri" and "#" in token.text and _follows_operand(tokens, i)
                and _ends_in_service(sparql_tokens(token.text[1:token.text.index("#")]))):
            return True
    return False


def is_update(sparql: str) -> bool:
    """An update request (INSERT, LOAD, ...), decided by the first keyword after the prologue."""
    return query_form(sparql_tokens(sparql)) in UPDATE_FORMS
