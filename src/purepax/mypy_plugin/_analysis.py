"""The plugin's checks of one file, run once mypy has type-checked all of it."""

from __future__ import annotations

from mypy.nodes import Expression, FuncDef, MypyFile
from mypy.types import Type

from . import _closure, _mutation, _unreturned
from ._applications import applications, pure_functions, type_from_calls
from ._callers import type_from_callers
from ._effects import FactSource
from ._report import Reporter
from ._scopes import Bindings
from ._types import Types
from ._walk import walk


def check_file(tree: MypyFile, type_map: dict[Expression, Type] | None, facts: FactSource, report: Reporter) -> None:
    types = Types(type_map)
    nodes = list(walk(tree))
    bindings = Bindings(nodes)
    types.functions = bindings.functions()
    types.assigned = {var: bindings.typed_by_assignments(var) for var in bindings.assigned}
    for node in nodes:
        if isinstance(node, FuncDef):
            types.note_method(node)
    type_from_callers(nodes, types)
    apps = applications(nodes, types)
    pures = pure_functions(nodes, types)
    type_from_calls(nodes, [app.function for app in apps] + [f for f, _ in pures], types)
    for app in apps:
        _closure.check(app, types, facts, report)
        _unreturned.check_transform(app, types, facts, report)
    for function, context in pures:
        _unreturned.check_pure(function, context, types, facts, report)
    _mutation.check(tree, nodes, bindings, apps, types, facts, report)
