"""purepax's version, written here only.

`pyproject.toml` reads it at build time (`[tool.setuptools.dynamic]`), as text: this file
imports nothing, so building the package never imports JAX.
"""

__version__ = "0.1.0"
