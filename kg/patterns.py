"""The rule vocabulary (ontologies/patterns.toml), loaded once."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from typing import Any

from .resources import ontology_file


@lru_cache(maxsize=1)
def load_patterns() -> dict[str, Any]:
    return tomllib.loads(ontology_file("patterns.toml").read_text(encoding="utf-8"))


def verb_forms(lemma: str) -> list[str]:
    """A lemma and its regular inflections ('reduce' -> reduces, reduced, reducing); the particle is kept."""
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    if head.endswith("e"):
        forms = [head, head + "s", head + "d", head[:-1] + "ing"]
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        forms = [head, head[:-1] + "ies", head[:-1] + "ied", head + "ing"]
    elif head.endswith(("s", "sh", "ch", "x")):
        forms = [head, head + "es", head + "ed", head + "ing"]
    else:
        forms = [head, head + "s", head + "ed", head + "ing"]
    if head in _IRREGULAR:
        forms += _IRREGULAR[head]
    return [f + tail for f in forms]


_IRREGULAR = {"give": ["gave", "given"], "become": ["became"], "lead": ["led"], "find": ["found"],
              "lose": ["lost"], "overcome": ["overcame"], "seed": [], "slow": [], "withstand": ["withstood"],
              "undergo": ["underwent", "undergone"], "drive": ["drove", "driven"], "carry": ["carried"],
              "hold": ["held"]}
