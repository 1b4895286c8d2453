"""The trace-level engine: the only place purepax asks JAX which trace is current.

A mutable view remembers the trace in which it was made mutable; it may change
only while that same trace is current. Inside `jax.jit`, `jax.lax.scan`,
`jax.vmap`, `jax.grad`, ... a new trace is current, so a module captured from
outside is immutable there, exactly as PAX enforced it, but through JAX's public
`get_opaque_trace_state` instead of JAX internals.

Every access to `jax.core` / `jax.extend.core` in purepax is in this file, and each
fallback for an older JAX names the versions it is for. The oldest supported JAX is
0.4.36: `get_opaque_trace_state` exists since 0.4.34, but only from 0.4.36 on (the
"stackless" trace rewrite) does its token identify the current trace itself; before,
it was a nesting level, equal for two sibling traces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.core
import jax.extend.core

# JAX 0.10.0 and newer: the trace queries are public in `jax.extend.core` (and deprecated
# in `jax.core`). JAX 0.4.36 to 0.9.x: the same two functions, public in `jax.core` only.
# Looked up by name so that mypy checks this file alike against every supported JAX.
_TRACE_API: Any = jax.extend.core if hasattr(jax.extend.core, "get_opaque_trace_state") else jax.core
find_top_trace: Callable[[tuple[()]], Any] = _TRACE_API.find_top_trace
get_opaque_trace_state: Callable[..., Any] = _TRACE_API.get_opaque_trace_state

TraceState = Any  # opaque; compared with `==` only

# `jax.core.Tracer` is public in every supported JAX (0.4.36 to 0.10.x).
Tracer = jax.core.Tracer


def current_trace() -> TraceState:
    """An opaque token of the current JAX trace; equal tokens mean the same trace."""
    # `convention` is required in JAX 0.4.36 to 0.6.x and ignored since 0.4.36.
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
    `EvalTrace` since the trace rewrite of JAX 0.4.36, which `get_opaque_trace_state`
    also needs. If that name ever changes this answers False, which only turns off
    the leaked-tracer check that uses it.
    """
    return type(find_top_trace(())).__name__ == "EvalTrace"
