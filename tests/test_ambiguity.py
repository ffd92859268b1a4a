"""Short forms with several meanings: the document's own definition first, then the domain prior."""
from __future__ import annotations

import pytest

from .conftest import make_document


def grounded(analyser, text):
    return [(m.text, m.curie) for m in analyser.analyse(make_document(text)).mentions]


@pytest.mark.parametrize("short,prior", [
    ("AF", "UBERON:0004715"), ("NP", "UBERON:0002242"), ("MSC", "CL:0000134"), ("PRP", "IVDKG:platelet_rich_plasma"),
    ("NPC", "CL:0002564"), ("CEP", "UBERON:0014386"), ("ECM", "GO:0031012"), ("ROS", "CHEBI:26523"),
])
def test_domain_prior_when_the_document_does_not_define_it(analyser, short, prior):
    assert grounded(analyser, f"The {short} was examined.") == [(short, prior)]


@pytest.mark.parametrize("definition,short,expected", [
    ("neural progenitor cells (NPCs)", "NPCs", "CL:0011020"),        # a meaning the lexicon knows
    ("atrial fibrillation (AF)", "AF", None),                          # a meaning outside the lexicon: no prior
    ("nanoparticles (NP)", "NP", None),
    ("proline-rich proteins (PRP)", "PRP", None),
    ("circulating endothelial progenitors (CEP)", "CEP", None),
    ("marrow stromal cells (MSC)", "MSC", None),
])
def test_the_documents_own_definition_wins(analyser, definition, short, expected):
    found = grounded(analyser, f"We measured {definition} first. Later the {short} changed.")
    later = [c for t, c in found if t == short]
    assert later == ([expected] if expected else [])


def test_a_definition_holds_only_in_its_own_document(analyser):
    assert grounded(analyser, "They had atrial fibrillation (AF). AF was treated.") == []
    assert grounded(analyser, "AF was injured.") == [("AF", "UBERON:0004715")]


def test_annulus_fibrosus_is_never_atrial_fibrillation(analyser):
    assert grounded(analyser, "The annulus fibrosus (AF) tears; AF repair follows.") == [
        ("annulus fibrosus", "UBERON:0004715"), ("AF", "UBERON:0004715")]


@pytest.mark.parametrize("word", ["fat", "stress", "marrow", "growth", "cord", "response"])
def test_common_words_that_collide_with_ontology_synonyms_are_not_matched(analyser, word):
    assert grounded(analyser, f"The {word} was noted.") == []


def test_field_synonyms_ground(analyser):
    assert grounded(analyser, "Disc cells, NPCs, AFCs, CESCs and TIE2+ progenitors were compared.") == [
        ("Disc cells", "IVDKG:disc_cell"), ("NPCs", "CL:0002564"), ("AFCs", "CL:0002602"),
        ("CESCs", "IVDKG:cartilage_endplate_stem_cell"), ("TIE2+ progenitors", "IVDKG:tie2_np_progenitor_cell")]
