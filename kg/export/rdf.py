"""RDF outputs: Turtle (graph.ttl), N-Triples, JSON-LD with a context file, TriG and N-Quads.

One function makes the quads; each format is a small writer over them. Concepts keep their standard
IRIs with label, synonyms, project class and Biolink category; affirmed assertions give direct
triples with SCHEMA.md's predicate IRIs; every assertion is reified with its evidence records
(PROV-O). In TriG and N-Quads each document's evidence lives in a named graph, the document's IRI.
Quads are sorted and written by pyoxigraph, so the same graph always gives the same bytes.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, NamedTuple

import networkx as nx
import pyoxigraph as ox

from ..ids import content_hash, document_iri
from .base import ExportContext, register, write_atomic

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
BIOLINK = "https://w3id.org/biolink/vocab/"
OBO = "http://purl.obolibrary.org/obo/"


class Lit(NamedTuple):
    value: str
    datatype: str | None = None  # an IRI; None for a plain string


class Quad(NamedTuple):
    s: str
    p: str
    o: str | Lit
    g: str | None = None  # None: the default graph


def prefixes(context: ExportContext) -> dict[str, str]:
    base = context.schema.base
    out = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "prov": PROV, "dcterms": DCTERMS,
           "void": VOID, "dcat": DCAT, "biolink": BIOLINK, "obo": OBO, "ivdkg": base + "vocab/",
           "concept": base + "concept/", "assertion": base + "assertion/", "evidence": base + "evidence/",
           "mesh": context.schema.prefixes["MESH"], "efo": context.schema.prefixes["EFO"],
           "hgnc": context.schema.prefixes["HGNC"]}
    return out


def rdf_quads(graph: nx.MultiDiGraph, context: ExportContext, named_graphs: bool = False,
              created: str | None = None) -> list[Quad]:
    """Every quad of the export without repeats, in the order they are made (sorted nodes and edges,
    so the same graph always gives the same order)."""
    return list(dict.fromkeys(_quads(graph, context, named_graphs, created)))


def _quads(graph: nx.MultiDiGraph, context: ExportContext, named: bool, created: str | None) -> Iterator[Quad]:
    schema, lexicon = context.schema, context.lexicon
    V = schema.base + "vocab/"
    iri = schema.iri
    for cat in schema.categories.values():
        yield Quad(V + cat.name, RDF + "type", OWL + "Class")
        yield Quad(V + cat.name, RDFS + "label", Lit(cat.name))
        yield Quad(V + cat.name, RDFS + "comment", Lit(cat.description))
        yield Quad(V + cat.name, SKOS + "exactMatch", iri(cat.biolink))
    for pred in schema.predicates.values():
        yield Quad(iri(pred.iri), RDF + "type", OWL + "ObjectProperty")
        yield Quad(iri(pred.iri), RDFS + "label", Lit(pred.label))
        if pred.sub_property_of:
            yield Quad(iri(pred.iri), RDFS + "subPropertyOf", iri(pred.sub_property_of))

    concepts = sorted(graph.nodes)
    for curie in sorted(set(concepts) | {a for c in concepts for a in lexicon.ancestors(c)}):
        node = iri(curie)
        term = lexicon.get(curie)
        data = graph.nodes[curie] if curie in graph else {}
        yield Quad(node, RDFS + "label", Lit(data.get("label") or (term.label if term else curie)))
        yield Quad(node, DCTERMS + "identifier", Lit(curie))
        if data.get("category"):
            category = schema.categories[data["category"]]
            yield Quad(node, RDF + "type", V + category.name)
            yield Quad(node, BIOLINK + "category", iri(category.biolink))
            yield Quad(node, V + "documentCount", Lit(str(int(data.get("documents", 0))), XSD + "integer"))
            for syn in data.get("synonyms", []):
                yield Quad(node, SKOS + "altLabel", Lit(syn))
        if term:
            for parent in term.parents:
                if lexicon.get(parent):
                    yield Quad(node, RDFS + "subClassOf", iri(parent))
            for match in term.close_match:
                yield Quad(node, SKOS + "closeMatch", iri(match))
            for match in term.broad_match:
                yield Quad(node, SKOS + "broadMatch", iri(match))

    docs = graph.graph.get("documents", {})
    for doc_id, meta in docs.items():
        d = document_iri(doc_id, schema.base)
        yield Quad(d, RDF + "type", V + "Document")
        yield Quad(d, DCTERMS + "identifier", Lit(doc_id))
        if meta.get("title"):
            yield Quad(d, DCTERMS + "title", Lit(meta["title"]))
        if meta.get("year"):
            yield Quad(d, DCTERMS + "date", Lit(str(meta["year"]), XSD + "gYear"))
        for key in ("doi", "pmid", "pmcid"):
            if meta.get(key):
                yield Quad(d, V + key, Lit(meta[key]))

    extractors: set[str] = set()
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        pred = schema.predicates[data["predicate"]]
        si, oi, pi = iri(s), iri(o), iri(pred.iri)
        if data["polarity"] == "affirmed":
            yield Quad(si, pi, oi)
        a = f"{schema.base}assertion/{data['assertion_id']}"
        yield Quad(a, RDF + "type", RDF + "Statement")
        yield Quad(a, RDF + "type", V + "Assertion")
        yield Quad(a, RDF + "subject", si)
        yield Quad(a, RDF + "predicate", pi)
        yield Quad(a, RDF + "object", oi)
        yield Quad(a, V + "polarity", Lit(data["polarity"]))
        yield Quad(a, V + "hedged", Lit(str(bool(data["hedged"])).lower(), XSD + "boolean"))
        yield Quad(a, V + "confidence", Lit(f"{data['confidence']:.4f}", XSD + "decimal"))
        yield Quad(a, V + "evidenceCount", Lit(str(int(data["evidence_count"])), XSD + "integer"))
        yield Quad(a, V + "documentCount", Lit(str(int(data["document_count"])), XSD + "integer"))
        for ev in data["evidence"]:
            e = f"{schema.base}evidence/" + content_hash(data["assertion_id"], ev.document, ev.sentence_start,
                                                         ev.subject_span.start, ev.object_span.start, ev.extractor)
            doc = document_iri(ev.document, schema.base)
            g = doc if named else None
            yield Quad(a, PROV + "wasDerivedFrom", e, g)
            yield Quad(e, RDF + "type", V + "Evidence", g)
            yield Quad(e, RDF + "type", PROV + "Entity", g)
            yield Quad(e, DCTERMS + "source", doc, g)
            yield Quad(e, V + "sentence", Lit(ev.sentence), g)
            yield Quad(e, V + "sentenceStart", Lit(str(ev.sentence_start), XSD + "integer"), g)
            yield Quad(e, V + "sentenceEnd", Lit(str(ev.sentence_end), XSD + "integer"), g)
            yield Quad(e, V + "section", Lit(ev.section), g)
            yield Quad(e, V + "subjectText", Lit(ev.subject_span.text), g)
            yield Quad(e, V + "subjectStart", Lit(str(ev.subject_span.start), XSD + "integer"), g)
            yield Quad(e, V + "subjectEnd", Lit(str(ev.subject_span.end), XSD + "integer"), g)
            yield Quad(e, V + "objectText", Lit(ev.object_span.text), g)
            yield Quad(e, V + "objectStart", Lit(str(ev.object_span.start), XSD + "integer"), g)
            yield Quad(e, V + "objectEnd", Lit(str(ev.object_span.end), XSD + "integer"), g)
            yield Quad(e, V + "trigger", Lit(ev.trigger), g)
            yield Quad(e, V + "polarity", Lit(ev.polarity), g)
            yield Quad(e, V + "certainty", Lit(ev.certainty), g)
            yield Quad(e, V + "studyType", Lit(ev.study_type), g)
            yield Quad(e, V + "confidence", Lit(f"{ev.confidence:.3f}", XSD + "decimal"), g)
            if ev.organism:
                yield Quad(e, V + "organism", iri(ev.organism), g)
            for n, q in enumerate(ev.quantities):
                qn = f"{e}/quantity/{n}"
                yield Quad(e, V + "quantity", qn, g)
                yield Quad(qn, RDF + "value", Lit(f"{q.value:g}", XSD + "decimal"), g)
                yield Quad(qn, V + "unit", Lit(q.unit), g)
                yield Quad(qn, V + "direction", Lit(q.direction), g)
                yield Quad(qn, RDFS + "label", Lit(q.text), g)
            ext = f"{schema.base}extractor/{ev.extractor.split(':')[0].replace('/', '-')}"
            yield Quad(e, PROV + "wasGeneratedBy", ext, g)
            extractors.add(ext)
    for ext in sorted(extractors):
        yield Quad(ext, RDF + "type", PROV + "Activity")

    # Dataset metadata: a creation time only when asked for, so that builds stay byte-identical.
    ds = schema.base + "dataset"
    yield Quad(ds, RDF + "type", VOID + "Dataset")
    yield Quad(ds, RDF + "type", DCAT + "Dataset")
    yield Quad(ds, DCTERMS + "title", Lit("IVD-KG knowledge graph"))
    yield Quad(ds, V + "toolVersion", Lit(context.tool_version))
    yield Quad(ds, V + "lexiconVersion", Lit(context.lexicon.version))
    for source in context.lexicon.sources:
        yield Quad(ds, V + "ontologySource", Lit(source))
    for doc_id in docs:
        yield Quad(ds, DCTERMS + "source", document_iri(doc_id, schema.base))
    if created:
        yield Quad(ds, DCTERMS + "created", Lit(created, XSD + "dateTime"))


def _term(value: str | Lit):
    if isinstance(value, Lit):
        return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype)) if value.datatype else ox.Literal(value.value)
    return ox.NamedNode(value)


def to_oxigraph(quads: list[Quad], with_graphs: bool):
    if with_graphs:
        return [ox.Quad(ox.NamedNode(q.s), ox.NamedNode(q.p), _term(q.o),
                        ox.NamedNode(q.g) if q.g else ox.DefaultGraph()) for q in quads]
    return [ox.Triple(ox.NamedNode(q.s), ox.NamedNode(q.p), _term(q.o)) for q in quads]


def serialize(quads: list[Quad], fmt: ox.RdfFormat, context: ExportContext) -> bytes:
    with_graphs = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
    pref = prefixes(context) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(to_oxigraph(quads, with_graphs), format=fmt, prefixes=pref)


def jsonld(quads: list[Quad], context: ExportContext) -> tuple[str, str]:
    """(document, context): compact IRIs through a prefix context, one node object per subject."""
    # JSON-LD 1.1 only uses a term as a prefix when its IRI ends in a delimiter such as / or #.
    pref = {k: v for k, v in prefixes(context).items() if v.endswith(("/", "#"))}
    ctx = {"@context": {k: v for k, v in sorted(pref.items())}}

    def compact(value: str) -> str:
        for name, ns in sorted(pref.items(), key=lambda kv: -len(kv[1])):
            if value.startswith(ns) and value[len(ns):] and ":" not in value[len(ns):]:
                return f"{name}:{value[len(ns):]}"
        return value

    nodes: dict[str, dict] = {}
    for q in quads:
        node = nodes.setdefault(q.s, {"@id": compact(q.s)})
        key = "@type" if q.p == RDF + "type" else compact(q.p)
        if key == "@type":
            node.setdefault("@type", []).append(compact(q.o))
            continue
        if isinstance(q.o, Lit):
            value = {"@value": q.o.value, "@type": compact(q.o.datatype)} if q.o.datatype else {"@value": q.o.value}
        else:
            value = {"@id": compact(q.o)}
        node.setdefault(key, []).append(value)
    document = {"@context": ctx["@context"], "@graph": [nodes[k] for k in sorted(nodes)]}
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            json.dumps(ctx, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _write(name: str, fmt: ox.RdfFormat, named: bool = False):
    def writer(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
        quads = rdf_quads(graph, context, named_graphs=named, created=context.created)
        return [write_atomic(out_dir / name, serialize(quads, fmt, context))]
    return writer


register("turtle", "graph.ttl: RDF Turtle with reified assertions and evidence")(_write("graph.ttl", ox.RdfFormat.TURTLE))
register("ntriples", "graph.nt: the same triples as N-Triples")(_write("graph.nt", ox.RdfFormat.N_TRIPLES))
register("trig", "graph.trig: TriG, each document's evidence in a named graph")(_write("graph.trig", ox.RdfFormat.TRIG, True))
register("nquads", "graph.nq: N-Quads, each document's evidence in a named graph")(_write("graph.nq", ox.RdfFormat.N_QUADS, True))


@register("jsonld", "graph.jsonld and context.jsonld: JSON-LD with its context")
def write_jsonld(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    document, ctx = jsonld(rdf_quads(graph, context, created=context.created), context)
    return [write_atomic(out_dir / "graph.jsonld", document), write_atomic(out_dir / "context.jsonld", ctx)]
