"""Extractors turn analysed documents into assertions; each registers itself by name."""
from .base import EXTRACTORS, Extractor, register  # noqa: F401
from . import rules  # noqa: F401  (registration)
