"""The lexicon: ontology terms and project concepts with labels, synonyms and is_a parents."""
from __future__ import annotations

import gc
import gzip
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from ..ids import content_hash
from ..model import Term
from ..resources import ontology_file
from ..schema import Schema, default_schema


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(filter(None, value.split("|"))) if value else ()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while a large structure is built: it holds no cycles, and a collection every
    few hundred new objects would walk the growing structure again and again (a third of the load time)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, Term]
    version: str  # a hash of the lexicon file, recorded in the outputs
    sources: tuple[str, ...] = ()  # "cl.tsv.gz: version 2026-03-26, license CC BY 4.0", ...
    loaded: frozenset[str] = frozenset()  # ids that came from an ontology the user loaded: they win a phrase

    def get(self, curie: str) -> Term | None:
        return self.terms.get(curie)

    def with_terms(self, extra: "Iterable[Term]") -> "Lexicon":
        """This lexicon plus terms found while reading (open-vocabulary concepts); existing ids win."""
        extra = [t for t in extra if t.id not in self.terms]
        if not extra:
            return self
        return Lexicon({**self.terms, **{t.id: t for t in extra}}, self.version, self.sources, self.loaded)

    def ancestors(self, curie: str) -> list[str]:
        """All is_a ancestors held in the lexicon, nearest first, without repeats."""
        seen: list[str] = []
        queue = list(self.terms[curie].parents) if curie in self.terms else []
        while queue:
            parent = queue.pop(0)
            if parent in self.terms and parent not in seen:
                seen.append(parent)
                queue.extend(self.terms[parent].parents)
        return seen


def load_lexicon(path: Path | None = None, schema: Schema | None = None) -> Lexicon:
    schema = schema or default_schema()
    path = path or ontology_file("lexicon.tsv.gz")
    data = path.read_bytes()
    raw = (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")
    lines = raw.split("\n")
    body = [l for l in lines if l and not l.startswith("#")]
    header = body[0].split("\t")
    col = {name: k for k, name in enumerate(header)}
    i_id, i_label, i_cat, i_syn, i_par = col["id"], col["label"], col["category"], col["synonyms"], col["parents"]
    i_close, i_broad, i_src, i_match, i_def = (col["close_match"], col["broad_match"], col["source"], col["match"],
                                               col.get("definition"))
    categories = schema.categories
    terms: dict[str, Term] = {}
    with _collector_paused():
        for line in body[1:]:
            row = line.split("\t")
            if len(row) < len(header) - 1:
                raise ValueError(f"{path}: a row with {len(row)} columns: {line[:60]!r}")
            matchable = row[i_match] == "yes"
            category = row[i_cat]
            if matchable and category not in categories:
                raise ValueError(f"{path}: {row[i_id]} has unknown category {category!r}")
            synonyms, scopes = (), ()
            if row[i_syn]:
                # 'EXACT:nucleus pulposus' is (EXACT, nucleus pulposus); without an upper-case scope, UNSPECIFIED
                pairs = [(scope, text) if colon and scope.isupper() else ("UNSPECIFIED", s)
                         for s in row[i_syn].split("|") if s for scope, colon, text in [s.partition(":")]]
                if pairs:
                    scopes, synonyms = zip(*pairs)
            terms[row[i_id]] = Term(row[i_id], row[i_label], category, synonyms, _split(row[i_par]),
                                    _split(row[i_close]), _split(row[i_broad]), row[i_src], matchable,
                                    row[i_def] if i_def is not None and i_def < len(row) else "", scopes)
        sources = tuple(l[2:] for l in raw.splitlines() if l.startswith("# ") and ": version " in l)
        lexicon = Lexicon(terms, content_hash(raw), sources)
        # A lexicon is kept for the life of the process: its hundred thousand terms leave the collector's
        # generations, so that no collection walks them again (each full one took 0.2 s).
        gc.freeze()
    return lexicon


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


def with_ontologies(base: Lexicon, paths: list[Path]) -> Lexicon:
    """The lexicon plus whole ontologies; terms already in the lexicon keep their curated form."""
    from .sources import file_digest, load_ontology

    if not paths:
        return base
    terms = dict(base.terms)
    loaded = set(base.loaded)
    versions = [base.version]
    sources = list(base.sources)
    for path in paths:
        added, _ = load_ontology(path)
        for term in added:
            known = terms.get(term.id)
            if known is None or not known.matchable:  # a hierarchy-only entry never shadows the loaded term
                terms[term.id] = term
            loaded.add(term.id)
        versions.append(file_digest(path))
        sources.append(f"{path.name}: sha256 {versions[-1][:16]}, added with --ontology")
    return Lexicon(terms, content_hash(*versions), tuple(sources), frozenset(loaded))
