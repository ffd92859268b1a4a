"""The project's OWL ontology: generated from the schema and lexicon, consistent under HermiT."""
from __future__ import annotations

import shutil

import owlready2 as owl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from kg.resources import ontology_file
from kg.schema import default_schema

JAVA = shutil.which("java")
IVDKG = Namespace("https://w3id.org/ivd-kg/vocab/")
CONCEPT = Namespace("https://w3id.org/ivd-kg/concept/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def ontology():
    return Graph().parse(ontology_file("ivdkg.ttl"), format="turtle")


def test_turtle_and_rdfxml_hold_the_same_graph(ontology):
    from rdflib.compare import isomorphic
    assert isomorphic(ontology, Graph().parse(ontology_file("ivdkg.owl"), format="xml"))


def test_a_class_per_category_and_a_property_per_predicate(ontology):
    schema = default_schema()
    for name, category in schema.categories.items():
        assert (IVDKG[name], RDF.type, OWL.Class) in ontology
        assert (IVDKG[name], SKOS.exactMatch, URIRef(schema.iri(category.biolink))) in ontology
    for name, pred in schema.predicates.items():
        assert (IVDKG[name], RDF.type, OWL.ObjectProperty) in ontology
        if pred.iri.startswith("RO:"):
            assert (IVDKG[name], RDFS.subPropertyOf, URIRef(schema.iri(pred.iri))) in ontology
    assert (IVDKG.hinders, RDFS.subPropertyOf, URIRef("http://purl.obolibrary.org/obo/RO_0002212")) in ontology
    assert (IVDKG.treats, SKOS.exactMatch, URIRef("https://w3id.org/biolink/vocab/treats")) in ontology
    assert (IVDKG.capable_of, RDFS.domain, IVDKG.CellType) in ontology
    assert (IVDKG.capable_of, RDFS.range, IVDKG.Mechanism) in ontology


def test_project_concepts_have_definitions_synonyms_and_matches(ontology):
    definition = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
    concepts = set(ontology.subjects(RDFS.subClassOf, IVDKG.Barrier))
    assert CONCEPT.nutrient_deprivation in concepts and len(concepts) >= 8
    for concept in ontology.subjects(RDF.type, OWL.Class):
        if str(concept).startswith(str(CONCEPT)):
            assert ontology.value(concept, definition), concept
            assert ontology.value(concept, RDFS.label), concept
    assert (CONCEPT.nutrient_deprivation, SKOS.closeMatch, URIRef("http://purl.obolibrary.org/obo/GO_0042594")) in ontology


def _reason(path):
    world = owl.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owl.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


@pytest.mark.skipif(JAVA is None, reason="no Java runtime: HermiT cannot run here (CI installs one)")
def test_hermit_finds_the_ontology_consistent():
    world = _reason(ontology_file("ivdkg.owl"))
    assert list(world.inconsistent_classes()) == []


@pytest.mark.skipif(JAVA is None, reason="no Java runtime: HermiT cannot run here (CI installs one)")
def test_hermit_catches_a_concept_in_two_disjoint_categories(tmp_path):
    broken = Graph().parse(ontology_file("ivdkg.ttl"), format="turtle")
    broken.add((CONCEPT.hypothetical, RDF.type, OWL.Class))
    broken.add((CONCEPT.hypothetical, RDFS.subClassOf, IVDKG.Barrier))
    broken.add((CONCEPT.hypothetical, RDFS.subClassOf, IVDKG.Strategy))
    broken.add((CONCEPT.hypothetical_instance, RDF.type, CONCEPT.hypothetical))
    broken.add((CONCEPT.hypothetical_instance, RDF.type, OWL.NamedIndividual))
    path = tmp_path / "broken.owl"
    path.write_text(broken.serialize(format="xml"))
    with pytest.raises(owl.OwlReadyInconsistentOntologyError):
        _reason(path)
