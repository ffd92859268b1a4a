"""One escaping function per target language; text from papers goes through these and nothing else."""
from __future__ import annotations

import html
import json
import re
from typing import Any


def html_text(value: object) -> str:
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON that is safe inside an inline <script>: no '</script>', no HTML-significant characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def cypher_string(value: str) -> str:
    """A Cypher single-quoted string literal; control characters as \\uXXXX escapes."""
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def one_line(text: str) -> str:
    """Text as one terminal line: what is not printable (a newline or ESC in a file name, separators, bidi
    controls) as its escape, a file-name byte that is not UTF-8 as \\xNN; so a message can neither split nor
    steer the terminal. Idempotent: an escaped message passes unchanged."""
    if text.isprintable():
        return text
    return "".join(f"\\x{ord(ch) - 0xdc00:02x}" if "\udc80" <= ch <= "\udcff"
                   else ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for ch in text)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(value: str) -> str:
    """A value with its control characters (ESC, NUL, C1) written as \\xNN and its newlines and tabs
    kept, so a table cell from a graph made elsewhere cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
