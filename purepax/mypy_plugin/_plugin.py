"""The mypy plugin object: where mypy hands the plugin its files.

Two moments matter:
- `report_config_data`, called just before mypy writes a file to its cache: the
  file's mutation facts are stored into it there (`_facts.py`);
- `get_additional_indirect_deps`, called once a file is fully type-checked, before its
  errors are flushed and before mypy frees its function bodies: the facts are taken
  there too (for runs that write no cache, or write it later), and the three rules run
  on the whole file, once, so each error is reported once (hooks on calls would run
  once per overload candidate).
Reporting needs mypy's `Errors` object, which the plugin takes from the first call
hook that runs; the same hooks give it each file's type map when there is one.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.checker import TypeChecker
from mypy.errors import Errors
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import AttributeContext, FunctionContext, MethodContext, Plugin, ReportConfigContext
from mypy.types import Type

from ._analysis import check_file
from ._facts import Facts
from ._names import LENIENT_JAX, STRICT_JAX
from ._report import Reporter, internal_error_note

_LIBRARY_DIRS = ("site-packages", "dist-packages", "typeshed")


class PurepaxPlugin(Plugin):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._errors: Errors | None = None
        self._checkers: dict[str, TypeChecker] = {}  # path -> the checker of that file
        self._problem: Exception | None = None  # the first internal error, told once as a note
        self._told = False
        self.facts = Facts(lambda: self._modules or {})

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if self._errors is None or _names_the_plugin_checks(fullname):
            return self._see_function
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if self._errors is None:
            return self._see_method
        return None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        if self._errors is None:
            return self._see_attribute
        return None

    def _see_attribute(self, ctx: AttributeContext) -> Type:
        self._see(ctx.api)
        return ctx.default_attr_type

    def _see_function(self, ctx: FunctionContext) -> Type:
        self._see(ctx.api)
        return ctx.default_return_type

    def _see_method(self, ctx: MethodContext) -> Type:
        self._see(ctx.api)
        return ctx.default_return_type

    def _see(self, api: object) -> None:
        if isinstance(api, TypeChecker):
            self._errors = api.errors
            self._checkers[api.path] = api

    def report_config_data(self, ctx: ReportConfigContext) -> None:
        if ctx.is_check or self._modules is None:
            return None
        tree = self._modules.get(ctx.id)
        if tree is None or not _relevant(tree):
            return None
        try:
            self.facts.store(tree)
        except Exception as problem:  # never crash mypy; reported with the next checked file
            self._problem = self._problem or problem
        return None

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        checker = self._checkers.pop(file.path, None)
        if not _relevant(file):
            return set()
        errors = self._errors
        try:
            # mypy frees the file's function bodies right after this hook (unless it
            # writes a cache, which happens earlier): take the facts while they are here.
            self.facts.store(file)
            if errors is not None and errors.file not in errors.ignored_files:
                type_map = checker._type_maps[0] if checker is not None and checker.tree is file else None
                check_file(file, type_map, self.facts, Reporter(errors))
        except Exception as problem:  # never crash mypy
            self._problem = self._problem or problem
        if errors is not None and self._problem is not None and not self._told:
            self._told = True
            internal_error_note(errors, self._problem)
        return set()


def _names_the_plugin_checks(fullname: str) -> bool:
    """A transform or a purepax function: a file calling one gets its type map kept."""
    top, _, rest = fullname.partition(".")
    last = rest.rpartition(".")[2]
    if top == "purepax":
        return True
    return top == "jax" and (last in STRICT_JAX or last in LENIENT_JAX)


def _relevant(tree: MypyFile) -> bool:
    """Files of the project being checked (and purepax itself), not libraries or stubs."""
    if tree.fullname.partition(".")[0] == "purepax":
        return True
    return not tree.is_stub and not any(d in tree.path for d in _LIBRARY_DIRS)
