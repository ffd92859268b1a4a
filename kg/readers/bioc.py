"""BioC XML and BioC JSON (the formats PubTator serves): documents made of typed passages."""
from __future__ import annotations

import json
from typing import Iterator

from ..model import Document
from .base import DocumentBuilder, ReaderError, RegisteredReader, decode_text, parse_year, register
from .xmlsafe import local, parse_xml, text_of

_PASSAGE_KINDS = {"title": "title", "front": "title", "abstract": "abstract", "abstract_title_1": "abstract",
                  "intro": "introduction", "methods": "methods", "results": "results", "discuss": "discussion",
                  "concl": "discussion"}
_SKIP_TYPES = {"ref", "table", "fig", "table_caption", "fig_caption", "footnote"}


def _build(source: str, fmt: str, doc_id: str, passages: list[tuple[dict[str, str], str]]) -> Document:
    builder = DocumentBuilder(source, fmt)
    if doc_id.isdigit():
        builder.pmid = doc_id
    elif doc_id.upper().startswith("PMC"):
        builder.pmcid = doc_id.upper()
    for infons, text in passages:
        kind_key = (infons.get("section_type") or infons.get("type") or "").lower()
        if kind_key in _SKIP_TYPES or infons.get("type", "").lower() in _SKIP_TYPES:
            continue
        if infons.get("article-id_doi"):
            builder.doi = infons["article-id_doi"]
        if infons.get("article-id_pmid"):
            builder.pmid = infons["article-id_pmid"]
        if infons.get("year"):
            builder.year = parse_year(infons["year"])
        kind = _PASSAGE_KINDS.get(kind_key, "other")
        if kind == "title" and not builder.title:
            builder.title = text
        else:
            builder.add(infons.get("section_type") or infons.get("type") or "Passage", text, kind=kind)
    return builder.build()


def read_bioc_xml(data: bytes, source: str) -> Iterator[Document]:
    root = parse_xml(data, source)
    documents = [e for e in root.iter() if local(e.tag) == "document"]
    if local(root.tag) != "collection" or not documents:
        raise ReaderError(source, "not a BioC collection with <document> elements")
    for doc in documents:
        doc_id = text_of(next((c for c in doc if local(c.tag) == "id"), None))
        passages = []
        for passage in (c for c in doc if local(c.tag) == "passage"):
            infons = {i.get("key", ""): text_of(i) for i in passage if local(i.tag) == "infon"}
            passages.append((infons, text_of(next((c for c in passage if local(c.tag) == "text"), None))))
        yield _build(source, "bioc-xml", doc_id, passages)


def read_bioc_json(data: bytes, source: str) -> Iterator[Document]:
    try:
        payload = json.loads(decode_text(data, source))
    except json.JSONDecodeError as exc:
        raise ReaderError(source, f"malformed JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(payload, list):  # PubTator serves a list of collections or of documents
        collections = payload
    else:
        collections = [payload]
    documents = []
    for item in collections:
        if isinstance(item, dict) and isinstance(item.get("documents"), list):
            documents.extend(item["documents"])
        elif isinstance(item, dict) and "passages" in item:
            documents.append(item)
    if not documents:
        raise ReaderError(source, "not BioC JSON: no documents with passages")
    for doc in documents:
        passages = []
        for p in doc.get("passages") or []:
            if isinstance(p, dict):
                infons = {str(k): str(v) for k, v in (p.get("infons") or {}).items()}
                passages.append((infons, str(p.get("text") or "")))
        yield _build(source, "bioc-json", str(doc.get("id") or ""), passages)


register(RegisteredReader("bioc-xml", (".bioc.xml",), lambda h: "<collection" in h and "<document" in h,
                          read_bioc_xml, priority=15))
register(RegisteredReader("bioc-json", (".bioc.json", ".json"), lambda h: h.lstrip().startswith(("{", "[")) and "passages" in h,
                          read_bioc_json, priority=30))
