"""Load a neo4j-admin bundle into Kuzu, an embedded Cypher engine from PyPI, and run Cypher there.

No Neo4j server installs from the registries that CI reaches, so this is how the tests check the
bundle for real: every CSV header is read the way neo4j-admin reads it, every row goes in, and the
shipped Cypher queries run. The differences between Neo4j's Cypher and Kuzu's are all here:
Kuzu needs a table per node label and per relationship type before data, one label per node (the
category is a property in both), and a bound on variable-length paths.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

ARRAY_DELIMITER = "\u001f"
_KUZU_TYPES = {"string": "STRING", "int": "INT64", "float": "DOUBLE", "boolean": "BOOLEAN", "string[]": "STRING[]"}
MAX_PATH = 30


def parse_header(field: str) -> tuple[str, str]:
    """neo4j-admin header fields: 'name:type', ':ID', 'id:ID', ':LABEL', ':START_ID', ... -> (name, kind)."""
    name, _, kind = field.partition(":")
    if kind in ("ID", "LABEL", "START_ID", "END_ID", "TYPE"):
        return (name or kind.lower()), kind
    return name, (kind or "string")


def convert(value: str, kind: str):
    if kind == "int":
        return int(value) if value != "" else None
    if kind == "float":
        return float(value) if value != "" else None
    if kind == "boolean":
        return value == "true"
    if kind == "string[]":
        return value.split(ARRAY_DELIMITER) if value != "" else []
    return value


def read_bundle_csv(path: Path) -> tuple[list[tuple[str, str]], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = [parse_header(h) for h in next(reader)]
        return header, list(reader)


def to_kuzu(query: str) -> str:
    """Neo4j Cypher -> Kuzu Cypher for the constructs the shipped queries use."""
    query = re.sub(r"\*1\.\.\]", f"*1..{MAX_PATH}]", query)
    return query.strip().rstrip(";")


def load_bundle(bundle: Path, connection) -> dict[str, int]:
    """Create the tables and load every node and relationship of the bundle; returns counts by table."""
    counts: dict[str, int] = {}
    owner: dict[str, str] = {}  # node id -> table
    node_files = [p for p in sorted(bundle.glob("*.csv")) if read_bundle_csv(p)[0][0][1] == "ID"]
    rel_files = [p for p in sorted(bundle.glob("*.csv")) if p not in node_files]
    for path in node_files:
        header, rows = read_bundle_csv(path)
        label_at = next(i for i, (_, k) in enumerate(header) if k == "LABEL")
        table = rows[0][label_at].split(ARRAY_DELIMITER)[0] if rows else path.stem.title()
        props = [(i, n, k) for i, (n, k) in enumerate(header) if k not in ("ID", "LABEL")]
        columns = ", ".join(f"{n} {_KUZU_TYPES[k]}" for _, n, k in props)
        connection.execute(f"CREATE NODE TABLE {table}(id STRING, labels STRING[], {columns}, PRIMARY KEY(id))")
        assign = ", ".join(f"{n}: $p{i}" for i, n, _ in props)
        for row in rows:
            params = {f"p{i}": convert(row[i], k) for i, _, k in props}
            params.update(id=row[0], labels=row[label_at].split(ARRAY_DELIMITER))
            connection.execute(f"CREATE (:{table} {{id: $id, labels: $labels, {assign}}})", params)
            owner[row[0]] = table
        counts[table] = len(rows)
    created: set[str] = set()
    for path in rel_files:
        header, rows = read_bundle_csv(path)
        props = [(i, n, k) for i, (n, k) in enumerate(header) if k not in ("START_ID", "END_ID", "TYPE")]
        s_at, e_at, t_at = (next(i for i, (_, k) in enumerate(header) if k == want) for want in ("START_ID", "END_ID", "TYPE"))
        for row in rows:
            rel, start, end = row[t_at], owner[row[s_at]], owner[row[e_at]]
            if rel not in created:
                columns = "".join(f", {n} {_KUZU_TYPES[k]}" for _, n, k in props)
                connection.execute(f"CREATE REL TABLE {rel}(FROM {start} TO {end}{columns})")
                created.add(rel)
            assign = ", ".join(f"{n}: $p{i}" for i, n, _ in props)
            params = {f"p{i}": convert(row[i], k) for i, _, k in props}
            params.update(s=row[s_at], e=row[e_at])
            connection.execute(f"MATCH (a:{start} {{id: $s}}), (b:{end} {{id: $e}}) "
                               f"CREATE (a)-[:{rel}{' {' + assign + '}' if assign else ''}]->(b)", params)
            counts[rel] = counts.get(rel, 0) + 1
    return counts


def run_cypher(connection, query: str) -> tuple[list[str], list[list]]:
    result = connection.execute(to_kuzu(query))
    columns = result.get_column_names()
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return columns, rows
