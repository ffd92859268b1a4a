"""Cue phrases that give a category to listed phrases the lexicon lacks ("Challenges include A, B and C").

Each listed phrase that no lexicon mention covers becomes a project concept with a deterministic id
(IVDKG:<slug of the phrase>), never dropped for lack of a term; its closeMatch is the lexicon term
of its head words where there is one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from ..ids import slug
from ..model import Term
from ..patterns import load_patterns
from .tokens import Token, phrase_key

SOURCE = "open vocabulary"


@dataclass(frozen=True)
class Cue:
    key: tuple[str, ...]
    category: str
    until: frozenset[str]
    phrase: str


@lru_cache(maxsize=1)
def _config() -> tuple[dict[str, list[Cue]], frozenset[str], frozenset[str], int]:
    """Cues indexed by their first word (longest first), so most tokens cost one dictionary lookup."""
    spec = load_patterns()["open_vocabulary"]
    cues = [Cue(tuple(k.lower() for k in phrase_key(p)), c["category"], frozenset(c.get("until", [])), p)
            for c in spec["cues"] for p in c["phrases"]]
    by_first: dict[str, list[Cue]] = {}
    for cue in sorted(cues, key=lambda c: -len(c.key)):
        by_first.setdefault(cue.key[0], []).append(cue)
    return by_first, frozenset(spec["terminators"]), frozenset(spec["determiners"]), int(spec["max_item_tokens"])


def list_items(tokens: Sequence[Token]) -> list[tuple[int, int, Cue]]:
    """(first, last) token spans of the phrases listed after each cue, with the cue."""
    cues, terminators, determiners, max_tokens = _config()
    keys = [t.key.lower() for t in tokens]
    out: list[tuple[int, int, Cue]] = []
    i = 0
    while i < len(tokens):
        cue = next((c for c in cues.get(keys[i], ()) if tuple(keys[i:i + len(c.key)]) == c.key), None)
        if cue is None:
            i += 1
            continue
        start = i + len(cue.key)
        end = start
        while end < len(tokens) and keys[end] not in terminators and keys[end] not in cue.until:
            end += 1
        if cue.until and (end >= len(tokens) or keys[end] not in cue.until):
            i = start
            continue
        items, current = [], []
        for k in range(start, end):
            word = tokens[k].text.lower()
            if word in (",", "and", "or", "(", ")", "/", "&"):
                items.append(current)
                current = []
            elif word == "'" or word == "’":
                current = []  # "the disc's hostile microenvironment": the possessor is not the item
            elif not current and (word in determiners or (word == "s" and k > start and tokens[k - 1].text in "'’")):
                continue
            else:
                current.append(k)
        items.append(current)
        for item in items:
            if item and len(item) <= max_tokens and any(tokens[k].text.isalpha() for k in item):
                out.append((item[0], item[-1], cue))
        i = end
    return out


def open_term(text: str, category: str, cue: Cue, lookup: Callable[[tuple[str, ...]], Term | None],
              inner: Sequence[str] = ()) -> Term:
    """A project concept for a listed phrase; closeMatch to the terms named inside it, else its head words."""
    label = " ".join(text.split())
    label = label if any(c.isupper() for c in label[1:]) else label.lower()
    tokens = phrase_key(label)
    close = list(dict.fromkeys(inner))
    for n in (2, 1) if not close else ():  # the head words: "oxidative stress" -> stress, "senescent NP cells" -> NP cell
        if len(tokens) > n:
            match = lookup(tokens[-n:])
            if match is not None:
                close.append(match.id)
                break
    # The id folds case and plurals, so "matrix grafts" and "matrix graft" are one concept.
    return Term(f"IVDKG:{slug(' '.join(tokens))}", label, category, (), (), tuple(close), (),
                f"{SOURCE}: listed after '{cue.phrase}'", True, "")
