from __future__ import annotations

import pytest

from kg.nlp.abbreviations import short_form_matches
from kg.nlp.context import quantities, study_type_cues
from kg.nlp.sentences import split_text
from kg.nlp.tokens import normalise, phrase_key

from .conftest import make_document


def sentences(text):
    return [text[a:b] for a, b in split_text(text)]


@pytest.mark.parametrize("text,expected", [
    ("Growth factors (e.g. TGF-β1) help. Cells grow.", ["Growth factors (e.g. TGF-β1) help.", "Cells grow."]),
    ("As Smith et al. reported, cells grow. Then they die.", ["As Smith et al. reported, cells grow.", "Then they die."]),
    ("See Fig. 2 for details. Next sentence.", ["See Fig. 2 for details.", "Next sentence."]),
    ("MSCs vs. iPSCs differ. Yes.", ["MSCs vs. iPSCs differ.", "Yes."]),
    ("The index rose by 3.5 points. It held.", ["The index rose by 3.5 points.", "It held."]),
    ("Cells repair discs [12]. Scaffolds help [3, 4].", ["Cells repair discs [12].", "Scaffolds help [3, 4]."]),
    ("Endogenous stem/progenitor cells act. Done.", ["Endogenous stem/progenitor cells act.", "Done."]),
    ("Pain fell (p < 0.05). Height rose.", ["Pain fell (p < 0.05).", "Height rose."]),
    ("First paragraph without stop\n\nSecond one.", ["First paragraph without stop", "Second one."]),
])
def test_sentence_splitting_survives_biomedical_text(text, expected):
    assert sentences(text) == expected


def test_sentence_offsets_index_the_text():
    text = "  One here.  Two there. "
    for a, b in split_text(text, offset=0):
        assert text[a:b].strip() == text[a:b]


@pytest.mark.parametrize("word,key", [("Cells", "cell"), ("MSCs", "MSC"), ("iPSCs", "iPSC"), ("therapies", "therapy"),
                                      ("fibrosus", "fibrosus"), ("stress", "stress"), ("apoptosis", "apoptosis"),
                                      ("β1", "beta1"), ("pH", "pH"), ("NP", "NP")])
def test_token_normalisation(word, key):
    assert normalise(word) == key


def test_phrase_keys_ignore_hyphens_and_case_of_plain_words():
    assert phrase_key("Anti-inflammatory signalling") == phrase_key("anti inflammatory signallings")
    assert phrase_key("TGF-β1") == phrase_key("TGF-beta1") == phrase_key("TGF-beta 1") == phrase_key("TGF beta1")


@pytest.mark.parametrize("british,american", [
    ("haematopoietic", "hematopoietic"), ("signalling", "signaling"), ("tumours", "tumor"), ("oedema", "edema"),
    ("foetal", "fetal"), ("characterisation", "characterization"), ("centre", "center"), ("vertebrae", "vertebra"),
    ("epithelia", "epithelium"), ("nuclei", "nucleus"), ("mice", "mouse"), ("anaemia", "anemia")])
def test_spelling_and_latin_plurals_share_one_key(british, american):
    assert phrase_key(british) == phrase_key(american)


def test_acronyms_keep_their_case_and_plain_words_do_not():
    assert phrase_key("MSCs") == ("MSC",) and phrase_key("miR-21") != phrase_key("MIR-21")
    assert phrase_key("Cells") == phrase_key("cell")


@pytest.mark.parametrize("short,long,ok", [("MSC", "mesenchymal stem cell", True), ("iPSCs", "induced pluripotent stem cells", True),
                                           ("IVDD", "intervertebral disc degeneration", True), ("LBP", "chronic low back pain", True),
                                           ("XYZ", "mesenchymal stem cell", False)])
def test_short_form_matching(short, long, ok):
    assert short_form_matches(short, long) is ok


def test_quantities_with_unit_and_direction():
    (q,) = quantities("Trials report a 70% pain reduction.")
    assert (q.value, q.unit, q.direction) == (70.0, "%", "decrease")
    (q,) = quantities("The disc height index increased by 15 percent.")
    assert (q.value, q.unit, q.direction) == (15.0, "%", "increase")
    assert [x.text for x in quantities("at 12 months and 4 weeks")] == ["12 months", "4 weeks"]
    assert quantities("Version 2.0 of the code") == ()


def test_study_type_cues():
    assert [k for _, k in study_type_cues("In a randomized clinical trial of patients")] == ["clinical", "clinical", "clinical"]
    assert {k for _, k in study_type_cues("In vivo rats and in vitro culture")} == {"preclinical_in_vivo", "in_vitro"}


def mentions(analyser, text):
    doc = analyser.analyse(make_document(text))
    return [(m.text, m.curie, m.category) for m in doc.mentions]


def test_longest_match_case_plural_and_word_boundaries(analyser):
    found = mentions(analyser, "Nucleus pulposus cells and NP cells and the nucleus pulposus.")
    assert found == [("Nucleus pulposus cells", "CL:0002564", "CellType"), ("NP cells", "CL:0002564", "CellType"),
                     ("nucleus pulposus", "UBERON:0002242", "AnatomicalStructure")]
    assert mentions(analyser, "The MSCsX and paining discotheque.") == []
    assert mentions(analyser, "msc in lower case is not the acronym.") == []


def test_abbreviation_defined_in_document_grounds_later_short_forms(analyser):
    doc = analyser.analyse(make_document(
        "Disc degeneration (DGN) matters. Later DGN and DGNs appear. Nucleus pulposus cells (NPCs) respond; NPCs die."))
    assert ("DGN", "MONDO:0011385") in doc.abbreviations
    assert ("NPCs", "CL:0002564") in doc.abbreviations
    later = [(m.text, m.curie, m.matched_by) for m in doc.mentions if m.matched_by == "abbreviation"]
    assert later == [("DGN", "MONDO:0011385", "abbreviation"), ("DGNs", "MONDO:0011385", "abbreviation"),
                     ("NPCs", "CL:0002564", "abbreviation")]


def test_abbreviations_stay_within_their_document(analyser):
    analyser.analyse(make_document("Disc degeneration (DGN) matters."))
    assert analyser.analyse(make_document("DGN appears alone.")).mentions == ()


def test_definition_parenthesis_does_not_break_a_longer_term(analyser):
    found = mentions(analyser, "We used mesenchymal stem cell (MSC) transplantation.")
    assert found == [("mesenchymal stem cell (MSC) transplantation", "MESH:D045164", "Strategy")]
