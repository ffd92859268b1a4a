"""The syntax extractor: relations read from the dependency tree of the project's CRAFT-trained parser.

Two layers. The path logic (`relations`) works on plain token records (`Tok`: index, head, label,
text, lemma, tag) and a set of concept tokens, so it is tested without a model: for each trigger word
(patterns.toml's vocabulary, plus ontologies/syntax_patterns.toml) it finds the subject (nsubj, a
passive's by-agent, the subject of a governing or coordinated verb, the antecedent of a relative
clause, the modifier of "X-induced"), the object (dobj, a passive subject, the object of the trigger's
preposition, the noun a participle modifies), looks through coordination, carrier nouns ("coculture
with X") and transparent nouns ("the viability of X"), and reads negation and modality from the
tree. The adapter (`SyntaxExtractor`) parses the candidate sentences, maps the project's own mentions
onto the parser's tokens by character offsets and yields ordinary Assertions, choosing each predicate
with the rule extractor's table and the schema's domain and range.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from ..analysis import AnalysedDocument, AnalysedSentence
from ..model import Assertion, Evidence, Span
from ..nlp.context import quantities
from ..patterns import load_patterns, verb_forms
from ..resources import ontology_file
from ..schema import Schema, default_schema
from .base import register
from .rules import RuleExtractor

VERSION = "1"


# ---- the model-free layer ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Tok:
    """One parsed token: its index, its head's index (itself for the root), label, text, lemma, tag."""
    i: int
    head: int
    dep: str
    text: str
    lemma: str = ""
    tag: str = ""

    @property
    def word(self) -> str:
        return (self.lemma or self.text).lower()

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Relation:
    """subject token, object token (concept heads), the trigger's class and token, how they were linked."""
    subject: int
    object: int
    kind: str
    trigger: int
    path: str
    confidence: float
    negated: bool = False
    hedged: bool = False


@dataclass
class Vocabulary:
    triggers: dict[str, dict[str, tuple[str, ...]]]  # word -> {object preposition ('' = direct object): classes}
    subject: frozenset[str] = frozenset({"nsubj", "csubj"})
    object: frozenset[str] = frozenset({"dobj"})
    passive_subject: frozenset[str] = frozenset({"nsubjpass", "csubjpass"})
    agent_prepositions: frozenset[str] = frozenset({"by"})
    nominal_subject: frozenset[str] = frozenset({"poss"})
    participle_agents: frozenset[str] = frozenset({"npadvmod", "compound", "nmod", "amod"})
    shared_subject: frozenset[str] = frozenset({"conj", "xcomp", "pcomp", "advcl", "attr", "acomp", "oprd"})
    coordination: frozenset[str] = frozenset({"conj", "appos"})
    carriers: dict[str, frozenset[str]] = field(default_factory=dict)
    carrier_modifiers: frozenset[str] = frozenset({"compound", "nmod"})
    participle_carriers: frozenset[str] = frozenset()  # "strategies involving hydrogels"
    carrier_participles: frozenset[str] = frozenset()
    transparent: frozenset[str] = frozenset()
    generic_heads: frozenset[str] = frozenset()
    subject_prepositions: dict[str, frozenset[str]] = field(default_factory=dict)  # "the role of X in Y"
    reversed_classes: frozenset[str] = frozenset()  # "Y is due to X": the object of the preposition is the subject
    light_verbs: frozenset[str] = frozenset()
    means: frozenset[str] = frozenset()
    structural: frozenset[str] = frozenset()  # relation classes read from structure alone ("X for Y": purpose)
    hedge_aux: frozenset[str] = frozenset({"may", "might", "could"})
    hedge_governors: frozenset[str] = frozenset()
    negation_governors: frozenset[str] = frozenset()
    confidence: dict[str, float] = field(default_factory=dict)
    lemmas: dict[str, str] = field(default_factory=dict)  # inflected form -> lemma
    noun_forms: frozenset[str] = frozenset()  # trigger verbs that are often nouns ("release", "use")
    reporting: frozenset[str] = frozenset()  # "studies show X can restore Y"

    def lemma(self, text: str, tag: str = "") -> str:
        low = text.lower()
        if low in self.lemmas:
            return self.lemmas[low]
        if tag.startswith("NN") and low.endswith("s") and low[:-1] in self.triggers:
            return low[:-1]
        return low


def children_of(toks: Sequence[Tok]) -> list[list[int]]:
    kids: list[list[int]] = [[] for _ in toks]
    for t in toks:
        if t.head != t.i:
            kids[t.head].append(t.i)
    return kids


def repair(toks: Sequence[Tok], vocab: Vocabulary, concepts: frozenset[int] = frozenset()) -> list[Tok]:
    """Undo one frequent misparse: "X increased A and reduced B", where the parser makes "reduced" an
    adjective of B (a conjunct of A); it is a second verb with B as its object, sharing X. And a
    sentence read as one noun phrase ("MSCs, cultured under hypoxia, increased matrix synthesis" with
    "increased" an adjective): the first past-tense trigger after the root noun is the main verb."""
    for fix in (_split_subject, _verbless_root, _no_verb, _misread_verb):  # in this order: each needs the one before
        toks = fix(toks, vocab, concepts)
    out = list(toks)
    for t in toks:
        if not (t.dep == "amod" and t.tag in ("VBN", "VBD") and t.i > 0 and t.head == t.i + 1):
            continue
        if toks[t.i - 1].low not in ("and", "or", ",", "but") or vocab.lemma(t.text, t.tag) not in vocab.triggers:
            continue
        noun = toks[t.head]
        k = noun.i
        while toks[k].dep == "conj" and toks[k].head != k:  # up the chain of conjuncts to the first one
            k = toks[k].head
        if k == noun.i:
            continue
        if toks[k].tag.startswith("V"):
            verb = k  # "improved viability and decreased apoptosis" with apoptosis a conjunct of the verb
        elif toks[k].dep in vocab.object and toks[toks[k].head].tag.startswith("V"):
            verb = toks[k].head
        else:
            continue
        out[t.i] = Tok(t.i, verb, "conj", t.text, t.lemma, "VBD")
        out[noun.i] = Tok(noun.i, t.i, "dobj", noun.text, noun.lemma, noun.tag)
    # "Hypoxia suppressed aggrecan", read as a noun phrase with "suppressed" an adjective that has a
    # subject: the adjective is the main verb, the noun its object, the noun's verb conjuncts its own.
    for t in toks:
        noun = toks[t.head]
        if not (t.dep in ("amod", "compound") and t.tag.startswith("V") and noun.head == noun.i and noun.i > t.i
                and any(c.head == t.i and c.dep == "nsubj" for c in toks)):
            continue
        out[t.i] = Tok(t.i, t.i, "ROOT", t.text, t.lemma, "VBD")
        out[noun.i] = Tok(noun.i, t.i, "dobj", noun.text, noun.lemma, noun.tag)
        for c in toks:
            if c.head == noun.i and c.i != t.i and (c.tag.startswith("V") or c.dep in ("punct",)) and c.dep in ("conj", "punct"):
                out[c.i] = Tok(c.i, t.i, c.dep, c.text, c.lemma, c.tag)
        break
    return out


def _split_subject(toks: Sequence[Tok], vocab: Vocabulary, concepts: frozenset[int]) -> list[Tok]:
    """"Studies show MSCs and iPSCs can restore X", with "MSCs" read as the object of "show" and only
    "iPSCs" as the subject of "restore": a concept object whose "and" is followed by a subject
    concept is a conjunct of that subject."""
    out = list(toks)
    for t in toks:
        if t.i not in concepts or t.dep != "dobj" or t.i + 2 >= len(toks):
            continue
        cc, nxt = toks[t.i + 1], toks[t.i + 2]
        if cc.low in ("and", "or") and nxt.i in concepts and nxt.dep == "nsubj":
            out[t.i] = Tok(t.i, nxt.i, "conj", t.text, t.lemma, t.tag)
            out[cc.i] = Tok(cc.i, nxt.i, "cc", cc.text, cc.lemma, cc.tag)
    return out


def _verb_only(word: str, vocab: Vocabulary) -> bool:
    """A trigger that is a verb and (almost) never a noun: "impair", "treat", "alleviate"."""
    entry = vocab.triggers.get(word)
    return bool(entry) and set(entry) == {""} and word not in vocab.noun_forms


def _misread_verb(toks: Sequence[Tok], vocab: Vocabulary, concepts: frozenset[int]) -> list[Tok]:
    """"Gene therapy and exosome therapy treat disc degeneration and relieve pain", with "treat" read
    as a noun modifier: a present-tense trigger verb inside a noun phrase, between two concepts, in a
    sentence whose root is a verb, is a verb coordinated with the root; the concept after it its object."""
    out = list(toks)
    roots = [t for t in toks if t.head == t.i and t.tag.startswith("VB")]
    if not roots:
        return out
    for t in toks:
        lemma = vocab.lemmas.get(t.low, t.low)
        if (t.i in concepts or t.tag[:2] not in ("NN", "JJ") or t.dep not in ("compound", "amod", "nmod")
                or t.low not in (lemma, lemma + "s") or not _verb_only(lemma, vocab)):
            continue
        before = [c for c in concepts if c < t.i]
        after = [c for c in concepts if c > t.i and c < roots[0].i or (c > t.i and roots[0].i < t.i)]
        if not before or not after:
            continue
        obj = min(after)
        out[t.i] = Tok(t.i, roots[0].i, "conj", t.text, lemma, "VBP")
        out[obj] = Tok(obj, t.i, "dobj", toks[obj].text, toks[obj].lemma, toks[obj].tag)
        return out
    return out


def _no_verb(toks: Sequence[Tok], vocab: Vocabulary, concepts: frozenset[int]) -> list[Tok]:
    """A sentence with no verb at all ("Hypoxic preconditioning counters hypoxia", "counters" read as
    a noun): the first inflected trigger verb between two concepts is the verb, the concept before it
    its subject and the concept after it its object."""
    out = list(toks)
    if any(t.tag in ("VBZ", "VBD", "VBP", "MD") or (t.head == t.i and t.tag.startswith("VB")) for t in toks):
        return out  # a finite verb or a verb at the root: the parse has a clause
    for t in toks:
        lemma = vocab.lemmas.get(t.low, t.low)
        inflected = lemma != t.low and lemma in vocab.triggers and "" in vocab.triggers[lemma]
        if t.i in concepts or not (inflected or _verb_only(lemma, vocab)) or (t.i and toks[t.i - 1].text == "-"):
            continue  # "SDF-1-loaded" is an adjective
        before = [c for c in concepts if c < t.i]
        after = [c for c in concepts if c > t.i]
        if not before or not after:
            continue
        subj, obj = max(before), min(after)
        out[t.i] = Tok(t.i, t.i, "ROOT", t.text, lemma, "VBZ" if t.low.endswith("s") else "VBD")
        out[subj] = Tok(subj, t.i, "nsubj", toks[subj].text, toks[subj].lemma, toks[subj].tag)
        out[obj] = Tok(obj, t.i, "dobj", toks[obj].text, toks[obj].lemma, toks[obj].tag)
        for c in toks:  # what hung on the old root now hangs on the verb
            if c.head == c.i and c.i not in (t.i, subj, obj):
                out[c.i] = Tok(c.i, t.i, "dep", c.text, c.lemma, c.tag)
        current = subj
        for c in sorted(before, reverse=True)[1:]:  # "A, B and C impair ...": the list is the subject
            between = toks[c + 1:current]
            if not all(b.low in (",", "and", "or") or toks[b.head].i == current or b.head == b.i for b in between):
                break
            out[c] = Tok(c, subj, "conj", toks[c].text, toks[c].lemma, toks[c].tag)
            current = c
        return out
    return out


def _verbless_root(toks: Sequence[Tok], vocab: Vocabulary, concepts: frozenset[int] = frozenset()) -> list[Tok]:
    """A sentence whose root is a noun and that holds a trigger in "-ed" modifying a later noun: the
    trigger is the verb, the root noun its subject, the modified noun its object."""
    out = list(toks)
    roots = [t for t in toks if t.head == t.i]
    if len(roots) != 1 or not roots[0].tag.startswith("NN") or any(
            t.tag.startswith("VB") and t.dep in ("ROOT", "ccomp", "conj") and t.head == roots[0].i for t in toks):
        return out
    root = roots[0]
    for t in toks:
        if (t.i > root.i and t.dep == "amod" and t.head > t.i and t.low.endswith("ed")
                and t.tag in ("VBD", "VBN", "JJ") and vocab.lemma(t.text, "VBD") in vocab.triggers):
            noun = toks[t.head]
            out[t.i] = Tok(t.i, t.i, "ROOT", t.text, vocab.lemma(t.text, "VBD"), "VBD")
            out[root.i] = Tok(root.i, t.i, "nsubj", root.text, root.lemma, root.tag)
            out[noun.i] = Tok(noun.i, t.i, "dobj", noun.text, noun.lemma, noun.tag)
            return out
    return out


def _preposition_objects(toks, kids, at: int, words: Iterable[str]) -> list[int]:
    """The objects of the prepositions among `at`'s dependents whose word is one of `words`."""
    words = set(words)
    out = []
    for c in kids[at]:
        if toks[c].dep in ("prep", "agent", "dative") and toks[c].low in words:
            out += [g for g in kids[c] if toks[g].dep in ("pobj", "pcomp")]
    return out


def _is_passive(toks, kids, at: int) -> bool:
    t = toks[at]
    if any(toks[c].dep in ("auxpass", "nsubjpass", "csubjpass", "agent") for c in kids[at]):
        return True
    return t.tag == "VBN" and t.dep in ("amod", "acl", "relcl") and t.head != at


def fillers(toks, kids, at: int, concepts: frozenset[int], vocab: Vocabulary, subject: bool = False,
            depth: int = 0) -> list[tuple[int, str]]:
    """The concept tokens a slot filled by token `at` stands for, with how they were reached:
    the concept itself, every conjunct, or through a carrier ('coculture with X') or a transparent
    noun ('the viability of X'). A head noun that is no concept and lets nothing through fills nothing."""
    if depth > 6:
        return []
    t = toks[at]
    out: list[tuple[int, str]] = []
    word = vocab.lemma(t.text, t.tag)
    inner = []
    if at in concepts and (word in vocab.transparent or t.low in vocab.transparent):
        # "the expression of HIF-1a" is about HIF-1a even where "expression" is a concept of its own
        inner = [(c, "transparent") for g in _preposition_objects(toks, kids, at, ("of",))
                 for c, _ in fillers(toks, kids, g, concepts, vocab, subject, depth + 1)]
    if inner:
        out += inner
    elif at in concepts:
        out.append((at, ""))
    else:
        if word in vocab.carriers:
            for g in _preposition_objects(toks, kids, at, vocab.carriers[word]):
                out += [(c, "carrier") for c, _ in fillers(toks, kids, g, concepts, vocab, subject, depth + 1)]
            for c in kids[at]:
                if toks[c].dep in vocab.carrier_modifiers and c in concepts:
                    out.append((c, "carrier"))
        elif word in vocab.participle_carriers and any(
                toks[c].dep in ("acl", "relcl") and vocab.lemma(toks[c].text, toks[c].tag) in vocab.carrier_participles
                for c in kids[at]):
            for c in kids[at]:
                if toks[c].dep in ("acl", "relcl") and vocab.lemma(toks[c].text, toks[c].tag) in vocab.carrier_participles:
                    used = [g for g in kids[c] if toks[g].dep in vocab.object]
                    used += [g for p in kids[c] if toks[p].dep == "prep" for g in kids[p] if toks[g].dep == "pobj"]
                    out += [(x, "carrier") for g in used for x, _ in fillers(toks, kids, g, concepts, vocab, subject, depth + 1)]
        elif word in vocab.transparent or t.low in vocab.transparent:
            for g in _preposition_objects(toks, kids, at, ("of",)):
                out += [(c, "transparent") for c, _ in fillers(toks, kids, g, concepts, vocab, subject, depth + 1)]
        elif t.tag.startswith("NN") and word in vocab.generic_heads:
            # "mechanical loading stress": a generic head noun names its modifier's concept
            out += [(c, "modifier") for c in kids[at] if c in concepts and toks[c].dep in ("compound", "nmod", "amod")]
        if not out and t.tag.startswith("NN"):
            # "causes of spinal diseases, including disc herniation": the examples fill the slot
            for c in kids[at]:
                if toks[c].dep == "prep" and (toks[c].low == "including" or (
                        toks[c].low == "as" and any(toks[g].low == "such" for g in kids[c]))):
                    out += [(x, "example") for g in kids[c] if toks[g].dep == "pobj"
                            for x, _ in fillers(toks, kids, g, concepts, vocab, subject, depth + 1)]
        if not out and subject and t.tag.startswith("NN"):
            # "X is considered the main mechanism that underlies Y": the predicate noun stands for X
            for s in predicate_noun_subjects(toks, kids, at, vocab):
                out += [(c, "coreferent") for c, _ in fillers(toks, kids, s, concepts, vocab, subject, depth + 1)]
    for c in kids[at]:
        if toks[c].dep in vocab.coordination and toks[c].tag[:1] not in ("V",):
            out += fillers(toks, kids, c, concepts, vocab, subject, depth + 1)
        elif c in concepts and toks[c].dep in ("nmod", "compound") and any(toks[g].dep == "cc" for g in kids[c]):
            out += fillers(toks, kids, c, concepts, vocab, subject, depth + 1)  # "A and B C" misread as (A and B) C
    return out


CAPACITY_NOUNS = frozenset({"ability", "capacity", "capability", "potential", "power", "propensity", "tendency",
                            "efficacy", "effectiveness"})
PARTITIVES = frozenset({"one", "some", "many", "several", "most", "among"})


def predicate_noun_subjects(toks, kids, at: int, vocab: Vocabulary) -> list[int]:
    """The noun a predicate noun is said of: the subject of "is a cause", the passive subject of
    "is regarded as the cause", the object of "we regard X as the cause", the noun in apposition to it."""
    t = toks[at]
    if t.head == at:
        return []
    head = toks[t.head]
    if t.dep in ("attr", "oprd"):
        return [c for c in kids[t.head] if toks[c].dep in vocab.subject | vocab.passive_subject]
    if t.dep == "pobj" and head.low == "as" and head.head != t.head and toks[head.head].tag.startswith("V"):
        verb = head.head
        for labels in (vocab.passive_subject, vocab.object, vocab.subject):
            found = [c for c in kids[verb] if toks[c].dep in labels]
            if found:
                return found
        return []
    if t.dep == "appos":
        return [t.head]
    return []


def subjects_of(toks, kids, at: int, vocab: Vocabulary, depth: int = 0) -> list[tuple[int, str]]:
    """The tokens that fill the subject of verb (or predicate noun) `at`, with the path kind."""
    if depth > 6:
        return []
    t = toks[at]
    passive = _is_passive(toks, kids, at)
    own = [c for c in kids[at] if toks[c].dep in vocab.subject and toks[c].tag not in ("WDT", "WP")]
    if passive:
        agents = [g for c in kids[at] if toks[c].dep == "agent" for g in kids[c] if toks[g].dep == "pobj"]
        agents += _preposition_objects(toks, kids, at, vocab.agent_prepositions)
        return [(a, "passive") for a in agents]
    if own:
        return [(c, "direct") for c in own]
    if t.head == at:
        return []
    head = toks[t.head]
    infinitive = any(toks[c].dep == "aux" and toks[c].low == "to" for c in kids[at])
    if infinitive and t.dep in ("acl", "advcl", "xcomp"):
        # "the ability of MSCs to reduce apoptosis", also with "to reduce" hung on the verb above
        for noun in [t.head] + [c for c in kids[t.head] if toks[c].dep in vocab.object]:
            if toks[noun].low in CAPACITY_NOUNS:
                found = _preposition_objects(toks, kids, noun, ("of",))
                if found:
                    return [(g, "shared_subject") for g in found]
    if t.dep == "relcl" or (t.dep == "acl" and t.tag == "VBG"):
        return [(t.head, "relative")]  # "X, which are obstacles to Y"; "cells producing matrix"
    if t.dep == "pcomp" and head.dep == "prep" and head.low in ("in", "for") and head.head != t.head:
        # "studies highlight MSCs in restoring disc height": the object of the verb does the restoring
        objects = [c for c in kids[head.head] if toks[c].dep in vocab.object]
        if objects and toks[head.head].tag.startswith("VB"):
            return [(c, "shared_subject") for c in objects]
    if t.dep == "pcomp" and head.dep == "prep" and head.head != t.head:  # "X alleviates Y by promoting Z"
        return [(s, "shared_subject" if k == "direct" else k) for s, k in subjects_of(toks, kids, head.head, vocab, depth + 1)]
    if t.dep in ("conj", "ccomp") and vocab.lemma(head.text, head.tag) in vocab.reporting and t.tag.startswith("VB"):
        # "studies show MSCs and chondrocytes can restore X", read as show(MSCs) and restore(X)
        objects = [c for c in kids[t.head] if toks[c].dep in vocab.object and c < at]
        if objects:
            return [(c, "shared_subject") for c in objects]
    if t.dep in vocab.shared_subject:
        if t.dep == "conj" and t.tag[:1] != head.tag[:1] and not (t.tag[:1] == "V" or head.tag[:1] == "V"):
            return []
        return [(s, "shared_subject" if k == "direct" else k) for s, k in subjects_of(toks, kids, t.head, vocab, depth + 1)]
    if t.dep == "dobj" and vocab.lemma(head.text, head.tag) in vocab.light_verbs:
        return [(s, "shared_subject") for s, _ in subjects_of(toks, kids, t.head, vocab, depth + 1)]
    if t.dep == "pobj" and head.dep == "prep" and head.low in ("as",):  # "X serves as a barrier to Y"
        return subjects_of(toks, kids, head.head, vocab, depth + 1)
    if t.dep == "pobj" and head.low == "of" and toks[head.head].low in PARTITIVES:  # "X is one of the causes of Y"
        return subjects_of(toks, kids, head.head, vocab, depth + 1)
    return []


def _governors(toks, at: int) -> list[int]:
    """`at` and the words above it, up to the root."""
    chain, seen = [at], {at}
    while toks[chain[-1]].head != chain[-1] and toks[chain[-1]].head not in seen:
        chain.append(toks[chain[-1]].head)
        seen.add(chain[-1])
    return chain


def modality(toks, kids, at: int, vocab: Vocabulary) -> tuple[bool, bool]:
    """(negated, hedged) for trigger `at`: a neg dependent of it or of the verbs it shares a subject with,
    a governing 'fail to'; a modal auxiliary, or a governing 'suggest', 'appear'."""
    negated = hedged = False
    chain = _governors(toks, at)
    # negation and modal auxiliaries: on the trigger and on the verbs whose subject it shares
    local = [at]
    k = at
    while toks[k].dep in vocab.shared_subject and toks[k].head != k:
        k = toks[k].head
        local.append(k)
    for v in local:
        for c in kids[v]:
            ct = toks[c]
            if ct.dep == "neg" or (ct.dep == "det" and ct.low == "no" and v == at):
                negated = True
            if ct.dep in ("aux", "auxpass") and ct.low in vocab.hedge_aux:
                hedged = True
        if vocab.lemma(toks[v].text, toks[v].tag) in vocab.negation_governors and v != at:
            negated = True
    for v in chain[1:]:
        if vocab.lemma(toks[v].text, toks[v].tag) in vocab.hedge_governors:
            hedged = True
    return negated, hedged


def relations(toks: Sequence[Tok], concepts: frozenset[int], vocab: Vocabulary) -> list[Relation]:
    """Every (subject concept, object concept) pair that a trigger links, in the sentence `toks`."""
    toks = repair(toks, vocab, concepts)
    kids = children_of(toks)
    out: list[Relation] = []
    seen: set[tuple[int, int, str]] = set()

    def add(subj_fill, obj_fill, kind, trig, path_conf, path):
        negated, hedged = modality(toks, kids, trig, vocab)
        for s, s_how in subj_fill:
            for o, o_how in obj_fill:
                if s == o or (s, o, kind) in seen:
                    continue
                seen.add((s, o, kind))
                conf = path_conf
                for how in (s_how, o_how):
                    if how:
                        conf *= vocab.confidence.get(how, 0.9)
                out.append(Relation(s, o, kind, trig, path, round(conf, 4), negated, hedged))

    for t in toks:
        # what a concept is for: "hydrogels for disc regeneration", "engineering hydrogels for disc regeneration"
        if "purpose" in vocab.structural and (t.i in concepts and t.tag.startswith("NN") or t.tag.startswith("VB")):
            goals = _preposition_objects(toks, kids, t.i, ("for",))
            users = [t.i] if t.i in concepts else [c for c in kids[t.i] if toks[c].dep in vocab.object]
            obj_fill = [f for o in goals for f in fillers(toks, kids, o, concepts, vocab)]
            subj_fill = [f for u in users for f in fillers(toks, kids, u, concepts, vocab, subject=True)]
            if obj_fill and subj_fill:
                add(subj_fill, obj_fill, "purpose", t.i, vocab.confidence.get("purpose", 0.7), "purpose")
        if t.i in concepts:
            continue
        word = vocab.lemma(t.text, t.tag)
        particle = [toks[c].low for c in kids[t.i] if toks[c].dep == "prt"]
        if particle and f"{word} {particle[0]}" in vocab.triggers:
            word = f"{word} {particle[0]}"  # "carry out" is not "carry"
        entry = vocab.triggers.get(word)
        verb = t.tag.startswith("V")
        if entry:
            passive = verb and _is_passive(toks, kids, t.i)
            participle = verb and t.dep in ("amod", "acl") and t.head != t.i and toks[t.head].tag.startswith("N")
            nominal = not verb
            for prep, classes in entry.items():
                objects: list[int] = []
                if prep and verb and "" in entry and set(classes) <= set(entry[""]):
                    continue  # "decrease in" is a noun's; the verb "decrease" takes a direct object
                if prep:
                    objects += _preposition_objects(toks, kids, t.i, (prep,))
                    if nominal and not objects and t.dep in ("attr", "oprd") and t.head != t.i:
                        # "A and B are hallmarks in IDD", with "in IDD" hung on the copula
                        objects += _preposition_objects(toks, kids, t.head, (prep,))
                    if verb and not objects:  # "protect NP cells from apoptosis": the parser hangs "from" on the object
                        for c in kids[t.i]:
                            if toks[c].dep in vocab.object:
                                objects += _preposition_objects(toks, kids, c, (prep,))
                elif verb:
                    objects += [c for c in kids[t.i] if toks[c].dep in vocab.object]
                    if passive:
                        objects += [c for c in kids[t.i] if toks[c].dep in vocab.passive_subject]
                    if participle and t.tag == "VBN":
                        objects.append(t.head)  # "apoptosis induced by X", "X-induced apoptosis"
                    if t.dep == "relcl" and passive:
                        objects.append(t.head)  # "apoptosis, which was induced by X"
                if not objects:
                    continue
                if prep and verb and (passive or participle):
                    # "X is associated with Y", "cells derived from the NP": the grammatical subject or the noun
                    subj = [(c, "direct") for c in kids[t.i] if toks[c].dep in vocab.passive_subject | vocab.subject]
                    if participle or t.dep == "relcl":
                        subj.append((t.head, "participle"))
                    elif not subj:
                        subj = [(x, k) for x, k in subjects_of(toks, kids, t.i, vocab) if k != "passive"]
                    base = "participle"
                elif participle and t.tag == "VBN":
                    subj = subjects_of(toks, kids, t.i, vocab)
                    subj += [(c, "participle") for c in kids[t.i] if toks[c].dep in vocab.participle_agents]
                    base = "participle"
                elif nominal:
                    subj = [(g, "nominal") for g in _preposition_objects(toks, kids, t.i, vocab.agent_prepositions)]
                    subj += [(c, "nominal") for c in kids[t.i] if toks[c].dep in vocab.nominal_subject]
                    if word in vocab.subject_prepositions:
                        subj += [(g, "nominal") for g in _preposition_objects(toks, kids, t.i, vocab.subject_prepositions[word])]
                    if t.dep == "pobj" and toks[t.head].low in ("for", "in") and toks[toks[t.head].head].tag.startswith("N"):
                        subj.append((toks[t.head].head, "nominal"))  # "hydrogels for the treatment of IDD"
                    if t.dep == "pobj" and toks[t.head].low in ("for", "in") and toks[t.head].head != t.head:
                        # "X plays a role in the treatment of Y", "X made progress in the treatment of Y"
                        anchor = toks[t.head].head
                        if toks[anchor].dep in vocab.object and toks[toks[anchor].head].tag.startswith("V"):
                            anchor = toks[anchor].head
                        if toks[anchor].tag.startswith("V"):
                            subj += [(x, "shared_subject") for x, k in subjects_of(toks, kids, anchor, vocab) if k != "passive"]
                    if toks[t.head].tag.startswith("N") and (t.dep in ("appos", "dep") or (
                            t.dep == "conj" and any(toks[c].dep == "det" and toks[c].low in ("a", "an") for c in kids[t.i]))):
                        # "Exosomes: a new therapy for IDD"; "IVDD, a major contributor to LBP" (read as a conjunct)
                        subj.append((t.head, "nominal"))
                    subj += subjects_of(toks, kids, t.i, vocab) if t.dep in ("attr", "acomp", "oprd", "conj", "relcl") \
                        or (t.dep == "pobj" and toks[t.head].low == "of" and toks[toks[t.head].head].low in PARTITIVES) \
                        or (t.dep == "dobj" and vocab.lemma(toks[t.head].text, toks[t.head].tag) in vocab.light_verbs) \
                        or (t.dep == "pobj" and toks[t.head].low == "as") else []
                    base = "nominal"
                else:
                    subj = subjects_of(toks, kids, t.i, vocab)
                    base = "direct"
                obj_fill = [f for o in objects for f in fillers(toks, kids, o, concepts, vocab)]
                if not obj_fill:
                    continue
                for s, how in subj:
                    subj_fill = fillers(toks, kids, s, concepts, vocab, subject=True)
                    path = how if how != "direct" else base
                    conf = vocab.confidence.get(path, 1.0) * (vocab.confidence.get(base, 1.0) if path != base else 1.0)
                    for cls in classes:
                        if cls in vocab.reversed_classes:
                            add(obj_fill, subj_fill, cls.removesuffix("_reverse"), t.i, conf, path)
                        else:
                            add(subj_fill, obj_fill, cls, t.i, conf, path)
        # the means by which a verb's subject acts: "X repairs the disc through ECM synthesis"
        if verb and vocab.means:
            means = _preposition_objects(toks, kids, t.i, vocab.means)
            # "cells exhibit regenerative potential through ECM synthesis": the means hung on the object
            means += [g for c in kids[t.i] if toks[c].dep in vocab.object and c not in concepts
                      for g in _preposition_objects(toks, kids, c, vocab.means)]
            if means:
                obj_fill = [f for o in means for f in fillers(toks, kids, o, concepts, vocab)]
                for s, how in subjects_of(toks, kids, t.i, vocab):
                    subj_fill = fillers(toks, kids, s, concepts, vocab, subject=True)
                    add(subj_fill, obj_fill, "capable", t.i, vocab.confidence.get("means", 0.8), "means")
    return out


# ---- the vocabulary ---------------------------------------------------------------------------------
_PARTICLES = frozenset({"out", "up", "down", "off", "away", "back"})
_PREPOSITIONS = frozenset({"to", "of", "in", "into", "for", "from", "with", "against", "toward", "towards", "on",
                           "within", "through", "via"})


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """patterns.toml's trigger words read as (word, object preposition) pairs, plus syntax_patterns.toml."""
    p = load_patterns()
    sp = tomllib.loads(ontology_file("syntax_patterns.toml").read_text(encoding="utf-8"))
    triggers: dict[str, dict[str, list[str]]] = {}
    lemmas: dict[str, str] = {}

    def put(word: str, prep: str, cls: str):
        classes = triggers.setdefault(word, {}).setdefault(prep, [])
        if cls not in classes:
            classes.append(cls)

    # syntax_patterns.toml first: its classes win over the generic ones for the same word
    for word, prep, cls in sp["extra_triggers"]["rows"]:
        put(word, prep, cls)
        for form in verb_forms(word):
            lemmas.setdefault(form, word)
    for cls, spec in p["triggers"].items():
        for lemma in spec.get("verbs", []):
            words = lemma.split()
            if len(words) == 1:
                put(words[0], "", cls)
            elif len(words) == 2 and words[1] in _PREPOSITIONS:
                put(words[0], words[1], cls)
            elif len(words) == 2 and words[1] in _PARTICLES:
                put(lemma, "", cls)  # a verb with its particle: "carry out"
            else:
                continue
            for form in verb_forms(words[0]):
                lemmas.setdefault(form, words[0])
        for phrase in spec.get("phrases", []) + spec.get("nominal", []):
            words = phrase.lower().split()
            if len(words) == 2 and words[1] in _PREPOSITIONS and words[0] not in ("is", "are", "in", "to"):
                put(words[0], words[1], cls)
    for word in sp["context"]["hedge_governors"] + sp["context"]["negation_governors"] + sp["context"]["reporting_verbs"]:
        for form in verb_forms(word):  # "failed to prevent", "suggested"
            lemmas.setdefault(form, word)
    a = sp["arguments"]
    carriers: dict[str, set[str]] = {}
    for noun, prep in sp["carriers"]["rows"]:
        carriers.setdefault(noun, set()).add(prep)
    ctx = sp["context"]
    return Vocabulary(
        triggers={w: {k: tuple(v) for k, v in preps.items()} for w, preps in triggers.items()},
        subject=frozenset(a["subject"]), object=frozenset(a["object"]), passive_subject=frozenset(a["passive_subject"]),
        agent_prepositions=frozenset(a["agent_prepositions"]), nominal_subject=frozenset(a["nominal_subject"]),
        participle_agents=frozenset(a["participle_agents"]), shared_subject=frozenset(a["shared_subject"]),
        coordination=frozenset(a["coordination"]),
        carriers={k: frozenset(v) for k, v in carriers.items()},
        carrier_modifiers=frozenset(sp["carriers"].get("modifiers", ["compound", "nmod"])),
        participle_carriers=frozenset(sp["carriers"].get("nouns_with_participle", [])),
        carrier_participles=frozenset(sp["carriers"].get("participles", [])),
        transparent=frozenset(sp["transparent"]["nouns"]), generic_heads=frozenset(sp["transparent"]["generic_heads"]),
        subject_prepositions={w: frozenset(v) for w, v in sp["subject_prepositions"].items()},
        reversed_classes=frozenset(sp["reversed"]["classes"]), light_verbs=frozenset(a.get("light_verbs", [])),
        means=frozenset(sp["means"]["prepositions"]), structural=frozenset(sp.get("structural", {}).get("classes", [])), hedge_aux=frozenset(ctx["hedge_aux"]),
        hedge_governors=frozenset(ctx["hedge_governors"]), negation_governors=frozenset(ctx["negation_governors"]),
        confidence={k: float(v) for k, v in sp["confidence"].items()}, lemmas=lemmas,
        noun_forms=frozenset(sp.get("repair", {}).get("noun_forms", [])), reporting=frozenset(ctx["reporting_verbs"]))


@lru_cache(maxsize=1)
def load_calibration() -> dict[tuple[str, str], float]:
    """(trigger class, path kind) -> the share of such edges found correct on the development gold,
    smoothed towards the configured confidence (scripts/calibrate_syntax.py writes the file)."""
    path = ontology_file("syntax_calibration.tsv")
    if not path.exists():
        return {}
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip() or line.startswith("class\t"):
            continue
        cls, kind, value = line.split("\t")[:3]
        table[(cls, kind)] = float(value)
    return table


@lru_cache(maxsize=1)
def syntax_classes() -> dict[str, dict]:
    return tomllib.loads(ontology_file("syntax_patterns.toml").read_text(encoding="utf-8"))["classes"]


# ---- the adapter ------------------------------------------------------------------------------------
def _tokens(doc, vocab: Vocabulary) -> list[Tok]:
    return [Tok(t.i, t.head.i, t.dep_, t.text, vocab.lemma(t.text, t.tag_), t.tag_) for t in doc]


# Mentions only the rule extractor reads well: concepts named by cue phrases ("Barriers include ...")
# and references ("these cells"); its readings of them stand where the parse read nothing.
FALLBACK_MATCHES = frozenset({"cue", "anaphora"})


class SyntaxExtractor:
    name = "syntax"

    def __init__(self, nlp, parser_version: str, schema: Schema | None = None,
                 calibration: dict[tuple[str, str], float] | None = None, fallback: bool = True):
        self._nlp = nlp
        self.fallback = fallback
        self.calibration = load_calibration() if calibration is None else calibration
        self.version = f"{VERSION}+{parser_version}"
        self.schema = schema or default_schema()
        self.vocab = load_vocabulary()
        self.table = RuleExtractor(self.schema)  # the predicate table, coercions and context factors
        for cls, spec in syntax_classes().items():
            self.table.rules[cls] = [tuple(r) for r in spec["rules"]]
            self.table.confidence[cls] = float(spec["confidence"])
        self.linkable = {(s, o) for s in self.schema.categories for o in self.schema.categories
                         if any(p.accepts(s, o) for p in self.schema.predicates.values())}

    @property
    def nlp(self):
        if self._nlp is None:
            from ..nlp.parser import load_parser
            self._nlp = load_parser()
        return self._nlp

    def __getstate__(self):
        """The parser stays behind when the extractor is sent to a worker; each process loads its own."""
        state = dict(self.__dict__)
        state["_nlp"] = None
        return state

    def confidence(self, kind: str, path: str, path_confidence: float) -> float:
        """The calibrated share correct of this class and path where the development gold measured it,
        else the trigger class's confidence times the path's."""
        return self.calibration.get((kind, path), self.table.confidence[kind] * path_confidence)

    def candidate(self, s: AnalysedSentence) -> bool:
        """Two or more mentions, some pair of which some predicate could link, in a sentence of sane length."""
        cats = [m.category for m in s.mentions if m.category != "Organism"]
        if len(cats) < 2 or len(s.tokens) > self.table.max_sentence_tokens:
            return False
        return any((a, b) in self.linkable for i, a in enumerate(cats) for j, b in enumerate(cats) if i != j)

    def extract(self, doc: AnalysedDocument) -> Iterator[Assertion]:
        """Relations read from the parse; in a sentence the parse reads nothing in, the rule extractor's
        readings of cue-list concepts and of "these cells" stand."""
        todo = [s for s in doc.sentences if self.candidate(s)]
        read: set[int] = set()
        found: list[Assertion] = []
        for s, parsed in zip(todo, self.nlp.pipe([s.sentence.text for s in todo])):
            for a in self.sentence_assertions(doc, s, parsed):
                read.add(s.sentence.start)
                found.append(a)
        special = {m.start for s in doc.sentences for m in s.mentions if m.matched_by in FALLBACK_MATCHES} \
            if self.fallback else set()
        if special:  # the rules run only for documents that have such mentions
            for a in self.table.extract(doc):
                if a.evidence.sentence_start not in read and (
                        a.evidence.subject_span.start in special or a.evidence.object_span.start in special):
                    found.append(replace(a, evidence=replace(
                        a.evidence, extractor=f"{self.name}/{self.version}:fallback:{a.evidence.extractor}",
                        confidence=round(a.evidence.confidence * self.vocab.confidence.get("fallback", 0.75), 3))))
        found.sort(key=lambda a: a.evidence.sentence_start)
        yield from found

    def mention_heads(self, s: AnalysedSentence, parsed) -> dict[int, list[int]]:
        """spaCy token index of each mention's head -> indices of the mentions it heads."""
        heads: dict[int, list[int]] = {}
        for k, m in enumerate(s.mentions):
            start, end = m.spans[-1]
            span = parsed.char_span(start - s.sentence.start, end - s.sentence.start, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            heads.setdefault(span.root.i, []).append(k)
        return heads

    @staticmethod
    def _trigger(s: AnalysedSentence, parsed, rel: Relation, si: int, oi: int) -> tuple[str, int]:
        """The trigger's text and its offset in the sentence (for an adjacency pattern, the words between)."""
        if rel.trigger >= 0:
            return parsed[rel.trigger].text, parsed[rel.trigger].idx
        a, b = sorted((s.hits[si], s.hits[oi]), key=lambda h: h.first)
        words = s.tokens[a.last + 1:b.first]
        return " ".join(t.text for t in words), (words[0].start - s.sentence.start) if words else 0

    def sentence_assertions(self, doc: AnalysedDocument, s: AnalysedSentence, parsed) -> Iterator[Assertion]:
        d = doc.document
        heads = self.mention_heads(s, parsed)
        toks = _tokens(parsed, self.vocab)
        found = relations(toks, frozenset(heads), self.vocab)
        seen: set[tuple[str, str, str, str]] = set()
        organisms = [m.curie for m in s.mentions if m.category == "Organism"]
        qty = quantities(s.sentence.text)
        pairs = []
        for rel in sorted(found, key=lambda r: -r.confidence):
            for si in heads[rel.subject]:
                for oi in heads[rel.object]:
                    chosen = self.table.predicate_for(rel.kind, s.mentions[si], s.mentions[oi])
                    if chosen:
                        pairs.append((rel, si, oi, chosen, self.confidence(rel.kind, rel.path, rel.confidence)))
        # The rule extractor's adjacency patterns ("SDF-1-loaded hydrogel", "MSCs from the NP") read word
        # order the parse adds nothing to; they come last, so a parsed reading of the same pair wins.
        for si, oi, chosen, _, conf in self.table._adjacent(s):
            pairs.append((Relation(-1, -1, "adjacent", -1, "adjacent", 1.0), si, oi, chosen,
                          self.calibration.get(("adjacent", "adjacent"), conf)))
        for rel, si, oi, (predicate, object_id), confidence in pairs:
            subj, obj = s.mentions[si], s.mentions[oi]
            if subj.category == "Organism" or obj.category == "Organism" or subj.curie == obj.curie:
                continue
            polarity = "negated" if rel.negated else "affirmed"
            key = (subj.curie, predicate, object_id, polarity)
            if key in seen:
                continue
            seen.add(key)
            certainty = "hedged" if rel.hedged else "stated"
            confidence *= RuleExtractor._context_factor(s, si, oi, certainty)
            trigger_text, trigger_at = self._trigger(s, parsed, rel, si, oi)
            yield Assertion(subj.curie, predicate, object_id, Evidence(
                document=d.id, document_title=d.title, document_year=d.year, section=s.sentence.section,
                sentence=s.sentence.text, sentence_start=s.sentence.start, sentence_end=s.sentence.end,
                subject_span=Span(subj.start, subj.end, subj.text),
                object_span=Span(obj.start, obj.end, obj.text),
                trigger=trigger_text, polarity=polarity, certainty=certainty,
                study_type=_study_type(s, doc, trigger_at),
                organism=organisms[0] if organisms else doc.organism, quantities=qty,
                extractor=f"{self.name}/{self.version}:{rel.kind}:{rel.path}",
                confidence=round(min(confidence, 1.0), 3)))


def _study_type(s: AnalysedSentence, doc: AnalysedDocument, at: int) -> str:
    """The last study-type cue before the trigger, else the sentence's first, else the document's."""
    if not s.study_cues:
        return doc.study_type
    before = [kind for pos, kind in s.study_cues if pos <= at]
    return before[-1] if before else s.study_cues[0][1]


@register("syntax")
def _factory() -> SyntaxExtractor:
    from ..nlp.parser import PARSER_VERSION, load_parser  # spaCy is imported here, once per process
    return SyntaxExtractor(load_parser(), PARSER_VERSION)
