"""Calibrate the syntax extractor's confidence on the development gold of real prose.

For each (trigger class, path kind) the extractor reports (`syntax/...:decrease:relative`), the share
of its assertions whose edge the gold holds, smoothed towards the configured confidence with the
weight of PRIOR_WEIGHT assertions, is written to ontologies/syntax_calibration.tsv; the extractor
then gives that share as the assertion's confidence (times the hedging and distance factors), so
that confidence ranks edges by how often such a reading is right. Only the development part is
read: the test part stays untuned. Needs ../shared/corpus/abstracts beside the checkout.
Usage: python scripts/calibrate_syntax.py [--gold tests/gold/real/dev] [--out ontologies/syntax_calibration.tsv]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRIOR_WEIGHT = 4.0


def calibrate(gold_dir: Path) -> list[tuple[str, str, float, int, int, float]]:
    from kg.analysis import Analyser
    from kg.evaluate import load_gold
    from kg.extract.syntax import SyntaxExtractor
    from kg.nlp.parser import PARSER_VERSION, load_parser
    from kg.ontology.lexicon import default_lexicon
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_relations import documents_of, gold_keys

    gold_docs = load_gold(sorted(gold_dir.glob("*.json")))
    documents = documents_of(gold_docs)
    if not documents:
        sys.exit(f"{gold_dir}: no gold document's source is readable (is ../shared/corpus/abstracts beside the checkout?)")
    gold = gold_keys(gold_docs)
    analyser = Analyser(default_lexicon())
    raw = SyntaxExtractor(load_parser(), PARSER_VERSION, calibration={})
    groups: dict[tuple[str, str], list[tuple[bool, float]]] = defaultdict(list)
    for doc in documents:
        for a in raw.extract(analyser.analyse(doc)):
            _, kind, path = a.evidence.extractor.rsplit(":", 2)
            right = (doc.id, a.subject, a.predicate, a.object, a.evidence.polarity) in gold
            # the configured confidence without the context factors the extractor applies afterwards
            prior = raw.table.confidence.get(kind, 0.75) * raw.vocab.confidence.get(path, 1.0)
            groups[(kind, path)].append((right, prior))
    rows = []
    for (kind, path), seen in sorted(groups.items()):
        n, right = len(seen), sum(r for r, _ in seen)
        prior = sum(c for _, c in seen) / n
        value = (right + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)
        rows.append((kind, path, round(value, 3), n, right, round(prior, 3)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "real" / "dev")
    ap.add_argument("--out", type=Path, default=ROOT / "ontologies" / "syntax_calibration.tsv")
    args = ap.parse_args()
    rows = calibrate(args.gold)
    lines = ["# Written by scripts/calibrate_syntax.py from the development part of tests/gold/real: the share of",
             "# the syntax extractor's assertions found correct per trigger class and path, smoothed towards the",
             f"# configured confidence with the weight of {PRIOR_WEIGHT:g} assertions.",
             "class\tpath\tconfidence\tassertions\tcorrect\tprior"]
    lines += ["\t".join(str(x) for x in row) for row in rows]
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
