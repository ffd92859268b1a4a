"""`kg fetch`: PubMed abstracts and PMC open-access full texts from NCBI E-utilities into a corpus folder.

The only module that uses the network, and only when asked. It keeps to NCBI's rules (at most 3
requests a second, 10 with an API key; tool and e-mail named on every request), retries with
backoff, times out, and writes a manifest so that an interrupted fetch resumes where it stopped.
The API key and e-mail come from NCBI_API_KEY and NCBI_EMAIL.
"""
from __future__ import annotations

import json
import os
import re
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
TIMEOUT = 30
RETRIES = 4

Transport = Callable[[str], bytes]


class FetchError(Exception):
    pass


def http_get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "ivd-kg (https://w3id.org/ivd-kg)"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (https only, built here)
        return response.read()


@dataclass
class Client:
    """E-utilities requests with rate limiting and retries."""
    transport: Transport = http_get
    api_key: str | None = None
    email: str | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: float = field(default=-1e9, repr=False)
    requests: int = 0

    @classmethod
    def from_environment(cls, transport: Transport = http_get) -> "Client":
        return cls(transport, os.environ.get("NCBI_API_KEY") or None, os.environ.get("NCBI_EMAIL") or None)

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
        delay = 1.0
        for attempt in range(RETRIES):
            wait = self._last + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
            self._last = self.clock()
            self.requests += 1
            try:
                return self.transport(url)
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 500, 502, 503, 504) or attempt == RETRIES - 1:
                    raise FetchError(f"{endpoint}: HTTP {exc.code}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == RETRIES - 1:
                    raise FetchError(f"{endpoint}: {getattr(exc, 'reason', exc)}") from None
            self.sleep(delay)
            delay *= 2
        raise FetchError(f"{endpoint}: no answer")


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
    if re.fullmatch(r"\d{1,9}", value):
        return "pmid", value
    if re.fullmatch(r"(?i)pmc\d{1,9}", value):
        return "pmcid", value.upper()
    doi = re.search(r"10\.\d{4,9}/\S+", value)
    if doi:
        return "doi", doi.group(0)
    raise FetchError(f"{identifier!r} is not a PMID, PMCID or DOI")


class Manifest:
    """What has been fetched, kept in OUT/manifest.json, written after every item so a fetch can resume."""

    def __init__(self, folder: Path):
        self.path = folder / "manifest.json"
        self.items: dict[str, dict] = json.loads(self.path.read_text())["items"] if self.path.is_file() else {}

    def done(self, key: str) -> bool:
        entry = self.items.get(key)
        return bool(entry and entry.get("status") == "done" and (self.path.parent / entry["file"]).is_file())

    def record(self, key: str, file: str | None, status: str = "done", reason: str = "", **extra: str) -> None:
        self.items[key] = {"file": file, "status": status, **({"reason": reason} if reason else {}),
                           **{k: v for k, v in extra.items() if v}}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"items": dict(sorted(self.items.items()))}, indent=1) + "\n")
        tmp.replace(self.path)


def search(client: Client, query: str, limit: int) -> list[str]:
    root = parse_xml(client.get("esearch.fcgi", db="pubmed", term=query, retmax=str(limit)), "esearch")
    return [text_of(e) for e in root.iter() if local(e.tag) == "Id"][:limit]


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
        pmcids += [manifest.items[f"PMID:{p}"]["pmcid"] for p in pmids
                   if p not in todo and manifest.items[f"PMID:{p}"].get("pmcid")]
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        data = client.get("efetch.fcgi", db="pubmed", id=",".join(batch), retmode="xml")
        root = parse_xml(data, "efetch pubmed")
        found = set()
        for article in (e for e in root.iter() if local(e.tag) == "PubmedArticle"):
            pmid = text_of(next((e for e in article.iter() if local(e.tag) == "PMID"), None))
            if not pmid:
                continue
            found.add(pmid)
            name = f"PMID_{pmid}.pubmed.xml"
            xml = b"<?xml version='1.0' encoding='UTF-8'?>\n<PubmedArticleSet>" + etree.tostring(article) + b"</PubmedArticleSet>\n"
            _write(out / name, xml)
            pmc = next((text_of(e) for e in article.iter() if local(e.tag) == "ArticleId" and e.get("IdType") == "pmc"), "")
            manifest.record(f"PMID:{pmid}", name, pmcid=pmc.upper())
            report.fetched.append(f"PMID:{pmid}")
            progress(f"PMID:{pmid}")
            if full_text and pmc and pmc.upper() not in pmcids:
                pmcids.append(pmc.upper())
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
        _write(out / name, b"<?xml version='1.0' encoding='UTF-8'?>\n" + etree.tostring(article) + b"\n")
        manifest.record(key, name)
        report.fetched.append(key)
        progress(key)
    report.requests = client.requests
    return report


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
