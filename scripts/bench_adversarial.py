"""Benchmark: analysis and extraction time on adversarial text grows linearly with its size.

Each case is run at sizes n, 2n, 4n and 8n; the table shows seconds and the ratio to the previous
size (about 2 means linear; about 4 would mean quadratic).

Usage: python scripts/bench_adversarial.py [--base 1000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.analysis import Analyser  # noqa: E402
from kg.extract.rules import RuleExtractor  # noqa: E402
from kg.ontology.lexicon import default_lexicon  # noqa: E402
from kg.readers import read_bytes  # noqa: E402

CASES = {
    "one long word": lambda n: "w" * (10 * n) + ".",
    "nested parentheses": lambda n: "(" * n + "MSC" + ")" * n + ".",
    "repeated 'and'": lambda n: "MSCs restore " + "and " * n + "pain.",
    "coordinated mentions": lambda n: "Hypoxia hinders " + "cell homing and " * n + "apoptosis.",
    "listed items after a cue": lambda n: "Challenges include " + "a, " * n + "b.",
    "emphasis markers (Markdown)": lambda n: "# T\n\n" + "*a " * n + "_" * n,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=1000)
    args = parser.parse_args(argv)
    analyser, extractor = Analyser(default_lexicon()), RuleExtractor()
    print("| case | " + " | ".join(f"n={args.base * k:,} (s)" for k in (1, 2, 4, 8)) + " | ratios |")
    print("|---|---|---|---|---|---|")
    for name, make in CASES.items():
        times = []
        for k in (1, 2, 4, 8):
            text = make(args.base * k)
            start = time.perf_counter()
            data = (text if text.startswith("#") else "Title\n\n" + text).encode()
            for doc in read_bytes(data, "case.md" if text.startswith("#") else "case.txt"):
                list(extractor.extract(analyser.analyse(doc)))
            times.append(time.perf_counter() - start)
        ratios = ", ".join(f"{b / a:.1f}" for a, b in zip(times, times[1:]) if a > 0)
        print(f"| {name} | " + " | ".join(f"{t:.3f}" for t in times) + f" | {ratios} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
