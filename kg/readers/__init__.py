"""Readers turn files into Documents; each format is one module that registers itself here."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..model import Document
from . import bioc, jats, markdown, pubmed, text  # noqa: F401  (registration)
from . import base
from .base import REGISTRY, ReaderError, RegisteredReader
from .streams import is_stream, stream

__all__ = ["ReaderError", "REGISTRY", "choose_reader", "read_bytes", "iter_input_files", "read_inputs", "ReadResult",
           "read_mention_file"]

_BY_SUFFIX_ONLY = {".md", ".markdown", ".nxml"}
_PLAIN_SUFFIXES = {".txt", ".text"}
_FOLDER_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".nxml", ".xml", ".json", ".gz", ".tgz"}
_IGNORED_NAMES = ("readme", "license", "licence", "changelog", "manifest.json")


def choose_reader(name: str, head: str) -> RegisteredReader:
    """Pick a reader by compound suffix, then by plain suffix for unambiguous ones, then by sniffing."""
    lower = name.lower()
    ordered = sorted(REGISTRY.values(), key=lambda r: r.priority)
    for reader in ordered:
        if any(lower.endswith(s) and s.count(".") > 1 for s in reader.suffixes):
            return reader
    suffix = Path(lower).suffix
    if suffix in _BY_SUFFIX_ONLY:
        return next(r for r in ordered if suffix in r.suffixes)
    if suffix in _PLAIN_SUFFIXES:  # plain text or Markdown saved as .txt
        return REGISTRY["markdown"] if REGISTRY["markdown"].sniff(head) else REGISTRY["text"]
    for reader in ordered:
        if reader.sniff(head):
            return reader
    raise ReaderError(name, "unrecognised format (not text, Markdown, JATS, PubMed or BioC)")


def read_bytes(data: bytes, source: str) -> list[Document]:
    if not data.strip():
        raise ReaderError(source, "empty file")
    head = data[:8192].decode("utf-8", errors="ignore")
    if head.startswith("\ufeff"):
        head = head[1:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = data[:8192].decode("utf-16", errors="ignore")
    elif b"\x00" in data[:64] and base._utf16_without_bom(data[:4096]):
        head = data[:8192].decode(base._utf16_without_bom(data[:4096]), errors="ignore")
    reader = choose_reader(source, head)
    return list(reader.read(data, source))


def iter_input_files(inputs: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """Expand inputs: folders recursively (sorted, hidden and README-like files left out), '-' for stdin."""
    for item in inputs:
        if item == "-":
            yield "-", None
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if (child.is_file() and not any(p.startswith(".") for p in rel.parts)
                        and child.suffix.lower() in _FOLDER_SUFFIXES
                        and (child.suffix.lower() not in (".gz", ".tgz") or is_stream(child.name))
                        and not child.name.lower().startswith(_IGNORED_NAMES)):
                    yield str(child), child
        else:
            yield str(path), path


@dataclass(frozen=True)
class ReadResult:
    source: str
    documents: tuple[Document, ...] = ()
    error: str | None = None


def read_inputs(inputs: Iterable[str]) -> Iterator[ReadResult]:
    for source, path in iter_input_files(inputs):
        try:
            if path is None:
                data = sys.stdin.buffer.read()
                source = "<stdin>"
            elif not path.exists():
                raise ReaderError(source, "no such file or folder")
            elif is_stream(path.name):
                for item in stream(path):
                    if isinstance(item, ReaderError):
                        yield ReadResult(item.source, error=str(item))
                    else:
                        yield ReadResult(source, (item,))
                continue
            else:
                data = path.read_bytes()
            yield ReadResult(source, tuple(read_bytes(data, source)))
        except ReaderError as exc:
            yield ReadResult(source, error=str(exc))
        except (OSError, UnicodeError, ValueError, RecursionError) as exc:
            yield ReadResult(source, error=f"{source}: {type(exc).__name__}: {exc}")


def read_mention_file(path: Path) -> list:
    """The documents of a BioC XML, BioC JSON or PubTator file, each with its mention records
    ([(Document, (MentionRecord, ...))]); a bad file raises ReaderError naming it."""
    from .bioc import read_bioc_mentions
    from .pubtator import read_pubtator_mentions

    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReaderError(source, exc.strerror or str(exc)) from None
    if not data.strip():
        raise ReaderError(source, "empty file")
    head = data[:8192].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    try:
        if head.startswith(("<", "{", "[")):
            return read_bioc_mentions(data, source)
        return read_pubtator_mentions(data, source)
    except (ValueError, RecursionError) as exc:
        raise ReaderError(source, f"{type(exc).__name__}: {exc}") from None
