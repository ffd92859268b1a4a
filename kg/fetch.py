"""`kg fetch`: PubMed abstracts and PMC open-access full texts from NCBI E-utilities into a corpus folder.

The only module that uses the network, and only when asked. It keeps to NCBI's rules (at most 3
requests a second, 10 with an API key; tool and e-mail named on every request), retries with
backoff, gives each request a deadline for the whole exchange, and writes a manifest so that an
interrupted fetch resumes where it stopped. The API key and e-mail come from NCBI_API_KEY and NCBI_EMAIL.

Replies are not trusted: every id a reply names is checked against a strict pattern before a file
name is made from it, and nothing is ever written outside the output folder.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from lxml import etree

from .readers.xmlsafe import local, parse_xml, text_of

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
BATCH = 200
TIMEOUT = 10.0   # seconds one request may take in all: name lookup, connect, reading, retries and their waits
RETRIES = 2      # further attempts after a failed one (429, 5xx, a network error), while time remains
MAX_REPLY_BYTES = 200_000_000  # a reply larger than this is refused, not held in memory

Transport = Callable[[str, float], bytes]  # (url, seconds it may take) -> body

_PMID = re.compile(r"[0-9]{1,9}")
_PMCID = re.compile(r"PMC[0-9]{1,9}")
_FILE_NAME = re.compile(r"(?:PMID_[0-9]{1,9}\.pubmed\.xml|PMC[0-9]{1,9}\.nxml)")


class FetchError(Exception):
    pass


def http_get(url: str, timeout: float = TIMEOUT) -> bytes:
    """GET `url` within `timeout` seconds for the whole exchange, not per socket operation: a server or
    proxy that accepts and then says nothing, or trickles bytes, costs `timeout` and no more."""
    outcome: dict[str, object] = {}

    def run() -> None:
        request = urllib.request.Request(url, headers={"User-Agent": "ivd-kg (https://w3id.org/ivd-kg)"})
        try:
            opener = urllib.request.build_opener()  # reads the proxy settings of the environment now
            with opener.open(request, timeout=timeout) as response:  # noqa: S310 (an E-utilities URL)
                body = response.read(MAX_REPLY_BYTES + 1)
            if len(body) > MAX_REPLY_BYTES:
                raise FetchError(f"a reply of over {MAX_REPLY_BYTES:,} bytes")
            outcome["body"] = body
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="kg-fetch-request", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():  # left behind (a daemon): it ends at its next socket timeout or with the process
        raise TimeoutError(f"no complete answer in {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["body"]  # type: ignore[return-value]


@dataclass
class Client:
    """E-utilities requests with rate limiting, bounded retries and a deadline per request."""
    transport: Transport = http_get
    api_key: str | None = None
    email: str | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    timeout: float = TIMEOUT   # seconds for one request, all its attempts and waits included
    retries: int = RETRIES
    _last: float = field(default=-1e9, repr=False)
    requests: int = 0

    @classmethod
    def from_environment(cls, transport: Transport = http_get, timeout: float = TIMEOUT,
                         retries: int = RETRIES) -> "Client":
        return cls(transport, os.environ.get("NCBI_API_KEY") or None, os.environ.get("NCBI_EMAIL") or None,
                   timeout=timeout, retries=retries)

    @property
    def interval(self) -> float:
        return 0.1 if self.api_key else 0.34

    def get(self, endpoint: str, **params: str) -> bytes:
        params = {k: v for k, v in params.items() if v is not None}
        params["tool"] = "ivd-kg"
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        url = EUTILS + endpoint + "?" + urllib.parse.urlencode(sorted(params.items()))
        deadline = self.clock() + self.timeout
        delay, problem, attempts = 1.0, "no answer", 0
        for attempt in range(self.retries + 1):
            wait = self._last + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            self._last = self.clock()
            self.requests += 1
            attempts += 1
            try:
                return self.transport(url, remaining)
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 500, 502, 503, 504):
                    raise FetchError(f"{endpoint}: HTTP {exc.code}") from None
                problem = f"HTTP {exc.code}"
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                problem = str(getattr(exc, "reason", exc))
            if attempt == self.retries or self.clock() + delay >= deadline:
                break
            self.sleep(delay)
            delay *= 2
        raise FetchError(f"{endpoint}: {problem} (gave up after {attempts} attempt(s) in the {self.timeout:g} s "
                         "allowed; see --timeout and --retries)")


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    requests: int = 0


def classify(identifier: str) -> tuple[str, str]:
    """('pmid', '123'), ('pmcid', 'PMC123') or ('doi', '10.x/y')."""
    value = identifier.strip()
    low = value.lower()
    for prefix in ("pmid:", "pubmed:"):
        if low.startswith(prefix):
            value, low = value[len(prefix):], low[len(prefix):]
    if low.startswith("pmcid:"):
        value = value[6:]
    if _PMID.fullmatch(value):
        return "pmid", value
    if re.fullmatch(r"(?i)pmc[0-9]{1,9}", value):
        return "pmcid", value.upper()
    doi = re.search(r"10\.\d{4,9}/\S+", value)
    if doi:
        return "doi", doi.group(0)
    raise FetchError(f"{identifier!r} is not a PMID, PMCID or DOI")


class Manifest:
    """What has been fetched, kept in OUT/manifest.json, written after every item so a fetch can resume."""

    def __init__(self, folder: Path):
        self.path = folder / "manifest.json"
        self.items: dict[str, dict] = self._load() if self.path.is_file() else {}

    def _load(self) -> dict[str, dict]:
        try:
            items = json.loads(self.path.read_text(encoding="utf-8"))["items"]
            if not (isinstance(items, dict) and all(isinstance(v, dict) for v in items.values())):
                raise TypeError("items are not objects")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"{self.path}: damaged manifest ({exc}); move it away to fetch again") from None
        return items

    def done(self, key: str) -> bool:
        entry = self.items.get(key)
        return bool(entry and entry.get("status") == "done" and safe_file_name(entry.get("file"))
                    and (self.path.parent / entry["file"]).is_file())

    def pmcid(self, key: str) -> str | None:
        """The PMC id recorded for an article, if it is a well-formed one."""
        return pmcid_of((self.items.get(key) or {}).get("pmcid"))

    def record(self, key: str, file: str | None, status: str = "done", reason: str = "", **extra: str) -> None:
        self.items[key] = {"file": file, "status": status, **({"reason": reason} if reason else {}),
                           **{k: v for k, v in extra.items() if v}}
        _write(self.path.parent, self.path.name,
               (json.dumps({"items": dict(sorted(self.items.items()))}, indent=1) + "\n").encode("utf-8"))


def pmid_of(value: object) -> str | None:
    """A PMID as a reply or a manifest gives it, if it is one (digits only), else None."""
    text = value.strip() if isinstance(value, str) else ""
    return text if _PMID.fullmatch(text) else None


def pmcid_of(value: object) -> str | None:
    """'PMC123' from 'PMC123', 'pmc123' or '123'; None for anything else (such as '../../escaped')."""
    text = value.strip().upper() if isinstance(value, str) else ""
    text = "PMC" + text if _PMID.fullmatch(text) else text
    return text if _PMCID.fullmatch(text) else None


def safe_file_name(name: object) -> bool:
    """Is `name` one of the file names fetch makes (PMID_<digits>.pubmed.xml, PMC<digits>.nxml)?"""
    return isinstance(name, str) and _FILE_NAME.fullmatch(name) is not None


def search(client: Client, query: str, limit: int) -> list[str]:
    """The PMIDs a search gives (ids of any other form in the reply are left out)."""
    root = parse_xml(client.get("esearch.fcgi", db="pubmed", term=query, retmax=str(limit)), "esearch")
    ids = (pmid_of(text_of(e)) for e in root.iter() if local(e.tag) == "Id")
    return [i for i in ids if i][:limit]


def dois_to_pmids(client: Client, dois: Iterable[str]) -> dict[str, str]:
    out = {}
    for doi in dois:
        ids = search(client, f"{doi}[doi]", 1)
        if ids:
            out[doi] = ids[0]
    return out


def fetch(identifiers: Iterable[str], out: Path, client: Client, query: str | None = None, limit: int = 100,
          full_text: bool = True, progress: Callable[[str], None] = lambda item: None) -> FetchReport:
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(out)
    report = FetchReport()
    pmids, pmcids = [], []
    dois = []
    for identifier in identifiers:
        kind, value = classify(identifier)
        {"pmid": pmids, "pmcid": pmcids, "doi": dois}[kind].append(value)
    if query:
        pmids += search(client, query, limit)
    resolved = dois_to_pmids(client, dois)
    for doi in dois:
        if doi in resolved:
            pmids.append(resolved[doi])
        else:
            report.failed[f"DOI:{doi}"] = "no PubMed record with this DOI"
    pmids = list(dict.fromkeys(pmids))
    todo = [p for p in pmids if not manifest.done(f"PMID:{p}")]
    report.already += [f"PMID:{p}" for p in pmids if p not in todo]
    if full_text:  # full texts of articles fetched before, known from the manifest
        pmcids += [pmcid for p in pmids if p not in todo and (pmcid := manifest.pmcid(f"PMID:{p}"))]
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        data = client.get("efetch.fcgi", db="pubmed", id=",".join(batch), retmode="xml")
        root = parse_xml(data, "efetch pubmed")
        found = set()
        for article in (e for e in root.iter() if local(e.tag) == "PubmedArticle"):
            pmid = pmid_of(text_of(next((e for e in article.iter() if local(e.tag) == "PMID"), None)))
            if pmid is None or pmid not in batch or pmid in found:  # only the articles asked for, once each
                continue
            found.add(pmid)
            name = f"PMID_{pmid}.pubmed.xml"
            xml = b"<?xml version='1.0' encoding='UTF-8'?>\n<PubmedArticleSet>" + etree.tostring(article) + b"</PubmedArticleSet>\n"
            _write(out, name, xml)
            named = next((text_of(e) for e in article.iter() if local(e.tag) == "ArticleId" and e.get("IdType") == "pmc"), "")
            pmc = pmcid_of(named)
            if named and pmc is None:
                report.failed[f"PMID:{pmid} full text"] = f"the reply names a malformed PMC id {named[:40]!r}"
            manifest.record(f"PMID:{pmid}", name, pmcid=pmc or "")
            report.fetched.append(f"PMID:{pmid}")
            progress(f"PMID:{pmid}")
            if full_text and pmc and pmc not in pmcids:
                pmcids.append(pmc)
        for pmid in batch:
            if pmid not in found:
                manifest.record(f"PMID:{pmid}", None, "failed", "not returned by PubMed")
                report.failed[f"PMID:{pmid}"] = "not returned by PubMed"
    for pmcid in dict.fromkeys(pmcids):
        key = pmcid
        if manifest.done(key):
            report.already.append(key)
            continue
        try:
            data = client.get("efetch.fcgi", db="pmc", id=pmcid.removeprefix("PMC"), retmode="xml")
            root = parse_xml(data, f"efetch pmc {pmcid}")
        except Exception as exc:  # a network or parse problem with one article: record it, go on
            manifest.record(key, None, "failed", str(exc))
            report.failed[key] = str(exc)
            continue
        article = next((e for e in root.iter() if local(e.tag) == "article"), None)
        if article is None or next((e for e in article.iter() if local(e.tag) == "body"), None) is None:
            reason = "no open-access full text"
            manifest.record(key, None, "failed", reason)
            report.failed[key] = reason
            continue
        name = f"{pmcid}.nxml"
        _write(out, name, b"<?xml version='1.0' encoding='UTF-8'?>\n" + etree.tostring(article) + b"\n")
        manifest.record(key, name)
        report.fetched.append(key)
        progress(key)
    report.requests = client.requests
    return report


def _write(folder: Path, name: str, data: bytes) -> None:
    """Write `folder/name` atomically; `name` must be a plain file name that stays inside `folder`."""
    if not (safe_file_name(name) or name == "manifest.json"):
        raise FetchError(f"refusing to write {name[:80]!r}: not a file name fetch makes")
    path = folder / name
    if path.resolve().parent != folder.resolve():  # a symlink planted in the folder
        raise FetchError(f"refusing to write {path}: it leads outside {folder}")
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
