"""The read-only SPARQL endpoint, spoken to over HTTP as YASGUI or SPARQLWrapper would."""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import load_graph
from kg.serve import ServeOptions, make_server, serve_in_thread

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    out = tmp_path_factory.mktemp("served")
    assert CliRunner().invoke(main, ["build", "-o", str(out), "--quiet", "-f", "turtle"]).exit_code == 0
    store = load_graph(out / "graph.ttl", "oxigraph")
    server = make_server(store, "127.0.0.1", 0)
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", len(store)
    server.shutdown()
    server.server_close()


def fetch(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read().decode()


def test_get_returns_sparql_json(endpoint):
    url, size = endpoint
    status, kind, body = fetch(url + "?" + urllib.parse.urlencode({"query": COUNT}))
    assert status == 200 and kind.startswith("application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == size


def test_post_form_and_direct_and_content_negotiation(endpoint):
    url, size = endpoint
    form = urllib.parse.urlencode({"query": COUNT}).encode()
    status, kind, body = fetch(url, form, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    assert status == 200 and kind.startswith("text/csv") and body.splitlines() == ["n", str(size)]
    status, kind, body = fetch(url, COUNT.encode(), {"Content-Type": "application/sparql-query",
                                                    "Accept": "application/sparql-results+xml"})
    assert status == 200 and "<sparql" in body
    status, kind, body = fetch(url + "?" + urllib.parse.urlencode(
        {"query": "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3"}), headers={"Accept": "application/n-triples"})
    assert status == 200 and kind.startswith("application/n-triples") and len(body.strip().splitlines()) == 3


@pytest.mark.parametrize("how", ["form", "direct", "get", "query"])
def test_updates_are_refused(endpoint, how):
    url, size = endpoint
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    if how == "form":
        status, _, body = fetch(url, urllib.parse.urlencode({"update": update}).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "direct":
        status, _, body = fetch(url, update.encode(), {"Content-Type": "application/sparql-update"})
    elif how == "get":
        status, _, body = fetch(url + "?" + urllib.parse.urlencode({"update": update}))
    else:
        status, _, body = fetch(url + "?" + urllib.parse.urlencode({"query": update}))
    assert status == 403 and "read-only" in body
    status, _, body = fetch(url + "?" + urllib.parse.urlencode({"query": COUNT}))
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == size


def test_bad_query_is_400(endpoint):
    status, _, body = fetch(endpoint[0] + "?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE {"}))
    assert status == 400 and body.startswith("bad query")


def test_sparqlwrapper_client(endpoint):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint[0])
    client.setQuery(open(__file__.replace("tests/test_serve.py", "queries/q6_stem_cell_subtypes.rq")).read())
    client.setReturnFormat(JSON)
    labels = {b["label"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert {"mesenchymal stem cell", "induced pluripotent stem cell"} <= labels


def test_kg_serve_command_listens_on_loopback_and_answers(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    assert CliRunner().invoke(main, ["build", "-o", str(tmp_path), "--quiet", "-f", "turtle"]).exit_code == 0
    scratch = tmp_path / "tmp"   # where the server keeps its copy of the graph
    scratch.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--graph", str(tmp_path / "graph.ttl"),
                                "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1],
                               env={**os.environ, "TMPDIR": str(scratch)})
    try:
        line = process.stdout.readline()
        assert line.startswith("SPARQL endpoint at http://127.0.0.1:") and "read-only" in line
        url = line.split()[3]
        status, _, body = fetch(url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
        assert status == 200 and json.loads(body)["boolean"] is True
        assert list(scratch.iterdir())
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0 and not list(scratch.iterdir()), "SIGTERM left the graph's copy behind"


def test_result_size_and_time_limits(tmp_path):
    assert CliRunner().invoke(main, ["build", "-o", str(tmp_path), "--quiet", "-f", "turtle"]).exit_code == 0
    store = load_graph(tmp_path / "graph.ttl", "oxigraph")
    small = make_server(store, "127.0.0.1", 0, ServeOptions(max_result=2_000))
    slow = make_server(store, "127.0.0.1", 0, ServeOptions(timeout=0.1))
    for server in (small, slow):
        serve_in_thread(server)
    try:
        url = f"http://127.0.0.1:{small.server_address[1]}/sparql?"
        status, _, body = fetch(url + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}))
        assert status == 413 and "add a LIMIT" in body
        status, _, _ = fetch(url + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}))
        assert status == 200
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # about a second of work here
        start = time.monotonic()
        status, _, body = fetch(f"http://127.0.0.1:{slow.server_address[1]}/sparql?" + urllib.parse.urlencode({"query": heavy}))
        assert status == 503 and "time limit" in body and time.monotonic() - start < 10
    finally:
        for server in (small, slow):
            server.shutdown()
            server.server_close()
