"""Streaming readers for bulk files: PubMed baseline .xml.gz and PMC bulk .tar.gz packages.

They never hold a whole file in memory: PubMed articles are parsed one at a time (iterparse, each
element cleared once read) and PMC packages are read member by member. A broken article or member
is one error; the articles around it are still read. What is decompressed is bounded (BoundedStream):
the whole file by the archive limit, one article or member by the input and markup limits, so a
compression bomb is refused after a few megabytes, never expanded into memory.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

from lxml import etree

from ..model import Document
from .base import Limits, ReaderError, input_limits, megabytes, over_limit
from .jats import read_jats
from .pubmed import article_document

STREAM_SUFFIXES = (".xml.gz", ".tar.gz", ".tgz")
_CHUNK = 1 << 16
_STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def is_stream(name: str) -> bool:
    return name.lower().endswith(STREAM_SUFFIXES)


class BoundedStream:
    """A decompressed stream that gives no more than its limits: the archive limit for the whole, and for one
    item (the bytes since `mark`) the input limit and, when counting markup, the markup limit."""

    def __init__(self, handle: BinaryIO, source: str, limits: Limits, count_markup: bool = False):
        self._handle, self._source, self._limits, self._count_markup = handle, source, limits, count_markup
        self.total = self._item = self._markup = 0

    def mark(self, allowance: int = 0) -> None:
        """A new item starts; `allowance` bytes still to come belong to the last one (a tar member's data)."""
        self._item, self._markup = -allowance, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size if 0 <= size <= _CHUNK else _CHUNK)
        self.total += len(chunk)
        self._item += len(chunk)
        if self.total > self._limits.archive_bytes:
            raise over_limit(self._source, None, "archive_bytes", self._limits)
        if self._item > self._limits.input_bytes:
            raise over_limit(self._source, "one article or member, decompressed", "input_bytes", self._limits)
        if self._count_markup:
            self._markup += chunk.count(b"<")
            if self._markup > self._limits.markup:
                raise over_limit(self._source, "one article", "markup", self._limits)
        return chunk


def decompressed(path: Path) -> BinaryIO:
    """The file's content through the decompressor its first bytes name (gzip, bzip2, xz), or as it is."""
    with open(path, "rb") as raw:
        magic = raw.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb")
    return open(path, "rb")


def stream(path: Path) -> Iterator[Document | ReaderError]:
    if path.name.lower().endswith(".xml.gz"):
        yield from stream_pubmed_gz(path)
    else:
        yield from stream_pmc_tar(path)


def _reason(exc: BaseException) -> str:
    return exc.reason if isinstance(exc, ReaderError) else str(exc) or type(exc).__name__


def stream_pubmed_gz(path: Path) -> Iterator[Document | ReaderError]:
    source = str(path)
    count = 0
    limits = input_limits()
    try:
        with gzip.open(path, "rb") as handle:
            bounded = BoundedStream(handle, source, limits, count_markup=True)
            events = etree.iterparse(bounded, events=("end",), tag="{*}PubmedArticle", resolve_entities=False,
                                     no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
                                     remove_pis=True)
            for _, element in events:
                count += 1
                bounded.mark()
                try:
                    yield article_document(element, source)
                except ReaderError as exc:
                    yield exc
                element.clear(keep_tail=False)
                while element.getprevious() is not None:  # drop what was read, so memory stays flat
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        yield ReaderError(source, f"malformed XML after {count} article(s) ({exc.msg.splitlines()[0] if exc.msg else 'syntax error'})")
        return
    except ReaderError as exc:
        yield ReaderError(source, f"{exc.reason}; read {count} article(s) before it")
        return
    except _STREAM_ERRORS as exc:
        yield ReaderError(source, f"cannot read the gzip stream after {count} article(s) ({_reason(exc)})")
        return
    if count == 0:
        yield ReaderError(source, "no <PubmedArticle> elements")


def stream_pmc_tar(path: Path) -> Iterator[Document | ReaderError]:
    source = str(path)
    count = 0
    limits = input_limits()
    try:
        with decompressed(path) as handle:
            bounded = BoundedStream(handle, source, limits)
            with tarfile.open(fileobj=bounded, mode="r|") as archive:  # a stream: members in order, never the whole
                for member in archive:
                    bounded.mark(allowance=member.size if member.isfile() else 0)
                    if not member.isfile() or not member.name.lower().endswith((".nxml", ".xml")):
                        continue
                    name = f"{source}:{member.name}"
                    if member.size > limits.input_bytes:
                        yield over_limit(name, megabytes(member.size), "input_bytes", limits)
                        continue
                    handle_of_member = archive.extractfile(member)
                    if handle_of_member is None:
                        continue
                    data = handle_of_member.read()
                    count += 1
                    try:
                        yield from read_jats(data, name)
                    except ReaderError as exc:
                        yield exc
    except ReaderError as exc:
        yield ReaderError(source, f"{exc.reason}; read {count} article(s) before it")
        return
    except (tarfile.TarError, *_STREAM_ERRORS) as exc:
        yield ReaderError(source, f"cannot read the archive after {count} article(s) ({_reason(exc)})")
        return
    if count == 0:
        yield ReaderError(source, "no JATS articles (.nxml or .xml members)")
