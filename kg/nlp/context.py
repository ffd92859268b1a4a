"""The context of a claim: negation, hedging, study type, organism and quantities."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from ..model import Quantity
from ..patterns import load_patterns
from .tokens import Token


@lru_cache(maxsize=1)
def _cues() -> dict:
    ctx = load_patterns()["context"]
    study = {kind: re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")\b")
             for kind, phrases in ctx["study_type"].items()}
    q = ctx["quantity"]
    units = "|".join(re.escape(u) for u in sorted(q["units"], key=len, reverse=True))
    quantity = re.compile(r"(?<![\w.])(\d{1,9}(?:\.\d{1,6})?)\s?(" + units + r")(?![\w%])")
    return {"negation": frozenset(ctx["negation"]), "hedging": frozenset(ctx["hedging"]), "study": study,
            "object_negators": frozenset(ctx["object_negators"]), "object_hedges": frozenset(ctx["object_hedges"]),
            "quantity": quantity, "increase": frozenset(q["increase"]), "decrease": frozenset(q["decrease"])}


def is_negation(token: Token) -> bool:
    return token.text.lower() in _cues()["negation"]


def object_modifier(token: Token) -> str | None:
    """'negated' or 'hedged' for a word that qualifies the object right after it, else None."""
    word = token.text.lower()
    if word in _cues()["object_negators"]:
        return "negated"
    if word in _cues()["object_hedges"]:
        return "hedged"
    return None


def is_hedge(token: Token) -> bool:
    return token.text.lower() in _cues()["hedging"]


def study_type_cues(text: str) -> list[tuple[int, str]]:
    """(position, study type) of every cue in the text, in order."""
    low = text.lower()
    found = [(m.start(), kind) for kind, rx in _cues()["study"].items() for m in rx.finditer(low)]
    return sorted(found)


_TIME_UNITS = frozenset({"months", "month", "weeks", "week", "days", "day", "years", "year", "hours", "h"})


def quantities(text: str) -> tuple[Quantity, ...]:
    """Numbers with a unit, and the direction stated by a nearby word ('70% pain reduction')."""
    cues = _cues()
    out = []
    for match in cues["quantity"].finditer(text):
        before = re.findall(r"[a-z]+", text[max(0, match.start() - 60):match.start()].lower())[-6:]
        after = re.findall(r"[a-z]+", text[match.end():match.end() + 40].lower())[:2]
        window = [] if match.group(2) in _TIME_UNITS else after + before[::-1]
        # The nearest cue word wins: first the two words after the number, then the words before it.
        direction = next(("decrease" if w in cues["decrease"] else "increase" for w in window
                          if w in cues["decrease"] or w in cues["increase"]), "none")
        unit = "%" if match.group(2) == "percent" else match.group(2)
        out.append(Quantity(float(match.group(1)), unit, direction, match.group(0)))
    return tuple(out)


def majority(values: Sequence[str], default: str | None) -> str | None:
    """The most frequent value; ties go to the one seen first, so the result is deterministic."""
    if not values:
        return default
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: (counts[v], -values.index(v)))
