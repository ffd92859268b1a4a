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


@pytest.mark.parametrize("definition,short,prior", [
    ("neural progenitor cells (NPCs)", "NPCs", "CL:0002564"),
    ("atrial fibrillation (AF)", "AF", "UBERON:0004715"),
    ("nanoparticles (NP)", "NP", "UBERON:0002242"),
    ("proline-rich proteins (PRP)", "PRP", "IVDKG:platelet_rich_plasma"),
    ("circulating endothelial progenitors (CEP)", "CEP", "UBERON:0014386"),
    ("marrow stromal cells (MSC)", "MSC", "CL:0000134"),
])
def test_the_documents_own_definition_wins(analyser, definition, short, prior):
    """The short form means what its long form means in this document (a term, or nothing), never the prior."""
    found = grounded(analyser, f"We measured {definition} first. Later the {short} changed.")
    long_form = [c for t, c in found if t == definition.split(" (")[0]]
    later = [c for t, c in found if t == short]
    assert prior not in later
    assert later == long_form


def test_a_meaning_the_lexicon_knows_grounds_the_short_form(analyser):
    found = grounded(analyser, "We measured neural progenitor cells (NPCs) first. Later the NPCs changed.")
    assert ("NPCs", "CL:0011020") in found


def test_a_definition_holds_only_in_its_own_document(analyser):
    assert ("AF", "UBERON:0004715") not in grounded(analyser, "They had atrial fibrillation (AF). AF was treated.")
    assert grounded(analyser, "AF was injured.") == [("AF", "UBERON:0004715")]


def test_annulus_fibrosus_is_never_atrial_fibrillation(analyser):
    assert grounded(analyser, "The annulus fibrosus (AF) tears; the AF heals slowly.") == [
        ("annulus fibrosus", "UBERON:0004715"), ("AF", "UBERON:0004715")]


@pytest.mark.parametrize("word", ["fat", "stress", "marrow", "cord", "response", "hand", "segment"])
def test_common_words_that_collide_with_ontology_synonyms_are_not_matched(analyser, word):
    assert grounded(analyser, f"The {word} was noted.") == []


def test_field_synonyms_ground(analyser):
    assert grounded(analyser, "Disc cells, NPCs, AFCs, CESCs and TIE2+ progenitors were compared.") == [
        ("Disc cells", "IVDKG:disc_cell"), ("NPCs", "CL:0002564"), ("AFCs", "CL:0002602"),
        ("CESCs", "IVDKG:cartilage_endplate_stem_cell"), ("TIE2+ progenitors", "IVDKG:tie2_np_progenitor_cell")]
