"""One document's work (analyse, extract) as a pure, serialisable unit: cached on disk, run in parallel.

The result of a document depends only on its content and on the versions of the lexicon, the
patterns, the extractors and the extraction code; the cache key is made of exactly those, so a
rebuild after adding one document re-extracts that document only. Results are merged in document
order, so the graph is the same whichever worker finishes first.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .analysis import Analyser, prose_problem
from .extract import create
from .mentions import MentionRecord, Passage, passages_of, records_of
from .model import Assertion, Document, Evidence, Quantity, Span, Term
from .ontology.lexicon import Lexicon
from .ontology.matcher import Matcher
from .resources import ontology_file

_CODE_DIRS = ("analysis.py", "nlp", "extract", "ontology", "model.py", "mentions.py", "patterns.py", "process.py")
CACHE_FORMAT = "2"  # the layout of a cached DocResult; part of every cache key (2: mention records and passages)


@dataclass(frozen=True)
class DocResult:
    document: str
    assertions: tuple[Assertion, ...] = ()
    mentioned: tuple[str, ...] = ()       # concepts the document mentions
    open_terms: tuple[Term, ...] = ()
    skipped: str | None = None            # why the document was left out, if it was
    sentences: int = 0
    mentions: int = 0                     # how many mentions grounding found (report.json's count)
    mention_records: tuple[MentionRecord, ...] = ()  # the mentions themselves, sorted (for BioC and PubTator)
    passages: tuple[Passage, ...] = ()    # the document's sections with their text and start offset

    def to_json(self) -> str:
        data = asdict(self)
        data["mention_records"] = [r.to_dict() for r in self.mention_records]
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    def without_text(self) -> "DocResult":
        """The result without its mention records and passages (what a build keeps when no mention output is asked for)."""
        return replace(self, mention_records=(), passages=())

    @staticmethod
    def from_json(text: str) -> "DocResult":
        data = json.loads(text)
        assertions = []
        for a in data["assertions"]:
            ev = dict(a["evidence"])
            ev["subject_span"], ev["object_span"] = Span(**ev["subject_span"]), Span(**ev["object_span"])
            ev["quantities"] = tuple(Quantity(**q) for q in ev["quantities"])
            assertions.append(Assertion(a["subject"], a["predicate"], a["object"], Evidence(**ev)))
        terms = tuple(Term(**{k: tuple(v) if isinstance(v, list) else v for k, v in t.items()}) for t in data["open_terms"])
        records = tuple(MentionRecord.from_dict(r) for r in data["mention_records"])
        passages = tuple(Passage(**p) for p in data["passages"])
        return DocResult(data["document"], tuple(assertions), tuple(data["mentioned"]), terms, data["skipped"],
                         data["sentences"], data["mentions"], records, passages)


def code_version() -> str:
    """A hash of the source of every module that shapes a document's result."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _CODE_DIRS:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def extractor_version(specs: Sequence[str]) -> str:
    parts = []
    for spec in specs:
        name, _, argument = spec.partition("=")
        if argument and Path(argument).is_file():
            argument = hashlib.sha256(Path(argument).read_bytes()).hexdigest()
        parts.append(f"{name}={argument}")
    return "|".join(parts)


_DATA_FILES = ("patterns.toml", "syntax_patterns.toml", "grounding.toml", "spelling.tsv", "not_concepts.txt",
               "excluded_synonyms.txt", "abbreviations.tsv", "schema.toml")


def data_version() -> str:
    """A hash of the vocabulary files that shape a document's result besides the lexicon, and of the parser."""
    digest = hashlib.sha256()
    for name in _DATA_FILES:
        path = ontology_file(name)
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    scores = Path(__file__).resolve().parent / "models" / "craft_parser" / "SCORES.json"
    digest.update(scores.read_bytes() if scores.is_file() else b"")
    return digest.hexdigest()[:16]


def result_versions(lexicon: Lexicon, extractors: Sequence[str]) -> str:
    """Everything besides a document's content that its result depends on."""
    return "|".join([CACHE_FORMAT, lexicon.version, code_version(), data_version(), extractor_version(extractors)])


def load_result(cache_dir: Path, key: str) -> DocResult | None:
    try:
        return DocResult.from_json((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def document_key(doc: Document, versions: str) -> str:
    payload = json.dumps(asdict(doc), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256((payload + "\0" + versions).encode("utf-8")).hexdigest()[:32]


class Worker:
    """Holds the compiled lexicon and the extractors; one per process."""

    def __init__(self, lexicon: Lexicon, extractors: Sequence[str]):
        self.analyser = Analyser(lexicon)
        self.extractors = [create(spec) for spec in extractors]

    def run(self, doc: Document) -> DocResult:
        analysed = self.analyser.analyse(doc)
        problem = prose_problem(analysed)
        if problem:
            return DocResult(doc.id, skipped=problem)
        assertions = tuple(a for e in self.extractors for a in e.extract(analysed))
        mentions = analysed.mentions
        return DocResult(doc.id, assertions, tuple(sorted({m.curie for m in mentions})), analysed.open_terms, None,
                         len(analysed.sentences), len(mentions), records_of(doc, analysed.all_mentions),
                         passages_of(doc))


_WORKER: Worker | None = None


def _init(lexicon: Lexicon, extractors: Sequence[str]) -> None:
    global _WORKER
    _WORKER = Worker(lexicon, extractors)


def _run(doc: Document) -> DocResult:
    assert _WORKER is not None
    return _WORKER.run(doc)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


def process_documents(documents: Sequence[Document], lexicon: Lexicon, extractors: Sequence[str] = ("rules",),
                      cache_dir: Path | None = None, jobs: int = 1, executor: str = "processes",
                      scheduler: str | None = None, stats: CacheStats | None = None,
                      progress: Callable[[int], None] = lambda n: None) -> list[DocResult]:
    """Results for every document, in the order given: from the cache where the key matches, else computed."""
    stats = stats if stats is not None else CacheStats()
    for spec in extractors:
        create(spec)  # a bad extractor name or argument fails here, with its message, not inside a worker
    versions = result_versions(lexicon, extractors)
    keys = [document_key(d, versions) for d in documents]
    results: dict[int, DocResult] = {}
    todo: list[int] = []
    for i, key in enumerate(keys):
        cached = cache_dir / f"{key}.json" if cache_dir else None
        if cached is not None and cached.is_file():
            try:
                results[i] = DocResult.from_json(cached.read_text(encoding="utf-8"))
                stats.hits += 1
                progress(1)
                continue
            except (ValueError, KeyError, TypeError):
                pass  # a damaged entry is recomputed
        todo.append(i)
    stats.misses += len(todo)
    for i, result in zip(todo, _compute([documents[i] for i in todo], lexicon, extractors, jobs, executor, scheduler,
                                        progress)):
        results[i] = result
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache_dir / f".{keys[i]}.tmp"
            tmp.write_text(result.to_json(), encoding="utf-8")
            tmp.replace(cache_dir / f"{keys[i]}.json")
    return [results[i] for i in range(len(documents))]


def _compute(documents: list[Document], lexicon: Lexicon, extractors: Sequence[str], jobs: int, executor: str,
             scheduler: str | None, progress: Callable[[int], None]) -> Iterator[DocResult]:
    if not documents:
        return iter(())
    if executor == "dask":
        return iter(_dask(documents, lexicon, extractors, scheduler, progress))
    if jobs <= 1 or len(documents) < 4:
        worker = Worker(lexicon, extractors)
        return (_progress(worker.run(d), progress) for d in documents)
    Matcher.of(lexicon)  # compiled here once: the forked workers inherit it instead of loading it each
    chunk = max(1, len(documents) // (jobs * 8))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(lexicon, tuple(extractors)))

    def results() -> Iterator[DocResult]:
        with pool:
            for result in pool.map(_run, documents, chunksize=chunk):  # map keeps the input order
                yield _progress(result, progress)
    return results()


def _progress(result: DocResult, progress: Callable[[int], None]) -> DocResult:
    progress(1)
    return result


def _dask(documents: list[Document], lexicon: Lexicon, extractors: Sequence[str], scheduler: str | None,
          progress: Callable[[int], None]) -> list[DocResult]:
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError("the dask executor needs dask[distributed]: pip install 'ivd-kg[dask]'") from None
    with Client(scheduler) if scheduler else Client(processes=False, n_workers=1, threads_per_worker=2) as client:
        worker = client.scatter(Worker(lexicon, tuple(extractors)), broadcast=True)
        futures = client.map(lambda d, w: w.run(d), documents, w=worker, pure=False)
        results = client.gather(futures)  # gathered in the order of the documents
    for _ in results:
        progress(1)
    return results


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def merge(results: Iterable[DocResult]) -> tuple[list[Assertion], dict[str, set[str]], list[Term], dict[str, str]]:
    """Assertions, concept -> documents, open-vocabulary terms and skipped documents, independent of order."""
    assertions: list[Assertion] = []
    mentioned: dict[str, set[str]] = {}
    opened: dict[str, Term] = {}
    skipped: dict[str, str] = {}
    for result in sorted(results, key=lambda r: r.document):
        if result.skipped:
            skipped[result.document] = result.skipped
            continue
        assertions.extend(result.assertions)
        for curie in result.mentioned:
            mentioned.setdefault(curie, set()).add(result.document)
        for term in result.open_terms:
            opened.setdefault(term.id, term)
    return assertions, mentioned, [opened[k] for k in sorted(opened)], skipped
