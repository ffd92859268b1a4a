"""The only place assertions meet: merge by (subject, predicate, object, polarity) into a MultiDiGraph."""
from __future__ import annotations

from typing import Iterable, Mapping

import networkx as nx

from .ids import content_hash
from .model import Assertion, Document, Evidence
from .ontology.lexicon import Lexicon


def edge_key(predicate: str, polarity: str) -> str:
    """Negative findings get their own edge, never merged with the positive one."""
    return predicate if polarity == "affirmed" else f"{predicate}|{polarity}"


def aggregate_confidence(evidence: Iterable[Evidence]) -> float:
    """Noisy-OR of the evidence confidences: more independent support, more confidence."""
    remaining = 1.0
    for e in evidence:
        remaining *= 1.0 - e.confidence
    return round(1.0 - remaining, 4)


def build_graph(assertions: Iterable[Assertion], lexicon: Lexicon, documents: Iterable[Document] = (),
                mentioned: Mapping[str, Iterable[str]] | None = None) -> nx.MultiDiGraph:
    """Nodes are concepts (with label, category, synonyms); edges hold every evidence, sorted.

    `mentioned` maps each grounded concept to the documents that mention it: every such concept is a
    node, with or without edges, and its `documents` count is the number of documents that mention or
    support it. graph.graph carries the documents' metadata and the lexicon version for the exporters.
    """
    mentioned = mentioned or {}
    graph = nx.MultiDiGraph()
    graph.graph["documents"] = {
        d.id: {"title": d.title, "year": d.year, "doi": d.doi, "pmid": d.pmid, "pmcid": d.pmcid, "format": d.format}
        for d in sorted(documents, key=lambda d: d.id)}
    graph.graph["lexicon_version"] = lexicon.version
    grouped: dict[tuple[str, str, str, str], list[Evidence]] = {}
    for a in assertions:
        grouped.setdefault(a.key, []).append(a.evidence)
    concept_ids = {c for s, _, o, _ in grouped for c in (s, o)}
    concept_ids |= {e.organism for ev in grouped.values() for e in ev if e.organism}
    concept_ids |= set(mentioned)
    for curie in sorted(concept_ids):
        term = lexicon.get(curie)
        graph.add_node(curie, label=term.label if term else curie, category=term.category if term else "",
                       synonyms=list(term.synonyms) if term else [], source=term.source if term else "",
                       documents=0)
    node_docs: dict[str, set[str]] = {c: set(mentioned.get(c, ())) for c in concept_ids}
    for (s, p, o, polarity), evidence in sorted(grouped.items()):
        evidence = sorted(evidence, key=lambda e: (e.document, e.sentence_start, e.subject_span.start,
                                                   e.object_span.start, e.extractor))
        documents = sorted({e.document for e in evidence})
        graph.add_edge(s, o, key=edge_key(p, polarity), predicate=p, polarity=polarity,
                       assertion_id=content_hash(s, p, o, polarity),
                       evidence=evidence, evidence_count=len(evidence), documents=documents,
                       document_count=len(documents), confidence=aggregate_confidence(evidence),
                       hedged=all(e.certainty == "hedged" for e in evidence))
        if polarity == "affirmed":
            node_docs[s].update(documents)
            node_docs[o].update(documents)
    for curie, docs in node_docs.items():
        graph.nodes[curie]["documents"] = len(docs)
    return graph
