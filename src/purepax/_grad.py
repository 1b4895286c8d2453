"""`px.grad` and `px.value_and_grad`: gradients with respect to a model's parameters.

JAX differentiates with respect to every array leaf of an argument; a model also
holds state (counters, running statistics, PRNG keys) that must stay fixed. So these
split the module argument into `px.parameters(model)` (what is differentiated) and the
model itself (which supplies the state), and rebuild the model inside the function
with `px.update_parameters`. The gradient is a module of the same type, shaped like
`px.parameters(model)` (`None` where the model holds state), ready for
`px.update_parameters` or an optimizer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar, overload

import jax

from ._errors import ArgumentError
from ._functional import parameters, update_parameters
from ._module import Module
from ._module_marker import is_module
from ._transforms import checked, reuse

_P = ParamSpec("_P")
_M = TypeVar("_M")  # the declared type of `fun`'s first parameter
_R = TypeVar("_R")
_A = TypeVar("_A")
_R_co = TypeVar("_R_co", covariant=True)
_A_co = TypeVar("_A_co", covariant=True)
_Model = TypeVar("_Model", bound=Module)  # the class of the model passed in
_Tree = TypeVar(
    "_Tree"
)  # what is passed to a function whose first parameter takes anything

# How the gradient is typed. The gradient has the type of what is differentiated, and
# that is best known at the call: `loss(model: px.Module, x)` given an `MLP` gives an
# `MLP`. A function whose first parameter takes any module (`px.Module`) or anything (no
# annotation, `Any`, `object`) gets a callable generic in that argument (the protocols
# below), so the gradient is typed as the model passed in; one whose first parameter is
# narrower (`MLP`, a tuple or dict of modules) gets a plain callable typed with it.
# (mypy gives `Any` for a first parameter that is `Any` or unannotated: such a function
# matches every overload.)
# Protocols rather than `Callable[Concatenate[_Model, _P], _Model]`: mypy loses a type
# variable left free in a returned callable when that callable is passed on to
# `px.jit` or `px.vmap`.


class _Untyped(Protocol[_P, _R_co]):
    """A function whose first parameter takes any object: unannotated, `Any`, `object`, a lambda.

    The first overloads of `grad` and `value_and_grad` take it, so that a lambda works
    under pyright: pyright types a lambda's parameters from the first overload it fits,
    and `Callable[Concatenate[object, _P], ...]` made `m` in `lambda m, x: loss(m(x))` an
    `object`, which is not callable. From an overloaded `__call__` (the second overload is
    there to make it one) pyright takes no parameter types, so they stay unknown (mypy
    leaves them `Any`), while it still solves `_P` and the return type: the gradient is
    typed as the model passed in. mypy solves no `_P` from it and goes on to the next
    overloads, as before. The overlay's `jax.grad` does the same (stubs/README.md).
    """

    @overload
    def __call__(
        self, model: object, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _R_co: ...
    @overload
    def __call__(self, *args: Any, **kwargs: Any) -> _R_co: ...


class _ModuleGrad(Protocol[_P]):
    def __call__(
        self, model: _Model, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _Model: ...


class _ModuleGradAux(Protocol[_P, _A_co]):
    def __call__(
        self, model: _Model, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> tuple[_Model, _A_co]: ...


class _ModuleValueAndGrad(Protocol[_P, _R_co]):
    def __call__(
        self, model: _Model, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> tuple[_R_co, _Model]: ...


class _TreeGrad(Protocol[_P]):
    def __call__(
        self, model: _Tree, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _Tree: ...


class _TreeGradAux(Protocol[_P, _A_co]):
    def __call__(
        self, model: _Tree, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> tuple[_Tree, _A_co]: ...


class _TreeValueAndGrad(Protocol[_P, _R_co]):
    def __call__(
        self, model: _Tree, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> tuple[_R_co, _Tree]: ...


class _GradDecorator(Protocol):
    @overload
    def __call__(self, fun: _Untyped[_P, Any], /) -> _TreeGrad[_P]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[object, _P], Any], /
    ) -> _TreeGrad[_P]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[Module, _P], Any], /
    ) -> _ModuleGrad[_P]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[_M, _P], Any], /
    ) -> Callable[Concatenate[_M, _P], _M]: ...


class _GradAuxDecorator(Protocol):
    @overload
    def __call__(
        self, fun: _Untyped[_P, tuple[Any, _A]], /
    ) -> _TreeGradAux[_P, _A]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[object, _P], tuple[Any, _A]], /
    ) -> _TreeGradAux[_P, _A]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[Module, _P], tuple[Any, _A]], /
    ) -> _ModuleGradAux[_P, _A]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[_M, _P], tuple[Any, _A]], /
    ) -> Callable[Concatenate[_M, _P], tuple[_M, _A]]: ...


class _ValueAndGradDecorator(Protocol):
    @overload
    def __call__(self, fun: _Untyped[_P, _R], /) -> _TreeValueAndGrad[_P, _R]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[object, _P], _R], /
    ) -> _TreeValueAndGrad[_P, _R]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[Module, _P], _R], /
    ) -> _ModuleValueAndGrad[_P, _R]: ...
    @overload
    def __call__(
        self, fun: Callable[Concatenate[_M, _P], _R], /
    ) -> Callable[Concatenate[_M, _P], tuple[_R, _M]]: ...


class _AnyDecorator(Protocol):
    def __call__(self, fun: Callable[_P, Any], /) -> Callable[_P, Any]: ...


@overload
def grad(  # type: ignore[overload-overlap]
    fun: _Untyped[_P, Any],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _TreeGrad[_P]: ...
@overload
def grad(  # type: ignore[overload-overlap]
    fun: Callable[Concatenate[object, _P], Any],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _TreeGrad[_P]: ...
@overload
def grad(  # type: ignore[overload-overlap]
    fun: Callable[Concatenate[Module, _P], Any],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _ModuleGrad[_P]: ...
@overload
def grad(  # type: ignore[overload-overlap]
    fun: Callable[Concatenate[_M, _P], Any],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[Concatenate[_M, _P], _M]: ...
@overload
def grad(
    fun: _Untyped[_P, tuple[Any, _A]],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _TreeGradAux[_P, _A]: ...
@overload
def grad(
    fun: Callable[Concatenate[object, _P], tuple[Any, _A]],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _TreeGradAux[_P, _A]: ...
@overload
def grad(
    fun: Callable[Concatenate[Module, _P], tuple[Any, _A]],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _ModuleGradAux[_P, _A]: ...
@overload
def grad(
    fun: Callable[Concatenate[_M, _P], tuple[Any, _A]],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[Concatenate[_M, _P], tuple[_M, _A]]: ...
@overload
def grad(
    fun: Callable[_P, Any],
    /,
    *,
    argnums: int | Sequence[int],
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[_P, Any]: ...
@overload
def grad(  # type: ignore[overload-overlap]
    fun: None = None,
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _GradDecorator: ...
@overload
def grad(  # type: ignore[overload-overlap]
    fun: None = None,
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _GradAuxDecorator: ...
@overload
def grad(
    fun: None = None,
    /,
    *,
    argnums: int | Sequence[int],
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _AnyDecorator: ...
def grad(
    fun: Callable[..., Any] | None = None,
    /,
    *,
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Any:
    """The gradient of `fun` with respect to the parameters of the module in its first argument.

    State (`px.state` fields, arrays of a `StateModule`) is held fixed. `fun` is checked
    like every transformed function: no captured modules, annotations type-checked.

    **Arguments:** as `jax.grad`: `fun` returning a scalar (or `(scalar, aux)` with
    `has_aux=True`); `argnums` picks the module argument(s) (each must be a module);
    `holomorphic`, `allow_int`. Without `fun`, returns a decorator.

    **Returns:** a function returning a module of the same type shaped like
    `px.parameters(model)` (`(grads, aux)` with `has_aux`; a tuple of them when
    `argnums` is a sequence). When the argument is a tuple, list or dict of modules
    (model and critic, student and teacher), the gradient is the same container of
    such modules (array leaves beside them get their plain gradient).

    ```python
    grads = px.grad(loss)(model, x, y)
    model = px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads))
    ```
    """
    if fun is None:
        return functools.partial(
            grad,
            argnums=argnums,
            has_aux=has_aux,
            holomorphic=holomorphic,
            allow_int=allow_int,
        )

    def make() -> Callable[..., Any]:
        value_and_grad_fn = _value_and_grad(
            fun, "px.grad", argnums, has_aux, holomorphic, allow_int
        )

        @functools.wraps(fun)
        def grad_fn(*args: Any, **kwargs: Any) -> Any:
            value, grads = value_and_grad_fn(*args, **kwargs)
            return (grads, value[1]) if has_aux else grads

        return grad_fn

    return reuse(fun, ("grad", argnums, has_aux, holomorphic, allow_int), make)


@overload
def value_and_grad(  # type: ignore[overload-overlap]
    fun: _Untyped[_P, _R],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _TreeValueAndGrad[_P, _R]: ...
@overload
def value_and_grad(  # type: ignore[overload-overlap]
    fun: Callable[Concatenate[object, _P], _R],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _TreeValueAndGrad[_P, _R]: ...
@overload
def value_and_grad(  # type: ignore[overload-overlap]
    fun: Callable[Concatenate[Module, _P], _R],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _ModuleValueAndGrad[_P, _R]: ...
@overload
def value_and_grad(  # type: ignore[overload-overlap]
    fun: Callable[Concatenate[_M, _P], _R],
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[Concatenate[_M, _P], tuple[_R, _M]]: ...
@overload
def value_and_grad(
    fun: Callable[_P, Any],
    /,
    *,
    argnums: int | Sequence[int],
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[_P, tuple[Any, Any]]: ...
@overload
def value_and_grad(  # type: ignore[overload-overlap]
    fun: None = None,
    /,
    *,
    argnums: Literal[0] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _ValueAndGradDecorator: ...
@overload
def value_and_grad(
    fun: None = None,
    /,
    *,
    argnums: int | Sequence[int],
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> _AnyDecorator: ...
def value_and_grad(
    fun: Callable[..., Any] | None = None,
    /,
    *,
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Any:
    """`fun`'s value and its gradient with respect to the parameters of its first (module) argument.

    As `px.grad`, but also returns what `fun` returned.

    **Arguments:** as `jax.value_and_grad` (`argnums`, `has_aux`, `holomorphic`,
    `allow_int`); without `fun`, returns a decorator.

    **Returns:** a function returning `(value, grads)`, or `((value, aux), grads)` with
    `has_aux=True`; `grads` is a module shaped like `px.parameters(model)`.

    ```python
    loss_value, grads = px.value_and_grad(loss)(model, x, y)
    ```
    """
    if fun is None:
        return functools.partial(
            value_and_grad,
            argnums=argnums,
            has_aux=has_aux,
            holomorphic=holomorphic,
            allow_int=allow_int,
        )
    return reuse(
        fun,
        ("value_and_grad", argnums, has_aux, holomorphic, allow_int),
        lambda: _value_and_grad(
            fun, "px.value_and_grad", argnums, has_aux, holomorphic, allow_int
        ),
    )


def _value_and_grad(
    fun: Callable[..., Any],
    transform: str,
    argnums: int | Sequence[int],
    has_aux: bool,
    holomorphic: bool,
    allow_int: bool,
) -> Callable[..., Any]:
    body = checked(fun, transform)
    single = isinstance(argnums, int)
    positions: tuple[int, ...] = (
        (argnums,) if isinstance(argnums, int) else tuple(argnums)
    )

    def with_parameters(params: tuple[Any, ...], *args: Any, **kwargs: Any) -> Any:
        rebuilt = list(args)
        for i, p in zip(positions, params):
            rebuilt[i] = _with_parameters(args[i], p)
        return body(*rebuilt, **kwargs)

    differentiate = jax.value_and_grad(
        with_parameters,
        argnums=0,
        has_aux=has_aux,
        holomorphic=holomorphic,
        allow_int=allow_int,
    )

    @functools.wraps(fun)
    def value_and_grad_fn(*args: Any, **kwargs: Any) -> Any:
        for i in positions:
            _require_module(transform, fun, args, i)
        params = tuple(_parameters(args[i]) for i in positions)
        if not (allow_int or holomorphic):
            _refuse_integer_parameters(transform, params, positions)
        value, grads = differentiate(params, *args, **kwargs)
        return value, (grads[0] if single else grads)

    return value_and_grad_fn


def _refuse_integer_parameters(
    transform: str, params: tuple[Any, ...], positions: tuple[int, ...]
) -> None:
    for i, tree in zip(positions, params):
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
            dtype = getattr(leaf, "dtype", None)
            if dtype is not None and not jax.numpy.issubdtype(dtype, jax.numpy.inexact):
                where = f"{type(tree).__name__}{jax.tree_util.keystr(path)}"
                raise ArgumentError(
                    f"{transform} differentiates the parameters of argument {i}, but {where} is an "
                    f"integer ({dtype}) parameter, which has no gradient. Make it state (px.state(), or a "
                    "field of a StateModule) or static (px.static()), or pass allow_int=True."
                )


def _parameters(arg: Any) -> Any:
    """What is differentiated in `arg`: the parameters of each module in it (a module, or a
    tuple/list/dict of modules, e.g. model and critic); other array leaves as they are."""
    if isinstance(arg, Module):
        return parameters(arg)
    return jax.tree_util.tree_map(
        lambda x: parameters(x) if is_module(x) else x, arg, is_leaf=is_module
    )


def _with_parameters(arg: Any, params: Any) -> Any:
    """`arg` with `params` (shaped like `_parameters(arg)`) in place of its parameters."""
    if isinstance(arg, Module):
        return update_parameters(arg, params)
    return jax.tree_util.tree_map(
        lambda x, p: update_parameters(x, p) if is_module(x) else p,
        arg,
        params,
        is_leaf=is_module,
    )


def _holds_module(arg: Any) -> bool:
    return any(is_module(x) for x in jax.tree_util.tree_leaves(arg, is_leaf=is_module))


def _require_module(
    transform: str, fun: Callable[..., Any], args: tuple[Any, ...], i: int
) -> None:
    if i < len(args) and _holds_module(args[i]):
        return
    name = getattr(fun, "__qualname__", repr(fun))
    got = f"an object of type {type(args[i]).__name__}" if i < len(args) else "nothing"
    raise ArgumentError(
        f"{transform} differentiates with respect to the parameters of a purepax module (or of a "
        f"tuple or dict of modules), but `{name}` got {got} as its positional argument {i}. "
        f"Pass the model as argument {i} "
        f"(e.g. `{transform}(loss)(model, x, y)`), or use jax.{transform[3:]} to differentiate "
        "with respect to any pytree of arrays."
    )
