"""The shipped CRAFT parser: loads offline from the package, parses biomedical prose, carries its scores and credit."""
from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest

pytest.importorskip("spacy")

from kg.nlp.parser import MODEL_DIR, PARSER_VERSION, load_parser  # noqa: E402

# the dev-set UAS the shipped model reached (scripts/train_parser.py; gold tokens, punctuation excluded);
# the target was 0.86
UAS_REACHED = 0.89


@pytest.fixture(scope="module")
def nlp():
    return load_parser()


def test_loads_offline_from_the_package(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the parser tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    load_parser.cache_clear()
    nlp = load_parser()
    assert nlp.pipe_names == ["tok2vec", "tagger", "attribute_ruler", "parser"]
    assert load_parser() is nlp  # cached
    assert nlp("Cells grow.")[0].dep_


def _by_text(doc):
    return {t.text: t for t in doc}


def test_active_sentence_has_subject_and_object(nlp):
    doc = nlp("Transplanted mesenchymal stem cells restored the proteoglycan content of degenerated discs.")
    t = _by_text(doc)
    verb = t["restored"]
    assert verb.dep_ == "ROOT" and verb.tag_ == "VBD" and verb.pos_ == "VERB"
    assert t["cells"].dep_ == "nsubj" and t["cells"].head.i == verb.i
    assert t["content"].dep_ == "dobj" and t["content"].head.i == verb.i
    assert t["discs"].dep_ == "pobj" and t["discs"].head.i == t["of"].i


def test_passive_sentence_has_nsubjpass_and_agent(nlp):
    doc = nlp("The apoptosis of disc cells is induced by inflammatory cytokines.")
    t = _by_text(doc)
    verb = t["induced"]
    assert verb.dep_ == "ROOT" and verb.tag_ == "VBN"
    assert t["apoptosis"].dep_ == "nsubjpass" and t["apoptosis"].head.i == verb.i
    assert t["is"].dep_ == "auxpass"
    assert t["by"].dep_ == "agent" and t["by"].head.i == verb.i
    assert t["cytokines"].dep_ == "pobj" and t["cytokines"].head.i == t["by"].i


def test_scores_record_the_target_and_the_craft_credit():
    scores = json.loads((MODEL_DIR / "SCORES.json").read_text())
    assert scores["uas"] >= UAS_REACHED
    assert 0 < scores["las"] <= scores["uas"] <= 1 and scores["tag_acc"] > 0.9
    assert scores["spacy_version"] and len(scores["config_sha256"]) == 64 and scores["training_seconds"] > 0
    assert "Bada" in scores["credit"] and "13:161" in scores["credit"] and scores["license"] == "CC BY 3.0"
    readme = (MODEL_DIR / "README.md").read_text()
    assert "CC BY 3.0" in readme and "Bada" in readme and "scripts/train_parser.py" in readme
    assert PARSER_VERSION == scores["parser_version"] != "missing"
    meta = json.loads((MODEL_DIR / "meta.json").read_text())
    assert meta["ivdkg_parser_version"] == PARSER_VERSION


def test_scores_belong_to_the_committed_config():
    config = Path(__file__).resolve().parents[1] / "scripts" / "parser_config.cfg"
    if not config.is_file():
        pytest.skip("not a checkout")
    scores = json.loads((MODEL_DIR / "SCORES.json").read_text())
    assert scores["config_sha256"] == hashlib.sha256(config.read_bytes()).hexdigest()


def test_no_shipped_file_is_large():
    sizes = {p.relative_to(MODEL_DIR).as_posix(): p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file()}
    assert sizes and max(sizes.values()) < 5 * 2**20, sizes
