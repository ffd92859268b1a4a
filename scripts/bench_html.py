"""Benchmark: size of the graph page and time until it is drawn in headless Chromium, for 1,000, 5,000
and 20,000 edges with many evidence sentences each.

Random graphs with half as many nodes as edges and E evidence sentences per edge (default 10),
exported by the project's HTML exporter (layout computed in Python; above LAYOUT_LIMIT nodes the page
starts with the best-supported nodes and the rest join by search and expand; at most --html-evidence
sentences per edge are inlined). Reports the page's size, the Python export time and, in the browser,
the time from navigation start to the first frame with nodes ('afterDrawing'), and the time a filter
change takes to redraw. Needs Debian's chromium and Playwright (the test extra), as the browser test.

Usage: python scripts/bench_html.py [--edges 1000 5000 20000] [--evidence 10] [--html-evidence 3]
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import __version__  # noqa: E402
from kg.export import EXPORTERS, ExportContext  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.model import Assertion, Evidence, Span  # noqa: E402
from kg.ontology.lexicon import default_lexicon  # noqa: E402
from kg.schema import default_schema  # noqa: E402


def random_graph(n_edges: int, evidence_per_edge: int = 10, seed: int = 1):
    rng = random.Random(seed)
    n_nodes = max(2, n_edges // 2)
    lexicon = default_lexicon()
    ids = sorted(t.id for t in lexicon.terms.values() if t.matchable)
    nodes = rng.sample(ids, min(n_nodes, len(ids)))
    while len(nodes) < n_nodes:  # more nodes than the lexicon has: synthetic concepts
        nodes.append(f"IVDKG:synthetic_{len(nodes)}")
    assertions = []
    for i in range(n_edges):
        s, o = rng.sample(nodes, 2)
        for k in range(evidence_per_edge):
            sentence = f"Synthetic claim {i} stated in a sentence of ordinary length by paper {k}, with its context."
            ev = Evidence(f"PMID:{rng.randrange(1, 100000)}", "t", 2020, "abstract", sentence, 0, len(sentence),
                          Span(0, 1, "S"), Span(2, 3, "C"), "x", "affirmed", rng.choice(["stated", "hedged"]),
                          "in_vitro", None, (), "bench/1", round(rng.uniform(0.4, 0.95), 3))
            assertions.append(Assertion(s, "positively_regulates", o, ev))
    return build_graph(assertions, lexicon), lexicon


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--evidence", type=int, default=10, help="evidence sentences per edge")
    parser.add_argument("--html-evidence", type=int, default=3, help="sentences per edge inlined in the page")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    print("| edges | nodes | evidence records | page (MB) | export in Python (s) | drawn in Chromium (s) "
          "| nodes drawn at first | filter redraw (s) |")
    print("|---|---|---|---|---|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            for size in args.edges:
                graph, lexicon = random_graph(size, args.evidence)
                with tempfile.TemporaryDirectory() as tmp:
                    start = time.perf_counter()
                    EXPORTERS["html"].write(graph, Path(tmp), ExportContext(default_schema(), lexicon, __version__,
                                                                            html_evidence=args.html_evidence))
                    export = time.perf_counter() - start
                    page_file = Path(tmp) / "graph.html"
                    megabytes = page_file.stat().st_size / 1e6
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.goto(page_file.as_uri())
                    page.wait_for_function("window.__drawnAt !== undefined", timeout=180_000)
                    drawn = page.evaluate("window.__drawnAt")
                    status = page.text_content("#status") or ""
                    redraw = page.evaluate("""() => {
                        const t0 = performance.now();
                        document.getElementById('minev').value = 2;
                        document.getElementById('minev').dispatchEvent(new Event('change'));
                        return (performance.now() - t0) / 1000; }""")
                    page.close()
                records = sum(len(d["evidence"]) for _, _, d in graph.edges(data=True))
                print(f"| {graph.number_of_edges():,} | {graph.number_of_nodes():,} | {records:,} | {megabytes:.1f} "
                      f"| {export:.2f} | {drawn / 1000:.2f} | {status.split(',')[0].replace('showing ', '')} "
                      f"| {redraw:.2f} |", flush=True)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
