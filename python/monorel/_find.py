"""Locate the `monorel` binary that maturin installed next to this package's scripts."""

from __future__ import annotations

import os
import sys
import sysconfig


def find_monorel_bin() -> str:
    """Return the `monorel` executable of this installation, or raise FileNotFoundError."""
    exe = "monorel" + sysconfig.get_config_var("EXE") if sysconfig.get_config_var("EXE") else "monorel"
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    # `pip install --user` puts scripts under the user scheme.
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and sys._framework:  # type: ignore[attr-defined]
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    # `pip install --target` puts the package and a `bin/` directory side by side.
    pkg_root = os.path.dirname(os.path.dirname(__file__))
    candidates.append(os.path.join(pkg_root, "bin", exe))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "the monorel binary was not found; looked in: " + ", ".join(candidates)
    )
