"""A local, read-only SPARQL 1.1 Protocol endpoint over a built graph, safe to leave running.

GET /sparql?query=..., POST form-encoded query=..., or POST application/sparql-query; results as
SPARQL JSON (default), XML, CSV or TSV by the Accept header, graphs from CONSTRUCT/DESCRIBE as
Turtle or N-Triples. Why it is built the way it is:

- Each query runs in a worker process that holds a read-only on-disk copy of the graph. A thread
  cannot be stopped, a process can: a query past its time limit is killed (503) and its worker
  replaced, while the other workers keep answering.
- It never makes a network request: SERVICE is refused unless allowed, and where the OS permits it
  the workers live in a network namespace of their own, from which no address is reachable.
- Every request is hostile until parsed: head and body are bounded in size and in time, anything
  malformed gets a 4xx with a one-line reason (never a dropped connection or a traceback), the Host
  header must name this server (DNS rebinding) and other web origins are refused unless allowed.
- One thread per connection (at most `max_connections`; the rest wait in a deep listen backlog), one
  request per connection, so that 200 clients at once are served with no resets.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from http import HTTPStatus
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from .sparql_text import UPDATE_FORMS, calls_service, query_form, sparql_tokens

DEFAULT_TIMEOUT = 30.0            # seconds a query may run
DEFAULT_MAX_RESULT = 50_000_000   # bytes a result may take
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
READ_ONLY = "updates are refused: this endpoint is read-only"
NO_SERVICE = ("SERVICE clauses are refused: this endpoint never makes network requests "
              "(start kg serve with --allow-service to allow them)")


class ServeError(Exception):
    """The endpoint cannot start or go on (no worker process could open the graph, ...)."""


@dataclass(frozen=True)
class ServeOptions:
    """What the endpoint allows, and how far it bounds each request and each query."""
    timeout: float = DEFAULT_TIMEOUT        # seconds a query may run (and may wait for a free worker)
    max_result: int = DEFAULT_MAX_RESULT    # bytes a serialised result may take
    workers: int = 4                        # queries evaluated at once, each in its own process
    allow_service: bool = False             # let SERVICE clauses, and so the workers, reach the network
    allow_hosts: tuple[str, ...] = ()       # Host names accepted besides the loopback names and the bound host
    allow_origins: tuple[str, ...] = ()     # web origins that may call the endpoint (CORS); "*" for any
    max_body: int = 1_000_000               # bytes of a request body
    max_head: int = 65_536                  # bytes of the request line and headers together
    read_seconds: float = 10.0              # time a client has to send its whole request
    max_connections: int = 512              # connections handled at once; later ones wait in the backlog
    backlog: int = 1024                     # connections the kernel queues before refusing

    def __post_init__(self) -> None:
        for name in ("timeout", "read_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {getattr(self, name)!r}")
        for name in ("max_result", "workers", "max_body", "max_head", "max_connections", "backlog"):
            if not (isinstance(getattr(self, name), int) and getattr(self, name) >= 1):
                raise ValueError(f"{name} must be a whole number of at least 1, not {getattr(self, name)!r}")


# ---------------------------------------------------------------------------------------------
# HTTP requests: parsed by hand, strictly, within size and time limits.

class HttpError(Exception):
    """A request the endpoint will not serve: the status and the one-line reason the client gets."""

    def __init__(self, status: int, reason: str, headers: tuple[tuple[str, str], ...] = ()):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers


class ClientGone(Exception):
    """The client closed the connection before sending anything: there is no one to answer."""


@dataclass(frozen=True)
class RequestHead:
    """A request line and its headers (names lower-cased, in the order sent)."""
    method: str
    target: str
    version: str
    headers: tuple[tuple[str, str], ...]

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(value for key, value in self.headers if key == name)

    def header(self, name: str, default: str | None = None) -> str | None:
        values = self.values(name)
        return values[0] if values else default


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


_HTTP_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_HEADER_LINE = re.compile(rf"({_HTTP_TOKEN}):[ \t]*(.*?)[ \t]*")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
MAX_HEADERS = 100


def shown(text: str, limit: int = 60) -> str:
    """Untrusted text made safe to quote in a message: escaped, quoted and cut short."""
    return ascii(text[:limit] + ("..." if len(text) > limit else ""))


def parse_head(raw: bytes) -> RequestHead:
    """The request line and headers of `raw` (the bytes before the blank line); HttpError if malformed."""
    lines = [line[:-1] if line.endswith("\r") else line for line in raw.decode("latin-1").split("\n")]
    parts = lines[0].split(" ")
    if len(parts) != 3 or not all(parts):
        raise HttpError(400, f"malformed request line {shown(lines[0])}: expected METHOD /path HTTP/1.1")
    method, target, version = parts
    if not re.fullmatch(_HTTP_TOKEN, method):
        raise HttpError(400, f"malformed method {shown(method)}")
    if not re.fullmatch(r"HTTP/1\.[01]", version):
        status = 505 if re.fullmatch(r"HTTP/[0-9]\.[0-9]", version) else 400
        raise HttpError(status, f"unsupported protocol {shown(version)}: speak HTTP/1.1 or HTTP/1.0")
    if not re.fullmatch(r"/[\x21-\x7e]*", target):
        raise HttpError(400, f"malformed target {shown(target)}: a path starting with / in printable ASCII")
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            raise HttpError(400, "folded header lines are not accepted")
        match = _HEADER_LINE.fullmatch(line)
        if not match or _CONTROL.search(match[2]):
            raise HttpError(400, f"malformed header line {shown(line)}")
        headers.append((match[1].lower(), match[2]))
    if len(headers) > MAX_HEADERS:
        raise HttpError(431, f"more than {MAX_HEADERS} headers")
    return RequestHead(method, target, version, tuple(headers))


def body_length(head: RequestHead, max_body: int) -> int | None:
    """The body's size from Content-Length, None when there is none; HttpError when it cannot be trusted."""
    if head.header("transfer-encoding") is not None:
        raise HttpError(411, "Transfer-Encoding is not accepted: send the body with a Content-Length")
    values = head.values("content-length")
    if not values:
        return None
    if len(set(values)) > 1:
        raise HttpError(400, "conflicting Content-Length headers")
    if not re.fullmatch(r"[0-9]+", values[0]):
        raise HttpError(400, f"Content-Length must be a whole number of bytes, not {shown(values[0])}")
    if len(values[0]) > 18 or int(values[0]) > max_body:   # int() of a 5000-digit string would raise
        size = f"{int(values[0]):,}" if len(values[0]) <= 18 else f"{values[0][:12]}... ({len(values[0])} digits)"
        raise HttpError(413, f"request body of {size} bytes is larger than the limit of {max_body:,}")
    return int(values[0])


class RequestReader:
    """Reads one request from a socket within a total time, so that a slow or silent client gets 408
    instead of holding its thread."""

    def __init__(self, sock: socket.socket, seconds: float):
        self._sock, self._seconds = sock, seconds
        self._deadline = time.monotonic() + seconds
        self._buffer = bytearray()

    def _receive(self) -> bytes:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise HttpError(408, f"request not received within {self._seconds:g} s")
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv(65_536)
        except TimeoutError:
            raise HttpError(408, f"request not received within {self._seconds:g} s") from None

    def head(self, max_head: int) -> bytes:
        """The bytes up to the blank line that ends the headers (which is consumed)."""
        while True:
            end = _HEAD_END.search(self._buffer)
            if end and end.start() <= max_head:
                head = bytes(self._buffer[:end.start()])
                del self._buffer[:end.end()]
                return head
            if len(self._buffer) > max_head:
                if b"\n" not in self._buffer[:max_head]:
                    raise HttpError(414, f"request line longer than {max_head:,} bytes: send long queries by POST")
                raise HttpError(431, f"request headers larger than {max_head:,} bytes")
            chunk = self._receive()
            if not chunk:
                if not self._buffer.strip():
                    raise ClientGone()
                raise HttpError(400, "request ended before its headers did")
            self._buffer += chunk

    def send_continue(self) -> None:
        """Tells a client that waits for it (Expect: 100-continue) to send its body."""
        self._sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def body(self, length: int) -> bytes:
        while len(self._buffer) < length:
            chunk = self._receive()
            if not chunk:
                raise HttpError(400, f"body ended after {len(self._buffer):,} of {length:,} bytes (Content-Length)")
            self._buffer += chunk
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return body


def render(response: Response, head_only: bool = False) -> bytes:
    """The bytes of a response; every response closes its connection."""
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {response.status} {phrase}", f"Content-Type: {response.content_type}",
             f"Content-Length: {len(response.body)}", "Connection: close", "Cache-Control: no-store",
             "X-Content-Type-Options: nosniff", "Server: ivd-kg-sparql/2"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (b"" if head_only else response.body)


def text_response(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    return Response(status, (message + "\n").encode("utf-8"), headers=headers)


# ---------------------------------------------------------------------------------------------
# Who may call: the Host header must name this server; a browser's Origin must be allowed.

def host_name(host: str) -> str:
    """The name in a Host header, without port or brackets, lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        host = host.split(":")[0]
    return host.rstrip(".")


def served_names(bound_host: str, allow_hosts: tuple[str, ...]) -> frozenset[str]:
    """The Host names this server answers to: the loopback names, the address it is bound to and any allowed."""
    names = {*LOOPBACK_NAMES, *(host_name(h) for h in allow_hosts)}
    if bound_host not in ("", "0.0.0.0", "::"):
        names.add(host_name(bound_host))
    return frozenset(names)


def check_host(head: RequestHead, names: frozenset[str], port: int) -> None:
    """Refuses a Host this server does not go by: a page whose DNS name was re-pointed at 127.0.0.1."""
    host = head.header("host")
    if host is None or "*" in names or host_name(host) in names:
        return
    raise HttpError(403, f"Host {shown(host)} is not served here (DNS-rebinding protection): "
                         f"use http://127.0.0.1:{port}/sparql, or start kg serve with --allow-host NAME")


def origin_allowed(origin: str, names: frozenset[str], port: int, allow_origins: tuple[str, ...]) -> bool:
    """An origin named with --allow-origin (or any, with "*"), or this server's own."""
    if "*" in allow_origins or origin in allow_origins:
        return True
    try:
        url = urlsplit(origin)
        return url.scheme == "http" and url.hostname in names and url.port == port and url.path == ""
    except ValueError:
        return False


def cors_headers(head: RequestHead, names: frozenset[str], port: int,
                 allow_origins: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The CORS headers for a request; HttpError(403) for a web origin that is not allowed (a page the
    user happens to visit must not be able to query, nor load, the endpoint)."""
    origin = head.header("origin")
    if origin is None:
        return ()
    if not origin_allowed(origin, names, port, allow_origins):
        raise HttpError(403, f"origin {shown(origin)} may not use this endpoint: start kg serve with "
                             f"--allow-origin ORIGIN to allow it")
    return (("Access-Control-Allow-Origin", "*" if "*" in allow_origins else origin), ("Vary", "Origin"))


# ---------------------------------------------------------------------------------------------
# The SPARQL 1.1 Protocol: where the query is, and what is refused before any worker sees it.

def form_fields(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=100, errors="strict")
    except UnicodeDecodeError:
        raise HttpError(400, "parameters are not UTF-8 once percent-decoded") from None
    except ValueError:
        raise HttpError(400, "more than 100 parameters") from None


def utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request body is not UTF-8") from None


def sparql_of(head: RequestHead, body: bytes) -> str:
    """The query text of a protocol request; HttpError for updates sent as such and for no or several queries."""
    if head.method == "POST":
        kind = (head.header("content-type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise HttpError(403, READ_ONLY)
        if kind == "application/sparql-query":
            return utf8(body)
        if kind != "application/x-www-form-urlencoded":
            raise HttpError(415, "unsupported Content-Type: use application/sparql-query or a form")
        fields = form_fields(utf8(body))
    else:
        fields = form_fields(urlsplit(head.target).query)
    if "update" in fields:
        raise HttpError(403, READ_ONLY)
    queries = fields.get("query", [])
    if len(queries) > 1:
        raise HttpError(400, "more than one query parameter: send one query per request")
    if not queries or not queries[0].strip():
        raise HttpError(400, "missing query: GET /sparql?query=... or POST it")
    return queries[0]


def refusal(sparql: str, allow_service: bool) -> str | None:
    """Why the endpoint refuses this text before evaluating it (an update, a SERVICE clause), or None."""
    tokens = sparql_tokens(sparql)
    if query_form(tokens) in UPDATE_FORMS:
        return READ_ONLY
    if not allow_service and calls_service(tokens):
        return NO_SERVICE
    return None


# ---------------------------------------------------------------------------------------------
# Query workers: the messages they exchange with the server, and their own side.

@dataclass(frozen=True)
class QueryJob:
    sparql: str
    accept: str
    timeout: float
    max_result: int

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> QueryJob:
        return cls(**json.loads(data))


@dataclass(frozen=True)
class QueryReply:
    status: int
    media: str
    body: bytes

    def encode(self) -> bytes:
        return json.dumps({"status": self.status, "media": self.media}).encode("utf-8") + b"\n" + self.body

    @classmethod
    def decode(cls, data: bytes) -> QueryReply:
        header, _, body = data.partition(b"\n")
        fields = json.loads(header)
        return cls(int(fields["status"]), str(fields["media"]), body)


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
WORKER_GRACE = 2.0   # seconds a worker outlives its query's limit before it kills itself


def _choose(accept: str, options):
    """The first option the Accept header names (ignoring q-values), else the first option."""
    wanted = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    for media in wanted:
        for name, fmt in options:
            if media == name:
                return name, fmt
    return options[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def evaluate(store: ox.Store, job: QueryJob) -> QueryReply:
    """Runs one query and serialises its result within the job's size and time limits."""
    too_large = QueryReply(413, "text/plain", f"result larger than {job.max_result:,} bytes: add a LIMIT\n".encode())
    too_slow = QueryReply(503, "text/plain", f"query time limit ({job.timeout:g} s) exceeded\n".encode())
    try:
        result = store.query(job.sparql, use_default_graph_as_union=True)
        buffer = _BoundedBuffer(job.max_result, time.monotonic() + job.timeout)
        if isinstance(result, ox.QueryTriples):
            media, fmt = _choose(job.accept, _GRAPH_TYPES)
            ox.serialize(result, buffer, format=fmt)
        else:
            media, fmt = _choose(job.accept, _RESULT_TYPES)
            result.serialize(buffer, format=fmt)
        return QueryReply(200, media, buffer.value())
    except (SyntaxError, ValueError) as exc:
        return QueryReply(400, "text/plain", f"bad query: {_first_line(exc)}\n".encode())
    except ResultTooLarge:
        return too_large
    except QueryTimeout:
        return too_slow
    except OSError as exc:  # pyoxigraph reports an exception raised while writing as an OSError
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, ResultTooLarge) or "ResultTooLarge" in repr(exc):
            return too_large
        if isinstance(cause, QueryTimeout) or "QueryTimeout" in repr(exc):
            return too_slow
        return QueryReply(502, "text/plain", f"query failed: {_first_line(exc)}\n".encode())
    except RuntimeError as exc:  # evaluation errors, such as an unbound SERVICE variable
        return QueryReply(400, "text/plain", f"query failed: {_first_line(exc)}\n".encode())


def isolate_from_network() -> bool:
    """Moves this still single-threaded process into new user and network namespaces, where no address
    is reachable: a SERVICE clause that got past `calls_service` still reaches nothing. False where the
    OS does not allow it (not Linux, or unprivileged namespaces disabled)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x10000000 | 0x40000000) == 0   # CLONE_NEWUSER | CLONE_NEWNET
    except (OSError, AttributeError):
        return False


def worker_main() -> None:
    """A query worker: `python -c ... STORE network|none`. Opens STORE read-only, then answers one
    QueryJob at a time from standard input until it closes; past a job's limit it kills itself."""
    store_path, network = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the server, which then stops its workers
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)                                  # a stray print must not corrupt the replies
    requests = Connection(0, writable=False)
    isolated = network == "none" and isolate_from_network()
    try:
        store = ox.Store.read_only(store_path)
    except OSError as exc:
        replies.send_bytes(json.dumps({"error": _first_line(exc)}).encode())
        sys.exit(1)
    replies.send_bytes(json.dumps({"isolated": isolated}).encode())
    while True:
        try:
            job = QueryJob.decode(requests.recv_bytes())
        except EOFError:
            return
        signal.setitimer(signal.ITIMER_REAL, job.timeout + WORKER_GRACE)   # SIGALRM's default action ends the process
        reply = evaluate(store, job)
        signal.setitimer(signal.ITIMER_REAL, 0)
        replies.send_bytes(reply.encode())


# ---------------------------------------------------------------------------------------------
# The server's side of the workers.

class WorkerLost(Exception):
    """A worker that cannot be used again: it ran past its limit (and was killed) or it died."""

    def __init__(self, reply: QueryReply, started: bool):
        super().__init__(reply.body.decode())
        self.reply, self.started = reply, started


class QueryWorker:
    """One worker process and the two pipes to it."""

    def __init__(self, process: subprocess.Popen, requests: Connection, replies: Connection, isolated: bool):
        self.process, self.requests, self.replies, self.isolated = process, requests, replies, isolated

    @classmethod
    def start(cls, store_path: Path, allow_network: bool, start_seconds: float = 30.0) -> QueryWorker:
        """A worker that has opened the store; ServeError if it could not."""
        to_worker, from_worker = os.pipe(), os.pipe()
        kg_root = str(Path(__file__).resolve().parents[1])   # the worker imports this very copy of kg
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [kg_root, os.environ.get("PYTHONPATH")]))}
        requests, replies = Connection(to_worker[1], readable=False), Connection(from_worker[0], writable=False)
        try:
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", "from kg.serve import worker_main; worker_main()", str(store_path),
                 "network" if allow_network else "none"], stdin=to_worker[0], stdout=from_worker[1], env=env)
        except OSError as exc:
            requests.close()
            replies.close()
            raise ServeError(f"cannot start a query worker: {_first_line(exc)}") from None
        finally:
            os.close(to_worker[0])
            os.close(from_worker[1])
        worker = cls(process, requests, replies, False)
        try:
            hello = json.loads(replies.recv_bytes()) if replies.poll(start_seconds) else \
                {"error": f"it did not start within {start_seconds:g} s"}
        except (EOFError, OSError, ValueError) as exc:
            hello = {"error": f"it stopped ({_first_line(exc)})"}
        if "error" in hello:
            worker.stop()
            raise ServeError(f"{store_path}: a query worker could not open the graph: {hello['error']}")
        worker.isolated = bool(hello.get("isolated"))
        return worker

    @property
    def pid(self) -> int:
        return self.process.pid

    def run(self, job: QueryJob) -> QueryReply:
        """The worker's reply; WorkerLost if it is past the job's time limit or gone."""
        try:
            self.requests.send_bytes(job.encode())
        except OSError:
            raise WorkerLost(QueryReply(503, "text/plain", b"query worker gone\n"), started=False) from None
        if not self.replies.poll(job.timeout):
            raise WorkerLost(QueryReply(503, "text/plain", f"query time limit ({job.timeout:g} s) exceeded: "
                                        f"the query was stopped\n".encode()), started=True)
        try:
            return QueryReply.decode(self.replies.recv_bytes(job.max_result + 65_536))
        except (EOFError, OSError, ValueError, KeyError):
            self.process.poll()
            return_code = self.process.returncode
            raise WorkerLost(QueryReply(500, "text/plain", f"query failed: its worker process stopped "
                                        f"(exit status {return_code})\n".encode()), started=True) from None

    def kill(self) -> None:
        """Ends the process; the thread using the worker then sees it gone and stops it."""
        self.process.kill()

    def stop(self) -> None:
        for connection in (self.requests, self.replies):
            connection.close()
        self.process.kill()
        self.process.wait()


@dataclass(frozen=True)
class PoolState:
    idle: tuple[int, ...]   # worker process ids
    busy: tuple[int, ...]
    isolated: bool          # whether the workers have no network access


class WorkerPool:
    """Up to `size` worker processes, each running one query at a time. A query waits for a free worker
    (starting one while fewer than `size` run); a worker past its limit is killed and another started."""

    def __init__(self, store_path: Path, size: int, allow_network: bool, warm: int = 2):
        self._store_path, self._size, self._allow_network, self._warm = store_path, size, allow_network, min(warm, size)
        self._lock = threading.Condition()
        self._idle: list[QueryWorker] = []
        self._busy: set[QueryWorker] = set()
        self._starting = 0
        self._closed = False
        self._isolated = False
        try:
            for _ in range(self._warm):
                self._add_idle(QueryWorker.start(store_path, allow_network))
        except BaseException:
            self.close()
            raise

    def _add_idle(self, worker: QueryWorker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._isolated = worker.isolated
            self._idle.append(worker)
            self._lock.notify()

    def state(self) -> PoolState:
        with self._lock:
            return PoolState(tuple(w.pid for w in self._idle), tuple(w.pid for w in self._busy), self._isolated)

    def _acquire(self, deadline: float) -> QueryWorker | None:
        with self._lock:
            while True:
                if self._closed:
                    raise ServeError("the endpoint is shutting down")
                if self._idle:
                    worker = self._idle.pop()
                    self._busy.add(worker)
                    return worker
                if len(self._busy) + self._starting < self._size:
                    self._starting += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(remaining)
        try:
            worker = QueryWorker.start(self._store_path, self._allow_network)
        finally:
            with self._lock:
                self._starting -= 1
                self._lock.notify()
        with self._lock:
            self._busy.add(worker)
        return worker

    def _release(self, worker: QueryWorker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            keep = healthy and not self._closed
            if keep:
                self._idle.append(worker)
            self._lock.notify()
            top_up = not self._closed and len(self._idle) + len(self._busy) + self._starting < self._warm
        if not keep:
            worker.stop()
        if top_up:
            threading.Thread(target=self._start_spare, daemon=True).start()

    def _start_spare(self) -> None:
        try:
            self._add_idle(QueryWorker.start(self._store_path, self._allow_network))
        except ServeError as exc:
            print(f"kg serve: {exc}", file=sys.stderr)

    def run(self, job: QueryJob, wait_seconds: float) -> QueryReply:
        """The reply to `job`, from the first worker free within `wait_seconds`."""
        deadline = time.monotonic() + wait_seconds
        for _ in range(3):   # a worker found dead before it took the job is replaced
            worker = self._acquire(deadline)
            if worker is None:
                return QueryReply(503, "text/plain", f"server busy: {self._size} queries running for over "
                                  f"{wait_seconds:g} s; try again later\n".encode())
            try:
                reply = worker.run(job)
            except WorkerLost as lost:
                self._release(worker, healthy=False)
                if lost.started:
                    return lost.reply
                continue
            except BaseException:
                self._release(worker, healthy=False)
                raise
            self._release(worker, healthy=True)
            return reply
        raise ServeError("query workers keep dying on start")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, busy = [*self._idle], [*self._busy]
            self._idle.clear()
            self._lock.notify_all()
        for worker in idle:
            worker.stop()
        for worker in busy:   # their threads are reading from them: they stop them once they see them die
            worker.kill()


# ---------------------------------------------------------------------------------------------
# The server.

def snapshot_store(store: ox.Store, path: Path) -> None:
    """Copies `store` into a new on-disk store at `path`, for worker processes to open read-only."""
    dump = path.with_suffix(".nq")
    store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
    disk = ox.Store(str(path))
    disk.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    disk.flush()
    del disk   # closes the database before any worker opens it
    dump.unlink()


class SparqlServer(socketserver.ThreadingTCPServer):
    """A thread per connection, at most `max_connections` at once, behind a deep listen backlog."""
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    DRAIN_SECONDS, DRAIN_BYTES, WRITE_SECONDS = 1.0, 16 << 20, 60.0

    def __init__(self, address: tuple[str, int], options: ServeOptions, pool: WorkerPool, folder: Path,
                 verbose: bool = False):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.request_queue_size = options.backlog
        super().__init__(address, SparqlRequestHandler)
        self.options, self.pool, self.folder, self.verbose = options, pool, folder, verbose
        self.names = served_names(address[0], options.allow_hosts)
        self._slots = threading.BoundedSemaphore(options.max_connections)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def process_request(self, request, client_address) -> None:
        self._slots.acquire()   # when every slot is taken, later connections wait in the backlog
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown_request(self, request: socket.socket) -> None:
        """Closes after the client has read the answer: unread request bytes would turn the close into a
        reset that can destroy the answer (a 413 to a body never read, for instance)."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(self.DRAIN_SECONDS)
            deadline, drained = time.monotonic() + self.DRAIN_SECONDS, 0
            while time.monotonic() < deadline and drained < self.DRAIN_BYTES:
                chunk = request.recv(65_536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request, client_address) -> None:
        print(f"kg serve: request from {client_address[0]} failed: {_first_line(sys.exc_info()[1])}", file=sys.stderr)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def respond(self, head: RequestHead, reader: RequestReader) -> Response:
        check_host(head, self.names, self.port)
        cors = cors_headers(head, self.names, self.port, self.options.allow_origins)
        try:
            response = self._route(head, reader)
        except HttpError as error:
            response = text_response(error.status, error.reason, error.headers)
        return Response(response.status, response.body, response.content_type, response.headers + cors)

    def _route(self, head: RequestHead, reader: RequestReader) -> Response:
        length = body_length(head, self.options.max_body)
        path = urlsplit(head.target).path
        if path not in ("/", "/sparql"):
            raise HttpError(404, "not found: the endpoint is /sparql")
        if head.method == "OPTIONS":
            return Response(204, b"", headers=(("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                                               ("Access-Control-Allow-Headers", "Content-Type, Accept"),
                                               ("Access-Control-Max-Age", "600")))
        allowed = ("GET", "HEAD", "POST") if path == "/sparql" else ("GET", "HEAD")
        if head.method not in allowed:
            raise HttpError(405, f"method {shown(head.method)} not allowed here", (("Allow", ", ".join(allowed)),))
        if path == "/":
            return text_response(200, "IVD-KG read-only SPARQL endpoint: GET or POST /sparql (SPARQL 1.1 Protocol).")
        body = b""
        if head.method == "POST":
            if length is None:
                raise HttpError(411, "POST needs a Content-Length")
            if head.header("expect", "").lower() == "100-continue" and head.version == "HTTP/1.1":
                reader.send_continue()
            body = reader.body(length)
        return self.answer(sparql_of(head, body), head.header("accept", ""))

    def answer(self, sparql: str, accept: str) -> Response:
        reason = refusal(sparql, self.options.allow_service)
        if reason:
            return text_response(403, reason)
        job = QueryJob(sparql, accept, self.options.timeout, self.options.max_result)
        try:
            reply = self.pool.run(job, wait_seconds=self.options.timeout)
        except ServeError as exc:
            return text_response(503, f"no query worker available: {exc}")
        return Response(reply.status, reply.body, reply.media + "; charset=utf-8")


class SparqlRequestHandler(socketserver.BaseRequestHandler):
    """One connection: one request read within its limits, one response, then the connection is closed."""
    server: SparqlServer

    def handle(self) -> None:
        started = time.monotonic()
        options = self.server.options
        reader = RequestReader(self.request, options.read_seconds)
        head = None
        try:
            head = parse_head(reader.head(options.max_head))
            response = self.server.respond(head, reader)
        except HttpError as error:
            response = text_response(error.status, error.reason, error.headers)
        except (ClientGone, OSError):   # the client is gone or stuck: there is no one to answer
            return
        except Exception as exc:   # a bug: answered and logged in one line, never a traceback to the client
            print(f"kg serve: internal error: {type(exc).__name__}: {_first_line(exc)}", file=sys.stderr)
            response = text_response(500, f"internal error ({type(exc).__name__})")
        try:
            self.request.settimeout(self.server.WRITE_SECONDS)
            self.request.sendall(render(response, head_only=head is not None and head.method == "HEAD"))
        except OSError:
            return
        if self.server.verbose:
            request = f"{head.method} {head.target}" if head else "-"
            print(f"{self.client_address[0]} {shown(request, 200)} {response.status} {len(response.body)} "
                  f"{(time.monotonic() - started) * 1000:.0f}ms", file=sys.stderr)


def make_server(store: ox.Store, host: str = "127.0.0.1", port: int = 7878, options: ServeOptions = ServeOptions(),
                verbose: bool = False) -> SparqlServer:
    """An endpoint over a read-only on-disk copy of `store`, listening with its first workers started.
    Raises OSError when it cannot listen, ServeError when no worker can open the copy."""
    folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    pool = None
    try:
        snapshot_store(store, folder / "store")
        pool = WorkerPool(folder / "store", options.workers, options.allow_service)
        return SparqlServer((host, port), options, pool, folder, verbose)
    except BaseException:
        if pool is not None:
            pool.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise


def serve_until_stopped(server: SparqlServer) -> None:
    """Serves until Ctrl-C or SIGTERM, then stops the workers and removes the graph's copy (a plain
    SIGTERM would leave both behind)."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


def serve_in_thread(server: SparqlServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
