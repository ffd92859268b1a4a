"""Streaming readers for bulk files: PubMed baseline .xml.gz and PMC bulk .tar.gz packages.

They never hold a whole file in memory: PubMed articles are parsed one at a time (iterparse, each
element cleared once read) and PMC packages are read member by member. A broken article or member
is one error; the articles around it are still read.
"""
from __future__ import annotations

import gzip
import tarfile
import zlib
from pathlib import Path
from typing import Iterator

from lxml import etree

from ..model import Document
from .base import MAX_TEXT_BYTES, ReaderError
from .jats import read_jats
from .pubmed import article_document

STREAM_SUFFIXES = (".xml.gz", ".tar.gz", ".tgz")


def is_stream(name: str) -> bool:
    return name.lower().endswith(STREAM_SUFFIXES)


def stream(path: Path) -> Iterator[Document | ReaderError]:
    if path.name.lower().endswith(".xml.gz"):
        yield from stream_pubmed_gz(path)
    else:
        yield from stream_pmc_tar(path)


def stream_pubmed_gz(path: Path) -> Iterator[Document | ReaderError]:
    source = str(path)
    count = 0
    try:
        with gzip.open(path, "rb") as handle:
            events = etree.iterparse(handle, events=("end",), tag="{*}PubmedArticle", resolve_entities=False,
                                     no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
                                     remove_pis=True)
            for _, element in events:
                count += 1
                try:
                    yield article_document(element, source)
                except ReaderError as exc:
                    yield exc
                element.clear(keep_tail=False)
                while element.getprevious() is not None:  # drop what was read, so memory stays flat
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        yield ReaderError(source, f"malformed XML after {count} article(s) ({exc.msg.splitlines()[0] if exc.msg else 'syntax error'})")
    except (OSError, EOFError, zlib.error) as exc:
        yield ReaderError(source, f"cannot read the gzip stream after {count} article(s) ({exc})")
    if count == 0:
        yield ReaderError(source, "no <PubmedArticle> elements")


def stream_pmc_tar(path: Path) -> Iterator[Document | ReaderError]:
    source = str(path)
    count = 0
    try:
        with tarfile.open(path, "r|*") as archive:  # a stream: members in order, never the whole archive
            for member in archive:
                if not member.isfile() or not member.name.lower().endswith((".nxml", ".xml")):
                    continue
                name = f"{source}:{member.name}"
                if member.size > MAX_TEXT_BYTES:
                    yield ReaderError(name, f"too large ({member.size / 1e6:.1f} MB)")
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                count += 1
                try:
                    yield from read_jats(handle.read(), name)
                except ReaderError as exc:
                    yield exc
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        yield ReaderError(source, f"cannot read the archive after {count} article(s) ({exc})")
    if count == 0:
        yield ReaderError(source, "no JATS articles (.nxml or .xml members)")
