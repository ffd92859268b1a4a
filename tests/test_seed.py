"""The review the project starts from: its abstract's main facts must be in the graph."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import SHARED

SEED = SHARED / "seed"
pytestmark = pytest.mark.skipif(not SEED.is_dir(), reason="../shared/seed is not present")


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    result = CliRunner().invoke(main, ["build", str(SEED), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return json.loads((out / "graph.json").read_text())


def test_seed_document_is_identified_by_its_doi(seed_graph):
    assert list(seed_graph["documents"]) == ["DOI:10.1155/sci/9974294"]
    assert seed_graph["documents"]["DOI:10.1155/sci/9974294"]["year"] == 2025


def test_seed_main_facts(seed_graph):
    nodes = {n["id"]: n for n in seed_graph["nodes"]}
    assert nodes["CL:0000134"]["category"] == "CellType"           # MSC
    assert nodes["EFO:0004905"]["category"] == "CellType"          # iPSC (CL has no term; EFO does)
    edges = {(e["subject"], e["predicate"], e["object"]) for e in seed_graph["edges"] if e["polarity"] == "affirmed"}
    assert ("MONDO:0011385", "contributes_to", "HP:0003419") in edges  # IVDD contributes to low back pain
    assert nodes["MONDO:0011385"]["category"] == "Disease"
    assert ("CL:0000134", "positively_regulates", "IVDKG:disc_hydration") in edges
    assert ("EFO:0004905", "treats", "HP:0012531") in edges                 # iPSCs reduce pain
    assert ("CL:0000034", "capable_of", "GO:0030198") in edges             # stem cells synthesize ECM
    assert {"CL:0000034"} == {s for s, p, o in edges if p == "capable_of"}


def test_seed_barriers(seed_graph):
    nodes = {n["id"]: n for n in seed_graph["nodes"]}
    assert nodes["MESH:D000860"]["category"] == "Barrier"                   # hypoxia
    assert nodes["IVDKG:nutrient_deprivation"]["category"] == "Barrier"
    edges = {(e["subject"], e["predicate"], e["object"]) for e in seed_graph["edges"]}
    assert ("IVDKG:mechanical_overload", "hinders", "IVDKG:cell_homing") in edges


def test_every_seed_edge_carries_its_sentence(seed_graph):
    for edge in seed_graph["edges"]:
        for ev in edge["evidence"]:
            assert ev["sentence"] and ev["document"] == "DOI:10.1155/sci/9974294"
            assert ev["subject_span"]["text"] and ev["object_span"]["text"]
