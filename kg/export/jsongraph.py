"""graph.json: the merged graph with all evidence, for `kg stats` and for programs that read JSON."""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from .base import ExportContext, register, write_atomic


def _evidence_dict(e) -> dict:
    """dataclasses.asdict, without its deep copies (a hot path for large graphs)."""
    out = dict(e.__dict__)
    out["subject_span"] = dict(e.subject_span.__dict__)
    out["object_span"] = dict(e.object_span.__dict__)
    out["quantities"] = [dict(q.__dict__) for q in e.quantities]
    return out


def graph_to_dict(graph: nx.MultiDiGraph) -> dict:
    nodes = [{"id": n, **graph.nodes[n]} for n in sorted(graph.nodes)]
    edges = []
    for s, o, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        edges.append({"subject": s, "object": o, "key": key, **{k: v for k, v in data.items() if k != "evidence"},
                      "evidence": [_evidence_dict(e) for e in data["evidence"]]})
    return {"documents": graph.graph.get("documents", {}), "lexicon_version": graph.graph.get("lexicon_version"),
            "nodes": nodes, "edges": edges}


def graph_from_dict(data: dict) -> nx.MultiDiGraph:
    """The inverse of graph_to_dict: a built graph.json back into the MultiDiGraph the exporters take."""
    from ..model import Evidence, Quantity, Span

    graph = nx.MultiDiGraph()
    graph.graph["documents"] = data.get("documents", {})
    graph.graph["lexicon_version"] = data.get("lexicon_version")
    for node in data["nodes"]:
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for edge in data["edges"]:
        evidence = []
        for ev in edge["evidence"]:
            ev = dict(ev)
            ev["subject_span"], ev["object_span"] = Span(**ev["subject_span"]), Span(**ev["object_span"])
            ev["quantities"] = tuple(Quantity(**q) for q in ev["quantities"])
            evidence.append(Evidence(**ev))
        attrs = {k: v for k, v in edge.items() if k not in ("subject", "object", "key", "evidence")}
        graph.add_edge(edge["subject"], edge["object"], key=edge["key"], evidence=evidence, **attrs)
    return graph


def load_graph_json(path: Path) -> nx.MultiDiGraph:
    return graph_from_dict(json.loads(path.read_text(encoding="utf-8")))


@register("json", "graph.json: nodes, edges and every evidence record")
def write_json(graph: nx.MultiDiGraph, out_dir: Path, context: ExportContext) -> list[Path]:
    payload = graph_to_dict(graph)
    payload["tool_version"] = context.tool_version
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # the C encoder: no indent
    return [write_atomic(out_dir / "graph.json", text + "\n")]
