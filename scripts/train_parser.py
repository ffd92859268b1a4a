"""Train the project's tagger and dependency parser on CRAFT's biomedical treebank and ship it.

Steps (all by default; --steps picks some):
  convert   CoNLL-U (../shared/craft/treebank/<pmid>.conllu.gz) -> spaCy DocBin, one Doc per paragraph,
            CRAFT's own tokens; train = ids-train.txt (60 articles), dev = ids-dev.txt (7 articles)
  train     spaCy tok2vec (CNN) + tagger + parser with the pinned config scripts/parser_config.cfg
            (seed 0, CPU, no pretrained vectors, nothing downloaded); checkpoints go to WORK/training
  ship      take WORK/training/model-best, add CRAFT's token splits to spaCy's English tokenizer, add an
            attribute_ruler that sets the coarse POS from the predicted fine tag (the majority POS of each
            tag in the training data), score it on the dev articles, and write kg/models/craft_parser/
            (nlp.to_disk layout) with SCORES.json and README.md

Intermediates live in --work (default /tmp/ivdkg-parser), never in the repository.
Run on one core for reproducible timing:

  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python scripts/train_parser.py

CRAFT (Bada et al. 2012, BMC Bioinformatics 13:161; Cohen et al. 2017) is licensed CC BY 3.0.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRAFT = ROOT.parent / "shared" / "craft"
CONFIG = ROOT / "scripts" / "parser_config.cfg"
OUT = ROOT / "kg" / "models" / "craft_parser"
COMMAND = ("OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "
           ".venv/bin/python scripts/train_parser.py")
CREDIT = ("CRAFT v5.0.2 treebank (Colorado Richly Annotated Full-Text corpus), CC BY 3.0: "
          "Bada M, Eckert M, Evans D, et al. Concept annotation in the CRAFT corpus. "
          "BMC Bioinformatics 2012;13:161. Cohen KB, Verspoor K, Fort K, et al. The Colorado Richly "
          "Annotated Full Text (CRAFT) Corpus: Multi-Model Annotation in the Biomedical Domain. "
          "In: Handbook of Linguistic Annotation, Springer 2017.")
PUNCT = {"punct", "p"}
LABELS_REPORTED = ("nsubj", "nsubjpass", "dobj", "agent", "auxpass", "prep", "pobj", "conj", "appos", "relcl",
                   "acl", "advcl", "xcomp", "ccomp", "neg", "compound", "amod")


# --- CoNLL-U ------------------------------------------------------------------------------------

def read_conllu(path: Path):
    """Yield paragraphs: lists of sentences, each a list of token rows (dicts)."""
    paragraph: list[list[dict]] = []
    sentence: list[dict] = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("# newpar") or line.startswith("# newdoc"):
                if sentence:
                    paragraph.append(sentence)
                    sentence = []
                if paragraph:
                    yield paragraph
                    paragraph = []
                continue
            if line.startswith("#"):
                continue
            if not line.strip():
                if sentence:
                    paragraph.append(sentence)
                    sentence = []
                continue
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:  # multiword ranges / empty nodes (CRAFT has none)
                continue
            sentence.append({"id": int(cols[0]), "form": cols[1], "lemma": cols[2], "upos": cols[3],
                             "xpos": cols[4], "head": int(cols[6]), "deprel": cols[7],
                             "space": "SpaceAfter=No" not in cols[9]})
    if sentence:
        paragraph.append(sentence)
    if paragraph:
        yield paragraph


def paragraph_doc(vocab, paragraph):
    from spacy.tokens import Doc
    words, spaces, tags, pos, lemmas, heads, deps, starts = [], [], [], [], [], [], [], []
    for sentence in paragraph:
        offset = len(words)
        for i, row in enumerate(sentence):
            words.append(row["form"])
            spaces.append(row["space"])
            tags.append(row["xpos"])
            pos.append(row["upos"])
            lemmas.append(row["lemma"])
            head = row["head"]
            heads.append(offset + (head - 1 if head else row["id"] - 1))
            deps.append("ROOT" if head == 0 else row["deprel"])
            starts.append(i == 0)
        spaces[-1] = True  # sentences of a paragraph are separated by a space
    return Doc(vocab, words=words, spaces=spaces, tags=tags, pos=pos, lemmas=lemmas, heads=heads,
               deps=deps, sent_starts=starts)


def ids(name: str) -> list[str]:
    return (CRAFT / name).read_text().split()


def convert(work: Path) -> dict:
    import spacy
    from spacy.tokens import DocBin
    nlp = spacy.blank("en")
    counts = {}
    for split in ("train", "dev"):
        bin_ = DocBin(store_user_data=False)
        n_sent = n_tok = 0
        for pmid in ids(f"ids-{split}.txt"):
            for paragraph in read_conllu(CRAFT / "treebank" / f"{pmid}.conllu.gz"):
                bin_.add(paragraph_doc(nlp.vocab, paragraph))
                n_sent += len(paragraph)
                n_tok += sum(len(s) for s in paragraph)
        bin_.to_disk(work / f"{split}.spacy")
        counts[split] = {"articles": len(ids(f"ids-{split}.txt")), "sentences": n_sent, "tokens": n_tok}
    (work / "counts.json").write_text(json.dumps(counts, indent=1))
    print("converted", counts, flush=True)
    return counts


# --- training -----------------------------------------------------------------------------------

def train(work: Path, config: Path) -> float:
    from spacy.cli.train import train as spacy_train
    out = work / "training"
    if out.exists():
        shutil.rmtree(out)
    start, cpu = time.perf_counter(), time.process_time()
    spacy_train(config, out, use_gpu=-1,
                overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")})
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    (work / "train_seconds.json").write_text(json.dumps({"wall": round(seconds, 1), "cpu": round(cpu, 1)}))
    return seconds


# --- scoring ------------------------------------------------------------------------------------

def gold_sentences(vocab, split: str):
    """Each dev sentence as a Doc with CRAFT's tokens and its gold annotation."""
    for pmid in ids(f"ids-{split}.txt"):
        for paragraph in read_conllu(CRAFT / "treebank" / f"{pmid}.conllu.gz"):
            for sentence in paragraph:
                yield paragraph_doc(vocab, [sentence])


def score(nlp, split: str = "dev") -> dict:
    """Tag accuracy, UAS and LAS on gold tokens and gold sentence boundaries (one sentence at a time).

    Headline figures follow spaCy's convention (punctuation tokens excluded from UAS/LAS); the
    figures with punctuation are reported beside them. The raw-text figures run the pipeline's own
    tokenizer on each sentence's text and score through spaCy's alignment (tokens that do not align
    count as errors).
    """
    from spacy.tokens import Doc
    from spacy.training import Example
    golds = list(gold_sentences(nlp.vocab, split))
    preds = [Doc(nlp.vocab, words=[t.text for t in g], spaces=[bool(t.whitespace_) for t in g]) for g in golds]
    start = time.perf_counter()
    preds = list(nlp.pipe(preds, batch_size=256))
    parse_seconds = time.perf_counter() - start
    tags = tags_ok = 0
    c = collections.Counter()
    n_gold, n_pred, n_ok = collections.Counter(), collections.Counter(), collections.Counter()
    for pred, gold in zip(preds, golds):
        for p, g in zip(pred, gold):
            n_gold[g.dep_] += 1
            n_pred[p.dep_] += 1
            n_ok[g.dep_] += p.dep_ == g.dep_ and p.head.i == g.head.i
            tags += 1
            tags_ok += p.tag_ == g.tag_
            head_ok = p.head.i == g.head.i
            label_ok = head_ok and p.dep_.lower() == g.dep_.lower()
            for key in ("all", "nopunct") if g.dep_ not in PUNCT else ("all",):
                c[key] += 1
                c[key + "_uas"] += head_ok
                c[key + "_las"] += label_ok
    n_tokens = sum(len(g) for g in golds)
    # raw text through the pipeline's tokenizer, spaCy's own aligned scorer
    examples = [Example(nlp.make_doc(g.text), g) for g in golds]
    raw = nlp.evaluate(examples, batch_size=256)
    return {
        "evaluation": "CRAFT dev articles (ids-dev.txt), gold tokens and gold sentence boundaries; "
                      "UAS/LAS exclude punctuation (spaCy convention) unless marked *_with_punct",
        "sentences": len(golds), "tokens": n_tokens,
        "tag_acc": round(tags_ok / tags, 4),
        "uas": round(c["nopunct_uas"] / c["nopunct"], 4),
        "las": round(c["nopunct_las"] / c["nopunct"], 4),
        "uas_with_punct": round(c["all_uas"] / c["all"], 4),
        "las_with_punct": round(c["all_las"] / c["all"], 4),
        "per_label": {label: {"gold": n_gold[label],
                              "p": round(n_ok[label] / max(n_pred[label], 1), 3),
                              "r": round(n_ok[label] / max(n_gold[label], 1), 3)}
                      for label in LABELS_REPORTED},
        "words_per_second_one_core": round(n_tokens / parse_seconds),
        "raw_text_shipped_tokenizer": {
            "token_f": round(raw["token_f"], 4), "tag_acc": round(raw["tag_acc"], 4),
            "uas": round(raw["dep_uas"], 4), "las": round(raw["dep_las"], 4),
        },
    }


# --- tokenizer ----------------------------------------------------------------------------------

# Prefixes whose hyphen CRAFT keeps inside the word (anti-rabbit, non-neuronal, post-mitotic, ...).
_KEEP_HYPHEN_AFTER = ("anti", "Anti", "non", "Non", "post", "Post", "pre", "Pre", "mid", "Mid", "co", "re",
                      "self", "cross", "semi", "multi", "intra", "inter", "trans", "sub")


def craft_tokenizer(nlp):
    """spaCy's English tokenizer with CRAFT's extra splits, serialised with the pipeline (no code needed).

    CRAFT splits DBA/1, Prx1::cre, Cre;Rb, Pygo1-/- (into - / -), SUMO-1, 1-3 and 1x10, BrdU+ and 5'
    (prime), keeps the hyphen of anti-, non-, post-, pre-, mid- ... words and keeps degrees Celsius as
    one token; spaCy's defaults do the opposite in each case.
    """
    from spacy.attrs import ORTH
    from spacy.lang.char_classes import HYPHENS
    from spacy.util import compile_infix_regex, compile_suffix_regex
    keep = "".join(f"(?<!{p})" for p in _KEEP_HYPHEN_AFTER)
    infixes = [keep + rule if HYPHENS in rule and "(?=[" in rule else rule for rule in nlp.Defaults.infixes]
    infixes += [
        r"(?<=[A-Za-z0-9+\-−:])[/:;](?=[A-Za-z0-9+\-−:/])",  # DBA/1, Prx1::cre, Cre;Rb
        r"(?<=[A-Za-z0-9])[\-−+](?=/)",                       # Pygo1-/-
        r"(?<=/)[\-−+]",
        r"(?<=[A-Za-z])[\-−](?=[0-9])",                       # SUMO-1, IL-6
        r"(?<=[0-9])[–×](?=[0-9])",                           # 1–3, 1×10
    ]
    suffixes = [r"(?<=[0-9 ])°[CFK]", r"(?<=[A-Za-z])\+", r"′"] + list(nlp.Defaults.suffixes)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.tokenizer.add_special_case("°C", [{ORTH: "°C"}])
    return nlp


def token_agreement(nlp, split: str = "dev") -> dict:
    """How often the tokenizer reproduces CRAFT's tokens, from each dev sentence's text."""
    import spacy
    out = {}
    for name, tok in (("default", spacy.blank("en").tokenizer), ("shipped", nlp.tokenizer)):
        same = total = 0
        for gold in gold_sentences(nlp.vocab, split):
            gold_spans = {(t.idx, t.idx + len(t)) for t in gold}
            pred_spans = {(t.idx, t.idx + len(t)) for t in tok(gold.text)}
            same += len(gold_spans & pred_spans)
            total += len(gold_spans) + len(pred_spans)
        out[name + "_token_f"] = round(2 * same / total, 4)
    return out


# --- shipping -----------------------------------------------------------------------------------

def tag_map(work: Path) -> dict[str, str]:
    """The majority coarse POS of each fine tag in the training data."""
    import spacy
    from spacy.tokens import DocBin
    nlp = spacy.blank("en")
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for doc in DocBin().from_disk(work / "train.spacy").get_docs(nlp.vocab):
        for t in doc:
            counts[t.tag_][t.pos_] += 1
    return {tag: c.most_common(1)[0][0] for tag, c in sorted(counts.items())}


def ship(work: Path, config: Path, out: Path) -> dict:
    import spacy
    nlp = spacy.load(work / "training" / "model-best")
    craft_tokenizer(nlp)
    ruler = nlp.add_pipe("attribute_ruler", after="tagger")
    ruler.load_from_tag_map({tag: {"POS": pos} for tag, pos in tag_map(work).items()})
    scores = score(nlp)
    timing = json.loads((work / "train_seconds.json").read_text())
    config_hash = hashlib.sha256(config.read_bytes()).hexdigest()
    version = f"craft-{config_hash[:12]}-uas{scores['uas']:.4f}"
    nlp.meta.update({
        "name": "ivdkg_craft_parser", "version": "1.0.0",
        "description": "Tagger and dependency parser trained on the CRAFT treebank for IVD-KG",
        "license": "CC BY 3.0 (model trained on CRAFT; see README.md)",
        "sources": [{"name": "CRAFT v5.0.2 treebank", "url": "https://github.com/UCDenver-ccp/CRAFT",
                     "license": "CC BY 3.0", "author": "Bada et al. 2012; Cohen et al. 2017"}],
        "ivdkg_parser_version": version,
    })
    nlp.meta.pop("performance", None)
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    import spacy as _s
    record = {
        "parser_version": version,
        **scores,
        "training_seconds": timing["wall"], "training_cpu_seconds": timing["cpu"],
        "training_hardware": "one CPU thread (OMP/OPENBLAS/MKL_NUM_THREADS=1) on a 2-core machine shared "
                             "with other jobs, so wall time exceeds CPU time",
        "spacy_version": _s.__version__,
        "config": "scripts/parser_config.cfg", "config_sha256": config_hash, "seed": 0,
        "train_data": json.loads((work / "counts.json").read_text()),
        "checkpoint": "model-best (highest 0.2*tag_acc + 0.5*UAS + 0.3*LAS on the dev articles during training)",
        "tokenizer": "spaCy's default English tokenizer (spacy.blank('en')) with CRAFT's splits added "
                     "(craft_tokenizer in scripts/train_parser.py)",
        "tokenizer_vs_craft_tokens_dev": token_agreement(nlp),
        "credit": CREDIT, "license": "CC BY 3.0",
        "command": COMMAND,
    }
    (out / "SCORES.json").write_text(json.dumps(record, indent=1) + "\n")
    (out / "README.md").write_text(readme(record))
    print(json.dumps(record, indent=1), flush=True)
    return record


def readme(r: dict) -> str:
    raw = r["raw_text_shipped_tokenizer"]
    agree = r["tokenizer_vs_craft_tokens_dev"]
    per_label = ", ".join(f"{k} {v['p']:.2f}/{v['r']:.2f}" for k, v in r["per_label"].items())
    return f"""# craft_parser: a biomedical tagger and dependency parser for IVD-KG

A spaCy {r['spacy_version']} pipeline (`tok2vec` CNN -> `tagger` -> `attribute_ruler` -> `parser`), in
`nlp.to_disk` layout, trained by this project on the CRAFT treebank. It gives Penn Treebank tags
(`token.tag_`), coarse POS (`token.pos_`, the majority POS of the predicted tag in CRAFT) and
ClearNLP-style dependencies (`nsubj`, `nsubjpass`, `dobj`, `agent`, `prep`, `pobj`, ... as in spaCy's
English parsers; the root is `ROOT`). No lemmatizer, no NER, no word vectors. Load it with
`kg.nlp.parser.load_parser()`; `kg.nlp.parser.PARSER_VERSION` (`{r['parser_version']}`) names it.

Tokenizer: spaCy's default English tokenizer (that of `spacy.blank("en")`) plus the splits CRAFT
makes and spaCy does not (`DBA/1`, `Prx1::cre`, `Pygo1-/-` into `- / -`, `SUMO-1`, `BrdU+`, `5′`,
`1–3`), keeping `anti-`, `non-`, `post-`, `pre-`, `mid-` ... words and `°C` whole
(`craft_tokenizer` in `scripts/train_parser.py`; the rules are saved in `tokenizer`, no code is
needed to load them). On the dev sentences' text it reproduces CRAFT's tokens with F
{agree['shipped_token_f']:.4f} (the unmodified default: {agree['default_token_f']:.4f}).

## Scores (CRAFT dev articles, `ids-dev.txt`: {r['sentences']} sentences, {r['tokens']} tokens)

Gold (CRAFT) tokens and gold sentence boundaries; UAS/LAS exclude punctuation (spaCy's convention):

| tag accuracy | UAS | LAS | UAS with punct. | LAS with punct. |
|---|---|---|---|---|
| {r['tag_acc']:.4f} | {r['uas']:.4f} | {r['las']:.4f} | {r['uas_with_punct']:.4f} | {r['las_with_punct']:.4f} |

From each sentence's raw text through the shipped tokenizer (spaCy's aligned scorer): token F
{raw['token_f']:.4f}, tag accuracy {raw['tag_acc']:.4f}, UAS {raw['uas']:.4f}, LAS {raw['las']:.4f}.

Per label (head and label right; precision / recall): {per_label}.
CRAFT labels the by-phrase of a passive verb `agent` when it names the doer and `prep` when it
names a means ("determined by PCR"): 554 and 630 times in the training articles. The model follows
that split, imperfectly: expect some agents labelled `prep` (e.g. "was stimulated by growth
factors"), so a consumer looking for the logical subject of a passive verb should
accept a `prep` "by" whose object is not a method.

The checkpoint kept is the one that scored best on these same dev articles during training, so
the figures are slightly optimistic; CRAFT's 30 evaluation articles were never used.
Training: {r['training_seconds'] / 60:.0f} min wall clock, {r['training_cpu_seconds'] / 60:.0f} min of CPU, one thread; seed
{r['seed']}; config `{r['config']}` (sha256 `{r['config_sha256'][:16]}...`). Every figure is in `SCORES.json`.

## Data and licence

Trained on the treebank of {r['train_data']['train']['articles']} CRAFT v5.0.2 articles
({r['train_data']['train']['sentences']} sentences, {r['train_data']['train']['tokens']} tokens; `ids-train.txt`).
CRAFT is licensed CC BY 3.0, and so is this model, which is derived from it:

{CREDIT}

## Rebuild

From the repository root (needs `../shared/craft/`; writes intermediates under /tmp/ivdkg-parser,
then this folder):

    {r['command']}
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/ivdkg-parser"))
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--steps", default="convert,train,ship")
    args = ap.parse_args(argv)
    steps = set(args.steps.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    if "convert" in steps:
        convert(args.work)
    if "train" in steps:
        train(args.work, args.config)
    if "ship" in steps:
        ship(args.work, args.config, args.out)


if __name__ == "__main__":
    sys.exit(main())
