"""The build process under faults and carelessness: killed builds, damaged caches, stray files, bad records.

Each test reproduces one failure of issue 15 and checks what must happen instead.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.export.base import BuildLocked, output_lock
from kg.extract.jsonfile import JsonAssertionExtractor
from kg.nlp.sentences import split_text
from kg.readers import read_bytes

from .conftest import make_document

ROOT = Path(__file__).resolve().parents[1]
PAPER = (ROOT / "corpus" / "02_rabbit_preconditioning.txt").read_text(encoding="utf-8")
SENTENCE = "Hypoxia hinders cell homing and MSC transplantation."


def write_papers(folder: Path, count: int, repeat: int = 1) -> Path:
    """`count` distinct papers made from one corpus paper (its body `repeat` times)."""
    folder.mkdir(parents=True, exist_ok=True)
    body = PAPER.split("\n", 1)[1]
    for i in range(count):
        (folder / f"paper{i:03}.txt").write_text(f"Study {i}\n\n" + "\n\n".join([body] * repeat) + f" Sample {i}.")
    return folder


def build(*args: str):
    return CliRunner().invoke(main, ["build", *args, "--quiet"])


def visible(out: Path) -> dict[str, bytes]:
    """What a user of the output folder sees: every file under its visible names, links followed."""
    found = {}
    for folder, dirs, files in os.walk(out, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                path = Path(folder) / name
                found[path.relative_to(out).as_posix()] = path.read_bytes()
    return found


# Item 1: a --extractor json= record of the wrong type.

def good_record(doc_id: str) -> dict:
    return {"document": doc_id, "sentence": SENTENCE, "subject": "MESH:D000860", "predicate": "hinders",
            "object": "IVDKG:cell_homing", "model": "test-llm"}


def test_a_json_record_of_a_wrong_type_is_one_skipped_line_and_the_rest_is_built(tmp_path):
    paper = tmp_path / "p.txt"
    paper.write_text("Title\n\n" + SENTENCE)
    good = good_record(read_bytes(paper.read_bytes(), str(paper))[0].id)
    recorded = tmp_path / "llm.jsonl"
    recorded.write_text(json.dumps(good) + "\n" + json.dumps({**good, "confidence": "high"}) + "\n")
    result = build(str(paper), "-o", str(tmp_path / "out"), "-f", "json", "--extractor", f"json={recorded}")
    assert result.exit_code == 3, result.output  # not a traceback: skipped input
    assert f"skipped: {recorded} line 2: 'confidence' must be a number from 0 to 1, not 'high'" in result.output
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    assert any(ev["extractor"] == "json/1:test-llm" for e in graph["edges"] for ev in e["evidence"])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [s["source"] for s in report["skipped"]] == [str(recorded)]


@pytest.mark.parametrize("bad", [{"confidence": True}, {"confidence": None}, {"confidence": float("nan")},
                                 {"subject": 5}, {"sentence": ["a"]}, {"model": {"name": "x"}}, {"polarity": 1},
                                 [1, 2], "a string", 7])
def test_json_records_of_any_wrong_shape_are_named_and_never_raise(analyser, tmp_path, bad):
    doc = analyser.analyse(make_document(SENTENCE))
    good = good_record(doc.document.id)
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, **bad} if isinstance(bad, dict) else bad) + "\n")
    extractor = JsonAssertionExtractor(str(path))
    assert len(list(extractor.extract(doc))) == 1
    assert len(extractor.problems) == 1 and extractor.problems[0].startswith(f"{path} line 2: ")


# Item 2: a killed build's workers, and its lock.

def children(pid: int) -> list[int]:
    """Live child processes of `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_a_build_killed_during_extraction_and_the_next_build_may_start(tmp_path, sig):
    corpus = write_papers(tmp_path / "corpus", 200, repeat=2)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kg.cli", "build", str(corpus), "-o", str(out), "--quiet", "-j", "2"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None and len(workers) < 2:
            workers = children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2 and process.poll() is None, "the build ended before its workers were seen"
        time.sleep(0.5)  # the workers are extracting
        process.send_signal(sig)
        process.wait(timeout=20)
        gone_by = time.monotonic() + 5
        while time.monotonic() < gone_by and any(running(w) for w in workers):
            time.sleep(0.05)
        assert not [w for w in workers if running(w)], "workers outlived their build"
        with output_lock(out):  # the next build is not refused
            pass
        if sig == signal.SIGTERM:  # a build told to stop unwinds: exit 128 + 15, nothing staged left behind
            assert process.returncode == 143 and not list(out.glob(".kg-staging-*"))
    finally:
        for w in workers:
            if running(w):
                os.kill(w, signal.SIGKILL)
        if process.poll() is None:
            process.kill()


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, sys.argv[2].replace("SELF", str(os.getpid())).encode())
print("held", flush=True)
time.sleep(60)
"""


def test_a_lock_left_to_the_workers_of_a_dead_build_is_taken_over_but_a_live_build_keeps_it(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = str(tmp_path / ".kg-build.lock")
    holders = []
    try:
        for owner in (f"{dead.pid} -\n", "SELF -\n"):  # an orphan of a dead build, then a live build
            holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, lock, owner], stdout=subprocess.PIPE)
            holders.append(holder)
            assert holder.stdout.readline() == b"held\n"
            if owner.startswith("SELF"):
                with pytest.raises(BuildLocked, match=f"another kg build is writing here \\(pid {holder.pid}"):
                    with output_lock(tmp_path):
                        pass
            else:
                with output_lock(tmp_path):
                    assert (tmp_path / ".kg-build.lock").read_text().split()[0] == str(os.getpid())
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()


# Item 7: only the build's own temporary files are removed.

def test_a_build_removes_only_the_temporary_files_builds_make(tmp_path):
    paper = tmp_path / "p.txt"
    paper.write_text("Title\n\n" + SENTENCE)
    out = tmp_path / "out"
    foreign = [out / ".git" / "objects" / ".pack.tmp", out / ".notes.tmp", out / "mine" / ".draft.tmp",
               out / ".cache" / ".editor.tmp"]
    left_by_dead_builds = [out / ".cache" / ".abc.json.kgtmp-0123456789ab-x1y2z3.tmp",
                           out / ".kg-staging-0123456789ab-dead" / "graph.ttl"]
    for path in foreign + left_by_dead_builds:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("keep")
    assert build(str(paper), "-o", str(out), "-f", "json").exit_code == 0
    assert [p.read_text() for p in foreign] == ["keep"] * len(foreign)
    assert not any(p.exists() for p in left_by_dead_builds)


# Item 9: damaged cache entries.

def test_a_damaged_cache_entry_is_a_miss_with_a_warning_and_rebuild_never_reads_the_cache(tmp_path):
    corpus = write_papers(tmp_path / "corpus", 2)
    out = tmp_path / "out"
    assert build(str(corpus), "-o", str(out), "-f", "json", "-j", "1").exit_code == 0
    expected = (out / "graph.json").read_bytes()
    cache = out / ".cache"

    def damage() -> None:
        for entry in cache.glob("*.json"):
            data = json.loads(entry.read_text())
            if entry.name == "files.json":
                for item in data["files"].values():
                    item["docs"] = [[{"id": 5}, "not a key"]]
            else:
                data["sentences"] = "many"
                data["assertions"][0]["evidence"]["confidence"] = "high"
            entry.write_text(json.dumps(data))

    damage()
    result = build(str(corpus), "-o", str(out), "-f", "json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.output.count("warning: ") == 3 and "damaged cache entry" in result.output
    assert json.loads((out / "report.json").read_text())["cache"] == {"extracted": 2, "reused": 0}
    assert (out / "graph.json").read_bytes() == expected
    damage()
    result = build(str(corpus), "-o", str(out), "-f", "json", "-j", "1", "--rebuild")
    assert result.exit_code == 0 and "warning" not in result.output  # nothing read from the cache
    result = build(str(corpus), "-o", str(out), "-f", "json", "-j", "1")  # --rebuild wrote it afresh
    assert result.exit_code == 0 and "warning" not in result.output
    assert json.loads((out / "report.json").read_text())["cache"] == {"extracted": 0, "reused": 2}


# Item 12: outputs switched together; file names printed on one line; the output folder never read back.

KILLED_AT_THE_LAST_EXPORT = """
import os, signal, sys
from kg.export import EXPORTERS
from kg.export.base import RegisteredExporter
from kg.cli import main

def die(graph, out_dir, context):
    os.kill(os.getpid(), signal.SIGKILL)

EXPORTERS["json"] = RegisteredExporter("json", "dies", die)
main(sys.argv[1:])
"""


def test_a_build_killed_during_export_leaves_the_previous_set_whole_never_a_mix(tmp_path):
    first, second = write_papers(tmp_path / "first", 1), write_papers(tmp_path / "second", 3)
    out = tmp_path / "out"
    assert build(str(first), "-o", str(out)).exit_code == 0
    before = visible(out)
    assert {"graph.ttl", "graph.html", "graph.json", "report.json", "neo4j/nodes.csv"} <= set(before)
    died = subprocess.run([sys.executable, "-c", KILLED_AT_THE_LAST_EXPORT, "build", str(second), "-o", str(out),
                           "--quiet", "-j", "1"], cwd=ROOT)
    assert died.returncode == -signal.SIGKILL  # turtle, html and neo4j were written, json never
    assert visible(out) == before
    assert build(str(second), "-o", str(out), "-j", "1").exit_code == 0
    after = visible(out)
    assert set(after) == set(before) and after["graph.ttl"] != before["graph.ttl"]
    assert len(json.loads(after["graph.json"])["documents"]) == 3
    assert not list(out.glob(".kg-staging-*")) and len(list((out / ".kg-sets").iterdir())) == 1


def test_outputs_of_an_older_layout_are_replaced_by_the_switched_set(tmp_path):
    paper = tmp_path / "p.txt"
    paper.write_text("Title\n\n" + SENTENCE)
    out = tmp_path / "out"
    (out / "neo4j").mkdir(parents=True)
    (out / "neo4j" / "nodes.csv").write_text("old")
    (out / "graph.ttl").write_text("old")
    assert build(str(paper), "-o", str(out), "-f", "turtle", "-f", "neo4j").exit_code == 0
    assert (out / "graph.ttl").is_symlink() and (out / "neo4j").is_symlink()
    assert (out / "graph.ttl").read_text() != "old" and (out / "neo4j" / "nodes.csv").read_text() != "old"


def test_a_newline_or_escape_in_a_file_name_does_not_split_or_steer_the_skipped_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Title\n\n" + SENTENCE)
    (folder / "empty\nname\x1b[31m.txt").write_bytes(b"")  # refused by its reader
    terms = " ".join(["mesenchymal stem cells", "hypoxia", "nucleus pulposus", "apoptosis", "TNF"] * 60)
    (folder / "terms\nname\x1b[31m.txt").write_text(f"Term soup\n\n{terms}.")  # read, then left out as not prose
    good = good_record(read_bytes((folder / "good.txt").read_bytes(), str(folder / "good.txt"))[0].id)
    recorded = tmp_path / "records\nname\x1b[31m.jsonl"  # a record of the wrong type: named by the build itself
    recorded.write_text(json.dumps({**good, "confidence": "high"}) + "\n")
    result = build(str(folder), "-o", str(tmp_path / "out"), "--extractor", "rules", "--extractor", f"json={recorded}")
    assert result.exit_code == 3
    for kind in ("in/empty", "in/terms"):
        assert f"skipped: {tmp_path}/{kind}\\nname\\x1b[31m.txt: " in result.output, result.output
    assert f"skipped: {tmp_path}/records\\nname\\x1b[31m.jsonl line 1: " in result.output
    assert "\x1b" not in result.output and not any(line.startswith("name") for line in result.output.splitlines())


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    corpus = write_papers(tmp_path / "corpus", 1)
    out = corpus / "outputs"
    for _ in range(2):
        result = build(str(corpus), "-o", str(out), "-f", "json")
        assert result.exit_code == 0, result.output
    assert len(json.loads((out / "report.json").read_text())["documents"]) == 1


# Item 4: a cue list costs linear work.

def lines_run_in_kg(work) -> int:
    """How many lines of the kg package `work()` executes: a count of operations, not a time."""
    package = str(Path(kg.__file__).parent)
    count = 0

    def line(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return line

    def call(frame, event, arg):
        return line if frame.f_code.co_filename.startswith(package) else None

    previous = sys.gettrace()
    sys.settrace(call)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize("item", ["hypoxia", "nucleus pulposus cells", "endplate calcification"])
def test_a_long_list_after_a_cue_costs_linear_work(analyser, item):
    def work(n: int) -> int:
        document = make_document("Challenges include " + ", ".join([item] * n) + ".")
        return lines_run_in_kg(lambda: analyser.analyse(document))
    small, large = work(150), work(600)
    assert large < 6 * small, (small, large)  # 4x the input: about 4x the work, not 16x


# Item 6: sentences that start in lower case.

@pytest.mark.parametrize("text,expected", [
    ("The grafts shrank under nutrient deprivation. iPSC transplantation restored disc height.",
     ["The grafts shrank under nutrient deprivation.", "iPSC transplantation restored disc height."]),
    ("Serum levels stayed low. miR-21 rose after loading.", ["Serum levels stayed low.", "miR-21 rose after loading."]),
    ("Degeneration advanced with age. p53 was induced in old discs.",
     ["Degeneration advanced with age.", "p53 was induced in old discs."]),
    ("Loading was cyclic. mTOR signalling fell. siRNA knockdown helped. let-7 fell.",
     ["Loading was cyclic.", "mTOR signalling fell.", "siRNA knockdown helped.", "let-7 fell."]),
    ("Several regulators (e.g. mTOR and p53) were tested.", ["Several regulators (e.g. mTOR and p53) were tested."]),
    ("The levels differed, i.e. miR-21 rose.", ["The levels differed, i.e. miR-21 rose."]),
    ("As Chen et al. p53 assays showed, cells aged.", ["As Chen et al. p53 assays showed, cells aged."]),
    ("Old vs. iPSC-derived cells differed.", ["Old vs. iPSC-derived cells differed."]),
    ("See Fig. 3 for the p53 data.", ["See Fig. 3 for the p53 data."]),
    ("Scores rose by 3.5 points. long-term gains held.", ["Scores rose by 3.5 points. long-term gains held."]),
])
def test_a_sentence_that_starts_with_a_lower_case_symbol_is_split_off(text, expected):
    assert [text[a:b] for a, b in split_text(text)] == expected


# ---- fuzz: the cache ---------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=True) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
                     max_leaves=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=st.one_of(_JSON, st.fixed_dictionaries({"document": st.text(max_size=5)}, optional={
    "sentences": _JSON, "assertions": st.lists(_JSON, max_size=3), "mentions": _JSON, "skipped": _JSON})))
def test_fuzz_cache_entries_are_results_or_misses_never_crashes(tmp_path, entry):
    # any JSON in a cache file: a valid result, or a miss with one warning; never an exception
    import json as _json

    from kg.process import DocResult, load_result
    (tmp_path / "k.json").write_text(_json.dumps(entry), encoding="utf-8")
    warnings: list[str] = []
    result = load_result(tmp_path, "k", None, warnings.append)
    assert (result is None and len(warnings) == 1) or (isinstance(result, DocResult) and not warnings)


def test_kg_query_never_prints_control_characters():
    import json as _json

    from kg.query import format_rows
    rows = [["\x1b[31mred\x1b[0m", "nul\x00here", "c1\x9bthere"]]
    for fmt in ("table", "csv", "json"):
        out = format_rows(["a", "b", "c"], rows, fmt)
        assert not any(ch in out for ch in "\x1b\x00\x9b"), fmt
    assert _json.loads(format_rows(["a", "b", "c"], rows, "json"))[0]["c"] == "c1\x9bthere"  # the value survives
    assert "\\x1b[31mred" in format_rows(["a", "b", "c"], rows, "table")


def test_a_file_named_on_the_command_line_with_a_name_that_is_not_utf8(tmp_path):
    # the name reaches the report (inputs) escaped, never as a lone surrogate that cannot be written
    import json as _json
    import os as _os

    from click.testing import CliRunner

    from kg.cli import main
    folder = _os.fsencode(str(tmp_path))
    with open(folder + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"Disc degeneration contributes to low back pain.")
    name = _os.fsdecode(folder + b"/caf\xe9.txt")
    result = CliRunner().invoke(main, ["build", name, "-o", str(tmp_path / "out"), "--quiet", "-f", "json"])
    assert result.exit_code == 0, result.output
    inputs = _json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["inputs"]
    assert inputs == [str(tmp_path) + "/caf\\xe9.txt"]


def test_a_build_that_reads_no_document_leaves_the_previous_outputs(tmp_path):
    # a typo in the input name, or an empty folder, must not replace a good graph with an empty one
    from click.testing import CliRunner

    from kg.cli import main
    paper = tmp_path / "ok.txt"
    paper.write_text("Disc degeneration contributes to low back pain.")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(paper), "-o", str(out), "--quiet", "-f", "json"]).exit_code == 0
    before = (out / "graph.json").read_bytes()
    (tmp_path / "empty").mkdir()
    for inputs in ([str(tmp_path / "nosuch_typo.md")], [str(tmp_path / "empty")]):
        result = CliRunner().invoke(main, ["build", *inputs, "-o", str(out), "--quiet", "-f", "json"])
        assert result.exit_code == 1 and "nothing to build" in result.output
        assert (out / "graph.json").read_bytes() == before
