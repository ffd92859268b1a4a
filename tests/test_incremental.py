"""Incremental builds, parallel and Dask extraction: the same graph however the work is done."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.process import CacheStats, DocResult, Worker, process_documents
from kg.readers import read_inputs

ROOT = Path(__file__).resolve().parents[1]


def documents():
    return [d for r in read_inputs([str(ROOT / "corpus")]) for d in r.documents]


def graph_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name != "report.json" and ".cache" not in p.parts and not p.name.startswith(".")}


def test_doc_result_round_trips_through_json(lexicon):
    doc = next(d for d in documents() if d.id == "DOI:10.5555/ivdkg.corpus.003")
    result = Worker(lexicon, ["rules"]).run(doc)
    assert result.assertions and DocResult.from_json(result.to_json()) == result


def test_adding_one_document_extracts_only_that_document(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    runner = CliRunner()
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "--quiet"]).exit_code == 0
    first = json.loads((out / "report.json").read_text())
    assert first["cache"] == {"extracted": 6, "reused": 0}
    (corpus / "new.txt").write_text("A new study\n\nHypoxia hinders cell homing in rabbits.")
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "--quiet"]).exit_code == 0
    second = json.loads((out / "report.json").read_text())
    assert second["cache"] == {"extracted": 1, "reused": 6} and len(second["documents"]) == 7
    fresh = tmp_path / "fresh"
    assert runner.invoke(main, ["build", str(corpus), "-o", str(fresh), "--quiet", "--rebuild"]).exit_code == 0
    assert json.loads((fresh / "report.json").read_text())["cache"] == {"extracted": 7, "reused": 0}
    assert graph_files(out) == graph_files(fresh)  # the cache changes the time, never the graph


def test_rebuild_ignores_the_cache_and_a_lexicon_change_invalidates_it(tmp_path, lexicon):
    docs = documents()
    stats = CacheStats()
    process_documents(docs, lexicon, ["rules"], tmp_path, stats=stats)
    assert (stats.hits, stats.misses) == (0, len(docs))
    stats = CacheStats()
    process_documents(docs, lexicon, ["rules"], tmp_path, stats=stats)
    assert (stats.hits, stats.misses) == (len(docs), 0)
    changed = type(lexicon)(lexicon.terms, lexicon.version + "-changed", lexicon.sources)
    stats = CacheStats()
    process_documents(docs, changed, ["rules"], tmp_path, stats=stats)
    assert (stats.hits, stats.misses) == (0, len(docs))


def test_parallel_and_serial_extraction_give_the_same_results(lexicon):
    docs = documents() * 3  # enough to go through the process pool
    serial = process_documents(docs, lexicon, ["rules"], None, jobs=1)
    parallel = process_documents(docs, lexicon, ["rules"], None, jobs=2)
    assert [r.to_json() for r in serial] == [r.to_json() for r in parallel]


def test_builds_with_one_or_many_workers_write_the_same_files(tmp_path):
    runner = CliRunner()
    for jobs in ("1", "2"):
        assert runner.invoke(main, ["build", "-o", str(tmp_path / jobs), "--quiet", "-j", jobs]).exit_code == 0
    assert graph_files(tmp_path / "1") == graph_files(tmp_path / "2")


def test_dask_executor_on_a_local_cluster_gives_the_same_graph(tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-o", str(tmp_path / "local"), "--quiet", "-j", "1"]).exit_code == 0
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        result = runner.invoke(main, ["build", "-o", str(tmp_path / "dask"), "--quiet", "--executor", "dask",
                                      "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert graph_files(tmp_path / "local") == graph_files(tmp_path / "dask")


def test_unchanged_files_are_not_read_again(tmp_path, monkeypatch):
    import kg.readers as readers
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "--quiet", "-j", "1"]).exit_code == 0
    before = graph_files(out)
    calls: list[str] = []
    original = readers.read_bytes
    monkeypatch.setattr(readers, "read_bytes", lambda data, source: calls.append(source) or original(data, source))
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "--quiet", "-j", "1"]).exit_code == 0
    assert calls == [] and graph_files(out) == before
    changed = corpus / "02_rabbit_preconditioning.txt"
    changed.write_text(changed.read_text() + " Rabbits were followed for 12 weeks.")
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "--quiet", "-j", "1"]).exit_code == 0
    assert calls == [str(changed)]
    report = json.loads((out / "report.json").read_text())
    assert report["cache"] == {"extracted": 1, "reused": 5} and len(report["documents"]) == 6
