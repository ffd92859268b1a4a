"""The lexicon: ontology terms and project concepts with labels, synonyms and is_a parents."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..ids import content_hash
from ..model import Term
from ..resources import ontology_file
from ..schema import Schema, default_schema


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split("|") if v)


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, Term]
    version: str  # a hash of the lexicon file, recorded in the outputs
    sources: tuple[str, ...] = ()  # "cl.tsv.gz: version 2026-03-26, license CC BY 4.0", ...

    def get(self, curie: str) -> Term | None:
        return self.terms.get(curie)

    def with_terms(self, extra: "Iterable[Term]") -> "Lexicon":
        """This lexicon plus terms found while reading (open-vocabulary concepts); existing ids win."""
        extra = [t for t in extra if t.id not in self.terms]
        if not extra:
            return self
        return Lexicon({**self.terms, **{t.id: t for t in extra}}, self.version, self.sources)

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
    path = path or ontology_file("lexicon.tsv")
    raw = path.read_text(encoding="utf-8")
    terms: dict[str, Term] = {}
    rows = csv.DictReader((l for l in raw.splitlines() if not l.startswith("#")), delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    for row in rows:
        category = row["category"]
        matchable = row["match"] == "yes"
        if matchable and category not in schema.categories:
            raise ValueError(f"{path}: {row['id']} has unknown category {category!r}")
        scoped = [s.split(":", 1) if ":" in s and s.split(":", 1)[0].isupper() else ("UNSPECIFIED", s)
                  for s in _split(row["synonyms"])]
        terms[row["id"]] = Term(row["id"], row["label"], category, tuple(t for _, t in scoped), _split(row["parents"]),
                                _split(row["close_match"]), _split(row["broad_match"]), row["source"], matchable,
                                row.get("definition") or "", tuple(sc for sc, _ in scoped))
    sources = tuple(l[2:] for l in raw.splitlines() if l.startswith("# ") and ": version " in l)
    return Lexicon(terms, content_hash(raw), sources)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


def with_ontologies(base: Lexicon, paths: list[Path]) -> Lexicon:
    """The lexicon plus whole ontologies; terms already in the lexicon keep their curated form."""
    from .sources import file_digest, load_ontology

    if not paths:
        return base
    terms = dict(base.terms)
    versions = [base.version]
    sources = list(base.sources)
    for path in paths:
        added, _ = load_ontology(path)
        for term in added:
            terms.setdefault(term.id, term)
        versions.append(file_digest(path))
        sources.append(f"{path.name}: sha256 {versions[-1][:16]}, added with --ontology")
    return Lexicon(terms, content_hash(*versions), tuple(sources))
