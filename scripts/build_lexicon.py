"""Build ontologies/lexicon.tsv from the curated term list and the ontology data in ../shared/ontologies.

Labels, synonyms and is_a parents come from the ontology files (not typed by hand); the curated
list only says which terms belong to the domain, their category and extra synonyms. Every
ancestor of a curated term within its ontology is added as a non-matching entry so that the
graph's Turtle carries the subclass hierarchy (SCHEMA.md question 6).

Usage: python scripts/build_lexicon.py [--shared ../shared/ontologies] [--out ontologies/lexicon.tsv]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "CL": "cl.tsv.gz", "UBERON": "uberon.tsv.gz", "MONDO": "mondo.tsv.gz", "EFO": "efo.tsv.gz",
    "PATO": "pato.tsv.gz", "CHEBI": "chebi.tsv.gz", "NCBITaxon": "ncbitaxon.tsv.gz",
    "GO": "go.tsv.gz", "HP": "hp.obo.gz",
}
MIN_SYNONYM_LENGTH = 3


@dataclass
class SourceTerm:
    id: str
    label: str
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # (scope, text)
    parents: list[str] = field(default_factory=list)
    definition: str = ""


def _split(value: str) -> list[str]:
    return [v for v in (value or "").split("|") if v]


def read_tsv(path: Path) -> dict[str, SourceTerm]:
    terms: dict[str, SourceTerm] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("deprecated") == "true":
                continue
            parents = [p for p in _split(row.get("parents", "")) if ":" in p and not re.match(r"^[a-z_ ]+:", p)]
            synonyms = [("UNSPECIFIED", v) for v in _split(row.get("synonyms", ""))]
            terms[row["id"]] = SourceTerm(row["id"], row["label"], synonyms, parents,
                                          (row.get("definition") or "").strip())
    return terms


def read_obo(path: Path) -> dict[str, SourceTerm]:
    terms: dict[str, SourceTerm] = {}
    current: SourceTerm | None = None
    obsolete = False
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                if current and not obsolete:
                    terms[current.id] = current
                current, obsolete = (SourceTerm("", "") if line == "[Term]" else None), False
            elif current is None:
                continue
            elif line.startswith("id: "):
                current.id = line[4:]
            elif line.startswith("name: "):
                current.label = line[6:]
            elif line.startswith("synonym: "):
                scope = line.rsplit('"', 1)[1].split()[0] if '"' in line else "UNSPECIFIED"
                current.synonyms.append((scope, line.split('"')[1]))
            elif line.startswith("def: "):
                current.definition = line.split('"')[1]
            elif line.startswith("is_a: "):
                current.parents.append(line[6:].split(" ")[0])
            elif line.startswith("is_obsolete: true"):
                obsolete = True
    if current and not obsolete:
        terms[current.id] = current
    return terms


def read_provenance(shared: Path) -> dict[str, tuple[str, str]]:
    """File name -> (version, license) from the PROVENANCE.md table."""
    out: dict[str, tuple[str, str]] = {}
    for line in (shared / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(".gz"):
            out[cells[0]] = (cells[2], cells[4])
    return out


def read_excluded(path: Path) -> set[str]:
    return {l.strip().lower() for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")}


def keep_synonym(text: str, excluded: set[str]) -> bool:
    """Ontology synonyms that are common words, very short, or bare acronyms are not matched."""
    stripped = text.strip()
    if len(stripped) < MIN_SYNONYM_LENGTH or "://" in stripped or stripped.lower() in excluded:
        return False
    if " " not in stripped and len(stripped) <= 5 and any(c.isupper() for c in stripped[1:]):
        return False  # acronyms from ontologies are ambiguous; curated ones are listed in curated_terms.tsv
    return True


def merge_synonyms(label: str, source: list[tuple[str, str]], curated: list[str], exclude: set[str],
                   excluded_words: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen = {label.lower()}
    for scope, text in source:
        if text.lower() not in seen and text not in exclude and keep_synonym(text, excluded_words):
            out.append((scope, text))
            seen.add(text.lower())
    for text in curated:
        if text in exclude:
            continue
        if text.lower() in seen:  # curation vouches for a synonym the ontology scoped as BROAD or RELATED
            out = [("CURATED", t) if t.lower() == text.lower() else (sc, t) for sc, t in out]
            continue
        out.append(("CURATED", text))
        seen.add(text.lower())
    return out


def descendants(sources: dict[str, dict[str, SourceTerm]], root: str) -> dict[str, int]:
    """Every is_a descendant of root within its ontology, with its distance from root."""
    prefix = root.split(":")[0]
    children: dict[str, list[str]] = {}
    for term in sources[prefix].values():
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    depth = {root: 0}
    queue = [root]
    while queue:
        node = queue.pop(0)
        for child in sorted(children.get(node, [])):
            if child not in depth:
                depth[child] = depth[node] + 1
                queue.append(child)
    return depth


def build(shared: Path, curated_path: Path, scope_path: Path, excluded_path: Path, abbreviations_path: Path) -> tuple[list[dict[str, str]], list[str]]:
    def table(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8") as handle:
            return list(csv.DictReader((l for l in handle if not l.startswith("#")), delimiter="\t"))

    curated = {row["id"]: row for row in table(curated_path)}
    abbreviations: dict[str, list[str]] = {}
    for row in table(abbreviations_path):
        abbreviations.setdefault(row["id"], []).append(row["short_form"])
    missing = sorted(set(abbreviations) - set(curated))
    if missing:
        raise SystemExit(f"{abbreviations_path}: ids not in {curated_path.name}: {', '.join(missing)}")
    scope = table(scope_path)
    excluded_words = read_excluded(excluded_path)
    prefixes = sorted(({c.split(":")[0] for c in curated} | {r["root"].split(":")[0] for r in scope}) & set(FILES))
    sources: dict[str, dict[str, SourceTerm]] = {}
    for prefix in prefixes:
        path = shared / FILES[prefix]
        sources[prefix] = read_obo(path) if path.name.endswith(".obo.gz") else read_tsv(path)
    provenance = read_provenance(shared)

    # Category of each in-scope term: the nearest root wins; ties go to the root listed first.
    category: dict[str, tuple[int, int, str]] = {}
    for order, row in enumerate(scope):
        root = row["root"]
        if root.split(":")[0] not in sources or root not in sources[root.split(":")[0]]:
            raise SystemExit(f"{scope_path}: root {root} is not in the ontology data")
        members = descendants(sources, root) if row["descendants"] == "yes" else {root: 0}
        for curie, distance in members.items():
            if curie not in category or (distance, order) < category[curie][:2]:
                category[curie] = (distance, order, row["category"])

    rows: dict[str, dict[str, str]] = {}
    for curie in sorted(set(category) | set(curated)):
        entry = curated.get(curie, {})
        prefix = curie.split(":")[0]
        exclude = set(_split(entry.get("exclude_synonyms", "")))
        if prefix in sources:
            term = sources[prefix].get(curie)
            if term is None:
                raise SystemExit(f"{curated_path}: {curie} is not in {FILES[prefix]}")
            version, licence = provenance.get(FILES[prefix], ("unknown", "unknown"))
            label = entry.get("label") or term.label
            synonyms = merge_synonyms(label, term.synonyms, _split(entry.get("synonyms", "")), exclude, excluded_words)
            parents = term.parents + [p for p in _split(entry.get("parents", "")) if p not in term.parents]
            definition = term.definition
            source = f"{FILES[prefix]} {version} ({licence})"
        else:
            label = entry["label"]
            synonyms = merge_synonyms(label, [], _split(entry["synonyms"]), exclude, excluded_words)
            parents = _split(entry["parents"])
            definition = entry.get("definition") or ""
            source = entry["source"]
        synonyms += [("ABBREVIATION", sf) for sf in abbreviations.get(curie, [])]
        rows[curie] = {
            "id": curie, "label": label, "category": entry.get("category") or category[curie][2],
            "synonyms": "|".join(f"{scope_}:{text}" for scope_, text in synonyms), "parents": "|".join(parents),
            "close_match": entry.get("close_match", ""), "broad_match": entry.get("broad_match", ""),
            "source": source, "match": "yes", "definition": " ".join(definition.split()),
        }
    # Ancestors within each ontology, so that subclass queries work over the graph.
    queue = [p for r in rows.values() for p in r["parents"].split("|") if p]
    while queue:
        curie = queue.pop()
        prefix = curie.split(":")[0]
        if curie in rows or prefix not in sources or curie not in sources[prefix]:
            continue
        term = sources[prefix][curie]
        version, licence = provenance.get(FILES[prefix], ("unknown", "unknown"))
        rows[curie] = {
            "id": curie, "label": term.label, "category": "", "synonyms": "",
            "parents": "|".join(term.parents), "close_match": "", "broad_match": "",
            "source": f"{FILES[prefix]} {version} ({licence})", "match": "no", "definition": "",
        }
        queue.extend(term.parents)
    header = [f"# {FILES[p]}: version {provenance.get(FILES[p], ('unknown',''))[0]}, license {provenance.get(FILES[p], ('','unknown'))[1]}" for p in prefixes]
    header.append("# synonyms are SCOPE:text; SCOPE is EXACT/RELATED/BROAD/NARROW (HP), UNSPECIFIED (the other sources carry no scope), CURATED or ABBREVIATION (abbreviations.tsv)")
    return [rows[k] for k in sorted(rows)], header


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "ontologies")
    parser.add_argument("--curated", type=Path, default=ROOT / "ontologies" / "curated_terms.tsv")
    parser.add_argument("--scope", type=Path, default=ROOT / "ontologies" / "lexicon_scope.tsv")
    parser.add_argument("--excluded", type=Path, default=ROOT / "ontologies" / "excluded_synonyms.txt")
    parser.add_argument("--abbreviations", type=Path, default=ROOT / "ontologies" / "abbreviations.tsv")
    parser.add_argument("--out", type=Path, default=ROOT / "ontologies" / "lexicon.tsv")
    args = parser.parse_args(argv)
    rows, header = build(args.shared, args.curated, args.scope, args.excluded, args.abbreviations)
    columns = ["id", "label", "category", "synonyms", "parents", "close_match", "broad_match", "source", "match",
               "definition"]
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Generated by scripts/build_lexicon.py from ontologies/curated_terms.tsv and ../shared/ontologies.\n")
        for line in header:
            handle.write(line + "\n")
        writer = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar=None)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({sum(r['match'] == 'yes' for r in rows)} domain terms, {len(rows)} with ancestors)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
