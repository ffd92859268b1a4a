"""Scores against gold annotations: mentions (span and id), concepts per document, assertions per document.

Gold format (JSON, one file holds one or more documents):
  {"documents": [{"id": DOCUMENT ID, "source": PATH (relative to the gold file),
                  "mentions": [{"start": int, "end": int, "text": str, "id": CURIE, "category": str}],
                  "assertions": [{"subject": CURIE, "predicate": str, "object": CURIE,
                                  "polarity": "affirmed"|"negated", "sentence": {"start": int, "end": int}}]}]}
Offsets index the text the reader makes of the document (Document.text).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .analysis import Analyser
from .extract import create
from .ontology.lexicon import Lexicon
from .readers import read_inputs


class GoldError(Exception):
    pass


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Report:
    overall: dict[str, Score] = field(default_factory=dict)        # level -> score
    by_group: dict[str, dict[str, Score]] = field(default_factory=dict)  # level -> category/predicate -> score
    errors: dict[str, dict[str, list]] = field(default_factory=dict)     # level -> fp/fn -> items

    def as_dict(self, with_errors: bool = False) -> dict:
        out = {level: {"overall": score.as_dict(),
                       "by": {k: v.as_dict() for k, v in sorted(self.by_group[level].items())}}
               for level, score in self.overall.items()}
        if with_errors:
            for level, errs in self.errors.items():
                out[level]["errors"] = errs
        return out


def load_gold(paths: Iterable[Path]) -> list[dict]:
    documents = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                for doc in data["documents"]:
                    doc["_base"] = str(file.parent)
                    documents.append(doc)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise GoldError(f"{file}: not a gold file ({type(exc).__name__}: {exc})") from None
    return documents


def _compare(level: str, gold: dict[tuple, str], system: dict[tuple, str], report: Report) -> None:
    """gold/system map an item to its group (category or predicate)."""
    score, groups = Score(), defaultdict(Score)
    fps, fns = [], []
    for item, group in gold.items():
        if item in system:
            score.tp += 1
            groups[group].tp += 1
        else:
            score.fn += 1
            groups[group].fn += 1
            fns.append(list(item))
    for item, group in system.items():
        if item not in gold:
            score.fp += 1
            groups[group].fp += 1
            fps.append(list(item))
    report.overall[level] = score
    report.by_group[level] = dict(groups)
    report.errors[level] = {"false_positives": sorted(fps), "misses": sorted(fns)}


def evaluate(gold_docs: list[dict], lexicon: Lexicon, inputs: list[str] | None = None,
             extractors: Iterable[str] = ("rules",)) -> Report:
    sources = inputs or sorted({str(Path(d["_base"]) / d["source"]) for d in gold_docs})
    documents = {}
    for result in read_inputs(sources):
        if result.error:
            raise GoldError(result.error)
        for doc in result.documents:
            documents[doc.id] = doc
    analyser = Analyser(lexicon)
    instances = [create(spec) for spec in extractors]
    gold_m, gold_c, gold_a, sys_m, sys_c, sys_a = {}, {}, {}, {}, {}, {}
    for gold in gold_docs:
        doc_id = gold["id"]
        if doc_id not in documents:
            raise GoldError(f"gold document {doc_id} is not among the inputs ({', '.join(sorted(documents)) or 'none'})")
        for m in gold["mentions"]:
            gold_m[(doc_id, m["start"], m["end"], m["id"])] = m["category"]
            gold_c[(doc_id, m["id"])] = m["category"]
        for a in gold["assertions"]:
            gold_a[(doc_id, a["subject"], a["predicate"], a["object"], a.get("polarity", "affirmed"))] = a["predicate"]
        analysed = analyser.analyse(documents[doc_id])
        for m in analysed.mentions:
            sys_m[(doc_id, m.start, m.end, m.curie)] = m.category
            sys_c[(doc_id, m.curie)] = m.category
        for extractor in instances:
            for a in extractor.extract(analysed):
                sys_a[(doc_id, a.subject, a.predicate, a.object, a.evidence.polarity)] = a.predicate
    report = Report()
    _compare("mentions", gold_m, sys_m, report)
    _compare("concepts", gold_c, sys_c, report)
    _compare("assertions", gold_a, sys_a, report)
    return report


def format_report(report: Report, errors: bool) -> str:
    lines = []
    for level in ("mentions", "concepts", "assertions"):
        o = report.overall[level]
        lines.append(f"{level:12} P {o.precision:.3f}  R {o.recall:.3f}  F1 {o.f1:.3f}  (tp {o.tp}, fp {o.fp}, fn {o.fn})")
        for group, s in sorted(report.by_group[level].items()):
            lines.append(f"  {group:26} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})")
        if errors:
            for kind in ("false_positives", "misses"):
                for item in report.errors[level][kind]:
                    lines.append(f"  {kind[:-1] if kind.endswith('s') else kind}: {' '.join(str(x) for x in item)}")
    return "\n".join(lines) + "\n"
