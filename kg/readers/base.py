"""The reader interface, its registry and the helpers every reader shares."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol

from ..ids import content_hash
from ..model import Document, Section


class ReaderError(Exception):
    """A file that cannot be read; the message names the file and the problem."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class Reader(Protocol):
    name: str
    suffixes: tuple[str, ...]

    def sniff(self, head: str) -> bool: ...

    def read(self, data: bytes, source: str) -> Iterator[Document]: ...


@dataclass(frozen=True)
class RegisteredReader:
    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[str], bool]
    read: Callable[[bytes, str], Iterator[Document]]
    priority: int = 50  # lower sniffs first


REGISTRY: dict[str, RegisteredReader] = {}


def register(reader: RegisteredReader) -> RegisteredReader:
    REGISTRY[reader.name] = reader
    return reader


_KIND_WORDS = (
    ("abstract", ("abstract", "summary", "tl;dr", "key findings", "contribution", "highlights", "brief summary")),
    ("introduction", ("introduction", "background")),
    ("methods", ("method", "materials", "experimental", "study design", "design")),
    ("results", ("result", "findings", "outcome")),
    ("discussion", ("discussion", "conclusion", "perspective", "future")),
)


def section_kind(heading: str) -> str:
    """Map a free heading to the section kinds of SCHEMA.md."""
    low = heading.lower()
    if low == "title":
        return "title"
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "other"


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes by BOM, then UTF-8, then Windows-1252; refuse binary content."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        if b"\x00" in data[:4096]:
            raise ReaderError(source, "binary content (NUL bytes), not a text document")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)


class DocumentBuilder:
    """Joins (heading, text) parts into one Document text with section offsets."""

    def __init__(self, source: str, fmt: str):
        self.source, self.format = source, fmt
        self.parts: list[tuple[str, str, str]] = []
        self.title = ""
        self.year: int | None = None
        self.doi = self.pmid = self.pmcid = None

    def add(self, heading: str, text: str, kind: str | None = None) -> None:
        text = text.strip()
        if text:
            self.parts.append((kind or section_kind(heading), heading, text))

    def build(self) -> Document:
        chunks, sections, offset = [], [], 0
        if self.title:
            self.parts.insert(0, ("title", "Title", self.title.strip()))
        for kind, heading, text in self.parts:
            sections.append(Section(kind, heading, offset, offset + len(text)))
            chunks.append(text)
            offset += len(text) + 2
        text = "\n\n".join(chunks)
        if not text.strip():
            raise ReaderError(self.source, "no text found")
        doi = normalise_doi(self.doi) if self.doi else None
        if doi:
            doc_id = f"DOI:{doi}"
        elif self.pmid:
            doc_id = f"PMID:{self.pmid}"
        elif self.pmcid:
            doc_id = f"PMCID:{self.pmcid}"
        else:
            doc_id = f"LOCAL:{content_hash(text)}"
        return Document(doc_id, text, tuple(sections), self.title.strip(), self.year, doi, self.pmid,
                        self.pmcid, self.source, self.format)


def normalise_doi(value: str) -> str | None:
    match = re.search(r"10\.\d{4,9}/\S+", value)
    return match.group(0).rstrip(".,;)").lower() if match else None


def parse_year(value: str | None) -> int | None:
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", value or "")
    return int(match.group(1)) if match else None
