"""SHACL validation of a built graph against ontologies/shapes.ttl (pyshacl)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Namespace
from rdflib.namespace import RDF

from .resources import ontology_file

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str

    def line(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.focus}{where}: {self.message} [{self.shape}]"


def validate_graph(data: Graph, shapes: Path | None = None) -> list[Violation]:
    import pyshacl

    shapes_graph = Graph().parse(shapes or ontology_file("shapes.ttl"), format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", advanced=False,
                                    allow_warnings=False)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        if isinstance(shape, BNode):  # a property shape: name the node shape that holds it
            shape = shapes_graph.value(None, SH.property, shape) or shape
        out.append(Violation(str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath) or ""),
                             str(message) if message else "constraint violated", str(shape).rsplit("/", 1)[-1]))
    return sorted(out, key=lambda v: (v.focus, v.path, v.message))
