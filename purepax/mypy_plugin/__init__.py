"""purepax's mypy plugin: proves closures over modules, stray mutation and lost updates.

Turn it on in `mypy.ini`:

    [mypy]
    plugins = purepax.mypy_plugin
    check_untyped_defs = True

It imports only mypy. See `docs/static_checking.md` for the rules it checks.
"""

from __future__ import annotations

from mypy.plugin import Plugin

from ._plugin import PurepaxPlugin


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls with its version."""
    return PurepaxPlugin
