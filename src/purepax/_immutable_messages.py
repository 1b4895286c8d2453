"""Why a module cannot be set here, and the fix: the messages of `ImmutableModuleError`.

A refused write has several causes that call for different fixes: a finished submodule
set from its parent's `__init__`, a module changed by calling an outer module outside
`px.pure`, a write inside a JAX transformation, a plain write to an immutable module.
To tell them apart, the builders here read the call stack (which `__init__` or
`__call__` of which module is running) and the trace engine. They run only once a
write is refused, so construction and calls pay nothing for them. `Module` and the
views of `px.pure` (`_pure.py`) both raise with them.
"""

from __future__ import annotations

import sys

from ._guard import GUARD, Construction
from ._module_marker import ModuleMarker
from ._trace import outside_transformations


def immutable_message(
    module: ModuleMarker, name: str, *, deleting: bool = False
) -> str:
    """Why `module.name` cannot be set (or deleted) here, and the fix."""
    if not outside_transformations():
        return transform_message(module, name)
    what = "delete" if deleting else "set"
    cls = type(module).__name__
    parent = _under_construction()
    if parent is not None and parent is not module:
        owner = type(parent).__name__
        return (
            f"Cannot {what} {cls}.{name}: this {cls} is a finished module (its construction "
            f"ended when {cls}(...) returned), and {owner}.__init__ may set only the fields of "
            f"the {owner} it builds. Build the {cls} with the values it needs, or assign an "
            f"updated copy: `self.<field> = px.replace(<the {cls}>, {name}=...)`, or, to run a "
            f"method that changes it, `self.<field>, _ = px.purecall(<the {cls}>.method, ...)`."
        )
    caller = _outermost_call()
    if caller is not None and caller is not module:
        outer = type(caller).__name__
        return (
            f"Cannot {what} {cls}.{name}: calling the {outer} changes its {cls} (e.g. a layer "
            f"in training mode updates its state), and the {outer} is immutable outside "
            f"px.pure. Call it on a copy and keep the copy: `{outer.lower()}, out = "
            f"px.purecall({outer.lower()}, ...)`, or, for a read-only call (evaluation), "
            f"`px.eval_mode({outer.lower()})(...)`."
        )
    return (
        f"Cannot {what} {cls}.{name}: the {cls} module is immutable outside px.pure. "
        f"Change a copy instead: `{cls.lower()}, out = px.purecall({cls.lower()}, ...)`, or "
        "wrap the function that changes it with px.pure and return the module."
    )


def transform_message(module: ModuleMarker, name: str) -> str:
    """Why `module.name` cannot be set inside a JAX transformation, and the fix."""
    cls = type(module).__name__
    return (
        f"Cannot set {cls}.{name} inside a JAX transformation (jax.jit, jax.lax.scan, jax.vmap, "
        f"jax.grad, jax.lax.cond, ...): there this {cls} is immutable, whether it was captured "
        "from outside (the change would be lost or leak tracers) or handed in by JAX (a copy). "
        "Pass the module to the transformed function as an explicit argument, update it there "
        f"with `{cls.lower()}, out = px.purecall({cls.lower()}, ...)`, and return it."
    )


def _outermost_call() -> ModuleMarker | None:
    """The outermost module whose method is running in this thread (the one the user
    called), if any. Read from the call stack, only to explain an error."""
    found = None
    frame = sys._getframe(1)
    while frame is not None:
        candidate = (
            frame.f_locals.get("self")
            if frame.f_code.co_varnames[:1] == ("self",)
            else None
        )
        if isinstance(candidate, ModuleMarker) and frame.f_code.co_name == "__call__":
            found = candidate
        frame = frame.f_back  # type: ignore[assignment]
    return found


def _under_construction() -> ModuleMarker | None:
    """The module whose `__init__` (or `__post_init__`) is running in this thread, if any.

    Read from the call stack, only to explain an error: construction itself pays nothing.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("__init__", "__post_init__"):
            candidate = frame.f_locals.get("self")
            if isinstance(candidate, ModuleMarker) and isinstance(
                candidate.__dict__.get(GUARD), Construction
            ):
                return candidate
        frame = frame.f_back  # type: ignore[assignment]
    return None
