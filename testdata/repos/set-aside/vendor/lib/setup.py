from setuptools import setup
setup(name="lib", version="3.0")
