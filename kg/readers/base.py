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


MAX_TEXT_BYTES = 20_000_000  # a paper as text is well under a megabyte; XML sets of many articles may be larger
MAX_LINE_CHARS = 200_000     # longer "lines" are not prose (a dump, a minified file, an attack)


def check_text_size(data: bytes, source: str) -> None:
    if len(data) > MAX_TEXT_BYTES:
        raise ReaderError(source, f"too large for a paper ({len(data) / 1e6:.1f} MB > {MAX_TEXT_BYTES / 1e6:.0f} MB)")


def check_lines(text: str, source: str) -> None:
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > MAX_LINE_CHARS:
        raise ReaderError(source, f"a line of {longest:,} characters: not prose (limit {MAX_LINE_CHARS:,})")


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte (ASCII-range text); binary files do not."""
    even, odd = head[0::2], head[1::2]
    if len(head) >= 16 and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if len(head) >= 16 and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes by BOM, then UTF-8, then Windows-1252; refuse binary content."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        if b"\x00" in data[:4096]:
            encoding = _utf16_without_bom(data[:4096])
            if encoding is None:
                raise ReaderError(source, "binary content (NUL bytes), not a text document")
            data = data.decode(encoding, errors="replace").encode("utf-8")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\ufffd") > max(50, len(text) // 20):
        raise ReaderError(source, "binary content (undecodable bytes), not a text document")
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
