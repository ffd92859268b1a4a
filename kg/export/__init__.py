"""Exporters write one format each into the output folder; each registers itself here."""
from .base import EXPORTERS, ExportContext, format_names, register, write_atomic  # noqa: F401
from . import rdf, html, neo4j, jsongraph, mentions  # noqa: F401  (registration, in the order the CLI lists them)
