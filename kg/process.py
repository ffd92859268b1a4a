"""One document's work (analyse, extract) as a pure, serialisable unit: cached on disk, run in parallel.

The result of a document depends only on its content and on the versions of the lexicon, the
patterns, the extractors and the extraction code; the cache key is made of exactly those, so a
rebuild after adding one document re-extracts that document only. Results are merged in document
order, so the graph is the same whichever worker finishes first.
"""
from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import os
import signal
import threading
import time
import types
import typing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .analysis import Analyser, prose_problem
from .export.base import release_inherited_locks, write_atomic
from .extract import DEFAULT_EXTRACTORS, create
from .mentions import MentionRecord, Passage, passages_of, records_of
from .model import Assertion, Document, Term
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
        """The result `to_json` wrote; raises ValueError naming the first field of a wrong type or shape
        (a damaged cache entry must never reach the merge)."""
        return from_plain(DocResult, json.loads(text))


class BadRecord(ValueError):
    """Plain data that does not have the shape of the record it should be."""


class MissingField(BadRecord, KeyError):
    """A field the record must have is not there (a cache entry of an older layout, say)."""

    __str__ = BadRecord.__str__


def from_plain(cls: type, data: Any, where: str = "") -> Any:
    """A frozen dataclass rebuilt from JSON data (lists become tuples), every field present and checked
    against its type annotation: str, int, float, bool, None, X | Y, tuple[X, ...], tuple[X, Y], nested
    dataclasses. Nothing is filled in by default: what `asdict` wrote is read back, or it is refused."""
    if not isinstance(data, dict):
        raise BadRecord(f"{where or cls.__name__}: expected an object, got {type(data).__name__}")
    hints = _field_types(cls)
    unknown = sorted(set(data) - set(hints))
    if unknown:
        raise BadRecord(f"{where or cls.__name__}: unknown field {unknown[0]!r}")
    missing = [name for name in hints if name not in data]
    if missing:
        raise MissingField(f"{where or cls.__name__}: missing field {missing[0]!r}")
    return cls(**{name: _typed(hint, data[name], f"{where}.{name}" if where else name) for name, hint in hints.items()})


@lru_cache(maxsize=None)
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _typed(hint: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _typed(option, value, where)
            except BadRecord:
                continue
        raise BadRecord(f"{where}: {type(value).__name__} is not {hint}")
    if origin is tuple:
        if not isinstance(value, list):
            raise BadRecord(f"{where}: expected a list, got {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_typed(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise BadRecord(f"{where}: expected {len(args)} items, got {len(value)}")
        return tuple(_typed(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    if dataclasses.is_dataclass(hint):
        return from_plain(hint, value, where)
    if hint is type(None):
        ok = value is None
    elif hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:  # an int stays an int: the outputs must not change because a result came from the cache
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is str:
        ok = isinstance(value, str)
    else:
        raise BadRecord(f"{where}: cannot check type {hint}")
    if not ok:
        raise BadRecord(f"{where}: expected {getattr(hint, '__name__', hint)}, got {type(value).__name__}")
    return value


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


def load_result(cache_dir: Path, key: str, document: str | None = None,
                on_warning: Callable[[str], None] = lambda _: None) -> DocResult | None:
    """The cached result under `key` (for `document`, when given), or None: a missing entry is a plain miss,
    a damaged one (not JSON, wrong types, another document's) a miss with a warning."""
    path = cache_dir / f"{key}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeError) as exc:
        on_warning(f"{path}: unreadable cache entry ({exc}); extracting again")
        return None
    try:
        result = DocResult.from_json(text)
    except (ValueError, RecursionError) as exc:  # BadRecord and JSONDecodeError are ValueErrors
        on_warning(f"{path}: damaged cache entry ({exc}); extracting again")
        return None
    if document is not None and result.document != document:
        on_warning(f"{path}: cache entry of another document ({result.document!r}); extracting again")
        return None
    return result


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


def _init(lexicon: Lexicon, extractors: Sequence[str], parent: int) -> None:
    global _WORKER
    die_with_parent(parent)
    release_inherited_locks()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the build ends its workers itself
    _WORKER = Worker(lexicon, extractors)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this worker end when the build that forked it ends, even by `kill -9`: the kernel sends it
    SIGKILL (Linux prctl PR_SET_PDEATHSIG); elsewhere a thread watches the parent."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _run(doc: Document) -> DocResult:
    assert _WORKER is not None
    return _WORKER.run(doc)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


def process_documents(documents: Sequence[Document], lexicon: Lexicon, extractors: Sequence[str] = DEFAULT_EXTRACTORS,
                      cache_dir: Path | None = None, jobs: int = 1, executor: str = "processes",
                      scheduler: str | None = None, stats: CacheStats | None = None,
                      progress: Callable[[int], None] = lambda n: None, read_cache: bool = True,
                      on_warning: Callable[[str], None] = lambda _: None) -> list[DocResult]:
    """Results for every document, in the order given: from the cache where the key matches (unless not
    `read_cache`), else computed; computed results are written to the cache."""
    stats = stats if stats is not None else CacheStats()
    for spec in extractors:
        create(spec)  # a bad extractor name or argument fails here, with its message, not inside a worker
    versions = result_versions(lexicon, extractors)
    keys = [document_key(d, versions) for d in documents]
    results: dict[int, DocResult] = {}
    todo: list[int] = []
    for i, key in enumerate(keys):
        cached = load_result(cache_dir, key, documents[i].id, on_warning) if cache_dir and read_cache else None
        if cached is not None:
            results[i] = cached
            stats.hits += 1
            progress(1)
        else:
            todo.append(i)
    stats.misses += len(todo)
    for i, result in zip(todo, _compute([documents[i] for i in todo], lexicon, extractors, jobs, executor, scheduler,
                                        progress)):
        results[i] = result
        if cache_dir is not None:
            write_atomic(cache_dir / f"{keys[i]}.json", result.to_json(), durable=False)
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
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(lexicon, tuple(extractors), os.getpid()))

    def results() -> Iterator[DocResult]:
        finished = False
        ordered = pool.map(_run, documents, chunksize=chunk)  # map keeps the input order
        try:
            for result in ordered:  # (held in a name: its futures stay as they are until the workers are gone)
                yield _progress(result, progress)
            finished = True
        finally:
            if not finished:  # an error, Ctrl-C or a signal: the workers end now, not after their work
                _kill_workers(pool)
            pool.shutdown(wait=finished)
    return results()


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now, and close the build's own ends of the pipes they used (as CPython does
    for a broken pool): else the thread feeding work blocks on a pipe nobody reads, the pool's manager
    thread on half a result, and the interpreter's exit waits for them for ever."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
            process.join(5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass
    for queue, end in (("_call_queue", "_reader"), ("_result_queue", "_writer")):
        connection = getattr(getattr(pool, queue, None), end, None)
        try:
            if connection is not None:
                connection.close()
        except OSError:
            pass
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:  # it marks the pool broken and fails the pending work: let it finish first
        manager.join(5)


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
