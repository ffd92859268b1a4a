"""A local, read-only SPARQL 1.1 Protocol endpoint over a built graph (pyoxigraph in memory).

GET /sparql?query=..., POST form-encoded query=..., or POST application/sparql-query; results as
SPARQL JSON (default), XML, CSV or TSV by the Accept header, graphs from CONSTRUCT/DESCRIBE as
Turtle or N-Triples. Updates are refused with 403. It listens on 127.0.0.1 unless told otherwise;
a query that runs past the time limit gets 503, a result past the size limit 413 (a query still
evaluating when its time is up goes on in its worker thread, but the client is answered).
"""
from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from .query import _is_update

MAX_BODY = 1_000_000
DEFAULT_TIMEOUT = 30.0            # seconds a query may run
DEFAULT_MAX_RESULT = 50_000_000   # bytes a result may take


class QueryTimeout(Exception):
    pass


class ResultTooLarge(Exception):
    pass


class _BoundedBuffer(io.RawIOBase):
    """Collects a serialised result, refusing to grow past its size or run past its deadline."""

    def __init__(self, limit: int, deadline: float):
        self.parts, self.size, self.limit, self.deadline = [], 0, limit, deadline

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge()
        if time.monotonic() > self.deadline:
            raise QueryTimeout()
        self.parts.append(bytes(data))
        return len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)
_RESULT_TYPES = [("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                 ("application/json", ox.QueryResultsFormat.JSON),
                 ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                 ("application/xml", ox.QueryResultsFormat.XML),
                 ("text/csv", ox.QueryResultsFormat.CSV),
                 ("text/tab-separated-values", ox.QueryResultsFormat.TSV)]
_GRAPH_TYPES = [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES)]


def _choose(accept: str, options):
    """The first option the Accept header names (ignoring q-values), else the first option."""
    wanted = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    for media in wanted:
        for name, fmt in options:
            if media == name:
                return name, fmt
    return options[0]


class SparqlHandler(BaseHTTPRequestHandler):
    server_version = "ivd-kg-sparql/1"
    store: ox.Store  # set on the class made by make_server
    timeout_seconds: float = DEFAULT_TIMEOUT
    max_result: int = DEFAULT_MAX_RESULT
    pool: ThreadPoolExecutor

    def log_message(self, format: str, *args) -> None:  # quiet unless the server says otherwise
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.end_headers()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            self._send(200, b"IVD-KG read-only SPARQL endpoint: GET or POST /sparql (SPARQL 1.1 Protocol).\n")
            return
        if url.path != "/sparql":
            self._send(404, b"not found: the endpoint is /sparql\n")
            return
        params = parse_qs(url.query)
        if "update" in params:
            self._send(403, b"updates are refused: this endpoint is read-only\n")
            return
        self._answer(params.get("query", [""])[0])

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/sparql":
            self._send(404, b"not found: the endpoint is /sparql\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, b"request too large\n")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            self._send(403, b"updates are refused: this endpoint is read-only\n")
            return
        if kind == "application/sparql-query":
            self._answer(body)
            return
        if kind == "application/x-www-form-urlencoded":
            params = parse_qs(body)
            if "update" in params:
                self._send(403, b"updates are refused: this endpoint is read-only\n")
                return
            self._answer(params.get("query", [""])[0])
            return
        self._send(415, b"unsupported Content-Type: use application/sparql-query or a form\n")

    def _answer(self, sparql: str) -> None:
        if not sparql.strip():
            self._send(400, b"missing query\n")
            return
        if _is_update(sparql):
            self._send(403, b"updates are refused: this endpoint is read-only\n")
            return
        accept = self.headers.get("Accept", "")
        deadline = time.monotonic() + self.timeout_seconds
        future = self.pool.submit(self._evaluate, sparql, accept, deadline)
        try:
            status, body, media = future.result(timeout=self.timeout_seconds + 1)
        except FutureTimeout:
            status, body, media = 503, b"query time limit exceeded\n", "text/plain"
        self._send(status, body, media + "; charset=utf-8")

    def _evaluate(self, sparql: str, accept: str, deadline: float) -> tuple[int, bytes, str]:
        try:
            result = self.store.query(sparql, use_default_graph_as_union=True)
            buffer = _BoundedBuffer(self.max_result, deadline)
            if isinstance(result, ox.QueryTriples):
                media, fmt = _choose(accept, _GRAPH_TYPES)
                ox.serialize(result, buffer, format=fmt)
            else:
                media, fmt = _choose(accept, _RESULT_TYPES)
                result.serialize(buffer, format=fmt)
            return 200, buffer.value(), media
        except (SyntaxError, ValueError) as exc:
            return 400, f"bad query: {str(exc).splitlines()[0] if str(exc) else 'syntax error'}\n".encode(), "text/plain"
        except ResultTooLarge:
            return 413, f"result larger than {self.max_result:,} bytes: add a LIMIT\n".encode(), "text/plain"
        except QueryTimeout:
            return 503, b"query time limit exceeded\n", "text/plain"
        except OSError as exc:  # pyoxigraph reports an exception raised while writing as an OSError
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ResultTooLarge) or "ResultTooLarge" in repr(exc):
                return 413, f"result larger than {self.max_result:,} bytes: add a LIMIT\n".encode(), "text/plain"
            if isinstance(cause, QueryTimeout) or "QueryTimeout" in repr(exc):
                return 503, b"query time limit exceeded\n", "text/plain"
            return 500, f"query failed: {type(exc).__name__}\n".encode(), "text/plain"

    do_HEAD = do_GET


def make_server(store: ox.Store, host: str = "127.0.0.1", port: int = 7878, verbose: bool = False,
                timeout: float = DEFAULT_TIMEOUT, max_result: int = DEFAULT_MAX_RESULT) -> ThreadingHTTPServer:
    """A server over `store`; queries run on two worker threads under a time limit and a result size limit."""
    handler = type("BoundSparqlHandler", (SparqlHandler,), {
        "store": store, "timeout_seconds": timeout, "max_result": max_result,
        "pool": ThreadPoolExecutor(max_workers=2, thread_name_prefix="sparql")})
    server = ThreadingHTTPServer((host, port), handler)
    server.verbose = verbose
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
