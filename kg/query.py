"""SPARQL over a built graph, and the shipped queries in queries/."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rdflib import Graph

from .resources import data_dir


class QueryError(Exception):
    pass


def shipped_queries() -> dict[str, Path]:
    return {p.stem: p for p in sorted(data_dir("queries").glob("*.rq"))}


def resolve_query(query: str) -> str:
    """A shipped query's name, a .rq file, or SPARQL text."""
    shipped = shipped_queries()
    if query in shipped:
        return shipped[query].read_text(encoding="utf-8")
    path = Path(query)
    if query.endswith(".rq"):
        if not path.is_file():
            raise QueryError(f"{query}: no such query file")
        return path.read_text(encoding="utf-8")
    if not any(word in query.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        raise QueryError(f"{query!r} is not a shipped query ({', '.join(shipped)}), a .rq file, or SPARQL")
    return query


def load_graph(path: Path) -> Graph:
    if not path.is_file():
        raise QueryError(f"{path}: no built graph here (run `kg build` first, or pass --graph)")
    g = Graph()
    try:
        g.parse(path, format="turtle" if path.suffix == ".ttl" else None)
    except Exception as exc:  # rdflib raises many parser types
        raise QueryError(f"{path}: cannot parse RDF ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    return g


def run_query(graph: Graph, sparql: str) -> tuple[list[str], list[list[str]]]:
    try:
        result = graph.query(sparql)
    except Exception as exc:
        raise QueryError(f"SPARQL error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if result.type == "ASK":
        return ["ask"], [[str(bool(result.askAnswer)).lower()]]
    if result.type != "SELECT":
        raise QueryError("only SELECT and ASK queries print as tables")
    columns = [str(v) for v in result.vars]
    rows = [["" if value is None else str(value) for value in row] for row in result]
    return columns, rows


def format_rows(columns: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, r)) for r in rows], indent=1, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([("'" + c) if c[:1] in ("=", "+", "-", "@") else c for c in row])
        return buffer.getvalue()
    widths = [min(60, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(columns)]
    cut = lambda v, w: v if len(v) <= w else v[:w - 1] + "…"  # noqa: E731
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths)), "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(cut(v.replace("\n", " "), w).ljust(w) for v, w in zip(r, widths)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
