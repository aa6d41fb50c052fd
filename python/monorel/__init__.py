"""monorel: release automation for polyglot monorepos.

The package carries the `monorel` binary; `python -m monorel` runs it. See `find_monorel_bin`.
"""

from __future__ import annotations

__all__ = ["__version__", "find_monorel_bin"]

__version__ = "0.1.0"


def find_monorel_bin() -> str:
    """Return the path of the `monorel` binary installed with this package."""
    from ._find import find_monorel_bin as _find

    return _find()
