"""PubTator files read back as mention records: `ID|t|title`, `ID|a|text`, then tab-separated
`ID start end text type [identifier]` lines (relation lines, `ID<TAB>relation<TAB>a<TAB>b`, are passed over).

Each document becomes the Document its title and text make (a title, an abstract section); offsets,
counted in title + " " + text as PubTator does, are mapped into that Document.text.
"""
from __future__ import annotations

from ..mentions import MentionRecord, normalise_spans
from .base import DocumentBuilder, ReaderError, check_text_size, decode_text
from .bioc import DocumentMentions, own_id, set_id


def _number(field: str) -> bool:
    return len(field.strip()) <= 18 and field.strip().isascii() and field.strip().isdigit()


def read_pubtator_mentions(data: bytes, source: str) -> list[DocumentMentions]:
    check_text_size(data, source)
    text = decode_text(data, source)
    order: list[str] = []
    titles: dict[str, str] = {}
    abstracts: dict[str, str] = {}
    rows: dict[str, list[tuple[int, int, int, str, str, str]]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        head = line.split("|", 2)
        if len(head) == 3 and head[1] in ("t", "a") and "\t" not in head[0]:
            doc_id, kind, value = head
            if doc_id not in titles and doc_id not in abstracts:
                order.append(doc_id)
            (titles if kind == "t" else abstracts)[doc_id] = value
            continue
        fields = line.split("\t")
        if len(fields) == 4 and not _number(fields[1]):
            continue  # a relation line
        if len(fields) < 5 or not _number(fields[1]) or not _number(fields[2]):
            raise ReaderError(source, f"line {number}: not PubTator (expected ID|t|title, ID|a|text or "
                                      f"ID<TAB>start<TAB>end<TAB>text<TAB>type[<TAB>identifier])")
        doc_id = fields[0]
        if doc_id not in titles and doc_id not in abstracts:
            raise ReaderError(source, f"line {number}: a mention of document {doc_id!r} before its title and text")
        identifier = fields[5].strip() if len(fields) > 5 else ""
        rows.setdefault(doc_id, []).append((number, int(fields[1]), int(fields[2]), fields[3], fields[4].strip(),
                                            "" if identifier == "-" else identifier))
    if not order:
        raise ReaderError(source, "not PubTator: no ID|t|title or ID|a|text lines")
    out = []
    for doc_id in order:
        title, abstract = titles.get(doc_id, ""), abstracts.get(doc_id, "")
        builder = DocumentBuilder(source, "pubtator")
        set_id(builder, doc_id)
        builder.title = title
        builder.add("Abstract", abstract, kind="abstract")
        try:
            document = own_id(builder.build(), doc_id)
        except ReaderError as exc:
            raise ReaderError(source, f"document {doc_id}: {exc.reason}") from None
        # where each part of the PubTator text went: (PubTator start, length, Document start)
        parts = []
        if title.strip():
            parts.append((0, len(title), document.sections[0].start - (len(title) - len(title.lstrip()))))
        if abstract.strip():
            section = document.sections[-1]
            parts.append((len(title) + 1, len(abstract), section.start - (len(abstract) - len(abstract.lstrip()))))
        records = set()
        for number, start, end, mention_text, kind, identifier in rows.get(doc_id, []):
            home = next(((b, d) for b, n, d in parts if b <= start and end <= b + n), None)
            if home is None or start >= end:
                raise ReaderError(source, f"line {number}: offsets {start}-{end} lie outside the title and the text "
                                          f"of document {doc_id}")
            base, at = home
            spans = normalise_spans([(at + start - base, at + end - base)])
            records.add(MentionRecord(document.id, spans, identifier, kind, mention_text))
        out.append((document, tuple(sorted(records, key=lambda r: r.sort_key))))
    return out
