"""PubMed XML: a PubmedArticleSet of many articles, one Document each."""
from __future__ import annotations

from typing import Iterator

from ..model import Document
from .base import DocumentBuilder, ReaderError, RegisteredReader, parse_year, register
from .xmlsafe import local, parse_xml, text_of


def read_pubmed(data: bytes, source: str) -> Iterator[Document]:
    root = parse_xml(data, source)
    articles = [e for e in root.iter() if local(e.tag) == "PubmedArticle"]
    if not articles:
        raise ReaderError(source, "no <PubmedArticle> elements")
    for article in articles:
        yield article_document(article, source)


def article_document(article, source: str) -> Document:
    """One PubmedArticle element as a Document (shared with the streaming reader)."""
    builder = DocumentBuilder(source, "pubmed")
    citation = next((e for e in article.iter() if local(e.tag) == "MedlineCitation"), article)
    pmid = next((e for e in citation if local(e.tag) == "PMID"), None)
    builder.pmid = text_of(pmid) or None
    builder.title = text_of(next((e for e in article.iter() if local(e.tag) == "ArticleTitle"), None))
    for aid in (e for e in article.iter() if local(e.tag) in ("ArticleId", "ELocationID")):
        kind = aid.get("IdType") or aid.get("EIdType")
        if kind == "doi" and not builder.doi:
            builder.doi = text_of(aid)
        elif kind == "pmc":
            builder.pmcid = text_of(aid)
    date = next((e for e in article.iter() if local(e.tag) in ("PubDate", "ArticleDate")), None)
    builder.year = parse_year(text_of(date))
    for abstract_text in (e for e in article.iter() if local(e.tag) == "AbstractText"):
        label = abstract_text.get("Label") or "Abstract"
        builder.add(label, text_of(abstract_text), kind="abstract")
    try:
        return builder.build()
    except ReaderError as exc:
        raise ReaderError(source, f"article PMID {builder.pmid or '?'}: {exc.reason}") from None


def _sniff(head: str) -> bool:
    return "<PubmedArticleSet" in head or "<PubmedArticle>" in head


READER = register(RegisteredReader("pubmed", (".pubmed.xml",), _sniff, read_pubmed, priority=10))
