"""The data model: frozen records passed from stage to stage."""
from __future__ import annotations

from dataclasses import dataclass

SECTION_KINDS = ("title", "abstract", "introduction", "methods", "results", "discussion", "other")
POLARITIES = ("affirmed", "negated")
CERTAINTIES = ("stated", "hedged")
STUDY_TYPES = ("clinical", "preclinical_in_vivo", "in_vitro", "review", "unknown")
MATCHED_SCOPES = frozenset({"EXACT", "UNSPECIFIED", "CURATED", "ABBREVIATION", "ADJECTIVE", "SYMBOL", "ALIAS", "PREVIOUS"})


@dataclass(frozen=True)
class Section:
    """A run of the document's text with its heading; offsets index Document.text."""
    kind: str
    heading: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    sections: tuple[Section, ...]
    title: str = ""
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    source: str = ""
    format: str = ""


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    section: str


@dataclass(frozen=True)
class Term:
    """A lexicon entry: an ontology term or a project concept."""
    id: str
    label: str
    category: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    close_match: tuple[str, ...] = ()
    broad_match: tuple[str, ...] = ()
    source: str = ""
    matchable: bool = True
    definition: str = ""
    synonym_scopes: tuple[str, ...] = ()  # aligned with synonyms: EXACT, RELATED, BROAD, NARROW, UNSPECIFIED, CURATED

    def matched_synonyms(self) -> tuple[str, ...]:
        """The synonyms grounding may match: exact, curated, and those whose source gives no scope."""
        if not self.synonym_scopes:
            return self.synonyms
        return tuple(s for s, scope in zip(self.synonyms, self.synonym_scopes) if scope in MATCHED_SCOPES)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    curie: str
    category: str
    matched_by: str  # label | synonym | abbreviation | ... (how grounding found it)
    sentence: int
    parts: tuple[tuple[int, int], ...] = ()  # a discontinuous mention ("rod ... photoreceptors"): its pieces
    markers: tuple[str, ...] = ()            # markers that define the cells ("Tie2+ progenitor cells": Tie2)
    nested: bool = False  # inside a longer mention of another ontology ("striatal" in "striatal neuron")

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The character ranges the mention covers: its pieces, or the one range start..end."""
        return self.parts or ((self.start, self.end),)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    direction: str  # increase | decrease | none
    text: str


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    """One sentence's support for one assertion (every evidence field of SCHEMA.md)."""
    document: str
    document_title: str
    document_year: int | None
    section: str
    sentence: str
    sentence_start: int
    sentence_end: int
    subject_span: Span
    object_span: Span
    trigger: str
    polarity: str = "affirmed"
    certainty: str = "stated"
    study_type: str = "unknown"
    organism: str | None = None
    quantities: tuple[Quantity, ...] = ()
    extractor: str = ""
    confidence: float = 0.5


@dataclass(frozen=True)
class Assertion:
    subject: str
    predicate: str
    object: str
    evidence: Evidence

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Assertions with the same key merge into one edge; polarity keeps negative findings apart."""
        return (self.subject, self.predicate, self.object, self.evidence.polarity)
