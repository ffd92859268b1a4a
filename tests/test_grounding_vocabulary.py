"""Grounding over the field's whole vocabulary: the names real disc papers use, the variants of real prose,
the guards that keep precision, and the loaded-ontology rules (no shadowing, roots never match)."""
from __future__ import annotations

import gzip
import json

import pytest

from kg.analysis import Analyser
from kg.ontology.lexicon import default_lexicon, with_ontologies
from kg.ontology.matcher import CompiledTable, Matcher, compile_table
from kg.ontology.variants import default_policy

from .conftest import SHARED, make_document


def grounded(analyser, text, every=False):
    doc = analyser.analyse(make_document(text))
    return [(m.text, m.curie) for m in (doc.all_mentions if every else doc.mentions)]


def ids(analyser, text):
    return {c for _, c in grounded(analyser, text)}


# Names from real disc-regeneration abstracts that the first version never grounded.
@pytest.mark.parametrize("phrase,curie", [
    ("exosomes", "IVDKG:exosome_therapy"), ("extracellular vesicles", "IVDKG:exosome_therapy"),
    ("ADSCs", "CL:0002570"), ("ADMSCs", "CL:0002570"), ("adipose-derived stem cells", "CL:0002570"),
    ("NPMSCs", "IVDKG:np_derived_msc"), ("NP-derived MSCs", "IVDKG:np_derived_msc"),
    ("Tie2+ progenitors", "IVDKG:tie2_np_progenitor_cell"), ("hyperosmolarity", "IVDKG:hyperosmolarity"),
    ("compression", "IVDKG:mechanical_overload"), ("mTOR", "HGNC:3942"), ("angiopoietin-1", "HGNC:484"),
    ("MMP-2", "HGNC:7166"), ("SOX9", "HGNC:11204"), ("Sox9", "HGNC:11204"), ("BMP-2", "HGNC:1069"),
    ("TGF-β3", "HGNC:11769"), ("GAG", "CHEBI:18085"), ("oxidative stress", "MESH:D018384"),
    ("PLGA", "MESH:D000077182"), ("discectomy", "MESH:D017586"), ("spinal fusion", "MESH:D013123"),
    ("bone marrow-derived MSCs", "CL:0002540"), ("umbilical cord MSCs", "CL:0002569"),
    ("chondrogenic differentiation", "GO:0002062"), ("osteogenic differentiation", "GO:0001649"),
    ("wound healing", "GO:0042060"), ("miR-21", "HGNC:31586"), ("miR-146a-5p", "HGNC:31533"),
])
def test_the_fields_names_ground(analyser, phrase, curie):
    assert grounded(analyser, f"We studied {phrase} here.") == [(phrase, curie)]


@pytest.mark.parametrize("forms,curie", [
    (("TGF-β1", "TGF-beta1", "TGF-beta 1", "TGFB1"), "HGNC:11766"),
    (("haematopoietic stem cells", "hematopoietic stem cells"), "CL:0000037"),
    (("alpha cells", "α-cells"), "CL:0004117"),
    (("ACAN", "aggrecan"), "HGNC:319"),
    (("COL2A1", "collagen II", "type II collagen"), "HGNC:2200"),
    (("neuronal", "neurons"), "CL:0000540"),
    (("embryonic", "embryos"), "UBERON:0000922"),
])
def test_variants_of_real_prose_ground_to_one_term(analyser, forms, curie):
    for form in forms:
        assert grounded(analyser, f"We studied {form} here.") == [(form, curie)], form


def test_an_abbreviation_defined_inside_a_term_reads_as_its_long_form(analyser):
    doc = analyser.analyse(make_document("Embryonic stem (ES) cells were grown. ES cells then formed embryoid bodies."))
    cells = [m for m in doc.mentions if m.curie == "CL:0002322"]
    assert [m.text for m in cells] == ["Embryonic stem (ES) cells", "ES cells"]
    assert cells[0].parts == ((0, 14), (20, 25))  # the definition is not part of the mention


def test_coordinated_names_share_their_words(analyser):
    doc = analyser.analyse(make_document("NP and AF cells, and type I and II collagen, were measured."))
    found = {(m.curie, m.parts) for m in doc.mentions}
    assert ("CL:0002564", ((0, 2), (10, 15))) in found  # "NP ... cells"
    assert {"CL:0002602", "HGNC:2197", "HGNC:2200"} <= {c for c, _ in found}


def test_marker_defined_cells_keep_their_marker(analyser):
    doc = analyser.analyse(make_document("CD146+ progenitor cells and CD34+ cells were sorted."))
    marked = [(m.curie, m.markers) for m in doc.mentions if m.markers]
    assert marked == [("CL:0011026", ("CD146",)), ("CL:0000000", ("CD34",))]


def test_a_longest_match_keeps_nested_names_of_another_ontology(analyser):
    doc = analyser.analyse(make_document("Retinal ganglion cells and bone marrow-derived MSCs were compared."))
    assert [(m.text, m.curie) for m in doc.mentions] == [("Retinal ganglion cells", "CL:0000740"),
                                                         ("bone marrow-derived MSCs", "CL:0002540")]
    nested = {(m.text, m.curie) for m in doc.all_mentions if m.nested}
    assert {("Retinal", "UBERON:0000966"), ("bone marrow", "UBERON:0002371")} <= nested
    assert not any(c.startswith("CL:") for _, c in nested)  # never a shorter cell inside a cell ("ganglion cells")


@pytest.mark.parametrize("text", [
    "The SET and CAT data were read with MRI.",       # gene symbols that are words or clinical acronyms
    "Lysates were made with NP-40 buffer.",           # a reagent, not the nucleus pulposus
    "Scale bars, 50 μm.",                              # a figure label
    "On the other hand, the study arm was small.",     # idioms and trial words
    "Patients were divided into two groups.",          # a common verb, not cell division
    "Let us compare them.",
])
def test_precision_guards(analyser, text):
    assert not any(c.startswith(("HGNC:", "UBERON:", "GO:", "MONDO:")) for c in ids(analyser, text))


def test_a_short_cell_name_needs_its_context(analyser):
    assert "CL:0000604" not in ids(analyser, "Pedicle screws and rods were placed after discectomy.")
    assert "CL:0000604" in ids(analyser, "In the retina, rods and cones degenerate.")


def test_verb_forms_of_processes_are_mentions_but_not_relation_arguments(analyser):
    doc = analyser.analyse(make_document("Nucleus pulposus cells expressed aggrecan."))
    assert ("expressed", "GO:0010467") in [(m.text, m.curie) for m in doc.all_mentions]
    assert "GO:0010467" not in {m.curie for m in doc.mentions}


def test_the_compiled_table_round_trips_through_its_cache_format(lexicon):
    table = compile_table(lexicon, default_policy())
    compiled = CompiledTable.of(table)
    again = CompiledTable.from_json(json.loads(json.dumps(compiled.to_json())))
    assert again == compiled and len(compiled.rows) > 300_000  # the whole vocabulary: hundreds of thousands


OBO = """format-version: 1.2

[Term]
id: CL:0000000
name: cell

[Term]
id: CL:9999001
name: quux cell
is_a: CL:0000000

[Term]
id: UBERON:0001062
name: anatomical entity

[Term]
id: GO:0008150
name: biological_process
synonym: "biological process" EXACT []

[Term]
id: CHEBI:24431
name: chemical entity

[Term]
id: CHEBI:23367
name: molecular entity
is_a: CHEBI:24431
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("onto") / "tiny.obo.gz"
    path.write_bytes(gzip.compress(OBO.encode()))
    return Analyser(with_ontologies(default_lexicon(), [path]))


def test_a_loaded_ontology_replaces_hierarchy_only_entries(lexicon, loaded):
    assert not lexicon.get("CHEBI:23367").matchable  # in the default lexicon only as an ancestor
    assert ids(loaded, "A molecular entity was found.") == {"CHEBI:23367"}
    assert ids(loaded, "A quux cell was found.") == {"CL:9999001"}  # and the .gz file was read


@pytest.mark.parametrize("root", ["cell", "anatomical entity", "biological process"])
def test_roots_never_match_even_when_loaded(loaded, root):
    assert ids(loaded, f"Every {root} counts.") == set()


def test_the_matcher_is_shared_by_analysers_of_one_lexicon(lexicon):
    assert Matcher.of(lexicon) is Matcher.of(lexicon)


CRAFT = SHARED / "craft"


@pytest.mark.skipif(not (CRAFT / "annotations").is_dir(), reason="../shared/craft is not present")
def test_craft_benchmark_scores_cell_types_on_development_articles():
    """Two of CRAFT's development articles, CL annotations, the CL version CRAFT used loaded."""
    from scripts.bench_craft import craft_document, gold_for, matching_files, read_ids
    from kg.evaluate import score_mentions
    from kg.mentions import records_of

    pmids = read_ids(CRAFT, "dev")[:2]
    gold = gold_for(CRAFT, "CL", pmids)
    analyser = Analyser(with_ontologies(default_lexicon(), matching_files("CL", CRAFT, SHARED / "ontologies", CRAFT)))
    system = [r for p in pmids for r in records_of(craft_document(CRAFT, p), analyser.analyse(craft_document(CRAFT, p)).all_mentions)]
    score = score_mentions(gold, system, prefixes=("CL",))
    assert score.f1 >= 0.6 and score.tp >= 20
