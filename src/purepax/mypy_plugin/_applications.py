"""Where a file hands functions to transforms and to `px.pure`.

Both forms count: a call (`jax.lax.scan(scan_fn, ...)`, `px.pure(step)`) and a
decorator (`@jax.jit`, `@partial(jax.jit, static_argnums=1)`, `@px.pure`). The
function given may be a def, a lambda, `functools.partial(f, ...)`, `px.pure(f)`,
another transform of `f`, a bound method of a module or of a plain object, or a module
itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    CallExpr,
    Context,
    Decorator,
    Expression,
    FuncDef,
    FuncItem,
    LambdaExpr,
    MemberExpr,
    Node,
    RefExpr,
    Var,
)
from mypy.types import Instance, get_proper_type

from ._names import (
    Transform,
    decorators_of,
    is_partial,
    is_pure,
    is_unknown_decorator,
    positional_args,
    transform_of,
    wraps_purely,
)
from ._scopes import param_vars
from ._types import Types, holds_module, module_info, untyped


@dataclass
class Function:
    """A function as given to a transform or to `px.pure`."""

    expr: Expression | None  # as written (None for a decorated def)
    func: FuncItem | None  # its def or lambda, when the plugin can see it
    pure: bool = False  # wrapped by px.pure (its parameters are mutable views)
    module: Expression | None = (
        None  # `model` in `jax.jit(model)` / `jax.jit(model.apply)`
    )
    method: str | None = None  # "apply" in `jax.jit(model.apply)`
    owner: Expression | None = (
        None  # `trainer` in `jax.jit(trainer.predict)`, a plain object
    )
    # arguments given before the call: functools.partial's, and `self` of a plain object's bound method
    bound: list[tuple[int, Expression]] = field(default_factory=list)
    # what its parameters receive is unknown: a decorator the plugin does not know wraps the
    # def (it may pass other arguments, or wrap it with px.pure), or functools.partial binds
    # `*args` (which parameter each later argument lands in is unknown)
    opaque: bool = False


@dataclass
class Application:
    """One function given to one transform."""

    transform: Transform
    function: Function
    context: Context  # the call or decorator


def resolve(expr: Expression, types: Types, depth: int = 0) -> Function:
    """What function `expr` is."""
    if depth > 8:
        return Function(expr, None)
    if (
        isinstance(expr, RefExpr)
        and isinstance(expr.node, Var)
        and expr.node in types.functions
    ):
        named = resolve(types.functions[expr.node], types, depth + 1)
        named.expr = expr
        return named
    if isinstance(expr, LambdaExpr):
        return Function(expr, expr)
    if isinstance(expr, CallExpr):
        callee = expr.callee
        if (is_pure(callee) or transform_of(callee) is not None) and expr.args:
            inner = resolve(expr.args[0], types, depth + 1)
            inner.expr = expr
            inner.pure = inner.pure or is_pure(callee)
            return inner
        if is_partial(callee) and expr.args:
            inner = resolve(expr.args[0], types, depth + 1)
            inner.expr = expr
            offset = len(inner.bound)
            for arg, kind, name in zip(
                expr.args[1:], expr.arg_kinds[1:], expr.arg_names[1:]
            ):
                if kind == ARG_POS:
                    inner.bound.append((offset, arg))
                    offset += 1
                elif (
                    kind == ARG_NAMED
                    and inner.func is not None
                    and name in inner.func.arg_names
                ):
                    inner.bound.append((inner.func.arg_names.index(name), arg))
                elif kind == ARG_STAR:
                    inner.opaque = True
                    break
            return inner
        return Function(expr, None)
    if isinstance(expr, RefExpr):
        node = expr.node
        if isinstance(node, Decorator):
            decorators = decorators_of(node)
            opaque = any(is_unknown_decorator(d) for d in decorators)
            return Function(
                expr, _visible(node.func), pure=wraps_purely(decorators), opaque=opaque
            )
        if isinstance(node, FuncDef):
            if (
                isinstance(expr, MemberExpr)
                and module_info(types.of(expr.expr)) is not None
            ):
                return Function(
                    expr, _visible(node), module=expr.expr, method=expr.name
                )
            return Function(expr, _visible(node))
        if module_info(types.of(expr)) is not None:
            return Function(expr, None, module=expr)
        if (
            isinstance(expr, MemberExpr)
            and module_info(types.of(expr.expr)) is not None
        ):
            return Function(expr, None, module=expr.expr, method=expr.name)
        if isinstance(expr, MemberExpr):
            method = _plain_method(expr, types)
            if method is not None:
                return Function(
                    expr, _visible(method), owner=expr.expr, bound=[(0, expr.expr)]
                )
    return Function(expr, None)


def _plain_method(expr: MemberExpr, types: Types) -> FuncDef | None:
    """The def of `obj.method`, a method bound to an instance `obj`.

    A decorated method (a static or class method among them) is a `Decorator`, not a def:
    what it binds is unknown, so it is left alone.
    """
    owner = get_proper_type(types.of(expr.expr))
    if not isinstance(owner, Instance):
        return None
    method = owner.type.get_method(expr.name)
    return method if isinstance(method, FuncDef) else None


def _visible(func: FuncDef) -> FuncDef | None:
    """`func`, unless mypy loaded it from its cache (no body, no parameters to look at)."""
    return func if func.body.body else None


def applications(nodes: list[Node], types: Types) -> list[Application]:
    """Every function that a file (all its `nodes`) gives to a transform, in call and decorator form."""
    found: list[Application] = []
    for node in nodes:
        if isinstance(node, CallExpr):
            transform = transform_of(node.callee)
            if transform is None:
                continue
            args = transform.function_args(node)
            for arg in args:
                function = resolve(arg, types)
                found.append(Application(transform, function, node))
                _type_captured(function, types)
                _type_carries(transform, node, function, types)
        elif isinstance(node, Decorator):
            pure = opaque = False
            for decorator in reversed(node.original_decorators):  # the innermost first
                transform = _decorator_transform(decorator)
                if transform is not None:
                    function = Function(None, node.func, pure=pure, opaque=opaque)
                    found.append(Application(transform, function, decorator))
                    _type_captured(function, types)
                pure = pure or is_pure(decorator)
                opaque = opaque or is_unknown_decorator(decorator)
    return found


def pure_functions(nodes: list[Node], types: Types) -> list[tuple[Function, Context]]:
    """Every function that a file (all its `nodes`) wraps with `px.pure`, in call and decorator form."""
    found: list[tuple[Function, Context]] = []
    for node in nodes:
        if isinstance(node, CallExpr) and is_pure(node.callee) and node.args:
            function = resolve(node.args[0], types)
            # `px.pure(model.method)`: `self` is no argument of the call, so no view
            if (
                function.func is not None
                and not function.bound
                and not function.opaque
                and function.module is None
            ):
                found.append((function, node))
        elif isinstance(node, Decorator) and any(
            is_pure(d) for d in node.original_decorators
        ):
            inner = list(node.original_decorators)
            inner = inner[
                max(i for i, d in enumerate(inner) if is_pure(d)) + 1 :
            ]  # applied before px.pure
            if not any(is_unknown_decorator(d) for d in inner):
                found.append((Function(None, node.func, pure=True), node))
    return found


def _decorator_transform(decorator: Expression) -> Transform | None:
    transform = transform_of(decorator)
    if transform is not None:
        return transform
    if isinstance(decorator, CallExpr):
        if is_partial(decorator.callee) and decorator.args:
            return transform_of(decorator.args[0])
        called = transform_of(decorator.callee)  # `@jax.jit(static_argnames=...)`
        if called is not None and not called.function_args(decorator):
            return called
    return None


def type_from_calls(nodes: list[Node], wrapped: list[Function], types: Types) -> None:
    """Type the unannotated parameters of transformed and pure functions from their calls.

    `f(counter, x)` for `@jax.jit def f(c, x)`, and `jax.jit(f)(counter, x)` or
    `px.pure(f)(counter, x)`: the module passed types the parameter it lands in.
    """
    by_def = {id(f.func): f for f in wrapped if f.func is not None}
    for node in nodes:
        if not isinstance(node, CallExpr):
            continue
        callee = node.callee
        function: Function | None = None
        if isinstance(callee, RefExpr) and isinstance(
            callee.node, (Decorator, FuncDef)
        ):
            func = (
                callee.node.func if isinstance(callee.node, Decorator) else callee.node
            )
            function = by_def.get(id(func))
        elif isinstance(callee, CallExpr) and (
            is_pure(callee.callee) or transform_of(callee.callee) is not None
        ):
            function = resolve(callee, types) if callee.args else None
        elif (
            isinstance(callee, RefExpr)
            and isinstance(callee.node, Var)
            and callee.node in types.functions
        ):
            value = types.functions[
                callee.node
            ]  # `step = jax.jit(f)`, then `step(counter, x)`
            if isinstance(value, CallExpr) and (
                is_pure(value.callee) or transform_of(value.callee) is not None
            ):
                function = resolve(value, types) if value.args else None
        if (
            function is None
            or function.func is None
            or function.module is not None
            or function.opaque
        ):
            continue
        params = param_vars(function.func)[len(function.bound) :]
        positional = positional_args(node)
        named = {
            name: arg
            for arg, kind, name in zip(node.args, node.arg_kinds, node.arg_names)
            if kind == ARG_NAMED
        }
        unplaced = any(kind in (ARG_STAR, ARG_STAR2) for kind in node.arg_kinds)
        for index, var in enumerate(params):
            if not untyped(var):
                continue
            arg = positional[index] if index < len(positional) else named.get(var.name)
            if arg is not None:
                types.offer(var, types.of(arg))
            elif unplaced:  # `f(*args)`: it may land here
                types.offer(var, None)


def _type_captured(function: Function, types: Types) -> None:
    """Type the unannotated parameters bound to a module by functools.partial or a default value."""
    func = function.func
    if func is None:
        return
    params = param_vars(func)
    given = [(params[i], arg) for i, arg in function.bound if i < len(params)]
    given += [
        (a.variable, a.initializer) for a in func.arguments if a.initializer is not None
    ]
    for var, value in given:
        typ = types.of(value)
        if untyped(var) and holds_module(typ) is not None:
            types.offer(var, typ)


def _type_carries(
    transform: Transform, call: CallExpr, function: Function, types: Types
) -> None:
    """Type the unannotated parameters that a loop or branch hands its carry or operands."""
    func = function.func
    if func is None or function.opaque:
        return
    params = param_vars(func)[len(function.bound) :]
    positions, args = transform.carry_args(call)
    for position, arg in zip(positions, args):
        if position >= len(params):
            continue
        var = params[position]
        if untyped(var):
            types.offer(
                var, types.of(arg)
            )  # a module, or a tuple/list/dict holding modules
