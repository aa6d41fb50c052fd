from framework.utils.version import get_version

VERSION = (6, 1, 0, "alpha", 0)

__version__ = get_version(VERSION)
