"""Benchmark: a full build of a 1,000-document corpus, then the rebuild after adding one document.

The corpus is made of real text: each document joins five ClinicalTrials.gov records from
../shared/corpus (public domain) with a line of its own, about 21 KB a document. Both builds run
`kg build` as a user would (a new process each, all cores), timed by wall clock, with peak memory
from the operating system.

Usage: python scripts/bench_incremental.py [--documents 1000] [--shared ../shared]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_build(corpus: Path, out: Path, extractor: str = "rules") -> tuple[float, dict]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus), "-o", str(out), "--quiet",
                    "--extractor", extractor], check=True, cwd=ROOT)
    return time.perf_counter() - start, json.loads((out / "report.json").read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--extractor", default="rules", help="default rules, as the README's figures")
    args = parser.parse_args(argv)
    records = [p.read_text(encoding="utf-8") for p in sorted((args.shared / "corpus" / "clinicaltrials").glob("*.txt"))]
    if not records:
        raise SystemExit(f"no ClinicalTrials.gov records under {args.shared / 'corpus'}")
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp) / "corpus", Path(tmp) / "out"
        corpus.mkdir()
        for i in range(args.documents):
            text = f"Paper {i}\n\n" + "\n\n".join(rng.sample(records, 5)) + f"\n\nThis is paper number {i}."
            (corpus / f"paper{i:05}.txt").write_text(text, encoding="utf-8")
        size = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
        full, report = run_build(corpus, out, args.extractor)
        (corpus / "zz_added.txt").write_text("An added study\n\nHypoxia hinders cell homing in rabbits.")
        again, report2 = run_build(corpus, out, args.extractor)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print("| documents | MB | full build (s) | after adding one (s) | ratio | extracted again | peak memory (MB) |")
        print("|---|---|---|---|---|---|---|")
        print(f"| {args.documents:,} | {size:.1f} | {full:.2f} | {again:.2f} | {again / full:.1%} | "
              f"{report2['cache']['extracted']} of {len(report2['documents'])} | {peak:.0f} |")
        print(f"\nfull build by stage (s): {report['seconds_by_stage']}")
        print(f"rebuild by stage (s): {report2['seconds_by_stage']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
