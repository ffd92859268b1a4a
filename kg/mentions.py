"""Mention-level records: what the mention outputs (BioC, PubTator) write, what their readers give back and
what `kg evaluate` scores. Plain frozen records, with no dependence on the analyser, so that a benchmark
script can build them from any corpus."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .model import Document, Mention

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class MentionRecord:
    """One grounded mention: its document, the character ranges it covers (several for a discontinuous
    mention, sorted), its id and category. Offsets index Document.text."""
    document: str
    spans: Spans
    curie: str
    category: str
    text: str
    matched_by: str = ""
    markers: tuple[str, ...] = ()

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    @property
    def sort_key(self) -> tuple:
        return (self.document, self.spans, self.curie, self.category, self.text)

    def to_dict(self) -> dict:
        return {"document": self.document, "spans": [list(s) for s in self.spans], "curie": self.curie,
                "category": self.category, "text": self.text, "matched_by": self.matched_by,
                "markers": list(self.markers)}

    @staticmethod
    def from_dict(data: dict) -> "MentionRecord":
        return MentionRecord(data["document"], tuple((int(s), int(e)) for s, e in data["spans"]), data["curie"],
                             data["category"], data["text"], data.get("matched_by", ""),
                             tuple(data.get("markers", ())))


@dataclass(frozen=True)
class Passage:
    """One section of a document as the mention outputs write it: kind, heading, start in Document.text, text."""
    kind: str
    heading: str
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class AnnotatedDocument:
    """A document's passages and mention records, with the references the outputs name it by."""
    id: str
    passages: tuple[Passage, ...]
    mentions: tuple[MentionRecord, ...]
    title: str = ""
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None


def normalise_spans(spans: Iterable[tuple[int, int]]) -> Spans:
    """Sorted pieces, each start < end; raises ValueError on anything else."""
    out = []
    for piece in spans:
        start, end = piece
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
            raise ValueError(f"offsets must be integers, not {piece!r}")
        if not 0 <= start < end:
            raise ValueError(f"a piece must have 0 <= start < end, not [{start}, {end}]")
        out.append((start, end))
    if not out:
        raise ValueError("a mention needs at least one piece")
    return tuple(sorted(out))


def record_of(document: Document, mention: Mention) -> MentionRecord:
    """The record of one grounded mention; a discontinuous mention's text is its pieces joined by a space."""
    spans = normalise_spans(mention.spans)
    text = mention.text if len(spans) == 1 else " ".join(document.text[s:e] for s, e in spans)
    return MentionRecord(document.id, spans, mention.curie, mention.category, text, mention.matched_by,
                         tuple(mention.markers))


def records_of(document: Document, mentions: Iterable[Mention]) -> tuple[MentionRecord, ...]:
    return tuple(sorted({record_of(document, m) for m in mentions}, key=lambda r: r.sort_key))


def passages_of(document: Document) -> tuple[Passage, ...]:
    return tuple(Passage(s.kind, s.heading, s.start, document.text[s.start:s.end]) for s in document.sections)


def has_prefix(curie: str, prefixes: Iterable[str]) -> bool:
    """Whether curie's prefix (before the first ':') is one of prefixes, case-insensitively; true without prefixes."""
    wanted = {p.lower().rstrip(":") for p in prefixes}
    return not wanted or curie.partition(":")[0].lower() in wanted
