"""Analysis: a Document becomes sentences with tokens, grounded mentions, abbreviations and context."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Document, Mention, Sentence, Term
from .nlp.abbreviations import definition_spans, short_form_matches
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
        return tuple(m for s in self.sentences for m in s.mentions)


class Analyser:
    """Holds the compiled lexicon; `analyse` is a pure function of the document."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.matcher = Matcher(lexicon)
        patterns = load_patterns()
        self.skip_headings = frozenset(h.lower() for h in patterns["sections"]["skip"])
        self.anaphora = {tuple(k.lower() for k in phrase_key(p)): patterns["anaphora"]["category"]
                         for p in patterns["anaphora"]["phrases"]}
        self.anaphora_first = {k[0] for k in self.anaphora}
        self.anaphora_max = max(len(k) for k in self.anaphora)

    def analyse(self, document: Document) -> AnalysedDocument:
        local: dict[tuple[str, ...], tuple[Term | None, str]] = {}
        defined: list[tuple[str, str]] = []
        opened: dict[str, Term] = {}
        last_of_category: dict[str, Term] = {}
        sentences = []
        for sentence in split_document(document, self.skip_headings):
            all_tokens = tokenize(sentence.text, sentence.start)
            definitions = definition_spans(all_tokens, sentence.text, sentence.start)
            # Pass 1 sees the definitions, to learn what each short form stands for in this document.
            plain = [t for t in all_tokens if t.text not in INVISIBLE]
            hits = self.matcher.scan(plain, local)
            for open_i, close_i, short in definitions:
                key = phrase_key(short)
                if key in local:
                    continue
                before = [t for t in all_tokens[:open_i] if t.text not in INVISIBLE]
                hit = next((h for h in hits if before and plain[h.last] is before[-1]), None)
                if hit and short_form_matches(short, document.text[plain[hit.first].start:plain[hit.last].end]):
                    local[key] = (hit.term, "abbreviation")
                    defined.append((short, hit.term.id))
                elif before and short_form_matches(short, document.text[before[max(0, len(before) - 6)].start:before[-1].end]):
                    local[key] = (None, "abbreviation")  # defined here as something unknown: no domain prior
                    defined.append((short, ""))
            # Pass 2 hides the '(SF)' definitions so 'mesenchymal stem cell (MSC) transplantation' matches whole.
            hidden = {k for o, c, _ in definitions for k in range(o, c + 1)}
            visible = tuple(t for k, t in enumerate(all_tokens) if k not in hidden and t.text not in INVISIBLE)
            hits = tuple(self._with_open_vocabulary(visible, list(self.matcher.scan(visible, local)), local, opened))
            hits = tuple(self._with_anaphora(visible, list(hits), last_of_category))
            mentions = tuple(
                Mention(visible[h.first].start, visible[h.last].end,
                        document.text[visible[h.first].start:visible[h.last].end], h.term.id, h.term.category,
                        h.matched_by, sentence.index)
                for h in hits)
            sentences.append(AnalysedSentence(sentence, visible, hits, mentions, tuple(study_type_cues(sentence.text))))
        return AnalysedDocument(document, tuple(sentences), tuple(defined), _document_study_type(document, sentences),
                                _document_organism(sentences), tuple(opened[k] for k in sorted(opened)))

    def _with_open_vocabulary(self, tokens, hits: list[Hit], local, opened: dict[str, Term]) -> list[Hit]:
        """Listed phrases after a cue that no mention covers become open-vocabulary concepts."""
        covered = {k for h in hits for k in range(h.first, h.last + 1)}
        for first, last, cue in list_items(tokens):
            if last in covered:
                continue  # the head word is a known concept ("senescent NP cells")
            inner = [h.term.id for h in hits if first <= h.first and h.last <= last]
            hits = [h for h in hits if h.last < first or h.first > last]  # "annulus sealing patches" is one new concept
            text = " ".join(t.text for t in tokens[first:last + 1])
            term = open_term(text, cue.category, cue, self._lookup, inner)
            term = self.lexicon.get(term.id) or opened.setdefault(term.id, term)
            local.setdefault(phrase_key(text), (term, "cue"))  # later mentions in this document ground to it too
            hits.append(Hit(first, last, term, "cue"))
            covered.update(range(first, last + 1))
        return sorted(hits, key=lambda h: h.first)

    def _lookup(self, key: tuple[str, ...]) -> Term | None:
        found = self.matcher.table.get(key)
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
