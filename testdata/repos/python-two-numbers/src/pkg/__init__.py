__version__ = "26.3.dev0"
