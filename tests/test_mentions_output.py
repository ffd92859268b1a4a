"""Mention-level outputs (BioC XML/JSON, PubTator), reading them back, and mention scoring in kg evaluate."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from lxml import etree

from kg.cli import main
from kg.evaluate import GoldError, evaluate, gold_mentions, load_gold, offset_map, score_concepts, score_mentions
from kg.export import EXPORTERS
from kg.export.mentions import bioc_collection, bioc_xml, pubtator
from kg.mentions import AnnotatedDocument, MentionRecord, Passage, passages_of, record_of
from kg.model import Mention
from kg.process import CACHE_FORMAT, DocResult, Worker, result_versions
from kg.readers import ReaderError, read_inputs, read_mention_file

PAPER = """# Grafts for the degenerating disc

## Abstract

Mesenchymal stem cells were injected into the nucleus pulposus of rabbits.

## Results

Nucleus pulposus cells survived & multiplied, and the annulus fibrosus <stayed> intact.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One small document of our own, built with -f bioc -f pubtator; (output folder, Document)."""
    root = tmp_path_factory.mktemp("mentions")
    (root / "paper.md").write_text(PAPER, encoding="utf-8")
    out = root / "out"
    result = CliRunner().invoke(main, ["build", str(root / "paper.md"), "-o", str(out), "-f", "bioc", "-f", "pubtator",
                                       "-j", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    (doc,) = [d for r in read_inputs([str(root / "paper.md")]) for d in r.documents]
    return out, doc


@pytest.fixture(scope="module")
def result(built, lexicon):
    """The document's result, as a build worker makes it."""
    return Worker(lexicon, ["rules"]).run(built[1])


@pytest.fixture(scope="module")
def expected(result):
    """The mention records the analyser gives for the document: what every output must hold."""
    return result.mention_records


def test_build_writes_every_mention_as_bioc_xml_annotations(built, expected):
    out, doc = built
    xml = (out / "mentions.bioc.xml").read_bytes()
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<collection>') and b"DOCTYPE" not in xml
    root = etree.fromstring(xml)
    (document,) = root.findall("document")
    passages = document.findall("passage")
    assert [(p.findtext("infon[@key='type']"), p.findtext("infon[@key='section_heading']"), int(p.findtext("offset")),
             p.findtext("text")) for p in passages] == [(s.kind, s.heading, s.start, doc.text[s.start:s.end])
                                                         for s in doc.sections]
    found = set()
    for passage in passages:
        for ann in passage.findall("annotation"):
            (loc,) = ann.findall("location")
            start, length = int(loc.get("offset")), int(loc.get("length"))
            assert doc.text[start:start + length] == ann.findtext("text")  # document-level offsets
            found.add(((start, start + length), ann.findtext("infon[@key='identifier']"),
                       ann.findtext("infon[@key='type']"), ann.findtext("infon[@key='matched_by']")))
    assert found == {(r.spans[0], r.curie, r.category, r.matched_by) for r in expected}
    assert any(text == "Mesenchymal stem cells" for text in (a.findtext("text") for a in root.iter("annotation")))
    assert len(expected) >= 4


def test_build_writes_bioc_json_and_pubtator_with_the_same_mentions(built, expected):
    out, doc = built
    data = json.loads((out / "mentions.bioc.json").read_text(encoding="utf-8"))
    (document,) = data["documents"]
    anns = [a for p in document["passages"] for a in p["annotations"]]
    assert sorted((a["locations"][0]["offset"], a["infons"]["identifier"]) for a in anns) == sorted(
        (r.start, r.curie) for r in expected)
    assert [p["offset"] for p in document["passages"]] == [s.start for s in doc.sections]

    lines = (out / "mentions.pubtator").read_text(encoding="utf-8").splitlines()
    pid = document["id"]
    title, abstract = lines[0].split("|", 2)[2], lines[1].split("|", 2)[2]
    assert lines[0] == f"{pid}|t|Grafts for the degenerating disc" and lines[1].startswith(f"{pid}|a|Mesenchymal stem")
    text = title + " " + abstract
    rows = [line.split("\t") for line in lines[2:]]
    assert len(rows) == len(expected)
    for _, start, end, mention, category, curie in rows:
        assert text[int(start):int(end)] == mention
    assert {(m, c) for _, _, _, m, _, c in rows} == {(r.text, r.curie) for r in expected}


def test_mention_outputs_are_byte_identical_between_builds(built):
    out, _ = built
    names = ("mentions.bioc.xml", "mentions.bioc.json", "mentions.pubtator")
    first = {name: (out / name).read_bytes() for name in names}
    source = out.parent / "paper.md"
    assert CliRunner().invoke(main, ["build", str(source), "-o", str(out), "-f", "bioc", "-f", "pubtator", "-j", "1",
                                     "--quiet"]).exit_code == 0  # again, this time through the cache's JSON
    assert json.loads((out / "report.json").read_text())["cache"]["reused"] == 1
    for name in names:
        assert (out / name).read_bytes() == first[name], name


@pytest.mark.parametrize("name", ["mentions.bioc.xml", "mentions.bioc.json"])
def test_bioc_outputs_read_back_to_the_same_document_and_mentions(built, expected, name):
    out, doc = built
    (back,) = [d for r in read_inputs([str(out / name)]) for d in r.documents]  # the ordinary document reader
    ((again, records),) = read_mention_file(out / name)
    for read in (back, again):
        assert read.id == doc.id and read.text == doc.text and read.title == doc.title
        assert read.sections == doc.sections  # same kinds, headings and offsets
    assert records == expected


def test_pubtator_output_reads_back_to_the_same_mention_texts(built, expected):
    out, doc = built
    ((again, records),) = read_mention_file(out / "mentions.pubtator")
    assert again.title == doc.title
    assert [(r.curie, r.category, r.text) for r in records] == [(r.curie, r.category, r.text) for r in expected]
    move = offset_map(again.text, doc.text)  # PubTator joins sections with one space: whitespace only differs
    assert [move(*r.spans[0]) for r in records] == [r.spans[0] for r in expected]


def test_a_discontinuous_mention_has_one_location_per_piece():
    text = "Rod and cone photoreceptors degenerate."
    passage = Passage("abstract", "Abstract", 0, text)
    rod = MentionRecord("LOCAL:x", ((0, 3), (13, 27)), "CL:0000604", "CellType", "Rod photoreceptors")
    doc = AnnotatedDocument("LOCAL:x", (passage,), (rod,))
    collection = bioc_collection([doc])
    (ann,) = collection["documents"][0]["passages"][0]["annotations"]
    assert ann["locations"] == [{"offset": 0, "length": 3}, {"offset": 13, "length": 14}]
    root = etree.fromstring(bioc_xml(collection).encode())
    assert [(l.get("offset"), l.get("length")) for l in root.iter("location")] == [("0", "3"), ("13", "14")]
    assert pubtator([doc]).splitlines()[2:] == ["LOCAL:x\t1\t4\tRod\tCellType\tCL:0000604",
                                                "LOCAL:x\t14\t28\tphotoreceptors\tCellType\tCL:0000604"]


def test_a_discontinuous_mention_round_trips_through_bioc(tmp_path):
    from kg.readers.base import DocumentBuilder
    builder = DocumentBuilder("t", "text")
    builder.add("Abstract", "Rod and cone photoreceptors degenerate.", kind="abstract")
    document = builder.build()
    mention = Mention(0, 27, "Rod and cone photoreceptors", "CL:0000604", "CellType", "label", 0,
                      parts=((13, 27), (0, 3)), markers=("NRL",))
    record = record_of(document, mention)
    assert record.spans == ((0, 3), (13, 27)) and record.text == "Rod photoreceptors"
    annotated = AnnotatedDocument(document.id, passages_of(document), (record,))
    collection = bioc_collection([annotated])
    (tmp_path / "d.bioc.xml").write_text(bioc_xml(collection), encoding="utf-8")
    (tmp_path / "d.bioc.json").write_text(json.dumps(collection), encoding="utf-8")
    for name in ("d.bioc.xml", "d.bioc.json"):
        ((doc, records),) = read_mention_file(tmp_path / name)
        assert doc.id == document.id and records == (record,)


def test_doc_result_keeps_mentions_and_passages_through_the_cache(built, result, lexicon):
    _, doc = built
    assert result.mentions <= len(result.mention_records) and result.passages == passages_of(doc)  # + nested ones
    assert DocResult.from_json(result.to_json()) == result
    assert result_versions(lexicon, ["rules"]).startswith(CACHE_FORMAT + "|")
    old = json.loads(result.to_json())
    del old["mention_records"]  # a cache entry of the previous layout is not misread
    with pytest.raises(KeyError):
        DocResult.from_json(json.dumps(old))


def test_format_choices_come_from_the_registry():
    assert {"bioc", "pubtator"} <= set(EXPORTERS) and EXPORTERS["bioc"].needs_documents
    result = CliRunner().invoke(main, ["export", "bioc", "-o", "x"])
    assert result.exit_code == 2  # mention outputs need the documents: kg build writes them, kg export cannot


@pytest.mark.parametrize("name,content,problem", [
    ("bad.bioc.xml", "<collection><document><id>1", "malformed XML"),
    ("bad.bioc.json", '{"documents": [{"id": "1", "passages": [{"offset": "x", "text": "a"}]}]}', "not an integer"),
    ("far.bioc.json", '{"documents": [{"id": "1", "passages": [{"offset": 0, "text": "Disc cells.", "annotations": '
                      '[{"id": "7", "infons": {}, "locations": [{"offset": 40, "length": 3}]}]}]}]}', "in no passage"),
    ("bad.pubtator", "1|t|Title\n1\tnot\ta\tmention\n1\t0\tfive\tT\tCellType\n", "line 3"),
    ("far.pubtator", "1|t|Disc\n1|a|Cells.\n1\t3\t40\tx\tCellType\tCL:1\n", "outside the title"),
])
def test_bad_mention_files_give_one_line_naming_the_file(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReaderError) as exc:
        read_mention_file(path)
    assert str(path) in str(exc.value) and problem in str(exc.value) and "\n" not in str(exc.value)


# --- scoring ----------------------------------------------------------------------------------------------

def rec(doc, spans, curie, category="CellType", text=""):
    return MentionRecord(doc, tuple(spans), curie, category, text)


def test_exact_and_overlap_matching_use_each_mention_once():
    gold = [rec("d", [(0, 10)], "CL:1"), rec("d", [(20, 30)], "CL:1"), rec("d", [(40, 50)], "UBERON:2", "Anatomy")]
    system = [rec("d", [(0, 10)], "CL:1"), rec("d", [(22, 35)], "CL:1"), rec("d", [(5, 12)], "CL:1"),
              rec("e", [(40, 50)], "UBERON:2", "Anatomy")]
    exact = score_mentions(gold, system)
    assert (exact.overall.tp, exact.overall.fp, exact.overall.fn) == (1, 3, 2)
    overlap = score_mentions(gold, system, overlap=True)
    # (0,10) and (5,12) both overlap the first gold mention, which counts once: (5,12) stays a false positive
    assert (overlap.overall.tp, overlap.overall.fp, overlap.overall.fn) == (2, 2, 1)
    assert overlap.false_positives == [["d", 5, 12, "CL:1", "", [[5, 12]]], ["e", 40, 50, "UBERON:2", "", [[40, 50]]]]
    assert (overlap.precision, overlap.recall) == (0.5, 2 / 3) and overlap.by_group["Anatomy"].recall == 0.0


def test_overlap_matching_finds_the_largest_matching():
    # greedy pairing of gold A with system X would leave gold B unmatched; the best matching pairs both
    gold = [rec("d", [(0, 10)], "CL:1"), rec("d", [(8, 20)], "CL:1")]
    system = [rec("d", [(5, 15)], "CL:1"), rec("d", [(0, 4)], "CL:1")]
    assert score_mentions(gold, system, overlap=True).overall.tp == 2


def test_prefix_restricts_mention_and_concept_scoring():
    gold = [rec("d", [(0, 5)], "CL:1"), rec("d", [(10, 15)], "GO:2", "Mechanism")]
    system = [rec("d", [(0, 5)], "cl:1"), rec("d", [(20, 25)], "HP:3", "Phenotype")]
    assert score_mentions(gold, system).overall.fp == 2
    only_cl = score_mentions(gold, system, prefixes=("CL",))
    assert (only_cl.overall.tp, only_cl.overall.fp, only_cl.overall.fn) == (0, 1, 1)  # ids compare exactly
    system[0] = rec("d", [(0, 5)], "CL:1")
    only_cl = score_mentions(gold, system, prefixes=("CL",))
    assert (only_cl.overall.tp, only_cl.overall.fp, only_cl.overall.fn) == (1, 0, 0)
    concepts = score_concepts(gold, system, prefixes=("CL", "GO"))
    assert (concepts.overall.tp, concepts.overall.fp, concepts.overall.fn) == (1, 0, 1)
    assert concepts.by_group["Mechanism"].precision is None  # nothing predicted: n/a, not 1.0


def test_discontinuous_gold_mentions_match_on_their_pieces(tmp_path):
    (tmp_path / "g.json").write_text(json.dumps({"documents": [{"id": "d", "source": "x", "assertions": [], "mentions": [
        {"start": 0, "end": 27, "spans": [[13, 27], [0, 3]], "text": "Rod photoreceptors", "id": "CL:1",
         "category": "CellType"}]}]}))
    (gold_doc,) = load_gold([tmp_path / "g.json"])
    (gold,) = gold_mentions(gold_doc)
    assert gold.spans == ((0, 3), (13, 27))
    assert score_mentions([gold], [rec("d", [(0, 3), (13, 27)], "CL:1")]).overall.tp == 1
    assert score_mentions([gold], [rec("d", [(0, 27)], "CL:1")]).overall.tp == 0
    assert score_mentions([gold], [rec("d", [(0, 27)], "CL:1")], overlap=True).overall.tp == 1
    gold_doc["mentions"][0]["spans"] = [[0, 3], [13, 20]]  # the outer bounds must be start and end
    with pytest.raises(GoldError, match="g.json"):
        gold_mentions(gold_doc)


def _gold_for(doc, pieces) -> dict:
    mentions = []
    for phrase, curie, category in pieces:
        start = doc.text.index(phrase)
        mentions.append({"start": start, "end": start + len(phrase), "text": phrase, "id": curie, "category": category})
    return {"documents": [{"id": doc.id, "source": "paper.md", "mentions": mentions, "assertions": []}]}


def test_evaluate_scores_a_written_bioc_file_with_prefix_and_overlap(built, tmp_path):
    out, doc = built
    gold = _gold_for(doc, [("Mesenchymal stem cells", "CL:0000134", "CellType"),
                           ("stem cells", "CL:0000034", "CellType"),  # a nested, overlapping gold span
                           ("rabbits", "NCBITaxon:9986", "Organism")])
    path = out.parent / "gold.json"
    path.write_text(json.dumps(gold))
    runner = CliRunner()
    for name in ("mentions.bioc.xml", "mentions.bioc.json", "mentions.pubtator"):
        result = runner.invoke(main, ["evaluate", str(path), "--mentions", str(out / name), "--prefix", "CL",
                                      "--format", "json", "--errors"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert set(data) == {"mentions", "concepts"}  # no assertions from a mentions file
        m = data["mentions"]["overall"]
        assert (m["tp"], m["fn"]) == (1, 1) and isinstance(m["precision"], float) and isinstance(m["tp"], int)
        assert all(item[3].startswith("CL:") for kind in ("false_positives", "misses")
                   for item in data["mentions"]["errors"][kind])
    # with overlap, the system's one CL:0000134 mention still counts once
    report = evaluate(load_gold([path]), None, prefixes=("CL",), overlap=True, mentions=out / "mentions.bioc.xml")
    assert report.overall["mentions"].tp == 1 and "assertions" not in report.overall


def test_evaluate_table_labels_misses_and_marks_undefined_scores(built, tmp_path):
    out, doc = built
    gold = _gold_for(doc, [("Grafts", "CL:9999999", "Outcome")])
    path = out.parent / "gold_table.json"
    path.write_text(json.dumps(gold))
    result = CliRunner().invoke(main, ["evaluate", str(path), "--mentions", str(out / "mentions.bioc.json"), "--errors"])
    assert result.exit_code == 0, result.output
    assert "  miss: " in result.output and "misse:" not in result.output and "false positive: " in result.output
    assert "Outcome" in result.output and "P   n/a" in result.output


def test_evaluate_refuses_a_mentions_file_without_the_gold_documents(built, tmp_path):
    out, doc = built
    other = tmp_path / "other.pubtator"
    other.write_text("123|t|Something else\n123|a|Entirely.\n")
    path = out.parent / "gold.json"
    path.write_text(json.dumps(_gold_for(doc, [("rabbits", "NCBITaxon:9986", "Organism")])))
    result = CliRunner().invoke(main, ["evaluate", str(path), "--mentions", str(other)])
    assert result.exit_code == 1 and "none of the gold documents" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_bioc_library_reads_both_outputs(built, expected):
    pytest.importorskip("bioc")  # not a dependency: checked where it is installed
    from bioc import biocjson, biocxml
    out, _ = built
    with open(out / "mentions.bioc.xml", encoding="utf-8") as handle:
        from_xml = biocxml.load(handle)
    with open(out / "mentions.bioc.json", encoding="utf-8") as handle:
        from_json = biocjson.load(handle)
    for collection in (from_xml, from_json):
        anns = [a for p in collection.documents[0].passages for a in p.annotations]
        assert sorted((a.total_span.offset, a.infons["identifier"]) for a in anns) == sorted(
            (r.start, r.curie) for r in expected)
