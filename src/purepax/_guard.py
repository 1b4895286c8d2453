"""Guards: who may write a module now, and the guard of a module under construction.

A module carries at most one guard, under the instance key `GUARD`: none (it is
immutable), a `Construction` while its `__init__` runs, or a `px.pure` view's frame
(`_pure.py`). `Module.__setattr__` asks the guard whether a write is allowed and what
to store; it never decides purity itself. Both guards live below `_module.py` so that
the messages explaining a refused write (`_immutable_messages.py`) can tell a
construction from a view.
"""

from __future__ import annotations

from typing import Any, Protocol

from ._errors import ImmutableModuleError
from ._module_marker import ModuleMarker
from ._trace import Tracer, current_trace

GUARD = "_purepax_guard"  # instance key: who may write this module now (absent: nobody)


class Guard(Protocol):
    """Who may write a module now: a construction, or a `px.pure` view's frame.

    `module` is typed `Any`: it is a `px.Module`, a class this file, below `_module.py`,
    does not import, and a guard may ask for that class.
    """

    def check_write(self, module: Any, name: str) -> None:
        """Raise `ImmutableModuleError` if `module.name` may not be set now."""

    def accept_write(self, module: Any, name: str, value: Any) -> Any:
        """Accept or refuse `module.name = value` (checked and frozen); return what to store."""


class Construction:
    """The guard of a module while its `__init__` runs: writable under its own trace."""

    __slots__ = ("trace",)

    def __init__(self) -> None:
        self.trace = current_trace()

    def check_write(self, module: ModuleMarker, name: str) -> None:
        pass  # any field may be set while __init__ runs; what is stored is checked at its end

    def accept_write(self, module: ModuleMarker, name: str, value: Any) -> Any:
        # A tracer of a transformation that __init__ itself started (a scan body assigning
        # to self) would outlive its trace. Only a tracer needs the (costlier) trace
        # lookup; containers are checked when construction ends.
        if isinstance(value, Tracer) and current_trace() != self.trace:
            raise ImmutableModuleError(
                f"Cannot set {type(module).__name__}.{name} from inside a JAX transformation "
                "started by its own __init__: the module under construction belongs to the "
                "outer trace. Compute the value with the transformation and assign its result "
                "in __init__ itself."
            )
        return value


def set_guard(module: ModuleMarker, guard: Guard | None) -> None:
    """Give `module` a guard (make it writable under that guard), or remove it."""
    if guard is None:
        module.__dict__.pop(GUARD, None)
    else:
        module.__dict__[GUARD] = guard
