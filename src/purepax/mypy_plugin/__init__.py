"""purepax's mypy plugin: proves closures over modules, stray mutation and lost updates.

Turn it on in `mypy.ini`:

    [mypy]
    plugins = purepax.mypy_plugin
    check_untyped_defs = True

It imports only mypy. See `docs/static_checking.md` for the rules it checks.
"""

from __future__ import annotations

import re

from mypy.plugin import Plugin

from ._plugin import LegacyPurepaxPlugin, PurepaxPlugin

OLDEST = (1, 13)  # the oldest mypy the plugin is tested on
NEWEST = (2, 4)  # the newest minor release it is tested on; later ones are refused
SUPPORTED = f">={OLDEST[0]}.{OLDEST[1]},<{NEWEST[0]}.{NEWEST[1] + 1}"


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls with its version.

    A mypy outside the tested range is refused, loudly: the plugin leans on where mypy
    calls its hooks, and a plugin that silently reports nothing would turn a user's CI
    green while checking nothing.
    """
    found = _minor(version)
    if found is None or not OLDEST <= found <= NEWEST:
        raise RuntimeError(
            f"purepax.mypy_plugin supports mypy{SUPPORTED} (tested on {OLDEST[0]}.{OLDEST[1]} to "
            f"{NEWEST[0]}.{NEWEST[1]}.x), not mypy {version}: install a supported mypy with purepax's "
            f"mypy extra (pip install 'purepax[mypy]', or 'mypy{SUPPORTED}'), or take "
            "`purepax.mypy_plugin` out of the `plugins` setting of your mypy configuration."
        )
    return PurepaxPlugin if found >= (2, 4) else LegacyPurepaxPlugin


def _minor(version: str) -> tuple[int, int] | None:
    """(major, minor) of a mypy version string such as `2.4.1` or `1.19.0+dev.abc`."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else None
