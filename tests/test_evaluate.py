"""The gold format, the scorer and the development gold set's minimum scores."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.evaluate import GoldError, Score, evaluate, load_gold

from .conftest import SHARED

GOLD = Path(__file__).parent / "gold"
OWN = ["lists_and_cues.json", "forms_and_voice.json", "context_and_reference.json"]


def gold_files():
    files = [GOLD / name for name in OWN]
    if (SHARED / "seed").is_dir():
        files.append(GOLD / "seed_review.json")
    return files


def test_score_arithmetic():
    s = Score(tp=3, fp=1, fn=2)
    assert (s.precision, s.recall) == (0.75, 0.6) and s.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Score(fp=1).precision == 0.0 and Score(fp=1).recall is None and Score(fp=1).f1 == 0.0
    # nothing predicted: precision is undefined (n/a), never 1.0
    assert Score(fn=2).precision is None and Score(fn=2).recall == 0.0 and Score(fn=2).f1 == 0.0
    assert Score().f1 is None


def test_development_gold_set_minimum_scores(lexicon):
    report = evaluate(load_gold(gold_files()), lexicon, mention_set="relations")  # the gold marks no nested mention
    assert report.overall["concepts"].f1 >= 0.9
    assert report.overall["mentions"].f1 >= 0.9
    assert report.overall["assertions"].f1 >= 0.75
    assert report.overall["assertions"].tp >= 30  # the set is not trivially small


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="../shared/seed is not present")
def test_seed_gold_covers_the_abstract_and_findings(lexicon):
    (seed,) = load_gold([GOLD / "seed_review.json"])
    assert len(seed["mentions"]) >= 40 and len(seed["assertions"]) >= 20
    assert all("text" not in a["sentence"] for a in seed["assertions"])  # the review's sentences are not copied
    report = evaluate([seed], lexicon)
    assert report.overall["assertions"].f1 >= 0.75 and report.overall["concepts"].f1 >= 0.9


def test_scorer_counts_false_positives_and_misses(lexicon, tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text("T\n\nHypoxia hinders cell homing.")
    (gold,) = load_gold([GOLD / "lists_and_cues.json"])  # borrow the shape
    text = doc.read_text()
    start = text.index("Hypoxia")
    bad = {"documents": [{"id": "", "source": "d.txt",
                          "mentions": [{"start": start, "end": start + 7, "text": "Hypoxia", "id": "MESH:D000860", "category": "Barrier"},
                                       {"start": 0, "end": 1, "text": "T", "id": "CL:0000000", "category": "CellType"}],
                          "assertions": [{"subject": "MESH:D000860", "predicate": "contributes_to", "object": "IVDKG:cell_homing",
                                          "sentence": {"start": start, "end": len(text)}}]}]}
    from kg.readers import read_bytes
    bad["documents"][0]["id"] = read_bytes(doc.read_bytes(), str(doc))[0].id
    (tmp_path / "g.json").write_text(json.dumps(bad))
    report = evaluate(load_gold([tmp_path / "g.json"]), lexicon)
    m, a = report.overall["mentions"], report.overall["assertions"]
    assert (m.tp, m.fp, m.fn) == (1, 1, 1)  # cell homing is extra; the bogus "T" is missed
    assert (a.tp, a.fp, a.fn) == (0, 1, 1)
    assert report.errors["assertions"]["false_positives"][0][1:4] == ["MESH:D000860", "hinders", "IVDKG:cell_homing"]
    assert report.by_group["assertions"]["hinders"].fp == 1 and report.by_group["assertions"]["contributes_to"].fn == 1


def test_evaluate_command_table_json_and_errors():
    runner = CliRunner()
    table = runner.invoke(main, ["evaluate", *map(str, gold_files()), "--errors"])
    assert table.exit_code == 0 and table.output.startswith("mentions")
    assert "assertions" in table.output and "capable_of" in table.output
    as_json = runner.invoke(main, ["evaluate", str(GOLD / "forms_and_voice.json"), "--format", "json", "--errors"])
    data = json.loads(as_json.output)
    assert set(data) == {"mentions", "concepts", "assertions"}
    assert "misses" in data["assertions"]["errors"] and data["assertions"]["overall"]["f1"] >= 0.75


def test_bad_gold_is_one_line_error(tmp_path):
    (tmp_path / "g.json").write_text("{not json")
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "g.json")])
    assert result.exit_code == 1 and "not a gold file" in result.output and len(result.output.strip().splitlines()) == 1
    with pytest.raises(GoldError):
        load_gold([tmp_path / "g.json"])
