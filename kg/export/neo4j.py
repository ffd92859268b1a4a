"""neo4j/: CSV files in neo4j-admin import format, import.sh for the bulk importer, import.cypher for LOAD CSV.

Model: (:Concept:<Category>) nodes; one relationship type per predicate between concepts, carrying
counts, confidence and document ids; (:Evidence) nodes with the sentence, linked to their
(:Publication) and to the subject and object concepts, and sharing `assertion_id` with the edge.
Arrays use ARRAY_DELIMITER, a control character that never occurs in text (the readers drop them).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx

from ..escape import cypher_string
from ..ids import content_hash, document_iri
from .base import ExportContext, register, write_atomic

ARRAY_DELIMITER = "\u001f"
ARRAY_DELIMITER_ARG = "U+001F"


def _array(values) -> str:
    return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, " ") for v in values)


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


NODE_HEADER = ["id:ID", ":LABEL", "name", "iri", "category", "synonyms:string[]", "source", "document_count:int"]
PUB_HEADER = ["id:ID", ":LABEL", "title", "year:int", "doi", "pmid", "pmcid", "url"]
EVIDENCE_HEADER = ["id:ID", ":LABEL", "assertion_id", "predicate", "sentence", "sentence_start:int", "sentence_end:int",
                   "section", "subject_text", "object_text", "trigger", "polarity", "certainty", "study_type", "organism",
                   "quantities:string[]", "extractor", "confidence:float"]
REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "assertion_id", "predicate", "negated:boolean", "hedged:boolean",
              "confidence:float", "evidence_count:int", "document_count:int", "documents:string[]"]
LINK_HEADER = [":START_ID", ":END_ID", ":TYPE"]


def tables(graph: nx.MultiDiGraph, context: ExportContext) -> dict[str, str]:
    schema = context.schema
    nodes = []
    for curie in sorted(graph.nodes):
        d = graph.nodes[curie]
        nodes.append([curie, _array(["Concept", d["category"]] if d.get("category") else ["Concept"]), d["label"], schema.iri(curie),
                      d.get("category", ""), _array(d.get("synonyms", [])), d.get("source", ""), d.get("documents", 0)])
    pubs = []
    for doc_id, meta in sorted(graph.graph.get("documents", {}).items()):
        pubs.append([doc_id, "Publication", meta.get("title") or "", meta.get("year") or "", meta.get("doi") or "",
                     meta.get("pmid") or "", meta.get("pmcid") or "", document_iri(doc_id, schema.base)])
    rels, evidence, links = [], [], []
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        pred = schema.predicates[data["predicate"]]
        aid = data["assertion_id"]
        rels.append([s, o, pred.neo4j_type, aid, pred.name, str(data["polarity"] != "affirmed").lower(),
                     str(bool(data["hedged"])).lower(), f"{data['confidence']:.4f}", data["evidence_count"],
                     data["document_count"], _array(data["documents"])])
        for ev in data["evidence"]:
            eid = "EV:" + content_hash(aid, ev.document, ev.sentence_start, ev.subject_span.start,
                                       ev.object_span.start, ev.extractor)
            evidence.append([eid, "Evidence", aid, pred.name, ev.sentence, ev.sentence_start, ev.sentence_end,
                             ev.section, ev.subject_span.text, ev.object_span.text, ev.trigger, ev.polarity,
                             ev.certainty, ev.study_type, ev.organism or "",
                             _array(f"{q.value:g} {q.unit} {q.direction}" for q in ev.quantities),
                             ev.extractor, f"{ev.confidence:.3f}"])
            links += [[eid, ev.document, "FROM_PUBLICATION"], [eid, s, "HAS_SUBJECT"], [eid, o, "HAS_OBJECT"]]
    return {
        "nodes.csv": _csv(NODE_HEADER, nodes),
        "publications.csv": _csv(PUB_HEADER, pubs),
        "evidence.csv": _csv(EVIDENCE_HEADER, evidence),
        "relationships.csv": _csv(REL_HEADER, rels),
        "evidence_links.csv": _csv(LINK_HEADER, links),
    }


def import_script() -> str:
    return f"""#!/usr/bin/env bash
# Offline bulk import into an empty database (Neo4j 5). Stop the database first, then run this
# from this folder, or set NEO4J_HOME and DATABASE. The files are in neo4j-admin import format.
set -euo pipefail
cd "$(dirname "$0")"
DATABASE="${{DATABASE:-neo4j}}"
ADMIN="${{NEO4J_HOME:+$NEO4J_HOME/bin/}}neo4j-admin"
"$ADMIN" database import full "$DATABASE" --overwrite-destination=true \\
  --nodes=nodes.csv --nodes=publications.csv --nodes=evidence.csv \\
  --relationships=relationships.csv --relationships=evidence_links.csv \\
  --delimiter=',' --array-delimiter='{ARRAY_DELIMITER_ARG}' --quote='"' --multiline-fields=true
"""


def import_cypher(context: ExportContext) -> str:
    """Idempotent: constraints first, then MERGE in batches; running it twice gives the same graph."""
    d = cypher_string(ARRAY_DELIMITER)
    lines = [
        "// Load the CSVs of this folder into a running Neo4j 5 (copy them into its import/ folder first).",
        "// Run with cypher-shell -f import.cypher. Idempotent: MERGE on ids, so a second run changes nothing.",
        "CREATE CONSTRAINT concept_id IF NOT EXISTS FOR (n:Concept) REQUIRE n.id IS UNIQUE;",
        "CREATE CONSTRAINT publication_id IF NOT EXISTS FOR (n:Publication) REQUIRE n.id IS UNIQUE;",
        "CREATE CONSTRAINT evidence_id IF NOT EXISTS FOR (n:Evidence) REQUIRE n.id IS UNIQUE;",
        "LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row CALL { WITH row",
        "  MERGE (n:Concept {id: row.`id:ID`})",
        "  SET n.name = row.name, n.iri = row.iri, n.category = row.category, n.source = row.source,",
        f"      n.synonyms = CASE row.`synonyms:string[]` WHEN '' THEN [] ELSE split(row.`synonyms:string[]`, {d}) END,",
        "      n.document_count = toInteger(row.`document_count:int`)",
        "} IN TRANSACTIONS OF 1000 ROWS;",
    ]
    for category in context.schema.categories:
        lines.append(f"MATCH (n:Concept {{category: {cypher_string(category)}}}) SET n:{category};")
    lines += [
        "LOAD CSV WITH HEADERS FROM 'file:///publications.csv' AS row CALL { WITH row",
        "  MERGE (p:Publication {id: row.`id:ID`})",
        "  SET p.title = row.title, p.year = toInteger(row.`year:int`), p.doi = row.doi, p.pmid = row.pmid,",
        "      p.pmcid = row.pmcid, p.url = row.url",
        "} IN TRANSACTIONS OF 1000 ROWS;",
        "LOAD CSV WITH HEADERS FROM 'file:///evidence.csv' AS row CALL { WITH row",
        "  MERGE (e:Evidence {id: row.`id:ID`})",
        "  SET e.assertion_id = row.assertion_id, e.predicate = row.predicate, e.sentence = row.sentence,",
        "      e.sentence_start = toInteger(row.`sentence_start:int`), e.sentence_end = toInteger(row.`sentence_end:int`),",
        "      e.section = row.section, e.subject_text = row.subject_text, e.object_text = row.object_text,",
        "      e.trigger = row.trigger, e.polarity = row.polarity, e.certainty = row.certainty,",
        "      e.study_type = row.study_type, e.organism = row.organism, e.extractor = row.extractor,",
        f"      e.quantities = CASE row.`quantities:string[]` WHEN '' THEN [] ELSE split(row.`quantities:string[]`, {d}) END,",
        "      e.confidence = toFloat(row.`confidence:float`)",
        "} IN TRANSACTIONS OF 1000 ROWS;",
    ]
    for pred in context.schema.predicates.values():
        t = pred.neo4j_type
        lines += [
            f"LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row WITH row WHERE row.`:TYPE` = {cypher_string(t)} CALL {{ WITH row",
            "  MATCH (s:Concept {id: row.`:START_ID`}), (o:Concept {id: row.`:END_ID`})",
            f"  MERGE (s)-[r:{t} {{assertion_id: row.assertion_id}}]->(o)",
            "  SET r.predicate = row.predicate, r.negated = row.`negated:boolean` = 'true',",
            "      r.hedged = row.`hedged:boolean` = 'true', r.confidence = toFloat(row.`confidence:float`),",
            "      r.evidence_count = toInteger(row.`evidence_count:int`), r.document_count = toInteger(row.`document_count:int`),",
            f"      r.documents = split(row.`documents:string[]`, {d})",
            "} IN TRANSACTIONS OF 1000 ROWS;",
        ]
    for t, label in (("FROM_PUBLICATION", "Publication"), ("HAS_SUBJECT", "Concept"), ("HAS_OBJECT", "Concept")):
        lines += [
            f"LOAD CSV WITH HEADERS FROM 'file:///evidence_links.csv' AS row WITH row WHERE row.`:TYPE` = {cypher_string(t)} CALL {{ WITH row",
            f"  MATCH (e:Evidence {{id: row.`:START_ID`}}), (x:{label} {{id: row.`:END_ID`}})",
            f"  MERGE (e)-[:{t}]->(x)",
            "} IN TRANSACTIONS OF 1000 ROWS;",
        ]
    return "\n".join(lines) + "\n"


@register("neo4j", "neo4j/: neo4j-admin CSVs, import.sh and an idempotent import.cypher")
def write_neo4j(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    folder = out_dir / "neo4j"
    written = [write_atomic(folder / name, text) for name, text in tables(graph, context).items()]
    script = write_atomic(folder / "import.sh", import_script())
    script.chmod(0o755)
    written += [script, write_atomic(folder / "import.cypher", import_cypher(context))]
    return written
