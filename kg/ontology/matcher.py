"""Longest-match grounding of token sequences to lexicon terms: case- and plural-aware, whole words only."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence, TypeVar

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
        entries: dict[tuple[str, ...], list[tuple[int, int, str, Term, str]]] = {}
        for term in lexicon.terms.values():
            if not term.matchable:
                continue
            rank = _CATEGORY_PRIORITY.index(term.category) if term.category in _CATEGORY_PRIORITY else 99
            scopes = dict(zip(term.synonyms, term.synonym_scopes))
            phrases = [(term.label, "label", 1)] + [
                (s, "abbreviation prior" if scopes.get(s) == "ABBREVIATION" else "synonym",
                 0 if scopes.get(s) in ("CURATED", "ABBREVIATION") else 2) for s in term.matched_synonyms()]
            for phrase, how, priority in phrases:
                key = phrase_key(phrase)
                if key:
                    entries.setdefault(key, []).append((priority, rank, term.id, term, how))
        # One term per key, the domain's choice first: curated synonyms, then labels, then other synonyms;
        # then category priority, then id, so the choice is stable.
        self.table: dict[tuple[str, ...], tuple[Term, str]] = {}
        for key, options in entries.items():
            best = min(options, key=lambda o: o[:3])
            self.table[key] = (best[3], best[4])
        self.max_len = max((len(k) for k in self.table), default=1)
        # The longest phrase that starts with each word: most words start none, and cost one lookup.
        self.longest_from: dict[str, int] = {}
        for key in self.table:
            self.longest_from[key[0]] = max(self.longest_from.get(key[0], 0), len(key))

    def scan(self, tokens: Sequence[Token],
             local: Mapping[tuple[str, ...], tuple[Term | None, str]] | None = None) -> list[Hit]:
        """Non-overlapping hits, left to right, longest first.

        `local` holds what the document itself defines, as (term, how): its abbreviations and the
        concepts its cue phrases named; it wins over the lexicon. A short form the document defines as
        something unknown maps to (None, ...), which blocks the lexicon's meaning.
        """
        local = local or {}

        def lookup(key: tuple[str, ...]) -> tuple[Term, str] | None:
            if key in local:
                term, how = local[key]
                return (term, how) if term is not None else None
            return self.table.get(key)

        longest = dict(self.longest_from)
        for key in local:
            longest[key[0]] = max(longest.get(key[0], 0), len(key))
        return [Hit(first, last, term, how)
                for first, last, (term, how) in longest_matches([t.key for t in tokens], self.max_len, lookup,
                                                                longest_from=longest)]


V = TypeVar("V")


def longest_matches(keys: Sequence[str], max_len: int, lookup: Callable[[tuple[str, ...]], V | None],
                    blocked: Callable[[int, int], bool] = lambda first, last: False,
                    longest_from: Mapping[str, int] | None = None) -> list[tuple[int, int, V]]:
    """Greedy left-to-right scan: at each position the longest key sequence that `lookup` knows wins.

    `blocked(first, last)` rules a span out (the trigger scan uses it to skip words inside mentions).
    """
    found: list[tuple[int, int, V]] = []
    i, n = 0, len(keys)
    while i < n:
        limit = max_len if longest_from is None else longest_from.get(keys[i], 0)
        for length in range(min(limit, n - i), 0, -1):
            if blocked(i, i + length - 1):
                continue
            value = lookup(tuple(keys[i:i + length]))
            if value is not None:
                found.append((i, i + length - 1, value))
                i += length
                break
        else:
            i += 1
    return found
