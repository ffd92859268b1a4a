"""Extractors turn analysed documents into assertions; each registers itself by name."""
from .base import EXTRACTORS, Extractor, ExtractorError, create, register  # noqa: F401
from . import jsonfile, rules  # noqa: F401  (registration)
