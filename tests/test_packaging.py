"""The data under ontologies/, corpus/ and queries/ must be found from a checkout and from an installed wheel."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from kg.resources import data_dir

ROOT = Path(__file__).resolve().parents[1]


def test_checkout_finds_the_top_level_folders():
    assert data_dir("ontologies") == ROOT / "ontologies"
    assert data_dir("corpus") == ROOT / "corpus"


def test_wheel_carries_the_data_and_finds_it(tmp_path):
    # built from a copy of the tracked tree, so that no stale build/ folder of the checkout can stand in
    import shutil
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns("build", ".venv", "outputs", ".git", "*.egg-info",
                                                                 "__pycache__", ".cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(source)], check=True)
    (wheel,) = tmp_path.glob("ivd_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("kg/_data/ontologies/lexicon.tsv.gz", "kg/_data/ontologies/schema.toml",
                     "kg/_data/ontologies/grounding.toml", "kg/_data/ontologies/spelling.tsv",
                     "kg/_data/ontologies/not_concepts.txt", "kg/_data/ontologies/profiles/craft.tsv",
                     "kg/_data/ontologies/syntax_patterns.toml", "kg/models/craft_parser/meta.json",
                     "kg/models/craft_parser/SCORES.json",
                     "kg/_data/ontologies/patterns.toml", "kg/_data/ontologies/shapes.ttl",
                     "kg/_data/ontologies/abbreviations.tsv", "kg/_data/ontologies/excluded_synonyms.txt",
                     "kg/_data/ontologies/ivdkg.owl", "kg/_data/ontologies/assertion.schema.json",
                     "kg/_data/queries/q1_cell_mechanisms.rq", "kg/_data/queries/q1_cell_mechanisms.cypher",
                     "kg/_data/corpus/01_endogenous_repair_review.md", "kg/cli.py", "kg/graphdb/model.py"):
        assert required in names, required
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import kg.resources as r, kg.ontology.lexicon as l, kg.pipeline as p, kg.cli, kg.graphdb.push, kg.serve;"
             "print(r.data_dir('ontologies')); print(len(l.default_lexicon().terms)); print(p.default_inputs()[0])")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env,
                         cwd=tmp_path).stdout.split("\n")
    assert out[0] == str(site / "kg" / "_data" / "ontologies")
    assert int(out[1]) > 100_000  # the whole vocabulary
    assert out[2] == str(site / "kg" / "_data" / "corpus")


def test_every_subpackage_is_in_the_wheel_list():
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "kg").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
