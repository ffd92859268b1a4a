"""Benchmark: speed and memory of each stage on a synthetic corpus, and grounding against spaCy and Aho-Corasick.

The corpus is generated from sentence templates written for this project, filled with labels and
synonyms of the lexicon and with filler words, in files of about 5 KB. Each stage runs on one core
(read, split, ground, extract, merge, export) and is reported in MB of text per second and
documents per second; peak memory is the process's maximum resident size. In the same run, the
grounding stage is compared on the same text with spaCy's PhraseMatcher over the same phrases and
with a raw Aho-Corasick scan (pyahocorasick), the practical limit. Then a whole build runs with
every core, twice: from scratch, and after adding one document (the cache at work).

Usage: python scripts/bench_pipeline.py [--mb 10] [--seed 1]   (needs pip install -e '.[bench]')
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from benchlib import timed  # noqa: E402
from kg import __version__  # noqa: E402
from kg.analysis import Analyser  # noqa: E402
from kg.export import EXPORTERS, ExportContext  # noqa: E402
from kg.extract.rules import RuleExtractor  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.nlp.sentences import split_document  # noqa: E402
from kg.nlp.tokens import tokenize  # noqa: E402
from kg.ontology.lexicon import default_lexicon  # noqa: E402
from kg.pipeline import build  # noqa: E402
from kg.process import merge, DocResult  # noqa: E402
from kg.readers import read_inputs  # noqa: E402
from kg.schema import default_schema  # noqa: E402

TEMPLATES = [
    "{A} and {B} restore {C} and reduce {D} in the degenerate disc.",
    "In a rabbit model, {A} increased {C} by {N}% at {M} weeks.",
    "{B} hinders {A}, whereas {C} was unchanged in the control group.",
    "These findings suggest that {A} may enhance {D} through {B}.",
    "Challenges include {A}, {B}, and {C}.",
    "{A}-mediated {B} was observed in {C} of {D} patients.",
    "The samples were washed twice and incubated overnight at room temperature before analysis.",
    "Statistical analysis used a two-sided test with a significance threshold of 0.05.",
    "{A} did not restore {B} after {N} months of follow-up.",
    "Emerging strategies target {A}, {B}, and {C} to enhance {D}.",
]


def synthetic_corpus(folder: Path, megabytes: float, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    lexicon = default_lexicon()
    phrases = [p for t in lexicon.terms.values() if t.matchable for p in (t.label,) + t.matched_synonyms()]
    target = int(megabytes * 1_000_000)
    size = files = 0
    while size < target:
        sentences = []
        while sum(len(s) for s in sentences) < 5000:
            template = rng.choice(TEMPLATES)
            sentences.append(template.format(A=rng.choice(phrases), B=rng.choice(phrases), C=rng.choice(phrases),
                                             D=rng.choice(phrases), N=rng.randrange(2, 90), M=rng.randrange(2, 52)))
        text = f"Synthetic study {files}\n\n" + " ".join(sentences)
        (folder / f"doc{files:06}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode())
        files += 1
    return size, files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--extractor", default="rules",
                        help="extractor of the whole build (default rules, as the README's figures; syntax is the build's default)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        size, files = synthetic_corpus(corpus, args.mb, args.seed)
        mb = size / 1e6
        lexicon = default_lexicon()
        analyser, extractor = Analyser(lexicon), RuleExtractor()
        rows = []
        docs, t = timed(lambda: [d for r in read_inputs([str(corpus)]) for d in r.documents])
        rows.append(("read", t))
        _, t = timed(lambda: [split_document(d) for d in docs])
        rows.append(("split", t))
        analysed, t_analyse = timed(lambda: [analyser.analyse(d) for d in docs])
        rows.append(("ground (with abbreviations and context)", t_analyse - rows[1][1]))
        assertions, t = timed(lambda: [list(extractor.extract(a)) for a in analysed])
        rows.append(("extract", t))
        results = [DocResult(a.document.id, tuple(x), tuple(sorted({m.curie for m in a.mentions})))
                   for a, x in zip(analysed, assertions)]
        (merged, t) = timed(lambda: merge(results))
        graph, t2 = timed(lambda: build_graph(merged[0], lexicon, docs, merged[1]))
        rows.append(("merge", t + t2))
        context = ExportContext(default_schema(), lexicon, __version__)
        out = Path(tmp) / "out"
        _, t = timed(lambda: [EXPORTERS[f].write(graph, out, context) for f in ("turtle", "neo4j", "json")])
        rows.append(("export (Turtle, Neo4j, JSON)", t))
        print(f"corpus: {mb:.1f} MB in {files} documents; graph: {graph.number_of_nodes()} nodes, "
              f"{graph.number_of_edges()} edges, {sum(len(x) for x in assertions)} assertions\n")
        print("| stage (one core) | seconds | MB/s | documents/s |")
        print("|---|---|---|---|")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.2f} | {mb / seconds:.2f} | {files / seconds:.0f} |")
        core = sum(s for n, s in rows if n in ("split", "ground (with abbreviations and context)", "extract"))
        print(f"| **analysis and extraction together** | {core:.2f} | {mb / core:.2f} | {files / core:.0f} |")
        print(f"\npeak memory (max resident size of this process): "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB\n")

        # Grounding, side by side on the same text.
        texts = [d.text for d in docs]
        phrases = sorted({p for term in lexicon.terms.values() if term.matchable
                          for p in (term.label,) + term.matched_synonyms()})
        ours, t_ours = timed(lambda: sum(len(analyser.matcher.scan([tok for tok in tokenize(x) if tok.text != "-"]))
                                         for x in texts))
        table = [("IVD-KG token matcher (tokenise + longest match)", t_ours, ours)]
        try:
            import spacy
            from spacy.matcher import PhraseMatcher
            nlp = spacy.blank("en")
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            matcher.add("TERMS", list(nlp.tokenizer.pipe(phrases)))
            count, t = timed(lambda: sum(len(matcher(doc)) for doc in nlp.tokenizer.pipe(texts)))
            table.append(("spaCy PhraseMatcher (tokeniser + matcher)", t, count))
        except ImportError:
            table.append(("spaCy PhraseMatcher: not installed", float("nan"), 0))
        try:
            import ahocorasick
            automaton = ahocorasick.Automaton()
            for p in phrases:
                automaton.add_word(p.lower(), p)
            automaton.make_automaton()
            count, t = timed(lambda: sum(1 for x in texts for _ in automaton.iter(x.lower())))
            table.append(("raw Aho-Corasick scan (pyahocorasick, no word boundaries)", t, count))
        except ImportError:
            table.append(("pyahocorasick: not installed", float("nan"), 0))
        print(f"| grounding, {len(phrases):,} phrases, same text | seconds | MB/s | matches | time relative to ours |")
        print("|---|---|---|---|---|")
        for name, seconds, count in table:
            print(f"| {name} | {seconds:.2f} | {mb / seconds:.2f} | {count:,} | {seconds / t_ours:.2f} |")

        # The whole build with every core, then after adding one document.
        outputs = Path(tmp) / "build"
        _, t_full = timed(lambda: build([str(corpus)], outputs, ("turtle", "json"), jobs=2, extractors=(args.extractor,)))
        (corpus / "added.txt").write_text("Added study\n\nHypoxia hinders cell homing in rabbits.")
        _, t_inc = timed(lambda: build([str(corpus)], outputs, ("turtle", "json"), jobs=2, extractors=(args.extractor,)))
        print(f"\nwhole build, 2 processes: {t_full:.1f} s ({mb / t_full:.2f} MB/s, {files / t_full:.0f} documents/s); "
              f"after adding one document: {t_inc:.1f} s ({t_inc / t_full:.0%} of the full build)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
