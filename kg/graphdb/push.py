"""Push the property graph into a running Neo4j with the official driver: batched, parameterised, idempotent.

Text from papers only ever travels as query parameters; the statements themselves are built from
the schema (labels and relationship types), never from data. MERGE on ids makes a second push
change nothing; the summary counts what was created and what already existed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .model import PropertyGraph

NODE_STATEMENT = "UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"
LABEL_STATEMENT = "UNWIND $ids AS id MATCH (n:Concept {{id: id}}) SET n:{category}"
REL_STATEMENT = ("UNWIND $rows AS row MATCH (s:{start} {{id: row.start}}), (o:{end} {{id: row.end}}) "
                 "MERGE (s)-[r:{type}{key}]->(o) SET r += row.props")
_ENDS = {"FROM_PUBLICATION": ("Evidence", "Publication"), "HAS_SUBJECT": ("Evidence", "Concept"),
         "HAS_OBJECT": ("Evidence", "Concept")}


@dataclass
class PushSummary:
    nodes_created: int = 0
    nodes_updated: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    properties_set: int = 0
    batches: int = 0

    def line(self) -> str:
        return (f"nodes: {self.nodes_created} created, {self.nodes_updated} updated; relationships: "
                f"{self.relationships_created} created, {self.relationships_updated} updated; "
                f"{self.properties_set} properties set in {self.batches} batches")


def _batches(rows: list, size: int) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def statements(pg: PropertyGraph, categories: Iterable[str], batch_size: int = 500):
    """(kind, statement, parameters, row count) in the order they must run: constraints, nodes, labels, relationships."""
    for table in pg.nodes:
        yield "schema", f"CREATE CONSTRAINT {table.label.lower()}_id IF NOT EXISTS FOR (n:{table.label}) REQUIRE n.id IS UNIQUE", {}, 0
    for table in pg.nodes:
        rows = [{"id": r["id"], "props": {k: v for k, v in r.items() if k != "id" and v is not None}} for r in table.rows]
        for batch in _batches(rows, batch_size):
            yield "nodes", NODE_STATEMENT.format(label=table.label), {"rows": batch}, len(batch)
    concepts = next(t for t in pg.nodes if t.label == "Concept")
    for category in categories:
        ids = [r["id"] for r in concepts.rows if r.get("category") == category]
        for batch in _batches(ids, batch_size):
            yield "labels", LABEL_STATEMENT.format(category=category), {"ids": batch}, 0
    for table in pg.relationships:
        by_type: dict[str, list] = {}
        for r in table.rows:
            props = {k: v for k, v in r.items() if k not in ("start", "end", "type") and v is not None}
            by_type.setdefault(r["type"], []).append({"start": r["start"], "end": r["end"], "props": props,
                                                      "assertion_id": r.get("assertion_id")})
        for rel_type, rows in sorted(by_type.items()):
            start, end = _ENDS.get(rel_type, ("Concept", "Concept"))
            key = " {assertion_id: row.assertion_id}" if table.name == "relationships" else ""
            for batch in _batches(rows, batch_size):
                yield "relationships", REL_STATEMENT.format(start=start, end=end, type=rel_type, key=key), {"rows": batch}, len(batch)


def push(pg: PropertyGraph, driver, categories: Iterable[str], database: str | None = None, batch_size: int = 500,
         progress: Callable[[int], None] = lambda n: None) -> PushSummary:
    summary = PushSummary()
    with driver.session(database=database) as session:
        for kind, statement, params, count in statements(pg, list(categories), batch_size):
            counters = session.execute_write(lambda tx: tx.run(statement, params).consume().counters)
            summary.batches += 1
            summary.properties_set += counters.properties_set
            if kind == "nodes":
                summary.nodes_created += counters.nodes_created
                summary.nodes_updated += count - counters.nodes_created
            elif kind == "relationships":
                summary.relationships_created += counters.relationships_created
                summary.relationships_updated += count - counters.relationships_created
            progress(count)
    return summary


def total_rows(pg: PropertyGraph) -> int:
    return sum(len(t.rows) for t in pg.nodes) + sum(len(t.rows) for t in pg.relationships)
