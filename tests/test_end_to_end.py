"""Build the bundled corpus through the CLI and check every output against the questions of SCHEMA.md."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import load_graph, resolve_query, run_query, shipped_queries
from kg.schema import default_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    result = CliRunner().invoke(main, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def rdf(built, request):
    return load_graph(built[0] / "graph.ttl", request.param)


def rows(rdf, name):
    return run_query(rdf, resolve_query(name))


def test_build_prints_where_each_output_is(built):
    out, output = built
    for name in ("graph.ttl", "graph.html", "graph.json", "neo4j/import.sh", "neo4j/import.cypher"):
        assert str(out / name) in output
        assert (out / name).is_file()
    report = json.loads((out / "report.json").read_text())
    assert len(report["documents"]) == 6 and report["skipped"] == []


def test_default_build_shows_every_category_and_predicate(built):
    data = json.loads((built[0] / "graph.json").read_text())
    schema = default_schema()
    assert {n["category"] for n in data["nodes"]} == set(schema.categories)
    assert {e["predicate"] for e in data["edges"] if e["polarity"] == "affirmed"} == set(schema.predicates)
    assert all(e["evidence"] and all(ev["sentence"] for ev in e["evidence"]) for e in data["edges"])


def test_q1_cells_capable_of_mechanisms(rdf):
    columns, result = rows(rdf, "q1_cell_mechanisms")
    pairs = {(r[1], r[3]) for r in result}
    assert ("disc progenitor cell", "extracellular matrix organization") in pairs
    assert ("disc progenitor cell", "negative regulation of inflammatory response") in pairs


def test_q2_barriers_hinder(rdf):
    _, result = rows(rdf, "q2_barriers_hinder")
    assert ("Hypoxia", "Mesenchymal Stem Cell Transplantation", "Strategy") in {(r[1], r[3], r[4]) for r in result}
    assert ("mechanical overload", "cell homing", "Mechanism") in {(r[1], r[3], r[4]) for r in result}


def test_q3_strategies_against_barriers_and_unopposed_barriers(rdf):
    _, result = rows(rdf, "q3_strategies_barriers")
    pairs = {(r[1], r[3]) for r in result}
    assert ("Hypoxia", "hypoxic preconditioning") in pairs and ("cell leakage", "annulus fibrosus closure device") in pairs
    assert ("tumorigenicity", "") in pairs  # a barrier with no strategy against it


def test_q4_treatments_with_context(rdf):
    _, result = rows(rdf, "q4_treatments_context")
    lbp = [r for r in result if r[3] == "Low back pain"]
    assert {r[1] for r in lbp} == {"Mesenchymal Stem Cell Transplantation"} and {r[4] for r in lbp} == {"clinical"}
    assert all(r[5].endswith("NCBITaxon_9606") for r in lbp) and {"70%", "12 months"} <= {r[6] for r in lbp}


def test_q5_every_sentence_for_one_edge(rdf):
    _, result = rows(rdf, "q5_edge_evidence")
    assert len(result) == 2 and {r[0] for r in result} == {"https://doi.org/10.5555/ivdkg.corpus.001",
                                                            "https://doi.org/10.5555/ivdkg.corpus.003"}


def test_q6_stem_cell_subtypes_through_the_hierarchy(rdf):
    _, result = rows(rdf, "q6_stem_cell_subtypes")
    assert {r[1] for r in result} == {"stem cell", "mesenchymal stem cell", "induced pluripotent stem cell",
                                      "mesenchymal stem cell of the bone marrow"}


def test_negated_findings_are_not_direct_triples(rdf):
    ask = """PREFIX obo: <http://purl.obolibrary.org/obo/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
             PREFIX ivdkg: <https://w3id.org/ivd-kg/vocab/>
             ASK { ?a ivdkg:polarity "negated" ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                   FILTER NOT EXISTS { ?b ivdkg:polarity "affirmed" ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
                   ?s ?p ?o }"""
    assert run_query(rdf, ask) == (["ask"], [["false"]])
    assert run_query(rdf, "PREFIX ivdkg: <https://w3id.org/ivd-kg/vocab/> ASK { ?a ivdkg:polarity \"negated\" }")[1] == [["true"]]


def test_html_holds_every_node(built):
    page = (built[0] / "graph.html").read_text()
    data = json.loads((built[0] / "graph.json").read_text())
    for node in data["nodes"]:
        assert json.dumps(node["id"]) in page


def test_query_and_stats_commands(built):
    out = built[0]
    runner = CliRunner()
    listed = runner.invoke(main, ["query", "--list"])
    assert listed.exit_code == 0 and all(name in listed.output for name in shipped_queries())
    as_csv = runner.invoke(main, ["query", "q6_stem_cell_subtypes", "--graph", str(out / "graph.ttl"), "--format", "csv"])
    assert list(csv.reader(io.StringIO(as_csv.output)))[0] == ["cell", "label"]
    as_json = runner.invoke(main, ["query", str(ROOT / "queries" / "q1_cell_mechanisms.rq"), "--graph", str(out / "graph.ttl"),
                                   "--format", "json"])
    assert json.loads(as_json.output)[0]["cellLabel"] == "disc progenitor cell"
    text = runner.invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--graph", str(out / "graph.ttl")])
    assert text.exit_code == 0 and "(1 row)" in text.output
    stats = runner.invoke(main, ["stats", "--graph", str(out / "graph.json"), "--format", "json"])
    counts = json.loads(stats.output)
    assert counts["totals"]["documents"] == 6 and counts["nodes_by_category"]["CellType"] >= 5


@pytest.mark.parametrize("args,message", [
    (["query", "nonsense words", "--graph", "/nowhere.ttl"], "is not a shipped query"),
    (["query", "q1_cell_mechanisms", "--graph", "/nowhere.ttl"], "/nowhere.ttl: no built graph here"),
    (["query", "SELECT ?x WHERE { ?x", "--graph", "__built__"], "SPARQL error"),
    (["stats", "--graph", "/nowhere.json"], "/nowhere.json: no built graph here"),
])
def test_user_errors_are_one_line_without_traceback(built, args, message):
    args = [str(built[0] / "graph.ttl") if a == "__built__" else a for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_skipped_inputs_are_listed_and_set_the_exit_status(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("A title\n\nHypoxia hinders cell homing.")
    bad = tmp_path / "bad.xml"
    bad.write_text("<PubmedArticleSet><broken>")
    result = CliRunner().invoke(main, ["build", str(good), str(bad), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 3
    assert f"skipped: {bad}: malformed XML" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [s["source"] for s in report["skipped"]] == [str(bad)] and len(report["documents"]) == 1


def test_help_everywhere():
    for command in ([], ["build"], ["query"], ["stats"]):
        result = CliRunner().invoke(main, command + ["--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_two_builds_give_byte_identical_outputs(tmp_path):
    """Separate processes with different hash seeds: nothing may depend on set or dict order."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "-o", str(out), "--quiet"], check=True, env=env, cwd=ROOT)
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*")
                   if p.is_file() and p.name != "report.json" and ".cache" not in p.parts)
    assert len(files) >= 10  # report.json records times and cache use, so it is the one file that differs
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


def test_build_output_conforms_to_the_shapes(built):
    from kg.validate import validate_graph
    from rdflib import Graph as RdfGraph

    assert validate_graph(RdfGraph().parse(built[0] / "graph.ttl")) == []
