"""`px.pure` and `px.purecall`: the only way to a mutable view of a module.

`pure(fn)` calls `fn` on copies of the modules in its arguments. Those copies and
their submodules are *views* guarded by one `_Frame`: writable while the frame is the
innermost pure call of the current thread / asyncio task (a `contextvars` stack) and
the JAX trace is the one the call was made under (`_trace.py`); immutable for good
once the call returns, even when `fn` raised or a view escaped. A view that `fn`
changed must be somewhere in `fn`'s output, or the update would be silently lost.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar, overload

import jax

from ._class_spec import spec_of
from ._containers import same_structure
from ._errors import ArgumentError, ImmutableModuleError, UnreturnedUpdateError
from ._guard import GUARD, set_guard
from ._immutable_messages import immutable_message, transform_message
from ._module import Module, shallow_copy
from ._module_marker import is_module
from ._trace import current_trace, holds_tracer, outside_transformations
from ._tree_check import iter_modules, map_submodules

_P = ParamSpec("_P")
_R = TypeVar("_R")
_M = TypeVar("_M", bound=Module)

# Instance key: a token of the argument a view (or a copy of one) descends from. Copies made
# by `px.replace`, `px.update_parameters`, the mode helpers, ... keep it, so returning such a
# copy of a changed argument counts as returning the argument.
LINEAGE = "_purepax_lineage"

_STACK: contextvars.ContextVar[tuple[_Frame, ...]] = contextvars.ContextVar(
    "purepax_pure_stack", default=()
)


class _Frame:
    """One running `pure` call: the guard of all of its views."""

    __slots__ = (
        "trace",
        "open",
        "roots",
        "paths",
        "tokens",
        "given",
        "mutated",
        "_keep",
        "_token",
    )

    def __init__(self) -> None:
        self.trace = current_trace()
        self.open = True
        self.roots: list[Module] = []  # the view of each argument module
        self.paths: list[
            tuple[Any, ...]
        ] = []  # where each argument module was in (args, kwargs)
        self.tokens: list[object] = []  # the lineage token of each argument
        # The modules given (the caller's, not views), kept alive during the call so that
        # their ids cannot be reused by a module made in it.
        self.given: dict[int, Module] = {}
        self.mutated: dict[
            int, str
        ] = {}  # root index -> first change, e.g. "Counter.count"
        self._keep: dict[int, int] = {}  # id(view) -> root index

    def check_write(self, module: Module, name: str) -> None:
        if not self.open:
            raise ImmutableModuleError(immutable_message(module, name))
        if current_trace() != self.trace:
            raise ImmutableModuleError(transform_message(module, name))
        stack = _STACK.get()
        if not stack or stack[-1] is not self:
            if self in stack:
                raise ImmutableModuleError(_nested_message(module, name))
            raise ImmutableModuleError(immutable_message(module, name))

    def accept_write(self, module: Module, name: str, value: Any) -> Any:
        if holds_tracer(value) and outside_transformations():
            raise ImmutableModuleError(
                f"Cannot store a tracer in {type(module).__name__}.{name}: it comes from a JAX "
                "transformation that has already finished, so the module would outlive its "
                "trace (a later UnexpectedTracerError). Return the value from the transformed "
                "function, or pass the module into it and return it from there."
            )
        root = self._keep[id(module)]
        self.mutated.setdefault(root, f"{type(module).__name__}.{name}")
        # A module stored into a view becomes part of it: a mutable copy, like the
        # arguments (the module given is not changed; views of this call stay as they are).
        return map_submodules(
            lambda m: m if m.__dict__.get(GUARD) is self else self.view(m, root, {}),
            value,
        )

    def view(self, module: Module, root: int, memo: dict[int, Module]) -> Module:
        """A mutable copy of `module` and of its submodules, guarded by this frame."""
        done = memo.get(id(module))
        if done is not None:
            return done
        copy = shallow_copy(module)
        memo[id(module)] = copy
        d = copy.__dict__
        for name in spec_of(type(module)).dynamic_names(module):
            d[name] = map_submodules(lambda sub: self.view(sub, root, memo), d[name])
        set_guard(copy, self)
        d.pop(
            LINEAGE, None
        )  # only an argument's own view carries its token (set by pure)
        self._keep[id(copy)] = root
        return copy

    def check_returned(self, fn: Callable[..., Any], out: Any) -> None:
        if not self.mutated:
            return
        returned: set[int] = set()
        rebuilt: list[
            Module
        ] = []  # output modules that are no view or copy of an argument
        tokens = {id(t) for t in self.tokens}
        for m in _modules_reached(out):
            returned.add(id(m))
            lineage = m.__dict__.get(LINEAGE)
            returned.add(id(lineage))
            if (
                m.__dict__.get(GUARD) is not self
                and id(lineage) not in tokens
                and id(m) not in self.given
            ):
                rebuilt.append(m)
        for root, change in self.mutated.items():
            view = self.roots[root]
            if id(view) in returned or id(self.tokens[root]) in returned:
                continue
            if any(_rebuilt_from(m, view) for m in rebuilt):
                continue
            module = type(view).__name__
            raise UnreturnedUpdateError(
                f"{_name(fn)} changed its argument {_argument_name(fn, self.paths[root])} (a {module}: "
                f"{change} was set) but did not return it, so the update would be lost. "
                f"Return the module and use the returned copy (e.g. `return {module.lower()}, "
                f"out`); to drop the update on purpose, return it and ignore it, as "
                "`_, out = px.purecall(module, ...)` does."
            )

    def enter(self, args: Any, kwargs: Any) -> Any:
        """Views of the modules in `(args, kwargs)`; from now on this is the innermost pure call."""
        memo: dict[int, Module] = {}
        leaves, treedef = jax.tree_util.tree_flatten_with_path(
            (args, kwargs), is_leaf=is_module
        )
        copied = []
        for path, leaf in leaves:
            if isinstance(leaf, Module):
                if id(leaf) not in memo:
                    self.given[id(leaf)] = leaf
                    root = self.view(leaf, len(self.roots), memo)
                    self.tokens.append(object())
                    root.__dict__[LINEAGE] = self.tokens[-1]
                    self.roots.append(root)
                    self.paths.append(path)
                leaf = memo[id(leaf)]
            copied.append(leaf)
        self._token = _STACK.set(_STACK.get() + (self,))
        return jax.tree_util.tree_unflatten(treedef, copied)

    def leave(self) -> None:
        """The call is over: its views are immutable for good."""
        _STACK.reset(self._token)
        self.open = False

    def release(self) -> None:
        """Drop every reference to a module: nothing leaks past the call."""
        self.roots.clear()
        self.tokens.clear()
        self.given.clear()
        self._keep.clear()


def _rebuilt_from(module: Module, view: Module) -> bool:
    """Whether `module` may be `view` rebuilt by a tree operation: a module of the same type
    and tree structure that is no view or copy of any argument (e.g.
    `jax.tree.map(lambda a, b: jnp.where(done, a, b), fresh, env)`, an auto-reset)."""
    if type(module) is not type(view):
        return False
    return same_structure(
        jax.tree_util.tree_structure(module), jax.tree_util.tree_structure(view)
    )


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def _nested_message(module: Module, name: str) -> str:
    cls = type(module).__name__
    return (
        f"Cannot set {cls}.{name}: this {cls} belongs to an outer px.pure call, and while an "
        "inner pure call runs only the inner call's own arguments are mutable. Pass the module "
        "to the inner call as an argument and return it from there."
    )


def pure(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Wrap `fn` so that it runs on mutable copies of the modules in its arguments.

    The caller's modules never change. Inside the call, each copy (and each of its
    submodules) may be changed; after it, they are immutable again. A module argument
    that `fn` changed must appear in its output (itself, or a copy of it made by
    `px.replace`, `px.update_parameters`, `px.train_mode`, ...), otherwise
    `px.UnreturnedUpdateError` is raised.

    **Arguments:** `fn`, any function.

    **Returns:** a function with the same signature.

    ```python
    @px.pure
    def step(counter, x):
        y = counter(x)
        return counter, y

    counter, y = step(Counter(), jnp.array(1.0))
    ```
    """
    if not callable(fn):
        raise ArgumentError(f"px.pure takes a function, got {fn!r}.")

    if inspect.iscoroutinefunction(fn):
        # The frame must stay open until the coroutine finishes, not until it is created;
        # the stack is a context variable, so it is this task's alone across the awaits.
        @functools.wraps(fn)
        async def pure_async(*args: Any, **kwargs: Any) -> Any:
            frame = _Frame()
            try:
                args, kwargs = frame.enter(args, kwargs)
                try:
                    out = await fn(*args, **kwargs)
                finally:
                    frame.leave()
                frame.check_returned(fn, out)
                return out
            finally:
                frame.release()

        return typing.cast(Callable[_P, _R], pure_async)

    @functools.wraps(fn)
    def pure_fn(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        frame = _Frame()
        try:
            args, kwargs = frame.enter(args, kwargs)
            try:
                out = fn(*args, **kwargs)
            finally:
                frame.leave()
            frame.check_returned(fn, out)
            return out
        finally:
            frame.release()

    return pure_fn


def _modules_reached(out: Any, limit: int = 10_000) -> Iterator[Module]:
    """The modules in `out`: through pytrees, and through the attributes of other objects
    (a plain dataclass holding the model counts as returning it)."""
    seen: set[int] = set()
    pending = [out]
    while pending and len(seen) < limit:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        for leaf in jax.tree_util.tree_leaves(value, is_leaf=is_module):
            if isinstance(leaf, Module):
                yield from iter_modules(leaf)
            elif not isinstance(leaf, _OPAQUE) and hasattr(leaf, "__dict__"):
                pending.extend(vars(leaf).values())


# Objects whose attributes hold no returned module (and may be large to walk).
_OPAQUE = (type, types.ModuleType, types.FunctionType, types.MethodType, jax.Array)


def _argument_name(fn: Callable[..., Any], path: tuple[Any, ...]) -> str:
    """The argument at `path` in `(args, kwargs)` as `fn` names it: `model`, `pair[1]`,
    `models[0]` for the first of `*models`; `args[0]` only where `fn` names none.

    Asked only for an error message: a signature costs too much to read on every call.
    """
    where, head, *rest = path
    keyword: object = head.key if where.idx == 1 else None
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # a callable whose signature Python cannot read
        parameters = []
    positional = [
        p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    star = next((p.name for p in parameters if p.kind == p.VAR_POSITIONAL), None)
    double_star = next((p.name for p in parameters if p.kind == p.VAR_KEYWORD), None)
    name: str  # `head.idx` is untyped (a jax.tree_util key)
    if keyword is None:
        if head.idx < len(positional):
            name = positional[head.idx].name
        elif star is not None:
            name = f"{star}[{head.idx - len(positional)}]"
        else:
            name = f"args[{head.idx}]"
    elif double_star is not None and not any(
        p.name == keyword and p.kind != p.POSITIONAL_ONLY for p in parameters
    ):
        name = f"{double_star}[{keyword!r}]"
    else:
        name = str(keyword)
    return name + str(jax.tree_util.keystr(tuple(rest)))


def _call(module: Module, *args: Any, **kwargs: Any) -> tuple[Module, Any]:
    return module, typing.cast(Any, module)(*args, **kwargs)


@overload
def purecall(module: _M, /, *args: Any, **kwargs: Any) -> tuple[_M, Any]: ...
@overload
def purecall(
    module: Callable[..., _R], /, *args: Any, **kwargs: Any
) -> tuple[Any, _R]: ...
def purecall(module: Any, /, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """Call a module (or a bound method of one) on a mutable copy; return the copy and the output.

    `px.purecall(m, *args)` is `px.pure(lambda m, *a: (m, m(*a)))(m, *args)`;
    `px.purecall(m.method, *args)` calls `method` the same way.

    **Returns:** `(new_module, output)`. The module given is never changed.

    ```python
    counter, y = px.purecall(counter, x)
    ```
    """
    if isinstance(module, Module):
        return pure(_call)(module, *args, **kwargs)
    if inspect.ismethod(module) and isinstance(module.__self__, Module):
        method = module.__func__

        # Wrapped (its names, not its attributes): an error names the method, and its
        # arguments as the method names them.
        @functools.wraps(method, updated=())
        def call_method(self: Module, *args: Any, **kwargs: Any) -> tuple[Module, Any]:
            return self, method(self, *args, **kwargs)

        return pure(call_method)(module.__self__, *args, **kwargs)
    raise ArgumentError(
        f"px.purecall takes a module or a bound method of a module, got {module!r}. To run a "
        "function on copies of its module arguments, use px.pure(fn)(*args)."
    )
