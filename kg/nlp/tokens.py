"""Tokens with offsets, and the normalised keys that lexicon and text are both matched on.

A key folds what does not change the meaning of a word in a name: case (except in acronyms, where
"MSC" is not "msc"), the English plural, British and American spelling, Latin plurals, Greek letters
written out or as symbols, and the boundary between letters and digits ("TGF-β1", "TGF-beta 1" and
"TGFbeta1" give the same keys).
"""
from __future__ import annotations

import csv
import gc
import re
from functools import lru_cache
from itertools import accumulate, repeat
from typing import NamedTuple

from ..resources import ontology_file

# Letters, digits and single other marks are separate tokens: "IL-1β" is IL, -, 1, β.
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon",
                        "θ": "theta", "λ": "lambda", "μ": "mu", "σ": "sigma", "ω": "omega", "ζ": "zeta"})
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


@lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], tuple[tuple[re.Pattern, str], ...], tuple[tuple[re.Pattern, str], ...]]:
    words: dict[str, str] = {}
    spelling, plural = [], []
    with ontology_file("spelling.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader((l for l in handle if not l.startswith("#")), delimiter="\t"):
            if row["stage"] == "word":
                words[row["pattern"].strip("^$")] = row["replacement"]
            else:
                (spelling if row["stage"] == "spelling" else plural).append((re.compile(row["pattern"]),
                                                                              row["replacement"]))
    return words, tuple(spelling), tuple(plural)


@lru_cache(maxsize=500_000)
def normalise(word: str) -> str:
    """Case-, plural- and spelling-folded key: 'Cells' -> 'cell', 'MSCs' -> 'MSC', 'tumours' -> 'tumor'."""
    word = word.translate(_GREEK)
    if is_acronym(word):
        if len(word) > 2 and word.endswith("s") and word[:-1].upper() != word[:-1].lower():
            return word[:-1]
        return word
    low = word.lower()
    words, spelling, plural = _rules()
    if low in words:
        return words[low]
    for pattern, replacement in spelling:
        low = pattern.sub(replacement, low)
    if len(low) > 4 and low.endswith("ies"):
        low = low[:-3] + "y"
    elif len(low) > 4 and low.endswith(("ches", "shes", "xes", "sses", "zes")):
        low = low[:-2]  # patches -> patch, niches -> nich
    elif len(low) > 4 and low.endswith(("che", "she", "xe", "sse", "ze")):
        low = low[:-1]  # niche -> nich, so that singular and plural share one key
    elif len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
        low = low[:-1]
    for pattern, replacement in plural:
        low = pattern.sub(replacement, low)
    return low


_KEYS: dict[str, str] = {}  # word -> key: a plain dict is the cheapest look-up on the hottest path
_SPLIT = re.compile(f"({_TOKEN.pattern})")  # the text cut at its tokens: gap, token, gap, token, ..., gap
_NEW = tuple.__new__


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of a text, made without a Python step per token: the regex cuts the text into gaps and
    tokens, their running lengths are the offsets, and the keys come from the word -> key dictionary."""
    keys = _KEYS
    if len(keys) > 500_000:
        keys.clear()
    parts = _SPLIT.split(text)
    words = parts[1::2]
    found = list(map(keys.get, words))
    if None in found:
        for k, key in enumerate(found):
            if key is None:
                word = words[k]
                found[k] = keys[word] = normalise(word)
    bounds = list(accumulate(map(len, parts), initial=offset))
    collecting = gc.isenabled()
    gc.disable()  # while the list of tokens grows, a collection would walk it again and again
    try:
        return list(map(_NEW, repeat(Token), zip(bounds[1::2], bounds[2::2], words, found)))
    finally:
        if collecting:
            gc.enable()


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokenize(phrase) if t.text not in INVISIBLE)
