"""kg fetch against recorded E-utilities responses: rate limits, retries, resumable manifest, a graph at the end."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.fetch import Client, FetchError, classify, fetch, http_get

RECORDED = Path(__file__).parent / "fixtures" / "eutils"


class Recorded:
    """Answers E-utilities URLs from recorded files; counts calls; can fail the first calls."""

    def __init__(self, failures: int = 0):
        self.calls: list[dict] = []
        self.failures = failures

    def __call__(self, url: str, timeout: float = 10.0) -> bytes:
        parsed = urllib.parse.urlparse(url)
        params = dict(urllib.parse.parse_qsl(parsed.query))
        self.calls.append({"endpoint": parsed.path.rsplit("/", 1)[-1], **params})
        if self.failures:
            self.failures -= 1
            raise urllib.error.HTTPError(url, 503, "busy", {}, None)
        assert parsed.scheme == "https" and parsed.netloc == "eutils.ncbi.nlm.nih.gov"
        if parsed.path.endswith("esearch.fcgi"):
            if params["term"].endswith("[doi]"):
                return (RECORDED / ("esearch_doi.xml" if "recorded.3" in params["term"] else "esearch_empty.xml")).read_bytes()
            return (RECORDED / "esearch_query.xml").read_bytes()
        if params["db"] == "pubmed":
            return (RECORDED / "efetch_pubmed.xml").read_bytes()
        return (RECORDED / "efetch_pmc.xml").read_bytes()


class Clock:
    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def time(self):
        return self.now


def client(transport, api_key=None):
    clock = Clock()
    return Client(transport, api_key, "dev@example.org", clock.sleep, clock.time), clock


def test_identifiers_are_classified():
    assert classify("PMID:123") == ("pmid", "123") and classify("pmc456") == ("pmcid", "PMC456")
    assert classify("https://doi.org/10.1155/sci/9974294") == ("doi", "10.1155/sci/9974294")
    with pytest.raises(FetchError):
        classify("not an id")


def test_a_recorded_query_fetch_builds_a_graph(tmp_path):
    transport = Recorded()
    c, clock = client(transport)
    report = fetch(["10.5555/recorded.3", "10.5555/unknown"], tmp_path / "corpus", c,
                   query="intervertebral disc stem cells", limit=2)
    assert sorted(report.fetched) == ["PMC9100001", "PMID:91000001", "PMID:91000002", "PMID:91000003"]
    assert report.failed == {"DOI:10.5555/unknown": "no PubMed record with this DOI"}
    assert all(call["tool"] == "ivd-kg" and call["email"] == "dev@example.org" for call in transport.calls)
    assert all(gap >= 0.33 for gap in clock.sleeps)  # at most 3 requests a second without a key
    manifest = json.loads((tmp_path / "corpus" / "manifest.json").read_text())
    assert manifest["items"]["PMC9100001"] == {"file": "PMC9100001.nxml", "status": "done"}
    assert manifest["items"]["PMID:91000001"]["pmcid"] == "PMC9100001"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "corpus"), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    edges = {(e["subject"], e["predicate"], e["object"]) for e in graph["edges"]}
    assert ("MESH:D000860", "hinders", "MESH:D045164") in edges
    assert ("IVDKG:hypoxic_preconditioning", "overcomes", "MESH:D000860") in edges  # from the full text
    assert "PMCID:PMC9100001" not in graph["documents"] and "DOI:10.5555/recorded.3" in graph["documents"]


def test_an_interrupted_fetch_resumes_without_asking_again(tmp_path):
    first, _ = client(Recorded())
    fetch([], tmp_path, first, query="q", limit=2)
    transport = Recorded()
    again, _ = client(transport)
    report = fetch([], tmp_path, again, query="q", limit=2)
    assert report.fetched == [] and sorted(report.already) == ["PMC9100001", "PMID:91000001", "PMID:91000002"]
    assert [c["endpoint"] for c in transport.calls] == ["esearch.fcgi"]  # nothing fetched twice


def test_retries_with_backoff_and_a_key_allows_ten_a_second(tmp_path):
    transport = Recorded(failures=2)
    c, clock = client(transport, api_key="KEY")
    fetch(["91000002"], tmp_path, c, full_text=False)
    assert [call["api_key"] for call in transport.calls] == ["KEY"] * 3
    assert 1.0 in clock.sleeps and 2.0 in clock.sleeps  # backoff after each failure
    assert c.interval == 0.1


def test_persistent_failure_is_one_clear_error(tmp_path):
    c, _ = client(Recorded(failures=10))
    with pytest.raises(FetchError, match="efetch.fcgi: HTTP 503"):
        fetch(["91000002"], tmp_path, c)


def test_fetch_command_needs_ids_or_a_query():
    result = CliRunner().invoke(main, ["fetch"])
    assert result.exit_code == 2 and "give identifiers" in result.output


class Hostile(Recorded):
    """Recorded replies edited to name ids that would lead outside the folder."""

    def __call__(self, url: str, timeout: float = 10.0) -> bytes:
        body = super().__call__(url, timeout)
        return (body.replace(b'IdType="pmc">PMC9100001<', b'IdType="pmc">../../escaped<')
                .replace(b'<PMID Version="1">91000003<', b'<PMID Version="1">../../91000003<'))


def test_ids_in_a_reply_never_lead_outside_the_folder(tmp_path):
    out = tmp_path / "a" / "corpus"
    c, _ = client(Hostile())
    report = fetch(["91000001", "91000002", "91000003"], out, c)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "PMID_91000001.pubmed.xml", "PMID_91000002.pubmed.xml", "manifest.json"]
    assert report.failed == {"PMID:91000001 full text": "the reply names a malformed PMC id '../../escaped'",
                             "PMID:91000003": "not returned by PubMed"}
    assert "escaped" not in (out / "manifest.json").read_text()


def test_a_fetch_where_every_item_failed_exits_non_zero(tmp_path, monkeypatch):
    c, _ = client(Recorded())
    monkeypatch.setattr(Client, "from_environment", classmethod(lambda cls, **_: c))
    result = CliRunner().invoke(main, ["fetch", "99999999", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "not fetched: PMID:99999999: not returned by PubMed" in result.output
    assert "nothing fetched: all 1 item(s) failed" in result.output
    assert not list(tmp_path.glob("*.xml"))  # the articles it did not ask for are not written either
    result = CliRunner().invoke(main, ["fetch", "99999999", "91000002", "-o", str(tmp_path), "--no-full-text"])
    assert result.exit_code == 3  # some failed, some fetched


def test_an_unresponsive_server_costs_one_deadline_per_item_not_minutes(tmp_path):
    clock = Clock()

    def hangs(url: str, timeout: float) -> bytes:  # accepts, then says nothing until the caller's deadline
        clock.now += timeout
        raise TimeoutError("timed out")
    c = Client(hangs, None, "dev@example.org", clock.sleep, clock.time)
    report = fetch(["PMC1", "PMC2"], tmp_path, c)
    assert sorted(report.failed) == ["PMC1", "PMC2"] and "gave up after" in report.failed["PMC1"]
    assert clock.now <= 2 * c.timeout + 1 and c.timeout <= 10  # a few seconds an item by default, not 2 minutes


@pytest.fixture
def silent_server():
    """A local server that accepts connections and never answers (an unresponsive proxy)."""
    server = socket.create_server(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_a_request_through_an_unresponsive_proxy_ends_at_its_deadline(silent_server, monkeypatch):
    for name in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, silent_server)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    c = Client(timeout=1.0, retries=2)
    started = time.monotonic()
    with pytest.raises(FetchError, match="efetch.fcgi: .*gave up after 1 attempt"):
        c.get("efetch.fcgi", db="pmc", id="1")
    assert time.monotonic() - started < 3


def test_a_trickling_reply_ends_at_the_deadline_of_the_whole_request():
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = server.accept()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while not stop.is_set():  # one byte at a time: no single read ever times out
            connection.sendall(b"x")
            time.sleep(0.05)
        connection.close()
    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            http_get(f"http://127.0.0.1:{server.getsockname()[1]}/", timeout=1.0)
        assert time.monotonic() - started < 2
    finally:
        stop.set()
        server.close()
