"""The one interface every rule of the plugin implements, and what a rule is given.

`_analysis.check_file` reads a file once into a `FileContext` (its nodes, where its
variables get their values, the functions it hands to transforms and to `px.pure`, the
types of its expressions, the facts of the functions it calls and a reporter) and runs
each rule of `RULES` on it. A rule declares its error code and the names whose calls make
a file worth a type map (`watches`); the plugin reads both from `RULES`, so a new rule
is one module and one entry there (`README.md`, "Adding a rule").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mypy.errorcodes import ErrorCode
from mypy.nodes import Context, MypyFile, Node

from ._applications import Application, Function
from ._effects import FactSource
from ._report import Reporter
from ._scopes import Bindings
from ._types import Types


@dataclass
class FileContext:
    """One file, read once for every rule."""

    tree: MypyFile
    nodes: list[Node]  # every node of the file, parents first (`_walk.walk`)
    bindings: Bindings  # where each variable of the file gets its values
    applications: list[Application]  # every function given to a transform
    pures: list[tuple[Function, Context]]  # every function wrapped by px.pure
    types: Types  # the file's type map, completed from the nodes
    facts: (
        FactSource  # what the functions it calls do (this file's or another's, cached)
    )
    report: Reporter


class Rule(Protocol):
    """One check of the plugin, reported under one error code."""

    @property
    def code(self) -> ErrorCode: ...

    def watches(self, fullname: str) -> bool:
        """A call of `fullname` (a function's full name) makes a file worth a type map."""
        ...

    def check(self, file: FileContext) -> None:
        """Report this rule's errors in `file`."""
        ...
