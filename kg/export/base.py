"""The exporter interface and its registry; and the output folder: its lock, its temporary files, atomic
writes and the switching of one build's outputs as a whole set.

Everything a build creates in an output folder besides the outputs themselves is named here, with a mark
no other program uses, so that a build removes only what a build left behind: never another program's
`.*.tmp`, never anything in `.git` or in folders it did not make.
"""
from __future__ import annotations

import contextvars
import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

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
    html_evidence: int = 3  # evidence sentences per edge inlined in graph.html (the rest stay in graph.json)


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



# ---- the output folder: temporary files, atomic writes, staged sets, the lock ----

LOCK_NAME = ".kg-build.lock"
SETS = ".kg-sets"              # published sets of outputs, one folder each, named by a hash of their content
CURRENT = ".kg-current"        # a symlink to the current set; `graph.ttl` is a symlink to `.kg-current/graph.ttl`
STAGING_PREFIX = ".kg-staging-"  # a set being written
ASIDE_PREFIX = ".kg-aside-"    # an entry of an older layout (a real `neo4j/` folder) moved out of a link's way
BUILD_TOKEN = secrets.token_hex(6)  # unique to this process: the mark on every temporary file it makes
_OWN_TEMP = re.compile(r"\..*\.kgtmp-[0-9a-f]{12}-[a-z0-9_]{1,16}\.tmp", re.DOTALL)
_SET_NAME = re.compile(r"[0-9a-f]{16}(?:-1)?")


def is_own_temp(name: str) -> bool:
    """Is this file name one a kg build gives its temporary files (and so one a later build may remove)?"""
    return _OWN_TEMP.fullmatch(name) is not None


def _temp_prefix(name: str) -> str:
    return f".{name}.kgtmp-{BUILD_TOKEN}-"


@dataclass(frozen=True)
class Staging:
    """A set of outputs being written into a private folder, published as a whole or not at all."""
    out_dir: Path
    folder: Path
    digests: dict[Path, str] = field(default_factory=dict)  # path -> sha256 of what was written (names the set)

    def holds(self, path: Path) -> bool:
        return self.folder in path.parents


_STAGING: contextvars.ContextVar[Staging | None] = contextvars.ContextVar("kg_staging", default=None)


def write_atomic(path: Path, data: str | bytes, durable: bool = True) -> Path:
    """Write to a temporary file beside `path`, then rename: readers never see a half-written file.
    durable: fsync before the rename (not needed for a cache entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        staging = _STAGING.get()
        if staging is not None and staging.holds(path):
            staging.digests[path] = hashlib.sha256(payload).hexdigest()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[Staging]:
    """A private folder in `out_dir` to write one build's outputs into; `publish` makes them current
    together. Whatever happens before that, the previous outputs stay as they were."""
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{BUILD_TOKEN}-", dir=out_dir))
    os.chmod(folder, 0o755)
    staging = Staging(out_dir, folder)
    token = _STAGING.set(staging)
    try:
        yield staging
    finally:
        _STAGING.reset(token)
        shutil.rmtree(folder, ignore_errors=True)  # gone already once published


def set_name(folder: Path, volatile: Iterable[str] = (), digests: dict[Path, str] | None = None) -> str:
    """A name for a set of outputs from its content, leaving out the top-level files in `volatile`
    (report.json, which records times): two builds of the same input give the same tree of files.
    `digests`: the sha256 of files already known (as written), so they need not be read again."""
    skip, known = set(volatile), digests or {}
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not is_own_temp(p.name)):
        relative = path.relative_to(folder)
        if len(relative.parts) == 1 and relative.name in skip:
            continue
        content = known.get(path) or hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(relative.as_posix().encode("utf-8", "surrogateescape") + b"\0" + content.encode() + b"\n")
    return digest.hexdigest()[:16]


def current_set(out_dir: Path) -> str | None:
    """The name of the set `.kg-current` points to, if it points to one."""
    try:
        target = os.readlink(out_dir / CURRENT)
    except OSError:
        return None
    folder, _, name = target.partition("/")
    return name if folder == SETS and _SET_NAME.fullmatch(name) else None


def publish(staging: Staging, volatile: Iterable[str] = ()) -> str:
    """Make the staged set the current one with one atomic rename of the `.kg-current` symlink; the
    visible names (`graph.ttl`, `neo4j`, ...) are symlinks through it. Returns the set's name."""
    volatile = tuple(volatile)
    name = set_name(staging.folder, volatile, staging.digests)
    sets = staging.out_dir / SETS
    sets.mkdir(exist_ok=True)
    target = sets / name
    if current_set(staging.out_dir) == name and set_name(target, volatile) == name:
        for entry in volatile:  # the same outputs as the current ones, byte for byte: only these change
            if (staging.folder / entry).is_file():
                os.replace(staging.folder / entry, target / entry)
    else:
        if current_set(staging.out_dir) == name:  # the current set was changed since (by kg export): never
            name += "-1"                           # rewrite the set being shown; a fresh one beside it
            target = sets / name
        if target.exists():  # not the current set: left by a build that died before its switch
            shutil.rmtree(target)
        os.rename(staging.folder, target)
    _replace_symlink(staging.out_dir / CURRENT, f"{SETS}/{name}")
    entries = sorted(p.name for p in target.iterdir())
    for entry in entries:
        _link_visible(staging.out_dir, entry)
    _unlink_stale_links(staging.out_dir, set(entries))
    _remove_sets_except(staging.out_dir, name)
    return name


def _replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (a new symlink renamed over the old entry)."""
    tmp = link.parent / f"{_temp_prefix(link.name)}{secrets.token_hex(4)}.tmp"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except OSError as exc:
        if exc.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST):
            tmp.unlink(missing_ok=True)
            raise
        aside = link.parent / f"{ASIDE_PREFIX}{BUILD_TOKEN}-{link.name}"  # a real folder of an older layout
        os.rename(link, aside)
        os.replace(tmp, link)
        shutil.rmtree(aside, ignore_errors=True)


def _link_visible(out_dir: Path, entry: str) -> None:
    link, target = out_dir / entry, f"{CURRENT}/{entry}"
    if link.is_symlink() and os.readlink(link) == target:
        return
    _replace_symlink(link, target)


def _unlink_stale_links(out_dir: Path, entries: set[str]) -> None:
    """Remove the visible links to outputs the current set no longer has (only links made here)."""
    for child in out_dir.iterdir():
        if child.is_symlink() and child.name not in entries and os.readlink(child) == f"{CURRENT}/{child.name}":
            child.unlink()


def _remove_sets_except(out_dir: Path, keep: str | None) -> None:
    sets = out_dir / SETS
    if sets.is_dir():
        for child in sets.iterdir():
            if child.name != keep and _SET_NAME.fullmatch(child.name) and child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)


def remove_leftovers(out_dir: Path) -> None:
    """What dead builds left in `out_dir`: staging folders, unpublished sets and kg's own temporary files,
    looked for only where builds write (the folder itself, `.cache`, the sets). Called with the lock held."""
    for child in out_dir.iterdir():
        if child.name.startswith((STAGING_PREFIX, ASIDE_PREFIX)) and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
    _remove_sets_except(out_dir, current_set(out_dir))
    places = [out_dir, out_dir / ".cache"]
    sets = out_dir / SETS
    if sets.is_dir():
        places += [p for p in sets.rglob("*") if p.is_dir() and not p.is_symlink()]
    for place in places:
        if place.is_dir():
            for child in place.iterdir():
                if is_own_temp(child.name) and (child.is_file() or child.is_symlink()):
                    child.unlink(missing_ok=True)


class BuildLocked(Exception):
    """Another build is writing into the same output folder."""


_HELD_LOCKS: set[int] = set()  # descriptors of locks this process holds (a forked worker closes its copies)


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder; a second build into it is refused, not interleaved.

    flock is released by the kernel when the holder dies. The lock file records the holder's pid, so a
    lock still held by processes its dead owner left (workers of a killed build) is taken over. What dead
    builds left behind is removed once the lock is held.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = _acquire(out_dir)
    _HELD_LOCKS.add(fd)
    try:
        remove_leftovers(out_dir)
        yield
    finally:
        _HELD_LOCKS.discard(fd)
        os.ftruncate(fd, 0)  # no owner: and two builds of the same input leave the same files
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def release_inherited_locks() -> None:
    """In a forked worker: close its copies of the parent's lock descriptors (without unlocking, which
    would unlock the parent's too), so that only the build itself holds its output folder."""
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


def _acquire(out_dir: Path) -> int:
    path = out_dir / LOCK_NAME
    guard = os.open(out_dir, os.O_RDONLY | os.O_CLOEXEC)  # serialises the decision to take a stale lock over
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            if owner is None or _alive(owner):
                who = f"pid {owner[0]}, " if owner else ""
                raise BuildLocked(f"{out_dir}: another kg build is writing here ({who}lock file {path}); "
                                  "wait for it to end") from None
            fd = _take_over(path)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {_start_time(os.getpid()) or '-'}\n".encode(), 0)
        return fd
    finally:
        os.close(guard)


def _take_over(path: Path) -> int:
    """A fresh lock file renamed over one whose owner is dead (its orphans keep the old file's lock)."""
    tmp = path.parent / f"{_temp_prefix(path.name)}{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(tmp, path)
    return fd


def _read_owner(fd: int) -> tuple[int, str | None] | None:
    """(pid, start time) recorded in a lock file, or None when it records nothing readable."""
    match = re.fullmatch(r"(\d{1,10}) (\d{1,20}|-)\n?", os.pread(fd, 64, 0).decode("ascii", "replace"))
    if match is None:
        return None
    return int(match.group(1)), (None if match.group(2) == "-" else match.group(2))


def _alive(owner: tuple[int, str | None]) -> bool:
    """Is the recorded owner still running (the same process, not a later one given its pid)?"""
    pid, started = owner
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return started is None or _start_time(pid) in (None, started)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), which tells a pid's reuse apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None
