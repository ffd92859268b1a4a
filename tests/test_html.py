"""The graph page: find, filter, neighbourhood, large graphs, and a real browser drawing it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import main
from kg.export import EXPORTERS, ExportContext
from kg.export.html import LAYOUT_LIMIT, initial_nodes, page_data
from kg.graph import build_graph
from kg.model import Assertion, Evidence, Span
from kg.schema import default_schema

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def data_of(page: str) -> dict:
    return json.loads(re.search(r"const DATA = (\{.*?\});\n", page).group(1))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    assert CliRunner().invoke(main, ["build", "-o", str(out), "--quiet", "-f", "html", "-f", "json"]).exit_code == 0
    return out / "graph.html", json.loads((out / "graph.json").read_text())


def test_page_has_search_filters_and_neighbourhood_controls(page):
    html = page[0].read_text()
    for needed in ('id="q"', 'id="find"', 'id="fcat"', 'id="fpred"', 'id="fstudy"', 'id="minev"', 'id="n1"', 'id="n2"',
                   'id="all"', 'id="expand"', 'id="status"', "<datalist"):
        assert needed in html, needed
    assert "innerHTML" not in html.split("const DATA")[1] and not re.search(r"""(src|href)=["']https?://""", html)


def test_page_data_carries_what_the_filters_need(page):
    data, graph = data_of(page[0].read_text()), page[1]
    assert {e["predicate"] for e in data["edges"]} <= set(data["predicates"])
    assert all(e["studyTypes"] and e["evidenceCount"] >= 1 for e in data["edges"])
    affirmed = [e for e in graph["edges"] if e["polarity"] == "affirmed"]
    assert len(data["edges"]) == len(affirmed)
    assert {n["id"]: n["category"] for n in data["nodes"]} == {n["id"]: n["category"] for n in graph["nodes"]}
    names = set(data["nodeDetail"]["CL:0000134"]["synonyms"])
    assert "mesenchymal stromal cell" in names  # the search box finds concepts by synonym


def test_large_graphs_start_with_the_best_supported_nodes(lexicon):
    ids = sorted(t.id for t in lexicon.terms.values() if t.matchable)[: LAYOUT_LIMIT + 300]
    assertions = []
    for i, (s, o) in enumerate(zip(ids, ids[1:])):
        ev = Evidence(f"PMID:{i % 7 if i < 200 else 1}", "t", 2020, "abstract", "x", 0, 1, Span(0, 1, "a"), Span(0, 1, "b"),
                      "t", "affirmed", "stated", "unknown", None, (), "r", 0.5)
        assertions.append(Assertion(s, "positively_regulates", o, ev))
    graph = build_graph(assertions, lexicon)
    shown = initial_nodes(graph)
    assert len(shown) == LAYOUT_LIMIT
    top = max(graph.nodes, key=lambda n: (graph.nodes[n]["documents"], graph.degree(n)))
    assert top in shown
    data = page_data(graph, ExportContext(default_schema(), lexicon, __version__))
    placed = {n["id"] for n in data["nodes"] if "x" in n}
    assert placed == set(shown) and len(data["nodes"]) == graph.number_of_nodes()


def test_hostile_text_is_data_never_markup(lexicon, tmp_path):
    evil = '</script><img src=x onerror=alert(1)> & "quotes"'
    ev = Evidence("DOI:10.1/x", evil, 2020, "abstract", evil, 0, len(evil), Span(0, 2, "</"), Span(2, 5, "scr"),
                  "t", "affirmed", "stated", "unknown", None, (), "r", 0.5)
    graph = build_graph([Assertion("MESH:D000860", "hinders", "IVDKG:cell_homing", ev)], lexicon)
    EXPORTERS["html"].write(graph, tmp_path, ExportContext(default_schema(), lexicon, __version__))
    html = (tmp_path / "graph.html").read_text()
    assert "<img src=x" not in html and html.count("</script>") == 2
    assert data_of(html)["edgeDetail"][next(iter(data_of(html)["edgeDetail"]))]["evidence"][0]["sentence"] == evil


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed here; CI installs it")
def test_a_real_browser_draws_the_page_offline(page):
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={page[0].parent / 'profile'}", "--virtual-time-budget=5000", "--dump-dom",
                          page[0].as_uri()], capture_output=True, text=True, timeout=120).stdout
    status = re.search(r'<p id="status"[^>]*>([^<]*)<', dom)
    nodes = len(page[1]["nodes"])
    affirmed = sum(e["polarity"] == "affirmed" for e in page[1]["edges"])
    assert status and status.group(1) == f"showing {nodes} of {nodes} nodes, {affirmed} of {affirmed} edges"
    assert re.search(r'<p id="status"[^>]*data-drawn="\d+"', dom)  # the network drew a frame with nodes


def test_page_inlines_at_most_k_evidence_sentences_per_edge_best_first(tmp_path):
    # one edge said by many sentences: the page keeps the K most confident and says how many more there are
    import json as _json
    import re as _re

    from click.testing import CliRunner

    from kg.cli import main
    sentences = [f"In cohort {n}, disc degeneration caused low back pain." for n in range(12)]
    sentences.append("Disc degeneration may contribute to low back pain.")  # hedged: lower confidence
    paper = tmp_path / "many.txt"
    paper.write_text("Many cohorts\n\n" + " ".join(sentences))
    for k, expect in ((3, 3), (0, 0)):
        out = tmp_path / f"out{k}"
        result = CliRunner().invoke(main, ["build", str(paper), "-o", str(out), "--quiet", "-f", "html", "-f", "json",
                                           "--html-evidence", str(k)])
        assert result.exit_code == 0, result.output
        page = (out / "graph.html").read_text()
        data = _json.loads(_re.search(r"const DATA = (\{.*?\});\n", page, _re.S).group(1))
        [eid] = [e["id"] for e in data["edges"] if e["predicate"] == "contributes_to"]
        edge = data["edgeDetail"][eid]
        assert len(edge["evidence"]) == expect and edge["more"] == 13 - expect
        assert all("may" not in e["sentence"] for e in edge["evidence"])  # the hedged one is never among the best
        full = _json.loads((out / "graph.json").read_text())
        assert sum(len(e["evidence"]) for e in full["edges"] if e["predicate"] == "contributes_to") == 13


def test_a_large_graph_inlines_fewer_sentences_per_edge_within_the_page_budget(lexicon, monkeypatch):
    from kg import __version__
    from kg.export import ExportContext
    from kg.export import html as html_export
    from kg.graph import build_graph
    from kg.model import Assertion, Evidence, Span
    from kg.schema import default_schema

    ids = ["CL:0000134", "GO:0006915", "GO:0006914", "GO:0008283", "GO:0030198", "GO:0031099"]
    assertions = []
    for n, target in enumerate(ids[1:]):
        for k in range(3):
            text = f"Claim {n} in paper {k}."
            ev = Evidence(f"PMID:{100 + k}", "t", 2020, "abstract", text, 0, len(text), Span(0, 1, "C"), Span(2, 3, "c"),
                          "x", "affirmed", "stated", "in_vitro", None, (), "test/1", 0.6)
            assertions.append(Assertion(ids[0], "positively_regulates", target, ev))
    graph = build_graph(assertions, lexicon)
    context = ExportContext(default_schema(), lexicon, __version__, html_evidence=3)
    assert {len(d["evidence"]) for d in html_export.page_data(graph, context)["edgeDetail"].values()} == {3}
    monkeypatch.setattr(html_export, "EVIDENCE_BUDGET", 5)  # 5 edges share 5 sentences: one each, the rest counted
    details = html_export.page_data(graph, context)["edgeDetail"].values()
    assert {(len(d["evidence"]), d["more"]) for d in details} == {(1, 2)}
