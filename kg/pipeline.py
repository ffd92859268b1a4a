"""read -> analyse -> extract -> merge -> export; the one place that knows about files and folders."""
from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import networkx as nx

from . import __version__
from .process import (BadRecord, CacheStats, DocResult, document_key, from_plain, load_result, merge, process_documents,
                      result_versions)
from .export import EXPORTERS, ExportContext, write_atomic
from .export.base import output_lock, publish, staged_outputs
from .extract import DEFAULT_EXTRACTORS, create as create_extractor
from .graph import build_graph
from .mentions import AnnotatedDocument
from .model import Document
from .ontology.lexicon import Lexicon, default_lexicon, with_ontologies
from .readers import iter_input_files, read_inputs
from .escape import one_line
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
    sentences: int = 0
    mentions: int = 0
    assertions_by_predicate: dict[str, int] = field(default_factory=dict)
    cache: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. damaged cache entries, extracted again
    seconds_by_stage: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        """The report as JSON; file names that are not UTF-8 or hold control characters appear escaped."""
        return json.dumps(_printable_strings(self.__dict__), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _printable_strings(value):
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, dict):
        return {one_line(str(k)): _printable_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable_strings(v) for v in value]
    return value


def default_inputs() -> list[str]:
    return [str(data_dir("corpus"))]


def stream_documents(inputs: Iterable[str], report: BuildReport, on_error: Callable[[str], None],
                     on_item: Callable[[int], None] = lambda n: None) -> Iterator[Document]:
    """Every document of the inputs once (the same paper twice, e.g. in two formats, counts once);
    a bad file becomes one line in the report and the rest goes on. on_item(1) after each file read."""
    seen: set[str] = set()
    for result in read_inputs(inputs):
        on_item(1)
        if result.error:
            report.skipped.append({"source": result.source, "reason": result.error})
            on_error(result.error)
            continue
        for doc in result.documents:
            if doc.id not in seen:
                seen.add(doc.id)
                yield doc


def document_meta(doc: Document) -> dict:
    return {"id": doc.id, "title": doc.title, "year": doc.year, "doi": doc.doi, "pmid": doc.pmid, "pmcid": doc.pmcid,
            "source": doc.source, "format": doc.format}


class FileIndex:
    """What each input file gave at the last build (its documents and their result keys), by size and
    modification time: an unchanged file is not read again, its cached results are used as they are."""

    def __init__(self, cache_dir: Path | None, versions: str, entries: dict,
                 on_warning: Callable[[str], None] = lambda _: None):
        self.cache_dir, self.versions, self.entries, self.next = cache_dir, versions, entries, {}
        self.on_warning = on_warning

    @classmethod
    def load(cls, cache_dir: Path | None, versions: str, read: bool = True,
             on_warning: Callable[[str], None] = lambda _: None) -> "FileIndex":
        """The index of the last build (nothing when not `read`); entries of the wrong shape are left out."""
        entries: dict = {}
        path = cache_dir / "files.json" if cache_dir is not None else None
        if read and path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("versions") == versions and isinstance(data.get("files"), dict):
                    entries = {name: entry for name, entry in data["files"].items() if _index_entry_ok(entry)}
                    if len(entries) < len(data["files"]):
                        on_warning(f"{path}: {len(data['files']) - len(entries)} damaged entries; those files are read again")
            except (OSError, ValueError, RecursionError) as exc:
                on_warning(f"{path}: damaged index ({exc}); every file is read again")
                entries = {}
        return cls(cache_dir, versions, entries, on_warning)

    @staticmethod
    def _stamp(path: Path) -> list[int]:
        stat = path.stat()
        return [stat.st_size, stat.st_mtime_ns]

    def fresh(self, path: Path | None) -> list[tuple[dict, DocResult]] | None:
        if path is None or self.cache_dir is None:
            return None
        entry = self.entries.get(str(path.resolve()))
        try:
            if not entry or entry["stamp"] != self._stamp(path):
                return None
        except OSError:
            return None
        out = []
        for meta, key in entry["docs"]:
            result = load_result(self.cache_dir, key, meta["id"], self.on_warning)
            if result is None:
                return None
            out.append((meta, result))
        self.next[str(path.resolve())] = entry
        return out

    def remember(self, path: Path | None, docs: list[tuple[dict, str]]) -> None:
        if path is not None and self.cache_dir is not None and docs:
            try:
                self.next[str(path.resolve())] = {"stamp": self._stamp(path), "docs": docs}
            except OSError:
                pass

    def save(self) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.cache_dir / "files.json",
                     json.dumps({"versions": self.versions, "files": self.next}, sort_keys=True))


def _index_entry_ok(entry: object) -> bool:
    """Does an entry of files.json have its shape: {"stamp": [size, mtime_ns], "docs": [[meta, key], ...]}?"""
    try:
        stamp, docs = entry["stamp"], entry["docs"]  # type: ignore[index]
        if not (isinstance(stamp, list) and len(stamp) == 2 and all(type(n) is int for n in stamp)
                and isinstance(docs, list)):
            return False
        for meta, key in docs:
            from_plain(Document, {**meta, "text": "", "sections": []})
            if not (isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef" for c in key)):
                return False
        return True
    except (BadRecord, TypeError, KeyError, ValueError):
        return False


def extractor_problems(extractors: Iterable[str]) -> list[tuple[str, str]]:
    """(source, message) for each part of an extractor's input it could not use (a bad record of a
    json= file); a bad extractor name or argument raises ExtractorError here, before any work."""
    return [(spec.partition("=")[2] or spec, problem)
            for spec in extractors for problem in getattr(create_extractor(spec), "problems", ())]


BATCH_DOCUMENTS = 512  # documents in memory at once: texts are dropped once their batch is extracted


def drop_weak_edges(graph: nx.MultiDiGraph, min_confidence: float) -> int:
    """Remove edges whose aggregated confidence is below the threshold; the concepts stay."""
    weak = [(s, o, k) for s, o, k, c in graph.edges(keys=True, data="confidence") if c < min_confidence]
    graph.remove_edges_from(weak)
    return len(weak)


class NothingToBuild(Exception):
    """No input gave a document: the build stops before it writes anything."""


def export_all(graph: nx.MultiDiGraph, out_dir: Path, formats: Iterable[str], schema: Schema, lexicon: Lexicon,
               created: str | None = None, neo4j_evidence: str = "nodes",
               documents: tuple[AnnotatedDocument, ...] = (), html_evidence: int = 3) -> list[Path]:
    context = ExportContext(schema, lexicon, __version__, created, neo4j_evidence, documents, html_evidence)
    written: list[Path] = []
    for name in formats:
        written.extend(EXPORTERS[name].write(graph, out_dir, context))
    return written


def build(inputs: list[str], out_dir: Path, formats: Iterable[str] = ("turtle", "html", "neo4j", "json"),
          on_error: Callable[[str], None] = lambda _: None,
          progress: Callable[[int], Callable[[int], None]] = lambda total: (lambda n: None),
          schema: Schema | None = None, lexicon: Lexicon | None = None,
          ontologies: Iterable[Path] = (), extractors: Iterable[str] = DEFAULT_EXTRACTORS,
          min_confidence: float = 0.0, created: str | None = None,
          neo4j_evidence: str = "nodes", rebuild: bool = False, jobs: int = 1, executor: str = "processes",
          scheduler: str | None = None, on_warning: Callable[[str], None] = lambda _: None,
          html_evidence: int = 3) -> tuple[nx.MultiDiGraph, BuildReport]:
    """Build the graph of `inputs` into `out_dir`. `progress(total)` returns a callback taking a count of
    documents done; extraction results are cached in out_dir/.cache, and read from it unless `rebuild`.
    The outputs are written into a staging folder and switched in together at the end."""
    with output_lock(out_dir):
        return _build(inputs, out_dir, formats, on_error, progress, schema, lexicon, ontologies, extractors,
                      min_confidence, created, neo4j_evidence, rebuild, jobs, executor, scheduler, on_warning,
                      html_evidence=html_evidence)


def annotated_documents(graph: nx.MultiDiGraph, results: Iterable[DocResult]) -> tuple[AnnotatedDocument, ...]:
    """The passages and mentions of every document in the graph, with its references, sorted by id."""
    meta = graph.graph.get("documents", {})
    out = [AnnotatedDocument(r.document, r.passages, r.mention_records, meta[r.document].get("title", ""),
                             meta[r.document].get("year"), meta[r.document].get("doi"), meta[r.document].get("pmid"),
                             meta[r.document].get("pmcid"))
           for r in results if r.document in meta and not r.skipped]
    return tuple(sorted(out, key=lambda d: d.id))


def _build(inputs, out_dir, formats, on_error, progress, schema, lexicon, ontologies, extractors, min_confidence,
           created, neo4j_evidence, rebuild=False, jobs=1, executor="processes", scheduler=None,
           on_warning: Callable[[str], None] = lambda _: None, html_evidence: int = 3
           ) -> tuple[nx.MultiDiGraph, BuildReport]:
    formats = list(formats)
    keep_text = any(EXPORTERS[name].needs_documents for name in formats)  # else results drop their passages
    slim = (lambda r: r) if keep_text else (lambda r: r.without_text())
    timer = StageTimer()
    schema = schema or default_schema()
    lexicon = with_ontologies(lexicon or default_lexicon(), list(ontologies))
    report = BuildReport(inputs=list(inputs))

    def warn(message: str) -> None:
        report.warnings.append(message)
        on_warning(message)

    for source, problem in extractor_problems(extractors):
        report.skipped.append({"source": source, "reason": problem})
        on_error(problem)
    stats = CacheStats()
    cache_dir = out_dir / ".cache"  # written by every build; read unless `rebuild`
    versions = result_versions(lexicon, list(extractors))
    index = FileIndex.load(cache_dir, versions, read=not rebuild, on_warning=warn)
    documents: list[Document] = []  # metadata only: the texts go once their batch is extracted
    results = []
    batch: list[Document] = []
    seen: set[str] = set()
    files = list(iter_input_files(inputs, exclude=[out_dir]))  # an output folder inside an input is not read back
    update = progress(len(files))  # the bar counts input files

    def extract_batch() -> None:
        with timer("analyse and extract"):
            results.extend(map(slim, process_documents(batch, lexicon, list(extractors), cache_dir, jobs, executor,
                                                       scheduler, stats, read_cache=not rebuild, on_warning=warn)))
        documents.extend(replace(d, text="", sections=()) for d in batch)
        batch.clear()

    for source, path in files:
        with timer("read"):
            cached = index.fresh(path)
            if cached is not None:  # unchanged since the last build: its results, without reading it
                for meta, result in cached:
                    if meta["id"] not in seen:
                        seen.add(meta["id"])
                        documents.append(Document(text="", sections=(), **meta))
                        results.append(slim(result))
                        stats.hits += 1
                update(1)
                continue
            read = list(stream_documents([source], report, on_error, update))
        entries = []
        for doc in read:
            entries.append((document_meta(doc), document_key(doc, versions)))
            if doc.id not in seen:
                seen.add(doc.id)
                batch.append(doc)
        index.remember(path, entries)
        if len(batch) >= BATCH_DOCUMENTS:
            extract_batch()
    extract_batch()
    index.save()
    documents.sort(key=lambda d: d.id)
    with timer("merge"):
        assertions, mentioned, opened, skipped = merge(results)
        by_id = {d.id: d for d in documents}
        for doc_id, reason in sorted(skipped.items()):
            message = f"{by_id[doc_id].source}: {reason}"
            report.skipped.append({"source": by_id[doc_id].source, "reason": message})
            on_error(message)
        documents = [d for d in documents if d.id not in skipped]
        lexicon = lexicon.with_terms(opened)
        graph = build_graph(assertions, lexicon, documents, mentioned)
        report.below_min_confidence = drop_weak_edges(graph, min_confidence)
    if not documents:
        # a typo or an empty folder must not replace a good graph with an empty one
        skipped_inputs = f" ({len(report.skipped)} skipped, listed above)" if report.skipped else ""
        raise NothingToBuild(f"{out_dir}: nothing to build: no document was read from {', '.join(inputs) or 'the inputs'}"
                             f"{skipped_inputs}; the outputs already there were left as they were")
    report.documents = [d.id for d in documents]
    report.assertions, report.nodes, report.edges = len(assertions), graph.number_of_nodes(), graph.number_of_edges()
    report.sentences = sum(r.sentences for r in results)
    report.mentions = sum(r.mentions for r in results)
    report.assertions_by_predicate = dict(sorted(Counter(a.predicate for a in assertions).items()))
    report.cache = {"reused": stats.hits, "extracted": stats.misses}
    annotated = annotated_documents(graph, results) if keep_text else ()
    with staged_outputs(out_dir) as staging:  # a build that dies before publish leaves the previous set whole
        written = []
        for name in formats:
            with timer(f"export {name}"):
                written += export_all(graph, staging.folder, [name], schema, lexicon, created, neo4j_evidence,
                                      annotated, html_evidence)
        report.outputs = sorted(str(p.relative_to(staging.folder)) for p in written) + ["report.json"]
        report.seconds_by_stage = timer.rounded()  # not byte-stable: kept out of the graph outputs
        write_atomic(staging.folder / "report.json", report.to_json())
        publish(staging, volatile=("report.json",))
    return graph, report


class StageTimer:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.seconds.items()}
