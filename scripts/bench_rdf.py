"""Benchmark: RDF export and SPARQL query time, rdflib against pyoxigraph, at 10^4, 10^5 and 10^6 triples.

The graph is synthetic: assertions between lexicon concepts with one evidence each (about 30
triples per assertion), exported by the project's own quad builder. Export: rdflib (Graph.add,
then Turtle) against pyoxigraph (the project's writer). Query: each shipped query, on a store
loaded from the Turtle file, rdflib against pyoxigraph (load time reported apart).

Usage: python scripts/bench_rdf.py [--sizes 10000 100000 1000000] [--skip-rdflib-above N]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import pyoxigraph as ox  # noqa: E402
import rdflib  # noqa: E402

from benchlib import timed  # noqa: E402
from kg import __version__  # noqa: E402
from kg.export.base import ExportContext  # noqa: E402
from kg.export.rdf import Lit, rdf_quads, serialize  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.model import Assertion, Evidence, Span  # noqa: E402
from kg.ontology.lexicon import default_lexicon  # noqa: E402
from kg.query import load_graph, resolve_query, run_query, shipped_queries  # noqa: E402
from kg.schema import default_schema  # noqa: E402

TRIPLES_PER_ASSERTION = 31


def synthetic_graph(n_triples: int, seed: int = 1):
    rng = random.Random(seed)
    schema, lexicon = default_schema(), default_lexicon()
    by_category: dict[str, list[str]] = {}
    for term in lexicon.terms.values():
        if term.matchable:
            by_category.setdefault(term.category, []).append(term.id)
    plans = [(p.name, [c for c in (p.subjects if "*" not in p.subjects else schema.categories) if c in by_category],
              [c for c in (p.objects if "*" not in p.objects else schema.categories) if c in by_category])
             for p in schema.predicates.values()]
    assertions = []
    for i in range(max(1, n_triples // TRIPLES_PER_ASSERTION)):
        name, subjects, objects = rng.choice(plans)
        s = rng.choice(by_category[rng.choice(subjects)])
        o = rng.choice(by_category[rng.choice(objects)])
        sentence = f"Synthetic sentence {i} says that {s} relates to {o}."
        doc = f"PMID:{rng.randrange(1, 5000)}"
        ev = Evidence(doc, f"Paper {doc}", 2020, "abstract", sentence, i * 100, i * 100 + len(sentence),
                      Span(i * 100, i * 100 + 5, s), Span(i * 100 + 10, i * 100 + 15, o), "relates",
                      rng.choice(["affirmed", "affirmed", "negated"]), "stated", "in_vitro", None, (), "bench/1:x", 0.7)
        assertions.append(Assertion(s, name, o, ev))
    return build_graph(assertions, lexicon), ExportContext(schema, lexicon, __version__)


def rdflib_graph(quads) -> rdflib.Graph:
    g = rdflib.Graph()
    for q in quads:
        o = (rdflib.Literal(q.o.value, datatype=rdflib.URIRef(q.o.datatype) if q.o.datatype else None)
             if isinstance(q.o, Lit) else rdflib.URIRef(q.o))
        g.add((rdflib.URIRef(q.s), rdflib.URIRef(q.p), o))
    return g


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--skip-rdflib-above", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    queries = {name: resolve_query(name) for name in shipped_queries()}
    print("| triples | quads built (s) | export rdflib (s) | export pyoxigraph (s) | load rdflib (s) | load pyoxigraph (s) "
          "| 6 queries rdflib (s) | 6 queries pyoxigraph (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        graph, context = synthetic_graph(size)
        quads, t_quads = timed(lambda: rdf_quads(graph, context))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "graph.ttl"
            data, t_ox = timed(lambda: serialize(quads, ox.RdfFormat.TURTLE, context))
            path.write_bytes(data)
            store, t_load_ox = timed(lambda: load_graph(path, "oxigraph"))
            _, t_q_ox = timed(lambda: [run_query(store, q) for q in queries.values()])
            if len(quads) <= args.skip_rdflib_above:
                _, t_rl = timed(lambda: rdflib_graph(quads).serialize(format="turtle"))
                g, t_load_rl = timed(lambda: load_graph(path, "rdflib"))
                _, t_q_rl = timed(lambda: [run_query(g, q) for q in queries.values()])
                rl = (f"{t_rl:.2f}", f"{t_load_rl:.2f}", f"{t_q_rl:.2f}")
            else:
                rl = ("skipped",) * 3
        print(f"| {len(quads):,} | {t_quads:.2f} | {rl[0]} | {t_ox:.2f} | {rl[1]} | {t_load_ox:.2f} | {rl[2]} | {t_q_ox:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
