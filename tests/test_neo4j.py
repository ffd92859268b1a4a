"""The Neo4j bundle, loaded for real into an embedded Cypher engine (Kuzu), and the push over the driver."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import main
from kg.export import EXPORTERS, ExportContext
from kg.export.jsongraph import load_graph_json
from kg.graph import build_graph
from kg.graphdb.model import property_graph
from kg.graphdb.push import push
from kg.model import Assertion, Document, Evidence, Span
from kg.query import load_graph, resolve_query, run_query
from kg.schema import default_schema

kuzu = pytest.importorskip("kuzu")
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["q1_cell_mechanisms", "q2_barriers_hinder", "q3_strategies_barriers", "q4_treatments_context",
           "q5_edge_evidence", "q6_stem_cell_subtypes"]


def connect(bundle: Path):
    from kg.graphdb.embedded import load_bundle
    connection = kuzu.Connection(kuzu.Database(":memory:"))
    return connection, load_bundle(bundle, connection)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("neo")
    result = CliRunner().invoke(main, ["build", "-o", str(out), "--quiet", "-f", "turtle", "-f", "neo4j", "-f", "json"])
    assert result.exit_code == 0, result.output
    connection, counts = connect(out / "neo4j")
    return out, connection, counts, load_graph_json(out / "graph.json")


def test_bundle_loads_with_the_counts_of_the_graph(built):
    out, connection, counts, graph = built
    from kg.graphdb.embedded import run_cypher
    _, rows = run_cypher(connection, "MATCH (c:Concept) WHERE c.category <> '' RETURN count(*)")
    assert rows[0][0] == graph.number_of_nodes()
    types = {p.neo4j_type for p in default_schema().predicates.values()}
    assert sum(n for t, n in counts.items() if t in types) == graph.number_of_edges()
    assert counts["Evidence"] == sum(len(d["evidence"]) for _, _, d in graph.edges(data=True))
    assert counts["Publication"] == len(graph.graph["documents"])
    assert counts["SUBCLASS_OF"] > 0


def _normalise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)) and not isinstance(value, bool):
        return str(value)
    value = str(value)
    if re.match(r"^[A-Za-z]+:\d+$", value) and value.startswith("NCBITaxon"):
        return default_schema().iri(value)  # Evidence.organism holds the CURIE; SPARQL answers with the IRI
    return value


@pytest.mark.parametrize("name", QUERIES)
def test_cypher_and_sparql_give_the_same_answers(built, name):
    out, connection, _, _ = built
    from kg.graphdb.embedded import run_cypher
    sparql_columns, sparql_rows = run_query(load_graph(out / "graph.ttl", "oxigraph"), resolve_query(name))
    cypher_columns, cypher_rows = run_cypher(connection, (ROOT / "queries" / f"{name}.cypher").read_text())
    assert cypher_columns == sparql_columns
    assert sorted([_normalise(v) for v in r] for r in cypher_rows) == sorted([_normalise(v) for v in r] for r in sparql_rows)
    assert cypher_rows


def test_arrays_mode_keeps_every_sentence_on_the_relationship(built, tmp_path):
    out, _, _, graph = built
    result = CliRunner().invoke(main, ["export", "neo4j", "-o", str(tmp_path), "--graph", str(out / "graph.json"),
                                       "--neo4j-evidence", "arrays"])
    assert result.exit_code == 0, result.output
    connection, counts = connect(tmp_path / "neo4j")
    assert "Evidence" not in counts
    from kg.graphdb.embedded import run_cypher
    _, rows = run_cypher(connection, "MATCH (:Concept {id: 'MONDO:0011385'})-[r:CONTRIBUTES_TO]->(:Concept {id: 'HP:0003419'}) "
                                     "RETURN r.sentences, r.evidence_documents")
    expected = graph.edges["MONDO:0011385", "HP:0003419", "contributes_to"]
    assert rows[0][0] == [e.sentence for e in expected["evidence"]]
    assert rows[0][1] == [e.document for e in expected["evidence"]]


HOSTILE_LABEL = 'O\'Brien "quoted" cell, with commas'
HOSTILE_SYNONYM = "line one\nline two | with ; separators"
HOSTILE_SENTENCE = 'She said "no", then; a | b \\ c\nnext line \u2028 end.'


def hostile_graph(lexicon):
    from kg.model import Term
    lexicon = lexicon.with_terms([Term("IVDKG:hostile_cell", HOSTILE_LABEL, "CellType", (HOSTILE_SYNONYM, "plain"))])
    ev = Evidence("DOI:10.1/h", 'Title "with" quotes', 2021, "abstract", HOSTILE_SENTENCE, 0, len(HOSTILE_SENTENCE),
                  Span(0, 3, "She"), Span(4, 8, "said"), "said", "affirmed", "stated", "in_vitro", None, (), "rules/1:x", 0.7)
    graph = build_graph([Assertion("IVDKG:hostile_cell", "capable_of", "GO:0030198", ev)], lexicon,
                        [Document("DOI:10.1/h", "t", (), 'Title "with" quotes', 2021, "10.1/h")],
                        {"IVDKG:hostile_cell": {"DOI:10.1/h"}})
    graph.nodes["IVDKG:hostile_cell"]["synonyms"] = [HOSTILE_SYNONYM, "plain"]
    return graph, lexicon


def test_names_that_break_naive_exporters_survive_the_bundle(lexicon, tmp_path):
    graph, lexicon = hostile_graph(lexicon)
    EXPORTERS["neo4j"].write(graph, tmp_path, ExportContext(default_schema(), lexicon, __version__))
    connection, _ = connect(tmp_path / "neo4j")
    from kg.graphdb.embedded import run_cypher
    _, rows = run_cypher(connection, "MATCH (c:Concept {id: 'IVDKG:hostile_cell'}) RETURN c.name, c.synonyms")
    assert rows == [[HOSTILE_LABEL, [HOSTILE_SYNONYM, "plain"]]]
    _, rows = run_cypher(connection, "MATCH (e:Evidence)-[:FROM_PUBLICATION]->(p:Publication) RETURN e.sentence, p.title")
    assert rows == [[HOSTILE_SENTENCE, 'Title "with" quotes']]


def test_import_cypher_is_idempotent_by_construction(built):
    script = (built[0] / "neo4j" / "import.cypher").read_text()
    statements = [s for s in script.split(";\n") if s.strip() and not s.strip().startswith("//")]
    assert all("CREATE (" not in s and "CREATE ()" not in s for s in statements)
    assert script.count("CREATE CONSTRAINT") == 3 and script.count("IF NOT EXISTS") == 3
    assert all("MERGE" in s for s in statements if s.lstrip().startswith("LOAD CSV"))
    assert "IN TRANSACTIONS OF 1000 ROWS" in script and "'\\u001F'" in script


class FakeSummary:
    def __init__(self, nodes_created=0, relationships_created=0, properties_set=0):
        self.counters = self
        self.nodes_created, self.relationships_created, self.properties_set = nodes_created, relationships_created, properties_set

    def consume(self):
        return self


class FakeTransaction:
    """Interprets the push statements against an in-memory store and counts as a Bolt server would."""

    def __init__(self, store: dict, log: list):
        self.store, self.log = store, log

    def run(self, statement: str, parameters: dict) -> FakeSummary:
        self.log.append((statement, parameters))
        created_nodes = created_rels = props = 0
        node = re.match(r"UNWIND \$rows AS row MERGE \(n:(\w+)", statement)
        rel = re.search(r"MERGE \(s\)-\[r:(\w+)", statement)
        for row in parameters.get("rows", []):
            if node:
                key = (node.group(1), row["id"])
                created_nodes += key not in self.store
            else:
                key = (rel.group(1), row["start"], row["end"], row["assertion_id"] if "assertion_id:" in statement else None)
                created_rels += key not in self.store
            self.store.setdefault(key, {}).update(row["props"])
            props += len(row["props"])
        return FakeSummary(created_nodes, created_rels, props)


class FakeSession:
    def __init__(self, driver):
        self.driver = driver

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_write(self, work):
        return work(FakeTransaction(self.driver.store, self.driver.log))


class FakeDriver:
    def __init__(self):
        self.store, self.log, self.databases = {}, [], []

    def session(self, database=None):
        self.databases.append(database)
        return FakeSession(self)


def test_push_is_batched_parameterised_and_idempotent(built):
    out, _, counts, graph = built
    from kg.ontology.lexicon import default_lexicon
    schema = default_schema()
    pg = property_graph(graph, schema, default_lexicon())
    driver = FakeDriver()
    first = push(pg, driver, schema.categories, database="ivdkg", batch_size=20)
    total_nodes = sum(len(t.rows) for t in pg.nodes)
    total_rels = sum(len(t.rows) for t in pg.relationships)
    assert (first.nodes_created, first.nodes_updated) == (total_nodes, 0)
    assert (first.relationships_created, first.relationships_updated) == (total_rels, 0)
    second = push(pg, driver, schema.categories, database="ivdkg", batch_size=20)
    assert (second.nodes_created, second.nodes_updated) == (0, total_nodes)
    assert (second.relationships_created, second.relationships_updated) == (0, total_rels)
    assert set(driver.databases) == {"ivdkg"}
    statements = [s for s, _ in driver.log]
    sentences = {e.sentence for _, _, d in graph.edges(data=True) for e in d["evidence"]}
    assert not any(sentence in statement for sentence in sentences for statement in statements)
    assert max(len(p.get("rows", p.get("ids", []))) for _, p in driver.log) <= 20
    assert first.line().startswith(f"nodes: {total_nodes} created, 0 updated")


def test_push_command_takes_the_password_from_the_environment_never_an_option(built, monkeypatch):
    out = built[0]
    result = CliRunner().invoke(main, ["neo4j", "push", "--uri", "bolt://127.0.0.1:1", "--user", "neo4j",
                                       "--graph", str(out / "graph.json")], env={"NEO4J_PASSWORD": "secret"})
    assert result.exit_code == 1 and "bolt://127.0.0.1:1" in result.output and "Traceback" not in result.output
    assert "--password" not in CliRunner().invoke(main, ["neo4j", "push", "--help"]).output
