"""The `kg` command: thin click wrappers around the pipeline, the query runner and the stats."""
from __future__ import annotations

import json
import signal
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .escape import one_line
from .export.base import format_names
from .export import EXPORTERS as _EXPORTERS  # noqa: F401  (registers every exporter: the choices come from the registry)

EXIT_SKIPPED = 3


class KgError(click.ClickException):
    """A user error: one line, no traceback, exit status 1."""


class Terminated(SystemExit):
    """Raised in the main thread when the build gets SIGTERM or SIGHUP, so that it unwinds like Ctrl-C:
    the workers are killed, the staging folder removed, the lock released."""


@contextmanager
def ended_by_signals():
    """Turn SIGTERM and SIGHUP into an exception (exit status 128 + signal) for as long as the block runs."""
    def stop(number, _frame):
        raise Terminated(128 + number)
    previous = {}
    for number in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[number] = signal.signal(number, stop)
        except ValueError:  # not the main thread: leave the signals alone
            pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """IVD-KG: build a knowledge graph of intervertebral disc repair with stem cells from papers."""


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="Output folder.")
@click.option("-f", "--format", "formats", multiple=True,
              type=click.Choice(format_names()),
              help="Outputs to write (repeatable); default: turtle, html, neo4j, json. bioc and pubtator write "
                   "every grounded mention (mentions.bioc.xml/.json, mentions.pubtator).")
@click.option("--timestamp", is_flag=True,
              help="Record the creation time in the RDF dataset metadata (the outputs then differ between builds).")
@click.option("--ontology", "ontologies", multiple=True, type=click.Path(path_type=Path),
              help="Add a whole ontology to grounding (.obo, .owl/.rdf RDF-XML, OBO Graph .json); repeatable.")
@click.option("--extractor", "extractors", multiple=True, metavar="NAME[=ARG]",
              help="Extractors to run (repeatable; default: syntax, the dependency-tree extractor; rules: trigger words). json=FILE.jsonl merges recorded assertions.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out edges whose aggregated confidence is below this.")
@click.option("--neo4j-evidence", "neo4j_evidence", type=click.Choice(["nodes", "arrays"]), default="nodes",
              show_default=True, help="Neo4j: evidence as Evidence and Publication nodes, or as arrays on relationships.")
@click.option("--html-evidence", "html_evidence", type=click.IntRange(0, 1000), default=3, show_default=True,
              help="Evidence sentences per edge inlined in graph.html, best first; the rest are in graph.json.")
@click.option("--rebuild", is_flag=True, help="Extract every document again instead of reusing the cache.")
@click.option("-j", "--jobs", type=click.IntRange(0, 256), default=0,
              help="Worker processes for extraction (default: the number of cores; 1: none).")
@click.option("--executor", type=click.Choice(["processes", "dask"]), default="processes", show_default=True,
              help="Where extraction runs: local processes, or a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786); default: a local cluster.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary of outputs.")
def build(inputs: tuple[str, ...], out_dir: Path, formats: tuple[str, ...], timestamp: bool,
          ontologies: tuple[Path, ...], extractors: tuple[str, ...], min_confidence: float, neo4j_evidence: str,
          html_evidence: int, rebuild: bool, jobs: int, executor: str, scheduler: str | None, quiet: bool) -> None:
    """Build the graph from INPUTS (files, folders, or - for stdin); default: the bundled corpus.

    Exit status: 0 when every input was read, 3 when some were skipped (listed in report.json).
    """
    from .pipeline import build as run_build, default_inputs

    chosen = list(inputs) or default_inputs()
    errors: list[str] = []

    def on_error(message: str) -> None:
        errors.append(message)
        click.echo(f"skipped: {one_line(message)}", err=True)

    def on_warning(message: str) -> None:
        click.echo(f"warning: {one_line(message)}", err=True)

    def progress(total: int):
        """A bar with position, rate and ETA on a terminal; nothing otherwise."""
        if quiet or not total or not sys.stderr.isatty():
            return lambda n: None
        started = time.monotonic()
        done = [0]

        def rate(_):
            elapsed = max(time.monotonic() - started, 1e-6)
            return f"{done[0] / elapsed:.1f} files/s"
        bar = click.progressbar(length=total, label="reading and extracting", file=sys.stderr, show_pos=True,
                                show_eta=True, item_show_func=rate)
        bar.__enter__()

        def update(n: int) -> None:
            n = min(n, total - done[0])  # an archive yields many articles for one file
            if n <= 0:
                return
            done[0] += n
            bar.update(n, current_item=done[0])
            if done[0] >= total:
                bar.__exit__(None, None, None)
        return update

    from .extract import ExtractorError
    from .ontology.sources import OntologyError
    from .export.base import BuildLocked
    from .pipeline import NothingToBuild
    from .extract import DEFAULT_EXTRACTORS
    from .process import default_jobs

    try:
        with ended_by_signals():
            graph, report = run_build(chosen, out_dir, formats or ("turtle", "html", "neo4j", "json"),
                                      on_error=on_error, progress=progress, ontologies=ontologies,
                                      extractors=extractors or DEFAULT_EXTRACTORS, min_confidence=min_confidence,
                                      created=_now() if timestamp else None, neo4j_evidence=neo4j_evidence,
                                      html_evidence=html_evidence,
                                      rebuild=rebuild, jobs=jobs or default_jobs(), executor=executor,
                                      scheduler=scheduler, on_warning=on_warning)
    except (OntologyError, ExtractorError, BuildLocked, NothingToBuild) as exc:
        raise KgError(one_line(str(exc))) from None
    except OSError as exc:
        raise KgError(one_line(f"{exc.filename or out_dir}: {exc.strerror or exc}")) from None
    except Terminated as exc:
        click.echo(f"stopped by {signal.Signals(int(exc.code) - 128).name}", err=True)
        raise
    if not quiet:
        click.echo(f"{len(report.documents)} documents ({report.cache.get('reused', 0)} from the cache), "
                   f"{report.sentences} sentences, {report.mentions} mentions, {report.assertions} assertions, "
                   f"{report.nodes} nodes, {report.edges} edges; skipped {len(report.skipped)} input(s).")
        click.echo("time by stage: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.seconds_by_stage.items()))
        hints = {"graph.ttl": "RDF Turtle: kg query --list, or load into any triple store",
                 "graph.nt": "RDF N-Triples", "graph.jsonld": "JSON-LD (context in context.jsonld)",
                 "graph.trig": "TriG, a named graph per document", "graph.nq": "N-Quads, a named graph per document",
                 "graph.html": "open in a browser (works offline)",
                 "graph.json": "nodes, edges and evidence as JSON: kg stats",
                 "neo4j/import.sh": "neo4j-admin bulk import (see README)",
                 "neo4j/import.cypher": "cypher-shell -f, after copying neo4j/*.csv to Neo4j's import folder",
                 "mentions.bioc.xml": "every grounded mention as BioC XML", "mentions.bioc.json": "the same as BioC JSON",
                 "mentions.pubtator": "every grounded mention in PubTator format",
                 "report.json": "what was read and what was skipped"}
        for name in report.outputs:
            if name in hints:
                click.echo(f"  {out_dir / name}  - {hints[name]}")
    if report.skipped:
        click.echo(f"{len(report.skipped)} input(s) skipped; see {out_dir / 'report.json'}", err=True)
        sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("query", required=False)
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=Path("outputs/graph.ttl"),
              show_default=True, help="A built graph (.ttl, .nt, .nq, .trig or .jsonld).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="The SPARQL engine: pyoxigraph (fast) or rdflib.")
@click.option("--list", "list_queries", is_flag=True, help="List the shipped queries.")
def query(query: str | None, graph_path: Path, fmt: str, engine: str, list_queries: bool) -> None:
    """Run QUERY (a shipped query's name, a .rq file, or a SPARQL string) over a built graph."""
    from .query import QueryError, format_rows, load_graph, resolve_query, run_query, shipped_queries

    if list_queries:
        for name, path in shipped_queries().items():
            first = next((l[1:].strip() for l in path.read_text(encoding="utf-8").splitlines() if l.startswith("#")), "")
            click.echo(f"{name:28} {first}")
        return
    if not query:
        raise click.UsageError("give a QUERY, or --list")
    try:
        sparql = resolve_query(query)
        columns, rows = run_query(load_graph(graph_path, engine), sparql)
    except QueryError as exc:
        raise KgError(str(exc)) from None
    click.echo(format_rows(columns, rows, fmt), nl=False)


_EXPORT_FORMATS = format_names(from_graph_only=True)  # mention outputs need the documents: only kg build writes them
_EVIDENCE_OPTION = click.option("--neo4j-evidence", "neo4j_evidence", type=click.Choice(["nodes", "arrays"]),
                                default="nodes", show_default=True,
                                help="Neo4j: evidence as Evidence and Publication nodes, or as arrays on relationships.")


def _load_built(graph_path: Path):
    from .export.jsongraph import load_graph_json

    if not graph_path.is_file():
        raise KgError(f"{graph_path}: no built graph here (run `kg build` first, or pass --graph)")
    try:
        return load_graph_json(graph_path)
    except (ValueError, KeyError, TypeError) as exc:
        raise KgError(f"{graph_path}: not a graph.json written by kg build ({type(exc).__name__}: {exc})") from None


@main.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(_EXPORT_FORMATS))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=Path("outputs/graph.json"),
              show_default=True, help="A built graph (graph.json).")
@_EVIDENCE_OPTION
@click.option("--html-evidence", "html_evidence", type=click.IntRange(0, 1000), default=3, show_default=True,
              help="Evidence sentences per edge inlined in graph.html, best first; the rest are in graph.json.")
def export_command(fmt: str, out_dir: Path, graph_path: Path, neo4j_evidence: str, html_evidence: int) -> None:
    """Write one output FORMAT of a built graph into a folder, without reading the papers again."""
    from . import __version__
    from .export import EXPORTERS, ExportContext
    from .ontology.lexicon import default_lexicon
    from .schema import default_schema

    graph = _load_built(graph_path)
    context = ExportContext(default_schema(), _open_terms(graph, default_lexicon()), __version__,
                            neo4j_evidence=neo4j_evidence, html_evidence=html_evidence)
    for path in EXPORTERS[fmt].write(graph, out_dir, context):
        click.echo(str(path))


def _open_terms(graph, lexicon):
    """The lexicon plus the graph's own concepts that it lacks (open-vocabulary ones), for labels and IRIs."""
    from .model import Term

    extra = [Term(n, d.get("label", n), d.get("category", ""), tuple(d.get("synonyms", ())), source=d.get("source", ""))
             for n, d in graph.nodes(data=True) if lexicon.get(n) is None]
    return lexicon.with_terms(extra)


@main.group()
def neo4j() -> None:
    """Load the graph into a running Neo4j."""


@neo4j.command("push")
@click.option("--uri", required=True, help="bolt://host:7687 or neo4j://host:7687")
@click.option("--user", required=True)
@click.option("--database", default=None, help="Database name (default: the server's default).")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=Path("outputs/graph.json"),
              show_default=True, help="A built graph (graph.json).")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@_EVIDENCE_OPTION
def neo4j_push(uri: str, user: str, database: str | None, graph_path: Path, batch_size: int, neo4j_evidence: str) -> None:
    """Push a built graph with the official driver: batched, parameterised, idempotent.

    The password comes from the NEO4J_PASSWORD environment variable, or a prompt; never from the command line.
    """
    import os

    from .graphdb.model import property_graph
    from .graphdb.push import push, total_rows
    from .ontology.lexicon import default_lexicon
    from .schema import default_schema

    graph = _load_built(graph_path)
    schema = default_schema()
    pg = property_graph(graph, schema, _open_terms(graph, default_lexicon()), neo4j_evidence)
    password = os.environ.get("NEO4J_PASSWORD") or click.prompt(f"Neo4j password for {user}", hide_input=True)
    try:
        import neo4j as driver_module
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, AuthError
    except ImportError:
        raise KgError("the neo4j driver is not installed: pip install neo4j") from None
    try:
        with driver_module.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=15,
                                                max_transaction_retry_time=30) as driver:
            driver.verify_connectivity()
            with click.progressbar(length=total_rows(pg), label="pushing", file=sys.stderr) as bar:
                summary = push(pg, driver, schema.categories, database, batch_size, bar.update)
    except (ServiceUnavailable, AuthError, Neo4jError, OSError, ValueError) as exc:
        raise KgError(f"{uri}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    click.echo(summary.line())


@main.command()
@click.argument("graph_path", required=False, type=click.Path(path_type=Path), default=Path("outputs/graph.ttl"))
def validate(graph_path: Path) -> None:
    """Check a built graph (default: outputs/graph.ttl) against the SHACL shapes; exit 1 on any violation."""
    from .query import QueryError, load_graph
    from .validate import validate_graph

    try:
        data = load_graph(graph_path, "rdflib")
    except QueryError as exc:
        raise KgError(str(exc)) from None
    violations = validate_graph(data)
    for violation in violations:
        click.echo(violation.line())
    if violations:
        click.echo(f"{graph_path}: {len(violations)} violation(s)", err=True)
        sys.exit(1)
    click.echo(f"{graph_path}: conforms to the shapes ({len(data)} triples)")


@main.command()
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=Path("outputs/graph.ttl"),
              show_default=True, help="A built graph (.ttl, .nt, .nq, .trig or .jsonld).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it local).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535))
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds a query may run; its worker process is then killed.")
@click.option("--max-result-mb", default=50.0, show_default=True, type=click.FloatRange(0.001, 10_000),
              help="Largest result, in MB.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Queries evaluated at once, each in its own process.")
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE clauses send requests to other endpoints (refused by default: no network).")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN",
              help="A web origin (https://yasgui.triply.cc) whose pages may query the endpoint; repeatable; * for any.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A Host name to answer besides localhost, 127.0.0.1, ::1 and --host; repeatable; * for any.")
@click.option("--verbose", is_flag=True, help="Log each request.")
def serve(graph_path: Path, host: str, port: int, timeout: float, max_result_mb: float, workers: int,
          allow_service: bool, allow_origins: tuple[str, ...], allow_hosts: tuple[str, ...], verbose: bool) -> None:
    """Serve a built graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql."""
    from .query import QueryError, load_graph
    from .serve import ServeError, ServeOptions, make_server, serve_until_stopped

    options = ServeOptions(timeout=timeout, max_result=int(max_result_mb * 1_000_000), workers=workers,
                           allow_service=allow_service, allow_hosts=allow_hosts, allow_origins=allow_origins)
    try:
        store = load_graph(graph_path, "oxigraph")
        server = make_server(store, host, port, options, verbose)
    except (QueryError, ServeError) as exc:
        raise KgError(str(exc)) from None
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"SPARQL endpoint at http://{host}:{server.server_address[1]}/sparql over {graph_path} "
               f"({len(store)} triples); read-only; Ctrl-C stops it.")
    serve_until_stopped(server)


@main.command()
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=Path("outputs/graph.json"),
              show_default=True, help="A built graph (graph.json).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(graph_path: Path, fmt: str) -> None:
    """Counts of nodes by category, edges by predicate and polarity, and evidence by document."""
    if not graph_path.is_file():
        raise KgError(f"{graph_path}: no built graph here (run `kg build` first, or pass --graph)")
    try:
        data = json.loads(graph_path.read_text(encoding="utf-8"))
        nodes, edges = data["nodes"], data["edges"]
    except (ValueError, KeyError) as exc:
        raise KgError(f"{graph_path}: not a graph.json written by kg build ({exc})") from None
    result = {
        "nodes_by_category": dict(sorted(Counter(n.get("category") or "(none)" for n in nodes).items())),
        "edges_by_predicate": dict(sorted(Counter(f"{e['predicate']}" + ("" if e["polarity"] == "affirmed" else f" ({e['polarity']})")
                                                  for e in edges).items())),
        "evidence_by_document": dict(sorted(Counter(ev["document"] for e in edges for ev in e["evidence"]).items())),
        "totals": {"nodes": len(nodes), "edges": len(edges), "documents": len(data.get("documents", {})),
                   "evidence": sum(len(e["evidence"]) for e in edges)},
    }
    if fmt == "json":
        click.echo(json.dumps(result, indent=1, ensure_ascii=False))
        return
    for title, table in result.items():
        click.echo(title.replace("_", " "))
        for key, value in table.items():
            click.echo(f"  {key:45} {value}")


@main.command()
@click.argument("identifiers", nargs=-1)
@click.option("--query", default=None, help="A PubMed query; its first --max results are fetched.")
@click.option("--max", "limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus-fetched"),
              show_default=True, help="The corpus folder to fill (with its manifest.json).")
@click.option("--no-full-text", is_flag=True, help="Abstracts only; skip PMC open-access full texts.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds one request may take in all (connecting, reading, retries).")
@click.option("--retries", default=2, show_default=True, type=click.IntRange(0, 10),
              help="Further attempts after a request fails (429, 5xx, network), within --timeout.")
def fetch(identifiers: tuple[str, ...], query: str | None, limit: int, out_dir: Path, no_full_text: bool,
          timeout: float, retries: int) -> None:
    """Download PubMed abstracts and PMC open-access full texts for PMIDs, PMCIDs, DOIs or a query.

    The only command that uses the network. NCBI_API_KEY and NCBI_EMAIL are read from the environment;
    requests are rate limited (3/s, 10/s with a key) and retried; an interrupted fetch resumes.
    Exit status: 0 when everything asked for is there, 3 when some items failed, 1 when all did.
    """
    from .fetch import Client, FetchError, fetch as run_fetch

    if not identifiers and not query:
        raise click.UsageError("give identifiers (PMID, PMCID, DOI) or --query")
    try:
        report = run_fetch(identifiers, out_dir, Client.from_environment(timeout=timeout, retries=retries), query,
                           limit, not no_full_text, progress=lambda item: click.echo(f"fetched {item}", err=True))
    except FetchError as exc:
        raise KgError(one_line(str(exc))) from None
    click.echo(f"{len(report.fetched)} fetched, {len(report.already)} already there, {len(report.failed)} failed, "
               f"{report.requests} requests; manifest: {out_dir / 'manifest.json'}")
    for key, reason in sorted(report.failed.items()):
        click.echo(one_line(f"  not fetched: {key}: {reason}"))
    if report.failed:
        if not report.fetched and not report.already:
            raise KgError(f"nothing fetched: all {len(report.failed)} item(s) failed")
        sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--input", "inputs", multiple=True, help="Documents to read (default: each gold document's source).")
@click.option("--errors", is_flag=True, help="List the false positives and the misses.")
@click.option("--extractor", "extractors", multiple=True, metavar="NAME[=ARG]", help="As for kg build.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--ontology", "ontologies", multiple=True, type=click.Path(path_type=Path),
              help="Also load this ontology file (as for kg build); repeatable.")
@click.option("--prefix", "prefixes", multiple=True, metavar="PREFIX",
              help="Score only mentions and concepts whose id has this prefix (CL, UBERON, ...); repeatable.")
@click.option("--mentions", "mentions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Score this file's mentions (BioC XML/JSON or PubTator) instead of running the analyser.")
@click.option("--match", "match", type=click.Choice(["exact", "overlap"]), default="exact", show_default=True,
              help="Mentions: the same pieces and id (exact), or the same id and overlapping characters.")
@click.option("--mention-set", type=click.Choice(["all", "relations"]), default="all", show_default=True,
              help="Score every mention of the mention outputs (nested and discontinuous ones included), or only "
                   "those relations are read from, each as one span.")
def evaluate(gold: tuple[Path, ...], inputs: tuple[str, ...], errors: bool, extractors: tuple[str, ...], fmt: str,
             ontologies: tuple[Path, ...], prefixes: tuple[str, ...], mentions_file: Path | None, match: str,
             mention_set: str) -> None:
    """Precision, recall and F1 against GOLD files or folders (mentions, concepts, assertions).

    With --mentions, the file's mentions are scored and assertions are not. A score with nothing to divide
    by (no predictions, or nothing in the gold) is shown as n/a (null in JSON).
    """
    from .evaluate import GoldError, evaluate as run, format_report, load_gold
    from .extract import ExtractorError

    try:
        lexicon = None if mentions_file else _lexicon(ontologies)
        report = run(load_gold(gold), lexicon, list(inputs) or None, extractors or None, prefixes,
                     match == "overlap", mentions_file, mention_set)
    except (GoldError, ExtractorError) as exc:
        raise KgError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(errors), indent=1))
    else:
        click.echo(format_report(report, errors), nl=False)


def _now() -> str:
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _lexicon(ontologies: tuple[Path, ...]):
    from .ontology.lexicon import default_lexicon, with_ontologies
    from .ontology.sources import OntologyError

    try:
        return with_ontologies(default_lexicon(), list(ontologies))
    except OntologyError as exc:
        raise KgError(str(exc)) from None


@main.group()
def ontology() -> None:
    """Inspect the lexicon that grounding uses."""


_ONTOLOGY_OPTION = click.option("--ontology", "ontologies", multiple=True, type=click.Path(path_type=Path),
                                help="Also load this ontology file (as for kg build); repeatable.")


@ontology.command("show")
@click.argument("query")
@_ONTOLOGY_OPTION
def ontology_show(query: str, ontologies: tuple[Path, ...]) -> None:
    """How a CURIE or a phrase grounds: id, label, category, synonyms with scope, parents and source."""
    from .analysis import Analyser
    from .readers.base import DocumentBuilder

    lexicon = _lexicon(ontologies)
    term = lexicon.get(query)
    if term is not None:
        _print_term(term, lexicon)
        return
    builder = DocumentBuilder("<query>", "text")
    builder.add("Query", query, kind="other")
    mentions = Analyser(lexicon).analyse(builder.build()).mentions
    if not mentions:
        raise KgError(f"{query!r} is not a known id and grounds to nothing")
    for mention in mentions:
        click.echo(f"{mention.text!r} -> {mention.curie} (matched by {mention.matched_by})")
        _print_term(lexicon.get(mention.curie), lexicon, indent="  ")


def _print_term(term, lexicon, indent: str = "") -> None:
    click.echo(f"{indent}id:        {term.id}")
    click.echo(f"{indent}label:     {term.label}")
    click.echo(f"{indent}category:  {term.category or '(ancestor only, not matched in text)'}")
    for synonym, scope in zip(term.synonyms, term.synonym_scopes or ("UNSPECIFIED",) * len(term.synonyms)):
        click.echo(f"{indent}synonym:   {synonym} [{scope}]")
    for parent in term.parents:
        parent_term = lexicon.get(parent)
        click.echo(f"{indent}is_a:      {parent}" + (f" ({parent_term.label})" if parent_term else ""))
    for kind, values in (("closeMatch", term.close_match), ("broadMatch", term.broad_match)):
        for value in values:
            click.echo(f"{indent}{kind}:{' ' * (10 - len(kind))}{value}")
    click.echo(f"{indent}source:    {term.source}")
    if term.definition:
        click.echo(f"{indent}definition: {term.definition}")


@ontology.command("stats")
@_ONTOLOGY_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def ontology_stats(ontologies: tuple[Path, ...], fmt: str) -> None:
    """Terms that grounding can match, by source and by category."""
    lexicon = _lexicon(ontologies)
    matched = [t for t in lexicon.terms.values() if t.matchable]
    result = {
        "by_source": dict(sorted(Counter(t.id.split(":")[0] for t in matched).items())),
        "by_category": dict(sorted(Counter(t.category for t in matched).items())),
        "totals": {"matched_terms": len(matched), "all_terms": len(lexicon.terms),
                   "synonyms": sum(len(t.matched_synonyms()) for t in matched)},
    }
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
        return
    for title, table in result.items():
        click.echo(title.replace("_", " "))
        for key, value in table.items():
            click.echo(f"  {key:30} {value}")


if __name__ == "__main__":
    main()
