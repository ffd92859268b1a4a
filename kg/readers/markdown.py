"""Markdown: '#' is the title, '##'/'###' headings start sections; list markers and emphasis are dropped."""
from __future__ import annotations

import re
from typing import Iterator

from ..model import Document
from .base import DocumentBuilder, RegisteredReader, check_lines, check_text_size, decode_text, parse_year, register
from .text import _metadata

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.{1,300}?)(?<=\S)\1")  # bounded: no quadratic backtracking
_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\([^)\s]{0,2000}\)")


def clean_inline(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    return _EMPHASIS.sub(r"\2", line)


def read_markdown(data: bytes, source: str) -> Iterator[Document]:
    check_text_size(data, source)
    text = decode_text(data, source)
    check_lines(text, source)
    builder = DocumentBuilder(source, "markdown")
    heading, lines = "Front matter", []

    def flush() -> None:
        paragraphs, current = [], []
        for raw in lines:
            if not raw.strip() or _LIST.match(raw) or raw.strip() == "---":
                if current:
                    paragraphs.append(" ".join(current))
                current = []
            stripped = _LIST.sub("", raw).strip()
            if stripped and stripped != "---":
                current.append(clean_inline(stripped))
        if current:
            paragraphs.append(" ".join(current))
        kind = "other" if heading == "Front matter" else None
        builder.add(heading, "\n\n".join(paragraphs), kind=kind)

    for raw in text.split("\n"):
        match = _HEADING.match(raw)
        if match and len(match.group(1)) == 1 and not builder.title:
            builder.title = clean_inline(match.group(2))
            continue
        if match:
            flush()
            heading, lines = clean_inline(match.group(2)), []
        else:
            lines.append(raw)
    flush()
    _metadata(builder, text)
    front = next((t for k, h, t in builder.parts if h == "Front matter"), "")
    builder.year = parse_year(front)
    yield builder.build()


def _sniff(head: str) -> bool:
    """A leading '# ' title, or at least two '##' headings."""
    stripped = head.lstrip()
    return stripped.startswith("# ") or len(re.findall(r"^#{2,3} \S", head, re.MULTILINE)) >= 2


READER = register(RegisteredReader("markdown", (".md", ".markdown"), _sniff, read_markdown, priority=80))
