"""Grounding over the field's whole vocabulary: the names real disc papers use, the variants of real prose,
the guards that keep precision, and the loaded-ontology rules (no shadowing, roots never match)."""
from __future__ import annotations

import gzip
import json

import pytest

from kg.analysis import Analyser
from kg.ontology.lexicon import default_lexicon, with_ontologies
from kg.ontology.matcher import CompiledTable, Matcher, compile_table
from kg.ontology.variants import default_policy

from .conftest import SHARED, make_document


def grounded(analyser, text, every=False):
    doc = analyser.analyse(make_document(text))
    return [(m.text, m.curie) for m in (doc.all_mentions if every else doc.mentions)]


def ids(analyser, text):
    return {c for _, c in grounded(analyser, text)}


# Names from real disc-regeneration abstracts that the first version never grounded.
@pytest.mark.parametrize("phrase,curie", [
    ("exosomes", "IVDKG:exosome_therapy"), ("extracellular vesicles", "IVDKG:exosome_therapy"),
    ("ADSCs", "CL:0002570"), ("ADMSCs", "CL:0002570"), ("adipose-derived stem cells", "CL:0002570"),
    ("NPMSCs", "IVDKG:np_derived_msc"), ("NP-derived MSCs", "IVDKG:np_derived_msc"),
    ("Tie2+ progenitors", "IVDKG:tie2_np_progenitor_cell"), ("hyperosmolarity", "IVDKG:hyperosmolarity"),
    ("compression", "IVDKG:mechanical_overload"), ("mTOR", "HGNC:3942"), ("angiopoietin-1", "HGNC:484"),
    ("MMP-2", "HGNC:7166"), ("SOX9", "HGNC:11204"), ("Sox9", "HGNC:11204"), ("BMP-2", "HGNC:1069"),
    ("TGF-β3", "HGNC:11769"), ("GAG", "CHEBI:18085"), ("oxidative stress", "MESH:D018384"),
    ("PLGA", "MESH:D000077182"), ("discectomy", "MESH:D017586"), ("spinal fusion", "MESH:D013123"),
    ("bone marrow-derived MSCs", "CL:0002540"), ("umbilical cord MSCs", "CL:0002569"),
    ("chondrogenic differentiation", "GO:0002062"), ("osteogenic differentiation", "GO:0001649"),
    ("wound healing", "GO:0042060"), ("miR-21", "HGNC:31586"), ("miR-146a-5p", "HGNC:31533"),
])
def test_the_fields_names_ground(analyser, phrase, curie):
    assert grounded(analyser, f"We studied {phrase} here.") == [(phrase, curie)]


@pytest.mark.parametrize("forms,curie", [
    (("TGF-β1", "TGF-beta1", "TGF-beta 1", "TGFB1"), "HGNC:11766"),
    (("haematopoietic stem cells", "hematopoietic stem cells"), "CL:0000037"),
    (("alpha cells", "α-cells"), "CL:0004117"),
    (("ACAN", "aggrecan"), "HGNC:319"),
    (("COL2A1", "collagen II", "type II collagen"), "HGNC:2200"),
    (("neuronal", "neurons"), "CL:0000540"),
    (("embryonic", "embryos"), "UBERON:0000922"),
])
def test_variants_of_real_prose_ground_to_one_term(analyser, forms, curie):
    for form in forms:
        assert grounded(analyser, f"We studied {form} here.") == [(form, curie)], form


def test_an_abbreviation_defined_inside_a_term_reads_as_its_long_form(analyser):
    doc = analyser.analyse(make_document("Embryonic stem (ES) cells were grown. ES cells then formed embryoid bodies."))
    cells = [m for m in doc.mentions if m.curie == "CL:0002322"]
    assert [m.text for m in cells] == ["Embryonic stem (ES) cells", "ES cells"]
    assert cells[0].parts == ((0, 14), (20, 25))  # the definition is not part of the mention


def test_coordinated_names_share_their_words(analyser):
    doc = analyser.analyse(make_document("NP and AF cells, and type I and II collagen, were measured."))
    found = {(m.curie, m.parts) for m in doc.mentions}
    assert ("CL:0002564", ((0, 2), (10, 15))) in found  # "NP ... cells"
    assert {"CL:0002602", "HGNC:2197", "HGNC:2200"} <= {c for c, _ in found}


def test_marker_defined_cells_keep_their_marker(analyser):
    doc = analyser.analyse(make_document("CD146+ progenitor cells and CD34+ cells were sorted."))
    marked = [(m.curie, m.markers) for m in doc.mentions if m.markers]
    assert marked == [("CL:0011026", ("CD146",)), ("CL:0000000", ("CD34",))]


def test_a_longest_match_keeps_nested_names_of_another_ontology(analyser):
    doc = analyser.analyse(make_document("Retinal ganglion cells and bone marrow-derived MSCs were compared."))
    assert [(m.text, m.curie) for m in doc.mentions] == [("Retinal ganglion cells", "CL:0000740"),
                                                         ("bone marrow-derived MSCs", "CL:0002540")]
    nested = {(m.text, m.curie) for m in doc.all_mentions if m.nested}
    assert {("Retinal", "UBERON:0000966"), ("bone marrow", "UBERON:0002371")} <= nested
    assert not any(c.startswith("CL:") for _, c in nested)  # never a shorter cell inside a cell ("ganglion cells")


@pytest.mark.parametrize("text", [
    "The SET and CAT data were read with MRI.",       # gene symbols that are words or clinical acronyms
    "Lysates were made with NP-40 buffer.",           # a reagent, not the nucleus pulposus
    "Scale bars, 50 μm.",                              # a figure label
    "On the other hand, the study arm was small.",     # idioms and trial words
    "Patients were divided into two groups.",          # a common verb, not cell division
    "Let us compare them.",
])
def test_precision_guards(analyser, text):
    assert not any(c.startswith(("HGNC:", "UBERON:", "GO:", "MONDO:")) for c in ids(analyser, text))


def test_a_short_cell_name_needs_its_context(analyser):
    assert "CL:0000604" not in ids(analyser, "Pedicle screws and rods were placed after discectomy.")
    assert "CL:0000604" in ids(analyser, "In the retina, rods and cones degenerate.")


def test_verb_forms_of_processes_are_mentions_but_not_relation_arguments(analyser):
    doc = analyser.analyse(make_document("Nucleus pulposus cells expressed aggrecan."))
    assert ("expressed", "GO:0010467") in [(m.text, m.curie) for m in doc.all_mentions]
    assert "GO:0010467" not in {m.curie for m in doc.mentions}


def test_the_compiled_table_round_trips_through_its_cache_format(lexicon):
    table = compile_table(lexicon, default_policy())
    compiled = CompiledTable.of(table)
    again = CompiledTable.from_json(json.loads(json.dumps(compiled.to_json())))
    assert again == compiled and len(compiled.rows) > 300_000  # the whole vocabulary: hundreds of thousands


OBO = """format-version: 1.2

[Term]
id: CL:0000000
name: cell

[Term]
id: CL:9999001
name: quux cell
is_a: CL:0000000

[Term]
id: UBERON:0001062
name: anatomical entity

[Term]
id: GO:0008150
name: biological_process
synonym: "biological process" EXACT []

[Term]
id: CHEBI:24431
name: chemical entity

[Term]
id: CHEBI:23367
name: molecular entity
is_a: CHEBI:24431
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("onto") / "tiny.obo.gz"
    path.write_bytes(gzip.compress(OBO.encode()))
    return Analyser(with_ontologies(default_lexicon(), [path]))


def test_a_loaded_ontology_replaces_hierarchy_only_entries(lexicon, loaded):
    assert not lexicon.get("CHEBI:23367").matchable  # in the default lexicon only as an ancestor
    assert ids(loaded, "A molecular entity was found.") == {"CHEBI:23367"}
    assert ids(loaded, "A quux cell was found.") == {"CL:9999001"}  # and the .gz file was read


@pytest.mark.parametrize("root", ["cell", "anatomical entity", "biological process"])
def test_roots_never_match_even_when_loaded(loaded, root):
    assert ids(loaded, f"Every {root} counts.") == set()


def test_the_matcher_is_shared_by_analysers_of_one_lexicon(lexicon):
    assert Matcher.of(lexicon) is Matcher.of(lexicon)


CRAFT = SHARED / "craft"


@pytest.mark.skipif(not (CRAFT / "annotations").is_dir(), reason="../shared/craft is not present")
def test_craft_benchmark_scores_cell_types_on_development_articles():
    """Two of CRAFT's development articles, CL annotations, the CL version CRAFT used loaded."""
    from scripts.bench_craft import craft_document, gold_for, matching_files, read_ids
    from kg.evaluate import score_mentions
    from kg.mentions import records_of

    pmids = read_ids(CRAFT, "dev")[:2]
    gold = gold_for(CRAFT, "CL", pmids)
    analyser = Analyser(with_ontologies(default_lexicon(), matching_files("CL", CRAFT, SHARED / "ontologies", CRAFT)))
    system = [r for p in pmids for r in records_of(craft_document(CRAFT, p), analyser.analyse(craft_document(CRAFT, p)).all_mentions)]
    score = score_mentions(gold, system, prefixes=("CL",))
    assert score.f1 >= 0.6 and score.tp >= 20


# The fast paths of grounding (tokens made without a Python step per token, one dictionary look-up per word,
# whole-phrase look-ups) against plain definitions of what they compute.

HOSTILE_TEXT = ("TGF-β1 and IL-1β (IL1B) in NP_cells: x²+y½, naïve MSCs, ǅ, Ⅻ, ①, 'quoted', —dash– ‐ \u2028"
                "tab\there \x00\x1f İstanbul ß ﬁ 𝔘 e\u0301 3D-printed PLGA/PCL 10-20% N-cadherin+ cells.")


def test_tokens_have_the_offsets_and_keys_of_one_regex_match_at_a_time():
    import re
    from kg.nlp.tokens import normalise, tokenize

    token = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
    for text in (HOSTILE_TEXT, "", "   ", "word", " (a) ", HOSTILE_TEXT * 3):
        for offset in (0, 17):
            expected = [(m.start() + offset, m.end() + offset, m.group(), normalise(m.group()))
                        for m in token.finditer(text)]
            assert [tuple(t) for t in tokenize(text, offset)] == expected


def test_tokenising_leaves_the_garbage_collector_as_it_was():
    import gc
    from kg.nlp.tokens import tokenize

    assert gc.isenabled()
    tokenize(HOSTILE_TEXT)
    assert gc.isenabled()
    gc.disable()
    try:
        tokenize(HOSTILE_TEXT)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _sentences():
    from kg.nlp.tokens import INVISIBLE, tokenize
    from kg.resources import data_dir

    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(data_dir("corpus").glob("*.[mt][dx]*")))
    text += (" Embryonic stem (ES) cells and ES cells, NP and AF cells, type I and II collagen, NP-40 buffer, "
             "scale bars, umbilical cord MSCs, bone marrow-derived MSCs, retinal ganglion cells. " + HOSTILE_TEXT)
    tokens = [t for t in tokenize(text) if t.text not in INVISIBLE]
    return [tokens[k:k + n] for k in range(0, len(tokens), 7) for n in (1, 2, 5, 30)]


def _longest_matches(matcher, rows, keys, own, limit=None):
    """What the scan is defined to find: from left to right, the longest phrase of the table (or of `own`, which
    wins) starting at each position, no longer than `limit`; a phrase that is never a concept takes its words."""
    from kg.ontology.matcher import BLOCK

    out, i, n = [], 0, len(keys)
    while i < n:
        found = None
        for last in range(i, min(n, i + (limit or n))):
            phrase = "\x1f".join(keys[i:last + 1])
            if phrase in own:
                found = (last, own[phrase][0].id, own[phrase][1]) if own[phrase][0] is not None else found
            elif phrase in rows:
                row = rows[phrase]
                found = (last, matcher.compiled.ids[row], matcher.compiled.hows[matcher.compiled.how_of[row]])
        if found is None:
            i += 1
            continue
        if found[1] != BLOCK:
            out.append((i, found[0], found[1], found[2]))
        i = found[0] + 1
    return out


def test_the_scan_finds_the_longest_phrase_at_each_position(analyser, lexicon):
    matcher = analyser.matcher
    rows = matcher.compiled.rows
    cells = lexicon.get("CL:0000000")
    for tokens in _sentences():
        keys = [t.key for t in tokens]
        own = {tuple(keys[:2]): (cells, "cue"), tuple(keys[1:2]): (None, "cue")} if len(keys) > 2 else {}
        for local in ({}, own):
            for shorter in (False, True):
                found = [(h.first, h.last, h.term.id, h.matched_by) for h in matcher.scan(tokens, local, None, shorter)]
                expected = _longest_matches(matcher, rows, keys, {"\x1f".join(k): v for k, v in local.items()},
                                            len(keys) - 1 if shorter else None)
                assert found == expected, keys


def test_whole_is_the_one_hit_that_covers_every_token(analyser):
    matcher = analyser.matcher
    for expansions in ({}, analyser.prior_expansions, {**analyser.prior_expansions, "ES": ((), "abbreviation")}):
        for tokens in _sentences():
            for n in range(1, min(len(tokens), 6) + 1):
                found = matcher.scan(tokens[:n], {}, expansions)
                one = found[0].term if len(found) == 1 and (found[0].first, found[0].last) == (0, n - 1) else None
                assert matcher.whole(tokens[:n], expansions) == one, [t.text for t in tokens[:n]]
    assert matcher.whole([]) is None


def test_a_short_form_is_read_as_its_long_form_only_over_whole_tokens(analyser):
    doc = analyser.analyse(make_document("Embryonic stem (ES) cells were grown; ES cells, EScells and NP-40 lysis."))
    assert [(m.text, m.curie) for m in doc.mentions if m.curie == "CL:0002322"] == [
        ("Embryonic stem (ES) cells", "CL:0002322"), ("ES cells", "CL:0002322")]
    assert not any(m.text.startswith("NP") for m in doc.all_mentions)


def test_a_table_cache_with_damaged_columns_is_not_used(lexicon):
    compiled = Matcher.of(lexicon).compiled
    data = compiled.to_json()
    assert CompiledTable.from_json(data) == compiled
    damaged = {"also_prefix": data["also_prefix"][:-2], "ids": data["ids"] + "\nX:1", "format": "phrases-v1",
               "prefixes": data["prefixes"] + "\n" + data["keys"].split("\n")[0]}  # a phrase twice
    for column, value in damaged.items():
        with pytest.raises(ValueError):
            CompiledTable.from_json({**data, column: value})


def test_loading_a_lexicon_leaves_the_garbage_collector_as_it_was(tmp_path):
    import gc
    from kg.ontology.lexicon import load_lexicon

    path = tmp_path / "lexicon.tsv"
    path.write_text("id\tlabel\tcategory\tsynonyms\tparents\tclose_match\tbroad_match\tsource\tmatch\tdefinition\n"
                    "CL:0000000\tcell\tCellType\tEXACT:cellula|plain|:odd\t\t\t\ttest\tno\t\n", encoding="utf-8")
    assert gc.isenabled()
    term = load_lexicon(path).get("CL:0000000")
    assert gc.isenabled()
    assert term.synonyms == ("cellula", "plain", ":odd")
    assert term.synonym_scopes == ("EXACT", "UNSPECIFIED", "UNSPECIFIED")


def test_process_names_are_read_inverted_and_the_policy_fields_are_where_they_belong(analyser):
    # "X degradation" is also "degradation of (the) X"; and the policy's excluded words and adjective
    # targets are the right sets (they were once passed in each other's place)
    from kg.ontology.variants import default_policy
    found = grounded(analyser, "Degradation of the extracellular matrix and degeneration of the intervertebral discs.")
    assert ("Degradation of the extracellular matrix", "GO:0022617") in found
    assert ("degeneration of the intervertebral discs", "MONDO:0011385") in found
    policy = default_policy()
    assert "CellType" in policy.adjective_targets and "CellType" not in policy.excluded
    assert policy.excluded and not policy.excluded & {"CellType", "Mechanism"}
