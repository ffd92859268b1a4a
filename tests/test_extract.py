from __future__ import annotations

import pytest

from kg.extract import EXTRACTORS
from kg.schema import default_schema

MSC, IPSC, NP_CELL = "CL:0000134", "EFO:0004905", "CL:0002564"
HYDRATION, PAIN, LBP = "IVDKG:disc_hydration", "HP:0012531", "HP:0003419"
IVDD, HYPOXIA, HOMING = "MONDO:0011385", "MESH:D000860", "IVDKG:cell_homing"


def test_the_rule_extractor_is_registered():
    assert "rules" in EXTRACTORS and EXTRACTORS["rules"]().name == "rules"


def test_coordination_gives_every_pair(triples):
    found = triples("MSCs and iPSCs restore disc hydration and reduce pain.")
    assert found == {(MSC, "positively_regulates", HYDRATION), (IPSC, "positively_regulates", HYDRATION),
                     (MSC, "treats", PAIN), (IPSC, "treats", PAIN)}


def test_lists_of_objects(triples):
    found = triples("Combination therapy overcomes hypoxia, nutrient deprivation, and acidic pH.")
    assert found == {("IVDKG:combination_therapy", "overcomes", o)
                     for o in (HYPOXIA, "IVDKG:nutrient_deprivation", "IVDKG:acidic_ph")}


def test_passive_voice_swaps_subject_and_object(triples):
    assert triples("Low back pain was relieved by MSC transplantation.") == {("MESH:D045164", "treats", LBP)}
    assert triples("Homing is impaired by mechanical overload.") == {("IVDKG:mechanical_overload", "hinders", HOMING)}


def test_direction_of_contributes_to(triples):
    assert triples("Intervertebral disc degeneration (IVDD), a major contributor to chronic low back pain (LBP), is common.") == {
        (IVDD, "contributes_to", LBP)}


@pytest.mark.parametrize("text,trigger", [
    ("MSC transplantation did not restore disc hydration.", "restore"),
    ("MSC transplantation failed to restore disc hydration.", "restore"),
    ("MSC transplantation could not restore disc hydration.", "restore"),
])
def test_negation_is_recorded_not_dropped(extract, text, trigger):
    (a,) = extract(text)
    assert (a.subject, a.predicate, a.object) == ("MESH:D045164", "positively_regulates", HYDRATION)
    assert a.evidence.polarity == "negated" and a.evidence.trigger == trigger


def test_hedging_is_recorded(extract):
    (a,) = extract("Epigenetic modulation may enhance cell homing.")
    assert a.evidence.certainty == "hedged" and a.evidence.polarity == "affirmed"
    (b,) = extract("Epigenetic modulation enhances cell homing.")
    assert b.evidence.certainty == "stated"


@pytest.mark.parametrize("text,expected", [
    ("MSC-mediated ECM synthesis was seen.", (MSC, "capable_of", "GO:0030198")),
    ("An SDF-1-loaded hydrogel was injected.", ("IVDKG:hydrogel", "has_participant", "HGNC:10672")),
    ("Hypoxia-induced apoptosis was seen.", (HYPOXIA, "positively_regulates", "GO:0006915")),
    ("Synovium-derived MSCs were used.", (MSC, "located_in", "UBERON:0007616")),
    ("Disc progenitor cells reside in the annulus fibrosus.", ("IVDKG:disc_progenitor_cell", "located_in", "UBERON:0004715")),
    ("MSCs differentiate into NP-like cells.", (MSC, "develops_into", NP_CELL)),
    ("Tumorigenicity hinders stem cell therapy.", ("IVDKG:tumorigenicity", "hinders", "IVDKG:stem_cell_therapy")),
    ("Gene therapy uses iPSCs.", ("IVDKG:gene_therapy", "has_participant", IPSC)),
    ("Exosome therapy attenuates disc degeneration.", ("IVDKG:exosome_therapy", "treats", IVDD)),
    ("Notochordal cells carry out ECM synthesis.", ("CL:0007005", "capable_of", "GO:0030198")),
])
def test_each_predicate_from_its_pattern(triples, text, expected):
    assert expected in triples(text)


def test_adjectival_participle_in_a_list_is_not_a_verb(triples):
    found = triples("Challenges include hypoxia, nutrient deprivation, and impaired cell homing under mechanical stress.")
    assert found == {("IVDKG:mechanical_overload", "hinders", HOMING)}


def test_no_edge_for_mere_co_mention_or_type_mismatch(triples):
    assert triples("MSCs and hypoxia were discussed together.") == set()
    assert triples("The annulus fibrosus inhibits the nucleus pulposus.") == set()


def test_every_predicate_respects_the_schema(extract):
    schema = default_schema()
    text = ("MSCs and iPSCs restore disc hydration and reduce pain. Hypoxia hinders MSC transplantation. "
            "Hypoxic preconditioning counters hypoxia. Disc degeneration is a cause of low back pain.")
    for a in extract(text):
        assert a.predicate in schema.predicates


def test_evidence_keeps_sentence_offsets_spans_and_context(extract):
    text = "Background first. In rats, MSC injection increased disc height index by 15% at 12 weeks."
    (a,) = extract(text)
    e = a.evidence
    doc_text = "Background first. In rats, MSC injection increased disc height index by 15% at 12 weeks."
    assert doc_text[e.sentence_start:e.sentence_end] == e.sentence
    assert doc_text[e.subject_span.start:e.subject_span.end] == e.subject_span.text == "MSC injection"
    assert doc_text[e.object_span.start:e.object_span.end] == e.object_span.text == "disc height index"
    assert e.study_type == "preclinical_in_vivo" and e.organism == "NCBITaxon:10116"
    assert [(q.value, q.unit, q.direction) for q in e.quantities] == [(15.0, "%", "increase"), (12.0, "weeks", "none")]
    assert e.extractor.startswith("rules/") and 0 < e.confidence <= 1 and e.section == "abstract"


def test_study_type_falls_back_to_the_document(extract):
    (a,) = extract("Hypoxia hinders cell homing.", title="A narrative review of disc repair")
    assert a.evidence.study_type == "review"
    (b,) = extract("In vitro, hypoxia hinders cell homing.")
    assert b.evidence.study_type == "in_vitro"
