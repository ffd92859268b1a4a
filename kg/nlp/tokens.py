"""Tokens with offsets, and the normalised keys that lexicon and text are both matched on."""
from __future__ import annotations

import re
from typing import NamedTuple
from functools import lru_cache

_TOKEN = re.compile(r"\w+|[^\w\s]")
_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa"})
INVISIBLE = {"-", "‐", "‑", "–"}  # hyphens join words but never matter for matching


class Token(NamedTuple):
    """A word or punctuation mark with its offsets (a named tuple: millions are made, they must be cheap)."""
    start: int
    end: int
    text: str
    key: str


def is_acronym(word: str) -> bool:
    """Words with a capital after the first letter (MSC, iPSC, pH, IL) keep their case."""
    return any(ch.isupper() for ch in word[1:])


@lru_cache(maxsize=200_000)
def normalise(word: str) -> str:
    """Case- and plural-folded key: 'Cells' -> 'cell', 'MSCs' -> 'MSC', 'therapies' -> 'therapy'."""
    word = word.translate(_GREEK)
    if is_acronym(word):
        if len(word) > 2 and word.endswith("s") and word[:-1].upper() != word[:-1].lower():
            return word[:-1]
        return word
    low = word.lower()
    if len(low) > 4 and low.endswith("ies"):
        return low[:-3] + "y"
    if len(low) > 4 and low.endswith(("ches", "shes", "xes", "sses", "zes")):
        return low[:-2]  # patches -> patch, niches -> nich
    if len(low) > 4 and low.endswith(("che", "she", "xe", "sse", "ze")):
        return low[:-1]  # niche -> nich, so that singular and plural share one key
    if len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return low[:-1]
    return low


def tokenize(text: str, offset: int = 0) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        start = m.start() + offset
        out.append(Token(start, start + len(word), word, normalise(word)))
    return out


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokenize(phrase) if t.text not in INVISIBLE)
