"""Scores against gold annotations: mentions (pieces and id), concepts per document, assertions per document.

Gold format (JSON, one file holds one or more documents):
  {"documents": [{"id": DOCUMENT ID, "source": PATH (relative to the gold file),
                  "mentions": [{"start": int, "end": int, "text": str, "id": CURIE, "category": str,
                                "spans": [[int, int], ...]}],
                  "assertions": [{"subject": CURIE, "predicate": str, "object": CURIE,
                                  "polarity": "affirmed"|"negated", "sentence": {"start": int, "end": int}}]}]}
Offsets index the text the reader makes of the document (Document.text). "spans" is optional: it gives
the pieces of a discontinuous mention ("rod ... photoreceptors"), while start and end stay its outer
bounds (the first piece's start, the last piece's end); without it the mention is the one piece start..end.

Matching. Mentions, exactly (the default): same document, same set of character pieces, same id.
Mentions with overlap: same document and id, and some character in common; each gold and each system
mention is used at most once (a maximum matching, preferring identical pieces, then the larger overlap).
Concepts: (document, id). Assertions: (document, subject, predicate, object, polarity). `prefixes`
keeps, on both sides, only the mentions and concepts whose id has one of those prefixes (so a corpus
annotated for one ontology is scored fairly); assertions are not filtered.

Precision is undefined when nothing was predicted and recall when there is nothing to find: both are
then None ("n/a" in the table, null in JSON), never 1.0; F1 is 0.0 when one of them is undefined and
the other is not, None when both are.

The scoring core (`score_mentions`, `score_concepts`, `score_items`) is pure functions over
`MentionRecord`s and tuples, for scripts that bring their own corpus (a CRAFT benchmark).
"""
from __future__ import annotations

import json
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .mentions import MentionRecord, has_prefix, normalise_spans, records_of
from .model import Document
from .ontology.lexicon import Lexicon
from .readers import ReaderError, read_inputs, read_mention_file


class GoldError(Exception):
    pass


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        def num(x: float | None) -> float | None:
            return None if x is None else round(x, 4)
        return {"precision": num(self.precision), "recall": num(self.recall), "f1": num(self.f1),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class LevelScore:
    """One level's score: overall, per group (category or predicate), and the items behind the errors."""
    overall: Score
    by_group: dict[str, Score]
    false_positives: list
    misses: list

    # the overall numbers, read directly (score_mentions(...).f1)
    tp = property(lambda self: self.overall.tp)
    fp = property(lambda self: self.overall.fp)
    fn = property(lambda self: self.overall.fn)
    precision = property(lambda self: self.overall.precision)
    recall = property(lambda self: self.overall.recall)
    f1 = property(lambda self: self.overall.f1)

    def as_dict(self) -> dict:
        return {**self.overall.as_dict(), "by": {k: v.as_dict() for k, v in sorted(self.by_group.items())}}


@dataclass
class Report:
    overall: dict[str, Score] = field(default_factory=dict)        # level -> score
    by_group: dict[str, dict[str, Score]] = field(default_factory=dict)  # level -> category/predicate -> score
    errors: dict[str, dict[str, list]] = field(default_factory=dict)     # level -> fp/fn -> items

    def add(self, level: str, score: LevelScore) -> None:
        self.overall[level] = score.overall
        self.by_group[level] = score.by_group
        self.errors[level] = {"false_positives": score.false_positives, "misses": score.misses}

    def as_dict(self, with_errors: bool = False) -> dict:
        out = {level: {"overall": score.as_dict(),
                       "by": {k: v.as_dict() for k, v in sorted(self.by_group[level].items())}}
               for level, score in self.overall.items()}
        if with_errors:
            for level, errs in self.errors.items():
                out[level]["errors"] = errs
        return out


# --- the scoring core: pure functions ---------------------------------------------------------------------

def score_items(gold: dict[tuple, str], system: dict[tuple, str]) -> LevelScore:
    """Exact matching of hashable items; gold/system map each item to its group (category or predicate)."""
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
    return LevelScore(score, dict(groups), sorted(fps), sorted(fns))


def _unique(records: Iterable[MentionRecord], prefixes: Sequence[str]) -> list[MentionRecord]:
    """One record per (document, pieces, id), in sorted order, keeping only the ids with the prefixes."""
    seen: dict[tuple, MentionRecord] = {}
    for r in sorted(records, key=lambda r: r.sort_key):
        if has_prefix(r.curie, prefixes):
            seen.setdefault((r.document, r.spans, r.curie), r)
    return list(seen.values())


def _overlap(a: MentionRecord, b: MentionRecord) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a.spans for s2, e2 in b.spans)


def _max_matching(adj: list[list[int]]) -> dict[int, int]:
    """A maximum bipartite matching (gold index -> system index) by augmenting paths, tried in adj's order."""
    match_s: dict[int, int] = {}
    match_g: dict[int, int] = {}
    for g0 in range(len(adj)):
        stack, seen, parent = [(g0, iter(adj[g0]))], set(), {}
        while stack:
            g, candidates = stack[-1]
            for s in candidates:
                if s in seen:
                    continue
                seen.add(s)
                parent[s] = g
                if s not in match_s:  # a free system mention: flip the path back to g0
                    while True:
                        g_prev = parent[s]
                        s_prev = match_g.get(g_prev)
                        match_s[s], match_g[g_prev] = g_prev, s
                        if g_prev == g0:
                            break
                        s = s_prev
                    stack = []
                    break
                stack.append((match_s[s], iter(adj[match_s[s]])))
                break
            else:
                stack.pop()
    return match_g


def _mention_item(r: MentionRecord) -> list:
    return [r.document, r.start, r.end, r.curie, r.text, [list(s) for s in r.spans]]


def score_mentions(gold: Iterable[MentionRecord], system: Iterable[MentionRecord], prefixes: Sequence[str] = (),
                   overlap: bool = False) -> LevelScore:
    """Mentions matched exactly (same document, same pieces, same id) or, with overlap, by same document and
    id and a character in common (each used at most once). Groups are categories: the gold mention's for
    hits and misses, the system mention's for false positives. Error items: [document, start, end, id, text, pieces]."""
    golds, systems = _unique(gold, prefixes), _unique(system, prefixes)
    pairs: dict[int, int] = {}
    if overlap:
        by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        for j, s in enumerate(systems):
            by_key[(s.document, s.curie)].append(j)
        adj = []
        for g in golds:
            candidates = [j for j in by_key.get((g.document, g.curie), ()) if _overlap(g, systems[j])]
            adj.append(sorted(candidates, key=lambda j: (systems[j].spans != g.spans, -_overlap(g, systems[j]), j)))
        pairs = _max_matching(adj)
    else:
        index = {(s.document, s.spans, s.curie): j for j, s in enumerate(systems)}
        pairs = {i: index[(g.document, g.spans, g.curie)] for i, g in enumerate(golds)
                 if (g.document, g.spans, g.curie) in index}
    score, groups = Score(), defaultdict(Score)
    fps, fns = [], []
    for i, g in enumerate(golds):
        if i in pairs:
            score.tp += 1
            groups[g.category].tp += 1
        else:
            score.fn += 1
            groups[g.category].fn += 1
            fns.append(_mention_item(g))
    used = set(pairs.values())
    for j, s in enumerate(systems):
        if j not in used:
            score.fp += 1
            groups[s.category].fp += 1
            fps.append(_mention_item(s))
    order = lambda item: (item[0], item[5], item[3])  # noqa: E731  (document, pieces, id)
    return LevelScore(score, dict(groups), sorted(fps, key=order), sorted(fns, key=order))


def score_concepts(gold: Iterable[MentionRecord], system: Iterable[MentionRecord],
                   prefixes: Sequence[str] = ()) -> LevelScore:
    """Concepts per document: (document, id) from the mentions on each side, grouped by category."""
    def concepts(records: Iterable[MentionRecord]) -> dict[tuple, str]:
        out: dict[tuple, str] = {}
        for r in sorted(records, key=lambda r: r.sort_key):
            if has_prefix(r.curie, prefixes):
                out.setdefault((r.document, r.curie), r.category)
        return out
    return score_items(concepts(gold), concepts(system))


# --- gold files, documents and mention files --------------------------------------------------------------

def load_gold(paths: Iterable[Path]) -> list[dict]:
    documents = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                for doc in data["documents"]:
                    doc["_base"] = str(file.parent)
                    doc["_file"] = str(file)
                    documents.append(doc)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise GoldError(f"{file}: not a gold file ({type(exc).__name__}: {exc})") from None
    return documents


def gold_mentions(gold_doc: dict) -> list[MentionRecord]:
    """A gold document's mentions as records; a bad mention raises GoldError naming the file."""
    out = []
    for n, m in enumerate(gold_doc.get("mentions", [])):
        try:
            start, end = m["start"], m["end"]
            spans = normalise_spans([tuple(s) for s in m["spans"]] if "spans" in m else [(start, end)])
            if "spans" in m and (spans[0][0], spans[-1][1]) != (start, end):
                raise ValueError(f"spans {[list(s) for s in spans]} do not start at {start} and end at {end}")
            out.append(MentionRecord(gold_doc["id"], spans, m["id"], m["category"], m.get("text", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise GoldError(f"{gold_doc.get('_file', 'gold')}: document {gold_doc.get('id')}: mention {n + 1}: "
                            f"{type(exc).__name__}: {exc}") from None
    return out


def _references(doc: Document) -> list[str]:
    refs = [doc.id]
    refs += [f"DOI:{doc.doi}"] if doc.doi else []
    refs += [f"PMID:{doc.pmid}"] if doc.pmid else []
    refs += [f"PMCID:{doc.pmcid}"] if doc.pmcid else []
    return refs


def offset_map(source: str, target: str) -> Callable[[int, int], tuple[int, int]] | None:
    """Map (start, end) in `source` to `target` when the two texts differ in whitespace only, else None."""
    if source == target:
        return lambda s, e: (s, e)
    src = [i for i, c in enumerate(source) if not c.isspace()]
    tgt = [i for i, c in enumerate(target) if not c.isspace()]
    if len(src) != len(tgt) or any(source[i] != target[j] for i, j in zip(src, tgt)):
        return None

    def move(start: int, end: int) -> tuple[int, int]:
        k = bisect_left(src, start)
        new_start = tgt[k] if k < len(tgt) else len(target)
        k = bisect_left(src, end) - 1
        new_end = tgt[k] + 1 if k >= 0 else 0
        return new_start, max(new_start, new_end)
    return move


def file_mentions(path: Path, documents: Sequence[Document]) -> list[MentionRecord]:
    """The mentions a BioC or PubTator file gives for `documents` (matched by id, DOI, PMID or PMCID), with
    offsets moved into each document's text where the file's text differs from it in whitespace only."""
    try:
        found = read_mention_file(path)
    except ReaderError as exc:
        raise GoldError(str(exc)) from None
    by_ref: dict[str, tuple[Document, tuple[MentionRecord, ...]]] = {}
    for doc, records in found:
        for ref in _references(doc):
            by_ref.setdefault(ref, (doc, records))
    out, matched = [], 0
    for doc in documents:
        hit = next((by_ref[r] for r in _references(doc) if r in by_ref), None)
        if hit is None:
            continue
        matched += 1
        their_doc, records = hit
        move = offset_map(their_doc.text, doc.text)
        if move is None:
            raise GoldError(f"{path}: document {doc.id}: its text differs from the text read from {doc.source} "
                            f"(beyond whitespace), so its offsets cannot be compared")
        for r in records:
            spans = [piece for piece in (move(s, e) for s, e in r.spans) if piece[0] < piece[1]]
            if spans:  # a mention of whitespace only has nothing to be compared with
                out.append(MentionRecord(doc.id, normalise_spans(spans), r.curie, r.category, r.text, r.matched_by,
                                         r.markers))
    if documents and not matched:
        raise GoldError(f"{path}: none of the gold documents is in it (looked for {', '.join(d.id for d in documents)})")
    return out


def evaluate(gold_docs: list[dict], lexicon: Lexicon | None, inputs: list[str] | None = None,
             extractors: Iterable[str] | None = None, prefixes: Sequence[str] = (), overlap: bool = False,
             mentions: Path | None = None, mention_set: str = "all") -> Report:
    """Score the analyser and the extractors on the gold documents; with `mentions` (a BioC or PubTator file),
    score that file's mentions instead (and no assertions). `mention_set`: "all" scores every mention the
    mention-level outputs hold (nested ones and discontinuous pieces included), "relations" the mentions
    relations are read from, each as one span (references such as "these cells" included)."""
    sources = inputs or sorted({str(Path(d["_base"]) / d["source"]) for d in gold_docs})
    documents = {}
    for result in read_inputs(sources):
        if result.error:
            raise GoldError(result.error)
        for doc in result.documents:
            documents[doc.id] = doc
    gold_m: list[MentionRecord] = []
    gold_a: dict[tuple, str] = {}
    for gold in gold_docs:
        doc_id = gold["id"]
        if doc_id not in documents:
            raise GoldError(f"gold document {doc_id} is not among the inputs ({', '.join(sorted(documents)) or 'none'})")
        gold_m.extend(gold_mentions(gold))
        for a in gold["assertions"]:
            gold_a[(doc_id, a["subject"], a["predicate"], a["object"], a.get("polarity", "affirmed"))] = a["predicate"]
    gold_ids = sorted({g["id"] for g in gold_docs})
    report = Report()
    if mentions is not None:
        sys_m = file_mentions(mentions, [documents[i] for i in gold_ids])
    else:
        from .analysis import Analyser
        from .extract import create

        assert lexicon is not None, "scoring the analyser needs a lexicon"
        analyser = Analyser(lexicon)
        from .extract import DEFAULT_EXTRACTORS
        instances = [create(spec) for spec in (extractors or DEFAULT_EXTRACTORS)]
        sys_m, sys_a = [], {}
        for doc_id in gold_ids:
            analysed = analyser.analyse(documents[doc_id])
            chosen = analysed.all_mentions if mention_set == "all" else \
                tuple(replace(m, parts=()) for m in analysed.mentions)
            sys_m.extend(records_of(documents[doc_id], chosen))
            for extractor in instances:
                for a in extractor.extract(analysed):
                    sys_a[(doc_id, a.subject, a.predicate, a.object, a.evidence.polarity)] = a.predicate
    report.add("mentions", score_mentions(gold_m, sys_m, prefixes, overlap))
    report.add("concepts", score_concepts(gold_m, sys_m, prefixes))
    if mentions is None:
        report.add("assertions", score_items(gold_a, sys_a))
    return report


def _num(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def _line(label: str, s: Score) -> str:
    return f"{label} P {_num(s.precision)}  R {_num(s.recall)}  F1 {_num(s.f1)}  (tp {s.tp}, fp {s.fp}, fn {s.fn})"


def _item(item: list) -> str:
    def show(x) -> str:
        if isinstance(x, list):  # a mention's pieces
            return ",".join(f"{s}-{e}" for s, e in x)
        return repr(x) if isinstance(x, str) and (" " in x or not x) else str(x)
    if len(item) == 6 and isinstance(item[5], list) and len(item[5]) == 1:
        item = item[:5]  # a mention of one piece: start and end say it
    return " ".join(show(x) for x in item)


_ERROR_LABELS = {"false_positives": "false positive", "misses": "miss"}


def format_report(report: Report, errors: bool) -> str:
    lines = []
    for level in ("mentions", "concepts", "assertions"):
        if level not in report.overall:
            continue
        lines.append(_line(f"{level:12}", report.overall[level]))
        for group, s in sorted(report.by_group[level].items()):
            lines.append(_line(f"  {group:26}", s))
        if errors:
            for kind in ("false_positives", "misses"):
                for item in report.errors[level][kind]:
                    lines.append(f"  {_ERROR_LABELS[kind]}: {_item(item)}")
    return "\n".join(lines) + "\n"
