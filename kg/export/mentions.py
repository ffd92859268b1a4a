"""Mention-level outputs in the formats of the field: BioC XML, BioC JSON and PubTator.

BioC: one <document> per document, one passage per section (infons `type` = section kind,
`section_heading` = its heading; `offset` = the section's start in Document.text; `text` = its text),
each grounded mention an annotation (infons `identifier` = CURIE, `type` = category, `matched_by`,
`markers` when present) with one <location> per piece, at document-level offsets. The document's
references (`article-id_pmid`, `article-id_pmc`, `article-id_doi`, `year`) are infons of its first
passage, where PubTator's BioC puts them, so the project's BioC readers give back the same document id.

PubTator: `ID|t|title`, `ID|a|text`, then `ID<TAB>start<TAB>end<TAB>text<TAB>category<TAB>CURIE` lines.
PubTator has a title and an abstract only: every section after the title goes into the `a` line, in
order, joined by one space (line breaks inside a section become spaces), and offsets count in that
text (the `a` text starts at len(title) + 1). A discontinuous mention, which PubTator cannot express,
is written as one line per piece with the same type and id.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from ..mentions import AnnotatedDocument, MentionRecord, Passage
from .base import ExportContext, register, write_atomic

BIOC_XML, BIOC_JSON, PUBTATOR = "mentions.bioc.xml", "mentions.bioc.json", "mentions.pubtator"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def bioc_id(doc: AnnotatedDocument) -> str:
    """The id a BioC or PubTator file names the document by: its PMID, else PMCID, else DOI, else its own id."""
    return doc.pmid or doc.pmcid or doc.doi or doc.id


def _references(doc: AnnotatedDocument) -> dict[str, str]:
    refs = {"article-id_pmid": doc.pmid, "article-id_pmc": doc.pmcid, "article-id_doi": doc.doi,
            "year": str(doc.year) if doc.year else None}
    return {k: v for k, v in refs.items() if v}


def _by_passage(doc: AnnotatedDocument) -> list[list[MentionRecord]]:
    """Each mention in the passage where it starts (sections never share a character)."""
    out: list[list[MentionRecord]] = [[] for _ in doc.passages]
    for record in doc.mentions:
        index = max((i for i, p in enumerate(doc.passages) if p.start <= record.start), default=0)
        out[index].append(record)
    return out


def _annotation_infons(record: MentionRecord) -> dict[str, str]:
    infons = {"identifier": record.curie, "type": record.category}
    if record.matched_by:
        infons["matched_by"] = record.matched_by
    if record.markers:
        infons["markers"] = ";".join(record.markers)
    return infons


def bioc_collection(documents: list[AnnotatedDocument]) -> dict:
    """The collection as BioC JSON (the layout of the bioc library's BioCJSONEncoder)."""
    docs = []
    for doc in sorted(documents, key=lambda d: d.id):
        passages, counter = [], 0
        for i, (passage, records) in enumerate(zip(doc.passages, _by_passage(doc))):
            infons = {**(_references(doc) if i == 0 else {}), "type": passage.kind, "section_heading": passage.heading}
            annotations = []
            for record in records:
                counter += 1
                annotations.append({"id": str(counter), "infons": _annotation_infons(record), "text": record.text,
                                    "locations": [{"offset": s, "length": e - s} for s, e in record.spans]})
            passages.append({"offset": passage.start, "infons": infons, "text": passage.text, "sentences": [],
                             "annotations": annotations, "relations": []})
        docs.append({"id": bioc_id(doc), "infons": {}, "passages": passages, "annotations": [], "relations": []})
    return {"source": "IVD-KG", "date": "", "key": "ivdkg", "infons": {}, "documents": docs}


def _x(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))  # one character for one: offsets stay right


def _infons_xml(infons: dict[str, str], indent: str) -> list[str]:
    return [f"{indent}<infon key={quoteattr(_NOT_XML.sub('', k))}>{_x(v)}</infon>" for k, v in infons.items()]


def bioc_xml(collection: dict) -> str:
    """BioC XML of a collection made by bioc_collection (no DOCTYPE: nothing for a reader to fetch)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<collection>",
             f"<source>{_x(collection['source'])}</source>", "<date></date>", f"<key>{_x(collection['key'])}</key>"]
    for doc in collection["documents"]:
        lines += ["<document>", f"  <id>{_x(doc['id'])}</id>"]
        for passage in doc["passages"]:
            lines.append("  <passage>")
            lines += _infons_xml(passage["infons"], "    ")
            lines += [f"    <offset>{passage['offset']}</offset>", f"    <text>{_x(passage['text'])}</text>"]
            for ann in passage["annotations"]:
                lines.append(f"    <annotation id={quoteattr(ann['id'])}>")
                lines += _infons_xml(ann["infons"], "      ")
                lines += [f'      <location offset="{loc["offset"]}" length="{loc["length"]}"/>' for loc in ann["locations"]]
                lines += [f"      <text>{_x(ann['text'])}</text>", "    </annotation>"]
            lines.append("  </passage>")
        lines.append("</document>")
    lines.append("</collection>")
    return "\n".join(lines) + "\n"


def _pubtator_id(doc: AnnotatedDocument) -> str:
    return re.sub(r"[|\s]", lambda m: "%7C" if m.group() == "|" else "_", bioc_id(doc))


def _flat(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ").replace("\r", " ")


def pubtator(documents: list[AnnotatedDocument]) -> str:
    """PubTator text: title and abstract lines, then one line per mention piece (see the module's docstring)."""
    blocks = []
    for doc in sorted(documents, key=lambda d: d.id):
        pid = _pubtator_id(doc)
        title = doc.passages[0] if doc.passages and doc.passages[0].kind == "title" else None
        rest = [p for p in doc.passages if p is not title]
        base: dict[Passage, int] = {}
        at = len(title.text) + 1 if title else 1
        if title:
            base[title] = 0
        for p in rest:
            base[p] = at
            at += len(p.text) + 1
        lines = [f"{pid}|t|{_flat(title.text) if title else ''}", f"{pid}|a|{' '.join(_flat(p.text) for p in rest)}"]
        pieces = []
        for record in doc.mentions:
            for s, e in record.spans:
                p = next((p for p in doc.passages if p.start <= s < p.end), None)
                if p is None:
                    continue  # outside every section: no place in the PubTator text
                start = base[p] + s - p.start
                pieces.append((start, start + e - s, _flat(p.text[s - p.start:e - p.start]), record.category, record.curie))
        lines += [f"{pid}\t{s}\t{e}\t{t}\t{c}\t{i}" for s, e, t, c, i in sorted(set(pieces))]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _documents(context: ExportContext) -> list[AnnotatedDocument]:
    return sorted(context.documents, key=lambda d: d.id)


@register("bioc", "mentions.bioc.xml and mentions.bioc.json: every grounded mention as BioC annotations",
          needs_documents=True)
def write_bioc(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    collection = bioc_collection(_documents(context))
    as_json = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return [write_atomic(out_dir / BIOC_XML, bioc_xml(collection)), write_atomic(out_dir / BIOC_JSON, as_json + "\n")]


@register("pubtator", "mentions.pubtator: every grounded mention in PubTator format", needs_documents=True)
def write_pubtator(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    return [write_atomic(out_dir / PUBTATOR, pubtator(_documents(context)))]
