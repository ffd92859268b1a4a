"""Exporters write one format each into the output folder; each registers itself here."""
from .base import EXPORTERS, ExportContext, register, write_atomic  # noqa: F401
from . import html, jsongraph, neo4j, rdf  # noqa: F401  (registration)
