"""The archive in a real browser: offline, navigable, sortable, printable, phone-sized.

A small archive (4 units, 2022–2023, year 2023 built) is opened from file://
in headless Chromium with every network request refused, and every page
reachable from ``reports/index.html`` is visited.  Screenshots and a PDF go
to ``tests/artifacts/`` (git-ignored) for people to look at.

Needs Playwright (``pip install playwright``) and a Chromium: $GONGHUI_CHROMIUM,
``chromium`` / ``chromium-browser`` / ``google-chrome`` on PATH, or the one
``playwright install chromium`` downloads.  Without one every test here is
skipped with the reason, never silently passed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
A4_CSS_WIDTH = 794  # 210 mm at 96 dpi
PRINT_MARGIN = 57  # 15 mm (report.css @page margin)
PRINT_WIDTH = A4_CSS_WIDTH - 2 * PRINT_MARGIN
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "未找到 Chromium 浏览器：浏览器测试需要它。安装方法：Debian/Ubuntu 运行 sudo apt install chromium"
    "（或 chromium-browser），或 pip install playwright 后运行 playwright install chromium；"
    "也可设置环境变量 GONGHUI_CHROMIUM 指向浏览器程序"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def find_chromium() -> str | None:
    """$GONGHUI_CHROMIUM, then the usual names, then Playwright's own download."""
    env = os.environ.get("GONGHUI_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = name if Path(name).is_file() and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return found
    return None


# --------------------------------------------------------------- fixtures ----


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="未安装 playwright（pip install playwright），无法运行浏览器测试"
    )
    exe = find_chromium()
    with sync_api.sync_playwright() as p:
        if exe is None:
            bundled = p.chromium.executable_path
            if not (bundled and Path(bundled).exists()):
                env = os.environ.get("GONGHUI_CHROMIUM")
                pytest.skip(INSTALL_HINT + (f"（现在的 GONGHUI_CHROMIUM={env} 找不到）" if env else ""))
        try:
            b = p.chromium.launch(executable_path=exe, args=LAUNCH_ARGS)
        except Exception as e:  # noqa: BLE001 - any launch failure is a reason to skip, stated
            pytest.skip(f"Playwright 无法启动 Chromium（{exe or 'playwright 自带'}）：{str(e).splitlines()[0][:300]}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory, browser):
    """reports/ of a small archive (the browser fixture first: no Chromium, no build)."""
    if "fork" not in mp.get_all_start_methods():
        pytest.skip("gonghui build 的测试需要 fork 启动方式（本系统不支持）")
    from gonghui_kit.build import BuildConfig, build
    from gonghui_kit.ledgers.sample import generate_sample
    from gonghui_kit.resources import params_path

    data = tmp_path_factory.mktemp("data")
    generate_sample(data, units=4, years=(2022, 2023), seed=1)
    out = tmp_path_factory.mktemp("reports")
    res = build(
        BuildConfig(
            year=2023,
            data=data,
            out=out,
            jobs=2,
            registry_file=params_path("units.yaml"),
            standards_file=params_path("standards.yaml"),
            progress=False,
        )
    )
    assert res.ok, res.failed
    return out


class Offline:
    """A browser context that refuses every request not to file: or data:,
    and records requests, console errors and page errors."""

    def __init__(self, browser, **kw):
        self.ctx = browser.new_context(**kw)
        self.requests: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.ctx.on("request", lambda r: self.requests.append(r.url))
        self.ctx.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort(),
        )

    def page(self):
        pg = self.ctx.new_page()
        pg.on("console", lambda m: self.console.append(f"{pg.url}: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: self.errors.append(f"{pg.url}: {e}"))
        return pg

    def close(self):
        self.ctx.close()


@pytest.fixture(scope="module")
def offline(browser):
    o = Offline(browser, viewport=DESKTOP)
    yield o
    o.close()


def _local(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


@pytest.fixture(scope="module")
def crawl(offline, archive_dir):
    """Every page reachable from reports/index.html: {path: facts}; also the
    links that point to a missing file."""
    root = (archive_dir / "index.html").resolve()
    pg = offline.page()
    seen: dict[Path, dict] = {}
    broken: list[str] = []
    todo = [root]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        pg.goto(path.as_uri(), wait_until="load")
        facts = pg.evaluate("""() => ({
            h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim()),
            title: document.title,
            images: Array.from(document.images).map(i => ({ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 40)})),
            links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
            lang: document.documentElement.lang,
        })""")
        seen[path] = facts
        for href in facts["links"]:
            url, _ = urldefrag(href)
            if not url.startswith("file:"):
                broken.append(f"{path.name} → 非本地链接 {href}")
                continue
            target = _local(url)
            if not target.exists():
                broken.append(f"{path.relative_to(archive_dir)} → {href}")
            elif target.suffix == ".html" and target not in seen:
                todo.append(target)
    pg.close()
    return {"pages": seen, "broken": broken, "root": archive_dir}


def _year(archive_dir: Path) -> Path:
    return archive_dir / "2023"


def _unit_page(archive_dir: Path) -> Path:
    return sorted((_year(archive_dir) / "units").glob("*.html"))[0]


# --------------------------------------------------------- every page ----


def test_every_page_is_reached(crawl):
    pages = {p.relative_to(crawl["root"]).as_posix() for p in crawl["pages"]}
    assert {"index.html", "2023/index.html", "2023/compare.html", "2023/quality.html"} <= pages
    units = sorted(p for p in pages if p.startswith("2023/units/"))
    assert len(units) == 4, pages


def test_no_broken_links(crawl):
    assert crawl["broken"] == []


def test_nothing_leaves_the_machine(crawl, offline):
    assert offline.requests, "no request recorded: the recorder is not working"
    outside = [u for u in offline.requests if not u.startswith(("file:", "data:"))]
    assert outside == []


def test_pages_are_self_contained(crawl):
    """Scripts and styles are inlined: nothing to fetch, even with a network."""
    for path in crawl["pages"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src|<link[^>]+href|(?:src|href)=[\"']?(?:https?:)?//", text, re.I), path
    compare = (_year(crawl["root"]) / "compare.html").read_text(encoding="utf-8")
    assert "<script>" in compare and "data-filter" in compare  # tables.js inlined in the nbconvert page


def test_no_console_or_page_errors(crawl, offline):
    assert offline.console == []
    assert offline.errors == []


def test_every_image_decoded(crawl):
    bad = {p.name: [i["src"] for i in f["images"] if not i["ok"]] for p, f in crawl["pages"].items()}
    assert {k: v for k, v in bad.items() if v} == {}
    n_unit_images = sum(len(f["images"]) for p, f in crawl["pages"].items() if p.parent.name == "units")
    assert n_unit_images >= 4 * 5  # the charts are there


def test_chinese_headings_and_titles(crawl):
    for path, f in crawl["pages"].items():
        assert f["lang"] == "zh-CN", path
        assert f["h1"] and CJK.search(f["h1"][0]), (path, f["h1"])
        assert CJK.search(f["title"]), (path, f["title"])


def test_navigation_links(crawl):
    """Unit pages link back (breadcrumbs) and to the comparison; the year
    index links every unit, the comparison and the quality report."""
    root = crawl["root"].resolve()
    year = _year(crawl["root"]).resolve()
    pages = crawl["pages"]
    year_links = {_local(u) for u in pages[year / "index.html"]["links"]}
    for unit in (year / "units").glob("*.html"):
        assert unit in year_links
        links = {_local(u) for u in pages[unit]["links"]}
        assert {root / "index.html", year / "index.html", year / "compare.html", year / "quality.html"} <= links, unit
    cmp_links = {_local(u) for u in pages[year / "compare.html"]["links"]}
    assert {root / "index.html", year / "index.html"} <= cmp_links
    assert set((year / "units").glob("*.html")) <= cmp_links  # unit names link to their reports
    assert year / "index.html" in {_local(u) for u in pages[root / "index.html"]["links"]}


# ------------------------------------------------------ sort and filter ----


def _column(pg, table: str, col: int) -> list[str]:
    return pg.eval_on_selector_all(
        f"#{table} tbody tr",
        f"rows => rows.map(r => r.cells[{col}].getAttribute('data-value') ?? r.cells[{col}].textContent.trim())",
    )


def _header_index(pg, table: str, label: str) -> int:
    labels = pg.eval_on_selector_all(f"#{table} thead th", "ths => ths.map(t => t.textContent.trim())")
    return labels.index(label)


@pytest.mark.parametrize(
    "page_name,table,label",
    [
        ("index.html", "units", "会员人数"),
        ("compare.html", "compare-key", "经费支出合计"),
        ("compare.html", "compare-ranks", "入会率"),
    ],
)
def test_sort_numeric_column(offline, archive_dir, page_name, table, label):
    pg = offline.page()
    pg.goto((_year(archive_dir) / page_name).as_uri())
    col = _header_index(pg, table, label)
    before = _column(pg, table, col)
    nums = sorted(float(v) for v in before if v not in ("", "—"))
    assert len(nums) >= 3, before
    th = pg.locator(f"#{table} thead th").nth(col)
    th.click()
    asc = [float(v) for v in _column(pg, table, col) if v not in ("", "—")]
    assert asc == nums
    assert th.get_attribute("aria-sort") == "ascending"
    th.click()
    desc = [float(v) for v in _column(pg, table, col) if v not in ("", "—")]
    assert desc == nums[::-1]
    assert th.get_attribute("aria-sort") == "descending"
    pg.close()


@pytest.mark.parametrize("page_name,table", [("index.html", "units"), ("compare.html", "compare-key")])
def test_filter_by_unit_name(offline, archive_dir, page_name, table):
    pg = offline.page()
    pg.goto((_year(archive_dir) / page_name).as_uri())
    rows = pg.locator(f"#{table} tbody tr")
    names = [
        n.strip()
        for n in pg.eval_on_selector_all(f"#{table} tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
    ]
    assert len(names) == 4
    box = pg.locator(f"input[data-filter='{table}']")
    assert box.is_visible()
    box.fill(names[2])
    visible = [rows.nth(i).is_visible() for i in range(rows.count())]
    assert visible == [n == names[2] for n in names]
    box.fill("")
    assert all(rows.nth(i).is_visible() for i in range(rows.count()))
    pg.close()


def test_tables_complete_without_javascript(browser, archive_dir):
    o = Offline(browser, viewport=DESKTOP, java_script_enabled=False)
    pg = o.page()
    for page_name, table in (("index.html", "units"), ("compare.html", "compare-key")):
        pg.goto((_year(archive_dir) / page_name).as_uri())
        rows = pg.locator(f"#{table} tbody tr")
        assert rows.count() == 4
        assert all(rows.nth(i).is_visible() for i in range(4)), page_name
        assert not pg.locator(f"input[data-filter='{table}']").is_visible()  # a box that could not work
    o.close()


# --------------------------------------------------------- print, phone ----

_WIDER_THAN_BODY = """() => {
  const body = document.body.getBoundingClientRect();
  const out = [];
  for (const el of document.querySelectorAll('img, table, figure, pre, .gh-cards, .summary-cards')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > body.right + 1 || r.left < body.left - 1))
      out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.width) + 'px');
  }
  return {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, body: body.width, wide: out.slice(0, 8)};
}"""

_PHONE_OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const inside = el.parentElement && el.parentElement.closest('.gh-scroll, .gh-md table');
    if (inside) continue;  // may scroll inside its container
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 1 || r.left < -1))
      out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  // a scroll container may scroll only for a wide table, not for cards or text
  for (const sc of document.querySelectorAll('.gh-scroll')) {
    if (sc.scrollWidth <= sc.clientWidth + 1) continue;
    const wide = Array.from(sc.querySelectorAll('table')).some(t => t.getBoundingClientRect().width > sc.clientWidth + 1);
    if (!wide) out.push('scrolls without a wide table: ' + sc.className + ' ' + sc.innerHTML.slice(0, 60));
  }
  return {scroll: document.documentElement.scrollWidth, client: vw, out: out.slice(0, 8)};
}"""


def test_print_layout_fits_a4(browser, crawl):
    o = Offline(browser, viewport={"width": PRINT_WIDTH, "height": 1123})
    pg = o.page()
    pg.emulate_media(media="print")
    problems = {}
    for path in crawl["pages"]:
        pg.goto(path.as_uri())
        r = pg.evaluate(_WIDER_THAN_BODY)
        if r["scroll"] > r["client"] or r["wide"]:
            problems[path.relative_to(crawl["root"]).as_posix()] = r
    o.close()
    assert problems == {}


def test_phone_layout_has_no_sideways_page(browser, crawl):
    o = Offline(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    pg = o.page()
    problems = {}
    for path in crawl["pages"]:
        pg.goto(path.as_uri())
        r = pg.evaluate(_PHONE_OVERFLOW)
        if r["scroll"] > r["client"] or r["out"]:
            problems[path.relative_to(crawl["root"]).as_posix()] = r
    o.close()
    assert problems == {}


def test_unit_page_prints_to_pdf(browser, archive_dir):
    ARTIFACTS.mkdir(exist_ok=True)
    o = Offline(browser)
    pg = o.page()
    pg.goto(_unit_page(archive_dir).as_uri())
    pdf = pg.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    o.close()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 3 <= pages <= 30, pages
    (ARTIFACTS / "unit-report.pdf").write_bytes(pdf)


# ------------------------------------------------------------ screenshots ----


def test_screenshots(browser, archive_dir):
    """For people to look at: tests/artifacts/*.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    year = _year(archive_dir)
    shots = {
        "all-years": (archive_dir / "index.html", [DESKTOP]),
        "year-index": (year / "index.html", [DESKTOP, PHONE]),
        "unit": (_unit_page(archive_dir), [DESKTOP, PHONE]),
        "compare": (year / "compare.html", [DESKTOP, PHONE]),
        "quality": (year / "quality.html", [DESKTOP]),
    }
    for name, (path, sizes) in shots.items():
        for size in sizes:
            o = Offline(browser, viewport=size, is_mobile=size is PHONE, device_scale_factor=1)
            pg = o.page()
            pg.goto(path.as_uri())
            out = ARTIFACTS / f"{name}-{size['width']}.png"
            pg.screenshot(path=str(out), full_page=True)
            o.close()
            assert out.stat().st_size > 5_000
