"""The rule extractor: triggers between coordinated groups of mentions, voice, adjacency patterns.

For each trigger (a verb or phrase from patterns.toml) the subject is the nearest group of mentions
to its left and the object the first group to its right, swapped in the passive voice; a second
verb joined by "and" shares the first verb's subject. The trigger's class and the two categories
choose the predicate from the rule table; pairs that fit no predicate of the schema are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from ..analysis import AnalysedDocument, AnalysedSentence
from ..model import Assertion, Evidence, Mention, Span
from ..nlp.context import is_hedge, is_negation, object_modifier, quantities
from ..nlp.tokens import phrase_key
from ..ontology.matcher import Hit, longest_matches
from ..patterns import load_patterns, verb_forms
from ..schema import Schema, default_schema
from .base import register

VERSION = "1"


@dataclass(frozen=True)
class Trigger:
    first: int
    last: int
    kind: str
    text: str


@dataclass(frozen=True)
class Group:
    """Consecutive mentions joined by connectors ('A, B and C')."""
    members: tuple[int, ...]  # indices into the sentence's hits

    def first(self, hits: Sequence[Hit]) -> int:
        return hits[self.members[0]].first

    def last(self, hits: Sequence[Hit]) -> int:
        return hits[self.members[-1]].last


class RuleExtractor:
    name = "rules"
    version = VERSION

    def __init__(self, schema: Schema | None = None):
        self.schema = schema or default_schema()
        p = load_patterns()
        rel = p["relations"]
        self.connectors = frozenset(rel["connectors"])
        self.vp_coordinators = frozenset(rel["vp_coordinators"])
        self.clause_breaks = frozenset(rel["clause_breaks"])
        self.be_verbs = frozenset(rel["be_verbs"])
        self.agents = [phrase_key(a) for a in rel["agent_prepositions"]]
        self.max_gap = int(rel["max_gap_tokens"])
        self.max_sentence_tokens = int(rel["max_sentence_tokens"])
        self.max_group_size = int(rel["max_group_size"])
        self.triggers: dict[tuple[str, ...], str] = {}
        self.nominal: set[tuple[str, ...]] = set()
        self.rules: dict[str, list[tuple[str, str, str]]] = {}
        self.confidence: dict[str, float] = {}
        for kind, spec in p["triggers"].items():
            for lemma in spec.get("verbs", []):
                for form in verb_forms(lemma):
                    self.triggers.setdefault(phrase_key(form), kind)
            for phrase in spec.get("phrases", []):
                self.triggers.setdefault(phrase_key(phrase), kind)
            for phrase in spec.get("nominal", []):
                self.triggers.setdefault(phrase_key(phrase), kind)
                self.nominal.add(phrase_key(phrase))
            self.rules[kind] = [tuple(r) for r in spec["rules"]]
            self.confidence[kind] = float(spec["confidence"])
            for _, _, predicate in self.rules[kind]:
                if predicate not in self.schema.predicates:
                    raise ValueError(f"patterns.toml: trigger class {kind} names unknown predicate {predicate}")
        self.trigger_max = max(len(k) for k in self.triggers)
        self.trigger_longest: dict[str, int] = {}
        for key in self.triggers:
            self.trigger_longest[key[0]] = max(self.trigger_longest.get(key[0], 0), len(key))
        self.coercion = {(kind, obj): (new, category) for kind, obj, new, category in p["coercion"]["rows"]}
        self.adjacent = [
            ({phrase_key(g) for g in a["gap"]}, a["left"], a["right"], a["predicate"], a["direction"],
             frozenset(a.get("requires_before", [])))
            for a in p.get("adjacent", [])]

    # ---- the pieces -------------------------------------------------------------------------
    def find_triggers(self, s: AnalysedSentence) -> list[Trigger]:
        """Trigger phrases, longest first, never overlapping a mention."""
        covered = {k for h in s.hits for k in range(h.first, h.last + 1)}
        keys = [t.key.lower() for t in s.tokens]
        return [Trigger(first, last, kind, " ".join(t.text for t in s.tokens[first:last + 1]))
                for first, last, kind in longest_matches(
                    keys, self.trigger_max, self.triggers.get,
                    blocked=lambda a, b: any(k in covered for k in range(a, b + 1)),
                    longest_from=self.trigger_longest)]

    def groups(self, s: AnalysedSentence, lo: int, hi: int, triggers: frozenset[int] = frozenset()) -> list[Group]:
        """Coordinated groups of the mentions lying wholly within tokens [lo, hi); a trigger word splits groups."""
        inside = [k for k, h in enumerate(s.hits) if h.first >= lo and h.last < hi]
        groups: list[list[int]] = []
        for k in inside:
            if groups:
                prev = s.hits[groups[-1][-1]]
                gap = [t.text.lower() for t in s.tokens[prev.last + 1:s.hits[k].first]]
                extra = [w for w in gap if w not in self.connectors]
                crosses_trigger = any(j in triggers for j in range(prev.last + 1, s.hits[k].first))
                repeated = any(s.hits[j].term.id == s.hits[k].term.id for j in groups[-1])
                if gap and not crosses_trigger and not repeated and len(groups[-1]) < self.max_group_size and len(extra) <= 1 and len(gap) > len(extra) and len(gap) <= 6:
                    groups[-1].append(k)
                    continue
            groups.append([k])
        return [Group(tuple(g)) for g in groups]

    def predicate_for(self, kind: str, subject: Mention, obj: Mention) -> tuple[str, str] | None:
        """(predicate, object id): the first rule that fits; a product object may stand for its process."""
        candidates = [(obj.curie, obj.category)]
        if (kind, obj.curie) in self.coercion:
            candidates.append(self.coercion[(kind, obj.curie)])
        for object_id, object_category in candidates:
            for s_cat, o_cat, predicate in self.rules[kind]:
                if s_cat in ("*", subject.category) and o_cat in ("*", object_category):
                    if self.schema.predicates[predicate].accepts(subject.category, object_category):
                        return predicate, object_id
        return None

    def _after_agent(self, s: AnalysedSentence, index: int) -> int | None:
        keys = [t.key.lower() for t in s.tokens]
        for agent in self.agents:
            if tuple(keys[index:index + len(agent)]) == agent:
                return index + len(agent)
        return None

    # ---- one sentence -----------------------------------------------------------------------
    def sentence_relations(self, s: AnalysedSentence) -> list[tuple[int, int, tuple[str, str], Trigger | None, float]]:
        """(subject hit, object hit, (predicate, object id), trigger, confidence) for one sentence."""
        hits, tokens = s.hits, s.tokens
        triggers = self.find_triggers(s)
        breaks = [k for k, t in enumerate(tokens) if t.text.lower() in self.clause_breaks]
        found: list[tuple[int, int, tuple[str, str], Trigger | None, float]] = []
        previous: tuple[Trigger, Group | None, Group | None] | None = None
        if triggers and self._adjectival(s, triggers[0]):
            triggers = triggers[1:]
        trigger_tokens = {k for t in triggers for k in range(t.first, t.last + 1)}
        for n, trig in enumerate(triggers):
            # the slot of this trigger: from the previous trigger or clause break to the next one
            left_lo = max([triggers[n - 1].last + 1 if n else 0] + [b + 1 for b in breaks if b < trig.first])
            right_hi = min([triggers[n + 1].first if n + 1 < len(triggers) else len(tokens)]
                           + [b for b in breaks if b > trig.last])
            nominal = tuple(t.key.lower() for t in tokens[trig.first:trig.last + 1]) in self.nominal
            passive = trig.first > 0 and tokens[trig.first - 1].text.lower() in self.be_verbs
            agent_at = self._after_agent(s, trig.last + 1)
            left_groups = self.groups(s, max(left_lo, trig.first - self.max_gap), trig.first, trigger_tokens)
            confidence = self.confidence[trig.kind]
            if passive and agent_at is not None:
                agent_groups = self.groups(s, agent_at, right_hi, trigger_tokens)
                subjects = agent_groups[:1]
                objects = self._head_of(s, left_groups)
                confidence *= 0.9
            else:
                right_groups = self.groups(s, trig.last + 1, min(right_hi, trig.last + 1 + self.max_gap), trigger_tokens)
                objects = right_groups[:1]
                subjects = [] if nominal else list(reversed(left_groups))
                if previous and self._shares_subject(s, previous, trig, left_groups):
                    subjects = [previous[1]] if previous[1] else []
                    confidence *= 0.9
            pairs_found = False
            chosen_subject = None
            for rank, group in enumerate(subjects):
                for obj_group in objects:
                    for si in group.members:
                        for oi in obj_group.members:
                            if hits[si].term.id == hits[oi].term.id:
                                continue
                            chosen = self.predicate_for(trig.kind, s.mentions[si], s.mentions[oi])
                            if chosen:
                                found.append((si, oi, chosen, trig, confidence * (0.85 ** rank)))
                                pairs_found = True
                if pairs_found:
                    chosen_subject = group
                    break
            previous = (trig, chosen_subject, objects[0] if objects else None)
        found.extend(self._adjacent(s))
        return found

    @staticmethod
    def _head_of(s: AnalysedSentence, groups: list[Group]) -> list[Group]:
        """The nearest group, or the one before it when joined by 'of' ('apoptosis of NP cells' -> apoptosis)."""
        if len(groups) >= 2:
            last, before = groups[-1], groups[-2]
            between = [t.text.lower() for t in s.tokens[before.last(s.hits) + 1:last.first(s.hits)]]
            if between == ["of"]:
                return [before]
        return groups[-1:]

    def _adjectival(self, s: AnalysedSentence, trig: Trigger) -> bool:
        """'A, B, and impaired cell homing': a first participle after a list connector, before a mention, is an adjective."""
        word = s.tokens[trig.first].text.lower()
        if trig.first != trig.last or not word.endswith("ed"):
            return False
        starts_mention = any(h.first == trig.last + 1 for h in s.hits)
        if not starts_mention:
            return False
        k = trig.first - 1
        while k >= 0 and s.tokens[k].text.lower() in (",", "and", "or"):
            k -= 1
        if k == trig.first - 1:
            return k >= 0 and s.tokens[k].text.lower() in {"with", "of", "by", "(", "the", "a", "an"}
        # after a list connector: an adjective only if the list before it is a list of mentions
        return k >= 0 and (s.tokens[k].text == ")" or any(h.last == k for h in s.hits))

    def _shares_subject(self, s, previous, trig: Trigger, left_groups: list[Group]) -> bool:
        """True when this trigger is a second verb of the previous one's subject ('... X and reduce Y')."""
        prev_trig, prev_subject, prev_obj = previous
        if prev_subject is None:
            return False  # the previous verb found no subject to share
        start = prev_obj.last(s.hits) + 1 if prev_obj else prev_trig.last + 1
        if left_groups and (prev_obj is None or left_groups[-1] != prev_obj):
            return False
        between = [t.text.lower() for t in s.tokens[start:trig.first]]
        if not any(w in ("and", "but", ",", "or", "while", "then", "thereby") for w in between):
            return False  # "X loaded Y increased Z": no coordinator, so Y is the subject of the second verb
        allowed = self.vp_coordinators | {"to", "not", "also", "can", "may", "might", "could", "should", "will",
                                          "further", "significantly", "markedly", "did", "does", "do"}
        return all(w in allowed or is_negation(t) or is_hedge(t)
                   for w, t in zip(between, s.tokens[start:trig.first]))

    def _adjacent(self, s: AnalysedSentence) -> list[tuple[int, int, tuple[str, str], Trigger | None, float]]:
        out = []
        for k in range(len(s.hits) - 1):
            left, right = s.hits[k], s.hits[k + 1]
            gap = tuple(t.key.lower() for t in s.tokens[left.last + 1:right.first])
            for words, l_cat, r_cat, predicate, direction, before in self.adjacent:
                if gap not in words:
                    continue
                lm, rm = s.mentions[k], s.mentions[k + 1]
                if l_cat not in ("*", lm.category) or r_cat not in ("*", rm.category):
                    continue
                if before and (left.first == 0 or s.tokens[left.first - 1].text.lower() not in before):
                    continue
                subj, obj = (k, k + 1) if direction == "forward" else (k + 1, k)
                if lm.curie == rm.curie or not self.schema.predicates[predicate].accepts(
                        s.mentions[subj].category, s.mentions[obj].category):
                    continue
                trig = Trigger(left.last + 1, right.first - 1, "adjacent", " ".join(gap))
                out.append((subj, obj, (predicate, s.mentions[obj].curie), trig, 0.7))
                break
        return out

    # ---- evidence ---------------------------------------------------------------------------
    def extract(self, doc: AnalysedDocument) -> Iterator[Assertion]:
        d = doc.document
        for s in doc.sentences:
            if len(s.hits) < 2 or len(s.tokens) > self.max_sentence_tokens:
                continue  # a "sentence" this long is a table, a list or an attack, not a claim
            seen: set[tuple[str, str, str]] = set()
            qty = quantities(s.sentence.text)
            organisms = [m.curie for m in s.mentions if m.category == "Organism"]
            for si, oi, (predicate, object_id), trig, confidence in self.sentence_relations(s):
                subj, obj = s.mentions[si], s.mentions[oi]
                if subj.category == "Organism" or obj.category == "Organism":
                    continue
                key = (subj.curie, predicate, object_id)
                if key in seen:
                    continue
                seen.add(key)
                polarity, certainty = self._polarity_certainty(s, si, oi, trig)
                confidence *= self._context_factor(s, si, oi, certainty)
                yield Assertion(subj.curie, predicate, object_id, Evidence(
                    document=d.id, document_title=d.title, document_year=d.year, section=s.sentence.section,
                    sentence=s.sentence.text, sentence_start=s.sentence.start, sentence_end=s.sentence.end,
                    subject_span=Span(subj.start, subj.end, subj.text), object_span=Span(obj.start, obj.end, obj.text),
                    trigger=trig.text if trig else "", polarity=polarity, certainty=certainty,
                    study_type=self._study_type(s, doc, trig), organism=organisms[0] if organisms else doc.organism,
                    quantities=qty, extractor=f"{self.name}/{self.version}:{trig.kind if trig else 'adjacent'}",
                    confidence=round(confidence, 3)))

    @staticmethod
    def _context_factor(s: AnalysedSentence, si: int, oi: int, certainty: str) -> float:
        """Lower confidence for hedged claims, long distances, open-vocabulary and anaphoric mentions."""
        factor = 0.8 if certainty == "hedged" else 1.0
        a, b = sorted((si, oi))
        distance = s.hits[b].first - s.hits[a].last
        factor *= 1.0 if distance <= 12 else 0.9 if distance <= 20 else 0.8
        for k in (si, oi):
            factor *= {"cue": 0.8, "anaphora": 0.85}.get(s.hits[k].matched_by, 1.0)
        return factor

    def _polarity_certainty(self, s: AnalysedSentence, si: int, oi: int, trig: Trigger | None) -> tuple[str, str]:
        if trig is None:
            return "affirmed", "stated"
        lo = max(0, min(s.hits[si].last, s.hits[oi].last, trig.first - 5) + 1)
        window = s.tokens[lo:trig.first]
        negated = any(is_negation(t) for t in window) or any(
            is_negation(t) for t in s.tokens[trig.last + 1:min(s.hits[oi].first, trig.last + 2)])
        hedged = any(is_hedge(t) for t in s.tokens[:trig.first])
        before_object = s.hits[oi].first - 1
        if before_object > trig.last:  # "... but incomplete structural recovery"
            modifier = object_modifier(s.tokens[before_object])
            negated = negated or modifier == "negated"
            hedged = hedged or modifier == "hedged"
        return ("negated" if negated else "affirmed"), ("hedged" if hedged else "stated")

    @staticmethod
    def _study_type(s: AnalysedSentence, doc: AnalysedDocument, trig: Trigger | None) -> str:
        if not s.study_cues:
            return doc.study_type
        if trig is not None:
            at = s.tokens[trig.first].start - s.sentence.start
            before = [kind for pos, kind in s.study_cues if pos <= at]
            if before:
                return before[-1]
        return s.study_cues[0][1]


@register("rules")
def _factory() -> RuleExtractor:
    return RuleExtractor()
