"""Pre-flight inspection (gonghui_kit.ingest.safety) against hostile files built by tests/hostile.py."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import hostile as h
import pytest

from gonghui_kit.ingest.safety import Inspection, Limits, Problem, inspect_workbook

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_message(p: Problem) -> None:
    """One clear Chinese line."""
    assert CJK.search(p.message), p
    assert "\n" not in p.message, p
    assert p.severity in ("error", "warning", "info"), p


def problem(ins: Inspection, code: str) -> Problem:
    found = [p for p in ins.problems if p.code == code]
    assert found, f"expected {code!r}, got {[(p.code, p.message) for p in ins.problems]}"
    for p in ins.problems:
        assert_message(p)
    return found[0]


def refused(path: Path, code: str, **kw) -> Inspection:
    ins = inspect_workbook(path, **kw)
    assert isinstance(ins, Inspection)
    assert not ins.ok
    p = problem(ins, code)
    assert p.severity == "error"
    return ins


# --------------------------------------------------------------------------
# big builds, once per session


@pytest.fixture(scope="session")
def big(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile_big")
    cache: dict[str, Path] = {}

    def get(key: str) -> Path:
        if key not in cache:
            z = {"compresslevel": 6}  # same size as 9 for these rows, 5x faster to build
            cache[key] = {
                "bomb_lie": lambda: h.row_bomb(d, dimension="A1:B2", name="lie.xlsx", **z),
                "bomb_honest": lambda: h.row_bomb(d, dimension="A1:A4000000", name="honest.xlsx", **z),
                "bomb_nodim": lambda: h.row_bomb(d, name="nodim.xlsx", **z),
                "bomb_numbered": lambda: h.row_bomb(
                    d, rows=1_100_000, every=1, dimension="A1:A1", name="numbered.xlsx", **z
                ),
                "prefixed": lambda: h.prefixed_namespace(d),
                "big_dim": lambda: h.big_good_workbook(d, rows=40_000, cols=30, name="big_dim.xlsx"),
                "big_nodim": lambda: h.big_good_workbook(
                    d, rows=40_000, cols=30, dimension=False, name="big_nodim.xlsx"
                ),
            }[key]()
        return cache[key]

    return get


# --------------------------------------------------------------------------
# good workbooks


def test_good_workbook_is_ok_with_dims(tmp_path):
    ins = inspect_workbook(h.good_workbook(tmp_path))
    assert ins.ok
    assert ins.kind == "xlsx"
    assert ins.problems == ()
    assert ins.errors == () and ins.notes == ()
    assert ins.sheet_dims == {"会员名册": (6, 4), "经费收支": (3, 3)}
    assert ins.path == tmp_path / "会员名册.xlsx"


def test_accepts_str_path(tmp_path):
    assert inspect_workbook(str(h.good_workbook(tmp_path))).ok


@pytest.mark.parametrize("key", ["big_dim", "big_nodim"])
def test_big_legitimate_sheet_is_ok_with_exact_dims(big, key):
    ins = inspect_workbook(big(key))
    assert ins.ok, ins.problems
    assert ins.sheet_dims == {"台账": (40_001, 30)}


def test_raw_gt_in_sheet_name_still_maps_the_sheet(tmp_path):
    ins = inspect_workbook(h.gt_in_sheet_name(tmp_path))
    assert ins.ok
    assert ins.sheet_dims == {"收入>支出": (7, 3)}


# --------------------------------------------------------------------------
# refused: what the file is, by content


@pytest.mark.parametrize(
    "builder, code, kind, words",
    [
        (h.encrypted_xls, "encrypted", "xls", "密码"),
        (h.encrypted_xlsx, "encrypted", "encrypted", "密码"),
        (h.word_doc, "not_workbook", "doc", "Word"),
        (h.truncated_xlsx, "corrupt", None, "损坏"),
        (h.crc_corrupt_xlsx, "corrupt", None, "损坏"),
        (h.text_as_xlsx, "not_workbook", "text", "文本"),
        (h.gbk_csv_as_xlsx, "not_workbook", "text", "文本"),
        (h.pdf_as_xlsx, "not_workbook", "pdf", "PDF"),
        (h.html_as_xlsx, "not_workbook", "html", "HTML"),
        (h.docx_as_xlsx, "not_workbook", "docx", "Word"),
        (h.plain_zip, "not_workbook", "zip", "压缩包"),
        (h.empty_file, "empty", "empty", "空"),
        (h.dir_named_xlsx, "is_dir", "directory", "文件夹"),
    ],
)
def test_refused_by_content(tmp_path, builder, code, kind, words):
    ins = refused(builder(tmp_path), code)
    if kind is not None:
        assert ins.kind == kind
    assert words in problem(ins, code).message


@pytest.mark.parametrize(
    "raw, kind",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 64, "archive"),
        (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, "archive"),
        (b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 64, "lnk"),
        (
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
            "xml2003",
        ),
        (b'<?xml version="1.0"?><note>hi</note>', "xml"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n", "mht"),
        ("姓名\t会费\n张三\t10\n".encode("utf-16"), "text"),
        (bytes(range(256)) * 4, "unknown"),
        (b"PK\x05\x06" + b"\x00" * 18, "zip"),
    ],
)
def test_refused_by_sniffing(tmp_path, raw, kind):
    p = tmp_path / "报送.xlsx"
    p.write_bytes(raw)
    assert refused(p, "not_workbook").kind == kind


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads everything")
def test_unreadable(tmp_path):
    p = h.good_workbook(tmp_path)
    p.chmod(0)
    try:
        assert "权限" in problem(refused(p, "unreadable"), "unreadable").message
    finally:
        p.chmod(0o644)


@pytest.mark.parametrize("builder, kind", [(h.old_xls, "xls"), (h.ods_as_xlsx, "ods"), (h.xlsb_as_xlsx, "xlsb")])
def test_xls_ods_xlsb_pass_to_the_reader(tmp_path, builder, kind):
    """.xls, .ods and .xlsb are read through calamine (intake issue; they were
    refused before): the inspection lets them through with their kind; these
    stubs hold no sheet, so reading them fails with a clear message."""
    from gonghui_kit.ingest.load import load_workbook

    ins = inspect_workbook(builder(tmp_path))
    assert ins.ok and ins.kind == kind
    res = load_workbook(ins.path)
    assert res.status == "refused" and [f.code for f in res.findings] in (["corrupt"], ["no_info"])
    assert "另存为" in res.findings[0].message or "基本信息" in res.findings[0].message


def test_messages_say_what_to_do(tmp_path):
    assert "另存为" in problem(inspect_workbook(h.encrypted_xls(tmp_path)), "encrypted").message
    assert "取消密码" in problem(inspect_workbook(h.encrypted_xlsx(tmp_path)), "encrypted").message
    assert "重新导出" in problem(inspect_workbook(h.truncated_xlsx(tmp_path)), "corrupt").message


def test_missing_file(tmp_path):
    ins = refused(tmp_path / "没有这个文件.xlsx", "not_found")
    assert ins.kind == "missing"
    refused(h.text_as_xlsx(tmp_path) / "x.xlsx", "not_found")  # a file used as a directory


def test_symlink_is_never_followed(tmp_path):
    good = h.good_workbook(tmp_path)
    ins = refused(h.symlink_to(tmp_path, good), "symlink")
    assert ins.sheet_dims == {}
    refused(h.symlink_to(tmp_path, tmp_path / "nowhere.xlsx", name="dangling.xlsx"), "symlink")
    sub = tmp_path / "dir"
    sub.mkdir()
    refused(h.symlink_to(tmp_path, sub, name="to_dir.xlsx"), "symlink")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_fifo_is_refused_without_blocking(tmp_path):
    t = time.perf_counter()
    refused(h.fifo(tmp_path), "not_file")
    assert time.perf_counter() - t < 5


def test_too_large(tmp_path):
    p = h.good_workbook(tmp_path)
    ins = refused(p, "too_large", limits=Limits(max_file_bytes=1000))
    assert "KB" in ins.problems[0].message


# --------------------------------------------------------------------------
# zip bombs and lies about sizes


def test_ratio_bomb(tmp_path):
    ins = refused(h.ratio_bomb(tmp_path), "zip_bomb")
    msg = problem(ins, "zip_bomb").message
    assert "64.0 MB" in msg and "压缩比" in msg


def test_declared_size_bomb(tmp_path):
    msg = problem(refused(h.declared_size_bomb(tmp_path), "zip_bomb"), "zip_bomb").message
    assert "3.0 GB" in msg


def test_declared_sum_over_limit(tmp_path):
    p = h.good_workbook(tmp_path)
    refused(p, "zip_bomb", limits=Limits(max_uncompressed_bytes=2000))


def test_size_that_lies_is_caught_while_inflating(tmp_path):
    refused(h.size_liar(tmp_path), "corrupt")


def test_too_many_members(tmp_path):
    ins = refused(h.many_members(tmp_path), "zip_bomb")
    assert "12,005" in ins.problems[0].message


# --------------------------------------------------------------------------
# XML entities


@pytest.mark.parametrize("builder", [h.billion_laughs, h.xxe_workbook, h.dtd_after_whitespace])
def test_dtd_is_refused(tmp_path, builder):
    refused(builder(tmp_path), "xml_entities")


# --------------------------------------------------------------------------
# rows, columns, used range


def test_wide_dimension(tmp_path):
    ins = refused(h.wide_dimension(tmp_path), "too_many_cols")
    p = problem(ins, "too_many_cols")
    assert p.sheet == "宽表" and "宽表" in p.message and "16,385" in p.message
    assert ins.sheet_dims["宽表"] == (1, 16_385)


@pytest.mark.parametrize("dimension", [None, "A1:A1", "A1:XFD100000"])
def test_far_cell_used_range(tmp_path, dimension):
    ins = refused(h.far_cell(tmp_path, dimension=dimension), "too_many_cells")
    p = problem(ins, "too_many_cells")
    assert p.sheet == "名册" and "100,000" in p.message and "16,384" in p.message
    assert ins.sheet_dims["名册"] == (100_000, 16_384)


@pytest.mark.parametrize(
    "builder, code, dims",
    [
        (h.utf16_sheet, "too_many_rows", (2_000_000, 1)),
        (h.nonascending_rows, "too_many_rows", (3_000_000, 1)),
        (h.rless_wide, "too_many_cols", (1, 20_000)),
        (h.hidden_far_corner, "too_many_cells", (99_999, 16_384)),
        (h.spaced_attrs, "too_many_cells", (99_999, 16_384)),
        (h.lowercase_refs, "too_many_cells", (99_999, 16_384)),
    ],
)
def test_extent_cannot_hide(tmp_path, builder, code, dims):
    ins = refused(builder(tmp_path), code)
    assert ins.sheet_dims["Sheet1"] == dims


def test_rows_without_numbers_are_counted(tmp_path):
    ins = refused(h.rless_rows(tmp_path), "too_many_rows")
    assert ins.sheet_dims["Sheet1"][0] > 1_000_000


def test_unlisted_worksheet_is_scanned(tmp_path):
    ins = refused(h.orphan_sheet(tmp_path), "too_many_cells")
    assert ins.sheet_dims == {"Sheet1": (1, 1)}  # only listed sheets are named
    assert problem(ins, "too_many_cells").sheet == "xl/worksheets/sheet9.xml"


def test_utf16_sheet_warns(tmp_path):
    assert problem(inspect_workbook(h.utf16_sheet(tmp_path)), "odd_encoding").severity == "warning"


@pytest.mark.slow
def test_prefixed_namespace(big):
    ins = refused(big("prefixed"), "too_many_rows")
    assert ins.sheet_dims["Sheet1"][0] > 1_000_000


@pytest.mark.slow
@pytest.mark.parametrize("key", ["bomb_lie", "bomb_nodim", "bomb_numbered", "bomb_honest"])
def test_row_bomb_refused_fast(big, key):
    p = big(key)
    assert p.stat().st_size < 6 * 2**20
    t = time.perf_counter()
    ins = refused(p, "too_many_rows")
    elapsed = time.perf_counter() - t
    assert elapsed < 5, elapsed  # a generous guard: ~0.5 s here
    msg = problem(ins, "too_many_rows").message
    assert "Sheet1" in msg
    rows = ins.sheet_dims["Sheet1"][0]
    assert rows > 1_000_000
    assert f"{rows:,}" in msg
    if key == "bomb_honest":  # refused from <dimension> alone
        assert rows == 4_000_000 and "上限 1,048,576" in msg


_RSS_PROBE = textwrap.dedent(
    """
    import json, resource, sys, time
    from gonghui_kit.ingest.safety import inspect_workbook
    scale = 1 if sys.platform != "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    t = time.perf_counter()
    ins = inspect_workbook(sys.argv[1])
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    print(
        json.dumps({"codes": [p.code for p in ins.problems], "growth_mb": (after - before) / 1024, "elapsed": elapsed})
    )
    """
)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX only")
@pytest.mark.parametrize("key", ["bomb_lie", "bomb_numbered"])
def test_row_bomb_memory_is_bounded(big, key):
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(big(key))], capture_output=True, text=True, timeout=120, check=True
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert "too_many_rows" in r["codes"]
    assert r["growth_mb"] < 300, r
    assert r["elapsed"] < 5, r


def test_custom_row_limit(tmp_path):
    p = h.good_workbook(tmp_path)
    ins = refused(p, "too_many_rows", limits=Limits(max_sheet_rows_default=5))
    p = problem(ins, "too_many_rows")
    assert p.sheet == "会员名册" and "上限 5 行" in p.message
    refused(h.good_workbook(tmp_path, name="b.xlsx"), "too_many_cells", limits=Limits(max_sheet_cells=10))


# --------------------------------------------------------------------------
# read, but say so


def test_long_text_is_a_warning(tmp_path):
    ins = inspect_workbook(h.long_text(tmp_path))
    assert ins.ok
    p = problem(ins, "long_text")
    assert p.severity == "warning" and "1 个单元格" in p.message


def test_long_text_counts_characters_not_bytes(tmp_path):
    assert inspect_workbook(h.cjk_text(tmp_path, chars=20_000)).problems == ()  # 60 KB, 20,000 characters
    ins = inspect_workbook(h.cjk_text(tmp_path, chars=40_000, name="b.xlsx"))
    assert problem(ins, "long_text").severity == "warning"


def test_control_characters_are_an_info(tmp_path):
    ins = inspect_workbook(h.control_chars(tmp_path))
    assert ins.ok
    assert problem(ins, "control_chars").severity == "info"
    assert ins.sheet_dims == {"Sheet1": (1, 2)}


def test_macros_are_an_info(tmp_path):
    ins = inspect_workbook(h.macro_xlsm(tmp_path))
    assert ins.ok and ins.kind == "xlsm"
    p = problem(ins, "macros")
    assert p.severity == "info" and "不会被运行" in p.message


def test_external_links_are_a_warning(tmp_path):
    ins = inspect_workbook(h.external_link(tmp_path))
    assert ins.ok
    p = problem(ins, "external_links")
    assert p.severity == "warning" and "不会被访问" in p.message
    assert ins.notes == (p,)


def test_files_called_ok_really_open(tmp_path):
    """What the inspection lets through, calamine reads (the builders make real workbooks)."""
    import python_calamine as pc

    for builder in (h.good_workbook, h.macro_xlsm, h.external_link, h.long_text, h.control_chars, h.gt_in_sheet_name):
        p = builder(tmp_path)
        assert inspect_workbook(p).ok
        wb = pc.CalamineWorkbook.from_path(str(p))
        assert all(wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names)


# --------------------------------------------------------------------------
# robustness


def test_never_raises_on_damaged_files(tmp_path):
    rng = random.Random(20240501)
    sources = [h.good_workbook(tmp_path), h.old_xls(tmp_path), h.encrypted_xlsx(tmp_path), h.macro_xlsm(tmp_path)]
    n = 0
    for src in sources:
        data = src.read_bytes()
        variants = [data[:k] for k in sorted(rng.sample(range(1, len(data)), 25))]
        for _ in range(40):
            b = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            variants.append(bytes(b))
        for v in variants:
            p = tmp_path / f"v{n}.xlsx"
            n += 1
            p.write_bytes(v)
            ins = inspect_workbook(p)
            assert isinstance(ins, Inspection)
            for pr in ins.problems:
                assert_message(pr)


def test_programmer_errors_raise():
    with pytest.raises(TypeError):
        inspect_workbook(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        inspect_workbook("x.xlsx", limits={"max_rows": 5})  # type: ignore[arg-type]


def test_results_are_frozen(tmp_path):
    ins = inspect_workbook(h.good_workbook(tmp_path))
    with pytest.raises(AttributeError):
        ins.kind = "xls"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        Limits().max_rows = 5  # type: ignore[misc]


# --------------------------------------------------------------------------
# WPS .et (a BIFF8 .xls under another name, or an .xlsx inside) and small
# workbooks whose Workbook stream lives in the mini stream


def _record(rtype: int, data: bytes = b"") -> bytes:
    import struct

    return struct.pack("<HH", rtype, len(data)) + data


BIFF_BOF = _record(0x0809, bytes.fromhex("0006 0500 bb0d cc07 c9800000 06020000".replace(" ", "")))
FILEPASS = _record(0x002F, bytes.fromhex("0100 0100 0100") + bytes(48))  # RC4 CryptoAPI, as LibreOffice/WPS write


def mini_stream_xls(path: Path, workbook: bytes) -> Path:
    """A version-3 compound file whose one stream, ``Workbook`` (under the 4,096-byte cutoff),
    lives in the mini stream: what LibreOffice writes for a one-sheet .xls (a ~1.9 KB stream).

    Sectors: 0 FAT, 1 directory, 2 mini FAT, 3… the mini stream (the root entry's stream).
    """
    import struct

    assert len(workbook) < 4096
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    minis = (len(workbook) + 63) // 64
    container = workbook.ljust(minis * 64, b"\x00")
    n_cont = (len(container) + 511) // 512
    fat = [0xFFFFFFFD, end, end] + [4 + i for i in range(n_cont - 1)] + [end]
    minifat = [i + 1 for i in range(minis - 1)] + [end]

    def entry(name: str, typ: int, start: int, size: int, child: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), typ, 1)
        e += struct.pack("<III", free, free, child) + bytes(16) + bytes(4) + bytes(16)
        return e + struct.pack("<IQ", start, size)

    directory = entry("Root Entry", 5, 3, len(container), child=1) + entry("Workbook", 2, 0, len(workbook))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    body = [
        struct.pack("<128I", *(fat + [free] * (128 - len(fat)))),
        directory.ljust(512, b"\x00"),
        struct.pack("<128I", *(minifat + [free] * (128 - len(minifat)))),
        container.ljust(n_cont * 512, b"\x00"),
    ]
    path.write_bytes(header + b"".join(body))
    return path


@pytest.mark.parametrize("name", ["小台账.xls", "小台账.et"])
def test_small_encrypted_xls_in_the_mini_stream_is_refused(tmp_path, name):
    """A password on a small .xls/.et (its Workbook stream under 4 KB, in the mini stream) is found
    before calamine opens it (it was let through and then refused as corrupt, 文件无法打开)."""
    body = BIFF_BOF + FILEPASS + _record(0x00E1, b"\x00\x00") + bytes(1800) + _record(0x000A)
    ins = refused(mini_stream_xls(tmp_path / name, body), "encrypted")
    assert ins.kind == "xls" and "密码" in problem(ins, "encrypted").message
    plain = BIFF_BOF + _record(0x00E1, b"\x00\x00") + bytes(1800) + _record(0x000A)
    ok = inspect_workbook(mini_stream_xls(tmp_path / f"无密码{name}", plain))
    assert ok.ok and ok.kind == "xls"  # no FILEPASS: not refused


def test_et_is_judged_by_content_like_xls_and_xlsx(tmp_path):
    """WPS .et: a BIFF8 compound file (the same records as .xls) or an .xlsx zip; either passes to
    the reader, and a password is refused with the message an .xls or .xlsx gets."""
    assert inspect_workbook(h.old_xls(tmp_path, "旧版.et")).kind == "xls"
    ooxml = tmp_path / "新版.et"
    ooxml.write_bytes(h.good_workbook(tmp_path).read_bytes())
    ins = inspect_workbook(ooxml)
    assert ins.ok and ins.kind == "xlsx" and ins.sheet_dims
    for builder, same_as in ((h.encrypted_xls, "加密.xls"), (h.encrypted_xlsx, "加密.xlsx")):
        et = refused(builder(tmp_path, "加密.et"), "encrypted")
        other = refused(builder(tmp_path, same_as), "encrypted")
        assert et.kind == other.kind and problem(et, "encrypted").message == problem(other, "encrypted").message


def test_et_of_no_known_format_says_so_in_wps_terms(tmp_path):
    """A .et that is a zip or compound file of no workbook format read here: the message names
    WPS 表格 (.et) instead of calling it a plain .zip; files that are something known keep theirs."""
    z = refused(h.plain_zip(tmp_path, "台账.et"), "not_workbook")
    assert z.kind == "zip" and "WPS 表格（.et）" in problem(z, "not_workbook").message
    assert "另存为" in problem(z, "not_workbook").message
    assert "压缩包" in problem(refused(h.plain_zip(tmp_path, "打包.xlsx"), "not_workbook"), "not_workbook").message
    from hostile import cfb_bytes

    cfb = tmp_path / "未知.et"
    cfb.write_bytes(cfb_bytes({"Contents": b"\x00" * 100}))
    assert "WPS 表格（.et）" in problem(refused(cfb, "not_workbook"), "not_workbook").message
    assert "Word" in problem(refused(h.word_doc(tmp_path, "通知.et"), "not_workbook"), "not_workbook").message
    text = tmp_path / "名册.et"
    text.write_text("姓名,会费\n张三,10\n", encoding="utf-8")
    assert "扩展名改成了 .et" in problem(refused(text, "not_workbook"), "not_workbook").message


def test_a_password_only_calamine_finds_is_still_called_a_password(tmp_path, monkeypatch):
    """Should a password get past the inspection, the reader says 密码, not 文件无法打开 (corrupt)."""
    import python_calamine as pc

    from gonghui_kit.ingest.read import ReadError, read_workbook

    class Locked:
        @staticmethod
        def from_path(path):
            raise pc.PasswordError("Workbook is password protected")

        from_filelike = from_path

    monkeypatch.setattr(pc, "CalamineWorkbook", Locked)
    with pytest.raises(ReadError) as e:
        read_workbook(h.old_xls(tmp_path, "旧版.xls"))
    assert e.value.code == "encrypted" and "密码" in e.value.message
