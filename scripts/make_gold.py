"""Turn compact gold annotations (tests/gold/annotations/*.toml) into gold JSON with character offsets.

An annotation names its document (`source`, relative to the annotation file), and per sentence an
`anchor` (a few words that occur in that sentence only), the mentions in order as [surface text, id]
(or [surface text, id, category] for concepts the lexicon lacks) and the assertions as [subject,
predicate, object] (or with "negated" as a fourth element). Offsets are computed from the text the
readers make of the document, so the gold never needs to copy a sentence. With `copy_text = false`
(the seed review, whose sentences must not be copied) the gold holds offsets only.

Usage: python scripts/make_gold.py [ANNOTATION.toml ...] [--out-dir tests/gold]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.nlp.sentences import split_document  # noqa: E402
from kg.ontology.lexicon import default_lexicon  # noqa: E402
from kg.patterns import load_patterns  # noqa: E402
from kg.readers import read_bytes  # noqa: E402


def convert(annotation_path: Path, out_dir: Path) -> Path:
    spec = tomllib.loads(annotation_path.read_text(encoding="utf-8"))
    source = (annotation_path.parent / spec["source"]).resolve()
    documents = read_bytes(source.read_bytes(), str(source))
    if "id" not in spec and len(documents) == 1:
        spec["id"] = documents[0].id  # a local file: its id is its content hash
    doc = next((d for d in documents if d.id == spec["id"]), None)
    if doc is None:
        raise SystemExit(f"{annotation_path}: {spec['id']} not in {source} ({[d.id for d in documents]})")
    skip = frozenset(h.lower() for h in load_patterns()["sections"]["skip"])
    sentences = split_document(doc, skip)
    lexicon = default_lexicon()
    copy_text = spec.get("copy_text", True)
    mentions, assertions = [], []
    for entry in spec.get("sentence", []):
        hits = [s for s in sentences if entry["anchor"] in s.text]
        if len(hits) != 1:
            raise SystemExit(f"{annotation_path}: anchor {entry['anchor']!r} is in {len(hits)} sentences")
        sentence = hits[0]
        at = 0
        for item in entry.get("mentions", []):
            text, curie = item[0], item[1]
            found = sentence.text.find(text, at)
            if found < 0:
                raise SystemExit(f"{annotation_path}: {text!r} not found after offset {at} in the sentence of {entry['anchor']!r}")
            at = found + len(text)
            term = lexicon.get(curie)
            category = item[2] if len(item) > 2 else (term.category if term else None)
            if not category:
                raise SystemExit(f"{annotation_path}: {curie} is not in the lexicon; give its category")
            mention = {"start": sentence.start + found, "end": sentence.start + at, "id": curie, "category": category}
            mention["text"] = text  # a term, not a sentence
            mentions.append(mention)
        for item in entry.get("assertions", []):
            record = {"subject": item[0], "predicate": item[1], "object": item[2],
                      "polarity": item[3] if len(item) > 3 else "affirmed",
                      "sentence": {"start": sentence.start, "end": sentence.end}}
            if copy_text:
                record["sentence"]["text"] = sentence.text
            assertions.append(record)
    out = out_dir / f"{annotation_path.stem}.json"
    relative = Path(os.path.relpath(source, out_dir.resolve()))  # relative to the gold file, whatever the checkout's name
    payload = {"documents": [{"id": doc.id, "source": str(relative), "mentions": mentions, "assertions": assertions}]}
    out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("annotations", nargs="*", type=Path)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "tests" / "gold")
    args = parser.parse_args(argv)
    paths = args.annotations or sorted((ROOT / "tests" / "gold" / "annotations").glob("*.toml"))
    for path in paths:
        print(f"wrote {convert(path, args.out_dir)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
