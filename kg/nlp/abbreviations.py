"""Abbreviations defined in a document: 'mesenchymal stem cell (MSC)' makes later 'MSC(s)' mean the same term."""
from __future__ import annotations

import csv
from functools import lru_cache
from typing import Sequence

from ..resources import ontology_file
from .tokens import Token, phrase_key

MAX_SHORT_FORM = 12


def definition_spans(tokens: Sequence[Token], text: str, offset: int) -> list[tuple[int, int, str]]:
    """(open-paren index, close-paren index, short form) of each '(SF)' that looks like an abbreviation."""
    out = []
    for i, token in enumerate(tokens):
        if token.text != "(":
            continue
        for j in range(i + 2, min(i + 6, len(tokens))):
            if tokens[j].text == ")":
                short = text[tokens[i + 1].start - offset:tokens[j - 1].end - offset]
                if (2 <= len(short) <= MAX_SHORT_FORM and not any(c.isspace() for c in short)
                        and any(c.isupper() for c in short) and short[0].isalnum() and not short.isdigit()):
                    out.append((i, j, short))
                break
            if tokens[j].text in "()":
                break
    return out


def short_form_matches(short: str, long: str) -> bool:
    """Each character of the short form appears in order in the long form, the first at a word start."""
    chars = [c for c in short.lower() if c.isalnum()]
    low = long.lower()
    li = len(low) - 1
    for si in range(len(chars) - 1, -1, -1):
        c = chars[si]
        while li >= 0 and (low[li] != c or (si == 0 and li > 0 and low[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return bool(chars)


@lru_cache(maxsize=1)
def prior_expansions() -> dict[str, tuple[tuple[str, ...], str]]:
    """The field's short forms read as their long forms where a document does not define them
    (ontologies/abbreviations.tsv): key of the short form -> (keys of the long form, how)."""
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    with ontology_file("abbreviations.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader((l for l in handle if not l.startswith("#")), delimiter="\t"):
            key = phrase_key(row["short_form"])
            if len(key) == 1:
                out[key[0]] = (phrase_key(row["expansion"]), "abbreviation prior")
    return out


def long_form_of(short: str, before: list[Token], text: str) -> list[Token]:
    """The fewest words before '(SF)' that spell the short form, the first starting with its first letter
    (Schwartz and Hearst's rule): "embryonic stem (ES)" -> embryonic stem."""
    first_char = next((c.lower() for c in short if c.isalnum()), "")
    words = [t for t in before if t.text.isalnum()]
    for n in range(1, min(len(words), len(short) + 5) + 1):
        candidate = before[before.index(words[-n]):]
        if candidate[0].text[0].lower() == first_char and short_form_matches(short, text[candidate[0].start:candidate[-1].end]):
            return candidate
    return []
