"""Where a file's type check ends, on mypy before 2.4 (which has no hook there).

mypy 2.4 calls `get_additional_indirect_deps` once a file is fully checked. Earlier
versions call no plugin hook between the end of a file's check and the moment its
errors are printed (and its function bodies freed). So the plugin makes the checker
call one: at the first hook call of a file it *defers* a tiny function of its own,
`def __purepax_end__() -> None: __purepax_end__()`, with `TypeChecker.defer_node` (the
public way in which mypy itself postpones a function whose types are not ready yet).
mypy checks deferred functions after the rest of the file, in the order they were
deferred; checking this one calls the plugin's function hook for `__purepax_end__`.
If functions of the user were deferred after it, it is deferred again, so it runs
after the last of them, when the file's type map is complete.

The function is built by the plugin and belongs to no file: the user's tree, symbol
tables and cache are left as they are.
"""

from __future__ import annotations

from mypy.checker import DeferredNode, TypeChecker
from mypy.nodes import GDEF, Block, CallExpr, ExpressionStmt, FuncDef, NameExpr
from mypy.types import CallableType, NoneType

END = "purepax.mypy_plugin.__purepax_end__"


class Ending:
    """The end-of-check function deferred in one file."""

    def __init__(self, checker: TypeChecker) -> None:
        function = checker.named_type("builtins.function")
        self.checker = checker
        self.defn = FuncDef(
            "__purepax_end__",
            [],
            Block([]),
            CallableType([], [], [], NoneType(), function),
        )
        self.defn._fullname = END
        callee = NameExpr("__purepax_end__")
        callee.kind = GDEF
        callee.node = self.defn
        callee.fullname = END
        self.call = CallExpr(callee, [], [], [])
        self.defn.body.body.append(ExpressionStmt(self.call))
        for node in (
            self.defn,
            self.defn.body,
            self.defn.body.body[0],
            self.call,
            callee,
        ):
            node.line, node.column = 1, 0
        self._queue: list[DeferredNode] = []
        self.defer()

    def defer(self) -> None:
        self._queue = self.checker.deferred_nodes  # the list the next pass goes through
        self.checker.defer_node(self.defn, None)

    def reached(self) -> bool:
        """True at the end of the file's check; False if more of the file comes after
        (then this function is deferred once more)."""
        queue = self._queue
        last = max(
            (i for i, entry in enumerate(queue) if entry.node is self.defn),
            default=len(queue),
        )
        if last < len(queue) - 1:  # functions deferred after this one are checked next
            self.defer()
            return False
        return True
