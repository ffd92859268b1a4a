"""PMC JATS XML: title, abstract, body sections and the article ids."""
from __future__ import annotations

from typing import Iterator

from ..model import Document
from .base import DocumentBuilder, ReaderError, RegisteredReader, parse_year, register, section_kind
from .xmlsafe import local, parse_xml, text_of

_SKIP = ("xref", "table-wrap", "fig", "disp-formula", "inline-formula", "label", "ref-list")


def read_jats(data: bytes, source: str) -> Iterator[Document]:
    root = parse_xml(data, source)
    article = root if local(root.tag) == "article" else next((e for e in root.iter() if local(e.tag) == "article"), None)
    if article is None:
        raise ReaderError(source, "no <article> element: not a JATS document")
    yield article_document(article, source)


def _find(node, name):
    return next((e for e in node.iter() if local(e.tag) == name), None)


def article_document(article, source: str) -> Document:
    builder = DocumentBuilder(source, "jats")
    meta = _find(article, "article-meta")
    if meta is not None:
        builder.title = text_of(_find(meta, "article-title"))
        for aid in meta.iter():
            if local(aid.tag) == "article-id":
                kind, value = aid.get("pub-id-type"), text_of(aid)
                if kind == "doi":
                    builder.doi = value
                elif kind == "pmid":
                    builder.pmid = value
                elif kind in ("pmc", "pmcid"):
                    builder.pmcid = value if value.upper().startswith("PMC") else f"PMC{value}"
        date = _find(meta, "pub-date")
        builder.year = parse_year(text_of(_find(date, "year"))) if date is not None else None
        for abstract in (e for e in meta.iter() if local(e.tag) == "abstract"):
            builder.add("Abstract", text_of(abstract, skip=_SKIP + ("title",)), kind="abstract")
    body = _find(article, "body")
    if body is not None:
        for child in body:
            if local(child.tag) == "sec":
                _add_section(builder, child)
            elif local(child.tag) == "p":
                builder.add("Body", text_of(child, skip=_SKIP), kind="other")
    return builder.build()


def _add_section(builder: DocumentBuilder, sec, parent_heading: str = "") -> None:
    title = text_of(next((c for c in sec if local(c.tag) == "title"), None)) or parent_heading or "Section"
    paragraphs = [text_of(c, skip=_SKIP) for c in sec if local(c.tag) == "p"]
    kind = section_kind(parent_heading) if parent_heading else None
    builder.add(title, "\n\n".join(p for p in paragraphs if p), kind=kind)
    for child in sec:
        if local(child.tag) == "sec":
            _add_section(builder, child, parent_heading or title)


def _sniff(head: str) -> bool:
    return "<article" in head and ("jats" in head.lower() or "article-meta" in head or "<front" in head)


READER = register(RegisteredReader("jats", (".nxml",), _sniff, read_jats, priority=20))
