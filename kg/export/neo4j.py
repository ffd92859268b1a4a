"""neo4j/: CSV files in neo4j-admin import format, import.sh for the bulk importer, import.cypher for LOAD CSV.

The rows come from graphdb.model (the property-graph model is documented there and in the README).
Arrays are joined with ARRAY_DELIMITER, a control character that never occurs in text (the readers
drop control characters; an element that holds one has it replaced by a space); every cell is
quoted, so commas, quotes, `|`, `;` and newlines in sentences are safe.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx

from ..escape import cypher_string
from ..graphdb.model import NodeTable, PropertyGraph, RelTable, property_graph
from .base import ExportContext, register, write_atomic

ARRAY_DELIMITER = "\u001f"
ARRAY_DELIMITER_ARG = "U+001F"
FILES = {"Concept": "nodes.csv", "Publication": "publications.csv", "Evidence": "evidence.csv",
         "relationships": "relationships.csv", "subclass": "subclass.csv", "evidence_links": "evidence_links.csv"}
_HEADER_TYPES = {"string": "", "int": ":int", "float": ":float", "boolean": ":boolean", "string[]": ":string[]"}


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "string[]":
        return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, " ") for v in value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "float":
        return f"{value:.4f}"
    return str(value)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def node_csv(table: NodeTable) -> str:
    props = [(c, k) for c, k in table.columns if c != "id"]
    header = ["id:ID", ":LABEL"] + [c + _HEADER_TYPES[k] for c, k in props]
    rows = []
    for row in table.rows:
        labels = [table.label] + ([row["category"]] if row.get("category") else [])
        rows.append([row["id"], ARRAY_DELIMITER.join(labels)] + [_cell(row.get(c), k) for c, k in props])
    return _csv(header, rows)


def rel_csv(table: RelTable) -> str:
    header = [":START_ID", ":END_ID", ":TYPE"] + [c + _HEADER_TYPES[k] for c, k in table.columns]
    rows = [[r["start"], r["end"], r["type"]] + [_cell(r.get(c), k) for c, k in table.columns] for r in table.rows]
    return _csv(header, rows)


def import_script(pg: PropertyGraph) -> str:
    nodes = " ".join(f"--nodes={FILES[t.label]}" for t in pg.nodes)
    rels = " ".join(f"--relationships={FILES[t.name]}" for t in pg.relationships)
    return f"""#!/usr/bin/env bash
# Offline bulk import into an empty database (Neo4j 5). Stop the database first, then run this
# from this folder, or set NEO4J_HOME and DATABASE. The files are in neo4j-admin import format.
set -euo pipefail
cd "$(dirname "$0")"
DATABASE="${{DATABASE:-neo4j}}"
ADMIN="${{NEO4J_HOME:+$NEO4J_HOME/bin/}}neo4j-admin"
"$ADMIN" database import full "$DATABASE" --overwrite-destination=true \\
  {nodes} \\
  {rels} \\
  --delimiter=',' --array-delimiter='{ARRAY_DELIMITER_ARG}' --quote='"' --multiline-fields=true
"""


def _value(column: str, kind: str) -> str:
    field = f"row.`{column}{_HEADER_TYPES[kind]}`"
    d = cypher_string(ARRAY_DELIMITER)
    return {"string": field, "int": f"toInteger({field})", "float": f"toFloat({field})",
            "boolean": f"{field} = 'true'",
            "string[]": f"CASE {field} WHEN '' THEN [] ELSE split({field}, {d}) END"}[kind]


def import_cypher(pg: PropertyGraph, context: ExportContext) -> str:
    """Idempotent: constraints first, then MERGE in batches; running it twice gives the same graph."""
    lines = ["// Load the CSVs of this folder into a running Neo4j 5 (copy them into its import/ folder first).",
             "// Run with cypher-shell -f import.cypher. Idempotent: MERGE on ids, so a second run changes nothing."]
    for t in pg.nodes:
        lines.append(f"CREATE CONSTRAINT {t.label.lower()}_id IF NOT EXISTS FOR (n:{t.label}) REQUIRE n.id IS UNIQUE;")
    for t in pg.nodes:
        sets = ", ".join(f"n.{c} = {_value(c, k)}" for c, k in t.columns if c != "id")
        lines += [f"LOAD CSV WITH HEADERS FROM 'file:///{FILES[t.label]}' AS row CALL {{ WITH row",
                  f"  MERGE (n:{t.label} {{id: row.`id:ID`}}) SET {sets}", "} IN TRANSACTIONS OF 1000 ROWS;"]
    for category in context.schema.categories:
        lines.append(f"MATCH (n:Concept {{category: {cypher_string(category)}}}) SET n:{category};")
    for t in pg.relationships:
        types = {"relationships": list(pg.relationship_types), "subclass": ["SUBCLASS_OF"],
                 "evidence_links": ["FROM_PUBLICATION", "HAS_SUBJECT", "HAS_OBJECT"]}[t.name]
        for rel_type in types:
            start = "Evidence" if t.start == "Evidence" else "Concept"
            end = {"FROM_PUBLICATION": "Publication", "HAS_SUBJECT": "Concept", "HAS_OBJECT": "Concept"}.get(rel_type, "Concept")
            key = " {assertion_id: row.assertion_id}" if t.name == "relationships" else ""
            sets = ", ".join(f"r.{c} = {_value(c, k)}" for c, k in t.columns if c != "assertion_id")
            lines += [f"LOAD CSV WITH HEADERS FROM 'file:///{FILES[t.name]}' AS row "
                      f"WITH row WHERE row.`:TYPE` = {cypher_string(rel_type)} CALL {{ WITH row",
                      f"  MATCH (s:{start} {{id: row.`:START_ID`}}), (o:{end} {{id: row.`:END_ID`}})",
                      f"  MERGE (s)-[r:{rel_type}{key}]->(o)" + (f" SET {sets}" if sets else ""),
                      "} IN TRANSACTIONS OF 1000 ROWS;"]
    return "\n".join(lines) + "\n"


@register("neo4j", "neo4j/: neo4j-admin CSVs, import.sh and an idempotent import.cypher")
def write_neo4j(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    pg = property_graph(graph, context.schema, context.lexicon, context.neo4j_evidence)
    folder = out_dir / "neo4j"
    written = [write_atomic(folder / FILES[t.label], node_csv(t)) for t in pg.nodes]
    written += [write_atomic(folder / FILES[t.name], rel_csv(t)) for t in pg.relationships]
    script = write_atomic(folder / "import.sh", import_script(pg))
    script.chmod(0o755)
    written += [script, write_atomic(folder / "import.cypher", import_cypher(pg, context))]
    return written
