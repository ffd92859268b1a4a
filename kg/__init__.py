"""IVD-KG: a knowledge graph of intervertebral disc repair with stem cells, built from papers."""

__version__ = "0.1.0"
