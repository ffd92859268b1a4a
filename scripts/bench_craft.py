"""The CRAFT grounding benchmark: mention-level P/R/F1 per ontology, exact and overlapping spans.

CRAFT (../shared/craft, CC BY 3.0) is the public gold corpus for concept recognition in full-text
articles: experts marked every mention of CL, UBERON, GO, ChEBI and NCBITaxon terms. This script
converts its Knowtator annotations into the project's gold format (with `spans` for discontinuous
mentions), grounds every article with the project's analyser, and scores each ontology's mentions
(only ids with that ontology's prefix count on both sides):

- `matching`: the default lexicon plus the ontology CRAFT was annotated with, loaded as a user
  would with `kg build --ontology` (CL and UBERON: CRAFT's own files; GO: the GO release in
  ../shared/ontologies, written out as OBO; ChEBI and NCBITaxon: the files in ../shared/ontologies);
- `default`: the default lexicon alone.

It prints a table (train = the 60 training articles, dev = the 7 development articles, all = 67)
and writes `--out` (default outputs/craft/) with the gold JSON, the scores as JSON and an error
breakdown per ontology (misses and false positives by surface text, and span-right-id-wrong).

Usage: python scripts/bench_craft.py [--craft ../shared/craft] [--ontology CL ...] [--config matching default]
       [--split all train dev] [--out outputs/craft] [-j 2]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.analysis import Analyser, load_profile  # noqa: E402
from kg.evaluate import MentionRecord, score_mentions  # noqa: E402
from kg.model import Document, Section  # noqa: E402
from kg.nlp.tokens import INVISIBLE, tokenize  # noqa: E402
from kg.ontology.lexicon import default_lexicon, with_ontologies  # noqa: E402
from kg.readers.xmlsafe import local, parse_xml  # noqa: E402

ONTOLOGIES = ("CL", "UBERON", "GO_BP", "GO_CC", "CHEBI", "NCBITaxon")
PREFIX = {"CL": "CL", "UBERON": "UBERON", "GO_BP": "GO", "GO_CC": "GO", "CHEBI": "CHEBI", "NCBITaxon": "NCBITaxon"}
# GO's two namespaces share a prefix: a process is a Mechanism, a cellular component an AnatomicalStructure.
CATEGORY = {"GO_BP": "Mechanism", "GO_CC": "AnatomicalStructure"}


def belongs(ontology: str, m: MentionRecord) -> bool:
    """Is this system mention one that the ontology's annotation set is about?"""
    return m.curie.startswith(PREFIX[ontology] + ":") and CATEGORY.get(ontology, m.category) == m.category


def read_ids(craft: Path, split: str) -> list[str]:
    files = {"train": ["ids-train.txt"], "dev": ["ids-dev.txt"], "all": ["ids-train.txt", "ids-dev.txt"]}[split]
    return sorted(line.strip() for f in files for line in (craft / f).read_text().splitlines() if line.strip())


def read_knowtator(path: Path, document: str) -> list[MentionRecord]:
    """The mentions of one Knowtator file: spans (several for a discontinuous mention), id, text."""
    root = parse_xml(gzip.decompress(path.read_bytes()), str(path))
    classes: dict[str, str] = {}
    for element in root:
        if local(element.tag) == "classMention":
            cls = next((c for c in element if local(c.tag) == "mentionClass"), None)
            if cls is not None:
                classes[element.get("id", "")] = cls.get("id", "")
    out = []
    for element in root:
        if local(element.tag) != "annotation":
            continue
        mention = next((c for c in element if local(c.tag) == "mention"), None)
        spans = tuple(sorted((int(s.get("start")), int(s.get("end"))) for s in element if local(s.tag) == "span"))
        text = next((c.text or "" for c in element if local(c.tag) == "spannedText"), "")
        curie = classes.get(mention.get("id", "") if mention is not None else "", "")
        if spans and ":" in curie:
            out.append(MentionRecord(document, spans, curie, "", text))
    return out


def gold_for(craft: Path, ontology: str, ids: list[str]) -> list[MentionRecord]:
    return [m for pmid in ids for m in read_knowtator(craft / "annotations" / ontology / f"{pmid}.knowtator.xml.gz", pmid)]


def write_gold(gold: list[MentionRecord], craft: Path, out: Path) -> Path:
    """The project's gold format, one file per ontology; sources are relative to the file."""
    by_doc: dict[str, list[MentionRecord]] = defaultdict(list)
    for m in gold:
        by_doc[m.document].append(m)
    documents = []
    for pmid in sorted(by_doc):
        source = os.path.relpath((craft / "articles" / f"{pmid}.txt").resolve(), out.parent.resolve())
        mentions = [{"start": m.spans[0][0], "end": m.spans[-1][1], "text": m.text, "id": m.curie, "category": "",
                     **({"spans": [list(s) for s in m.spans]} if len(m.spans) > 1 else {})}
                    for m in sorted(by_doc[pmid], key=lambda m: (m.spans, m.curie))]
        documents.append({"id": pmid, "source": source, "mentions": mentions, "assertions": []})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"documents": documents}, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def craft_document(craft: Path, pmid: str) -> Document:
    """An article as one section, its text exactly as the annotation offsets index it."""
    text = (craft / "articles" / f"{pmid}.txt").read_text(encoding="utf-8")
    return Document(pmid, text, (Section("other", "", 0, len(text)),), source=f"craft/{pmid}.txt", format="text")


def go_obo(shared: Path, namespace: str, work: Path) -> Path:
    """The shared GO table (go-basic, no synonym scopes) written as OBO for `--ontology`."""
    out = work / f"go_{namespace}.obo"
    if out.is_file():
        return out
    lines = ["format-version: 1.2", "ontology: go", ""]
    with gzip.open(shared / "go.tsv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["namespace"] != namespace:
                continue
            lines += ["[Term]", f"id: {row['id']}", f"name: {row['label']}"]
            lines += [f'synonym: "{s}" UNSPECIFIED []' for s in row["synonyms"].split("|") if s and '"' not in s]
            lines += [f"is_a: {p}" for p in row["parents"].split("|") if p.startswith("GO:")]
            lines.append("")
    work.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def matching_files(ontology: str, craft: Path, shared: Path, work: Path) -> list[Path]:
    if ontology == "CL":
        return [craft / "ontologies" / "CL.obo.gz"]
    if ontology == "UBERON":
        return [craft / "ontologies" / "UBERON.obo.gz"]
    if ontology == "GO_BP":
        return [go_obo(shared, "BP", work)]
    if ontology == "GO_CC":
        return [go_obo(shared, "CC", work)]
    if ontology == "CHEBI":
        return [shared / "mondo-imports-chebi_import_2021-08-03.obo.gz"]
    if ontology == "NCBITaxon":
        return [shared / "go-imports-ncbitaxon_import_2026-07-15.obo.gz",
                shared / "mondo-imports-ncbitaxon_import_2021-08-03.obo.gz"]
    raise ValueError(ontology)


_ANALYSER: Analyser | None = None
PROFILE = ROOT / "ontologies" / "profiles" / "craft.tsv"


def _init(files: list[Path], profile: Path | None = None) -> None:
    global _ANALYSER
    _ANALYSER = Analyser(with_ontologies(default_lexicon(), files), load_profile(profile) if profile else frozenset())


def _ground(args: tuple[Path, str]) -> list[tuple[MentionRecord, str]]:
    craft, pmid = args
    assert _ANALYSER is not None
    analysed = _ANALYSER.analyse(craft_document(craft, pmid))
    return [(MentionRecord(pmid, m.spans, m.curie, m.category, m.text), ("nested " if m.nested else "") + m.matched_by)
            for m in analysed.all_mentions]


def ground_all(craft: Path, ids: list[str], files: list[Path], jobs: int,
               profile: Path | None = None) -> list[tuple[MentionRecord, str]]:
    """Every article's mentions, each with how it was matched."""
    _init(files, profile)  # parse once here, so that the workers read the ontology cache
    if jobs <= 1:
        return [m for pmid in ids for m in _ground((craft, pmid))]
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(files, profile)) as pool:
        return [m for ms in pool.map(_ground, [(craft, p) for p in ids]) for m in ms]


def learn_profile(craft: Path, shared: Path, work: Path, jobs: int, out: Path, min_wrong: int = 3,
                  max_precision: float = 0.2) -> int:
    """CRAFT's annotation conventions, learnt from its 60 training articles only: the (phrase, id) pairs that
    grounding finds at least `min_wrong` times and that CRAFT's core sets mark at most `max_precision` of
    the time (generic words its guidelines leave to extension sets: "development", "skin", "signaling")."""
    ids = read_ids(craft, "train")
    rows = set()
    for ontology in ONTOLOGIES:
        gold = {(m.document, m.spans, m.curie) for m in gold_for(craft, ontology, ids)}
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for m, _ in ground_all(craft, ids, matching_files(ontology, craft, shared, work), jobs):
            if belongs(ontology, m):
                key = " ".join(t.key for t in tokenize(m.text.replace(" ... ", " ")) if t.text not in INVISIBLE)
                counts[(key, m.curie)][0 if (m.document, m.spans, m.curie) in gold else 1] += 1
        rows |= {(k, c, tp, fp) for (k, c), (tp, fp) in counts.items()
                 if fp >= min_wrong and tp / (tp + fp) <= max_precision}
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# CRAFT's annotation conventions, learnt by scripts/bench_craft.py --learn-profile from the 60 training",
             "# articles only (never the 7 development articles): phrases grounding finds that CRAFT's core sets do",
             f"# not mark with that id (found >= {min_wrong} times, marked <= {max_precision:.0%} of them). Used only when",
             "# asked for (bench_craft.py's `profile` configuration); the project's graph never uses it.",
             "phrase	id	train_marked	train_not_marked"]
    lines += [f"{k}	{c}	{tp}	{fp}" for k, c, tp, fp in sorted(rows)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def precision_by_how(gold: list[MentionRecord], system: list[tuple[MentionRecord, str]]) -> dict[str, list]:
    """How each way of matching fares (exact span and id): [true, false] positives."""
    keys = {(m.document, m.spans, m.curie) for m in gold}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m, how in system:
        out[how][0 if (m.document, m.spans, m.curie) in keys else 1] += 1
    return {k: v for k, v in sorted(out.items())}


def breakdown(gold: list[MentionRecord], system: list[MentionRecord], top: int = 25) -> dict:
    """Misses and false positives by surface text; right span with the wrong id."""
    gold_spans = {(m.document, m.spans): m for m in gold}
    sys_spans = {(m.document, m.spans): m for m in system}
    gold_keys = {(m.document, m.spans, m.curie) for m in gold}
    sys_keys = {(m.document, m.spans, m.curie) for m in system}
    wrong_id, missed, spurious = Counter(), Counter(), Counter()
    for m in gold:
        if (m.document, m.spans, m.curie) in sys_keys:
            continue
        other = sys_spans.get((m.document, m.spans))
        if other is not None:
            wrong_id[f"{m.text.lower()}: {other.curie} for {m.curie}"] += 1
        else:
            missed[f"{m.text.lower()} ({m.curie})"] += 1
    for m in system:
        if (m.document, m.spans, m.curie) not in gold_keys and (m.document, m.spans) not in gold_spans:
            spurious[f"{m.text.lower()} ({m.curie})"] += 1
    discontinuous = sum(1 for m in gold if len(m.spans) > 1)
    return {"gold_discontinuous": discontinuous, "right_span_wrong_id": sum(wrong_id.values()),
            "missed": sum(missed.values()), "spurious": sum(spurious.values()),
            "top_wrong_id": wrong_id.most_common(top), "top_missed": missed.most_common(top),
            "top_spurious": spurious.most_common(top)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--craft", type=Path, default=ROOT.parent / "shared" / "craft")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "ontologies")
    parser.add_argument("--ontology", nargs="+", default=list(ONTOLOGIES), choices=ONTOLOGIES)
    parser.add_argument("--config", nargs="+", default=["matching", "default", "profile"],
                        choices=["matching", "default", "profile"],
                        help="matching: the ontology CRAFT used loaded; default: the default lexicon alone; profile: "
                             "matching plus CRAFT's conventions learnt from its training articles")
    parser.add_argument("--learn-profile", action="store_true",
                        help=f"learn CRAFT's conventions from the training articles into {PROFILE.relative_to(ROOT)}")
    parser.add_argument("--split", nargs="+", default=["train", "dev", "all"], choices=["train", "dev", "all"])
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "craft")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if not (args.craft / "annotations").is_dir():
        print(f"{args.craft}: no CRAFT annotations here (see ../shared/craft/README.md)", file=sys.stderr)
        return 1
    work = args.out / "work"
    if args.learn_profile:
        n = learn_profile(args.craft, args.shared, work, args.jobs, PROFILE)
        print(f"wrote {PROFILE} ({n} phrases)", file=sys.stderr)
    ids_all = read_ids(args.craft, "all")
    splits = {s: set(read_ids(args.craft, s)) for s in args.split}
    results: dict = {}
    rows = []
    for ontology in args.ontology:
        gold = gold_for(args.craft, ontology, ids_all)
        write_gold(gold, args.craft, args.out / "gold" / f"{ontology}.json")
        for config in args.config:
            files = matching_files(ontology, args.craft, args.shared, work) if config != "default" else []
            started = time.perf_counter()
            found = [(m, h) for m, h in ground_all(args.craft, ids_all, files, args.jobs,
                                                   PROFILE if config == "profile" else None) if belongs(ontology, m)]
            system = [m for m, _ in found]
            seconds = time.perf_counter() - started
            for split, members in splits.items():
                g = [m for m in gold if m.document in members]
                s = [m for m in system if m.document in members]
                exact = score_mentions(g, s, prefixes=(PREFIX[ontology],))
                overlap = score_mentions(g, s, prefixes=(PREFIX[ontology],), overlap=True)
                results.setdefault(ontology, {}).setdefault(config, {})[split] = {
                    "exact": exact.as_dict(), "overlap": overlap.as_dict()}
                rows.append((ontology, config, split, exact, overlap))
            results[ontology][config]["errors"] = breakdown(gold, system)
            train = splits.get("train", set(ids_all))
            results[ontology][config]["train_by_how"] = precision_by_how(
                [m for m in gold if m.document in train],
                [(m, h) for m, h in found if m.document in train])
            results[ontology][config]["seconds"] = round(seconds, 1)
            print(f"{ontology} {config}: {seconds:.0f} s", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scores.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("| ontology | lexicon | articles | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for ontology, config, split, exact, overlap in rows:
        cells = [s or 0.0 for s in (exact.precision, exact.recall, exact.f1, overlap.precision, overlap.recall, overlap.f1)]
        print(f"| {ontology} | {config} | {split} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    print(f"\nscores and error breakdown: {args.out / 'scores.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
