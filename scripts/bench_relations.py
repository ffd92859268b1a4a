"""Relation extraction on real prose: a reliability table (share of correct edges by confidence) and
whole-build throughput per extractor with the share of time in the parser.

Gold: tests/gold/real/dev (or --gold DIR); it needs ../shared/corpus/abstracts beside the checkout.
An edge is correct when the gold document holds the same (subject, predicate, object, polarity); an
edge's confidence is the highest of its evidence in that document, as in the merged graph.
Usage: python scripts/bench_relations.py [--gold tests/gold/real/dev] [--extractor syntax] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BINS = ((0.0, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 1.01))


def documents_of(gold_docs: list[dict]):
    from kg.readers import read_inputs
    sources = sorted({str(Path(d["_base"]) / d["source"]) for d in gold_docs})
    docs = {d.id: d for r in read_inputs(sources) for d in r.documents}
    return [docs[g["id"]] for g in gold_docs if g["id"] in docs]


def gold_keys(gold_docs: list[dict]) -> set[tuple]:
    return {(g["id"], a["subject"], a["predicate"], a["object"], a.get("polarity", "affirmed"))
            for g in gold_docs for a in g["assertions"]}


def edges(analysed, extractor) -> dict[tuple, float]:
    """(document, subject, predicate, object, polarity) -> highest confidence."""
    out: dict[tuple, float] = {}
    for a in extractor.extract(analysed):
        key = (analysed.document.id, a.subject, a.predicate, a.object, a.evidence.polarity)
        out[key] = max(out.get(key, 0.0), a.evidence.confidence)
    return out


def reliability(found: dict[tuple, float], gold: set[tuple]) -> list[dict]:
    rows = []
    for lo, hi in BINS:
        keys = [k for k, c in found.items() if lo <= c < hi]
        right = sum(k in gold for k in keys)
        rows.append({"confidence": f"{lo:.1f}-{min(hi, 1.0):.1f}", "edges": len(keys), "correct": right,
                     "precision": round(right / len(keys), 3) if keys else None})
    return rows


def cut_curve(found: dict[tuple, float], gold: set[tuple]) -> list[dict]:
    """Precision and recall of the edges kept by --min-confidence at each threshold."""
    rows = []
    for threshold in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7):
        kept = [k for k, c in found.items() if c >= threshold]
        right = sum(k in gold for k in kept)
        rows.append({"min_confidence": threshold, "edges": len(kept), "false": len(kept) - right,
                     "precision": round(right / len(kept), 3) if kept else None,
                     "recall": round(right / len(gold), 3) if gold else None})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(ROOT / "tests" / "gold" / "real" / "dev"))
    ap.add_argument("--extractor", action="append", default=None)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from kg.analysis import Analyser
    from kg.evaluate import load_gold
    from kg.extract import create
    from kg.ontology.lexicon import default_lexicon

    gold_docs = load_gold(sorted(Path(args.gold).glob("*.json")))
    documents = documents_of(gold_docs)
    if not documents:
        sys.exit(f"{args.gold}: no gold document's source is readable (is ../shared/corpus/abstracts beside the checkout?)")
    gold = gold_keys(gold_docs)
    megabytes = sum(len(d.text.encode("utf-8")) for d in documents) / 1e6
    analyser = Analyser(default_lexicon())
    t0 = time.perf_counter()
    analysed = [analyser.analyse(d) for d in documents]
    analysis_s = time.perf_counter() - t0
    report = {"gold": args.gold, "documents": len(documents), "megabytes": round(megabytes, 4),
              "gold_edges": len(gold), "analysis_seconds": round(analysis_s, 3), "extractors": {}}
    for name in args.extractor or ["rules", "syntax"]:
        extractor = create(name)
        parse_s = 0.0
        if name == "syntax":  # the parser's share: parse every candidate sentence once, alone
            extractor.nlp  # loaded before the clock starts, as in a build's worker
            todo = [s.sentence.text for a in analysed for s in a.sentences if extractor.candidate(s)]
            t0 = time.perf_counter()
            list(extractor.nlp.pipe(todo))
            parse_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        found: dict[tuple, float] = {}
        for a in analysed:
            found.update(edges(a, extractor))
        extract_s = time.perf_counter() - t0
        total = analysis_s + extract_s
        report["extractors"][name] = {
            "edges": len(found), "correct": sum(k in gold for k in found),
            "reliability": reliability(found, gold), "min_confidence": cut_curve(found, gold),
            "extract_seconds": round(extract_s, 3), "parser_seconds": round(parse_s, 3),
            "parser_share_of_build": round(parse_s / total, 3) if total else None,
            "mb_per_second": round(megabytes / total, 3) if total else None}
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
