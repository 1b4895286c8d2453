"""Hooks that watch a call and hand it on, as if purepax had no hook there.

mypy asks its plugins in order and takes the first hook it gets, and purepax comes
before mypy's own default plugin (which types `functools.partial`, `dataclasses.replace`,
`ctypes`, enums, ...) and before any plugin listed after it. The plugin's hooks only
*watch* (to meet the checker of each file), so each one calls the hook that the next
plugin has for the same name, and returns what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from mypy.options import Options
from mypy.plugin import Plugin
from mypy.plugins.default import DefaultPlugin
from mypy.types import Type

Kind = Literal["get_function_hook", "get_method_hook", "get_attribute_hook"]
Hook = Callable[[Any], Type]


class Passing:
    """The hooks of the plugins after `owner`, by kind and name."""

    def __init__(self, owner: Plugin, options: Options) -> None:
        self._owner = owner
        self._options = options
        self._after: list[Plugin] | None = None
        self._memo: dict[tuple[Kind, str], Hook | None] = {}

    def hook(self, kind: Kind, fullname: str, api: object) -> Hook | None:
        """The hook the next plugin has for `fullname` (`api` is the checker: it holds the
        chain of plugins)."""
        key = (kind, fullname)
        if key not in self._memo:
            found = None
            for plugin in self._plugins_after(api):
                found = getattr(plugin, kind)(fullname)
                if found is not None:
                    break
            self._memo[key] = found
        return self._memo[key]

    def _plugins_after(self, api: object) -> list[Plugin]:
        if self._after is None:
            chain = getattr(getattr(api, "plugin", None), "_plugins", None)
            if isinstance(chain, list) and any(p is self._owner for p in chain):
                index = next(i for i, p in enumerate(chain) if p is self._owner)
                self._after = [p for p in chain[index + 1 :] if isinstance(p, Plugin)]
            else:  # an unexpected chain: at least keep mypy's own hooks
                self._after = [DefaultPlugin(self._options)]
        return self._after
