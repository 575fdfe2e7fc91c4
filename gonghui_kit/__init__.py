"""gonghui_kit — analytics for Chinese trade-union (工会) ledgers.

Stages, one module each:
read → clean → load (orchestration) → check → indicators → compare/standards
→ highlights/narrative → charts → build/archive → cli.
"""

__version__ = "0.1.0"
