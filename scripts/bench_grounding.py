"""Grounding speed with the whole vocabulary: compiled-lexicon load time (cold and from the cache) and
throughput in MB of text per second on one core, for the scan alone and for the whole analysis.

Text: CRAFT's 67 articles when ../shared/craft is beside the checkout, else the bundled corpus repeated.
Usage: python scripts/bench_grounding.py [--repeat 3] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def texts() -> tuple[str, list[str]]:
    craft = ROOT.parent / "shared" / "craft" / "articles"
    if craft.is_dir():
        return "CRAFT's 67 articles", [p.read_text(encoding="utf-8") for p in sorted(craft.glob("*.txt"))]
    from kg.readers import read_inputs
    from kg.resources import data_dir
    docs = [d.text for r in read_inputs([str(data_dir("corpus"))]) for d in r.documents]
    return "the bundled corpus x 200", docs * 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    os.environ["IVDKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="ivdkg-bench-")
    started = time.perf_counter()
    from kg.analysis import Analyser
    from kg.model import Document, Section
    from kg.nlp.tokens import INVISIBLE, tokenize
    from kg.ontology import matcher as matching
    from kg.ontology.lexicon import load_lexicon
    imported = time.perf_counter() - started

    t = time.perf_counter()
    lexicon = load_lexicon()
    lexicon_s = time.perf_counter() - t
    t = time.perf_counter()
    matcher = matching.Matcher(lexicon)
    cold_s = time.perf_counter() - t
    t = time.perf_counter()
    matcher = matching.Matcher(lexicon)
    warm_s = time.perf_counter() - t
    phrases = len(matcher.compiled.rows)

    name, corpus = texts()
    size = sum(len(x.encode("utf-8")) for x in corpus) / 1e6
    best_scan, best_analyse = float("inf"), float("inf")
    analyser = Analyser(lexicon)
    docs = [Document(f"d{i}", x, (Section("other", "", 0, len(x)),)) for i, x in enumerate(corpus)]
    for _ in range(args.repeat):
        t = time.perf_counter()
        for x in corpus:
            matcher.scan([tok for tok in tokenize(x) if tok.text not in INVISIBLE])
        best_scan = min(best_scan, time.perf_counter() - t)
        t = time.perf_counter()
        for d in docs:
            analyser.analyse(d)
        best_analyse = min(best_analyse, time.perf_counter() - t)
    result = {
        "text": name, "megabytes": round(size, 2), "terms": len(lexicon.terms), "phrases": phrases,
        "import_seconds": round(imported, 2), "lexicon_load_seconds": round(lexicon_s, 2),
        "table_compile_seconds": round(cold_s, 2), "table_from_cache_seconds": round(warm_s, 2),
        "lexicon_and_table_from_cache_seconds": round(lexicon_s + warm_s, 2),
        "scan_mb_per_s": round(size / best_scan, 2), "analysis_mb_per_s": round(size / best_analyse, 2),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
