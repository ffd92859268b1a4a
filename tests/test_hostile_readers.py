"""Hostile and careless input to the readers: wrong types, bad names, control characters, links out of a
folder, inputs without end and compression bombs. Each gives one clear error naming the file, or clean
documents; nothing raises anything else, nothing hangs, memory stays bounded."""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.readers import ReaderError, iter_input_files, read_bytes, read_inputs, read_mention_file
from kg.readers.base import input_limits

ROOT = Path(__file__).resolve().parents[1]
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
PAPER = b"Stem cells in the disc\n\nHypoxia hinders cell homing in the nucleus pulposus."


def bioc_json(passages: list, **document) -> bytes:
    return json.dumps({"documents": [{"id": "7", "passages": passages, **document}]}).encode()


def assert_clean(documents) -> None:
    """What a document holds can be written to any output and printed to any terminal."""
    for doc in documents:
        for value in (doc.id, doc.text, doc.title, doc.source, *(s.heading for s in doc.sections)):
            assert not CONTROLS.search(value), repr(value)
            value.encode("utf-8")


def assert_one_clear_error(exc: ReaderError, name: str) -> None:
    message = str(exc)
    assert message.startswith(name + ": ") and "\n" not in message and not CONTROLS.search(message), message
    message.encode("utf-8")


@contextmanager
def time_limit(seconds: float):
    """A reader that hangs fails the test instead of the CI job."""
    def stop(signum, frame):
        raise TimeoutError(f"a reader ran for over {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---- item 1: wrong types, bad names -------------------------------------------------------------------------

@pytest.mark.parametrize("payload,where", [
    ({"documents": 5}, "documents: expected a list, got a number"),
    ({"documents": [5]}, "documents[0]: expected an object, got a number"),
    ({"documents": [{"id": "1", "passages": 7}]}, "documents[0].passages: expected a list, got a number"),
    ({"documents": [{"id": "1", "passages": ["text"]}]}, "documents[0].passages[0]: expected an object, got a string"),
    ({"documents": [{"id": "1", "passages": [{"text": 3}]}]}, "documents[0].passages[0].text: expected a string"),
    ({"documents": [{"id": "1", "passages": [{"infons": [], "text": "Hypoxia."}]}]},
     "documents[0].passages[0].infons: expected an object, got a list"),
    ({"documents": [{"id": {"x": 1}, "passages": []}]}, "documents[0].id: expected a string or a number"),
    ([{"passages": []}, 3], "[1]: expected a BioC collection or document, got a number"),
])
def test_a_bioc_json_field_of_the_wrong_type_is_one_error_naming_where(payload, where):
    with pytest.raises(ReaderError) as info:
        read_bytes(json.dumps(payload).encode(), "bad.bioc.json")
    assert_one_clear_error(info.value, "bad.bioc.json")
    assert where in str(info.value)


@pytest.mark.parametrize("annotation,where", [
    (5, "annotations[0]: expected an object, got a number"),
    ({"locations": 5}, "annotations[0].locations: expected a list, got a number"),
    ({"locations": [[0, 3]]}, "annotations[0].locations[0]: expected an object, got a list"),
    ({"locations": [{"offset": "x", "length": 3}]}, "locations[0].offset: not an integer"),
    ({"locations": [{"offset": 0, "length": 3}], "infons": {"identifier": ["CL:1"]}},
     "infons.identifier: expected a string or a number, got a list"),
])
def test_wrong_types_in_annotations_are_one_error_for_the_mention_reader(tmp_path, annotation, where):
    path = tmp_path / "mentions.bioc.json"
    path.write_bytes(bioc_json([{"infons": {"type": "abstract"}, "offset": 0, "text": "MSC homing.",
                                 "annotations": [annotation]}]))
    with pytest.raises(ReaderError) as info:
        read_mention_file(path)
    assert_one_clear_error(info.value, str(path))
    assert where in str(info.value)


def test_a_lone_surrogate_escape_becomes_a_replacement_character():
    data = bioc_json([{"infons": {"type": "abstract", "section_heading": "Res\ud800ults"},
                       "text": "Hypoxia \ud800 hinders cell homing."}], id="LOCAL:\udfff")
    assert b"\\ud800" in data  # json writes a lone surrogate as an escape
    (doc,) = read_bytes(data, "surrogate.bioc.json")
    assert "Hypoxia \ufffd hinders" in doc.text
    assert_clean([doc])


def test_file_names_that_are_not_utf8_or_hold_a_newline_are_shown_on_one_line(tmp_path):
    folder = os.fsencode(tmp_path)
    with open(folder + b"/caf\xe9.txt", "wb") as handle:
        handle.write(PAPER)
    with open(folder + b"/bro\nken\x1b[2J.bioc.json", "wb") as handle:
        handle.write(b'{"documents": 5, "passages": 1}')
    results = {r.source: r for r in read_inputs([str(tmp_path)])}
    assert set(results) == {f"{tmp_path}/bro\\nken\\x1b[2J.bioc.json", f"{tmp_path}/caf\\xe9.txt"}
    good, bad = results[f"{tmp_path}/caf\\xe9.txt"], results[f"{tmp_path}/bro\\nken\\x1b[2J.bioc.json"]
    assert good.error is None and good.documents[0].source == f"{tmp_path}/caf\\xe9.txt"
    assert_clean(good.documents)
    assert bad.error == f"{tmp_path}/bro\\nken\\x1b[2J.bioc.json: documents: expected a list, got a number"


def test_a_build_goes_on_past_every_bad_file(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(PAPER)
    (folder / "numbers.bioc.json").write_bytes(b'{"documents": [{"id": "1", "passages": 7}]}')
    (folder / "surrogate.bioc.json").write_bytes(bioc_json([{"infons": {"type": "abstract"}, "text":
        "Transplanted MSCs \ud800 may restore the height of the degenerated disc in a rabbit model over twelve weeks."}]))
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"Another paper\n\nIn this study, hypoxia was found to hinder the homing of transplanted cells.")
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(tmp_path / "out"), "-f", "json", "--quiet",
                                       "-j", "1"])
    assert result.exit_code == 3, result.output
    assert f"skipped: {folder}/numbers.bioc.json: documents[0].passages: expected a list" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(report["documents"]) == 3 and len(report["skipped"]) == 1


# ---- item 5: limits on every reader, endless inputs, bombs --------------------------------------------------

LONG = "Hypoxia hinders cell homing. " * 9_000  # 261,000 characters in one paragraph


@pytest.mark.parametrize("name,data", [
    ("long.nxml", f"<article><front><article-meta><article-title>T</article-title></article-meta></front>"
                  f"<body><sec><title>Results</title><p>{LONG}</p></sec></body></article>".encode()),
    ("long.bioc.xml", f'<collection><document><id>1</id><passage><infon key="type">abstract</infon>'
                      f"<text>{LONG}</text></passage></document></collection>".encode()),
    ("long.bioc.json", bioc_json([{"infons": {"type": "abstract"}, "text": LONG}])),
    ("long.pubmed.xml", f"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T"
                        f"</ArticleTitle><Abstract><AbstractText>{LONG}</AbstractText></Abstract></Article>"
                        f"</MedlineCitation></PubmedArticle></PubmedArticleSet>".encode()),
    ("long.md", ("# T\n\n" + LONG.replace(". ", ".\n")).encode()),  # short lines, one paragraph
])
def test_every_reader_refuses_a_paragraph_past_the_limit(name, data, monkeypatch):
    with pytest.raises(ReaderError) as info:
        read_bytes(data, name)
    assert_one_clear_error(info.value, name)
    assert "over the limit of 200,000 characters in one line or paragraph" in str(info.value)
    assert "IVDKG_MAX_LINE_CHARS" in str(info.value)
    monkeypatch.setenv("IVDKG_MAX_LINE_CHARS", "300000")  # raised, it is read
    assert len(read_bytes(data, name)[0].text) > 260_000


@pytest.mark.parametrize("setting,value,data,name,message", [
    ("IVDKG_MAX_INPUT_MB", "0.001", bioc_json([{"infons": {"type": "abstract"}, "text": "MSC homing. " * 100}]),
     "big.bioc.json", "0.00129 MB, over the limit of 0.001 MB for one input"),
    ("IVDKG_MAX_MARKUP", "500", f"<article><front/><body>{'<p>MSC homing.</p>' * 300}</body></article>".encode(),
     "tags.nxml", "605 tags or brackets, over the limit of 500 XML tags or JSON brackets in one input"),
    ("IVDKG_MAX_MARKUP", "500", json.dumps({"documents": [{"passages": [{"infons": {}, "text": "MSC."}] * 300}]}).encode(),
     "brackets.bioc.json", "604 tags or brackets, over the limit of 500 XML tags or JSON brackets in one input"),
    ("IVDKG_MAX_DOCUMENT_CHARS", "1000", bioc_json([{"infons": {"type": "abstract"}, "text": "MSC homing. " * 20}] * 5),
     "doc.bioc.json", "1,203 characters, over the limit of 1,000 characters in one document"),
    ("IVDKG_MAX_SECTIONS", "20", bioc_json([{"infons": {"type": "abstract"}, "text": "MSC homing."}] * 21),
     "passages.bioc.json", "21 sections, over the limit of 20 sections or passages in one document"),
])
def test_per_input_and_per_document_limits_apply_and_can_be_changed(monkeypatch, setting, value, data, name, message):
    assert read_bytes(data, name)  # within the defaults
    monkeypatch.setenv(setting, value)
    with pytest.raises(ReaderError) as info:
        read_bytes(data, name)
    assert_one_clear_error(info.value, name)
    assert message in str(info.value) and setting in str(info.value)


def test_a_bad_limit_setting_is_an_error_naming_the_variable(monkeypatch, tmp_path):
    (tmp_path / "a.txt").write_bytes(PAPER)
    monkeypatch.setenv("IVDKG_MAX_INPUT_MB", "lots")
    (result,) = read_inputs([str(tmp_path / "a.txt")])
    assert result.error == "IVDKG_MAX_INPUT_MB: must be a positive number, not 'lots'"
    monkeypatch.setenv("IVDKG_MAX_INPUT_MB", "0")
    with pytest.raises(ReaderError, match="IVDKG_MAX_INPUT_MB: must be a positive number"):
        input_limits()


def tar_gz(path: Path, members: dict[str, bytes], compression: str = "gz") -> Path:
    with tarfile.open(path, f"w:{compression}") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


JATS = (ROOT / "corpus" / "03_clinical_msc_trial.nxml").read_bytes()


@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
def test_a_bulk_package_stops_at_its_decompressed_limit(tmp_path, monkeypatch, compression):
    members = {f"PMC{i}/a.nxml": JATS.replace(b"</article-title>", f" {i}</article-title>".encode()) + b" " * 300_000
               for i in range(8)}
    path = tar_gz(tmp_path / "bulk.tar.gz", members, compression)
    assert len([d for r in read_inputs([str(path)]) for d in r.documents]) == 8
    monkeypatch.setenv("IVDKG_MAX_ARCHIVE_MB", "1")
    results = list(read_inputs([str(path)]))
    assert len([d for r in results for d in r.documents]) == 3
    assert results[-1].error == (f"{path}: over the limit of 1 MB decompressed for one archive (set IVDKG_MAX_ARCHIVE_MB "
                                 f"to raise it); read 3 article(s) before it")


BOUNDED = textwrap.dedent("""
    import gzip, io, json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))  # before the fix: MemoryError, not a hog
    from kg.readers import read_inputs
    case, path = sys.argv[1], sys.argv[2]
    if case == "stdin":
        sys.stdin = io.TextIOWrapper(open("/dev/zero", "rb"))
    start = time.perf_counter()
    errors = [r.error for r in read_inputs(["-" if case == "stdin" else path])]
    peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"errors": errors, "seconds": time.perf_counter() - start, "peak_mb": peak_kb / 1000}))
""")


def gzip_bomb(path: Path, head: bytes, block: bytes, copies: int) -> Path:
    """Gigabytes of XML in a few megabytes: gzip members, each one compressed block, written again and again."""
    member = gzip.compress(block, 9)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(head))
        for _ in range(copies):
            handle.write(member)
    return path


@pytest.mark.parametrize("case", ["elements", "text", "dev_zero", "stdin"])
def test_endless_inputs_and_compression_bombs_stop_early_with_bounded_memory(tmp_path, case):
    path = {"elements": lambda: gzip_bomb(tmp_path / "elements.xml.gz", b"<PubmedArticleSet>", b"<a/>" * 2_500_000, 160),
            "text": lambda: gzip_bomb(tmp_path / "text.xml.gz", b"<PubmedArticleSet><x>",
                                      (b"<b>" + b"a" * 100_000 + b"</b>") * 100, 160),
            "dev_zero": lambda: Path("/dev/zero"), "stdin": lambda: Path("-")}[case]()
    done = subprocess.run([sys.executable, "-c", BOUNDED, case, str(path)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout)
    (error,) = outcome["errors"]
    assert error.startswith(("<stdin>: " if case == "stdin" else f"{path}: ")) and "over the limit of" in error
    assert outcome["seconds"] < 10 and outcome["peak_mb"] < 600


# ---- item 8: links -----------------------------------------------------------------------------------------

def test_links_in_a_folder_are_not_followed_out_of_it(tmp_path):
    outside, folder = tmp_path / "outside", tmp_path / "corpus"
    outside.mkdir()
    folder.mkdir()
    (outside / "secret.txt").write_bytes(b"Secret\n\nroot:x:0:0:root:/root:/bin/bash")
    (outside / "more").mkdir()
    (outside / "more" / "b.txt").write_bytes(b"Outside too\n\nHypoxia hinders homing.")
    (folder / "paper.txt").write_bytes(PAPER)
    (folder / "sub").mkdir()
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "relative.txt").symlink_to(Path("..") / "outside" / "secret.txt")
    (folder / "linked_folder").symlink_to(outside / "more", target_is_directory=True)
    (folder / "sub" / "inside.txt").symlink_to(folder / "paper.txt")  # a link inside the folder is followed
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    sources = [r.source for r in read_inputs([str(folder)])]
    assert sources == [str(folder / "paper.txt"), str(folder / "sub" / "inside.txt")]
    (result,) = read_inputs([str(folder / "secret.txt")])  # named on the command line: read
    assert result.documents[0].title == "Secret"


# ---- item 10: control characters ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,data", [
    ("ctrl.bioc.json", bioc_json([{"infons": {"type": "title"}, "text": "Title \u0000\u001f\u001b[31m red"},
                                  {"infons": {"type": "abstract", "section_heading": "Ab\u0007stract"},
                                   "text": "Hypoxia\u009b2J hinders \u007f homing\r\u0085."}], id="LOCAL:x\u001by")),
    ("ctrl.bioc.xml", b'<collection><document><id>1</id><passage><infon key="type">abstract</infon>'
                      b"<text>Hypoxia &#x9b;2J hinders &#x7f; homing &#x85; &#13;.</text></passage></document></collection>"),
    ("ctrl.nxml", b"<article><front><article-meta><article-title>T&#x9b;2J</article-title></article-meta></front>"
                  b"<body><sec><title>R&#x90;</title><p>Hypoxia &#x9b;2J hinders homing.</p></sec></body></article>"),
    ("ctrl.pubmed.xml", b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>"
                        b"T&#x9b;</ArticleTitle><Abstract><AbstractText Label=\"R&#x9b;\">Hypoxia &#x9b;2J.</AbstractText>"
                        b"</Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"),
    ("ctrl.txt", "Title\n\nHypoxia \u009b2J hinders \u0085 homing.".encode()),
])
def test_control_characters_never_reach_a_document(name, data):
    documents = read_bytes(data, name)
    assert documents and "Hypoxia" in documents[0].text
    assert_clean(documents)


def test_cleaning_control_characters_keeps_mention_offsets(tmp_path):
    text = "A\u001b[31m MSC\u0000 homing."
    path = tmp_path / "m.bioc.json"
    path.write_bytes(bioc_json([{"infons": {"type": "abstract"}, "offset": 0, "text": text, "annotations": [
        {"id": "1", "infons": {"identifier": "CL:0000134", "type": "CellType"}, "text": "MSC\u0007",
         "locations": [{"offset": 7, "length": 3}]}]}]))
    ((doc, (record,)),) = read_mention_file(path)
    start, end = record.spans[0]
    assert doc.text[start:end] == "MSC" and record.text == "MSC " and not CONTROLS.search(doc.text)


# ---- item 12: UTF-16 without a BOM in any script; excluded folders -----------------------------------------

CJK = "椎间盘退变的干细胞修复\n\n间充质干细胞在缺氧条件下促进髓核细胞增殖, 一项研究显示 2019 年的结果。\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_cjk_text_without_a_bom_is_read(encoding):
    (doc,) = read_bytes(CJK.encode(encoding), "cjk.txt")
    assert doc.title == "椎间盘退变的干细胞修复" and "缺氧条件" in doc.text


def test_excluded_folders_inside_an_input_folder_are_passed_over(tmp_path):
    (tmp_path / "paper.txt").write_bytes(PAPER)
    (tmp_path / "outputs" / "neo4j").mkdir(parents=True)
    (tmp_path / "outputs" / "mentions.bioc.json").write_bytes(bioc_json([{"infons": {}, "text": "Old output."}]))
    (tmp_path / "outputs" / "neo4j" / "nodes.txt").write_bytes(b"x")
    assert [r.source for r in read_inputs([str(tmp_path)], exclude=[tmp_path / "outputs"])] == [str(tmp_path / "paper.txt")]
    assert len(list(iter_input_files([str(tmp_path)]))) == 3  # without it, the old outputs are read back
    # a folder named as input is read even when it lies in an excluded one (kg build . -o .)
    assert [r.source for r in read_inputs([str(tmp_path)], exclude=[str(tmp_path)])][0] == str(tmp_path / "outputs" /
                                                                                               "mentions.bioc.json")


# ---- fuzz: every reader, random bytes and structured-but-wrong JSON and XML ----------------------------------

NAMES = ["a.txt", "a.md", "a.nxml", "a.pubmed.xml", "a.bioc.xml", "a.bioc.json", "a.xml", "a.json", "noext"]
FUZZ = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


def read_or_refuse(data: bytes, name: str) -> None:
    """The one contract of every reader: clean documents or one clear ReaderError, in bounded time."""
    with time_limit(5):
        try:
            documents = read_bytes(data, name)
        except ReaderError as exc:
            assert_one_clear_error(exc, name)
            return
    assert_clean(documents)


def mentions_or_refuse(path) -> None:
    """The mention readers' contract: records or one clear ReaderError naming the file, in bounded time."""
    with time_limit(5):
        try:
            read_mention_file(path)
        except ReaderError as exc:
            assert_one_clear_error(exc, str(path))


any_text = st.text(st.characters(blacklist_categories=()), max_size=40)  # controls and lone surrogates too
json_values = st.recursive(st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=False) | any_text,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=12)


def maybe(strategy):
    """A field as BioC has it, or any JSON value in its place."""
    return st.one_of(strategy, json_values)


locations = st.fixed_dictionaries({"offset": maybe(st.integers(0, 80)), "length": maybe(st.integers(0, 20))})
annotations = st.fixed_dictionaries({"id": maybe(st.text(max_size=4)), "text": maybe(st.text(max_size=10)),
                                     "infons": maybe(st.dictionaries(st.sampled_from(["identifier", "type"]),
                                                                     st.text(max_size=10), max_size=2)),
                                     "locations": maybe(st.lists(maybe(locations), max_size=3))})
passages = st.fixed_dictionaries({"infons": maybe(st.dictionaries(st.sampled_from(["type", "section_type",
                                                                                   "article-id_pmid", "year"]),
                                                                  maybe(st.sampled_from(["title", "abstract", "ref",
                                                                                         "2020", "123"])),
                                                                  max_size=3)),
                                  "offset": maybe(st.integers(0, 100)),
                                  "text": maybe(any_text),
                                  "annotations": maybe(st.lists(maybe(annotations), max_size=3))})
bioc_payloads = st.one_of(
    st.fixed_dictionaries({"documents": maybe(st.lists(maybe(st.fixed_dictionaries({
        "id": maybe(st.text(max_size=12)), "passages": maybe(st.lists(maybe(passages), max_size=4))})), max_size=3))}),
    st.lists(maybe(st.fixed_dictionaries({"passages": maybe(st.lists(maybe(passages), max_size=3))})), max_size=3),
    json_values)


@FUZZ
@given(payload=bioc_payloads, name=st.sampled_from(["a.bioc.json", "a.json"]))
def test_fuzz_bioc_json_with_wrong_types_anywhere(payload, name, tmp_path):
    data = json.dumps(payload).encode()
    read_or_refuse(data, name)
    path = tmp_path / name
    path.write_bytes(data)
    mentions_or_refuse(path)


TAGS = ["collection", "document", "id", "passage", "infon", "text", "offset", "annotation", "location", "article",
        "front", "article-meta", "article-title", "article-id", "abstract", "body", "sec", "title", "p", "xref",
        "PubmedArticleSet", "PubmedArticle", "MedlineCitation", "PMID", "Article", "ArticleTitle", "AbstractText"]
ATTRIBUTES = ["key", "offset", "length", "id", "pub-id-type", "Label", "IdType"]
xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&\x00"),
                   max_size=20).map(lambda t: "".join(c for c in t if c in "\t\n\r" or ord(c) >= 32)) \
    | st.sampled_from(["&#x1b;", "&#x9b;", "&#x85;", "&#13;", "&amp;", "&lt;", "-1", "12", "abstract", "doi"])


def xml_elements(depth: int = 0):
    children = st.lists(st.deferred(lambda: xml_elements(depth + 1)), max_size=3) if depth < 6 else st.just([])
    return st.builds(lambda tag, attributes, text, kids: f"<{tag}{attributes}>{text}{''.join(kids)}</{tag}>",
                     st.sampled_from(TAGS),
                     st.dictionaries(st.sampled_from(ATTRIBUTES), xml_text.map(lambda v: v.replace('"', "")),
                                     max_size=2).map(lambda d: "".join(f' {k}="{v}"' for k, v in d.items())),
                     xml_text, children)


SKELETONS = {  # each format's shape with holes: text (T), attribute values (A), any elements (X)
    "a.nxml": "<article><front><article-meta><article-title>{T}</article-title><article-id pub-id-type=\"{A}\">{T}"
              "</article-id>{X}</article-meta></front><body><sec><title>{T}</title><p>{T}</p>{X}</sec>{X}</body></article>",
    "a.pubmed.xml": "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>{T}</PMID><Article><ArticleTitle>{T}"
                    "</ArticleTitle><Abstract><AbstractText Label=\"{A}\">{T}</AbstractText>{X}</Abstract></Article>"
                    "</MedlineCitation></PubmedArticle>{X}</PubmedArticleSet>",
    "a.bioc.xml": "<collection><document><id>{T}</id><passage><infon key=\"type\">{T}</infon><offset>{T}</offset>"
                  "<text>{T}</text><annotation id=\"{A}\"><infon key=\"identifier\">{T}</infon><location offset=\"{A}\" "
                  "length=\"{A}\"/><text>{T}</text></annotation>{X}</passage>{X}</document></collection>",
}


@st.composite
def xml_documents(draw):
    """A format's skeleton with its holes filled by any text, character references and elements, or any tree."""
    name = draw(st.sampled_from([*SKELETONS, "a.xml"]))
    if name not in SKELETONS or draw(st.booleans()):
        return name, draw(xml_elements())
    pieces = SKELETONS[name].replace("{", "\0{").split("\0")
    out = []
    for piece in pieces:
        hole, rest = (piece[:3], piece[3:]) if piece.startswith(("{T}", "{A}", "{X}")) else ("", piece)
        if hole == "{T}":
            out.append(draw(xml_text))
        elif hole == "{A}":
            out.append(draw(xml_text).replace('"', ""))
        elif hole == "{X}":
            out.append("".join(draw(st.lists(xml_elements(3), max_size=2))))
        out.append(rest)
    return name, "".join(out)


@FUZZ
@given(document=xml_documents())
def test_fuzz_xml_readers_with_wrong_structure(document, tmp_path):
    name, xml = document
    data = xml.encode("utf-8")
    read_or_refuse(data, name)
    path = tmp_path / "m.bioc.xml"
    path.write_bytes(data)
    mentions_or_refuse(path)


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(NAMES))
def test_fuzz_every_reader_with_random_bytes(data, name):
    read_or_refuse(data, name)


@FUZZ
@given(lines=st.lists(st.one_of(st.text(max_size=30),
                                st.builds(lambda *f: "\t".join(f), st.sampled_from(["1", "2", "x"]),
                                          st.sampled_from(["0", "3", "99", "²", "-1", "9" * 30]),
                                          st.sampled_from(["3", "5", "100", "x"]), st.text(max_size=5),
                                          st.text(max_size=5)),
                                st.builds(lambda d, k, t: f"{d}|{k}|{t}", st.sampled_from(["1", "2", "x\tx"]),
                                          st.sampled_from(["t", "a"]), st.text(max_size=20))), max_size=8))
def test_fuzz_pubtator_mention_reader(lines, tmp_path):
    path = tmp_path / "m.pubtator"
    path.write_bytes("\n".join(lines).encode("utf-8", errors="surrogatepass"))
    mentions_or_refuse(path)


@FUZZ
@given(data=st.binary(max_size=3000), compress=st.booleans(), kind=st.sampled_from(["xml.gz", "tar.gz"]))
def test_fuzz_bulk_readers_with_random_content(data, compress, kind, tmp_path):
    path = tmp_path / f"bulk.{kind}"
    if kind == "tar.gz" and compress:
        tar_gz(path, {"a.nxml": data})
    else:
        path.write_bytes(gzip.compress(data) if compress else data)
    with time_limit(5):
        results = list(read_inputs([str(path)]))
    for result in results:
        assert result.error is None or (result.error.startswith(str(path)) and "\n" not in result.error)
        assert_clean(result.documents)
