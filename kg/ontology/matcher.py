"""Longest-match grounding of token sequences to lexicon terms: case- and plural-aware, whole words only."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from ..model import Term
from ..nlp.tokens import Token, phrase_key
from .lexicon import Lexicon

_CATEGORY_PRIORITY = ("CellType", "Strategy", "Barrier", "Mechanism", "Disease", "Phenotype", "Outcome",
                      "Molecule", "AnatomicalStructure", "Organism")


@dataclass(frozen=True)
class Hit:
    first: int  # index into the visible tokens
    last: int   # inclusive
    term: Term
    matched_by: str


class Matcher:
    """A dictionary of phrase keys; the scan tries the longest phrase at each position first."""

    def __init__(self, lexicon: Lexicon):
        entries: dict[tuple[str, ...], list[tuple[int, Term, str]]] = {}
        for term in lexicon.terms.values():
            if not term.matchable:
                continue
            rank = _CATEGORY_PRIORITY.index(term.category) if term.category in _CATEGORY_PRIORITY else 99
            for phrase, how in [(term.label, "label")] + [(s, "synonym") for s in term.synonyms]:
                key = phrase_key(phrase)
                if key:
                    entries.setdefault(key, []).append((0 if how == "label" else 1, rank, term.id, term, how))
        # One term per key: labels before synonyms, then category priority, then id, so the choice is stable.
        self.table: dict[tuple[str, ...], tuple[Term, str]] = {
            key: (sorted(options, key=lambda o: o[:3])[0][3], sorted(options, key=lambda o: o[:3])[0][4])
            for key, options in entries.items()}
        self.max_len = max((len(k) for k in self.table), default=1)

    def scan(self, tokens: Sequence[Token], local: Mapping[tuple[str, ...], Term] | None = None) -> list[Hit]:
        """Non-overlapping hits, left to right, longest first; `local` (document abbreviations) wins ties."""
        hits: list[Hit] = []
        keys = [t.key for t in tokens]
        local = local or {}
        local_max = max((len(k) for k in local), default=0)
        i, n = 0, len(tokens)
        while i < n:
            found = None
            for length in range(min(max(self.max_len, local_max), n - i), 0, -1):
                key = tuple(keys[i:i + length])
                if key in local:
                    found = Hit(i, i + length - 1, local[key], "abbreviation")
                    break
                if key in self.table:
                    term, how = self.table[key]
                    found = Hit(i, i + length - 1, term, how)
                    break
            if found:
                hits.append(found)
                i = found.last + 1
            else:
                i += 1
        return hits
