"""One hardened XML parser for every XML reader: no entities, no DTDs, no network."""
from __future__ import annotations

import re

from lxml import etree

from .base import ReaderError, check_markup


_SPACE_BEFORE_PUNCT = re.compile(r" ([.,;:])(?=\s|$)")


def parse_xml(data: bytes, source: str) -> etree._Element:
    check_markup(data, source, b"<")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ReaderError(source, f"malformed XML ({exc.msg.splitlines()[0] if exc.msg else 'syntax error'})") from None
    if root is None:
        raise ReaderError(source, "empty XML document")
    return root


def local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def text_of(element: etree._Element | None, skip: tuple[str, ...] = ()) -> str:
    """All text below element, with block children separated by spaces, skipping given tags."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or local(node.tag) in skip:  # entity references, skipped tags
            if node.tail:
                parts.append(node.tail)
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not element:
            parts.append(node.tail)

    walk(element)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join("".join(parts).split()))
