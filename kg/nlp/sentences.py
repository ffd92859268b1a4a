"""Sentence splitting that survives biomedical text (e.g., et al., Fig. 2, vs., decimals, citations)."""
from __future__ import annotations

import re
from functools import lru_cache

from ..model import Document, Sentence
from ..patterns import load_patterns

# A candidate end: . ! or ? plus closing quotes/brackets, then space, then something that can start a sentence:
# a capital or a digit, or a symbol that starts in lower case by convention (iPSC, mTOR, p53, miR-21, let-7,
# siRNA): lower-case letters, then a capital, a digit or a hyphen before one. A plain lower-case word ("long-term")
# does not start a sentence, so "vs. long-term" stays whole.
_CANDIDATE = re.compile(r"[.!?][\"')\]]*(?=\s+[\"'(\[]?(?:[A-Z0-9]|[a-z]{1,8}-?[A-Z0-9]))")
_PARAGRAPH = re.compile(r"\n\s*\n")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(a.lower() for a in load_patterns()["sentences"]["abbreviations"])


def _protected(text: str, dot: int) -> bool:
    """Is the period at `dot` part of an abbreviation, an initial or a number?"""
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([":
        start -= 1
    word = text[start:dot].lower()
    if word in _abbreviations() or word.rstrip(".") in _abbreviations():
        return True
    if len(word) == 1 and word.isalpha() and text[start].isupper():  # an initial: "J. Smith"
        return True
    return False


def split_text(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence, offsets shifted by `offset`; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    for para in _paragraphs(text):
        begin = para[0]
        for match in _CANDIDATE.finditer(text, para[0], para[1]):
            if text[match.start()] == "." and _protected(text, match.start()):
                continue
            spans.append((begin, match.end()))
            begin = match.end()
        spans.append((begin, para[1]))
    out = []
    for start, end in spans:
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        if trail > lead:
            out.append((start + lead + offset, start + trail + offset))
    return out


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, begin = [], 0
    for match in _PARAGRAPH.finditer(text):
        spans.append((begin, match.start()))
        begin = match.end()
    spans.append((begin, len(text)))
    return spans


def split_document(document: Document, skip_headings: frozenset[str] = frozenset()) -> tuple[Sentence, ...]:
    """Sentences of every section whose heading is not in `skip_headings` (lower case)."""
    sentences: list[Sentence] = []
    for section in document.sections:
        if section.heading.lower() in skip_headings:
            continue
        body = document.text[section.start:section.end]
        for start, end in split_text(body, section.start):
            sentences.append(Sentence(len(sentences), start, end, document.text[start:end], section.kind))
    return tuple(sentences)
