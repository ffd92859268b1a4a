"""The extractor interface and its registry.

An extractor is any object with a `name`, a `version` and `extract(AnalysedDocument) -> Iterator[Assertion]`.
Register a factory with `@register("name")` in a module of this package, or from another package
through the `ivdkg.extractors` entry point group; `kg build --extractor NAME[=ARGUMENT]` runs it
instead of (or beside) the default, and the graph merges all their assertions, each evidence keeping
the name and version of the extractor that produced it.
"""
from __future__ import annotations

from importlib.metadata import entry_points
from typing import Callable, Iterator, Protocol

from ..analysis import AnalysedDocument
from ..model import Assertion


class Extractor(Protocol):
    name: str
    version: str

    def extract(self, document: AnalysedDocument) -> Iterator[Assertion]: ...


ExtractorFactory = Callable[..., Extractor]
EXTRACTORS: dict[str, ExtractorFactory] = {}
# What a build runs when no --extractor is given: relations read from the dependency tree of the
# shipped parser, which beats the trigger-word rules on real prose (README, "Real prose").
DEFAULT_EXTRACTORS: tuple[str, ...] = ("syntax",)


class ExtractorError(Exception):
    pass


def register(name: str):
    def wrap(factory: ExtractorFactory) -> ExtractorFactory:
        EXTRACTORS[name] = factory
        return factory
    return wrap


def create(spec: str) -> Extractor:
    """'rules' or 'name=argument' (the argument goes to the factory, e.g. a folder of recorded output)."""
    name, _, argument = spec.partition("=")
    if name not in EXTRACTORS:
        for entry in entry_points(group="ivdkg.extractors"):
            if entry.name == name:
                EXTRACTORS[name] = entry.load()
    if name not in EXTRACTORS:
        raise ExtractorError(f"unknown extractor {name!r} (known: {', '.join(sorted(EXTRACTORS))})")
    return EXTRACTORS[name](argument) if argument else EXTRACTORS[name]()
