"""The real ClinicalTrials.gov records of ../shared/corpus: messy input must build without a skip or a crash."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import SHARED

CORPUS = SHARED / "corpus" / "clinicaltrials"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def test_clinical_trial_records_build(tmp_path):
    result = CliRunner().invoke(main, ["build", str(CORPUS), "-o", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["documents"]) == len(list(CORPUS.glob("*.txt"))) and report["skipped"] == []
    graph = json.loads((tmp_path / "graph.json").read_text())
    titles = [d["title"] for d in graph["documents"].values()]
    assert not any(t.startswith("(") and "Quint)" in t for t in titles)  # the corpus tags are stripped
    for edge in graph["edges"]:
        for ev in edge["evidence"]:
            assert "@highlight" not in ev["sentence"]
