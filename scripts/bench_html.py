"""Benchmark: time until the graph page is drawn in headless Chromium, for 500, 2,000 and 5,000 nodes.

Random graphs with twice as many edges as nodes, exported by the project's HTML exporter (layout
computed in Python; above LAYOUT_LIMIT nodes the page starts with the best-supported nodes and
the rest join by search and expand). Reports the Python export time and, in the browser, the time
from navigation start to the first frame with nodes ('afterDrawing'), and the time a filter
change takes to redraw. Needs Debian's chromium and chromium-driver, and `pip install selenium`.

Usage: python scripts/bench_html.py [--sizes 500 2000 5000]
"""
from __future__ import annotations

import argparse
import random
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


def random_graph(n_nodes: int, seed: int = 1):
    rng = random.Random(seed)
    lexicon = default_lexicon()
    ids = sorted(t.id for t in lexicon.terms.values() if t.matchable)
    nodes = rng.sample(ids, min(n_nodes, len(ids)))
    while len(nodes) < n_nodes:  # more nodes than the lexicon has: synthetic concepts
        nodes.append(f"IVDKG:synthetic_{len(nodes)}")
    assertions = []
    for i in range(2 * n_nodes):
        s, o = rng.sample(nodes, 2)
        sentence = f"Synthetic claim {i}."
        ev = Evidence(f"PMID:{rng.randrange(1, 1000)}", "t", 2020, "abstract", sentence, 0, len(sentence), Span(0, 1, "S"),
                      Span(2, 3, "C"), "x", "affirmed", rng.choice(["stated", "hedged"]), "in_vitro", None, (), "bench/1", 0.6)
        assertions.append(Assertion(s, "positively_regulates", o, ev))
    return build_graph(assertions, lexicon), lexicon


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    args = parser.parse_args(argv)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    print("| nodes | edges | export in Python (s) | drawn in Chromium (s) | nodes drawn at first | filter redraw (s) |")
    print("|---|---|---|---|---|---|")
    try:
        for size in args.sizes:
            graph, lexicon = random_graph(size)
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                EXPORTERS["html"].write(graph, Path(tmp), ExportContext(default_schema(), lexicon, __version__))
                export = time.perf_counter() - start
                driver.get((Path(tmp) / "graph.html").as_uri())
                deadline = time.time() + 120
                drawn = None
                while time.time() < deadline and drawn is None:
                    drawn = driver.execute_script("return window.__drawnAt === undefined ? null : window.__drawnAt")
                    time.sleep(0.05)
                status = driver.execute_script("return document.getElementById('status').textContent")
                redraw = driver.execute_script("""
                    const t0 = performance.now();
                    document.getElementById('minev').value = 2;
                    document.getElementById('minev').dispatchEvent(new Event('change'));
                    return (performance.now() - t0) / 1000;""")
            print(f"| {graph.number_of_nodes():,} | {graph.number_of_edges():,} | {export:.2f} | "
                  f"{(drawn or float('nan')) / 1000:.2f} | {status.split(',')[0].replace('showing ', '')} | {redraw:.2f} |",
                  flush=True)
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
