"""Every concept named in SCHEMA.md's tables grounds from at least two surface forms to the right id.

Where the concept has an ontology term, the expected id is looked up by its label in the ontology
data of ../shared/ontologies (not typed here); the test skips cleanly where that data is absent.
Project concepts and terms from sources not shipped there (MeSH, HGNC) name their id directly.
"""
from __future__ import annotations

import csv
import gzip
from functools import lru_cache

import pytest

from .conftest import SHARED, make_document

ONTOLOGIES = SHARED / "ontologies"

# (ontology file or None, label in that file or the id itself, [surface forms])
ROWS = [
    ("cl", "mesenchymal stem cell", ["mesenchymal stem cells", "MSCs", "mesenchymal stromal cell"]),
    ("efo", "induced pluripotent stem cell", ["induced pluripotent stem cells", "iPSCs", "iPS cells"]),
    ("cl", "nucleus pulposus cell of intervertebral disc", ["nucleus pulposus cells", "NP cells", "NPCs"]),
    ("cl", "annulus pulposus cell", ["annulus fibrosus cells", "AF cells", "AFCs"]),
    ("cl", "notochordal cell", ["notochordal cells", "Notochordal cell"]),
    (None, "IVDKG:disc_progenitor_cell", ["disc progenitor cells", "NP progenitor cells", "annulus fibrosus stem cells"]),
    ("cl", "macrophage", ["macrophages", "Macrophage"]),
    ("uberon", "intervertebral disk", ["intervertebral disc", "IVD", "intervertebral discs"]),
    ("uberon", "nucleus pulposus", ["nucleus pulposus", "NP"]),
    ("uberon", "annulus fibrosus disci intervertebralis", ["annulus fibrosus", "AF", "anulus fibrosus"]),
    ("uberon", "vertebral endplate", ["cartilage endplate", "CEP", "vertebral endplates"]),
    ("uberon", "bone marrow", ["bone marrow", "Bone marrow"]),
    (None, "IVDKG:stem_cell_niche", ["stem cell niche", "disc niches"]),
    ("mondo", "intervertebral disk degenerative disorder", ["IVD degeneration", "intervertebral disc degeneration", "IVDD",
                                                            "degenerative disc disease"]),
    ("hp", "Herniation of intervertebral nuclei", ["disc herniation", "herniated disc"]),
    ("hp", "Low back pain", ["low back pain", "LBP", "chronic low back pain"]),
    ("hp", "Pain", ["pain", "Pain"]),
    ("hp", "Intervertebral space narrowing", ["disc height loss", "loss of disc height"]),
    (None, "IVDKG:fibrosis", ["fibrosis", "fibrotic tissue"]),
    ("go", "extracellular matrix organization", ["ECM synthesis", "extracellular matrix synthesis"]),
    ("go", "negative regulation of inflammatory response", ["anti-inflammatory signaling", "anti-inflammatory signalling"]),
    (None, "IVDKG:exosomal_mirna_transfer", ["exosomal miRNA transfer", "exosomal miRNA-mediated repair"]),
    (None, "IVDKG:cell_homing", ["homing", "cell homing"]),
    ("go", "cell differentiation", ["differentiation", "cell differentiation"]),
    ("go", "apoptotic process", ["apoptosis", "apoptotic cell death"]),
    (None, "MESH:D000860", ["hypoxia", "hypoxic microenvironment"]),
    (None, "IVDKG:nutrient_deprivation", ["nutrient deprivation", "limited nutrient supply"]),
    (None, "IVDKG:acidic_ph", ["acidic pH", "low pH"]),
    (None, "IVDKG:mechanical_overload", ["mechanical overload", "mechanical stress"]),
    ("go", "inflammatory response", ["inflammation", "inflammatory response"]),
    (None, "IVDKG:age_related_progenitor_depletion", ["age-related depletion of progenitor cells",
                                                     "age-related progenitor depletion"]),
    (None, "IVDKG:impaired_homing", ["impaired homing", "poor homing"]),
    (None, "IVDKG:cell_leakage", ["cell leakage", "leakage of injected cells"]),
    (None, "IVDKG:immune_rejection", ["immune rejection", "immunogenicity"]),
    (None, "IVDKG:tumorigenicity", ["tumorigenicity", "teratoma formation"]),
    (None, "MESH:D045164", ["MSC transplantation", "mesenchymal stem cell transplantation"]),
    (None, "IVDKG:biomimetic_scaffold", ["biomimetic scaffolds", "scaffold"]),
    (None, "IVDKG:hydrogel", ["hydrogel", "injectable hydrogels"]),
    (None, "IVDKG:growth_factor_delivery", ["growth-factor delivery", "growth factor delivery"]),
    (None, "IVDKG:chemokine_recruitment", ["chemokine recruitment", "chemokine-mediated recruitment"]),
    (None, "IVDKG:gene_therapy", ["gene therapy", "gene transfer"]),
    (None, "IVDKG:epigenetic_modulation", ["epigenetic modulation", "epigenetic regulation"]),
    (None, "IVDKG:exosome_therapy", ["exosome therapy", "exosome-based therapy"]),
    (None, "IVDKG:hypoxic_preconditioning", ["hypoxic preconditioning", "hypoxia preconditioning"]),
    (None, "IVDKG:af_closure_device", ["AF closure device", "annular closure device"]),
    (None, "IVDKG:combination_therapy", ["combination therapies", "combined therapy"]),
    (None, "HGNC:319", ["aggrecan", "ACAN"]),
    (None, "HGNC:2200", ["collagen II", "type II collagen"]),
    (None, "HGNC:11766", ["TGF-β1", "TGF-beta1"]),
    (None, "HGNC:4220", ["GDF5", "GDF-5"]),
    (None, "HGNC:10672", ["SDF-1", "CXCL12", "stromal cell-derived factor 1"]),
    (None, "HGNC:5992", ["IL-1β", "IL-1beta", "interleukin-1β"]),
    (None, "HGNC:11892", ["TNF", "TNF-α"]),
    (None, "HGNC:7173", ["MMP3", "MMP-3"]),
    (None, "HGNC:221", ["ADAMTS5", "ADAMTS-5"]),
    ("chebi", "hyaluronic acid", ["hyaluronic acid", "hyaluronan", "HA"]),
    (None, "HGNC:31586", ["miR-21", "microRNA-21"]),
    (None, "IVDKG:disc_hydration", ["disc hydration", "T2 signal"]),
    (None, "IVDKG:disc_height_index", ["disc height index", "DHI"]),
    (None, "IVDKG:pain_score", ["pain score", "VAS"]),
    (None, "IVDKG:oswestry_disability_index", ["ODI", "Oswestry Disability Index"]),
    (None, "IVDKG:ecm_content", ["ECM content", "proteoglycan content"]),
    (None, "IVDKG:cell_viability", ["cell viability", "cell survival"]),
    ("ncbitaxon", "Homo sapiens", ["human", "humans"]),
    ("ncbitaxon", "Rattus norvegicus", ["rat", "rats"]),
    ("ncbitaxon", "Oryctolagus cuniculus", ["rabbit", "rabbits"]),
    ("ncbitaxon", "Mus musculus", ["mouse", "mice"]),
    ("ncbitaxon", "Sus scrofa", ["pig", "porcine"]),
    ("ncbitaxon", "Capra hircus", ["goat", "goats"]),
    ("ncbitaxon", "Ovis aries", ["sheep", "ovine"]),
    ("ncbitaxon", "Canis lupus familiaris", ["dog", "canine"]),
    ("ncbitaxon", "Bos taurus", ["cattle", "bovine"]),
]


@lru_cache(maxsize=None)
def ids_by_label(name: str) -> dict[str, str]:
    if name == "hp":
        out, current = {}, None
        with gzip.open(ONTOLOGIES / "hp.obo.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("id: "):
                    current = line[4:].strip()
                elif line.startswith("name: ") and current:
                    out.setdefault(line[6:].strip(), current)
        return out
    with gzip.open(ONTOLOGIES / f"{name}.tsv.gz", "rt", encoding="utf-8") as handle:
        return {row["label"]: row["id"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                if row.get("deprecated") != "true"}


@pytest.mark.parametrize("source,name,forms", ROWS, ids=[r[1] for r in ROWS])
def test_concept_grounds_from_every_surface_form(analyser, source, name, forms):
    assert len(forms) >= 2
    if source is None:
        expected = name
    else:
        if not ONTOLOGIES.is_dir():
            pytest.skip("../shared/ontologies is not present")
        expected = ids_by_label(source)[name]
    for form in forms:
        mentions = analyser.analyse(make_document(f"Here {form} was seen.")).mentions
        assert [(m.text, m.curie) for m in mentions] == [(form, expected)], form
