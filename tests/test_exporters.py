from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg import __version__
from kg.escape import cypher_string, script_json
from kg.export import EXPORTERS, ExportContext, write_atomic
from kg.export.neo4j import ARRAY_DELIMITER
from kg.graph import build_graph
from kg.model import Assertion, Document, Evidence, Span
from kg.schema import default_schema

HOSTILE = 'MSCs </script><script>alert("x")</script> & "quotes", commas;\nnewline \u001f delimiter'


@pytest.fixture
def context(lexicon):
    return ExportContext(default_schema(), lexicon, __version__)


@pytest.fixture
def graph(lexicon):
    def ev(polarity="affirmed", sentence=HOSTILE):
        return Evidence("DOI:10.1/x", "A <b>title</b>", 2021, "abstract", sentence, 0, len(sentence), Span(0, 4, "MSCs"),
                        Span(5, 9, "disc"), "restore", polarity, "stated", "preclinical_in_vivo", "NCBITaxon:10116", (),
                        "rules/1:increase", 0.75)
    assertions = [Assertion("CL:0000134", "positively_regulates", "IVDKG:disc_hydration", ev()),
                  Assertion("CL:0000134", "positively_regulates", "IVDKG:disc_hydration", ev("negated", "MSCs did not restore it.")),
                  Assertion("MESH:D000860", "hinders", "CL:0000134", ev(sentence="Hypoxia hinders MSCs."))]
    doc = Document("DOI:10.1/x", "text", (), "A <b>title</b>", 2021, "10.1/x")
    return build_graph(assertions, lexicon, [doc])


def test_registry_has_every_format():
    assert {"turtle", "html", "neo4j", "json"} <= set(EXPORTERS)


def test_turtle_direct_triples_only_for_affirmed_and_evidence_intact(graph, context, tmp_path):
    (path,) = EXPORTERS["turtle"].write(graph, tmp_path, context)
    g = Graph().parse(path, format="turtle")
    obo = "http://purl.obolibrary.org/obo/"
    msc, hydration = URIRef(obo + "CL_0000134"), URIRef("https://w3id.org/ivd-kg/concept/disc_hydration")
    assert (msc, URIRef(obo + "RO_0002213"), hydration) in g
    assert (URIRef("http://id.nlm.nih.gov/mesh/D000860"), URIRef("https://w3id.org/ivd-kg/vocab/hinders"), msc) in g
    polarities = sorted(str(o) for o in g.objects(None, URIRef("https://w3id.org/ivd-kg/vocab/polarity")))
    assert polarities.count("negated") == 2  # the assertion and its evidence
    sentences = set(g.objects(None, URIRef("https://w3id.org/ivd-kg/vocab/sentence")))
    assert Literal(HOSTILE) in sentences  # quotes, newlines and markup survive Turtle escaping
    assert (msc, RDF.type, URIRef("https://w3id.org/ivd-kg/vocab/CellType")) in g
    # the same file parses as N-Triples after a round trip (a second parser of the same data)
    assert len(Graph().parse(data=g.serialize(format="nt"), format="nt")) == len(g)


def test_html_is_offline_escaped_and_holds_the_nodes(graph, context, tmp_path):
    (path,) = EXPORTERS["html"].write(graph, tmp_path, context)
    page = path.read_text()
    assert "<script>alert" not in page and "</script><script>alert" not in page
    assert not re.search(r"""(src|href)=["']https?://""", page)  # nothing fetched from a CDN
    assert "innerHTML" not in page.split("const DATA")[1]
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page).group(1))
    assert {n["id"] for n in data["nodes"]} == set(graph.nodes)
    assert len(data["edges"]) == 2  # the negated edge is not drawn
    assert data["edgeDetail"][next(iter(data["edgeDetail"]))]["evidence"][0]["sentence"]
    assert {c["name"] for c in data["legend"]} == set(default_schema().categories)


def test_neo4j_csv_headers_arrays_and_quoting(graph, context, tmp_path):
    written = EXPORTERS["neo4j"].write(graph, tmp_path, context)
    names = sorted(p.name for p in written)
    assert names == ["evidence.csv", "evidence_links.csv", "import.cypher", "import.sh", "nodes.csv",
                     "publications.csv", "relationships.csv", "subclass.csv"]
    folder = tmp_path / "neo4j"
    header_ok = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)?(:(ID|LABEL|START_ID|END_ID|TYPE|int|float|boolean|string\[\]))?$")
    for name in ("nodes.csv", "publications.csv", "evidence.csv", "relationships.csv", "evidence_links.csv", "subclass.csv"):
        rows = list(csv.reader(io.StringIO((folder / name).read_text())))
        assert all(header_ok.match(h) for h in rows[0]), rows[0]
        assert all(len(r) == len(rows[0]) for r in rows)
    evidence = list(csv.DictReader(io.StringIO((folder / "evidence.csv").read_text())))
    assert HOSTILE.replace(ARRAY_DELIMITER, ARRAY_DELIMITER) in {e["sentence"] for e in evidence}
    rels = list(csv.DictReader(io.StringIO((folder / "relationships.csv").read_text())))
    assert sorted((r[":TYPE"], r["negated:boolean"]) for r in rels) == [
        ("HINDERS", "false"), ("POSITIVELY_REGULATES", "false"), ("POSITIVELY_REGULATES", "true")]
    nodes = {r["id:ID"]: r for r in csv.DictReader(io.StringIO((folder / "nodes.csv").read_text()))}
    assert nodes["CL:0000134"][":LABEL"].split(ARRAY_DELIMITER) == ["Concept", "CellType"]
    assert "MSC" in nodes["CL:0000134"]["synonyms:string[]"].split(ARRAY_DELIMITER)
    script = (folder / "import.sh").read_text()
    assert "\"$ADMIN\" database import full \"$DATABASE\"" in script and "--array-delimiter='U+001F'" in script
    cypher = (folder / "import.cypher").read_text()
    assert cypher.count("CREATE CONSTRAINT") == 3 and "CREATE (" not in cypher
    assert all(f"[r:{p.upper()} " in cypher for p in default_schema().predicates)


def test_json_export_round_trips(graph, context, tmp_path):
    (path,) = EXPORTERS["json"].write(graph, tmp_path, context)
    data = json.loads(path.read_text())
    assert len(data["edges"]) == 3 and data["documents"]["DOI:10.1/x"]["title"] == "A <b>title</b>"


def test_escaping_functions():
    assert "<" not in script_json({"a": "</script>"}) and json.loads(script_json({"a": "</script>"})) == {"a": "</script>"}
    assert cypher_string("it's \\ \n") == "'it\\'s \\\\ \\u000A'"


def test_atomic_write_replaces_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
