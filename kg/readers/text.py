"""Plain text: the first short line is the title; '@highlight' lines start a highlights section."""
from __future__ import annotations

import re
from typing import Iterator

from ..model import Document
from .base import DocumentBuilder, RegisteredReader, check_lines, check_text_size, decode_text, register

_TAG = re.compile(r"^\(\w{1,30}\)")  # a leading "(tag)" some corpora prefix to titles
_DOI = re.compile(r"\b(?:doi:?\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")


def read_text(data: bytes, source: str) -> Iterator[Document]:
    check_text_size(data, source)
    text = decode_text(data, source)
    check_lines(text, source)
    builder = DocumentBuilder(source, "text")
    lines = text.split("\n")
    first = next((i for i, l in enumerate(lines) if l.strip()), None)
    if first is not None and len(lines[first].strip()) <= 300 and len(lines) > first + 1:
        builder.title = _TAG.sub("", lines[first].strip()).strip()
        lines = lines[first + 1:]
    body, highlights, current = [], [], None
    for line in lines:
        if "@highlight" not in line:
            (current if current is not None else body).append(line)
            continue
        # '@highlight' starts a highlights section, alone on its line or glued to the text before it
        before = line.split("@highlight", 1)[0].rstrip()
        if before:
            (current if current is not None else body).append(before)
        current = highlights
        rest = line.split("@highlight", 1)[1].replace("@highlight", " ").strip()
        if rest:
            highlights.append(rest)
    builder.add("Body", "\n".join(body), kind="other")
    builder.add("Highlights", "\n".join(highlights), kind="abstract")
    _metadata(builder, text)
    yield builder.build()


def _metadata(builder: DocumentBuilder, text: str) -> None:
    head = text[:5000]
    if (m := _DOI.search(head)):
        builder.doi = m.group(1)
    if (m := _PMID.search(head)):
        builder.pmid = m.group(1)


def _sniff(head: str) -> bool:
    return bool(head.strip()) and not head.lstrip().startswith(("<", "{", "["))


READER = register(RegisteredReader("text", (".txt", ".text"), _sniff, read_text, priority=90))
