"""The real-world corpus (gonghui_kit.ledgers.realworld) against the reader.

Every ledger of the corpus is made from the sample generator's records and
mess, reshaped the way offices do (merged dates, numbers as dates, capitals,
account codes, transfers, totals, signatures, two-row headers, 收入/支出
columns, hidden drafts, renamed and numbered sheets, 单位：万元 lines) and
sent the way they do (.xlsx, a folder of per-topic .xlsx/.csv, several 分会
in one workbook, a 统计表, .xls/.ods).  Its truth is the indicators a correct
reader computes.  The rule checked: for every ledger, the indicators equal the
truth, or ``gonghui check`` exits 1 with an error naming the cell.
"""

from __future__ import annotations

import json
import random

import pytest

from gonghui_kit.ledgers.realworld import CONTAINERS, SHAPES, Variant, make_corpus, random_variant
from gonghui_kit.ledgers.realworld.containers import soffice
from gonghui_kit.ledgers.sample.expected import mismatches


def _check(root, capsys):
    """``gonghui check ROOT --format json``: (exit code, findings)."""
    from gonghui_kit.cli import main

    capsys.readouterr()
    code = main(["check", str(root), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _indicators(root):
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.ingest.load import load_ledgers

    ind = compute_indicators(load_ledgers(root))
    return {(r.unit, r.year, r.indicator, r.category): r.value for r in ind.itertuples(index=False)}


def _files(out, corpus):
    return {p.relative_to(corpus.root.parent).as_posix() for p in out.paths}


def _errors_of(out, corpus, findings):
    mine = _files(out, corpus)
    return [f for f in findings if f["severity"] == "error" and f["file"] in mine]


def _cell(e) -> str:
    from gonghui_kit.ingest.findings import col_letters

    return f"{col_letters(e['col'])}{e['row']}"


def _assert_read_or_named(corpus, capsys):
    """The property: equal to the truth, or exit 1 naming the cell; planted
    errors always named at their cell; no error where nothing is wrong."""
    code, findings = _check(corpus.root, capsys)
    got = _indicators(corpus.root)
    problems = []
    for out in corpus.outputs:
        bad = mismatches(out.expected, got)
        errs = _errors_of(out, corpus, findings)
        label = f"{out.variant.container} {out.shapes} {sorted(_files(out, corpus))}"
        for e in out.errors:
            if not any(f["sheet"] == e["sheet"] and f["cell"] == _cell(e) for f in errs):
                problems.append(f"{label}: planted error at {e['sheet']}!{_cell(e)} not named: {errs[:3]}")
        if bad and not errs:
            problems.append(f"{label}: silently wrong, e.g. {bad[:3]}")
        if bad and code != 1:
            problems.append(f"{label}: wrong indicators but check exited {code}")
        if not out.errors and errs:
            problems.append(f"{label}: errors on a ledger read correctly: {[f['message'][:60] for f in errs[:3]]}")
    assert not problems, "\n".join(problems)
    return code, findings, got


# --------------------------------------------------------------------------
# every kind alone


@pytest.fixture(scope="module")
def each_shape(tmp_path_factory):
    """One ledger per shape (and per shape again in a multi-unit workbook)."""
    names = [s.name for s in SHAPES.values() if s.stage != "error"]
    variants = [Variant("xlsx", (n,)) for n in names] + [Variant("multi_unit", (n,), 2) for n in names]
    return make_corpus(tmp_path_factory.mktemp("shapes") / "报送", variants, seed=3)


def test_every_shape_is_placed(each_shape):
    placed = {s for o in each_shape.outputs if o.variant.container == "xlsx" for s in o.shapes}
    assert placed == {s.name for s in SHAPES.values() if s.stage != "error"}


def test_every_shape_alone_is_read_correctly_and_exits_zero(each_shape, capsys):
    code, findings, got = _assert_read_or_named(each_shape, capsys)
    assert code == 0, [f["message"] for f in findings if f["severity"] == "error"][:5]
    for out in each_shape.outputs:
        assert not mismatches(out.expected, got), (out.variant, mismatches(out.expected, got)[:5])


def test_shapes_leave_their_named_findings(each_shape, capsys):
    """What was read differently is said: the clerk sees what was done."""
    _, findings = _check(each_shape.root, capsys)
    codes = {f["code"] for f in findings}
    for code in ("title_scale", "account_code", "hidden_copy", "split_units", "date_ym_number", "number_chinese"):
        assert code in codes, code


# --------------------------------------------------------------------------
# every container


@pytest.fixture(scope="module")
def each_container(tmp_path_factory):
    rng = random.Random(5)
    variants = []
    for name in CONTAINERS:
        if name in ("xls", "ods"):
            continue
        pool = [s.name for s in SHAPES.values() if s.stage != "error" and not ("csv" in name and s.merges)]
        variants.append(Variant(name, tuple(rng.sample(pool, 3))))
    variants += [
        Variant("multi_unit", ("long_totals", "signature_lines"), 3),
        Variant("unit_sheets", ("merged_dates", "hidden_draft", "account_codes"), 3),
        Variant("summary", (), 3),
    ]
    return make_corpus(tmp_path_factory.mktemp("containers") / "报送", variants, seed=11)


def test_every_container_is_read_correctly(each_container, capsys):
    code, findings, got = _assert_read_or_named(each_container, capsys)
    assert code == 0, [f["message"] for f in findings if f["severity"] == "error"][:5]
    reported = [o for o in each_container.outputs if o.reported]
    assert reported and all(not mismatches(o.expected, got) for o in reported)


def test_a_unit_from_a_title_line_never_takes_the_fill_in_date_as_its_year(each_container, capsys):
    _, findings = _check(each_container.root, capsys)
    inferred = [f for f in findings if f["code"] == "unit_inferred"]
    assert inferred and {f["year"] for f in inferred} == {each_container.year}


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: cannot write .xls/.ods")
def test_xls_and_ods_are_read_correctly(tmp_path, capsys):
    variants = [
        Variant("xls", ("merged_dates", "capital_amounts", "two_row_header")),
        Variant("ods", ("account_codes", "long_totals", "hidden_draft")),
    ]
    corpus = make_corpus(tmp_path / "报送", variants, seed=2)
    assert sorted(p.suffix for o in corpus.outputs for p in o.paths) == [".ods", ".xls"]
    code, _, _ = _assert_read_or_named(corpus, capsys)
    assert code == 0


# --------------------------------------------------------------------------
# planted errors


def test_planted_errors_are_named_at_their_cell(tmp_path, capsys):
    names = [s.name for s in SHAPES.values() if s.stage == "error"]
    corpus = make_corpus(tmp_path / "报送", [Variant("xlsx", ("long_totals", n)) for n in names], seed=4)
    assert all(o.errors for o in corpus.outputs)
    code, findings, _ = _assert_read_or_named(corpus, capsys)
    assert code == 1


# --------------------------------------------------------------------------
# the property


@pytest.mark.parametrize("seed", range(12))
def test_random_variants_are_read_or_named(seed, tmp_path, capsys):
    rng = random.Random(seed)
    variants = [random_variant(rng) for _ in range(4)]
    corpus = make_corpus(tmp_path / "报送", variants, seed=seed)
    _assert_read_or_named(corpus, capsys)


# --------------------------------------------------------------------------
# the corpus itself


def test_truth_is_written_beside_and_never_read_as_a_ledger(tmp_path):
    corpus = make_corpus(tmp_path / "c", [Variant("xlsx", ("capital_amounts",)), Variant("summary", (), 2)], seed=1)
    files = sorted((tmp_path / "c" / "_truth").glob("*.json"))
    assert [f.name for f in files] == ["001.json", "002.json"]
    t = json.loads(files[1].read_text(encoding="utf-8"))
    assert t["container"] == "summary" and t["reported"] is True
    want = {tuple(e[:4]): e[4] for e in t["expected"]}
    assert want == {k: v for k, v in corpus.outputs[1].expected.items()}
    from gonghui_kit.ingest.files import discover

    found, _ = discover([tmp_path / "c"])
    assert not any("_truth" in p.parts for p in found)


def test_same_seed_same_corpus(tmp_path):
    v = [Variant("xlsx", ("numeric_dates", "two_row_header")), Variant("multi_unit", ("capital_amounts",), 2)]
    a = make_corpus(tmp_path / "a", v, seed=9)
    b = make_corpus(tmp_path / "b", v, seed=9)
    assert [o.expected for o in a.outputs] == [o.expected for o in b.outputs]
    assert [o.shapes for o in a.outputs] == [o.shapes for o in b.outputs]


def test_unknown_shape_or_container_is_refused():
    with pytest.raises(ValueError, match="unknown shapes"):
        Variant("xlsx", ("no_such_shape",))
    with pytest.raises(ValueError, match="unknown container"):
        Variant("floppy", ())


def test_gonghui_sample_real_world_writes_a_corpus_check_reads(tmp_path, capsys):
    from gonghui_kit.cli import main

    assert main(["sample", str(tmp_path / "rw"), "--real-world", "--units", "4", "--years", "2024", "--seed", "2"]) == 0
    said = capsys.readouterr().out
    assert "4 份按实际报送样子改写的台账（2024 年度" in said
    assert len(list((tmp_path / "rw" / "_truth").glob("*.json"))) == 4
    code, findings = _check(tmp_path / "rw", capsys)
    assert code == 0, [f["message"] for f in findings if f["severity"] == "error"][:3]  # no planted errors asked for
