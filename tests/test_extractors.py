"""The extractor interface: a second extractor's output merges with the rules', names kept in the evidence."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.extract import EXTRACTORS, ExtractorError, create
from kg.extract.jsonfile import JsonAssertionExtractor
from kg.schema import default_schema

from .conftest import make_document

SENTENCE = "Hypoxia hinders cell homing and MSC transplantation."


def records(doc_id):
    base = {"document": doc_id, "sentence": SENTENCE, "model": "test-llm-1"}
    return [
        {**base, "subject": "MESH:D000860", "predicate": "hinders", "object": "MESH:D045164", "confidence": 0.9},
        {**base, "subject": "MESH:D000860", "predicate": "hinders", "object": "IVDKG:cell_homing"},
        {**base, "subject": "MESH:D000860", "predicate": "treats", "object": "IVDKG:cell_homing"},      # categories do not fit
        {**base, "subject": "MESH:D000860", "predicate": "becomes", "object": "IVDKG:cell_homing"},     # unknown predicate
        {**base, "subject": "CL:0000134", "predicate": "capable_of", "object": "GO:0016477"},           # not in the sentence
        {**base, "sentence": "A sentence the paper never wrote.", "subject": "MESH:D000860", "predicate": "hinders",
         "object": "IVDKG:cell_homing"},
    ]


def test_schema_file_lists_exactly_the_predicates():
    from kg.resources import ontology_file
    schema = json.loads(ontology_file("assertion.schema.json").read_text())
    assert set(schema["properties"]["predicate"]["enum"]) == set(default_schema().predicates)


def test_json_extractor_keeps_only_what_fits_schema_and_document(analyser, tmp_path):
    doc = analyser.analyse(make_document(SENTENCE))
    path = tmp_path / "out.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records(doc.document.id)) + "\nnot json\n")
    extractor = JsonAssertionExtractor(str(path))
    found = list(extractor.extract(doc))
    assert {(a.subject, a.predicate, a.object) for a in found} == {
        ("MESH:D000860", "hinders", "MESH:D045164"), ("MESH:D000860", "hinders", "IVDKG:cell_homing")}
    assert all(a.evidence.extractor == "json/1:test-llm-1" for a in found)
    assert found[0].evidence.subject_span.text == "Hypoxia" and found[0].evidence.confidence == 0.9
    assert extractor.rejected == {"categories do not fit the predicate": 1, "unknown predicate": 1,
                                  "subject or object not mentioned in the sentence": 1, "sentence not in the document": 1,
                                  "malformed record": 1}


def test_build_merges_extractors_and_keeps_their_names(tmp_path):
    paper = tmp_path / "p.txt"
    paper.write_text("Title\n\n" + SENTENCE)
    from kg.readers import read_bytes
    doc_id = read_bytes(paper.read_bytes(), str(paper))[0].id
    recorded = tmp_path / "llm.jsonl"
    recorded.write_text("\n".join(json.dumps(r) for r in records(doc_id)[:2]))
    result = CliRunner().invoke(main, ["build", str(paper), "-o", str(tmp_path / "out"), "--quiet", "-f", "json",
                                       "--extractor", "rules", "--extractor", f"json={recorded}"])
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    edge = next(e for e in graph["edges"] if (e["subject"], e["object"]) == ("MESH:D000860", "IVDKG:cell_homing"))
    assert sorted(ev["extractor"].split(":")[0] for ev in edge["evidence"]) == ["json/1", "rules/1"]
    assert edge["evidence_count"] == 2 and edge["document_count"] == 1


def test_unknown_extractor_and_missing_argument_are_clear_errors(tmp_path):
    with pytest.raises(ExtractorError, match="unknown extractor 'nope'"):
        create("nope")
    with pytest.raises(ExtractorError, match="needs a file"):
        create("json")
    result = CliRunner().invoke(main, ["build", "-o", str(tmp_path), "--extractor", "nope"])
    assert result.exit_code == 1 and "unknown extractor" in result.output


def test_a_new_extractor_is_one_registration(analyser):
    from kg.extract import register
    from kg.model import Assertion

    class Nothing:
        name, version = "nothing", "0"

        def extract(self, document):
            return iter(())

    register("nothing-test")(Nothing)
    try:
        assert list(create("nothing-test").extract(analyser.analyse(make_document("Hypoxia.")))) == []
    finally:
        EXTRACTORS.pop("nothing-test")
    assert Assertion  # the type an extractor yields


def test_min_confidence_filters_exported_edges(tmp_path):
    paper = tmp_path / "p.txt"
    paper.write_text("Title\n\nHypoxia hinders cell homing. Epigenetic modulation may enhance cell homing.")
    runner = CliRunner()
    runner.invoke(main, ["build", str(paper), "-o", str(tmp_path / "all"), "--quiet", "-f", "json"])
    runner.invoke(main, ["build", str(paper), "-o", str(tmp_path / "strong"), "--quiet", "-f", "json", "--min-confidence", "0.7"])
    every = json.loads((tmp_path / "all" / "graph.json").read_text())["edges"]
    strong = json.loads((tmp_path / "strong" / "graph.json").read_text())["edges"]
    assert len(every) == 2 and [e["predicate"] for e in strong] == ["hinders"]
    assert all(e["confidence"] >= 0.7 for e in strong)
    report = json.loads((tmp_path / "strong" / "report.json").read_text())
    assert report["below_min_confidence"] == 1
