"""The reader interface, its registry and the helpers every reader shares."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator, Mapping, Protocol

from ..escape import one_line
from ..ids import content_hash
from ..model import Document, Section


class ReaderError(Exception):
    """A file that cannot be read; the message names the file and the problem, on one line whatever the file's
    name or content holds (newlines, escape sequences, bytes that are not UTF-8)."""

    def __init__(self, source: str, reason: str):
        self.source, self.reason = one_line(source), one_line(reason)
        super().__init__(f"{self.source}: {self.reason}")


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


@dataclass(frozen=True)
class Limits:
    """How much one input may hold. Every reader is bounded by these, so that no file, archive or endless
    stream can take the build's memory or time; each can be raised by an environment variable (SETTINGS)."""
    input_bytes: int = MAX_TEXT_BYTES       # one file, standard input, archive member or bulk-file article, decompressed
    archive_bytes: int = 20_000_000_000     # one .xml.gz or .tar.gz, decompressed
    markup: int = 2_000_000                 # XML tags or JSON brackets in one input: what parser memory grows with
    line_chars: int = MAX_LINE_CHARS        # one line or paragraph
    document_chars: int = 1_000_000         # one document's text: what analysis memory grows with
    sections: int = 10_000                  # sections or passages in one document


SETTINGS = {  # environment variable -> (Limits field, unit)
    "IVDKG_MAX_INPUT_MB": ("input_bytes", 1_000_000),
    "IVDKG_MAX_ARCHIVE_MB": ("archive_bytes", 1_000_000),
    "IVDKG_MAX_MARKUP": ("markup", 1),
    "IVDKG_MAX_LINE_CHARS": ("line_chars", 1),
    "IVDKG_MAX_DOCUMENT_CHARS": ("document_chars", 1),
    "IVDKG_MAX_SECTIONS": ("sections", 1),
}
_SETTING_OF = {field: name for name, (field, _) in SETTINGS.items()}


def input_limits(environ: Mapping[str, str] = os.environ) -> Limits:
    """The defaults, with any raised or lowered in the environment; a bad value is an error naming the variable."""
    values = {}
    for name, (field, unit) in SETTINGS.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        try:
            number = float(raw.replace("_", ""))
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number * unit >= 1):
            raise ReaderError(name, f"must be a positive number, not {raw!r}")
        values[field] = int(number * unit)
    return Limits(**values)


_LIMIT_NOUNS = {"input_bytes": "for one input", "archive_bytes": "decompressed for one archive",
                "markup": "XML tags or JSON brackets in one input", "line_chars": "characters in one line or paragraph",
                "document_chars": "characters in one document", "sections": "sections or passages in one document"}


def over_limit(source: str, found: str | None, field: str, limits: Limits) -> ReaderError:
    """The one wording of every limit error: what was found, the limit, and how to raise it."""
    limit = getattr(limits, field)
    shown = megabytes(limit) if field.endswith("_bytes") else f"{limit:,}"
    return ReaderError(source, f"{found + ', ' if found else ''}over the limit of {shown} {_LIMIT_NOUNS[field]} "
                               f"(set {_SETTING_OF[field]} to raise it)")


def megabytes(size: int) -> str:
    return f"{size / 1e6:.3g} MB"


def check_text_size(data: bytes, source: str) -> None:
    limits = input_limits()
    if len(data) > limits.input_bytes:
        raise over_limit(source, megabytes(len(data)), "input_bytes", limits)


def check_lines(text: str, source: str, what: str = "a line") -> None:
    limits = input_limits()
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > limits.line_chars:
        raise over_limit(source, f"{what} of {longest:,} characters (not prose)", "line_chars", limits)


def check_markup(data: bytes, source: str, opening: bytes) -> None:
    """Parser memory grows with the number of elements, not with bytes (about 130 bytes per XML element):
    counting the opening bytes (`<`, or `{` and `[`) bounds it before any parsing."""
    limits = input_limits()
    count = sum(data.count(bytes([byte])) for byte in opening)
    if count > limits.markup:
        raise over_limit(source, f"{count:,} tags or brackets", "markup", limits)


def read_bounded(handle: BinaryIO, source: str, size: int | None = None) -> bytes:
    """Read a file, standard input or device, never more than the input limit (so /dev/zero or an endless pipe
    stops there); `size`, a regular file's size, refuses a file too large before reading it."""
    limits = input_limits()
    if size is not None and size > limits.input_bytes:
        raise over_limit(source, megabytes(size), "input_bytes", limits)
    chunks, total = [], 0
    while total <= limits.input_bytes:
        chunk = handle.read(min(1 << 20, limits.input_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise over_limit(source, None, "input_bytes", limits)


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")   # C0 but tab and newline, DEL, C1
_NOT_CHARACTERS = re.compile("[\ud800-\udfff\ufffe\uffff]")  # lone surrogates and what XML cannot hold


def clean_text(text: str) -> str:
    """Text as documents may hold it: control characters become spaces and lone surrogates (from JSON escapes)
    U+FFFD, one character for one, so offsets stay; nothing a terminal runs or an output cannot encode gets through."""
    return _NOT_CHARACTERS.sub("\ufffd", _CONTROLS.sub(" ", text))


def identifier(value: str) -> str:
    """An id as outputs can carry it: clean, and without the spaces or line ends no identifier holds."""
    return "".join(clean_text(value).split())


_UTF16_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM: the NUL bytes of its ASCII characters (spaces, line ends, digits) fall on one
    side of the byte pairs, in any script (CJK too), and it decodes to text without NULs, stray surrogates or
    controls; binary content and 8-bit text with a stray NUL do not."""
    head = head[:len(head) - len(head) % 2]
    nul_high_le, nul_high_be = head[1::2].count(0), head[0::2].count(0)
    more, fewer = max(nul_high_le, nul_high_be), min(nul_high_le, nul_high_be)
    if more < max(4, len(head) // 800) or more < 3 * fewer:  # a line end or a space every 400 characters at least
        return None
    encoding = "utf-16-le" if nul_high_le > nul_high_be else "utf-16-be"
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 2:  # a pair cut at the end of the head is no evidence
            return None
        text = head[:exc.start].decode(encoding)
    if "\x00" in text or len(_UTF16_CONTROLS.findall(text)) > len(text) // 100:
        return None
    return encoding


def text_encoding(data: bytes) -> str | None:
    """The encoding a BOM or the NUL pattern tells (UTF-8 with BOM, UTF-16); None for 8-bit text or binary."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:4096]:
        return _utf16_without_bom(data[:4096])
    return None


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes by BOM or UTF-16 pattern, then UTF-8, then Windows-1252; refuse binary content."""
    encoding = text_encoding(data)
    if encoding:
        text = data.decode(encoding, errors="replace")
    elif b"\x00" in data[:4096]:
        raise ReaderError(source, "binary content (NUL bytes), not a text document")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\ufffd") > max(50, len(text) // 20):
        raise ReaderError(source, "binary content (undecodable bytes), not a text document")
    return clean_text(text)


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
        """The Document, within the per-document limits, its text and metadata cleaned of control characters."""
        chunks, sections, offset = [], [], 0
        if self.title:
            self.parts.insert(0, ("title", "Title", self.title.strip()))
        limits = input_limits()
        if len(self.parts) > limits.sections:
            raise over_limit(self.source, f"{len(self.parts):,} sections", "sections", limits)
        for kind, heading, text in self.parts:
            sections.append(Section(kind, clean_text(heading), offset, offset + len(text)))
            chunks.append(text)
            offset += len(text) + 2
        text = clean_text("\n\n".join(chunks))
        if not text.strip():
            raise ReaderError(self.source, "no text found")
        if len(text) > limits.document_chars:
            raise over_limit(self.source, f"{len(text):,} characters", "document_chars", limits)
        check_lines(text, self.source, "a paragraph")
        doi = normalise_doi(clean_text(self.doi)) if self.doi else None
        pmid, pmcid = (identifier(v) or None if v else None for v in (self.pmid, self.pmcid))
        if doi:
            doc_id = f"DOI:{doi}"
        elif pmid:
            doc_id = f"PMID:{pmid}"
        elif pmcid:
            doc_id = f"PMCID:{pmcid}"
        else:
            doc_id = f"LOCAL:{content_hash(text)}"
        return Document(doc_id, text, tuple(sections), clean_text(self.title.strip()), self.year, doi, pmid, pmcid,
                        one_line(self.source), self.format)


def normalise_doi(value: str) -> str | None:
    match = re.search(r"10\.\d{4,9}/\S+", value)
    return match.group(0).rstrip(".,;)").lower() if match else None


def parse_year(value: str | None) -> int | None:
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", value or "")
    return int(match.group(1)) if match else None
