"""read -> analyse -> extract -> merge -> export; the one place that knows about files and folders."""
from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import networkx as nx

from . import __version__
from .analysis import Analyser, prose_problem
from .export import EXPORTERS, ExportContext, write_atomic
from .extract import create
from .graph import build_graph
from .model import Assertion, Document, Term
from .ontology.lexicon import Lexicon, default_lexicon, with_ontologies
from .readers import read_inputs
from .resources import data_dir
from .schema import Schema, default_schema


@dataclass
class BuildReport:
    inputs: list[str]
    documents: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    assertions: int = 0
    nodes: int = 0
    edges: int = 0
    below_min_confidence: int = 0

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


class BuildLocked(Exception):
    """Another build is writing into the same output folder."""


@contextmanager
def output_lock(out_dir: Path):
    """Hold an exclusive lock on the output folder; a second build into it is refused, not interleaved.

    flock is released by the kernel when the process dies, so a killed build never leaves a stale lock.
    Temporary files a killed build left behind are removed once the lock is held.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ".kg-build.lock"
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BuildLocked(f"{out_dir}: another kg build is writing here (lock file {path}); wait for it to end") from None
    try:
        for stale in out_dir.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def default_inputs() -> list[str]:
    return [str(data_dir("corpus"))]


def collect_documents(inputs: Iterable[str], report: BuildReport, on_error: Callable[[str], None]) -> list[Document]:
    """Read every input; a bad file becomes one line in the report and the rest goes on."""
    documents: dict[str, Document] = {}
    for result in read_inputs(inputs):
        if result.error:
            report.skipped.append({"source": result.source, "reason": result.error})
            on_error(result.error)
            continue
        for doc in result.documents:
            documents.setdefault(doc.id, doc)  # the same paper twice (e.g. two formats) counts once
    return [documents[k] for k in sorted(documents)]


def extract_all(documents: list[Document], lexicon: Lexicon, extractors: Iterable[str] = ("rules",),
                progress: Callable[[Iterable[Document]], Iterable[Document]] = lambda x: x,
                on_skip: Callable[[Document, str], None] = lambda doc, reason: None,
                ) -> tuple[list[Assertion], dict[str, set[str]], list[Term]]:
    """Assertions of every document, the documents that mention each concept, and open-vocabulary terms."""
    analyser = Analyser(lexicon)
    instances = [create(spec) for spec in extractors]
    assertions: list[Assertion] = []
    mentioned: dict[str, set[str]] = {}
    opened: dict[str, Term] = {}
    for doc in progress(documents):
        analysed = analyser.analyse(doc)
        problem = prose_problem(analysed)
        if problem:
            on_skip(doc, problem)
            continue
        for term in analysed.open_terms:
            opened.setdefault(term.id, term)
        for mention in analysed.mentions:
            mentioned.setdefault(mention.curie, set()).add(doc.id)
        for extractor in instances:
            assertions.extend(extractor.extract(analysed))
    return assertions, mentioned, [opened[k] for k in sorted(opened)]


def drop_weak_edges(graph: nx.MultiDiGraph, min_confidence: float) -> int:
    """Remove edges whose aggregated confidence is below the threshold; the concepts stay."""
    weak = [(s, o, k) for s, o, k, c in graph.edges(keys=True, data="confidence") if c < min_confidence]
    graph.remove_edges_from(weak)
    return len(weak)


def export_all(graph: nx.MultiDiGraph, out_dir: Path, formats: Iterable[str], schema: Schema, lexicon: Lexicon,
               created: str | None = None, neo4j_evidence: str = "nodes") -> list[Path]:
    context = ExportContext(schema, lexicon, __version__, created, neo4j_evidence)
    written: list[Path] = []
    for name in formats:
        written.extend(EXPORTERS[name].write(graph, out_dir, context))
    return written


def build(inputs: list[str], out_dir: Path, formats: Iterable[str] = ("turtle", "html", "neo4j", "json"),
          on_error: Callable[[str], None] = lambda _: None,
          progress: Callable[[Iterable[Document]], Iterable[Document]] = lambda x: x,
          schema: Schema | None = None, lexicon: Lexicon | None = None,
          ontologies: Iterable[Path] = (), extractors: Iterable[str] = ("rules",),
          min_confidence: float = 0.0, created: str | None = None,
          neo4j_evidence: str = "nodes") -> tuple[nx.MultiDiGraph, BuildReport]:
    with output_lock(out_dir):
        return _build(inputs, out_dir, formats, on_error, progress, schema, lexicon, ontologies, extractors,
                      min_confidence, created, neo4j_evidence)


def _build(inputs, out_dir, formats, on_error, progress, schema, lexicon, ontologies, extractors, min_confidence,
           created, neo4j_evidence) -> tuple[nx.MultiDiGraph, BuildReport]:
    schema = schema or default_schema()
    lexicon = with_ontologies(lexicon or default_lexicon(), list(ontologies))
    report = BuildReport(inputs=list(inputs))
    documents = collect_documents(inputs, report, on_error)
    left_out: set[str] = set()

    def skip(doc: Document, reason: str) -> None:
        message = f"{doc.source}: {reason}"
        report.skipped.append({"source": doc.source, "reason": message})
        left_out.add(doc.id)
        on_error(message)

    assertions, mentioned, opened = extract_all(documents, lexicon, extractors, progress=progress, on_skip=skip)
    documents = [d for d in documents if d.id not in left_out]
    lexicon = lexicon.with_terms(opened)
    graph = build_graph(assertions, lexicon, documents, mentioned)
    report.below_min_confidence = drop_weak_edges(graph, min_confidence)
    report.documents = [d.id for d in documents]
    report.assertions, report.nodes, report.edges = len(assertions), graph.number_of_nodes(), graph.number_of_edges()
    written = export_all(graph, out_dir, formats, schema, lexicon, created, neo4j_evidence)
    report.outputs = sorted(str(p.relative_to(out_dir)) for p in written) + ["build_report.json"]
    write_atomic(out_dir / "build_report.json", report.to_json())
    return graph, report
