"""The trace-level engine: the only place purepax asks JAX which trace is current.

A mutable view remembers the trace in which it was made mutable; it may change
only while that same trace is current. Inside `jax.jit`, `jax.lax.scan`,
`jax.vmap`, `jax.grad`, ... a new trace is current, so a module captured from
outside is immutable there, exactly as PAX enforced it, but through the public
`get_opaque_trace_state` (`jax.extend.core` from JAX 0.10, `jax.core` from 0.4.36
to 0.9) instead of JAX internals. This is the only file that imports either.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.extend.core

_core: Any = jax.extend.core
if not hasattr(_core, "get_opaque_trace_state"):
    # JAX 0.4.36 to 0.9.x: the same two functions are public in `jax.core` (they moved to
    # `jax.extend.core` in 0.10.0; before 0.4.36 there was no opaque trace state at all).
    _core = jax.core

find_top_trace: Any = _core.find_top_trace
get_opaque_trace_state: Any = _core.get_opaque_trace_state
Tracer: type = jax.core.Tracer  # public in `jax.core` in every supported version

TraceState = Any  # opaque; compared with `==` only


def current_trace() -> TraceState:
    """An opaque token of the current JAX trace; equal tokens mean the same trace."""
    return get_opaque_trace_state(convention="purepax")


def holds_tracer(value: object) -> bool:
    """Whether `value` is, or contains, a JAX tracer."""
    if isinstance(value, Tracer):
        return True
    if isinstance(value, (jax.Array, int, float, bool, str, type(None))):
        return False
    return any(isinstance(leaf, Tracer) for leaf in jax.tree_util.tree_leaves(value))


def outside_transformations() -> bool:
    """Whether no JAX transformation is running (the current trace evaluates eagerly).

    JAX has no public predicate for this; its eager trace class has been named
    `EvalTrace` since the trace refactor of JAX 0.4.36, which `get_opaque_trace_state`
    also needs. If that name ever changes this answers False, which only turns off
    the leaked-tracer check that uses it.
    """
    return type(find_top_trace(())).__name__ == "EvalTrace"
