"""Whole ontologies added at run time: three formats, categories from roots, a cache keyed by content."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.analysis import Analyser
from kg.cli import main
from kg.ontology.lexicon import default_lexicon, with_ontologies
from kg.ontology.sources import OntologyError, load_ontology

from .conftest import FIXTURES, make_document


@pytest.mark.parametrize("name,expected", [
    ("extra.obo", {("CL:9900001", "glowing disc cell", "CellType")}),
    ("extra.json", {("GO:9900001", "disc glow signalling", "Mechanism"), ("GO:0008150", "biological_process", "Mechanism")}),
    ("extra.owl", {("UBERON:9900001", "disc lantern", "AnatomicalStructure"),
                   ("UBERON:0001062", "anatomical entity", "AnatomicalStructure")}),
])
def test_formats_categories_and_obsolete_terms(name, expected):
    terms, _ = load_ontology(FIXTURES / name)
    found = {(t.id, t.label, t.category) for t in terms}
    assert expected <= found
    assert not any("obsolete" in t.label or "retired" in t.label or "old lantern" in t.label for t in terms)
    assert not any(t.id.startswith("XO:") for t in terms)  # under no mapped root: left out


def test_synonym_scopes_are_kept_and_only_exact_ones_match():
    lexicon = with_ontologies(default_lexicon(), [FIXTURES / "extra.obo"])
    term = lexicon.get("CL:9900001")
    assert dict(zip(term.synonyms, term.synonym_scopes)) == {"luminous disc cell": "EXACT", "shiny cell": "RELATED"}
    analyser = Analyser(lexicon)
    found = [(m.text, m.curie) for m in analyser.analyse(make_document("Luminous disc cells and shiny cells.")).mentions]
    assert found == [("Luminous disc cells", "CL:9900001")]


def test_second_load_comes_from_the_cache_and_is_equal():
    first, hit1 = load_ontology(FIXTURES / "extra.json")
    second, hit2 = load_ontology(FIXTURES / "extra.json")
    assert (hit1, hit2) in ((False, True), (True, True)) and hit2 is True
    assert first == second


def test_cache_is_keyed_by_content(tmp_path):
    copy = tmp_path / "x.obo"
    copy.write_text((FIXTURES / "extra.obo").read_text())
    load_ontology(copy)
    copy.write_text((FIXTURES / "extra.obo").read_text().replace("glowing disc cell", "dim disc cell"))
    terms, from_cache = load_ontology(copy)
    assert from_cache is False and "dim disc cell" in {t.label for t in terms}


def test_curated_terms_keep_their_form():
    lexicon = with_ontologies(default_lexicon(), [FIXTURES / "extra.owl"])
    assert lexicon.get("UBERON:0001062").label == "anatomical entity"
    assert lexicon.get("CL:0000134").synonyms == default_lexicon().get("CL:0000134").synonyms


def test_build_with_an_added_ontology_changes_grounding(tmp_path):
    doc = tmp_path / "paper.txt"
    doc.write_text("Glowing disc cells\n\nGlowing disc cells undergo disc glow signalling. Hypoxia hinders glowing disc cells.")
    runner = CliRunner()
    plain = runner.invoke(main, ["build", str(doc), "-o", str(tmp_path / "a"), "--quiet", "-f", "json"])
    extended = runner.invoke(main, ["build", str(doc), "-o", str(tmp_path / "b"), "--quiet", "-f", "json",
                                    "--ontology", str(FIXTURES / "extra.obo"), "--ontology", str(FIXTURES / "extra.json")])
    assert plain.exit_code == 0 and extended.exit_code == 0, extended.output
    before = json.loads((tmp_path / "a" / "graph.json").read_text())
    after = json.loads((tmp_path / "b" / "graph.json").read_text())
    assert "CL:9900001" not in {n["id"] for n in before["nodes"]}
    edges = {(e["subject"], e["predicate"], e["object"]) for e in after["edges"]}
    assert ("CL:9900001", "capable_of", "GO:9900001") in edges
    assert ("MESH:D000860", "hinders", "CL:9900001") in edges


def test_bad_ontology_file_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.owl"
    bad.write_text("<rdf:RDF broken")
    result = CliRunner().invoke(main, ["build", str(FIXTURES / "plain.txt"), "-o", str(tmp_path / "o"),
                                       "--ontology", str(bad)])
    assert result.exit_code == 1 and str(bad) in result.output and "cannot parse" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(OntologyError, match="unknown ontology format"):
        load_ontology(FIXTURES / "plain.txt")


def test_ontology_show_and_stats_commands():
    runner = CliRunner()
    shown = runner.invoke(main, ["ontology", "show", "NPCs"])
    assert shown.exit_code == 0 and "CL:0002564" in shown.output and "NPC [ABBREVIATION]" in shown.output
    by_id = runner.invoke(main, ["ontology", "show", "CL:0000134"])
    assert "label:     mesenchymal stem cell" in by_id.output and "source:    cl.tsv.gz" in by_id.output
    stats = runner.invoke(main, ["ontology", "stats", "--format", "json", "--ontology", str(FIXTURES / "extra.obo")])
    data = json.loads(stats.output)
    assert data["by_category"]["CellType"] > 1000 and data["by_source"]["CL"] > 1000
    missing = runner.invoke(main, ["ontology", "show", "no such phrase here"])
    assert missing.exit_code == 1 and "grounds to nothing" in missing.output
