"""Report notebooks (papermill-parameterized), installed as ``gonghui_kit.notebooks``.

unit_report.ipynb    one unit and year
compare_units.ipynb  all units of a year side by side
"""
