"""`kg serve` under attack: heavy queries, SERVICE, other origins and hosts, broken requests, 200 clients."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.serve import (NO_SERVICE, READ_ONLY, QueryJob, QueryWorker, ServeOptions, calls_service, make_server,
                      parse_head, HttpError, query_form, serve_in_thread, snapshot_store, sparql_tokens)

ROOT = Path(__file__).resolve().parents[1]
CONCEPTS = 1500
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"   # 3.4e9 rows: minutes of work


def synthetic_store() -> ox.Store:
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/c{i}"), label, ox.Literal(f"concept {i}"))
                 for i in range(CONCEPTS))
    return store


def start(options: ServeOptions = ServeOptions(timeout=3.0, read_seconds=1.5)):
    server = make_server(synthetic_store(), "127.0.0.1", 0, options)
    serve_in_thread(server)
    return server


@pytest.fixture(scope="module")
def server():
    server = start()
    yield server
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def parse_answer(data: bytes, head_only: bool = False) -> Answer:
    """A response checked for form: a status line, headers, and a body as long as Content-Length says."""
    while data.startswith(b"HTTP/1.1 100 "):   # an interim answer to Expect: 100-continue
        data = data.partition(b"\r\n\r\n")[2]
    head, separator, body = data.partition(b"\r\n\r\n")
    assert separator, f"no complete response: {data[:200]!r}"
    lines = head.decode("latin-1").split("\r\n")
    match = re.fullmatch(r"HTTP/1\.[01] ([1-5][0-9][0-9]) [ -~]*", lines[0])
    assert match, lines[0]
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        assert colon and name and " " not in name, line
        headers[name.lower()] = value.strip()
    if not head_only:
        assert int(headers["content-length"]) == len(body)
    return Answer(int(match[1]), headers, body.decode("utf-8", errors="replace"))


def exchange(port: int, raw: bytes, half_close: bool = True, timeout: float = 10.0) -> Answer:
    """Sends raw bytes, then reads the whole answer: a dropped connection fails the test."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return parse_answer(data, head_only=raw.startswith(b"HEAD "))


def get(port: int, query: str, headers: dict[str, str] | None = None, path: str = "/sparql") -> Answer:
    lines = [f"GET {path}?{urllib.parse.urlencode({'query': query})} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode())


def post(port: int, body: bytes, headers: dict[str, str]) -> Answer:
    lines = ["POST /sparql HTTP/1.1", f"Host: 127.0.0.1:{port}"] + [f"{k}: {v}" for k, v in headers.items()]
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def count_of(answer: Answer) -> int:
    assert answer.status == 200, answer
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


# -- queries past their limit ------------------------------------------------------------------

def test_queries_past_the_limit_are_killed_while_other_queries_are_answered(server):
    port, answers = server.port, {}

    def heavy(name: str) -> None:
        answers[name] = (get(port, HEAVY), time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=heavy, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    busy = server.pool.state().busy
    light = get(port, COUNT)
    light_done = time.monotonic()
    for thread in threads:
        thread.join(timeout=20)
    assert count_of(light) == CONCEPTS
    assert light_done - started < 2.5, "a light query waited for the heavy ones"
    for answer, finished in answers.values():
        assert answer.status == 503 and "time limit" in answer.body
        assert finished - started < 3.0 + 3.0, "a query ran far past its limit"
        assert light_done < finished
    assert len(busy) == 2
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in busy) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in busy), "a worker past its limit is still running"
    assert count_of(get(port, COUNT)) == CONCEPTS


# -- no network ---------------------------------------------------------------------------------

class Listener:
    """A local server standing for a remote endpoint: counts the connections that reach it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.close()


def service_queries(url: str) -> list[str]:
    return [f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
            f"PREFIX : <{url}> SELECT * WHERE {{ ?s ?p ?o . SERVICE:x {{ ?x ?y ?z }} }}",
            f"PREFIX r: <{url}> SELECT * WHERE {{ BIND(r: AS ?u) SERVICE ?u {{ ?x ?y ?z }} }}",
            f"SELECT * WHERE {{ ?s ?p ?o FILTER(1<2)SERVICE#>\n<{url}>{{ ?x ?y ?z }} }}"]


def test_service_is_refused_unless_allowed_and_nothing_leaves_the_machine(server, listener):
    for query in service_queries(listener.url):
        for answer in (get(server.port, query),
                       post(server.port, query.encode(), {"Content-Type": "application/sparql-query",
                                                          "Content-Length": str(len(query.encode()))})):
            assert answer.status == 403 and answer.body.strip() == NO_SERVICE, (query, answer)
    for query in ("SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",   # names that merely contain service
                  "PREFIX service: <http://example.org/> SELECT * WHERE { ?s ?p service:c1 }",
                  'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" } # SERVICE <http://y/>',
                  "SELECT * WHERE { GRAPH <http://x/service#g> { ?s ?p ?o } }"):
        assert get(server.port, query).status == 200, query
    time.sleep(0.2)
    assert listener.connections == 0
    allowing = start(ServeOptions(allow_service=True))
    try:
        assert get(allowing.port, service_queries(listener.url)[0]).status != 403
        assert listener.connections >= 1
    finally:
        allowing.shutdown()
        allowing.server_close()


def test_a_worker_cannot_reach_the_network_even_when_asked_to(tmp_path, listener):
    snapshot_store(synthetic_store(), tmp_path / "store")
    worker = QueryWorker.start(tmp_path / "store", allow_network=False)
    try:
        if not worker.isolated:
            pytest.skip("this OS does not allow a process its own network namespace")
        reply = worker.run(QueryJob(service_queries(listener.url)[0], "", 5.0, 10_000))
        assert reply.status == 502 and listener.connections == 0
    finally:
        worker.stop()


# -- who may call -------------------------------------------------------------------------------

def test_cors_is_closed_by_default_and_open_to_named_origins(server):
    refused = get(server.port, COUNT, {"Origin": "https://evil.example"})
    assert refused.status == 403 and "--allow-origin" in refused.body
    assert "access-control-allow-origin" not in refused.headers
    preflight = exchange(server.port, b"OPTIONS /sparql HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\n"
                                      b"Access-Control-Request-Method: POST\r\n\r\n")
    assert preflight.status == 403
    plain = get(server.port, COUNT)
    assert plain.status == 200 and "access-control-allow-origin" not in plain.headers
    yasgui = start(ServeOptions(allow_origins=("https://yasgui.triply.cc",)))
    try:
        allowed = get(yasgui.port, COUNT, {"Origin": "https://yasgui.triply.cc"})
        assert allowed.status == 200 and allowed.headers["access-control-allow-origin"] == "https://yasgui.triply.cc"
        assert get(yasgui.port, COUNT, {"Origin": "https://evil.example"}).status == 403
    finally:
        yasgui.shutdown()
        yasgui.server_close()


def test_a_host_header_naming_another_site_is_refused(server):
    port = server.port
    rebound = exchange(port, f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: attacker.example:{port}\r\n\r\n".encode())
    assert rebound.status == 403 and "DNS-rebinding" in rebound.body
    for host in (f"localhost:{port}", "127.0.0.1", f"[::1]:{port}", "LOCALHOST."):
        assert exchange(port, f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()).status == 200


# -- broken requests ----------------------------------------------------------------------------

QUERY_BODY = COUNT.encode()


@pytest.mark.parametrize("headers, status, message", [
    ({"Content-Length": "-5"}, 400, "whole number"),
    ({"Content-Length": "ten"}, 400, "whole number"),
    ({"Content-Length": "1e3"}, 400, "whole number"),
    ({"Content-Length": "99999999999999999999999"}, 413, "larger than the limit"),
    ({"Content-Length": "5000000"}, 413, "larger than the limit"),
    ({"Transfer-Encoding": "chunked"}, 411, "Content-Length"),
    ({}, 411, "Content-Length"),
    ({"Content-Length": str(len(QUERY_BODY) + 10)}, 400, "body ended"),
])
def test_a_bad_content_length_gets_a_clear_answer(server, headers, status, message):
    answer = post(server.port, QUERY_BODY, {"Content-Type": "application/sparql-query", **headers})
    assert answer.status == status and message in answer.body


def test_conflicting_content_lengths_are_refused(server):
    raw = (f"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
           f"Content-Length: {len(QUERY_BODY)}\r\nContent-Length: 3\r\n\r\n").encode() + QUERY_BODY
    assert exchange(server.port, raw).status == 400


def test_oversized_heads_and_bodies_are_refused_without_a_reset(server):
    port = server.port
    many = "".join(f"X-Filler-{i}: {'y' * 900}\r\n" for i in range(90))   # 90 headers, 80 kB
    assert exchange(port, f"GET / HTTP/1.1\r\nHost: localhost\r\n{many}\r\n".encode()).status == 431
    long_line = exchange(port, f"GET /sparql?query={'x' * 70_000} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert long_line.status == 414 and "POST" in long_line.body
    body = b"#" * 1_500_000
    answer = exchange(port, b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
                            b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert answer.status == 413


def test_a_client_that_stops_sending_gets_408_and_frees_its_thread(server):
    port, answers = server.port, {}
    unfinished = {"body": b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
                          b"Content-Length: 100\r\n\r\nSELECT",
                  "head": b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: loc"}

    def send(name: str) -> None:
        answers[name] = exchange(port, unfinished[name], half_close=False)

    started = time.monotonic()
    threads = [threading.Thread(target=send, args=(name,)) for name in unfinished]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert answers["body"].status == 408 and answers["head"].status == 408
    assert "not received within 1.5 s" in answers["body"].body
    assert time.monotonic() - started < 1.5 + 2
    assert count_of(get(port, COUNT)) == CONCEPTS


# -- the update filter --------------------------------------------------------------------------

def test_reads_named_like_update_keywords_are_answered_and_every_update_form_is_refused(server):
    reads = ["SELECT ?add WHERE { ?add ?p ?o } LIMIT 1",
             "SELECT ?copy ?load WHERE { ?copy ?p ?load } LIMIT 1",
             "PREFIX load: <http://example.org/> SELECT * WHERE { load:c1 ?p ?o }",
             "PREFIX add: <http://example.org/> ASK { add:c1 ?p ?o }",
             "SELECT * WHERE { ?s ?p ?o FILTER(?o != \"DROP ALL\") } LIMIT 1",
             "# INSERT DATA { <a> <b> <c> }\nSELECT $move WHERE { $move ?p ?o } LIMIT 1",
             "CONSTRUCT { ?s <http://example.org/delete> ?o } WHERE { ?s ?p ?o } LIMIT 1"]
    updates = ["INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
               "PREFIX ex: <http://x/> DELETE DATA { ex:a ex:b ex:c }",
               "DELETE WHERE { ?s ?p ?o }", "delete { ?s ?p ?o } insert { ?o ?p ?s } where { ?s ?p ?o }",
               "LOAD <http://example.org/data.ttl>", "CLEAR ALL", "CREATE GRAPH <http://x/g>", "DROP DEFAULT",
               "COPY DEFAULT TO <http://x/g>", "MOVE <http://x/g> TO DEFAULT", "ADD <http://x/g> TO <http://x/h>",
               "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
               "BASE <http://x/> PREFIX add: <a#> # a comment\n add <g> TO <h>"]
    for query in reads:
        answer = get(server.port, query)
        assert answer.status == 200, (query, answer.body)
    for update in updates:
        answer = get(server.port, update)
        assert answer.status == 403 and answer.body.strip() == READ_ONLY, update
    assert count_of(get(server.port, COUNT)) == CONCEPTS


def test_the_lexer_sees_keywords_only_where_the_parser_does():
    assert query_form(sparql_tokens("PREFIX add: <http://x/> BASE <http://y/> SELECT * {}")) == "SELECT"
    assert query_form(sparql_tokens("# LOAD\n PREFIX copy: <a> copy:x")) == ""
    assert calls_service(sparql_tokens("SELECT * { FILTER(?x<=?y)SERVICE:a#>\n{} }"))
    assert not calls_service(sparql_tokens("PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
                                           "SELECT * { ?s sd:endpoint ?e }"))
    assert not calls_service(sparql_tokens("SELECT * FROM service:g { ?s ?p '''SERVICE\n<x> {}''' }"))
    assert not calls_service(sparql_tokens("SELECT * { ?s <http://www.w3.org/ns/sparql-service-description#url> ?o . "
                                           "?s <http://x/service#y> ?o }"))


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=1000)
def test_the_lexer_takes_any_text(text):
    tokens = sparql_tokens(text)
    assert all(token.text and token.text in text for token in tokens)
    query_form(tokens)
    calls_service(tokens)


# -- fuzz: the request parser, alone and over the wire --------------------------------------------

@given(st.binary(max_size=2000))
@settings(max_examples=300, deadline=1000)
def test_the_head_parser_takes_any_bytes(raw):
    try:
        head = parse_head(raw)
    except HttpError as error:
        assert 400 <= error.status < 600 and error.reason and "\n" not in error.reason
    else:
        assert head.target.startswith("/") and head.version in ("HTTP/1.0", "HTTP/1.1")


QUERIES = ["ASK{}", "SELECT%20*%20WHERE%20%7B?s%20?p%20?o%7D%20LIMIT%202", "SELECT%20?add%20%7B%7D", "CLEAR%20ALL",
           "SELECT%20*%20%7BSERVICE%20%3Chttp://x/%3E%20%7B%7D%7D", "%zz", "%ff%fe", "", "SELECT%20*%20WHERE%20%7B"]
PIECES = st.sampled_from(["query=" + q for q in QUERIES] + ["update=CLEAR%20ALL", "&", "=", "?", "//", "%"])
HEADERS = st.one_of(
    st.tuples(st.sampled_from(["Accept"]), st.sampled_from(["text/csv", "application/sparql-results+xml", "text/turtle",
                                                            "*/*", "", "application/n-triples;q=0.5, text/csv"])),
    st.tuples(st.sampled_from(["Content-Type"]),
              st.sampled_from(["application/sparql-query", "application/sparql-update", "text/plain", "",
                               "application/x-www-form-urlencoded", "application/sparql-query; charset=utf-8"])),
    st.tuples(st.sampled_from(["Content-Length"]), st.sampled_from(["0", "-1", "7", "abc", "1" * 30, " 5", "5 5"])),
    st.tuples(st.sampled_from(["Origin", "Transfer-Encoding", "Expect", "Connection", "Host"]),
              st.sampled_from(["http://127.0.0.1", "https://evil.example", "null", "chunked", "100-continue", "close",
                               "keep-alive", "evil.example", "[::1]", "localhost:1", ""])))
ANY_HEADER = st.tuples(st.sampled_from(["X-Any", "", " Host", "Bad Name", "Host\x00", "Accept"]), st.text(max_size=30))


@st.composite
def requests(draw) -> bytes:
    """Mostly well-formed requests with one or two hostile parts, so that every stage is reached."""
    hostile = st.sampled_from([False] * 19 + [True])   # shrinks to well-formed
    method = draw(st.text(max_size=8)) if draw(hostile) else draw(st.sampled_from(["GET", "POST", "HEAD", "OPTIONS",
                                                                                   "PUT", "get"]))
    path = draw(st.sampled_from(["", "*", "http://x/sparql", "/sparql"])) if draw(hostile) \
        else draw(st.sampled_from(["/sparql"] * 8 + ["/", "/other"]))
    query = "&".join(draw(st.lists(PIECES, max_size=3))) + (draw(st.text(max_size=30)) if draw(hostile) else "")
    version = draw(st.sampled_from(["HTTP/2.0", "HTTP/1.1 extra", "", "http/1.1", "HTTP/1.2"])) if draw(hostile) \
        else draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0"]))
    headers = [] if draw(hostile) else [("Host", "127.0.0.1")]
    headers += draw(st.lists(HEADERS, max_size=4)) + ([draw(ANY_HEADER)] if draw(hostile) else [])
    body = draw(st.sampled_from([b"", b"query=ASK%7B%7D", b"ASK {}", b"update=CLEAR+ALL", b"\xff\xfe", b"query=%ff"])) \
        if not draw(hostile) else draw(st.binary(max_size=300))
    if draw(st.booleans()):
        headers.append(("Content-Length", str(len(body))))
    line = f"{method} {path}{'?' + query if query else ''} {version}".rstrip()
    text = line + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    return text.encode("utf-8", errors="surrogatepass") + body


@given(requests())
@settings(max_examples=120, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_any_request_gets_a_well_formed_answer_and_the_server_stays_up(server, raw):
    answer = exchange(server.port, raw)
    assert answer.status in {200, 204, 400, 403, 404, 405, 408, 411, 413, 414, 415, 431, 503, 505}, answer
    assert "Traceback" not in answer.body
    assert get(server.port, "ASK { ?s ?p ?o }").status == 200


# -- 200 clients at once ------------------------------------------------------------------------

def load_bench():
    spec = importlib.util.spec_from_file_location("bench_serve", ROOT / "scripts" / "bench_serve.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_kg_serve_answers_200_concurrent_clients_with_no_errors_or_resets(tmp_path):
    bench = load_bench()
    graph = tmp_path / "graph.nt"
    synthetic_store().dump(output=str(graph), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    process, url = bench.start_server(graph, "--allow-host", "kg.test")
    try:
        report = bench.run_load(url, clients=200, seconds=2.0)
        assert report.errors == 0 and report.resets == 0, report
        assert report.requests >= 200
        port = int(url.split(":")[2].split("/")[0])
        assert exchange(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: kg.test\r\n\r\n").status == 200
    finally:
        bench.stop_server(process)


def test_kg_query_reads_queries_whose_names_look_like_update_keywords(tmp_path):
    # the same lexer decides for `kg query`: a variable named ?add or a prefix named load: is no update
    import pyoxigraph as ox

    from kg.query import QueryError, run_query
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal("x")))
    columns, rows = run_query(store, "PREFIX load: <http://ex.org/> SELECT ?add WHERE { load:a load:p ?add }")
    assert columns == ["add"] and rows == [["x"]]
    with pytest.raises(QueryError, match="read-only"):
        run_query(store, "INSERT DATA { <http://ex.org/a> <http://ex.org/p> 1 }")
