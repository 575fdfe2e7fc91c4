"""Notebook parameters as a schema: nothing goes wrong silently.

The ``parameters`` cell of a notebook *is* its parameter schema: each
top-level assignment declares a name, a default and (from an annotation or
the default's own type) a type.  ``validate`` refuses an unknown name or a
wrong type **before anything runs** (papermill only warns), and values keep
their declared type: a unit code ``"029"`` stays the text ``"029"``
(papermill's ``-p`` and Quarto's ``-P`` turn it into 29).  Run
configurations in ``params/*.yaml`` are checked against the same schema.

>>> import nbformat
>>> cell = nbformat.v4.new_code_cell('unit: str = "示例"  # 单位名称\\nyear = 2023\\nshare = 0.5\\ncodes: list = []')
>>> cell.metadata["tags"] = ["parameters"]
>>> nb = nbformat.v4.new_notebook(cells=[cell])
>>> schema = notebook_parameters(nb)
>>> [(p.name, p.type.__name__, p.help) for p in schema.values()]
[('unit', 'str', '单位名称'), ('year', 'int', ''), ('share', 'float', ''), ('codes', 'list', '')]
>>> validate({"unit": "029", "year": 2024, "share": 1}, schema)
{'unit': '029', 'year': 2024, 'share': 1.0}
>>> validate({"unit": 29}, schema)
Traceback (most recent call last):
...
gonghui_kit.run.parameters.ParameterError: 参数 unit 应为文本（str），收到的是整数 29；如是编号请加引号，例如 "029"
>>> validate({"uint": "x"}, schema)
Traceback (most recent call last):
...
gonghui_kit.run.parameters.ParameterError: 未知参数 uint（可用参数：unit、year、share、codes）
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import nbformat

__all__ = ["Param", "ParameterError", "notebook_parameters", "validate", "load_notebook"]

_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
_CN = {
    str: "文本",
    int: "整数",
    float: "数值",
    bool: "是/否（true/false）",
    list: "列表",
    dict: "字典",
    type(None): "空值",
}


class ParameterError(ValueError):
    """A parameter that does not fit the notebook's declared schema."""


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    default: Any
    help: str = ""


def load_notebook(path: str | Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def notebook_parameters(nb: nbformat.NotebookNode | str | Path) -> dict[str, Param]:
    """The declared parameters of a notebook (its cell tagged ``parameters``)."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = load_notebook(nb)
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    source = cell.source
    tree = ast.parse(source)
    comments = _comments(source)
    params: dict[str, Param] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
            default = ast.literal_eval(node.value) if node.value is not None else None
            ann = ast.unparse(node.annotation)
            typ = _TYPES.get(ann.split("[")[0].split("|")[0].strip(), type(default))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            default = ast.literal_eval(node.value)
            typ = type(default)
        else:
            continue
        params[name] = Param(name, typ, default, comments.get(node.lineno, ""))
    return params


def _describe(v: Any) -> str:
    return f"{_CN.get(type(v), type(v).__name__)} {v!r}" if not isinstance(v, str) else f"文本 {v!r}"


def validate(values: Mapping[str, Any], schema: Mapping[str, Param], *, where: str = "") -> dict[str, Any]:
    """Check ``values`` against ``schema``; return them with declared types.

    int → float is widened; nothing else is converted.  ``where`` names the
    source (a YAML file) in the message.
    """
    prefix = f"{where}：" if where else ""
    out: dict[str, Any] = {}
    for name, v in values.items():
        p = schema.get(name)
        if p is None:
            raise ParameterError(f"{prefix}未知参数 {name}（可用参数：{'、'.join(schema)}）")
        t = p.type
        if t is type(None) or v is None and p.default is None:
            out[name] = v
            continue
        if t is float and isinstance(v, int) and not isinstance(v, bool):
            out[name] = float(v)
            continue
        if t is bool and not isinstance(v, bool) or t is not bool and isinstance(v, bool) or not isinstance(v, t):
            hint = '；如是编号请加引号，例如 "029"' if t is str and isinstance(v, int) else ""
            raise ParameterError(
                f"{prefix}参数 {name} 应为{_CN.get(t, t.__name__)}（{t.__name__}），收到的是{_describe(v)}{hint}"
            )
        out[name] = v
    return out
