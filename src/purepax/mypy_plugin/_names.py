"""Which names are JAX transforms, purepax transforms and purepax helpers.

A name reaches the plugin as the full name of its definition, which may be a module
inside JAX's private package or a stub's public name (`jax.jit`, `jax.lax.scan`), and
may move between JAX versions. So a name is matched by its top-level package and its
last component only.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    LambdaExpr,
    ListExpr,
    RefExpr,
    TupleExpr,
    TypeInfo,
)

from ._walk import dotted

# JAX transforms under which any use of a captured module is an error (the function's
# arrays would be baked into the program as constants) ...
STRICT_JAX = frozenset({"jit", "scan", "cond", "switch", "while_loop", "fori_loop"})
# ... and those under which only a captured module that the function mutates is.
LENIENT_JAX = frozenset({"vmap", "grad", "value_and_grad", "checkpoint", "remat"})
PUREPAX_TRANSFORMS = frozenset(
    {
        "jit",
        "scan",
        "vmap",
        "grad",
        "value_and_grad",
        "cond",
        "switch",
        "while_loop",
        "fori_loop",
        "remat",
    }
)
# purepax functions that return a new (immutable) module.
STACKED = (
    "purepax._stacked.Stacked"  # `px.Stacked[Block]`: calling it calls every block
)
MODULE_MAKERS = frozenset(
    {"replace", "update_parameters", "train_mode", "eval_mode", "parameters"}
)
# JAX packages whose functions merely share a transform's name (`jax.numpy.linalg.cond`).
_NOT_TRANSFORMS = frozenset({"numpy", "scipy", "random", "nn", "image", "dlpack"})


@dataclass(frozen=True)
class Transform:
    """What the plugin knows about one transform."""

    name: str  # as written at the call site, e.g. "jax.lax.scan" or "px.jit"
    last: str  # "scan"
    strict: bool  # any use of a captured module is an error (else only a mutated one)

    def function_args(self, call: CallExpr) -> list[Expression]:
        """The functions given to this transform in `call` (a switch's branches one by one)."""
        positions, keywords = _FUNCTION_ARGS[self.last]
        if self.last == "cond" and _old_cond(call):
            return []  # cond(pred, true_operand, true_fun, false_operand, false_fun), JAX's old form
        found = [arg for i, arg in enumerate(positional_args(call)) if i in positions]
        named = zip(call.args, call.arg_kinds, call.arg_names)
        found += [
            arg for arg, kind, name in named if kind == ARG_NAMED and name in keywords
        ]
        if self.last == "switch":
            return [item for arg in found for item in _sequence_items(arg)]
        return found

    def carry_args(self, call: CallExpr) -> tuple[list[int], list[Expression]]:
        """(parameter positions, argument expressions): values the transform hands the function.

        `scan(f, init, xs)` gives `init` to `f`'s first parameter, `fori_loop(lo, hi, body,
        init)` gives `init` to `body`'s second one, `cond(p, t, f, *operands)` gives the
        operands to each branch in order.
        """
        spec = _CARRIES.get(self.last)
        if spec is None:
            return [], []
        position, keyword, params = spec
        positional = positional_args(call)
        if params is None:  # the operands of cond / switch, all of them
            return list(range(len(positional) - position)), positional[position:]
        for arg, kind, name in zip(call.args, call.arg_kinds, call.arg_names):
            if kind == ARG_NAMED and name == keyword:
                return [params], [arg]
        if len(positional) > position:
            return [params], [positional[position]]
        return [], []


_FUNCTION_ARGS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "jit": ((0,), ("fun",)),
    "vmap": ((0,), ("fun",)),
    "grad": ((0,), ("fun",)),
    "value_and_grad": ((0,), ("fun",)),
    "checkpoint": ((0,), ("fun",)),
    "remat": ((0,), ("fun",)),
    "scan": ((0,), ("f",)),
    "cond": ((1, 2), ("true_fun", "false_fun")),
    "switch": ((1,), ("branches",)),
    "while_loop": ((0, 1), ("cond_fun", "body_fun")),
    "fori_loop": ((2,), ("body_fun",)),
}
# transform -> (position of the carried argument, its keyword, the parameter it becomes;
# None: every operand from that position on, in order).
_CARRIES: dict[str, tuple[int, str, int | None]] = {
    "scan": (1, "init", 0),
    "fori_loop": (3, "init_val", 1),
    "while_loop": (2, "init_val", 0),
    "cond": (3, "", None),
    "switch": (2, "", None),
}


def positional_args(call: CallExpr) -> list[Expression]:
    """The positional arguments of `call` whose positions are known: those before any
    `*args` (after it, the plugin cannot tell which parameter an argument lands in)."""
    found: list[Expression] = []
    for arg, kind in zip(call.args, call.arg_kinds):
        if kind == ARG_STAR:
            break
        if kind == ARG_POS:
            found.append(arg)
    return found


def _old_cond(call: CallExpr) -> bool:
    """`cond(pred, x_true, f_true, x_false, f_false)`: JAX falls back to it only when the
    second argument is not callable (`cond(pred, f, g, a, b)` has two operands)."""
    args = call.args
    if len(args) != 5 or any(kind != ARG_POS for kind in call.arg_kinds):
        return False
    return _is_function(args[2]) and _is_function(args[4]) and not _is_function(args[1])


def _is_function(expr: Expression) -> bool:
    return isinstance(expr, LambdaExpr) or (
        isinstance(expr, RefExpr) and isinstance(expr.node, (FuncDef, Decorator))
    )


def _sequence_items(expr: Expression) -> list[Expression]:
    if isinstance(expr, (ListExpr, TupleExpr)):
        return list(expr.items)
    return []


def _parts(fullname: str) -> list[str]:
    return fullname.split(".") if fullname else []


def is_purepax_name(fullname: str, names: frozenset[str] | set[str]) -> bool:
    parts = _parts(fullname)
    return len(parts) >= 2 and parts[0] == "purepax" and parts[-1] in names


def transform_of(expr: Expression) -> Transform | None:
    """The transform that `expr` names (`jax.jit`, `lax.scan`, `px.vmap`), if any."""
    if not isinstance(expr, RefExpr):
        return None
    parts = _parts(expr.fullname)
    if len(parts) < 2:
        return None
    last = parts[-1]
    written = dotted(expr)
    if (
        parts[0] == "purepax"
        and last in PUREPAX_TRANSFORMS
        and "mypy_plugin" not in parts
    ):
        return Transform(written, last, strict=True)
    if parts[0] == "jax" and not _NOT_TRANSFORMS.intersection(parts):
        if last in STRICT_JAX:
            return Transform(written, last, strict=True)
        if last in LENIENT_JAX:
            return Transform(written, last, strict=False)
    return None


def watches_transforms(fullname: str) -> bool:
    """A transform or a purepax function: what the purity rules need a file's type map for."""
    top, _, rest = fullname.partition(".")
    last = rest.rpartition(".")[2]
    if top == "purepax":
        return True
    return top == "jax" and (last in STRICT_JAX or last in LENIENT_JAX)


def is_pure(expr: Expression) -> bool:
    """`expr` names `px.pure`."""
    return isinstance(expr, RefExpr) and is_purepax_name(expr.fullname, {"pure"})


def is_purecall(expr: Expression) -> bool:
    """`expr` names `px.purecall`."""
    return isinstance(expr, RefExpr) and is_purepax_name(expr.fullname, {"purecall"})


def is_module_maker(expr: Expression) -> bool:
    """`expr` names a purepax helper that returns a new module (`px.replace`, ...)."""
    return isinstance(expr, RefExpr) and is_purepax_name(expr.fullname, MODULE_MAKERS)


def is_partial(expr: Expression) -> bool:
    return isinstance(expr, RefExpr) and expr.fullname == "functools.partial"


def is_module_class(info: TypeInfo) -> bool:
    """`info` is a purepax module class (a subclass of `px.Module`)."""
    return any(_is_module_base(base.fullname) for base in info.mro)


def _is_module_base(fullname: str) -> bool:
    parts = _parts(fullname)
    return len(parts) >= 2 and parts[0] == "purepax" and parts[-1] == "Module"


def decorators_of(node: object) -> list[Expression]:
    return list(node.original_decorators) if isinstance(node, Decorator) else []


def wraps_purely(decorators: list[Expression]) -> bool:
    """Any decorator that makes calling the function leave the caller's modules unchanged."""
    return any(_wraps_purely(d) for d in decorators)


def wraps_only_purely(decorators: list[Expression]) -> bool:
    """Every decorator is transparent, `px.pure` or a transform: the function's own
    arguments reach it (as views or traced copies)."""
    return all(is_transparent(d) or _wraps_purely(d) for d in decorators)


def _wraps_purely(decorator: Expression) -> bool:
    """`px.pure` or a transform, also called (`@jax.jit(...)`) or through functools.partial."""
    target = decorator
    if (
        isinstance(decorator, CallExpr)
        and is_partial(decorator.callee)
        and decorator.args
    ):
        target = decorator.args[0]
    callee = target.callee if isinstance(target, CallExpr) else target
    return is_pure(callee) or transform_of(callee) is not None


def is_transparent(decorator: Expression) -> bool:
    """A decorator that leaves the function as it is: the same arguments reach it, and it
    does the same to them (`staticmethod`, `typing.override`, a runtime type checker)."""
    target = (
        decorator.callee if isinstance(decorator, CallExpr) else decorator
    )  # `@jaxtyped(typechecker=...)`
    if not isinstance(target, RefExpr):
        return False
    parts = _parts(target.fullname)
    return target.fullname in _TRANSPARENT or (
        len(parts) >= 2 and (parts[0], parts[-1]) in _TYPE_CHECKERS
    )


def is_unknown_decorator(decorator: Expression) -> bool:
    """A decorator that is neither transparent nor `px.pure` nor a transform: it may call the
    function with other arguments, or wrap it with `px.pure` (a project's own decorator),
    so nothing is known about what the function's parameters receive."""
    return not (is_transparent(decorator) or _wraps_purely(decorator))


_TRANSPARENT = frozenset(
    {
        "builtins.staticmethod",
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
    }
)
_TYPE_CHECKERS = frozenset({("jaxtyping", "jaxtyped"), ("beartype", "beartype")})
