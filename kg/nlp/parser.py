"""The project's dependency parser: a spaCy pipeline trained on CRAFT's biomedical treebank.

The model ships inside the package (kg/models/craft_parser/, built by scripts/train_parser.py), so it
loads offline from a checkout and from an installed wheel alike. spaCy is imported only when the
parser is first loaded. The tokenizer is spaCy's default English tokenizer (spacy.blank("en")'s).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "craft_parser"


def _version() -> str:
    try:
        return json.loads((MODEL_DIR / "SCORES.json").read_text(encoding="utf-8"))["parser_version"]
    except (OSError, ValueError, KeyError):
        return "missing"


# Changes whenever the shipped model changes (config hash and dev UAS), so caches can key on it.
PARSER_VERSION: str = _version()


@lru_cache(maxsize=1)
def load_parser():
    """The shipped spaCy pipeline (tok2vec, tagger, attribute_ruler, parser); loaded once."""
    if not (MODEL_DIR / "config.cfg").is_file():
        raise FileNotFoundError(f"the parser model is missing from {MODEL_DIR}; "
                                "rebuild it with scripts/train_parser.py")
    import spacy
    return spacy.load(MODEL_DIR)
