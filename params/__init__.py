"""Run configurations and registries, installed as ``gonghui_kit.params``.

demo.yaml       the run configuration of ``gonghui demo`` (validated like any params/*.yaml)
units.yaml      units registry: canonical names, former names, kind, peer group
standards.yaml  spending standards by province and year (example values; check local documents)
"""
