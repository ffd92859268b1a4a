"""Build the project's OWL ontology (ontologies/ivdkg.owl, RDF/XML, and ontologies/ivdkg.ttl) with owlready2.

It holds a class per category of SCHEMA.md (pairwise disjoint), an object property per predicate
with its domain, range and mapping to the RO or Biolink IRI, and the project concepts (barriers,
strategies, outcomes and others that no ontology has) with labels, definitions, synonyms and
skos:closeMatch / skos:broadMatch links to the nearest ontology terms. Categories, predicates and
concepts are read from ontologies/schema.toml and ontologies/lexicon.tsv.gz, so the ontology and the
extractor never disagree.

Usage: python scripts/build_ontology.py [--out-dir ontologies]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    # rdflib's RDF/XML writer follows set order; a fixed hash seed makes the committed file reproducible.
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})

import owlready2 as owl  # noqa: E402
from rdflib import Graph, Namespace, URIRef  # noqa: E402

from kg.ontology.lexicon import load_lexicon  # noqa: E402
from kg.schema import load_schema  # noqa: E402

SKOS = "http://www.w3.org/2004/02/skos/core#"
OBOINOWL = "http://www.geneontology.org/formats/oboInOwl#"


def build(out_dir: Path) -> tuple[Path, Path]:
    schema = load_schema(ROOT / "ontologies" / "schema.toml")
    lexicon = load_lexicon(ROOT / "ontologies" / "lexicon.tsv.gz", schema)
    world = owl.World()
    vocab = world.get_ontology(schema.base + "vocab/")
    mappings: list[tuple[str, str, str]] = []  # (subject IRI, skos property, object IRI), added with rdflib
    obo = vocab.get_namespace("http://purl.obolibrary.org/obo/")
    with vocab:
        with vocab.get_namespace(OBOINOWL):
            class hasExactSynonym(owl.AnnotationProperty):
                pass
        with obo:
            class IAO_0000115(owl.AnnotationProperty):
                label = ["definition"]
        categories = {}
        for cat in schema.categories.values():
            cls = owl.types.new_class(cat.name, (owl.Thing,))
            cls.label = [owl.locstr(cat.name, lang="en")]
            cls.comment = [owl.locstr(cat.description, lang="en")]
            mappings.append((cls.iri, "exactMatch", schema.iri(cat.biolink)))
            categories[cat.name] = cls
        owl.AllDisjoint(list(categories.values()))
        for pred in schema.predicates.values():
            prop = owl.types.new_class(pred.name, (owl.ObjectProperty,))
            prop.label = [owl.locstr(pred.label, lang="en")]
            if "*" not in pred.subjects:
                prop.domain = [_union([categories[c] for c in pred.subjects])]
            if "*" not in pred.objects:
                prop.range = [_union([categories[c] for c in pred.objects])]
            if not pred.iri.startswith(schema.project_prefix + ":"):
                mappings.append((prop.iri, "exactMatch", schema.iri(pred.iri)))
            for parent_curie in [pred.iri if pred.iri.startswith("RO:") else None, pred.sub_property_of]:
                if parent_curie:
                    with obo:
                        parent = owl.types.new_class(parent_curie.replace(":", "_"), (owl.ObjectProperty,))
                    prop.is_a.append(parent)
        concepts = vocab.get_namespace(schema.base + "concept/")
        with concepts:
            for term in sorted((t for t in lexicon.terms.values() if t.id.startswith(schema.project_prefix + ":")),
                               key=lambda t: t.id):
                cls = owl.types.new_class(term.id.split(":", 1)[1], (categories[term.category],))
                cls.label = [owl.locstr(term.label, lang="en")]
                if term.definition:
                    cls.IAO_0000115 = [owl.locstr(term.definition, lang="en")]
                cls.hasExactSynonym = [owl.locstr(s, lang="en") for s in term.synonyms]
                mappings += [(cls.iri, "closeMatch", schema.iri(c)) for c in term.close_match]
                mappings += [(cls.iri, "broadMatch", schema.iri(c)) for c in term.broad_match]

    out_dir.mkdir(parents=True, exist_ok=True)
    owl_path, ttl_path = out_dir / "ivdkg.owl", out_dir / "ivdkg.ttl"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "vocab.owl"
        vocab.save(str(raw), format="rdfxml")
        graph = Graph()
        graph.parse(raw, format="xml")
    skos = Namespace(SKOS)
    for subject, prop, obj in mappings:
        graph.add((URIRef(subject), skos[prop], URIRef(obj)))
    for prefix, ns in (("ivdkg", schema.base + "vocab/"), ("concept", schema.base + "concept/"), ("skos", SKOS),
                       ("oboInOwl", OBOINOWL), ("obo", "http://purl.obolibrary.org/obo/"),
                       ("biolink", "https://w3id.org/biolink/vocab/")):
        graph.bind(prefix, ns)
    graph = _canonical(graph)
    owl_path.write_text(graph.serialize(format="xml"), encoding="utf-8")
    ttl_path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    return owl_path, ttl_path


def _canonical(graph: Graph) -> Graph:
    """Blank nodes renamed by content, so that a rebuild writes the same bytes."""
    from rdflib.compare import to_canonical_graph
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for triple in sorted(to_canonical_graph(graph)):
        out.add(triple)
    return out


def _union(classes):
    return classes[0] if len(classes) == 1 else owl.Or(classes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "ontologies")
    args = parser.parse_args(argv)
    for path in build(args.out_dir):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
