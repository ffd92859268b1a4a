"""The phrases a term is matched by: its label and synonyms under the scope policy, and the variants real
prose uses (inverted "X of Y" names, derived-cell phrases, gene symbols in their written forms, process
names without a generic first word and in their verb forms, relational adjectives).

Pure functions of a Term and the policy in ontologies/grounding.toml; the matcher compiles their output.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Mapping

from ..model import Term
from ..resources import ontology_file

# Priorities: lower wins when two terms claim one phrase.
CURATED, LABEL, SYNONYM, VARIANT = 0, 1, 2, 3


@dataclass(frozen=True)
class Phrase:
    text: str
    how: str        # label | synonym | abbreviation prior | adjective | symbol | variant: ...
    priority: int
    case_sensitive: bool = False  # gene symbols: only as written, all capitals, or with one leading capital
    licence: tuple[str, ...] = ()  # grounds only in a document that also mentions one of these ids


@dataclass(frozen=True)
class Policy:
    default_scopes: frozenset[str]
    scopes_by_prefix: dict[str, frozenset[str]]
    symbol_scopes: frozenset[str]
    greek: dict[str, str]
    inversion_categories: frozenset[str]
    inversion_max_words: int
    derived_words: tuple[str, ...]
    generic_categories: frozenset[str]
    generic_words: tuple[str, ...]
    cell_head_suffixes: tuple[str, ...]
    adjective_rules: tuple[tuple[str, str], ...]
    adjective_categories: frozenset[str]
    derivation_categories: frozenset[str]
    derivation_rules: tuple[tuple[str, tuple[str, ...]], ...]
    irregular: dict[str, tuple[str, ...]]
    generic_suffixes: tuple[str, ...] = ()
    adjective_targets: frozenset[str] = frozenset()  # categories whose names take an adjective for their first noun
    excluded: frozenset[str] = frozenset()  # common words that no synonym may be (ontologies/excluded_synonyms.txt)
    process_heads: frozenset[str] = frozenset()  # "disc degeneration" is also "degeneration of the disc"
    process_categories: frozenset[str] = frozenset()

    licensed_by_prefix: dict[str, frozenset[str]] = None  # type: ignore[assignment]

    def scopes(self, curie: str) -> frozenset[str]:
        return self.scopes_by_prefix.get(curie.split(":")[0], self.default_scopes)

    def licensed(self, curie: str) -> frozenset[str]:
        return (self.licensed_by_prefix or {}).get(curie.split(":")[0], frozenset())


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    data = tomllib.loads(ontology_file("grounding.toml").read_text(encoding="utf-8"))
    scopes = data["scopes"]
    return Policy(
        frozenset(scopes["default"]), {k: frozenset(v) for k, v in scopes.get("by_prefix", {}).items()},
        frozenset(data["symbols"]["scopes"]), dict(data["symbols"]["greek"]),
        frozenset(data["inversion"]["categories"]), data["inversion"]["max_words"], tuple(data["inversion"]["derived"]),
        frozenset(data["generic_modifiers"]["categories"]), tuple(data["generic_modifiers"]["words"]),
        tuple(data["cell_heads"]["suffixes"]),
        tuple((a, b) for a, b in data["adjectives"]["rules"]), frozenset(data["adjectives"]["categories"]),
        frozenset(data["derivations"]["categories"]),
        tuple((a, tuple(b)) for a, b in data["derivations"]["rules"]),
        {k: tuple(v) for k, v in data["derivations"]["irregular"].items()},
        generic_suffixes=tuple(data["generic_modifiers"].get("suffixes", ())),
        adjective_targets=frozenset(data["adjectives"]["targets"]), excluded=_excluded_words(),
        licensed_by_prefix={k: frozenset(v) for k, v in data["scopes"].get("licensed_by_prefix", {}).items()},
        process_heads=frozenset(data.get("process_inversion", {}).get("heads", ())),
        process_categories=frozenset(data.get("process_inversion", {}).get("categories", ())))


def _excluded_words() -> frozenset[str]:
    lines = ontology_file("excluded_synonyms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(l.strip().lower() for l in lines if l.strip() and not l.startswith("#"))


def _ambiguous_acronym(text: str) -> bool:
    """An ontology's bare acronym ("SAC", "ESC") names many things; the field's own are in abbreviations.tsv."""
    return " " not in text and len(text) <= 5 and any(c.isupper() for c in text[1:])


def adjective_map(terms: Iterable[Term], policy: Policy) -> dict[str, tuple[str, ...]]:
    """Noun -> its relational adjectives, from UBERON's list and the cell-name rules: heart -> cardiac,
    neuron -> neuronal. Used to write process names as prose does ("neuronal differentiation")."""
    out: dict[str, set[str]] = {}
    for term in terms:
        if not term.matchable:
            continue
        for text, scope in zip(term.synonyms, term.synonym_scopes):
            if scope == "ADJECTIVE" and text.lower() not in policy.excluded:
                out.setdefault(term.label.lower(), set()).add(text.lower())
                out.setdefault("@" + text.lower(), set()).add(term.id)  # reverse: adjective -> the organ's id
        if term.category in policy.adjective_categories and " " not in term.label:
            for noun_end, adjective_end in policy.adjective_rules:
                word = term.label.lower()
                if word.endswith(noun_end) and len(word) > len(noun_end) + 2:
                    out.setdefault(word, set()).add(word[:len(word) - len(noun_end)] + adjective_end)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def term_organs(term: Term, adjectives: Mapping[str, tuple[str, ...]] | None) -> tuple[str, ...]:
    """Ids of the organs whose adjective the label uses ("retinal rod cell": retina), from the adjective map's
    reverse entries (adjective -> noun id), which compile_table records under the key '@' + adjective."""
    if not adjectives:
        return ()
    return tuple(i for w in term.label.lower().split() for i in adjectives.get("@" + w, ()))


def term_phrases(term: Term, policy: Policy, adjectives: Mapping[str, tuple[str, ...]] | None = None) -> Iterator[Phrase]:
    """Every phrase that grounds to `term`, with how it was made and its priority."""
    scopes = policy.scopes(term.id)
    licensed = policy.licensed(term.id)
    named: list[str] = [term.label]
    yield Phrase(term.label, "label", LABEL)
    for text, scope in zip(term.synonyms, term.synonym_scopes or ("UNSPECIFIED",) * len(term.synonyms)):
        if scope in policy.symbol_scopes:
            if scope in scopes:
                yield from _symbol_forms(text, policy)
            continue
        if scope in licensed and scope not in scopes:
            if text.lower() not in policy.excluded and not _ambiguous_acronym(text) and term.parents:
                # "rod" is a retinal rod cell only where the document speaks of photoreceptors or the retina
                yield Phrase(text, f"synonym ({scope}, in context)", SYNONYM, licence=term.parents + term_organs(term, adjectives))
            continue
        if scope not in scopes and scope not in ("CURATED", "ABBREVIATION"):
            continue
        if scope not in ("CURATED", "ABBREVIATION") and (text.lower() in policy.excluded or _ambiguous_acronym(text)):
            continue
        if scope == "ABBREVIATION":
            yield Phrase(text, "abbreviation prior", CURATED)
        elif scope == "CURATED":
            yield Phrase(text, "synonym", CURATED)
            named.append(text)
        elif scope == "ADJECTIVE":
            yield Phrase(text, "adjective", SYNONYM)
        else:
            how = "synonym" if scope in ("EXACT", "UNSPECIFIED") else f"synonym ({scope})"
            yield Phrase(text, how + (" one word" if " " not in text.strip() else ""), SYNONYM)
            named.append(text)
    for i, text in enumerate(named):
        for variant in _name_variants(text, term, policy, adjectives or {}, is_label=i == 0):
            if variant.text.lower() not in policy.excluded:
                # variants of the label before those of synonyms: "regulation" is biological regulation's
                yield Phrase(variant.text, variant.how, variant.priority + (i > 0), variant.case_sensitive)


def _symbol_forms(symbol: str, policy: Policy) -> Iterator[Phrase]:
    forms = {symbol}
    if symbol.isupper() and symbol[:1].isalpha() and any(c.isdigit() for c in symbol):
        forms.add(symbol[0] + symbol[1:].lower())  # mouse and rat genes: Sox9, Col2a1 (never a word: "Thes")
    stem = re.fullmatch(r"([A-Z]{2,}\d*)([A-Z])(\d*)", symbol)
    if stem and stem.group(2) in policy.greek:
        forms.add(f"{stem.group(1)} {policy.greek[stem.group(2)]} {stem.group(3)}".strip())  # IL1B -> IL1 beta
    for form in sorted(forms):
        yield Phrase(form, "symbol", SYNONYM, case_sensitive=True)


def _name_variants(name: str, term: Term, policy: Policy, adjectives: Mapping[str, tuple[str, ...]],
                   is_label: bool = True) -> Iterator[Phrase]:
    words = name.split()
    if term.category in policy.adjective_targets and len(words) >= 2:
        for n in range(min(3, len(words) - 1), 0, -1):  # "heart development" -> "cardiac development"
            for adjective in adjectives.get(" ".join(words[:n]).lower(), ()):
                yield Phrase(" ".join([adjective] + words[n:]), "variant: adjective", VARIANT)
    if "-" in name and re.search(r"[A-Za-z]-[A-Za-z0-9]", name):
        yield Phrase(re.sub(r"(?<=\w)-(?=\w)", "", name), "variant: joined", VARIANT)  # TGF-beta -> TGFbeta
    if term.category in policy.inversion_categories:
        match = re.fullmatch(r"(.+?) of (?:the )?(.+)", name)
        if match and len(match.group(1).split()) <= policy.inversion_max_words \
                and len(match.group(2).split()) <= policy.inversion_max_words and " of " not in match.group(2):
            head, place = match.group(1), match.group(2)
            yield Phrase(f"{place} {head}", "variant: inverted", VARIANT)
            for derived in policy.derived_words:
                yield Phrase(f"{place}-{derived} {head}", "variant: inverted", VARIANT)
    if term.category in policy.process_categories and 2 <= len(words) <= policy.inversion_max_words + 1 \
            and words[-1].lower() in policy.process_heads and " of " not in name:
        # "intervertebral disc degeneration" is also "degeneration of the intervertebral disc"
        thing = " ".join(words[:-1])
        yield Phrase(f"{words[-1]} of {thing}", "variant: inverted", VARIANT)
        yield Phrase(f"{words[-1]} of the {thing}", "variant: inverted", VARIANT)
    if words and words[-1].lower() == "cell" and len(words) >= 2 \
            and words[-2].lower().endswith(policy.cell_head_suffixes):
        yield Phrase(" ".join(words[:-1]), "variant: cell head", VARIANT)
    if term.category in policy.adjective_categories and len(words) <= 2 \
            and (len(words) == 1 or words[-1].lower() == "cell"):
        for noun_end, adjective_end in policy.adjective_rules:
            if words[0].lower().endswith(noun_end) and len(words[0]) > len(noun_end) + 2:
                adjective = words[0][:len(words[0]) - len(noun_end)] + adjective_end
                yield Phrase(adjective, "variant: adjective", VARIANT)
                yield Phrase(f"{adjective} cell", "variant: adjective", VARIANT)
    if term.category in policy.generic_categories:
        bare = name
        if is_label and len(words) >= 2 and words[0].lower() in policy.generic_words:
            bare = " ".join(words[1:])
            yield Phrase(bare, "variant: generic word left out", VARIANT)
        if len(words) >= 3 and words[-1].lower() in policy.generic_suffixes:
            yield Phrase(" ".join(words[:-1]), "variant: generic word left out", VARIANT)
        if term.category in policy.derivation_categories and " " not in bare:
            for form in _derived_forms(bare.lower(), policy):
                yield Phrase(form, "variant: derived form", VARIANT)


def _derived_forms(word: str, policy: Policy) -> list[str]:
    if word in policy.irregular:
        return list(policy.irregular[word])
    for noun_end, endings in policy.derivation_rules:
        if word.endswith(noun_end) and len(word) > len(noun_end) + 2:
            stem = word[:len(word) - len(noun_end)]
            return [stem + e for e in endings]
    return []
