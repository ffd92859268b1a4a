"""Streaming readers for PubMed baseline .xml.gz and PMC bulk .tar.gz packages."""
from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

from kg.readers import read_inputs

from .conftest import FIXTURES

ARTICLES = (FIXTURES / "articles.pubmed.xml").read_text()
BODY = ARTICLES.split("<PubmedArticleSet>")[1].split("</PubmedArticleSet>")[0]


def pubmed_gz(path: Path, copies: int, broken_at: int | None = None, truncate: bool = False) -> Path:
    parts = ['<?xml version="1.0"?><PubmedArticleSet>']
    for i in range(copies):
        body = BODY.replace("22220001", str(40000000 + 2 * i)).replace("22220002", str(40000001 + 2 * i))
        body = body.replace("10.5555/pm.1", f"10.5555/pm.{i}")
        if i == broken_at:  # an article with no text at all
            body = f"<PubmedArticle><MedlineCitation><PMID>{i}</PMID></MedlineCitation></PubmedArticle>"
        parts.append(body)
    parts.append("</PubmedArticleSet>")
    data = gzip.compress("".join(parts).encode())
    path.write_bytes(data[: len(data) * 2 // 3] if truncate else data)
    return path


def test_pubmed_baseline_is_read_article_by_article(tmp_path):
    path = pubmed_gz(tmp_path / "pubmed26n0001.xml.gz", 300, broken_at=5)
    results = list(read_inputs([str(path)]))
    documents = [d for r in results for d in r.documents]
    errors = [r.error for r in results if r.error]
    assert len(documents) == 2 * 299 and len({d.id for d in documents}) == len(documents)  # copy 5 is one broken article
    assert errors == [f"{path}: article PMID 5: no text found"]
    assert documents[0].format == "pubmed" and documents[0].title == "First article on TGF-β1"


def test_a_truncated_baseline_keeps_what_came_before_the_break(tmp_path):
    path = pubmed_gz(tmp_path / "cut.xml.gz", 400, truncate=True)
    results = list(read_inputs([str(path)]))
    documents = [d for r in results for d in r.documents]
    assert 0 < len(documents) < 800
    assert results[-1].error and results[-1].error.startswith(f"{path}: ")


def test_pmc_bulk_package_is_read_member_by_member(tmp_path):
    path = tmp_path / "oa_comm_xml.PMC000xxxxxx.baseline.tar.gz"
    jats = (FIXTURES / "article.nxml").read_bytes()
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("PMC1/a.nxml", jats), ("PMC2/b.xml", jats.replace(b"11110001", b"11110002")
                                                                   .replace(b"10.5555/Fixture.JATS", b"10.5555/other")),
                           ("PMC3/readme.txt", b"not an article"), ("PMC4/broken.nxml", b"<article><front>")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    results = list(read_inputs([str(path)]))
    documents = [d for r in results for d in r.documents]
    assert sorted(d.id for d in documents) == ["DOI:10.5555/fixture.jats", "DOI:10.5555/other"]
    errors = [r.error for r in results if r.error]
    assert len(errors) == 1 and errors[0].startswith(f"{path}:PMC4/broken.nxml: malformed XML")


def test_folders_pick_up_bulk_files_but_not_other_archives(tmp_path):
    pubmed_gz(tmp_path / "base.xml.gz", 2)
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"ignored"))
    sources = {r.source for r in read_inputs([str(tmp_path)])}
    assert sources == {str(tmp_path / "base.xml.gz")}
