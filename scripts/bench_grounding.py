"""Grounding speed with the whole vocabulary: compiled-lexicon load time (cold and from the cache) and
throughput in MB of text per second on one core, for the scan alone and for the whole analysis.

The phrase table is first compiled into an empty cache; then a fresh process, as a `kg build` would be,
loads the lexicon and the table from that cache (wall-clock seconds) and measures throughput as the best
of `--repeat` passes over the text, on CPU time (what one core does, whatever else runs on the machine)
and on wall-clock time:
- scan: tokenising and longest-match scanning of each whole text (`Matcher.scan`, no document context);
- analysis: `Analyser.analyse` on each text as one document (sentences, short forms, scan, variants,
  coordination, markers, nested mentions, guards), each result dropped as a build streams them.

Text: CRAFT's 67 articles when ../shared/craft is beside the checkout, else the bundled corpus repeated;
`--text DIR` reads every *.txt and *.md file of DIR instead.
Usage: python scripts/bench_grounding.py [--repeat 3] [--text DIR] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def texts(folder: Path | None = None) -> tuple[str, list[str]]:
    if folder is not None:
        files = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md"))
        return f"{len(files)} files of {folder}", [p.read_text(encoding="utf-8") for p in files]
    craft = ROOT.parent / "shared" / "craft" / "articles"
    if craft.is_dir():
        return "CRAFT's 67 articles", [p.read_text(encoding="utf-8") for p in sorted(craft.glob("*.txt"))]
    from kg.readers import read_inputs
    from kg.resources import data_dir
    docs = [d.text for r in read_inputs([str(data_dir("corpus"))]) for d in r.documents]
    return "the bundled corpus x 200", docs * 200


def best_of(repeat: int, run) -> tuple[float, float]:
    """The shortest CPU time and the shortest wall-clock time of `repeat` runs."""
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        run()
        cpu, wall = min(cpu, time.process_time() - c), min(wall, time.perf_counter() - w)
    return cpu, wall


def compile_cold() -> dict:
    """The table compiled into the (empty) cache."""
    from kg.ontology import matcher as matching
    from kg.ontology.lexicon import load_lexicon

    lexicon = load_lexicon()
    t = time.perf_counter()
    matching.Matcher(lexicon)
    return {"table_compile_seconds": round(time.perf_counter() - t, 2)}


def measure(repeat: int, folder: Path | None) -> dict:
    """Load times from the cache and throughput, in this (fresh) process."""
    started = time.perf_counter()
    from kg.analysis import Analyser
    from kg.model import Document, Section
    from kg.nlp.tokens import INVISIBLE, tokenize
    from kg.ontology.lexicon import load_lexicon
    imported = time.perf_counter() - started

    t = time.perf_counter()
    lexicon = load_lexicon()
    lexicon_s = time.perf_counter() - t
    t = time.perf_counter()
    analyser = Analyser(lexicon)  # loads the table from the cache through Matcher.of, as `kg build` does
    table_s = time.perf_counter() - t
    scan = analyser.matcher.scan

    name, corpus = texts(folder)
    size = sum(len(x.encode("utf-8")) for x in corpus) / 1e6
    docs = [Document(f"d{i}", x, (Section("other", "", 0, len(x)),)) for i, x in enumerate(corpus)]
    for d in docs:  # once before timing: every word's key is then known, as in a long run
        analyser.analyse(d)

    def scan_all() -> None:
        for x in corpus:
            scan([tok for tok in tokenize(x) if tok.text not in INVISIBLE])

    def analyse_all() -> None:
        for d in docs:
            analyser.analyse(d)

    scan_cpu, scan_wall = best_of(repeat, scan_all)
    analysis_cpu, analysis_wall = best_of(repeat, analyse_all)
    return {
        "text": name, "megabytes": round(size, 2), "terms": len(lexicon.terms),
        "phrases": len(analyser.matcher.compiled.ids), "import_seconds": round(imported, 2),
        "lexicon_load_seconds": round(lexicon_s, 2), "table_from_cache_seconds": round(table_s, 2),
        "lexicon_and_table_from_cache_seconds": round(lexicon_s + table_s, 2),
        "scan_mb_per_s": round(size / scan_cpu, 2), "analysis_mb_per_s": round(size / analysis_cpu, 2),
        "scan_mb_per_s_wall": round(size / scan_wall, 2), "analysis_mb_per_s_wall": round(size / analysis_wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text", type=Path, help="a folder of .txt/.md files to measure on")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--step", choices=["compile", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:  # one step, in a process of its own; the result as JSON on stdout
        print(json.dumps(compile_cold() if args.step == "compile" else measure(args.repeat, args.text)))
        return 0
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="ivdkg-bench-") as cache:
        for step in ("compile", "measure"):
            command = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--repeat", str(args.repeat)]
            if args.text:
                command += ["--text", str(args.text)]
            done = subprocess.run(command, env={**os.environ, "IVDKG_CACHE_DIR": cache}, capture_output=True,
                                  text=True, check=True)
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    order = ("text", "megabytes", "terms", "phrases", "import_seconds", "lexicon_load_seconds",
             "table_compile_seconds", "table_from_cache_seconds", "lexicon_and_table_from_cache_seconds")
    result = {**{k: result[k] for k in order}, **result}
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
