"""Shared fixtures: the lexicon and analyser are built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.analysis import Analyser
from kg.extract.rules import RuleExtractor
from kg.ontology.lexicon import default_lexicon
from kg.readers.base import DocumentBuilder

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Tests never write to the user's cache."""
    import os
    os.environ["IVDKG_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def lexicon():
    return default_lexicon()


@pytest.fixture(scope="session")
def analyser(lexicon):
    return Analyser(lexicon)


@pytest.fixture(scope="session")
def extractor():
    return RuleExtractor()


def make_document(text: str, title: str = "", kind: str = "abstract"):
    builder = DocumentBuilder("test", "text")
    builder.title = title
    builder.add("Abstract", text, kind=kind)
    return builder.build()


@pytest.fixture
def extract(analyser, extractor):
    """Text in, (subject, predicate, object, polarity, certainty) tuples out."""
    def run(text: str, title: str = ""):
        doc = analyser.analyse(make_document(text, title))
        return list(extractor.extract(doc))
    return run


@pytest.fixture
def triples(extract):
    def run(text: str, title: str = ""):
        return {(a.subject, a.predicate, a.object) for a in extract(text, title)
                if a.evidence.polarity == "affirmed"}
    return run
