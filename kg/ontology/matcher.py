"""Longest-match grounding of token sequences to lexicon terms: case-, plural- and spelling-aware, whole words only.

The compiled phrase table (hundreds of thousands of phrases for the whole vocabulary) is cached on disk as
JSON, keyed by the lexicon's content and the code and data that make the phrases, so a run loads it in a
fraction of the time it takes to compile.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
from dataclasses import dataclass
from itertools import chain, compress, count, repeat
from operator import add, attrgetter
from pathlib import Path
from typing import Callable, Mapping, Sequence, TypeVar

from ..model import Term
from ..nlp.tokens import Token, phrase_key
from ..resources import ontology_file
from .lexicon import Lexicon
from .sources import cache_dir
from .variants import Policy, adjective_map, default_policy, term_phrases

_CATEGORY_PRIORITY = ("CellType", "Strategy", "Barrier", "Mechanism", "Disease", "Phenotype", "Outcome",
                      "Molecule", "AnatomicalStructure", "Organism")
_SEP = "\x1f"
_BLOCK_TERM = Term("", "", "", matchable=False)
TABLE_FORMAT = "phrases-v8"


@dataclass(frozen=True)
class Hit:
    first: int  # index into the visible tokens
    last: int   # inclusive
    term: Term
    matched_by: str
    nested: bool = False  # inside a longer mention, of another ontology ("striatal" in "striatal neuron")
    pieces: tuple[tuple[int, int], ...] = ()  # token ranges of a discontinuous mention ("rod ... photoreceptors")
    licence: tuple[str, ...] = ()  # the hit stands only if the document mentions one of these ids
    markers: tuple[str, ...] = ()  # the markers that define a cell population ("Tie2" in "Tie2+ progenitors")


BLOCK = ""  # the id of a phrase that is never a concept ("scale bar"): it takes its words and grounds nothing


Table = dict[tuple[str, ...], tuple[str, str, tuple[str, ...]]]  # phrase key -> (term id, how, licence)


def compile_table(lexicon: Lexicon, policy: Policy) -> Table:
    """Phrase key -> (term id, how). One term per key: the domain's curated synonyms and abbreviations
    first, then the terms of an ontology the user loaded, then labels, synonyms and variants in that
    order, then category priority, then id."""
    best: dict[tuple[str, ...], tuple[tuple[int, int, int, int, str], str, tuple[str, ...]]] = {}
    adjectives = adjective_map(lexicon.terms.values(), policy)
    for term in lexicon.terms.values():
        if not term.matchable:
            continue
        rank = _CATEGORY_PRIORITY.index(term.category) if term.category in _CATEGORY_PRIORITY else 99
        layer = 0 if term.id in lexicon.loaded else 1
        for phrase in term_phrases(term, policy, adjectives):
            key = phrase_key(phrase.text)
            if not key:
                continue
            order = (min(phrase.priority, 1), layer, phrase.priority, rank, term.id)
            known = best.get(key)
            if known is None or order < known[0]:
                best[key] = (order, phrase.how, phrase.licence)
    table = {key: (order[4], how, licence) for key, (order, how, licence) in best.items()}
    for phrase in not_concepts():
        table[phrase_key(phrase)] = (BLOCK, "not a concept", ())
    return table


def not_concepts() -> list[str]:
    lines = ontology_file("not_concepts.txt").read_text(encoding="utf-8").splitlines()
    return [l.strip() for l in lines if l.strip() and not l.startswith("#")]


def _table_key(lexicon: Lexicon) -> str:
    digest = hashlib.sha256(f"{TABLE_FORMAT}|{lexicon.version}".encode())
    root = Path(__file__).resolve().parent.parent
    for path in (root / "ontology" / "variants.py", root / "ontology" / "matcher.py", root / "nlp" / "tokens.py",
                 ontology_file("grounding.toml"), ontology_file("spelling.tsv"), ontology_file("not_concepts.txt"),
                 ontology_file("excluded_synonyms.txt")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def load_table(lexicon: Lexicon, policy: Policy | None = None) -> "CompiledTable":
    """The compiled table, from the cache when it is there and sound, else compiled and cached.

    The cache is JSON holding a few long strings (keys, ids, how), which load in C: a table of half a
    million phrases is ready in a fraction of a second."""
    path = cache_dir() / f"phrases-{_table_key(lexicon)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        compiled = CompiledTable.from_json(data)
        if all(map(lexicon.terms.__contains__, set(compiled.ids) - {BLOCK})):
            return compiled
    except (OSError, ValueError, TypeError, KeyError):
        pass  # missing or damaged: compiled again
    compiled = CompiledTable.of(compile_table(lexicon, policy or default_policy()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(compiled.to_json(), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs time
    return compiled


@dataclass(frozen=True)
class CompiledTable:
    """Phrase keys (words joined by U+001F) -> row; per row the term id, how, and a licence if any.

    `steps` is the dictionary a scan reads: for every phrase, 2 * row + 1 if it is also a proper word-prefix of
    a longer phrase, else 2 * row; for every prefix of one or two words that is no phrase, -1. One look-up per
    word so tells whether the words so far are a phrase and whether a longer one may follow. The longer
    prefixes that are no phrase, consulted only inside a three-word match, are the set `deep` (a set loads
    in a fraction of the time a dictionary does). Neither holds anything the garbage collector walks."""
    steps: dict[str, int]
    deep: frozenset[str]
    ids: tuple[str, ...]
    hows: tuple[str, ...]
    how_of: tuple[int, ...]
    licences: dict[int, tuple[str, ...]]

    @staticmethod
    def of(table: Table) -> "CompiledTable":
        items = sorted(table.items())
        hows = tuple(sorted({how for _, (_, how, _) in items}))
        index = {h: k for k, h in enumerate(hows)}
        keys = [_SEP.join(k) for k, _ in items]
        prefixes = {_SEP.join(k[:n]) for k, _ in items for n in range(1, len(k))}
        codes = map(add, range(0, 2 * len(keys), 2), map(prefixes.__contains__, keys))  # 2 * row + (is a prefix)
        only = prefixes.difference(keys)
        steps = {**{k: -1 for k in only if k.count(_SEP) < 2}, **dict(zip(keys, codes))}
        return CompiledTable(steps, frozenset(k for k in only if k.count(_SEP) >= 2),
                             tuple(i for _, (i, _, _) in items), hows, tuple(index[h] for _, (_, h, _) in items),
                             {n: c for n, (_, (_, _, c)) in enumerate(items) if c})

    @property
    def rows(self) -> dict[str, int]:
        """Phrase key -> row, for the phrases only."""
        return {key: code >> 1 for key, code in self.steps.items() if code >= 0}

    @property
    def prefixes(self) -> frozenset[str]:
        """Every proper word-prefix of a phrase: where a scan may go on."""
        return frozenset(key for key, code in self.steps.items() if code & 1) | self.deep

    def to_json(self) -> dict:
        """Columns: the phrases in row order, their ids and hows, which phrases are also prefixes, and the
        prefixes that are no phrase; loading them back is a few splits, a dictionary and a set, all in C. Words
        are joined by a space in the file (no word holds one), which JSON reads far faster than an escaped U+001F."""
        keys = [""] * len(self.ids)
        for key, code in self.steps.items():
            if code >= 0:
                keys[code >> 1] = key
        columns = {"keys": "\n".join(keys), "prefixes": "\n".join(sorted(k for k, c in self.steps.items() if c == -1)),
                   "deep_prefixes": "\n".join(sorted(self.deep))}
        sep = " " if not any(" " in text for text in columns.values()) else _SEP
        return {"format": TABLE_FORMAT, "sep": sep, **{k: v.replace(_SEP, sep) for k, v in columns.items()},
                "ids": "\n".join(self.ids), "hows": list(self.hows),
                "how_of": bytes(self.how_of).hex() if len(self.hows) < 256 else None,
                "licences": {str(k): list(v) for k, v in self.licences.items()},
                "also_prefix": bytes(self.steps[k] & 1 for k in keys).hex()}

    @staticmethod
    def from_json(data: dict) -> "CompiledTable":
        if data["format"] != TABLE_FORMAT:
            raise ValueError("another table format")
        sep = data["sep"]
        keys = data["keys"].replace(sep, _SEP).split("\n")
        ids = tuple(data["ids"].split("\n"))
        how_of = tuple(bytes.fromhex(data["how_of"]))
        also_prefix = bytes.fromhex(data["also_prefix"])
        if not (len(keys) == len(ids) == len(how_of) == len(also_prefix)):
            raise ValueError("columns of different lengths")
        only = data["prefixes"].replace(sep, _SEP).split("\n") if data["prefixes"] else []
        steps = dict(zip(chain(keys, only), chain(map(add, range(0, 2 * len(keys), 2), also_prefix),
                                                  repeat(-1, len(only)))))
        if len(steps) != len(keys) + len(only):
            raise ValueError("a key twice")
        deep = frozenset(data["deep_prefixes"].replace(sep, _SEP).split("\n")) if data["deep_prefixes"] else frozenset()
        return CompiledTable(steps, deep, ids, tuple(data["hows"]), how_of,
                             {int(k): tuple(v) for k, v in data["licences"].items()})


_MATCHERS: dict[str, "Matcher"] = {}
_KEY = attrgetter("key")


class Matcher:
    """A dictionary of phrase keys; the scan tries the longest phrase at each position first."""

    def __init__(self, lexicon: Lexicon, policy: Policy | None = None):
        self.lexicon = lexicon
        self.compiled = load_table(lexicon, policy) if policy is None else CompiledTable.of(compile_table(lexicon, policy))
        self.block_first = frozenset(phrase_key(p)[0] for p in not_concepts() if phrase_key(p))

    @staticmethod
    def of(lexicon: Lexicon) -> "Matcher":
        """One matcher per lexicon in a process (and in the worker processes forked from it)."""
        matcher = _MATCHERS.get(lexicon.version)  # the version is the content: same version, same table
        if matcher is None:
            if len(_MATCHERS) > 4:
                _MATCHERS.clear()
            matcher = _MATCHERS[lexicon.version] = Matcher(lexicon)
            # The lexicon and its table live as long as the process: out of the garbage collector's way, a
            # collection no longer walks their hundred thousand terms (which took a fifth of the analysis
            # time), and forked workers do not copy their pages by touching them.
            gc.freeze()
        return matcher

    def get(self, key: tuple[str, ...]) -> tuple[Term, str] | None:
        """The term a phrase key grounds to, and how."""
        code = self.compiled.steps.get(_SEP.join(key))
        if code is None or code < 0:
            return None
        row = code >> 1
        curie = self.compiled.ids[row]
        return (self.lexicon.terms[curie] if curie != BLOCK else _BLOCK_TERM,
                self.compiled.hows[self.compiled.how_of[row]])

    def whole(self, tokens: Sequence[Token], expansions: Mapping[str, tuple[tuple[str, ...], str]] | None = None
              ) -> Term | None:
        """The term the tokens name as a whole (their short forms read as their long forms), if any: what
        `scan(tokens, {}, expansions)` finds when it finds one hit over all the tokens, in one look-up."""
        keys = list(map(_KEY, tokens))
        if not keys:
            return None
        if expansions and not expansions.keys().isdisjoint(keys):
            if not all(expansions[k][0] for k in keys if k in expansions):  # a short form read as nothing
                found = self.scan(tokens, {}, expansions)
                return found[0].term if len(found) == 1 and found[0].first == 0 and found[0].last == len(keys) - 1 \
                    else None
            kept = set() if self.block_first.isdisjoint(keys) else {
                k for h in self._scan(keys, {}, blocks=True) for k in range(h.first, h.last + 1)}
            virtual: list[str] = []
            for i, key in enumerate(keys):
                virtual.extend(expansions[key][0] if key in expansions and i not in kept else (key,))
            keys = virtual
        code = self.compiled.steps.get(_SEP.join(keys))
        if code is None or code < 0:
            return None
        curie = self.compiled.ids[code >> 1]
        return self.lexicon.terms[curie] if curie != BLOCK else None

    def scan(self, tokens: Sequence[Token],
             local: Mapping[tuple[str, ...], tuple[Term | None, str]] | None = None,
             expansions: Mapping[str, tuple[tuple[str, ...], str]] | None = None,
             shorter_than_all: bool = False) -> list[Hit]:
        """Non-overlapping hits, left to right, longest first (`shorter_than_all`: none covering every token).

        `local` holds what the document itself defines, as (term, how): the concepts its cue phrases
        named; it wins over the lexicon. `expansions` maps a short form's key to the keys of its long form
        and how it was learnt ("ES" -> embryonic stem, defined in the document): the short form is read as
        its long form, so "ES cells" grounds as "embryonic stem cells" and "umbilical cord MSCs" as
        "umbilical cord mesenchymal stem cells"; a short form whose long form names nothing grounds nothing.
        """
        keys = list(map(_KEY, tokens))
        n = len(keys)
        if not expansions or expansions.keys().isdisjoint(keys):
            return self._scan(keys, local, limit=n - 1 if shorter_than_all else None)
        # A phrase that is never a concept ("NP-40") keeps its words as they are: no short form in it expands.
        kept = () if self.block_first.isdisjoint(keys) else {
            k for h in self._scan(keys, None, blocks=True) for k in range(h.first, h.last + 1)}
        # The keys with each short form replaced by its long form's ("virtual" words), and for each virtual word
        # the token it comes from; a hit must start where a token starts and end where one ends.
        virtual: list[str] = []
        origin: list[int] = []
        starts: set[int] = set()
        ends: set[int] = set()
        done = 0
        for i in [i for i in compress(count(), map(expansions.__contains__, keys)) if i not in kept] + [n]:
            at = len(virtual)
            virtual.extend(keys[done:i])  # the words before this short form stay as they are
            origin.extend(range(done, i))
            starts.update(range(at, at + i - done))
            ends.update(range(at, at + i - done))
            if i == n:
                break
            parts = expansions[keys[i]][0]
            starts.add(len(virtual))
            virtual.extend(parts)
            origin.extend([i] * len(parts))
            ends.add(len(virtual) - 1)
            done = i + 1
        if shorter_than_all and len(virtual) == 1:
            return []  # the one span there is covers everything
        out = []
        for hit in self._scan(virtual, local, len(virtual) - 1 if shorter_than_all else None, starts, ends):
            first, last = origin[hit.first], origin[hit.last]
            how = expansions[keys[first]][1] if first == last and keys[first] in expansions else hit.matched_by
            out.append(Hit(first, last, hit.term, how, licence=hit.licence))
        return out

    def _scan(self, keys: Sequence[str], local: Mapping[tuple[str, ...], tuple[Term | None, str]] | None,
              limit: int | None = None, starts: set[int] | None = None, ends: set[int] | None = None,
              blocks: bool = False) -> list[Hit]:
        """Left to right; at each position the phrase grows word by word while some phrase starts with it,
        and the longest one found wins (one dictionary look-up per word). No hit is longer than `limit`; it
        starts at one of `starts` and ends at one of `ends` when they are given. With `blocks`, only the
        phrases that are never concepts are returned."""
        if local:
            return self._scan_local(keys, local, limit, starts, ends, blocks)
        get, ids, hows, how_of = self.compiled.steps.get, self.compiled.ids, self.compiled.hows, self.compiled.how_of
        licences, terms, deep = self.compiled.licences, self.lexicon.terms, self.compiled.deep
        out: list[Hit] = []
        n = len(keys)
        cap = limit or n
        bounded = ends is not None
        free = 0  # the first position no hit covers yet
        for i, code in enumerate(map(get, keys)):
            if code is None or i < free or (bounded and i not in starts):
                continue
            best, last = code, i if code >= 0 and (not bounded or i in ends) else -1
            if code & 1:  # some longer phrase starts with this word
                phrase, j = keys[i], i + 1
                while j < n and j - i < cap:
                    phrase = phrase + _SEP + keys[j]
                    code = get(phrase)
                    if code is None:
                        if j - i < 2 or phrase not in deep:
                            break
                        code = -1
                    if code >= 0 and (not bounded or j in ends):
                        best, last = code, j
                    if not code & 1:
                        break
                    j += 1
            if last < 0:
                continue
            row = best >> 1
            curie = ids[row]
            if (curie == BLOCK) == blocks:
                out.append(Hit(i, last, terms[curie] if curie != BLOCK else _BLOCK_TERM, hows[how_of[row]],
                               licence=licences.get(row, ())))
            free = last + 1
        return out

    def _scan_local(self, keys: Sequence[str], local: Mapping[tuple[str, ...], tuple[Term | None, str]],
                    limit: int | None, starts: set[int] | None, ends: set[int] | None, blocks: bool) -> list[Hit]:
        """`_scan` with the document's own phrases, which win over the lexicon's."""
        get, ids, hows, how_of = self.compiled.steps.get, self.compiled.ids, self.compiled.hows, self.compiled.how_of
        licences, terms, deep = self.compiled.licences, self.lexicon.terms, self.compiled.deep
        own = {_SEP.join(k): v for k, v in local.items()}
        own_prefixes = {_SEP.join(k[:n]) for k in local for n in range(1, len(k))}
        out: list[Hit] = []
        n = len(keys)
        cap = limit or n
        i = 0
        while i < n:
            if starts is not None and i not in starts:
                i += 1  # every span from here is ruled out
                continue
            best = None
            phrase, j = keys[i], i
            while True:
                code = get(phrase)
                if code is None and j - i >= 2 and phrase in deep:
                    code = -1
                if ends is None or j in ends:
                    if phrase in own:
                        term, how = own[phrase]
                        best = (j, term, how, ()) if term is not None else best
                    elif code is not None and code >= 0:
                        row = code >> 1
                        curie = ids[row]
                        best = (j, terms[curie] if curie != BLOCK else _BLOCK_TERM, hows[how_of[row]],
                                licences.get(row, ()))
                j += 1
                if j >= n or j - i >= cap or ((code is None or not code & 1) and phrase not in own_prefixes):
                    break
                phrase = phrase + _SEP + keys[j]
            if best is None:
                i += 1
                continue
            last, term, how, licence = best
            if (term is _BLOCK_TERM) == blocks:
                out.append(Hit(i, last, term, how, licence=licence))
            i = last + 1
        return out

    def nested(self, tokens: Sequence[Token], hits: Sequence[Hit],
               expansions: Mapping[str, tuple[tuple[str, ...], str]] | None = None) -> list[Hit]:
        """Mentions of another ontology inside each longer hit: "striatal" (UBERON) in "striatal neuron" (CL),
        never a shorter term of the same ontology ("neuron")."""
        out: list[Hit] = []
        for hit in hits:
            if hit.last == hit.first:
                continue
            prefix = hit.term.id.split(":")[0]
            inner = list(tokens[hit.first:hit.last + 1])
            for sub in self.scan(inner, None, expansions, shorter_than_all=True):
                if sub.term.id.split(":")[0] != prefix:
                    out.append(Hit(hit.first + sub.first, hit.first + sub.last, sub.term, sub.matched_by, True,
                                   licence=sub.licence))
        return out


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
