"""The json extractor: assertions produced elsewhere (a model, a language model) merged with the rules.

It reads a JSON Lines file of records shaped by ontologies/assertion.schema.json and keeps a record
only when it is true to the graph's schema and to the document: a known predicate whose categories
fit, subject and object known to the lexicon and mentioned in the sentence, and the sentence present
in the document. What it rejects it counts, by reason, in `rejected`; a record that is not even of the
right shape (not JSON, a field of the wrong type) is also named, file and line, in `problems`, which the
build reports as skipped input.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Iterator

from ..analysis import AnalysedDocument
from ..model import Assertion, Evidence, Span
from ..schema import Schema, default_schema
from .base import ExtractorError, register

VERSION = "1"
MAX_PROBLEMS = 20  # lines naming bad records; past this, one line counts the rest
_TEXT_FIELDS = ("document", "subject", "predicate", "object", "sentence")
_OPTIONAL_TEXT_FIELDS = ("polarity", "certainty", "model")


def record_problem(record: object) -> str | None:
    """Why a parsed JSON Lines record does not have the shape of ontologies/assertion.schema.json, or None."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    for name in _TEXT_FIELDS:
        if name not in record:
            return f"missing {name!r}"
        if not isinstance(record[name], str):
            return f"{name!r} must be a string, not {record[name]!r:.40}"
    for name in _OPTIONAL_TEXT_FIELDS:
        if record.get(name) is not None and not isinstance(record[name], str):
            return f"{name!r} must be a string, not {record[name]!r:.40}"
    confidence = record.get("confidence", 0.5)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not math.isfinite(confidence):
        return f"'confidence' must be a number from 0 to 1, not {confidence!r:.40}"
    return None


class JsonAssertionExtractor:
    name = "json"
    version = VERSION

    def __init__(self, path: str, schema: Schema | None = None):
        self.schema = schema or default_schema()
        self.rejected: Counter[str] = Counter()
        self.records: dict[str, list[dict]] = {}
        bad: list[str] = []
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ExtractorError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeError:
            raise ExtractorError(f"{path}: not UTF-8 text (JSON Lines expected)") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as exc:
                problem = f"not JSON ({exc.__class__.__name__})"
            else:
                problem = record_problem(record)
            if problem is not None:
                self.rejected["malformed record"] += 1
                bad.append(f"{path} line {number}: {problem}; record left out")
                continue
            self.records.setdefault(record["document"], []).append(record)
        self.problems: tuple[str, ...] = tuple(bad[:MAX_PROBLEMS]) + (
            (f"{path}: {len(bad) - MAX_PROBLEMS} more bad records left out",) if len(bad) > MAX_PROBLEMS else ())

    def extract(self, document: AnalysedDocument) -> Iterator[Assertion]:
        d = document.document
        for record in self.records.get(d.id, []):
            reason = self._check(record, document)
            if isinstance(reason, str):
                self.rejected[reason] += 1
                continue
            sentence, subject, obj = reason
            model = str(record.get("model") or "unknown")
            yield Assertion(record["subject"], record["predicate"], record["object"], Evidence(
                document=d.id, document_title=d.title, document_year=d.year, section=sentence.sentence.section,
                sentence=sentence.sentence.text, sentence_start=sentence.sentence.start,
                sentence_end=sentence.sentence.end, subject_span=Span(subject.start, subject.end, subject.text),
                object_span=Span(obj.start, obj.end, obj.text), trigger="",
                polarity=record.get("polarity", "affirmed"), certainty=record.get("certainty", "stated"),
                study_type=document.study_type, organism=document.organism, quantities=(),
                extractor=f"{self.name}/{self.version}:{model}",
                confidence=round(min(1.0, max(0.0, float(record.get("confidence", 0.5)))), 3)))

    def _check(self, record: dict, document: AnalysedDocument):
        predicate = self.schema.predicates.get(record["predicate"])
        if predicate is None:
            return "unknown predicate"
        if record.get("polarity", "affirmed") not in ("affirmed", "negated") or \
                record.get("certainty", "stated") not in ("stated", "hedged"):
            return "bad polarity or certainty"
        text = " ".join(str(record.get("sentence", "")).split())
        sentence = next((s for s in document.sentences if " ".join(s.sentence.text.split()) == text), None)
        if sentence is None:
            return "sentence not in the document"
        subject = next((m for m in sentence.mentions if m.curie == record["subject"]), None)
        obj = next((m for m in sentence.mentions if m.curie == record["object"]), None)
        if subject is None or obj is None:
            return "subject or object not mentioned in the sentence"
        if not predicate.accepts(subject.category, obj.category):
            return "categories do not fit the predicate"
        return sentence, subject, obj


@register("json")
def _factory(path: str = "") -> JsonAssertionExtractor:
    if not path:
        raise ExtractorError("the json extractor needs a file: --extractor json=PATH.jsonl")
    return JsonAssertionExtractor(path)
