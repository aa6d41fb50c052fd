"""`python -m monorel ...`: run the monorel binary with the same arguments."""

from __future__ import annotations

import os
import subprocess
import sys

from . import find_monorel_bin


def main() -> int:
    """Run the binary, passing the arguments and the exit status through."""
    binary = find_monorel_bin()
    if sys.platform == "win32":
        return subprocess.call([binary, *sys.argv[1:]])
    os.execvp(binary, [binary, *sys.argv[1:]])
    return 1  # not reached: execvp replaces the process


if __name__ == "__main__":
    sys.exit(main())
