"""graph.ttl: ontology terms with their standard IRIs, direct triples, and every assertion reified with its evidence."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..ids import content_hash, document_iri
from .base import ExportContext, register, write_atomic

BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
OBO = Namespace("http://purl.obolibrary.org/obo/")


def vocab(context: ExportContext) -> Namespace:
    return Namespace(context.schema.base + "vocab/")


def _curie_iri(context: ExportContext, curie: str) -> URIRef:
    return URIRef(context.schema.iri(curie))


def build_rdf(graph: nx.MultiDiGraph, context: ExportContext) -> Graph:
    schema, lexicon = context.schema, context.lexicon
    V = vocab(context)
    base = schema.base
    g = Graph()
    for prefix, ns in (("obo", OBO), ("biolink", BIOLINK), ("ivdkg", V), ("concept", Namespace(base + "concept/")),
                       ("assertion", Namespace(base + "assertion/")), ("evidence", Namespace(base + "evidence/")),
                       ("mesh", Namespace(schema.prefixes["MESH"])), ("efo", Namespace(schema.prefixes["EFO"])),
                       ("hgnc", Namespace(schema.prefixes["HGNC"])), ("skos", SKOS), ("prov", PROV),
                       ("dcterms", DCTERMS), ("void", VOID), ("owl", OWL)):
        g.bind(prefix, ns)

    # The project vocabulary: a class per category, a property per predicate.
    for cat in schema.categories.values():
        g.add((V[cat.name], RDF.type, OWL.Class))
        g.add((V[cat.name], RDFS.label, Literal(cat.name)))
        g.add((V[cat.name], RDFS.comment, Literal(cat.description)))
    for pred in schema.predicates.values():
        piri = _curie_iri(context, pred.iri)
        g.add((piri, RDF.type, OWL.ObjectProperty))
        g.add((piri, RDFS.label, Literal(pred.label)))
        if pred.sub_property_of:
            g.add((piri, RDFS.subPropertyOf, _curie_iri(context, pred.sub_property_of)))

    # Concepts, their ancestors in the lexicon, and the is_a links among them.
    concepts = sorted(graph.nodes)
    with_ancestors = sorted(set(concepts) | {a for c in concepts for a in lexicon.ancestors(c)})
    for curie in with_ancestors:
        node = _curie_iri(context, curie)
        term = lexicon.get(curie)
        data = graph.nodes[curie] if curie in graph else {}
        label = data.get("label") or (term.label if term else curie)
        g.add((node, RDFS.label, Literal(label)))
        g.add((node, DCTERMS.identifier, Literal(curie)))
        if curie in graph and data.get("category"):
            category = schema.categories[data["category"]]
            g.add((node, RDF.type, V[category.name]))
            g.add((node, BIOLINK.category, BIOLINK[category.biolink.split(":", 1)[1]]))
            g.add((node, V.documentCount, Literal(int(data.get("documents", 0)))))
            for syn in data.get("synonyms", []):
                g.add((node, SKOS.altLabel, Literal(syn)))
        if term:
            for parent in term.parents:
                if lexicon.get(parent):
                    g.add((node, RDFS.subClassOf, _curie_iri(context, parent)))
            for match in term.close_match:
                g.add((node, SKOS.closeMatch, _curie_iri(context, match)))
            for match in term.broad_match:
                g.add((node, SKOS.broadMatch, _curie_iri(context, match)))

    # Documents.
    docs = graph.graph.get("documents", {})
    for doc_id, meta in docs.items():
        diri = URIRef(document_iri(doc_id, base))
        g.add((diri, RDF.type, V.Document))
        g.add((diri, DCTERMS.identifier, Literal(doc_id)))
        if meta.get("title"):
            g.add((diri, DCTERMS.title, Literal(meta["title"])))
        if meta.get("year"):
            g.add((diri, DCTERMS.date, Literal(str(meta["year"]), datatype=XSD.gYear)))
        for key, prop in (("doi", V.doi), ("pmid", V.pmid), ("pmcid", V.pmcid)):
            if meta.get(key):
                g.add((diri, prop, Literal(meta[key])))

    # Direct triples and reified assertions with their evidence.
    extractors: set[str] = set()
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        pred = schema.predicates[data["predicate"]]
        siri, oiri, piri = _curie_iri(context, s), _curie_iri(context, o), _curie_iri(context, pred.iri)
        if data["polarity"] == "affirmed":
            g.add((siri, piri, oiri))
        a = URIRef(f"{base}assertion/{data['assertion_id']}")
        g.add((a, RDF.type, RDF.Statement))
        g.add((a, RDF.type, V.Assertion))
        g.add((a, RDF.subject, siri))
        g.add((a, RDF.predicate, piri))
        g.add((a, RDF.object, oiri))
        g.add((a, V.polarity, Literal(data["polarity"])))
        g.add((a, V.hedged, Literal(bool(data["hedged"]))))
        g.add((a, V.confidence, Literal(f"{data['confidence']:.4f}", datatype=XSD.decimal)))
        g.add((a, V.evidenceCount, Literal(int(data["evidence_count"]))))
        g.add((a, V.documentCount, Literal(int(data["document_count"]))))
        for n, ev in enumerate(data["evidence"]):
            e = URIRef(f"{base}evidence/{content_hash(data['assertion_id'], ev.document, ev.sentence_start, ev.subject_span.start, ev.object_span.start, ev.extractor)}")
            g.add((a, PROV.wasDerivedFrom, e))
            g.add((e, RDF.type, V.Evidence))
            g.add((e, RDF.type, PROV.Entity))
            g.add((e, DCTERMS.source, URIRef(document_iri(ev.document, base))))
            g.add((e, V.sentence, Literal(ev.sentence)))
            g.add((e, V.sentenceStart, Literal(ev.sentence_start)))
            g.add((e, V.sentenceEnd, Literal(ev.sentence_end)))
            g.add((e, V.section, Literal(ev.section)))
            g.add((e, V.subjectText, Literal(ev.subject_span.text)))
            g.add((e, V.subjectStart, Literal(ev.subject_span.start)))
            g.add((e, V.subjectEnd, Literal(ev.subject_span.end)))
            g.add((e, V.objectText, Literal(ev.object_span.text)))
            g.add((e, V.objectStart, Literal(ev.object_span.start)))
            g.add((e, V.objectEnd, Literal(ev.object_span.end)))
            g.add((e, V.trigger, Literal(ev.trigger)))
            g.add((e, V.polarity, Literal(ev.polarity)))
            g.add((e, V.certainty, Literal(ev.certainty)))
            g.add((e, V.studyType, Literal(ev.study_type)))
            g.add((e, V.confidence, Literal(f"{ev.confidence:.3f}", datatype=XSD.decimal)))
            if ev.organism:
                g.add((e, V.organism, _curie_iri(context, ev.organism)))
            for q_index, q in enumerate(ev.quantities):
                q_node = URIRef(f"{e}/quantity/{q_index}")
                g.add((e, V.quantity, q_node))
                g.add((q_node, RDF.value, Literal(f"{q.value:g}", datatype=XSD.decimal)))
                g.add((q_node, V.unit, Literal(q.unit)))
                g.add((q_node, V.direction, Literal(q.direction)))
                g.add((q_node, RDFS.label, Literal(q.text)))
            ext = URIRef(f"{base}extractor/{ev.extractor.split(':')[0].replace('/', '-')}")
            g.add((e, PROV.wasGeneratedBy, ext))
            extractors.add(str(ext))
    for ext in sorted(extractors):
        g.add((URIRef(ext), RDF.type, PROV.Activity))

    # Dataset metadata: no creation time, so the same input gives the same bytes.
    ds = URIRef(base + "dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("IVD-KG knowledge graph")))
    g.add((ds, V.toolVersion, Literal(context.tool_version)))
    g.add((ds, V.lexiconVersion, Literal(context.lexicon.version)))
    for doc_id in docs:
        g.add((ds, DCTERMS.source, URIRef(document_iri(doc_id, base))))
    return g


@register("turtle", "graph.ttl: RDF (Turtle) with reified assertions and evidence")
def write_turtle(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    rdf = build_rdf(graph, context)
    return [write_atomic(out_dir / "graph.ttl", rdf.serialize(format="turtle"))]
