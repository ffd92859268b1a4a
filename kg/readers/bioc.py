"""BioC XML and BioC JSON (the formats PubTator serves): documents made of typed passages.

`read_bioc_mentions` also reads a file's annotations back as mention records, with offsets into the
Document.text the same file gives (BioC's document-level offsets are mapped through the passages).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Iterator

from ..mentions import MentionRecord, normalise_spans
from ..model import SECTION_KINDS, Document
from .base import (DocumentBuilder, ReaderError, RegisteredReader, check_markup, clean_text, decode_text, identifier,
                   normalise_doi, parse_year, register)
from .xmlsafe import local, parse_xml, text_of

_PASSAGE_KINDS = {"title": "title", "front": "title", "abstract": "abstract", "abstract_title_1": "abstract",
                  "intro": "introduction", "methods": "methods", "results": "results", "discuss": "discussion",
                  "concl": "discussion", **{k: k for k in SECTION_KINDS}}
_SKIP_TYPES = {"ref", "table", "fig", "table_caption", "fig_caption", "footnote"}

DocumentMentions = tuple[Document, tuple[MentionRecord, ...]]
_DIGITS = re.compile(r"[0-9]{1,20}")


@dataclass(frozen=True)
class _Annotation:
    id: str
    infons: dict[str, str]
    locations: tuple[tuple[int, int], ...]  # (offset, length)
    text: str


@dataclass(frozen=True)
class _Passage:
    infons: dict[str, str]
    text: str
    offset: int = 0
    annotations: tuple[_Annotation, ...] = ()


def set_id(builder: DocumentBuilder, doc_id: str) -> None:
    """Take the references a BioC or PubTator document id carries: a PMID, a PMCID or a DOI, bare or prefixed."""
    prefix, _, rest = doc_id.partition(":")
    if _DIGITS.fullmatch(doc_id) or (prefix.upper() == "PMID" and _DIGITS.fullmatch(rest)):
        builder.pmid = rest or doc_id
    elif doc_id.upper().startswith("PMC") or prefix.upper() == "PMCID":
        builder.pmcid = (rest if prefix.upper() == "PMCID" else doc_id).upper()
    elif re.match(r"(?i)(doi:)?10\.\d{4,9}/", doc_id):
        builder.doi = normalise_doi(doc_id)


def own_id(document: Document, doc_id: str) -> Document:
    """A document written with its own LOCAL: id (no PMID, PMCID or DOI) keeps it, whatever its text now hashes to."""
    if doc_id.startswith("LOCAL:") and document.id.startswith("LOCAL:") and document.id != doc_id:
        return replace(document, id=identifier(doc_id))
    return document


def _build(source: str, fmt: str, doc_id: str, passages: list[_Passage]) -> tuple[Document, list]:
    """The document, and for each passage where its text went: (section index, characters stripped in front),
    or None for a passage left out."""
    builder = DocumentBuilder(source, fmt)
    set_id(builder, doc_id)
    slots: list = []
    title_passage = None
    for i, p in enumerate(passages):
        infons, text = p.infons, p.text
        kind_key = (infons.get("section_type") or infons.get("type") or "").lower()
        if kind_key in _SKIP_TYPES or infons.get("type", "").lower() in _SKIP_TYPES:
            slots.append(None)
            continue
        if infons.get("article-id_doi"):
            builder.doi = infons["article-id_doi"]
        if infons.get("article-id_pmid"):
            builder.pmid = infons["article-id_pmid"]
        if infons.get("article-id_pmc"):
            pmc = infons["article-id_pmc"].upper()
            builder.pmcid = pmc if pmc.startswith("PMC") else f"PMC{pmc}"
        if infons.get("year"):
            builder.year = parse_year(infons["year"])
        kind = _PASSAGE_KINDS.get(kind_key, "other")
        lead = len(text) - len(text.lstrip())
        if kind == "title" and not builder.title and text.strip():
            builder.title = text
            title_passage = i
            slots.append(("title", lead))
        elif text.strip():
            slots.append((len(builder.parts), lead))
            builder.add(infons.get("section_heading") or infons.get("section_type") or infons.get("type") or "Passage",
                        text, kind=kind)
        else:
            slots.append(None)
    document = own_id(builder.build(), doc_id)
    shift = 1 if title_passage is not None else 0
    return document, [None if s is None else (0 if s[0] == "title" else s[0] + shift, s[1]) for s in slots]


def _records(source: str, document: Document, passages: list[_Passage], slots: list) -> tuple[MentionRecord, ...]:
    """Annotations as mention records: each location mapped from BioC's offsets to Document.text's."""
    kept = [(p, slot) for p, slot in zip(passages, slots)]
    out = set()
    for p, slot in kept:
        for ann in p.annotations:
            spans = []
            for offset, length in ann.locations:
                home = next(((q, s) for q, s in [(p, slot)] + kept
                             if q.offset <= offset and offset + length <= q.offset + len(q.text)), None)
                if home is None:
                    raise ReaderError(source, f"document {document.id}: annotation {ann.id or '?'}: location "
                                              f"{offset}+{length} lies in no passage")
                q, s = home
                if s is None:
                    break  # in a passage left out (references, tables): not a mention of the document
                section = document.sections[s[0]]
                start = section.start + offset - q.offset - s[1]
                if not section.start <= start <= start + length <= section.end:
                    raise ReaderError(source, f"document {document.id}: annotation {ann.id or '?'}: location "
                                              f"{offset}+{length} lies outside its passage's text")
                spans.append((start, start + length))
            else:
                if not spans:
                    continue
                identifier = (ann.infons.get("identifier") or ann.infons.get("Identifier") or "").strip()
                markers = tuple(m for m in ann.infons.get("markers", "").split(";") if m)
                try:
                    normalised = normalise_spans(spans)
                except ValueError as exc:
                    raise ReaderError(source, f"document {document.id}: annotation {ann.id or '?'}: {exc}") from None
                out.add(MentionRecord(document.id, normalised, clean_text("" if identifier == "-" else identifier),
                                      clean_text(ann.infons.get("type", "")), clean_text(ann.text),
                                      clean_text(ann.infons.get("matched_by", "")), tuple(map(clean_text, markers))))
    return tuple(sorted(out, key=lambda r: r.sort_key))


def _int(value: object, source: str, what: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ReaderError(source, f"{what}: not an integer ({str(value)[:40]!r})") from None
    if number < 0:
        raise ReaderError(source, f"{what}: negative ({number})")
    return number


def _text_element(element) -> str:
    """A <text> element's text exactly (offsets count in it); one with markup inside, as flattened text."""
    if element is None:
        return ""
    if len(element) == 0:
        return element.text or ""
    return text_of(element)


def _xml_documents(data: bytes, source: str, with_annotations: bool) -> Iterator[tuple[str, list[_Passage]]]:
    root = parse_xml(data, source)
    documents = [e for e in root.iter() if local(e.tag) == "document"]
    if local(root.tag) != "collection" or not documents:
        raise ReaderError(source, "not a BioC collection with <document> elements")
    for doc in documents:
        doc_id = text_of(next((c for c in doc if local(c.tag) == "id"), None))
        passages = []
        for passage in (c for c in doc if local(c.tag) == "passage"):
            infons = {i.get("key", ""): text_of(i) for i in passage if local(i.tag) == "infon"}
            text = _text_element(next((c for c in passage if local(c.tag) == "text"), None))
            if not with_annotations:
                passages.append(_Passage(infons, text))
                continue
            offset = _int(text_of(next((c for c in passage if local(c.tag) == "offset"), None)) or 0, source,
                          f"document {doc_id}: passage offset")
            annotations = []
            for ann in (c for c in passage if local(c.tag) == "annotation"):
                ann_id = ann.get("id", "")
                locations = tuple((_int(loc.get("offset"), source, f"annotation {ann_id}: offset"),
                                   _int(loc.get("length"), source, f"annotation {ann_id}: length"))
                                  for loc in ann if local(loc.tag) == "location")
                annotations.append(_Annotation(ann_id, {i.get("key", ""): text_of(i) for i in ann if local(i.tag) == "infon"},
                                               locations, _text_element(next((c for c in ann if local(c.tag) == "text"), None))))
            passages.append(_Passage(infons, text, offset, tuple(annotations)))
        yield doc_id, passages


def read_bioc_xml(data: bytes, source: str) -> Iterator[Document]:
    for doc_id, passages in _xml_documents(data, source, with_annotations=False):
        yield _build(source, "bioc-xml", doc_id, passages)[0]


_JSON_KINDS = ((bool, "true or false"), (dict, "an object"), (list, "a list"), (str, "a string"),
               ((int, float), "a number"), (type(None), "null"))


def _json_kind(value: object) -> str:
    return next((name for kind, name in _JSON_KINDS if isinstance(value, kind)), type(value).__name__)


def _expect(value: object, kind: type, where: str, source: str):
    """The value if it has the JSON type a BioC field must have (null or missing counts as empty), else an error
    naming where in the file it stands."""
    if value is None:
        return kind()
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    raise ReaderError(source, f"{where}: expected {dict(_JSON_KINDS)[kind]}, got {_json_kind(value)}")


def _scalar(value: object, where: str, source: str) -> str:
    """An id or infon value: a string or a number (PubTator writes both), never an object or a list."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return value if isinstance(value, str) else json.dumps(value)
    raise ReaderError(source, f"{where}: expected a string or a number, got {_json_kind(value)}")


def _infons(value: object, where: str, source: str) -> dict[str, str]:
    return {key: _scalar(v, f"{where}.{key}", source) for key, v in _expect(value, dict, where, source).items()}


def _load_json(data: bytes, source: str) -> object:
    check_markup(data, source, b"{[")
    try:
        return json.loads(decode_text(data, source))
    except json.JSONDecodeError as exc:
        raise ReaderError(source, f"malformed JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ReaderError(source, "malformed JSON (nested too deeply)") from None
    except ValueError as exc:  # a number too long to convert
        raise ReaderError(source, f"malformed JSON ({exc})") from None


def _json_document_objects(payload: object, source: str) -> list[tuple[str, dict]]:
    """Every document object with where it stands: in a collection, a list of collections or a list of documents."""
    if not isinstance(payload, (dict, list)):
        raise ReaderError(source, f"not BioC JSON: the top level is {_json_kind(payload)}")
    items = list(enumerate(payload)) if isinstance(payload, list) else [(None, payload)]
    out: list[tuple[str, dict]] = []
    for i, item in items:
        prefix = "" if i is None else f"[{i}]"
        if not isinstance(item, dict):
            raise ReaderError(source, f"{prefix}: expected a BioC collection or document, got {_json_kind(item)}")
        if "documents" in item:
            at = f"{prefix}.documents" if prefix else "documents"
            out.extend((f"{at}[{j}]", doc) for j, doc in enumerate(_expect(item["documents"], list, at, source)))
        elif "passages" in item:
            out.append((prefix or "the document", item))
    if not out:
        raise ReaderError(source, "not BioC JSON: no documents with passages")
    return out


def _json_documents(data: bytes, source: str, with_annotations: bool) -> Iterator[tuple[str, list[_Passage]]]:
    for where, doc in _json_document_objects(_load_json(data, source), source):
        doc = _expect(doc, dict, where, source)
        doc_id = _scalar(doc.get("id"), f"{where}.id", source)
        passages = []
        for i, p in enumerate(_expect(doc.get("passages"), list, f"{where}.passages", source)):
            at = f"{where}.passages[{i}]"
            p = _expect(p, dict, at, source)
            infons = _infons(p.get("infons"), f"{at}.infons", source)
            text = _expect(p.get("text"), str, f"{at}.text", source)
            if not with_annotations:
                passages.append(_Passage(infons, text))
                continue
            offset = _int(p.get("offset", 0), source, f"{at}.offset")
            annotations = []
            for j, ann in enumerate(_expect(p.get("annotations"), list, f"{at}.annotations", source)):
                ann_at = f"{at}.annotations[{j}]"
                ann = _expect(ann, dict, ann_at, source)
                locations = []
                for k, loc in enumerate(_expect(ann.get("locations"), list, f"{ann_at}.locations", source)):
                    loc = _expect(loc, dict, f"{ann_at}.locations[{k}]", source)
                    locations.append((_int(loc.get("offset"), source, f"{ann_at}.locations[{k}].offset"),
                                      _int(loc.get("length"), source, f"{ann_at}.locations[{k}].length")))
                annotations.append(_Annotation(_scalar(ann.get("id"), f"{ann_at}.id", source),
                                               _infons(ann.get("infons"), f"{ann_at}.infons", source), tuple(locations),
                                               _expect(ann.get("text"), str, f"{ann_at}.text", source)))
            passages.append(_Passage(infons, text, offset, tuple(annotations)))
        yield doc_id, passages


def read_bioc_json(data: bytes, source: str) -> Iterator[Document]:
    for doc_id, passages in _json_documents(data, source, with_annotations=False):
        yield _build(source, "bioc-json", doc_id, passages)[0]


def read_bioc_mentions(data: bytes, source: str) -> list[DocumentMentions]:
    """Each document of a BioC XML or JSON file with its annotations as mention records (identifier infon ->
    curie, type -> category, one span per location), offsets into that document's Document.text."""
    head = data[:4096].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    is_json = head.startswith(("{", "[")) or source.lower().endswith(".json")
    parse, fmt = (_json_documents, "bioc-json") if is_json else (_xml_documents, "bioc-xml")
    out = []
    for doc_id, passages in parse(data, source, True):
        document, slots = _build(source, fmt, doc_id, passages)
        out.append((document, _records(source, document, passages, slots)))
    return out


register(RegisteredReader("bioc-xml", (".bioc.xml",), lambda h: "<collection" in h and "<document" in h,
                          read_bioc_xml, priority=15))
register(RegisteredReader("bioc-json", (".bioc.json", ".json"), lambda h: h.lstrip().startswith(("{", "[")) and "passages" in h,
                          read_bioc_json, priority=30))
