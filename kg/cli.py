"""The `kg` command: thin click wrappers around the pipeline, the query runner and the stats."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__

EXIT_SKIPPED = 3


class KgError(click.ClickException):
    """A user error: one line, no traceback, exit status 1."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """IVD-KG: build a knowledge graph of intervertebral disc repair with stem cells from papers."""


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="Output folder.")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(["turtle", "html", "neo4j", "json"]),
              help="Outputs to write (repeatable); default: all.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary of outputs.")
def build(inputs: tuple[str, ...], out_dir: Path, formats: tuple[str, ...], quiet: bool) -> None:
    """Build the graph from INPUTS (files, folders, or - for stdin); default: the bundled corpus.

    Exit status: 0 when every input was read, 3 when some were skipped (listed in build_report.json).
    """
    from .pipeline import build as run_build, default_inputs

    chosen = list(inputs) or default_inputs()
    errors: list[str] = []

    def on_error(message: str) -> None:
        errors.append(message)
        click.echo(f"skipped: {message}", err=True)

    def progress(documents):
        if quiet or not documents or not sys.stderr.isatty():
            return documents
        return click.progressbar(documents, label="extracting", file=sys.stderr, show_pos=True)

    def with_bar(documents):
        bar = progress(documents)
        if bar is documents:
            yield from documents
        else:
            with bar as items:
                yield from items

    try:
        graph, report = run_build(chosen, out_dir, formats or ("turtle", "html", "neo4j", "json"),
                                  on_error=on_error, progress=with_bar)
    except OSError as exc:
        raise KgError(f"{exc.filename or out_dir}: {exc.strerror or exc}") from None
    if not quiet:
        click.echo(f"{len(report.documents)} documents, {report.assertions} assertions, "
                   f"{report.nodes} nodes, {report.edges} edges; skipped {len(report.skipped)} input(s).")
        hints = {"graph.ttl": "RDF Turtle: kg query --list, or load into any triple store",
                 "graph.html": "open in a browser (works offline)",
                 "graph.json": "nodes, edges and evidence as JSON: kg stats",
                 "neo4j/import.sh": "neo4j-admin bulk import (see README)",
                 "neo4j/import.cypher": "cypher-shell -f, after copying neo4j/*.csv to Neo4j's import folder",
                 "build_report.json": "what was read and what was skipped"}
        for name in report.outputs:
            if name in hints:
                click.echo(f"  {out_dir / name}  - {hints[name]}")
    if report.skipped:
        click.echo(f"{len(report.skipped)} input(s) skipped; see {out_dir / 'build_report.json'}", err=True)
        sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("query", required=False)
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=Path("outputs/graph.ttl"),
              show_default=True, help="A built graph (Turtle).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the shipped queries.")
def query(query: str | None, graph_path: Path, fmt: str, list_queries: bool) -> None:
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
        columns, rows = run_query(load_graph(graph_path), sparql)
    except QueryError as exc:
        raise KgError(str(exc)) from None
    click.echo(format_rows(columns, rows, fmt), nl=False)


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


if __name__ == "__main__":
    main()
