from __future__ import annotations

import io
import sys

import pytest

from kg.readers import choose_reader, read_bytes, read_inputs
from kg.readers.base import ReaderError, decode_text

from .conftest import FIXTURES


def read(name):
    path = FIXTURES / name
    return read_bytes(path.read_bytes(), str(path))


def test_plain_text_title_tag_and_highlights():
    (doc,) = read("plain.txt")
    assert doc.title == "Nucleus pulposus cells under load"
    assert doc.id.startswith("LOCAL:")
    kinds = [s.kind for s in doc.sections]
    assert kinds == ["title", "other", "abstract"]
    highlights = doc.sections[-1]
    assert doc.text[highlights.start:highlights.end] == "Disc progenitor cells reside in the nucleus pulposus."
    assert "@highlight" not in doc.text


def test_markdown_sections_doi_year_and_inline_markup():
    (doc,) = read("review.md")
    assert doc.format == "markdown"
    assert doc.title == "Notes on disc repair"
    assert doc.id == "DOI:10.5555/fixture.md"
    assert doc.year == 2022
    headings = [s.heading for s in doc.sections]
    assert headings == ["Title", "Front matter", "Abstract", "Methods", "References"]
    assert "**" not in doc.text and "MSCs secrete exosomes." in doc.text
    methods = next(s for s in doc.sections if s.heading == "Methods")
    assert doc.text[methods.start:methods.end] == "Rats were used in vivo.\n\nCells were cultured in vitro."


def test_jats_ids_sections_and_no_citation_or_table_text():
    (doc,) = read("article.nxml")
    assert doc.format == "jats"
    assert (doc.doi, doc.pmid, doc.pmcid, doc.year) == ("10.5555/fixture.jats", "11110001", "PMC4242", 2021)
    assert doc.id == "DOI:10.5555/fixture.jats"
    assert doc.title == "Hydrogels for the annulus fibrosus"
    assert [(s.kind, s.heading) for s in doc.sections] == [
        ("title", "Title"), ("abstract", "Abstract"), ("introduction", "Introduction"), ("introduction", "Aims"),
        ("results", "Results")]
    assert "[3]" not in doc.text and "12 mm" not in doc.text
    assert "Hypoxic preconditioning counters hypoxia." in doc.text


def test_pubmed_set_gives_one_document_per_article():
    docs = read("articles.pubmed.xml")
    assert [d.id for d in docs] == ["DOI:10.5555/pm.1", "PMID:22220002"]
    assert docs[0].year == 2020 and docs[1].year == 2019
    assert docs[0].title == "First article on TGF-β1"
    assert [s.heading for s in docs[0].sections] == ["Title", "BACKGROUND", "RESULTS"]


def test_bioc_xml_skips_reference_passages():
    (doc,) = read("collection.bioc.xml")
    assert doc.format == "bioc-xml" and doc.id == "PMID:33330001" and doc.year == 2018
    assert doc.title == "iPSCs for the disc"
    assert "Hypoxia hinders" not in doc.text


def test_bioc_json_list_of_collections():
    (doc,) = read("collection.bioc.json")
    assert doc.format == "bioc-json"
    assert doc.id == "DOI:10.5555/bioc.json" and doc.pmcid == "PMC5550001"
    assert "Exosome therapy may reduce apoptosis." in doc.text


@pytest.mark.parametrize("name,head,expected", [
    ("x.xml", "<?xml?><PubmedArticleSet>", "pubmed"),
    ("x.xml", "<?xml?><collection><document>", "bioc-xml"),
    ("x.xml", "<article><front><article-meta>", "jats"),
    ("noext", "# Title\n\ntext", "markdown"),
    ("paper.txt", "# Title\n\n## Abstract\ntext", "markdown"),
    ("paper.txt", "Just words.", "text"),
    ("x.json", '{"documents": [{"passages": []}]}', "bioc-json"),
])
def test_reader_chosen_by_suffix_and_content(name, head, expected):
    assert choose_reader(name, head).name == expected


def test_xml_external_entities_are_not_resolved():
    (doc,) = read("xxe.xml")
    assert "root:" not in doc.text and "/bin/" not in doc.text
    assert "Hypoxia hinders cell homing." in doc.text


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"   \n", "empty file"),
    (b"<PubmedArticleSet><PubmedArticle>", "malformed XML"),
    (b"\x00\x01\x02binary\x00", "binary content"),
])
def test_bad_input_raises_one_clear_error(data, reason):
    with pytest.raises(ReaderError) as info:
        read_bytes(data, "bad.xml" if data.startswith(b"<") else "bad.txt")
    assert reason in str(info.value)
    assert str(info.value).startswith("bad.")


def test_encodings_latin1_cp1252_utf16():
    assert decode_text("Café – “quoted”".encode("cp1252"), "x") == "Café – “quoted”"
    assert decode_text("naïve".encode("utf-16"), "x") == "naïve"
    assert decode_text("\ufeffBOM".encode("utf-8"), "x") == "BOM"


def test_folder_is_read_recursively_and_errors_do_not_stop_the_rest(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Title A\n\nHypoxia hinders cell homing.")
    (tmp_path / "b.md").write_text("# Title B\n\nMSCs restore disc hydration.")
    (tmp_path / "broken.xml").write_text("<PubmedArticleSet><oops>")
    (tmp_path / "README.md").write_text("# not a paper")
    (tmp_path / ".hidden.txt").write_text("hidden")
    results = list(read_inputs([str(tmp_path)]))
    sources = [r.source.replace(str(tmp_path), "") for r in results]
    assert sources == ["/b.md", "/broken.xml", "/sub/a.txt"]
    assert results[1].error and "broken.xml" in results[1].error and "malformed XML" in results[1].error
    assert [d.title for r in results for d in r.documents] == ["Title B", "Title A"]


def test_stdin_is_read_with_dash(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Stdin title\n\nHypoxia hinders cell homing.")))
    (result,) = list(read_inputs(["-"]))
    assert result.error is None and result.documents[0].title == "Stdin title"


def test_missing_file_is_reported():
    (result,) = list(read_inputs(["/no/such/file.txt"]))
    assert result.error == "/no/such/file.txt: no such file or folder"
