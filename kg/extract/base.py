"""The extractor interface and its registry."""
from __future__ import annotations

from typing import Callable, Iterator, Protocol

from ..analysis import AnalysedDocument
from ..model import Assertion


class Extractor(Protocol):
    name: str
    version: str

    def extract(self, document: AnalysedDocument) -> Iterator[Assertion]: ...


EXTRACTORS: dict[str, Callable[[], Extractor]] = {}


def register(name: str):
    def wrap(factory: Callable[[], Extractor]) -> Callable[[], Extractor]:
        EXTRACTORS[name] = factory
        return factory
    return wrap
