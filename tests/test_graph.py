from __future__ import annotations

import pytest

from kg.graph import aggregate_confidence, build_graph, edge_key
from kg.model import Assertion, Evidence, Span


def assertion(s, p, o, doc="DOC:1", start=0, polarity="affirmed", certainty="stated", confidence=0.5):
    ev = Evidence(doc, "T", 2020, "abstract", f"sentence {start}", start, start + 10, Span(start, start + 1, "a"),
                  Span(start + 2, start + 3, "b"), "trig", polarity, certainty, "unknown", None, (), "rules/1:x", confidence)
    return Assertion(s, p, o, ev)


def test_merge_by_triple_keeps_every_evidence_and_counts_documents(lexicon):
    g = build_graph([assertion("CL:0000134", "capable_of", "GO:0030198", "DOC:2", 5),
                     assertion("CL:0000134", "capable_of", "GO:0030198", "DOC:1", 9),
                     assertion("CL:0000134", "capable_of", "GO:0030198", "DOC:1", 1)], lexicon)
    (data,) = [d for _, _, d in g.edges(data=True)]
    assert data["evidence_count"] == 3 and data["document_count"] == 2 and data["documents"] == ["DOC:1", "DOC:2"]
    assert [(e.document, e.sentence_start) for e in data["evidence"]] == [("DOC:1", 1), ("DOC:1", 9), ("DOC:2", 5)]
    assert data["confidence"] == pytest.approx(1 - 0.5 ** 3)
    assert g.nodes["CL:0000134"]["label"] == "mesenchymal stem cell" and g.nodes["CL:0000134"]["category"] == "CellType"
    assert g.nodes["CL:0000134"]["documents"] == 2


def test_negative_findings_are_separate_edges(lexicon):
    g = build_graph([assertion("MESH:D045164", "positively_regulates", "IVDKG:disc_hydration"),
                     assertion("MESH:D045164", "positively_regulates", "IVDKG:disc_hydration", polarity="negated")], lexicon)
    keys = sorted(k for _, _, k in g.edges(keys=True))
    assert keys == [edge_key("positively_regulates", "affirmed"), edge_key("positively_regulates", "negated")]
    assert keys == ["positively_regulates", "positively_regulates|negated"]


def test_hedged_only_when_all_evidence_is_hedged(lexicon):
    g = build_graph([assertion("A:1", "hinders", "B:1", certainty="hedged"),
                     assertion("A:1", "hinders", "B:1", start=3)], lexicon)
    assert [d["hedged"] for _, _, d in g.edges(data=True)] == [False]


def test_confidence_aggregation_is_noisy_or():
    assert aggregate_confidence([]) == 0.0
    assert aggregate_confidence([assertion("a", "p", "b", confidence=0.8).evidence]) == 0.8
