"""Analysis: a Document becomes sentences with tokens, grounded mentions, abbreviations and context."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Document, Mention, Sentence, Term
from .nlp.abbreviations import definition_spans, long_form_of, prior_expansions, short_form_matches
from .nlp.context import majority, study_type_cues
from .nlp.open_vocabulary import list_items, open_term
from .nlp.sentences import split_document
from .nlp.tokens import INVISIBLE, Token, phrase_key, tokenize
from .ontology.lexicon import Lexicon
from .ontology.matcher import Hit, Matcher
from .patterns import load_patterns

HUMAN = "NCBITaxon:9606"


@dataclass(frozen=True)
class AnalysedSentence:
    sentence: Sentence
    tokens: tuple[Token, ...]        # the visible tokens: no hyphens, no '(SF)' definitions
    hits: tuple[Hit, ...]            # indices into tokens
    mentions: tuple[Mention, ...]    # one per hit, same order
    study_cues: tuple[tuple[int, str], ...]  # (offset in sentence, study type)
    nested: tuple[Mention, ...] = ()  # mentions not used for relations: another ontology's inside a longer one,
    #                                   and verb or adjective forms of processes ("expressed")


@dataclass(frozen=True)
class AnalysedDocument:
    document: Document
    sentences: tuple[AnalysedSentence, ...]
    abbreviations: tuple[tuple[str, str], ...]  # (short form, curie), in order of definition
    study_type: str
    organism: str | None
    open_terms: tuple[Term, ...] = ()  # concepts named by cue phrases, not in the lexicon

    @property
    def mentions(self) -> tuple[Mention, ...]:
        """The mentions relations are read from, in text order: one per hit, no nested ones."""
        return tuple(m for s in self.sentences for m in s.mentions)

    @property
    def all_mentions(self) -> tuple[Mention, ...]:
        """Every grounded mention of a concept's name, nested ones included, in text order (the mention-level
        outputs); references ("these cells") are not names and are left out."""
        return tuple(m for s in self.sentences
                     for m in sorted(s.mentions + s.nested, key=lambda m: (m.start, -m.end, m.curie))
                     if m.matched_by != "anaphora")


class Analyser:
    """Holds the compiled lexicon; `analyse` is a pure function of the document."""

    def __init__(self, lexicon: Lexicon, profile: frozenset[tuple[tuple[str, ...], str]] = frozenset()):
        """`profile`: (phrase key, id) pairs never to ground, an annotation convention (see load_profile)."""
        self.lexicon = lexicon
        self.matcher = Matcher.of(lexicon)
        self.profile = profile
        self.cell_root = lexicon.get("CL:0000000")  # for marker-defined cells with no more specific type
        self.prior_expansions = prior_expansions()
        patterns = load_patterns()
        self.skip_headings = frozenset(h.lower() for h in patterns["sections"]["skip"])
        self.anaphora = {tuple(k.lower() for k in phrase_key(p)): patterns["anaphora"]["category"]
                         for p in patterns["anaphora"]["phrases"]}
        self.anaphora_first = {k[0] for k in self.anaphora}
        self.anaphora_max = max(len(k) for k in self.anaphora)

    def analyse(self, document: Document) -> AnalysedDocument:
        local: dict[tuple[str, ...], tuple[Term | None, str]] = {}
        expansions = dict(self.prior_expansions)
        defined: list[tuple[str, str]] = []
        opened: dict[str, Term] = {}
        last_of_category: dict[str, Term] = {}
        sentences = []
        for sentence in split_document(document, self.skip_headings):
            all_tokens = tokenize(sentence.text, sentence.start)
            definitions = definition_spans(all_tokens, sentence.text, sentence.start)
            # Pass 1 learns what each '(SF)' stands for in this document: the words before it that spell it.
            for open_i, close_i, short in definitions:
                key = phrase_key(short)
                if len(key) != 1 or (key[0] in expansions and expansions[key[0]][1] == "abbreviation"):
                    continue
                earlier = {k for o, c, _ in definitions if c < open_i for k in range(o, c + 1)}
                before = [t for k, t in enumerate(all_tokens[:open_i]) if t.text not in INVISIBLE and k not in earlier]
                long_form = self._long_form(short, before, document.text)
                if long_form:
                    expansions[key[0]] = (tuple(t.key for t in long_form), "abbreviation")
                    found = self.matcher.scan(long_form)
                    whole = found[0].term.id if len(found) == 1 and found[0].last == len(long_form) - 1 \
                        and found[0].first == 0 else ""
                    defined.append((short, whole))
            # Pass 2 hides the '(SF)' definitions so 'mesenchymal stem cell (MSC) transplantation' matches whole.
            hidden = {k for o, c, _ in definitions for k in range(o, c + 1)}
            shown = [k for k, t in enumerate(all_tokens) if k not in hidden and t.text not in INVISIBLE]
            visible = tuple(all_tokens[k] for k in shown)
            gap_after = frozenset(i for i in range(len(shown) - 1)
                                  if any(k in hidden for k in range(shown[i] + 1, shown[i + 1])))
            hits = self.matcher.scan(visible, local, expansions)
            # Verb and adjective forms of a process ("expressed", "regulatory") are mentions of it, but a
            # relation reads them as words ("differentiate into"), so they stay out of the hits.
            verbal = [h for h in hits if h.matched_by == DERIVED]
            hits = self._with_ellipsis(visible, [h for h in hits if h.matched_by != DERIVED], expansions)
            hits = self._with_shared_prefix(visible, hits, expansions)
            hits = self._with_markers(visible, hits)
            hits = tuple(self._with_open_vocabulary(visible, hits, local, opened))
            hits = tuple(self._with_anaphora(visible, list(hits), last_of_category))
            lexical = [h for h in hits if h.matched_by not in ("cue", "anaphora") and not h.pieces]
            nested = self.matcher.nested(visible, lexical, expansions) + verbal
            if self.profile:
                hits = tuple(h for h in hits if (_hit_key(visible, h), h.term.id) not in self.profile)
                nested = [h for h in nested if (_hit_key(visible, h), h.term.id) not in self.profile]
            mentions = tuple(_mention(document, visible, h, sentence.index, gap_after) for h in hits)
            inner = tuple(_mention(document, visible, h, sentence.index, gap_after) for h in nested)
            sentences.append(AnalysedSentence(sentence, visible, hits, mentions, tuple(study_type_cues(sentence.text)),
                                              inner))
        sentences = _licensed(sentences)
        return AnalysedDocument(document, tuple(sentences), tuple(defined), _document_study_type(document, sentences),
                                _document_organism(sentences), tuple(opened[k] for k in sorted(opened)))

    def _long_form(self, short: str, before: list[Token], text: str) -> list[Token]:
        """The term that ends right before '(SF)' when the short form spells it ("disc degeneration (DGN)"),
        else the fewest words that spell it."""
        window = before[-8:]
        found = self.matcher.scan(window)
        if found and found[-1].last == len(window) - 1:
            words = window[found[-1].first:]
            if words[0].text[:1].lower() == short[:1].lower() and \
                    short_form_matches(short, text[words[0].start:words[-1].end]):
                return words
        return long_form_of(short, before, text)

    def _whole(self, tokens, expansions) -> Term | None:
        """The term these tokens name as a whole, if any."""
        return self.matcher.whole(tokens, expansions)

    def _with_shared_prefix(self, tokens, hits: list[Hit], expansions) -> list[Hit]:
        """Coordinated names that share first and last words: "type I and II collagen" names type I collagen
        and type II collagen."""
        keys = [t.key.lower() for t in tokens]
        for c in range(2, len(tokens) - 2):
            if keys[c] not in ("and", "or"):
                continue
            for y, h, x, p in ((1, 1, 1, 1), (1, 2, 1, 1), (1, 1, 1, 2), (2, 1, 2, 1)):
                if c - x - p < 0 or c + y + h >= len(tokens) + 1:
                    continue
                P, X = list(range(c - x - p, c - x)), list(range(c - x, c))
                Y, H = list(range(c + 1, c + 1 + y)), list(range(c + 1 + y, c + 1 + y + h))
                if H and H[-1] >= len(tokens):
                    continue
                left = self._whole([tokens[k] for k in P + X + H], expansions)
                right = self._whole([tokens[k] for k in P + Y + H], expansions) if left is not None else None
                if left is None or right is None or left.id == right.id:
                    continue
                span = set(P + X + Y + H)
                hits = [hh for hh in hits if not span.intersection(range(hh.first, hh.last + 1))]
                hits.append(Hit(P[0], X[-1], left, "coordination", pieces=((P[0], X[-1]), (H[0], H[-1]))))
                hits.append(Hit(Y[0], H[-1], right, "coordination", pieces=((P[0], P[-1]), (Y[0], H[-1]))))
                break
        return sorted(hits, key=lambda h: h.first)

    def _with_markers(self, tokens, hits: list[Hit]) -> list[Hit]:
        """Marker-defined cells: "Tie2+ progenitor cells", "CD146-positive cells" are the cell type (or, for bare
        "cells", cells in general) with the marker recorded."""
        keys = [t.key.lower() for t in tokens]
        by_first = {h.first: h for h in hits}
        out, skip = [], set()
        for hit in hits:
            if id(hit) in skip:
                continue
            if hit.term.category != "Molecule" or not hit.term.id.startswith("HGNC:"):
                out.append(hit)
                continue
            k = hit.last + 1
            if k >= len(tokens) or keys[k] not in _MARKER_SIGNS:
                out.append(hit)
                continue
            cell = by_first.get(k + 1)
            if cell is not None and cell.term.category == "CellType":
                skip.add(id(cell))
                out.append(Hit(hit.first, cell.last, cell.term, "marker-defined",
                               markers=(_surface(tokens, hit.first, hit.last),)))
            elif k + 1 < len(tokens) and keys[k + 1] == "cell" and self.cell_root is not None:
                out.append(Hit(hit.first, k + 1, self.cell_root, "marker-defined",
                               markers=(_surface(tokens, hit.first, hit.last),)))
            else:
                out.append(hit)
        return out

    def _with_ellipsis(self, tokens, hits: list[Hit], expansions) -> list[Hit]:
        """Coordinated names that share their last words: in "rod and cone photoreceptors" and "NP and AF
        cells", the first conjunct is a mention of its own ("rod ... photoreceptors", "NP ... cells")."""
        out = list(hits)
        keys = [t.key.lower() for t in tokens]
        taken = {k for h in hits for k in range(h.first, h.last + 1)}
        # Indexes of `out` (its spans, its hits by first token, the hits dropped) so that each conjunct costs its
        # own width, not the whole sentence: a list of hundreds of coordinated names stays linear.
        spans = {(h.first, h.last) for h in hits}
        starting: dict[int, list[Hit]] = {}
        for h in hits:
            starting.setdefault(h.first, []).append(h)
        dropped: set[int] = set()
        for hit in hits:
            conj = hit.first - 1
            if hit.last == hit.first or conj < 1 or keys[conj] not in _CONJUNCTIONS:
                continue
            for width in (2, 1):
                first = conj - width
                if first < 0 or any(k in taken and (first, conj - 1) not in spans for k in range(first, conj)):
                    continue
                for tail in range(hit.first + 1, hit.last + 1):
                    term = self.matcher.whole(list(tokens[first:conj]) + list(tokens[tail:hit.last + 1]), expansions)
                    if term is not None:
                        for h in [h for k in range(first, conj) for h in starting.get(k, ()) if h.last <= conj - 1]:
                            dropped.add(id(h))
                            spans.discard((h.first, h.last))
                        new = Hit(first, conj - 1, term, "coordination", pieces=((first, conj - 1), (tail, hit.last)))
                        out.append(new)
                        starting.setdefault(first, []).append(new)
                        spans.add((first, conj - 1))
                        taken.update(range(first, conj))
                        break
                else:
                    continue
                break
        return sorted((h for h in out if id(h) not in dropped), key=lambda h: h.first)

    def _with_open_vocabulary(self, tokens, hits: list[Hit], local, opened: dict[str, Term]) -> list[Hit]:
        """Listed phrases after a cue that no mention covers become open-vocabulary concepts."""
        covered = {k for h in hits for k in range(h.first, h.last + 1)}
        starting: dict[int, list[Hit]] = {}  # the items are disjoint: looking up each one's own tokens keeps this linear
        for h in hits:
            starting.setdefault(h.first, []).append(h)
        replaced: set[int] = set()
        added: list[Hit] = []
        for first, last, cue in list_items(tokens):
            inner = [h.term.id for k in range(first, last + 1) for h in starting.get(k, ()) if h.last <= last]
            if last in covered and (len(inner) <= 1 or any(t.key.lower() in _RELATING for t in tokens[first:last + 1])):
                # the head word is the one known concept ("senescent NP cells"), or the phrase relates known
                # concepts ("impaired homing under mechanical stress"); "endplate calcification" is a new one
                continue
            replaced.update(range(first, last + 1))  # "annulus sealing patches" is one new concept
            text = " ".join(t.text for t in tokens[first:last + 1])
            term = open_term(text, cue.category, cue, self._lookup, inner)
            term = self.lexicon.get(term.id) or opened.setdefault(term.id, term)
            local.setdefault(phrase_key(text), (term, "cue"))  # later mentions in this document ground to it too
            added.append(Hit(first, last, term, "cue"))
            covered.update(range(first, last + 1))
        kept = [h for h in hits if not any(k in replaced for k in range(h.first, h.last + 1))]
        return sorted(kept + added, key=lambda h: h.first)

    def _lookup(self, key: tuple[str, ...]) -> Term | None:
        found = self.matcher.get(key)
        return found[0] if found else None

    def _with_anaphora(self, tokens, hits: list[Hit], last: dict[str, Term]) -> list[Hit]:
        """'these cells' refers to the last cell type named before it in the document."""
        keys = [t.key.lower() for t in tokens]
        anaphors = []
        for i in range(len(tokens)):
            if keys[i] not in self.anaphora_first:
                continue
            for n in range(min(self.anaphora_max, len(tokens) - i), 0, -1):
                category = self.anaphora.get(tuple(keys[i:i + n]))
                if category:
                    anaphors.append((i, i + n - 1, category))
                    break
        out: list[Hit] = []
        events = sorted([(h.first, 1, h) for h in hits] + [(a[0], 0, a) for a in anaphors], key=lambda e: (e[0], e[1]))
        taken_until = -1
        for first, kind, item in events:
            if kind == 0:
                a_first, a_last, category = item
                if category in last and a_first > taken_until:
                    out = [h for h in out if h.last < a_first]
                    out.append(Hit(a_first, a_last, last[category], "anaphora"))
                    taken_until = a_last
                continue
            if item.first <= taken_until:
                continue
            out.append(item)
            last[item.term.category] = item.term
        return out


_CONJUNCTIONS = frozenset({"and", "or", ","})
DERIVED = "variant: derived form"
_MARKER_SIGNS = frozenset({"+", "positive", "pos", "hi", "high", "bright"})
_RELATING = frozenset({"under", "of", "in", "by", "with", "from", "to", "for", "on", "at", "after", "during", "via",
                       "and", "or"})


def _surface(tokens, first: int, last: int) -> str:
    """The words of tokens[first..last] as written: a space only where the text had one."""
    out = tokens[first].text
    for k in range(first + 1, last + 1):
        out += ("" if tokens[k].start == tokens[k - 1].end else " ") + tokens[k].text
    return out


def _hit_key(tokens, hit: Hit) -> tuple[str, ...]:
    return tuple(tokens[k].key for a, b in (hit.pieces or ((hit.first, hit.last),)) for k in range(a, b + 1))


def load_profile(path: Path) -> frozenset[tuple[tuple[str, ...], str]]:
    """An annotation profile: phrases a gold corpus's guidelines never mark with an id (ontologies/profiles/)."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "phrase\t")):
            phrase, curie = line.split("\t")[:2]
            out.add((tuple(phrase.split(" ")), curie))
    return frozenset(out)


def _licensed(sentences: list[AnalysedSentence]) -> list[AnalysedSentence]:
    """Drops the hits whose phrase needs a context ("rod": photoreceptors or the retina) the document lacks."""
    if not any(h.licence for s in sentences for h in s.hits):
        return sentences
    present = {m.curie for s in sentences for m in s.mentions + s.nested}
    present -= {h.term.id for s in sentences for h in s.hits if h.licence} - \
        {h.term.id for s in sentences for h in s.hits if not h.licence}
    out = []
    for s in sentences:
        keep = [k for k, h in enumerate(s.hits) if not h.licence or present.intersection(h.licence)]
        if len(keep) == len(s.hits):
            out.append(s)
            continue
        out.append(AnalysedSentence(s.sentence, s.tokens, tuple(s.hits[k] for k in keep),
                                    tuple(s.mentions[k] for k in keep), s.study_cues, s.nested))
    return out


def _is_exact(hits: list[Hit], k: int, first: int, last: int) -> bool:
    """Token k lies in a hit that covers exactly first..last (a conjunct the ellipsis may replace)."""
    return any(h.first == first and h.last == last for h in hits if h.first <= k <= h.last)


def _mention(document: Document, tokens, hit: Hit, sentence: int, gap_after: frozenset[int]) -> Mention:
    """A hit as a mention: its pieces are split where a hidden '(SF)' or an ellipsis lies inside it."""
    ranges: list[tuple[int, int]] = []
    for first, last in hit.pieces or ((hit.first, hit.last),):
        start = first
        for k in range(first, last):
            if k in gap_after:
                ranges.append((start, k))
                start = k + 1
        ranges.append((start, last))
    parts = tuple((tokens[a].start, tokens[b].end) for a, b in ranges)
    start, end = parts[0][0], parts[-1][1]
    return Mention(start, end, document.text[start:end], hit.term.id, hit.term.category, hit.matched_by, sentence,
                   parts if len(parts) > 1 else (), hit.markers, nested=hit.nested)


TERM_LIST_SHARE = 0.7
TERM_LIST_MIN_TOKENS = 200


def prose_problem(doc: AnalysedDocument) -> str | None:
    """A reason to leave a document out when it is a list of terms rather than prose, else None."""
    tokens = sum(len(s.tokens) for s in doc.sentences)
    covered = sum(h.last - h.first + 1 for s in doc.sentences for h in s.hits)
    if tokens >= TERM_LIST_MIN_TOKENS and covered / tokens > TERM_LIST_SHARE:
        return f"not prose: {covered / tokens:.0%} of its words are ontology terms (a term list, not a paper)"
    return None


def _document_study_type(document: Document, sentences: list[AnalysedSentence]) -> str:
    """'review' wherever the title or abstract says so; otherwise the most frequent sentence cue; a study
    that names only non-human species is preclinical in vivo."""
    kinds = [kind for s in sentences for _, kind in s.study_cues]
    front = [kind for s in sentences if s.sentence.section in ("title", "abstract") for _, kind in s.study_cues]
    if "review" in front or "review" in document.title.lower():
        return "review"
    if kinds:
        return majority(kinds, "unknown") or "unknown"
    species = {m.curie for s in sentences for m in s.mentions if m.category == "Organism"}
    return "preclinical_in_vivo" if species and HUMAN not in species else "unknown"


def _document_organism(sentences: list[AnalysedSentence]) -> str | None:
    return majority([m.curie for s in sentences for m in s.mentions if m.category == "Organism"], None)
