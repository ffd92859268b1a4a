"""Extractors turn analysed documents into assertions; each registers itself by name."""
from .base import DEFAULT_EXTRACTORS, EXTRACTORS, Extractor, ExtractorError, create, register  # noqa: F401
from . import jsonfile, rules, syntax  # noqa: F401  (registration; syntax imports spaCy only in its factory)
