"""Every exception the command line turns into one Chinese line (no traceback).

Library code raises these; :func:`gonghui_kit.cli.main` catches
:class:`GonghuiError` and prints its message.  Each subclass says which stage
the problem belongs to, so a caller can catch just that.

>>> issubclass(BuildError, GonghuiError) and issubclass(UserError, GonghuiError)
True
>>> str(UserError("找不到文件或文件夹：data/2024"))
'找不到文件或文件夹：data/2024'
"""

from __future__ import annotations

__all__ = ["GonghuiError", "UserError", "BuildError", "ResourceError"]


class GonghuiError(Exception):
    """Base class: a problem the user can fix, with a Chinese message saying how."""


class UserError(GonghuiError):
    """Bad command-line input: a missing file, an unknown unit, a wrong option."""


class BuildError(GonghuiError):
    """A problem with a build's configuration or its output folder."""


class ResourceError(GonghuiError):
    """A shipped or user file (roster, standards, notebook) that cannot be found or read."""
