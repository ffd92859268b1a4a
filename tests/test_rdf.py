"""The RDF outputs: every format, several parsers, SHACL validation, queries on two engines, escaping."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kg import __version__
from kg.cli import main
from kg.export import EXPORTERS, ExportContext
from kg.graph import build_graph
from kg.model import Assertion, Document, Evidence, Span
from kg.query import load_graph, resolve_query, run_query, shipped_queries
from kg.schema import default_schema
from kg.validate import validate_graph

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ["turtle", "ntriples", "jsonld", "trig", "nquads"]
FILES = {"turtle": "graph.ttl", "ntriples": "graph.nt", "jsonld": "graph.jsonld", "trig": "graph.trig", "nquads": "graph.nq"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("rdf")
    args = ["build", "-o", str(out), "--quiet"] + [a for f in FORMATS for a in ("-f", f)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def ox_triples(path: Path) -> set:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path))}


def test_every_format_gives_the_same_triples_by_pyoxigraph(built):
    reference = ox_triples(built / "graph.ttl")
    assert len(reference) > 1000
    for fmt in FORMATS:
        assert ox_triples(built / FILES[fmt]) == reference, fmt


def test_rdflib_and_pyoxigraph_read_the_same_graph(built):
    via_rdflib = rdflib.Graph().parse(built / "graph.ttl", format="turtle")
    via_ox = rdflib.Graph().parse(data=(built / "graph.nt").read_text(), format="nt")
    assert isomorphic(via_rdflib, via_ox)
    assert isomorphic(via_rdflib, rdflib.Graph().parse(built / "graph.jsonld", format="json-ld"))
    assert len(via_rdflib) == len(ox_triples(built / "graph.ttl"))


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils (rapper) is not installed here; CI installs it")
def test_rapper_reads_the_same_triples(built):
    for fmt, syntax in (("turtle", "turtle"), ("ntriples", "ntriples"), ("trig", "trig")):
        out = subprocess.run(["rapper", "-q", "-i", syntax, "-o", "ntriples", str(built / FILES[fmt])],
                             capture_output=True, text=True, check=True).stdout
        parsed = rdflib.Graph().parse(data=out, format="nt")
        assert len(parsed) == len(ox_triples(built / "graph.ttl")), fmt


def test_named_graphs_hold_each_documents_evidence(built):
    quads = list(ox.parse(path=str(built / "graph.nq")))
    named = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert "https://doi.org/10.5555/ivdkg.corpus.003" in named and len(named) == 6
    evidence_sentences = [q for q in quads if q.predicate.value.endswith("/vocab/sentence")]
    assert evidence_sentences and all(isinstance(q.graph_name, ox.NamedNode) for q in evidence_sentences)


def test_context_file_is_the_documents_context(built):
    import json
    doc = json.loads((built / "graph.jsonld").read_text())
    ctx = json.loads((built / "context.jsonld").read_text())
    assert doc["@context"] == ctx["@context"] and ctx["@context"]["obo"] == "http://purl.obolibrary.org/obo/"


def test_dataset_metadata_without_time_unless_asked(built, tmp_path):
    g = rdflib.Graph().parse(built / "graph.ttl")
    ds = rdflib.URIRef("https://w3id.org/ivd-kg/dataset")
    V = rdflib.Namespace("https://w3id.org/ivd-kg/vocab/")
    assert g.value(ds, V.toolVersion) == rdflib.Literal(__version__)
    assert any("cl.tsv.gz: version 2026-03-26" in str(s) for s in g.objects(ds, V.ontologySource))
    assert len(list(g.objects(ds, rdflib.URIRef("http://purl.org/dc/terms/source")))) == 6
    assert g.value(ds, rdflib.URIRef("http://purl.org/dc/terms/created")) is None
    CliRunner().invoke(main, ["build", "-o", str(tmp_path), "--quiet", "-f", "turtle", "--timestamp"])
    stamped = rdflib.Graph().parse(tmp_path / "graph.ttl")
    assert stamped.value(ds, rdflib.URIRef("http://purl.org/dc/terms/created")) is not None


@pytest.mark.parametrize("name", sorted(shipped_queries()))
def test_every_shipped_query_gives_the_same_rows_on_both_engines(built, name):
    sparql = resolve_query(name)
    columns_ox, rows_ox = run_query(load_graph(built / "graph.ttl", "oxigraph"), sparql)
    columns_rl, rows_rl = run_query(load_graph(built / "graph.ttl", "rdflib"), sparql)
    assert columns_ox == columns_rl and sorted(rows_ox) == sorted(rows_rl) and rows_ox


def test_validate_passes_on_the_build_and_fails_on_a_broken_graph(built, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(built / "graph.ttl")])
    assert ok.exit_code == 0 and "conforms" in ok.output
    broken = rdflib.Graph().parse(built / "graph.ttl")
    msc = rdflib.URIRef("http://purl.obolibrary.org/obo/CL_0000134")
    broken.remove((msc, rdflib.RDFS.label, None))
    broken.add((rdflib.URIRef("http://purl.obolibrary.org/obo/GO_0030198"),
                rdflib.URIRef("https://w3id.org/ivd-kg/vocab/hinders"), msc))
    path = tmp_path / "broken.ttl"
    broken.serialize(path, format="turtle")
    bad = runner.invoke(main, ["validate", str(path)])
    assert bad.exit_code == 1
    assert "a concept needs a label" in bad.output and "hinders: the subject must be a Barrier" in bad.output


def test_validate_passes_on_other_builds(tmp_path):
    seed = ROOT.parent / "shared" / "seed"
    inputs = [str(seed)] if seed.is_dir() else [str(ROOT / "tests" / "fixtures")]
    CliRunner().invoke(main, ["build", *inputs, "-o", str(tmp_path), "--quiet", "-f", "turtle"])
    assert validate_graph(rdflib.Graph().parse(tmp_path / "graph.ttl")) == []


def test_shapes_file_is_current():
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_shapes", ROOT / "scripts" / "build_shapes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "ontologies" / "shapes.ttl").read_text() == module.shapes_text()


def test_updates_are_refused_by_kg_query(built):
    result = CliRunner().invoke(main, ["query", "INSERT DATA { <http://a> <http://b> <http://c> }",
                                       "--graph", str(built / "graph.ttl")])
    assert result.exit_code == 1 and "read-only" in result.output


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, sentence=TEXT, phrase=TEXT)
def test_any_text_round_trips_exactly_through_every_format(lexicon, tmp_path_factory, title, sentence, phrase):
    ev = Evidence("DOI:10.1/x", title, 2020, "abstract", sentence, 0, len(sentence), Span(0, 1, phrase),
                  Span(1, 2, phrase), phrase, "affirmed", "stated", "unknown", None, (), "rules/1:x", 0.5)
    graph = build_graph([Assertion("MESH:D000860", "hinders", "IVDKG:cell_homing", ev)], lexicon,
                        [Document("DOI:10.1/x", "t", (), title, 2020, "10.1/x")])
    out = tmp_path_factory.mktemp("h")
    context = ExportContext(default_schema(), lexicon, __version__)
    for fmt in FORMATS:
        EXPORTERS[fmt].write(graph, out, context)
    V = "https://w3id.org/ivd-kg/vocab/"
    for fmt in FORMATS:
        literals = {(q.predicate.value, q.object.value) for q in ox.parse(path=str(out / FILES[fmt]))
                    if isinstance(q.object, ox.Literal)}
        assert (V + "sentence", sentence) in literals, fmt
        assert (V + "subjectText", phrase) in literals, fmt
        assert ("http://purl.org/dc/terms/title", title) in literals, fmt
    parsed = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    assert rdflib.Literal(sentence) in set(parsed.objects(None, rdflib.URIRef(V + "sentence")))
