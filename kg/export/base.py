"""The exporter interface, its registry, and atomic file writing."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import networkx as nx

from ..mentions import AnnotatedDocument
from ..ontology.lexicon import Lexicon
from ..schema import Schema


@dataclass(frozen=True)
class ExportContext:
    schema: Schema
    lexicon: Lexicon
    tool_version: str
    created: str | None = None  # an xsd:dateTime for the dataset metadata, only when the user asks
    neo4j_evidence: str = "nodes"  # evidence as Evidence nodes, or as arrays on the relationships
    documents: tuple[AnnotatedDocument, ...] = ()  # passages and mentions, for exporters with needs_documents


class Exporter(Protocol):
    def __call__(self, graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]: ...


@dataclass(frozen=True)
class RegisteredExporter:
    name: str
    description: str
    write: Callable[[nx.MultiDiGraph, Path, ExportContext], list[Path]]
    needs_documents: bool = False  # writes the documents' mentions (ExportContext.documents), not only the graph


EXPORTERS: dict[str, RegisteredExporter] = {}


def register(name: str, description: str, needs_documents: bool = False):
    """Register an exporter under `name`: `kg build -f name` runs it. needs_documents: it writes
    ExportContext.documents (passages and mentions), which only a build has, so `kg export` does not offer it."""
    def wrap(fn: Callable[[nx.MultiDiGraph, Path, ExportContext], list[Path]]):
        EXPORTERS[name] = RegisteredExporter(name, description, fn, needs_documents)
        return fn
    return wrap


def format_names(from_graph_only: bool = False) -> list[str]:
    """The registered formats, in registration order (for the CLI's choices)."""
    return [name for name, e in EXPORTERS.items() if not (from_graph_only and e.needs_documents)]


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write to a temporary file beside `path`, then rename: readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
