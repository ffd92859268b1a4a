"""Load test: `kg serve` on 127.0.0.1 under N concurrent clients for a few seconds.

Builds a graph from the bundled corpus into a temporary folder (or takes --graph), starts `kg serve`
on a free loopback port, and runs --clients threads that all connect at once, then send queries one
after another (a new connection each: the server closes every connection after its answer) for
--seconds. Prints requests, errors, connection resets, throughput and p50/p95/max latency; exits 1
on any error or reset.

Usage: python scripts/bench_serve.py [--clients 200] [--seconds 5] [--graph FILE] [-- kg serve options]
"""
from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("ASK { ?s ?p ?o }",
           "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
           "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 10")


@dataclass(frozen=True)
class LoadReport:
    clients: int
    seconds: float
    requests: int
    errors: int
    resets: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    first_errors: tuple[str, ...]   # a few, to say what went wrong

    def line(self) -> str:
        return (f"{self.clients} clients, {self.seconds:.1f} s: {self.requests:,} requests "
                f"({self.requests / self.seconds:,.0f}/s), {self.errors} errors, {self.resets} resets, "
                f"latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, max {self.max_ms:.1f} ms")


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def run_load(url: str, clients: int = 200, seconds: float = 5.0) -> LoadReport:
    """`clients` threads that connect at the same moment, then query `url` in a loop until `seconds` pass."""
    parts = urllib.parse.urlsplit(url)
    paths = [f"{parts.path}?{urllib.parse.urlencode({'query': q})}" for q in QUERIES]
    ready = threading.Barrier(clients + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    resets = [0]
    stop_at = [0.0]

    def client(number: int) -> None:
        ready.wait()
        sent = 0
        while sent == 0 or time.monotonic() < stop_at[0]:
            started = time.monotonic()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            try:
                connection.request("GET", paths[(number + sent) % len(paths)],
                                   headers={"Accept": "application/sparql-results+json"})
                response = connection.getresponse()
                response.read()
                with lock:
                    if response.status == 200:
                        latencies.append(time.monotonic() - started)
                    else:
                        errors.append(f"status {response.status}")
            except ConnectionResetError as exc:
                with lock:
                    resets[0] += 1
                    errors.append(f"reset: {exc}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                connection.close()
            sent += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    stop_at[0] = started + seconds
    ready.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return LoadReport(clients, elapsed, len(latencies) + len(errors), len(errors) - resets[0], resets[0],
                      percentile(ordered, 0.50) * 1000, percentile(ordered, 0.95) * 1000,
                      (ordered[-1] if ordered else 0.0) * 1000, tuple(errors[:5]))


def build_graph(folder: Path) -> Path:
    """The bundled corpus built into `folder`; its graph.ttl."""
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "-o", str(folder), "--quiet", "-f", "turtle"],
                   check=True, cwd=ROOT)
    return folder / "graph.ttl"


def start_server(graph: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """`kg serve` on a free loopback port; the process and the endpoint's URL, once it answers."""
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--graph", str(graph), "--port", "0",
                                *options], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = process.stdout.readline()
    if not line.startswith("SPARQL endpoint at "):
        stop_server(process)
        raise RuntimeError(f"kg serve did not start: {line!r}")
    return process, line.split()[3]


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--graph", type=Path, help="a built graph (default: the bundled corpus, built now)")
    parser.add_argument("serve_options", nargs="*", help="options passed to kg serve (after --)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        graph = args.graph or build_graph(Path(folder))
        process, url = start_server(graph, *args.serve_options)
        try:
            report = run_load(url, args.clients, args.seconds)
        finally:
            stop_server(process)
    print(f"kg serve at {url} over {graph.name}")
    print(report.line())
    for error in report.first_errors:
        print(f"  {error}")
    return 1 if report.errors or report.resets else 0


if __name__ == "__main__":
    sys.exit(main())
