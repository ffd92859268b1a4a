"""Categories, predicates and identifier prefixes, loaded from ontologies/schema.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .resources import ontology_file


@dataclass(frozen=True)
class Category:
    name: str
    biolink: str
    description: str
    colour: str
    shape: str


@dataclass(frozen=True)
class Predicate:
    name: str
    iri: str  # a CURIE
    label: str
    subjects: tuple[str, ...]
    objects: tuple[str, ...]
    sub_property_of: str | None = None

    def accepts(self, subject_category: str, object_category: str) -> bool:
        return ("*" in self.subjects or subject_category in self.subjects) and (
            "*" in self.objects or object_category in self.objects)

    @property
    def neo4j_type(self) -> str:
        return self.name.upper()


@dataclass(frozen=True)
class Schema:
    project_prefix: str
    base: str
    prefixes: dict[str, str]
    categories: dict[str, Category]
    predicates: dict[str, Predicate]

    def iri(self, curie: str) -> str:
        """The standard IRI of a CURIE; project CURIEs live under the configurable base."""
        prefix, _, local = curie.partition(":")
        if prefix == self.project_prefix and local in self.predicates:
            return self.base + "vocab/" + local
        if prefix == self.project_prefix:
            return self.base + "concept/" + local
        if prefix in self.prefixes:
            return self.prefixes[prefix] + local
        if prefix and local and prefix.replace("_", "").isalnum():
            return f"http://purl.obolibrary.org/obo/{prefix}_{local}"  # an OBO ontology added at run time
        raise ValueError(f"not a CURIE: {curie!r}")


def load_schema(path: Path | None = None, base: str | None = None) -> Schema:
    data = tomllib.loads((path or ontology_file("schema.toml")).read_text(encoding="utf-8"))
    categories = {name: Category(name, c["biolink"], c["description"], c["colour"], c["shape"])
                  for name, c in data["categories"].items()}
    predicates = {name: Predicate(name, p["iri"], p["label"], tuple(p["subjects"]), tuple(p["objects"]),
                                  p.get("sub_property_of"))
                  for name, p in data["predicates"].items()}
    for p in predicates.values():
        for cat in p.subjects + p.objects:
            if cat != "*" and cat not in categories:
                raise ValueError(f"schema.toml: predicate {p.name} names unknown category {cat}")
    base = base or data["project"]["base"]
    return Schema(data["project"]["prefix"], base, dict(data["prefixes"]), categories, predicates)


@lru_cache(maxsize=1)
def default_schema() -> Schema:
    return load_schema()
