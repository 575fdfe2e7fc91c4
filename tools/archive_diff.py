"""Compare two report archives by what a reader sees, not by bytes.

    python tools/archive_diff.py reports-A reports-B [--max 40]

What is compared, file by file (same relative paths on both sides):

- ``.html``: the visible text (scripts and styles dropped, whitespace folded),
  every link target and every embedded image (as a hash of its data);
- ``.xlsx``: every cell's value, sheet by sheet;
- ``.ipynb``: every cell's source and outputs (text, HTML, images as hashes),
  without execution counts, timings or metadata;
- ``manifest.json``: inputs (file, hash, unit, year, status), units (status,
  slug), params (by content: the run configuration's digest, not the path it
  was read from), notebooks and the list of outputs — not their hashes, which
  differ whenever a time stamp does;
- anything else: its bytes.

Build time stamps (``2026-12-06 01:47``, ISO times) are replaced by
``<time>``, and each archive's own location (its folder by ``<archive>``,
the folder that holds it by ``<here>``: the notebooks' parameters name them)
before comparing, so two builds of the same data in two folders compare equal.
Exit status: 0 equal, 1 different, 2 bad arguments.  The archive-integrity
tests and the structure refactor's before/after proof use it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?")


_HERE: list[tuple[str, str]] = []  # (the archive's folder, label), (the folder holding it, label); set by _read()


def _untimed(text: str) -> str:
    for place, label in _HERE:  # the archive itself first, then the folder that holds it
        text = text.replace(place, label).replace(place.replace("/", "\\\\"), label)
    return TIME.sub("<time>", text)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "img" and a.get("src"):
            self.images.append(hashlib.sha256(a["src"].encode()).hexdigest()[:16])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(" ".join(data.split()))


def html_view(path: Path) -> list[str]:
    p = _Visible()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    return [f"text: {_untimed(t)}" for t in p.text] + [f"link: {h}" for h in p.links] + [f"img: {i}" for i in p.images]


def xlsx_view(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = []
    for ws in wb.worksheets:
        out.append(f"sheet: {ws.title}")
        for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
            vals = ["" if v is None else _untimed(str(v)) for v in row]
            while vals and vals[-1] == "":
                vals.pop()
            if vals:
                out.append(f"{ws.title}!{r}: " + " | ".join(vals))
    wb.close()
    return out


def _outputs(outputs: list[dict]) -> list[str]:
    out = []
    for o in outputs:
        kind = o.get("output_type")
        if kind == "stream":
            out.append(f"stream: {_untimed(''.join(o.get('text', '')))}")
        elif kind == "error":
            out.append(f"error: {o.get('ename')}: {o.get('evalue')}")
        else:
            for mime, data in sorted(o.get("data", {}).items()):
                text = "".join(data) if isinstance(data, list) else str(data)
                if mime.startswith("image/"):
                    out.append(f"{mime}: {hashlib.sha256(text.encode()).hexdigest()[:16]}")
                else:
                    out.append(f"{mime}: {_untimed(text)}")
    return out


def ipynb_view(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, c in enumerate(nb.get("cells", [])):
        src = "".join(c.get("source", ""))
        out.append(f"cell {i} {c.get('cell_type')}: {_untimed(src)}")
        out.extend(f"cell {i} out: {line}" for line in _outputs(c.get("outputs", [])))
    return out


def manifest_view(path: Path) -> list[str]:
    m = json.loads(path.read_text(encoding="utf-8"))
    out = [f"year: {m.get('year')}", f"engine: {m.get('engine')}", f"toolkit: {m.get('toolkit_version')}"]
    for i in m.get("inputs", []):
        out.append("input: " + " ".join(str(i.get(k)) for k in ("file", "sha256", "unit", "year", "status")))
    for u, st in sorted(m.get("units", {}).items()):
        out.append(f"unit: {u} {st.get('slug')} {st.get('status')} {st.get('error')}")
    params = dict(m.get("params") or {})
    if params.get("digest"):  # the same run configuration read from another copy of the file
        params.pop("file", None)
    out.append("params: " + json.dumps(params, ensure_ascii=False, sort_keys=True))
    out.append("notebooks: " + json.dumps(m.get("notebooks"), sort_keys=True))
    out.extend(f"output: {k}" for k in sorted(m.get("outputs", {})))
    return out


VIEWS = {".html": html_view, ".xlsx": xlsx_view, ".ipynb": ipynb_view}


def view(path: Path) -> list[str]:
    if path.name == "manifest.json":
        return manifest_view(path)
    fn = VIEWS.get(path.suffix.lower())
    if fn is not None:
        return fn(path)
    return [f"bytes: {hashlib.sha256(path.read_bytes()).hexdigest()}"]


def files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


def _read(root: Path, rel: str) -> list[str]:
    _HERE[:] = [(str(root.resolve()), "<archive>"), (str(root.resolve().parent), "<here>")]
    try:
        return view(root / rel)
    finally:
        _HERE.clear()


def _short(line: str, width: int = 90) -> str:
    line = " ".join(line.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def diff(a: Path, b: Path) -> list[str]:
    """Human-readable differences between two archive roots (empty: equal)."""
    fa, fb = files(a), files(b)
    out = [f"only in {a}: {f}" for f in sorted(fa - fb)] + [f"only in {b}: {f}" for f in sorted(fb - fa)]
    for f in sorted(fa & fb):
        va, vb = _read(a, f), _read(b, f)
        if va != vb:
            sa, sb = set(va), set(vb)
            gone = [x for x in va if x not in sb]
            new = [x for x in vb if x not in sa]
            detail = (
                "; ".join([f"-{_short(x)}" for x in gone[:3]] + [f"+{_short(x)}" for x in new[:3]])
                or "same lines, other order"
            )
            out.append(f"differs: {f} ({len(gone)} lines out, {len(new)} in): {detail}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--max", type=int, default=40, help="differences to print at most")
    args = ap.parse_args(argv)
    for p in (args.a, args.b):
        if not p.is_dir():
            print(f"not a folder: {p}", file=sys.stderr)
            return 2
    d = diff(args.a, args.b)
    for line in d[: args.max]:
        print(line)
    if len(d) > args.max:
        print(f"... and {len(d) - args.max} more")
    print(f"{len(files(args.a) | files(args.b))} files compared, {len(d)} differ" if d else "archives equal")
    return 1 if d else 0


if __name__ == "__main__":
    sys.exit(main())
