"""Analysis: a Document becomes sentences with tokens, grounded mentions, abbreviations and context."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Document, Mention, Sentence, Term
from .nlp.abbreviations import definition_spans, short_form_matches
from .nlp.context import majority, study_type_cues
from .nlp.sentences import split_document
from .nlp.tokens import INVISIBLE, Token, phrase_key, tokenize
from .ontology.lexicon import Lexicon
from .ontology.matcher import Hit, Matcher
from .patterns import load_patterns


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

    def analyse(self, document: Document) -> AnalysedDocument:
        local: dict[tuple[str, ...], Term | None] = {}
        defined: list[tuple[str, str]] = []
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
                    local[key] = hit.term
                    defined.append((short, hit.term.id))
                elif before and short_form_matches(short, document.text[before[max(0, len(before) - 6)].start:before[-1].end]):
                    local[key] = None  # defined here as something the lexicon does not know: no domain prior
                    defined.append((short, ""))
            # Pass 2 hides the '(SF)' definitions so 'mesenchymal stem cell (MSC) transplantation' matches whole.
            hidden = {k for o, c, _ in definitions for k in range(o, c + 1)}
            visible = tuple(t for k, t in enumerate(all_tokens) if k not in hidden and t.text not in INVISIBLE)
            hits = tuple(self.matcher.scan(visible, local))
            mentions = tuple(
                Mention(visible[h.first].start, visible[h.last].end,
                        document.text[visible[h.first].start:visible[h.last].end], h.term.id, h.term.category,
                        h.matched_by, sentence.index)
                for h in hits)
            sentences.append(AnalysedSentence(sentence, visible, hits, mentions, tuple(study_type_cues(sentence.text))))
        return AnalysedDocument(document, tuple(sentences), tuple(defined), _document_study_type(document, sentences),
                                _document_organism(sentences))


def _document_study_type(document: Document, sentences: list[AnalysedSentence]) -> str:
    """'review' wherever the title or abstract says so; otherwise the most frequent sentence cue."""
    kinds = [kind for s in sentences for _, kind in s.study_cues]
    front = [kind for s in sentences if s.sentence.section in ("title", "abstract") for _, kind in s.study_cues]
    if "review" in front or "review" in document.title.lower():
        return "review"
    return majority(kinds, "unknown") or "unknown"


def _document_organism(sentences: list[AnalysedSentence]) -> str | None:
    return majority([m.curie for s in sentences for m in s.mentions if m.category == "Organism"], None)
