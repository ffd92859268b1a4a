"""Whole ontologies added at run time (OBO, OWL/RDF-XML, OBO Graph JSON), cached on disk by content.

Each term takes the category of the nearest root of ontologies/ontology_roots.tsv among its is_a
ancestors; terms under no mapped root are left out. The parsed terms are cached as JSON (never
pickle: a cache must not be able to run code), keyed by the content of the file and of the roots.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import asdict
from pathlib import Path

from ..ids import content_hash
from ..model import Term
from ..resources import ontology_file

_OBO_IRI = re.compile(r"^https?://purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_(\w+)$")
CACHE_FORMAT = "terms-v3"
_OBO_SCOPES = ("EXACT", "RELATED", "BROAD", "NARROW", "UNSPECIFIED")
_SYNONYM_SCOPES = {"hasExactSynonym": "EXACT", "hasRelatedSynonym": "RELATED", "hasBroadSynonym": "BROAD",
                   "hasNarrowSynonym": "NARROW"}


class OntologyError(Exception):
    """An ontology file that cannot be read; the message names the file and the problem."""


def curie_of(identifier: str) -> str:
    """CL_0000134, http://purl.obolibrary.org/obo/CL_0000134 and CL:0000134 all become CL:0000134."""
    match = _OBO_IRI.match(identifier)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    return identifier


def read_roots(path: Path | None = None) -> list[tuple[str, str]]:
    with (path or ontology_file("ontology_roots.tsv")).open(encoding="utf-8") as handle:
        return [(r["root"], r["category"]) for r in csv.DictReader((l for l in handle if not l.startswith("#")),
                                                                    delimiter="\t")]


RawTerm = tuple[str, str, list[tuple[str, str]], list[str], str]  # id, label, [(scope, synonym)], parents, definition


def parse_obo(text: str) -> list[RawTerm]:
    terms: list[RawTerm] = []
    current: dict | None = None

    def flush() -> None:
        if current and current.get("id") and not current.get("obsolete"):
            terms.append((current["id"], current.get("label", ""), current["synonyms"], current["parents"],
                          current.get("definition", "")))

    for line in text.splitlines():
        if line.startswith("["):
            flush()
            current = {"synonyms": [], "parents": []} if line.strip() == "[Term]" else None
        elif current is None:
            continue
        elif line.startswith("id: "):
            current["id"] = line[4:].strip()
        elif line.startswith("name: "):
            current["label"] = line[6:].strip()
        elif line.startswith("def: ") and '"' in line:
            current["definition"] = line.split('"')[1]
        elif line.startswith("synonym: ") and line.count('"') >= 2:
            rest = line.rsplit('"', 1)[1].split()
            scope = rest[0] if rest and rest[0] in _OBO_SCOPES else "RELATED"
            if len(rest) > 1 and rest[1].upper() in ("ABBREVIATION", "DUBIOUS", "DEPRECATED"):
                scope = "RELATED"  # an ontology's abbreviations are ambiguous in text; the field's are curated
            current["synonyms"].append((scope, line.split('"')[1]))
        elif line.startswith("property_value: has_relational_adjective") and line.count('"') >= 2:
            current["synonyms"].append(("ADJECTIVE", line.split('"')[1]))
        elif line.startswith("is_a: "):
            current["parents"].append(line[6:].split()[0])
        elif line.startswith("is_obsolete: true"):
            current["obsolete"] = True
    flush()
    return terms


def parse_obograph(text: str) -> list[RawTerm]:
    data = json.loads(text)
    terms: list[RawTerm] = []
    for graph in data.get("graphs", []):
        parents: dict[str, list[str]] = {}
        for edge in graph.get("edges", []):
            if edge.get("pred") in ("is_a", "rdfs:subClassOf", "http://www.w3.org/2000/01/rdf-schema#subClassOf"):
                parents.setdefault(curie_of(edge["sub"]), []).append(curie_of(edge["obj"]))
        for node in graph.get("nodes", []):
            if node.get("type", "CLASS") != "CLASS":
                continue
            meta = node.get("meta") or {}
            if meta.get("deprecated"):
                continue
            curie = curie_of(node["id"])
            synonyms = [(_SYNONYM_SCOPES.get(s.get("pred", ""), "EXACT"), s.get("val", ""))
                        for s in meta.get("synonyms", []) if s.get("val")]
            definition = (meta.get("definition") or {}).get("val", "")
            terms.append((curie, node.get("lbl", ""), synonyms, parents.get(curie, []), definition))
    return terms


def parse_owl(data: bytes) -> list[RawTerm]:
    from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

    oio = Namespace("http://www.geneontology.org/formats/oboInOwl#")
    definition = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
    graph = Graph()
    graph.parse(data=data, format="xml")
    terms: list[RawTerm] = []
    for cls in sorted(set(graph.subjects(RDF.type, OWL.Class))):
        if not isinstance(cls, URIRef) or graph.value(cls, OWL.deprecated) == Literal(True):
            continue
        synonyms = [(scope, str(v)) for name, scope in _SYNONYM_SCOPES.items() for v in graph.objects(cls, oio[name])]
        parents = [curie_of(str(p)) for p in graph.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef)]
        terms.append((curie_of(str(cls)), str(graph.value(cls, RDFS.label) or ""), sorted(synonyms), sorted(parents),
                      str(graph.value(cls, definition) or "")))
    return terms


def categorise(raw: list[RawTerm], roots: list[tuple[str, str]], source: str) -> list[Term]:
    """Terms under a mapped root, with the category of the nearest root."""
    by_id = {t[0]: t for t in raw}
    root_category = dict(roots)
    out = []
    for curie, label, synonyms, parents, definition in raw:
        category, frontier, seen = root_category.get(curie), list(parents), {curie}
        while category is None and frontier:
            next_frontier = []
            for p in frontier:
                if p in seen:
                    continue
                seen.add(p)
                if p in root_category:
                    category = root_category[p]
                    break
                if p in by_id:
                    next_frontier.extend(by_id[p][3])
            frontier = next_frontier
        if category is None or not label:
            continue
        # The roots themselves ("cell", "anatomical entity", "biological_process") name no concept worth a
        # mention: they stay in the hierarchy, unmatched.
        out.append(Term(curie, label, category, tuple(s for _, s in synonyms), tuple(parents), (), (), source,
                        curie not in root_category, definition, tuple(sc for sc, _ in synonyms)))
    return out


def cache_dir() -> Path:
    base = os.environ.get("IVDKG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ivd-kg")
    return Path(base)


def load_ontology(path: Path, roots_path: Path | None = None) -> tuple[list[Term], bool]:
    """Terms of one ontology file, and whether they came from the cache."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OntologyError(f"{path}: {exc.strerror or exc}") from None
    roots = read_roots(roots_path)
    key = content_hash(hashlib.sha256(data).hexdigest(), json.dumps(roots), CACHE_FORMAT, length=32)
    cached = cache_dir() / f"ontology-{key}.json"
    if cached.is_file():
        try:
            return [Term(**{k: tuple(v) if isinstance(v, list) else v for k, v in t.items()})
                    for t in json.loads(cached.read_text(encoding="utf-8"))], True
        except (ValueError, TypeError):
            pass  # a damaged cache is rebuilt
    name = path.name.lower()
    if name.endswith(".gz"):
        data, name = _gunzip(data, path), name[:-3]
    text = data.decode("utf-8", errors="replace")
    try:
        if name.endswith(".obo"):
            raw = parse_obo(text)
        elif name.endswith(".json"):
            raw = parse_obograph(text)
        elif name.endswith((".owl", ".rdf", ".xml")):
            raw = parse_owl(data)
        else:
            raise OntologyError(f"{path}: unknown ontology format (use .obo, .owl/.rdf/.xml or OBO Graph .json, "
                                "each also gzipped)")
    except OntologyError:
        raise
    except Exception as exc:  # parsers raise many types; the user needs the file and the reason
        raise OntologyError(f"{path}: cannot parse ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    terms = categorise(raw, roots, path.name)
    if not terms:
        raise OntologyError(f"{path}: no term lies under a root of ontology_roots.tsv")
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(t) for t in terms], ensure_ascii=False), encoding="utf-8")
    tmp.replace(cached)
    return terms, False


MAX_ONTOLOGY_BYTES = 2 * 1024 ** 3  # a gzipped ontology expands to at most this much


def _gunzip(data: bytes, path: Path) -> bytes:
    """The content of a gzipped ontology, bounded so that a small bomb cannot fill memory."""
    import zlib

    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_ONTOLOGY_BYTES + 1)
    except (zlib.error, EOFError) as exc:
        raise OntologyError(f"{path}: not a valid gzip file ({exc})") from None
    if len(out) > MAX_ONTOLOGY_BYTES or inflater.unconsumed_tail:
        raise OntologyError(f"{path}: expands to more than {MAX_ONTOLOGY_BYTES // 1024 ** 2} MB")
    return out


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
