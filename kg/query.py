"""SPARQL over a built graph, and the shipped queries in queries/."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path


from .resources import data_dir
from .escape import without_controls
from .sparql_text import is_update


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
    if not any(word in query.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT", "DELETE")):
        raise QueryError(f"{query!r} is not a shipped query ({', '.join(shipped)}), a .rq file, or SPARQL")
    return query


_OX_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG", ".jsonld": "JSON_LD",
               ".owl": "RDF_XML", ".rdf": "RDF_XML"}
_RDFLIB_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld",
                   ".owl": "xml", ".rdf": "xml"}


def load_graph(path: Path, engine: str = "oxigraph"):
    """A store over a built graph: pyoxigraph (fast; the default) or rdflib (for compatibility)."""
    if not path.is_file():
        raise QueryError(f"{path}: no built graph here (run `kg build` first, or pass --graph)")
    suffix = path.suffix.lower()
    if suffix not in _OX_FORMATS:
        raise QueryError(f"{path}: unknown RDF format (use .ttl, .nt, .nq, .trig or .jsonld)")
    try:
        if engine == "oxigraph":
            import pyoxigraph as ox
            store = ox.Store()
            store.bulk_load(path=str(path), format=getattr(ox.RdfFormat, _OX_FORMATS[suffix]))
            return store
        from rdflib import Dataset, Graph
        if suffix in (".nq", ".trig"):
            g = Dataset(default_union=True)
            g.parse(path, format=_RDFLIB_FORMATS[suffix])
            return g
        return Graph().parse(path, format=_RDFLIB_FORMATS[suffix])
    except Exception as exc:  # parsers raise many types
        raise QueryError(f"{path}: cannot parse RDF ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None


def _ox_value(term) -> str:
    if term is None:
        return ""
    name = type(term).__name__
    if name == "BlankNode":
        return "_:" + term.value
    return term.value


def run_query(store, sparql: str) -> tuple[list[str], list[list[str]]]:
    """Rows of a SELECT (or the answer of an ASK) as strings: IRIs as IRIs, literals as their lexical form."""
    if type(store).__module__.startswith("pyoxigraph"):
        import pyoxigraph as ox
        if is_update(sparql):
            raise QueryError("updates are refused: the graph is read-only")
        try:
            result = store.query(sparql, use_default_graph_as_union=True)
        except (SyntaxError, ValueError, OSError) as exc:
            raise QueryError(f"SPARQL error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        if isinstance(result, ox.QueryBoolean):
            return ["ask"], [[str(bool(result)).lower()]]
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT and ASK queries print as tables")
        columns = [v.value for v in result.variables]
        return columns, [[_ox_value(solution[c]) for c in columns] for solution in result]
    if is_update(sparql):
        raise QueryError("updates are refused: the graph is read-only")
    try:
        result = store.query(sparql)
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
    columns = [without_controls(c) for c in columns]
    if fmt == "json":  # JSON escapes C0 itself; C1 too here
        text = json.dumps([dict(zip(columns, r)) for r in rows], indent=1, ensure_ascii=False)
        return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
    rows = [[without_controls(v) for v in r] for r in rows]
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
