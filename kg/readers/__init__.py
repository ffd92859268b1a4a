"""Readers turn files into Documents; each format is one module that registers itself here."""
from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..escape import one_line
from ..model import Document
from . import bioc, jats, markdown, pubmed, text  # noqa: F401  (registration)
from .base import (REGISTRY, Limits, ReaderError, RegisteredReader, check_text_size, input_limits, read_bounded,
                   text_encoding)
from .streams import is_stream, stream

__all__ = ["ReaderError", "REGISTRY", "Limits", "input_limits", "choose_reader", "read_bytes", "iter_input_files",
           "read_inputs", "ReadResult", "read_mention_file"]

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
    """The documents of one input's bytes (a file, standard input): its size is bounded here, each reader's
    parser by the markup limit and each document by DocumentBuilder; bulk files are bounded in streams.py."""
    check_text_size(data, source)
    if not data.strip():
        raise ReaderError(source, "empty file")
    head = data[:8192].decode(text_encoding(data) or "utf-8", errors="ignore").lstrip("\ufeff")
    reader = choose_reader(source, head)
    return list(reader.read(data, source))


def _inside(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def _real(path: Path) -> Path | None:
    """Where a link leads, or None for a link that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _regular(path: Path, follow: bool) -> bool:
    try:
        return stat.S_ISREG((path.stat() if follow else path.lstat()).st_mode)
    except OSError:
        return False


def _wanted(name: str) -> bool:
    lower = name.lower()
    suffix = Path(lower).suffix
    return (not name.startswith(".") and not lower.startswith(_IGNORED_NAMES) and suffix in _FOLDER_SUFFIXES
            and (suffix not in (".gz", ".tgz") or is_stream(lower)))


def _folder_files(root: Path, exclude: tuple[Path, ...]) -> list[Path]:
    """The files to read in a folder, recursively. Links to folders are not entered, and a link to a file is
    followed only when the file lies inside the same folder (a link to /etc/passwd is passed over), so reading a
    folder never reaches outside it. Paths under `exclude` are passed over, unless the folder itself lies there."""
    real_root = _real(root)
    if real_root is None:
        return []
    exclude = tuple(e for e in exclude if not _inside(real_root, (e,)))
    found = []
    for folder, subfolders, names in os.walk(root, followlinks=False):
        here = Path(folder)
        real_here = real_root / here.relative_to(root)  # never through a link: links to folders are not entered
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and not (here / d).is_symlink()
                         and not _inside(real_here / d, exclude)]
        for name in filter(_wanted, names):
            child = here / name
            if child.is_symlink():
                real = _real(child)
                keep = real is not None and real_root in real.parents and not _inside(real, exclude) \
                    and _regular(real, follow=True)
            else:
                keep = not _inside(real_here / name, exclude) and _regular(child, follow=False)
            if keep:
                found.append(child)
    return sorted(found)


def iter_input_files(inputs: Iterable[str], exclude: Iterable[str | Path] = ()) -> Iterator[tuple[str, Path | None]]:
    """Expand inputs: folders recursively (sorted; hidden and README-like files, links leading out of the folder
    and everything under an `exclude` path left out), '-' for stdin. A file named in `inputs` is always read."""
    excluded = tuple(real for real in map(_real, map(Path, exclude)) if real is not None)
    for item in inputs:
        if item == "-":
            yield "-", None
            continue
        path = Path(item)
        if path.is_dir():
            for child in _folder_files(path, excluded):
                yield str(child), child
        else:
            yield str(path), path


@dataclass(frozen=True)
class ReadResult:
    source: str
    documents: tuple[Document, ...] = ()
    error: str | None = None


def _read_file(path: Path, source: str) -> bytes:
    """A file's bytes, refused past the input limit before reading when it is a regular file, and while reading
    when it is not (a device such as /dev/zero, a pipe)."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        return read_bounded(handle, source, info.st_size if stat.S_ISREG(info.st_mode) else None)


def read_inputs(inputs: Iterable[str], exclude: Iterable[str | Path] = ()) -> Iterator[ReadResult]:
    """Every input's documents, or one error naming it: a bad file never stops the others. `exclude`: paths
    (the output folder, say) whose files are passed over when met inside an input folder."""
    for source, path in iter_input_files(inputs, exclude):
        label = one_line(source)  # a name that is not UTF-8 or holds a newline, as one printable line
        try:
            if path is None:
                label = "<stdin>"
                data = read_bounded(sys.stdin.buffer, label)
            elif not path.exists():
                raise ReaderError(label, "no such file or folder")
            elif is_stream(path.name):
                for item in stream(path):
                    if isinstance(item, ReaderError):
                        yield ReadResult(item.source, error=str(item))
                    else:
                        yield ReadResult(label, (item,))
                continue
            else:
                data = _read_file(path, label)
            yield ReadResult(label, tuple(read_bytes(data, label)))
        except ReaderError as exc:
            yield ReadResult(label, error=str(exc))
        except OSError as exc:
            yield ReadResult(label, error=str(ReaderError(label, (exc.strerror or str(exc)).lower())))
        except Exception as exc:  # a reader's bug must not stop the build either: reported like a bad file
            yield ReadResult(label, error=str(ReaderError(label, f"could not be read ({type(exc).__name__}: {exc})")))


def read_mention_file(path: Path) -> list:
    """The documents of a BioC XML, BioC JSON or PubTator file, each with its mention records
    ([(Document, (MentionRecord, ...))]); a bad file raises ReaderError naming it."""
    from .bioc import read_bioc_mentions
    from .pubtator import read_pubtator_mentions

    source = one_line(str(path))
    try:
        data = _read_file(path, source)
    except OSError as exc:
        raise ReaderError(source, exc.strerror or str(exc)) from None
    if not data.strip():
        raise ReaderError(source, "empty file")
    head = data[:8192].decode(text_encoding(data) or "utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    try:
        if head.startswith(("<", "{", "[")):
            return read_bioc_mentions(data, source)
        return read_pubtator_mentions(data, source)
    except (ValueError, RecursionError) as exc:
        raise ReaderError(source, f"{type(exc).__name__}: {exc}") from None
