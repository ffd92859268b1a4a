"""The graph page in a real browser (Debian's Chromium driven by Playwright), offline, with hostile text."""
from __future__ import annotations

import json

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import main
from kg.export import EXPORTERS, ExportContext
from kg.graph import build_graph
from kg.model import Assertion, Document, Evidence, Span
from kg.schema import default_schema

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed; CI installs it")
sync_api = pytest.importorskip("playwright.sync_api")
ARTIFACTS = Path(__file__).parent / "artifacts"
EVIL = 'Hypoxia hinders cell homing <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">.'


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_function("window.__drawnAt !== undefined", timeout=20_000)
    return page, requests


def click_edge(page, edge_id: str) -> None:
    page.evaluate("network.moveTo({position: {x: 0, y: 0}, scale: 1}); network.focus(edges.get(arguments[0]).from, {scale: 1.5})"
                  .replace("arguments[0]", repr(edge_id)))
    point = page.evaluate("""(id) => { const e = edges.get(id); const p = network.getPositions([e.from, e.to]);
        const m = network.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2});
        const r = document.getElementById('graph').getBoundingClientRect(); return {x: m.x + r.left, y: m.y + r.top}; }""",
                          edge_id)
    page.mouse.click(point["x"], point["y"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("page")
    assert CliRunner().invoke(main, ["build", "-o", str(out), "--quiet", "-f", "html", "-f", "json"]).exit_code == 0
    return out / "graph.html"


def test_page_draws_offline_search_focuses_and_an_edge_shows_its_sentence(browser, built):
    page, requests = open_page(browser, built)
    assert [u for u in requests if not u.startswith("file:")] == []  # nothing leaves the machine
    count = len(json.loads(built.with_name("graph.json").read_text())["nodes"])  # every node of the build is drawn
    assert page.text_content("#status").startswith(f"showing {count} of {count} nodes")
    assert page.evaluate("nodes.length") == count
    page.fill("#q", "mesenchymal stromal cell")  # a synonym
    page.click("#find button")
    assert page.evaluate("network.getSelectedNodes()") == ["CL:0000134"]
    assert "mesenchymal stem cell" in page.text_content("#detail")
    edge = page.evaluate("edges.get().find(e => e.from === 'MONDO:0011385' && e.to === 'HP:0003419').id")
    click_edge(page, edge)
    detail = page.text_content("#detail")
    assert "contributes_to" in detail and "Intervertebral disc degeneration is a leading cause of low back pain." in detail
    assert page.locator("#detail mark").count() >= 2  # the matched words are highlighted
    page.click("#tabmatrix")
    assert "hypoxic preconditioning" in page.text_content("#matrix")
    assert "tumorigenicity" in page.text_content("#unopposed")
    page.click("#tabgraph")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graph.png"))
    page.close()


def test_filters_and_neighbourhood_change_what_is_drawn(browser, built):
    page, _ = open_page(browser, built)
    page.fill("#q", "hydrogel")
    page.click("#find button")
    page.click("#n1")
    around = page.evaluate("nodes.getIds().sort()")
    assert "IVDKG:hydrogel" in around and len(around) < len(json.loads(built.with_name("graph.json").read_text())["nodes"])
    page.click("#all")
    page.click("summary")
    page.locator("#fpred label", has_text="has_participant").locator("input").uncheck()
    assert page.evaluate("edges.get().filter(e => e.predicate === 'has_participant').length") == 0
    page.close()


def test_script_in_a_sentence_is_shown_as_text_and_never_run(browser, lexicon, tmp_path):
    ev = Evidence("DOI:10.1/x", "<b>title</b>", 2020, "abstract", EVIL, 0, len(EVIL), Span(0, 7, "Hypoxia"),
                  Span(16, 27, "cell homing"), "hinders", "affirmed", "stated", "unknown", None, (), "rules/1:x", 0.8)
    graph = build_graph([Assertion("MESH:D000860", "hinders", "IVDKG:cell_homing", ev)], lexicon,
                        [Document("DOI:10.1/x", "t", (), "<b>title</b>", 2020, "10.1/x")])
    EXPORTERS["html"].write(graph, tmp_path, ExportContext(default_schema(), lexicon, __version__))
    page, requests = open_page(browser, tmp_path / "graph.html")
    click_edge(page, page.evaluate("edges.getIds()[0]"))
    assert EVIL in page.text_content("#detail")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#detail script, #detail img").count() == 0
    assert [u for u in requests if not u.startswith("file:")] == []
    page.close()
