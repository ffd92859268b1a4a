"""graph.json: the merged graph with all evidence, for `kg stats` and for programs that read JSON."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import networkx as nx

from .base import ExportContext, register, write_atomic


def graph_to_dict(graph: nx.MultiDiGraph) -> dict:
    nodes = [{"id": n, **graph.nodes[n]} for n in sorted(graph.nodes)]
    edges = []
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        edges.append({"subject": s, "object": o, "key": key, **{k: v for k, v in data.items() if k != "evidence"},
                      "evidence": [asdict(e) for e in data["evidence"]]})
    return {"documents": graph.graph.get("documents", {}), "lexicon_version": graph.graph.get("lexicon_version"),
            "nodes": nodes, "edges": edges}


@register("json", "graph.json: nodes, edges and every evidence record")
def write_json(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    payload = graph_to_dict(graph)
    payload["tool_version"] = context.tool_version
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1)
    return [write_atomic(out_dir / "graph.json", text + "\n")]
