"""One place that turns the merged graph into property-graph rows (nodes and relationships).

The CSV bundle, the push into a running Neo4j and the embedded test engine all read these rows, so
they cannot disagree. Values are Python values (lists for arrays); writers encode them.

Model: (:Concept:<Category>) nodes with id, iri, name, category, synonyms[], source, document_count;
ancestors of concepts as (:Concept) nodes linked by SUBCLASS_OF, so that subtypes can be queried;
one relationship type per predicate (UPPER_SNAKE_CASE) with assertion_id, predicate, negated,
hedged, confidence, evidence_count, document_count, documents[]. Evidence either as (:Evidence)
nodes linked FROM_PUBLICATION to (:Publication) and HAS_SUBJECT / HAS_OBJECT to concepts (the
default), or as arrays on the relationship (sentences[], evidence_documents[], study_types[]).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..ids import content_hash, document_iri
from ..ontology.lexicon import Lexicon
from ..schema import Schema

EVIDENCE_MODES = ("nodes", "arrays")


@dataclass(frozen=True)
class NodeTable:
    label: str                      # the shared label (Concept, Publication, Evidence)
    columns: tuple[tuple[str, str], ...]  # (property, type) with type in string, int, float, boolean, string[]
    rows: tuple[dict, ...]


@dataclass(frozen=True)
class RelTable:
    name: str
    start: str  # node label of the start nodes
    end: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[dict, ...]  # each has "start", "end", "type" and the columns


@dataclass(frozen=True)
class PropertyGraph:
    nodes: tuple[NodeTable, ...]
    relationships: tuple[RelTable, ...]
    relationship_types: tuple[str, ...] = field(default=())


CONCEPT_COLUMNS = (("id", "string"), ("iri", "string"), ("name", "string"), ("category", "string"),
                   ("synonyms", "string[]"), ("source", "string"), ("document_count", "int"))
PUBLICATION_COLUMNS = (("id", "string"), ("title", "string"), ("year", "int"), ("doi", "string"), ("pmid", "string"),
                       ("pmcid", "string"), ("url", "string"))
EVIDENCE_COLUMNS = (("id", "string"), ("assertion_id", "string"), ("predicate", "string"), ("sentence", "string"),
                    ("sentence_start", "int"), ("sentence_end", "int"), ("section", "string"),
                    ("subject_text", "string"), ("object_text", "string"), ("trigger", "string"),
                    ("polarity", "string"), ("certainty", "string"), ("study_type", "string"),
                    ("organism", "string"), ("quantities", "string[]"), ("extractor", "string"),
                    ("confidence", "float"))
ASSERTION_COLUMNS = (("assertion_id", "string"), ("predicate", "string"), ("negated", "boolean"),
                     ("hedged", "boolean"), ("confidence", "float"), ("evidence_count", "int"),
                     ("document_count", "int"), ("documents", "string[]"))
ARRAY_EVIDENCE_COLUMNS = (("sentences", "string[]"), ("evidence_documents", "string[]"), ("study_types", "string[]"))


def evidence_id(assertion_id: str, ev) -> str:
    return "EV:" + content_hash(assertion_id, ev.document, ev.sentence_start, ev.subject_span.start,
                                ev.object_span.start, ev.extractor)


def property_graph(graph: nx.MultiDiGraph, schema: Schema, lexicon: Lexicon, evidence: str = "nodes") -> PropertyGraph:
    if evidence not in EVIDENCE_MODES:
        raise ValueError(f"evidence mode must be one of {EVIDENCE_MODES}")
    concepts = []
    ancestors = sorted({a for c in graph.nodes for a in lexicon.ancestors(c)} - set(graph.nodes))
    for curie in sorted(graph.nodes):
        d = graph.nodes[curie]
        concepts.append({"id": curie, "iri": schema.iri(curie), "name": d["label"], "category": d.get("category") or "",
                         "synonyms": list(d.get("synonyms", [])), "source": d.get("source", ""),
                         "document_count": int(d.get("documents", 0))})
    for curie in ancestors:
        term = lexicon.get(curie)
        concepts.append({"id": curie, "iri": schema.iri(curie), "name": term.label, "category": "",
                         "synonyms": [], "source": term.source, "document_count": 0})
    subclass = [{"start": c, "end": p, "type": "SUBCLASS_OF"}
                for c in sorted(set(graph.nodes) | set(ancestors)) if lexicon.get(c)
                for p in lexicon.get(c).parents if lexicon.get(p)]
    publications = [{"id": doc_id, "title": m.get("title") or "", "year": m.get("year"), "doi": m.get("doi") or "",
                     "pmid": m.get("pmid") or "", "pmcid": m.get("pmcid") or "", "url": document_iri(doc_id, schema.base)}
                    for doc_id, m in sorted(graph.graph.get("documents", {}).items())]
    assertions, evidence_rows, links = [], [], []
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        pred = schema.predicates[data["predicate"]]
        aid = data["assertion_id"]
        row = {"start": s, "end": o, "type": pred.neo4j_type, "assertion_id": aid, "predicate": pred.name,
               "negated": data["polarity"] != "affirmed", "hedged": bool(data["hedged"]),
               "confidence": float(data["confidence"]), "evidence_count": int(data["evidence_count"]),
               "document_count": int(data["document_count"]), "documents": list(data["documents"])}
        if evidence == "arrays":
            row.update(sentences=[e.sentence for e in data["evidence"]],
                       evidence_documents=[e.document for e in data["evidence"]],
                       study_types=[e.study_type for e in data["evidence"]])
        assertions.append(row)
        if evidence == "nodes":
            for ev in data["evidence"]:
                eid = evidence_id(aid, ev)
                evidence_rows.append({
                    "id": eid, "assertion_id": aid, "predicate": pred.name, "sentence": ev.sentence,
                    "sentence_start": ev.sentence_start, "sentence_end": ev.sentence_end, "section": ev.section,
                    "subject_text": ev.subject_span.text, "object_text": ev.object_span.text, "trigger": ev.trigger,
                    "polarity": ev.polarity, "certainty": ev.certainty, "study_type": ev.study_type,
                    "organism": ev.organism or "", "quantities": [q.text for q in ev.quantities],
                    "extractor": ev.extractor, "confidence": float(ev.confidence)})
                links += [{"start": eid, "end": ev.document, "type": "FROM_PUBLICATION"},
                          {"start": eid, "end": s, "type": "HAS_SUBJECT"}, {"start": eid, "end": o, "type": "HAS_OBJECT"}]
    columns = ASSERTION_COLUMNS + (ARRAY_EVIDENCE_COLUMNS if evidence == "arrays" else ())
    nodes = [NodeTable("Concept", CONCEPT_COLUMNS, tuple(concepts)),
             NodeTable("Publication", PUBLICATION_COLUMNS, tuple(publications))]
    rels = [RelTable("relationships", "Concept", "Concept", columns, tuple(assertions)),
            RelTable("subclass", "Concept", "Concept", (), tuple(subclass))]
    if evidence == "nodes":
        nodes.append(NodeTable("Evidence", EVIDENCE_COLUMNS, tuple(evidence_rows)))
        rels.append(RelTable("evidence_links", "Evidence", "*", (), tuple(links)))
    types = tuple(p.neo4j_type for p in schema.predicates.values())
    return PropertyGraph(tuple(nodes), tuple(rels), types)
