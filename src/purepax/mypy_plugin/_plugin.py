"""The mypy plugin object: where mypy hands the plugin its files.

Two moments matter:
- `report_config_data`, called just before mypy writes a file to its cache: the
  file's mutation facts are stored into it there (`_facts.py`);
- `get_additional_indirect_deps`, called once a file is fully type-checked, before its
  errors are flushed and before mypy frees its function bodies: the facts are taken
  there too (for runs that write no cache, or write it later), and the rules of
  `_analysis.RULES` run on the whole file, once, so each error is reported once (hooks on calls would run
  once per overload candidate).
Reporting needs mypy's `Errors` object, which the plugin takes from the first call
hook that runs; the same hooks give it each file's type map when there is one.

mypy before 2.4 has no `get_additional_indirect_deps`, and frees function bodies before
it writes its cache: there `LegacyPurepaxPlugin` makes the checker call a hook at the
end of each file's check (`_ending.py`) and does the same work there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mypy.checker import TypeChecker
from mypy.errors import Errors
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import Type

from ._ending import END, Ending
from ._passing import Hook, Kind, Passing
from ._report import Reporter, internal_error_note
from ._schema import VERSION as FACTS_VERSION
from ._shape_config import MODES, SHAPE_STRICT, shape_setting
from ._walk import forget_scopes

if TYPE_CHECKING:
    from ._facts import Facts

# The rules and the facts are imported when the first file is checked, not when mypy
# loads the plugin: a run on an unchanged cache checks no file and never needs them.
_NOT_ASKED = object()

_LIBRARY_DIRS = ("site-packages", "dist-packages", "typeshed")


class PurepaxPlugin(Plugin):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._errors: Errors | None = None
        self._checkers: dict[str, TypeChecker] = {}  # path -> the checker of that file
        self._problem: Exception | None = (
            None  # the first internal error, told once as a note
        )
        self._told = False
        self._facts: Facts | None = None
        self._passing = Passing(self, options)
        self._watchers: dict[tuple[Kind, str], Hook] = {}
        # mypy asks for a function hook at every call it checks: the answer, by name,
        # once the plugin has met a checker
        self._function_hooks: dict[str, Hook | None] = {}
        self._shapes = shape_setting(options)
        if self._shapes == "strict":
            options.enabled_error_codes.add(SHAPE_STRICT)
        self._configured = False

    @property
    def facts(self) -> Facts:
        if self._facts is None:
            from ._facts import Facts

            self._facts = Facts(lambda: self._modules or {})
        return self._facts

    def _configure(self) -> None:
        """Set up the rules that read the plugin's settings (once, with the first file)."""
        if not self._configured:
            from ._shapes import SHAPES

            SHAPES.configure(self._shapes, lambda: self._modules or {})
            self._configured = True

    def get_function_hook(
        self, fullname: str
    ) -> Callable[[FunctionContext], Type] | None:
        hook = self._function_hooks.get(fullname, _NOT_ASKED)
        if hook is not _NOT_ASKED:
            return hook  # type: ignore[return-value]
        if self._errors is None:
            return self._watch("get_function_hook", fullname)
        from ._analysis import watched

        self._configure()
        found = (
            self._watch("get_function_hook", fullname) if watched(fullname) else None
        )
        self._function_hooks[fullname] = found
        return found

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if self._errors is None:
            return self._watch("get_method_hook", fullname)
        return None

    def get_attribute_hook(
        self, fullname: str
    ) -> Callable[[AttributeContext], Type] | None:
        if self._errors is None:
            return self._watch("get_attribute_hook", fullname)
        return None

    def _watch(self, kind: Kind, fullname: str) -> Hook:
        """A hook that meets the checker, then does what the next plugin's hook does."""
        hook = self._watchers.get((kind, fullname))
        if hook is None:

            def hook(ctx: Any) -> Type:
                self._see(ctx.api)
                other = self._passing.hook(kind, fullname, ctx.api)
                if other is not None:
                    return other(ctx)
                default: Type = (
                    ctx.default_attr_type
                    if kind == "get_attribute_hook"
                    else ctx.default_return_type
                )
                return default

            self._watchers[(kind, fullname)] = hook
        return hook

    def _see(self, api: object) -> None:
        if isinstance(api, TypeChecker):
            self._errors = api.errors
            self._checkers[api.path] = api

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, int]:
        # What is returned is written with each file's cache and compared when it is read:
        # a cache written with facts of another schema is stale, and mypy checks the file again.
        data = {"purepax-facts": FACTS_VERSION}
        if _checked_path(ctx.id, ctx.path):  # libraries are not checked for shapes
            data["purepax-shapes"] = MODES.index(self._shapes)
        if ctx.is_check or self._modules is None:
            return data
        tree = self._modules.get(ctx.id)
        if tree is None or not _relevant(tree):
            return data
        try:
            self.facts.store(tree)
            from ._shape_sources import store as store_shapes

            store_shapes(tree, self._modules)
        except (
            Exception
        ) as problem:  # never crash mypy; reported with the next checked file
            self._problem = self._problem or problem
        finally:
            forget_scopes()
        return data

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        self._finish(file, self._checkers.pop(file.path, None))
        return set()

    def _finish(self, file: MypyFile, checker: TypeChecker | None) -> None:
        """The plugin's work on a file mypy has fully type-checked."""
        if not _relevant(file):
            return
        errors = self._errors
        try:
            # mypy frees the file's function bodies right after this (unless it writes a
            # cache, which happens earlier in mypy 2.4): take the facts while they are here.
            self.facts.store(file)
            from ._shape_sources import store as store_shapes

            store_shapes(file, self._modules or {})
            if errors is not None and errors.file not in errors.ignored_files:
                type_map = (
                    checker._type_maps[0]
                    if checker is not None and checker.tree is file
                    else None
                )
                from . import _analysis

                self._configure()
                _analysis.check_file(file, type_map, self.facts, Reporter(errors))
        except Exception as problem:  # never crash mypy
            self._problem = self._problem or problem
        finally:
            forget_scopes()
        if errors is not None and self._problem is not None and not self._told:
            self._told = True
            internal_error_note(errors, self._problem)


class LegacyPurepaxPlugin(PurepaxPlugin):
    """The plugin on mypy before 2.4: each file's check ends with a hook (`_ending.py`).

    The hooks on every call and method call stay on, so that each file of the project
    (not only those calling purepax or JAX) gets its end-of-check hook.
    """

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        # path -> (id of the checker it was made for, its end-of-check function until it ran)
        self._endings: dict[str, tuple[int, Ending | None]] = {}
        self._library: set[str] = set()  # paths of files the plugin does not check

    def get_function_hook(
        self, fullname: str
    ) -> Callable[[FunctionContext], Type] | None:
        return (
            self._end if fullname == END else self._watch("get_function_hook", fullname)
        )

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        return self._watch("get_method_hook", fullname)

    def _see(self, api: object) -> None:
        # The checkers are not kept (their file's end comes with its own hook), so that
        # mypy can free each one when it is done with it.
        if not isinstance(api, TypeChecker) or api.path in self._library:
            return
        self._errors = api.errors
        known = self._endings.get(api.path)
        if known is not None and known[0] == id(api):
            return
        if not _relevant(api.tree):
            self._library.add(api.path)
            return
        try:
            self._endings[api.path] = (id(api), Ending(api))
        except Exception as problem:  # never crash mypy
            self._endings[api.path] = (id(api), None)
            self._problem = self._problem or problem

    def _end(self, ctx: FunctionContext) -> Type:
        api = ctx.api
        if not isinstance(api, TypeChecker):
            return ctx.default_return_type
        ending = self._endings.get(api.path, (0, None))[1]
        if ending is not None and ending.call is ctx.context and ending.reached():
            self._endings[api.path] = (id(api), None)
            errors = api.errors
            scope, errors.scope = (
                errors.scope,
                None,
            )  # errors belong to the file, not to __purepax_end__
            try:
                self._finish(api.tree, api)
            finally:
                errors.scope = scope
        return ctx.default_return_type


def _checked_path(module: str, path: str) -> bool:
    """`_relevant`, from a file's name (its tree may not be loaded yet)."""
    if module.partition(".")[0] == "purepax":
        return True
    return not path.endswith(".pyi") and not any(d in path for d in _LIBRARY_DIRS)


def _relevant(tree: MypyFile) -> bool:
    """Files of the project being checked (and purepax itself), not libraries or stubs."""
    if tree.fullname.partition(".")[0] == "purepax":
        return True
    return not tree.is_stub and not any(d in tree.path for d in _LIBRARY_DIRS)
