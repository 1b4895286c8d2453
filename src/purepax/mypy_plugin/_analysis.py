"""The plugin's checks of one file, run once mypy has type-checked all of it."""

from __future__ import annotations

from mypy.nodes import Expression, FuncDef, MypyFile
from mypy.types import Type

from ._applications import applications, pure_functions, type_from_calls
from ._callers import type_from_callers
from ._closure import ClosureRule
from ._effects import FactSource
from ._keys import KeyReuseRule
from ._mutation import MutationRule
from ._report import Reporter
from ._rules import FileContext, Rule
from ._scopes import Bindings
from ._shapes import SHAPES
from ._types import Types
from ._unreturned import UnreturnedRule
from ._walk import walk

RULES: tuple[Rule, ...] = (
    ClosureRule(),
    UnreturnedRule(),
    MutationRule(),
    KeyReuseRule(),
    SHAPES,
)


def read_file(
    tree: MypyFile,
    type_map: dict[Expression, Type] | None,
    facts: FactSource,
    report: Reporter,
) -> FileContext:
    """`tree` read once for every rule: its nodes, bindings, transformed functions and types."""
    types = Types(type_map)
    nodes = list(walk(tree))
    bindings = Bindings(nodes)
    types.functions = bindings.functions()
    types.assigned = {
        var: bindings.typed_by_assignments(var) for var in bindings.assigned
    }
    for node in nodes:
        if isinstance(node, FuncDef):
            types.note_method(node)
    type_from_callers(nodes, types)
    apps = applications(nodes, types)
    pures = pure_functions(nodes, types)
    type_from_calls(
        nodes, [app.function for app in apps] + [f for f, _ in pures], types
    )
    return FileContext(tree, nodes, bindings, apps, pures, types, facts, report)


def check_file(
    tree: MypyFile,
    type_map: dict[Expression, Type] | None,
    facts: FactSource,
    report: Reporter,
) -> None:
    file = read_file(tree, type_map, facts, report)
    for rule in RULES:
        rule.check(file)


_WATCHED: dict[str, bool] = {}


def watched(fullname: str) -> bool:
    """A call of `fullname` makes a file worth its type map, for some rule (mypy asks
    for every call it checks: the answer is remembered per name)."""
    known = _WATCHED.get(fullname)
    if known is None:
        known = _WATCHED[fullname] = any(rule.watches(fullname) for rule in RULES)
    return known
