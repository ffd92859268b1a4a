"""Deterministic identifiers: the one place that mints ids from content."""
from __future__ import annotations

import hashlib
import re


def content_hash(*parts: object, length: int = 16) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


def slug(text: str) -> str:
    """A lowercase ASCII slug, safe inside an IRI path segment."""
    value = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return value[:60] or "x"


def document_iri(doc_id: str, base: str) -> str:
    prefix, _, local = doc_id.partition(":")
    if prefix == "DOI":
        return "https://doi.org/" + _iri_path(local)
    if prefix == "PMID":
        return f"https://pubmed.ncbi.nlm.nih.gov/{_iri_path(local)}"
    if prefix == "PMCID":
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{_iri_path(local)}"
    return f"{base}document/{slug(local)}"


def _iri_path(value: str) -> str:
    """Percent-encode what may not stand in an IRI (spaces, quotes, angle brackets, controls)."""
    out = []
    for ch in value:
        if ch.isalnum() or ch in "-._~/:;()+,=@!$'*":
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)
