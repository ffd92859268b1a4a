"""kg fetch against recorded E-utilities responses: rate limits, retries, resumable manifest, a graph at the end."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.fetch import Client, FetchError, classify, fetch

RECORDED = Path(__file__).parent / "fixtures" / "eutils"


class Recorded:
    """Answers E-utilities URLs from recorded files; counts calls; can fail the first calls."""

    def __init__(self, failures: int = 0):
        self.calls: list[dict] = []
        self.failures = failures

    def __call__(self, url: str) -> bytes:
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
