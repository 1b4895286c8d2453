"""`purepax-shape`: shape bugs in jaxtyping-annotated code that will certainly fail.

Each function (and the file's top level) is interpreted in statement order with, for
each local variable, what is known of its value: an array's shape (`_shape_dims.Shape`),
a module built in view (its class and the values of its `int` constructor arguments,
which are its class-scoped dimension names), a function, an `int`. Shapes come from
parameter annotations, `jnp.zeros`/`ones`/`full`/`empty`, `jax.random` samplers with
literal sizes, and the annotated results of the functions and modules called; they flow
through broadcasting operators, `@`, `.T`, reductions, shape-preserving functions,
`jax.jit`, `px.jit`, `px.purecall` and `nn.Sequential`. Anything else makes a value
unknown, and an unknown value is never reported: a variable rebound in a loop or a
`try`, a comprehension, indexing, reshape, einsum, transforms other than jit.

Reported only what will certainly fail: two known sizes that differ where an annotation
(an argument, a return, an annotated assignment), an operator's broadcasting or a
contraction needs them equal; one call-scoped name given two sizes in one call; an array
of the wrong rank where no variadic dimension allows it. Two different *names* that
must be equal (`n` against `m`), which may be equal at run time, are reported under
`purepax-shape-strict`, off unless the plugin's setting says `shapes = strict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    ArgKind,
    AssignmentExpr,
    AssignmentStmt,
    Block,
    CallExpr,
    ConditionalExpr,
    Decorator,
    DelStmt,
    DictionaryComprehension,
    Expression,
    ExpressionStmt,
    FloatExpr,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    GlobalDecl,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    OpExpr,
    OverloadedFuncDef,
    RefExpr,
    ReturnStmt,
    SetComprehension,
    Statement,
    TryStmt,
    TupleExpr,
    TypeInfo,
    UnaryExpr,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.types import Instance, get_proper_type

from ._names import is_module_class, is_purecall, is_transparent, transform_of
from ._report import Reporter
from ._rules import FileContext
from ._shape_config import SHAPE_STRICT
from ._shape_dims import (
    UNKNOWN,
    Dim,
    Shape,
    Spec,
    SpecDim,
    axis_name,
    join,
    parse,
)
from ._shape_sources import (
    Modules,
    Param,
    Signature,
    Sources,
    dims_text,
    forget_stored,
    is_int_param,
)
from ._types import Types
from ._walk import INERT as _INERT
from ._walk import children, dotted, walk

SHAPE = ErrorCode(
    "purepax-shape", "An array's shape certainly clashes with its annotation", "purepax"
)

# --- values ---------------------------------------------------------------------------


@dataclass(eq=False)
class Mod:
    """A module instance: its class and its class-scoped names' values."""

    info: TypeInfo
    ints: dict[str, Dim]
    origin: str  # `Linear built on line 2`
    layers: tuple[Value, ...] | None = None  # an `nn.Sequential`'s, in order
    trailing: tuple[Dim, ...] | None = None  # a norm's normalised shape, from literals


@dataclass(eq=False)
class Fn:
    """A function or class named in the code (a JAX function by its full name)."""

    fullname: str
    node: object  # FuncDef, Decorator, TypeInfo, or None for a library name
    shown: str  # as written: `jax.nn.relu`
    bound: Mod | None = None  # the module of a bound method


@dataclass(frozen=True)
class IntValue:
    dim: Dim


@dataclass(frozen=True)
class Tup:
    items: tuple[Value, ...]


class _Scalar:
    pass


SCALAR = _Scalar()
Value = Shape | Mod | Fn | IntValue | Tup | _Scalar | None


# --- the JAX functions the rule models, by last name (any module of jax) ----------------

_CONSTRUCTORS = frozenset({"zeros", "ones", "empty", "full"})
_LIKE = frozenset({"zeros_like", "ones_like", "empty_like", "full_like"})
_PRESERVING = frozenset(
    {
        "relu", "relu6", "gelu", "silu", "swish", "sigmoid", "tanh", "softplus", "soft_sign",
        "elu", "celu", "selu", "leaky_relu", "hard_tanh", "hard_sigmoid", "hard_silu",
        "hard_swish", "log_sigmoid", "mish", "softmax", "log_softmax", "standardize", "exp",
        "log", "log1p", "expm1", "sqrt", "rsqrt", "square", "abs", "absolute", "negative",
        "sign", "sin", "cos", "tan", "sinh", "cosh", "arctan", "arcsin", "arccos", "arctanh",
        "floor", "ceil", "reciprocal", "exp2", "log2", "log10", "stop_gradient", "logistic",
        "erf", "isnan", "isfinite", "logical_not", "cbrt",
    }
)  # fmt: skip
_BINARY = frozenset(
    {
        "add",
        "subtract",
        "multiply",
        "divide",
        "true_divide",
        "maximum",
        "minimum",
        "power",
    }
)
_REDUCTIONS = frozenset(
    {"sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "all", "any",
     "amax", "amin", "nansum", "nanmean", "logsumexp"}
)  # fmt: skip
_ARRAY_PACKAGES = frozenset({"numpy", "nn", "lax", "special"})
# jax.random samplers: the position of their `shape` argument
_SAMPLERS = {
    "normal": 1, "uniform": 1, "randint": 1, "bits": 1, "rademacher": 1, "gumbel": 1,
    "laplace": 1, "logistic": 1, "cauchy": 1, "exponential": 1, "bernoulli": 2,
    "truncated_normal": 3,
}  # fmt: skip
_ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%", "**"})
_SCALARS = frozenset({"builtins.int", "builtins.float", "builtins.bool"})


def _jax_name(fullname: str) -> tuple[str, str] | None:
    """(`numpy`/`nn`/`lax`/`random`/`special`, last name) of a JAX function's full name,
    in any version's spelling (`jax.numpy.zeros`, `jax._src.numpy.array_creation.zeros`)."""
    parts = fullname.split(".")
    if len(parts) < 3 or parts[0] != "jax":
        return None
    for part in parts[1:-1]:
        if part in _ARRAY_PACKAGES or part == "random":
            return part, parts[-1]
    return None


# --- a call's actual arguments ----------------------------------------------------------


@dataclass
class Actual:
    expr: Expression
    kind: ArgKind
    name: str | None
    value: Value


def _map(
    params: tuple[Param, ...], actuals: list[Actual]
) -> list[tuple[Param, Actual]]:
    """Which parameter each argument lands in (those after a `*args` are left out)."""
    positional = [p for p in params if p.kind in (ARG_POS, ARG_OPT)]
    found: list[tuple[Param, Actual]] = []
    index = 0
    for actual in actuals:
        if actual.kind == ARG_POS:
            if index >= len(positional):
                return found
            found.append((positional[index], actual))
            index += 1
        elif actual.kind == ARG_NAMED:
            for param in params:
                if param.name == actual.name and param.kind in (
                    ARG_POS,
                    ARG_OPT,
                    ARG_NAMED,
                    ARG_NAMED_OPT,
                ):
                    found.append((param, actual))
        else:
            return found
    return found


# --- matching a shape against a spec ----------------------------------------------------


@dataclass
class Clash:
    kind: str  # "scoped", "literal", "twice", "rank", "names"
    param: str  # the argument's name, as the callee names it
    axis: str
    expected: Dim
    got: Dim
    spec: Spec
    first: str = ""  # for "twice"/"names": where the name was bound first
    strict: bool = False
    name: str = ""  # the dimension name of the annotation
    shapes: tuple[Shape, Shape] | None = None  # for "star": the two runs of dimensions


@dataclass
class Binding:
    """The names one call binds (jaxtyping's per-call scope) and the module's own."""

    scoped: dict[str, Dim]
    names: dict[str, tuple[Dim, str]] = field(
        default_factory=dict
    )  # name -> (dim, where)
    stars: dict[str, Shape | None] = field(default_factory=dict)
    star_where: dict[str, str] = field(default_factory=dict)

    def match(self, spec: Spec, shape: Shape, param: str) -> Clash | None:
        pairs = _align(spec, shape)
        if pairs is None:
            return None
        if isinstance(pairs, Clash):
            pairs.param = param
            return pairs
        clash = self._bind_star(spec, shape, param)
        if clash is not None:
            return clash
        for spec_dim, dim, axis in pairs:
            clash = self._check(spec_dim, dim, axis, spec, param)
            if clash is not None:
                return clash
        return None

    def _bind_star(self, spec: Spec, shape: Shape, where: str) -> Clash | None:
        if not spec.variadic or spec.star is None:
            return None
        nf, nb = len(spec.front), len(spec.back)
        if shape.variadic:
            part = (
                Shape(shape.front[nf:], shape.back[: len(shape.back) - nb], True)
                if nf <= len(shape.front) and nb <= len(shape.back)
                else None
            )
        else:
            part = Shape(shape.front[nf : len(shape.front) - nb])
        if spec.star not in self.stars:
            self.stars[spec.star] = part
            self.star_where[spec.star] = where
            return None
        earlier = self.stars[spec.star]
        if earlier is None or part is None or earlier == part:
            return None
        if not earlier.variadic and not part.variadic:
            if len(earlier.front) != len(part.front) or any(
                a.size is not None and b.size is not None and a.size != b.size
                for a, b in zip(earlier.front, part.front)
            ):
                first = f"{self.star_where[spec.star]}, {_shown_dims(earlier.front)}"
                return Clash(
                    "star",
                    where,
                    "",
                    Dim(),
                    Dim(),
                    spec,
                    first,
                    name=spec.star,
                    shapes=(earlier, part),
                )
        self.stars[spec.star] = None
        return None

    def _check(
        self, spec_dim: SpecDim, dim: Dim, axis: str, spec: Spec, param: str
    ) -> Clash | None:
        if spec_dim.broadcast and dim.size == 1:
            return None
        if spec_dim.size is not None:
            if dim.size is not None and dim.size != spec_dim.size:
                expected = Dim(spec_dim.size, origin=f'annotated "{spec.text}"')
                return Clash("literal", param, axis, expected, dim, spec)
            return None
        name = spec_dim.name
        if name is None:
            return None
        if name in self.scoped:
            expected = self.scoped[name]
            return _compare("scoped", expected, dim, axis, spec, param, "", name)
        where = f"{axis} of {param}"
        earlier = self.names.get(name)
        if earlier is None:
            if not spec_dim.broadcast:
                self.names[name] = (dim, where)
            return None
        clash = _compare("twice", earlier[0], dim, axis, spec, param, earlier[1], name)
        if clash is None and earlier[0].size is None and dim.size is not None:
            self.names[name] = (dim, where)  # a size says more than a name
        return clash

    def dim(self, spec_dim: SpecDim) -> Dim:
        """The value a name of the callee's return annotation has after this call."""
        if spec_dim.size is not None:
            return Dim(spec_dim.size)
        if spec_dim.name is None:
            return UNKNOWN
        if spec_dim.name in self.scoped:
            return self.scoped[spec_dim.name]
        bound = self.names.get(spec_dim.name)
        return bound[0] if bound is not None else UNKNOWN

    def instantiate(self, spec: Spec, origin: str) -> Shape:
        def dim(d: SpecDim) -> Dim:
            found = self.dim(d)
            if d.broadcast:
                return UNKNOWN  # `#d` may be 1 there
            if found.size is not None and not found.origin:
                return Dim(found.size, origin=origin)
            return found

        front = tuple(dim(d) for d in spec.front)
        back = tuple(dim(d) for d in spec.back)
        if not spec.variadic:
            return Shape(front)
        star = self.stars.get(spec.star) if spec.star is not None else None
        if star is None:
            return Shape(front, back, True)
        if star.variadic:
            return Shape(front + star.front, star.back + back, True)
        return Shape(front + star.front + back)


def _compare(
    kind: str,
    expected: Dim,
    got: Dim,
    axis: str,
    spec: Spec,
    param: str,
    first: str,
    name: str,
) -> Clash | None:
    if expected.size is not None and got.size is not None:
        if expected.size != got.size:
            return Clash(kind, param, axis, expected, got, spec, first, name=name)
        return None
    if (
        expected.size is None
        and got.size is None
        and expected.key is not None
        and got.key is not None
        and expected.key != got.key
    ):
        return Clash(
            kind, param, axis, expected, got, spec, first, strict=True, name=name
        )
    return None


def _align(spec: Spec, shape: Shape) -> list[tuple[SpecDim, Dim, str]] | Clash | None:
    """Each dimension of `spec` with the dimension of `shape` it must match (where that
    place is known); a Clash for a rank that cannot fit."""
    nf, nb = len(spec.front), len(spec.back)
    pairs: list[tuple[SpecDim, Dim, str]] = []
    if not shape.variadic:
        dims = shape.front
        n = len(dims)
        if (not spec.variadic and n != nf) or (spec.variadic and n < nf + nb):
            return Clash("rank", "", "", Dim(nf + nb), Dim(n), spec)
        for i, d in enumerate(spec.front):
            pairs.append((d, dims[i], axis_name(n - i, i)))
        for j, d in enumerate(spec.back):
            i = n - nb + j
            pairs.append((d, dims[i], axis_name(n - i, i)))
        return pairs
    if not spec.variadic and shape.least_rank > nf:
        return Clash(
            "rank", "", "", Dim(nf), Dim(shape.least_rank), spec, first="at least "
        )
    sf, sb = shape.front, shape.back
    whole = spec.front if not spec.variadic else spec.front
    for i in range(min(len(whole), len(sf))):
        pairs.append((whole[i], sf[i], axis_name(None, i)))
    ends = spec.back if spec.variadic else spec.front
    for j in range(1, min(len(ends), len(sb)) + 1):
        pairs.append((ends[-j], sb[-j], axis_name(j, None)))
    return pairs


# --- messages -----------------------------------------------------------------------------


def _size(dim: Dim) -> str:
    return f"{dim.size} ({dim.origin})" if dim.origin else str(dim.size)


def _call_message(callee: str, clash: Clash) -> str:
    p, axis = clash.param, clash.axis
    if clash.kind == "rank":
        least = clash.first
        return (
            f"{callee} expects {p} to have {'at least ' if clash.spec.variadic else ''}"
            f'{clash.expected.size} axes ("{clash.spec.text}"), but {p} has {least}{clash.got.size}'
            f"{_origin_of(clash)}. Pass an array of that rank."
        )
    if clash.kind == "star" and clash.shapes is not None:
        origin = next((d.origin for d in clash.shapes[1].front if d.origin), "")
        return (
            f'{callee} binds "*{clash.name}" to {clash.first} and to '
            f"{_shown_dims(clash.shapes[1].front)} from {p}{f' ({origin})' if origin else ''}: "
            f'the dimensions a variadic name stands for are the same in one call ("{clash.spec.text}"). '
            "Make the two agree."
        )
    if clash.strict:
        return (
            f"{callee} expects {axis} of {p} to be {clash.expected.label}"
            f"{' (as ' + clash.first + ')' if clash.first else ''}, but {p} has "
            f"{clash.got.label} there: the two sizes are equal only if "
            f"{clash.expected.label} == {clash.got.label}. Use one name for both, or check them."
        )
    if clash.kind == "literal":
        return (
            f"{callee} expects {axis} of {p} to be {clash.expected.size} ({clash.expected.origin}), "
            f"but {p} has {_size(clash.got)} there. Pass an array whose {axis.removeprefix('the ')} is {clash.expected.size}."
        )
    if clash.kind == "scoped":
        return (
            f"{callee} expects {axis} of {p} to be {clash.name}={clash.expected.size} "
            f"({clash.expected.origin}), but {p} has {_size(clash.got)} there. Pass an array whose "
            f"{axis.removeprefix('the ')} is {clash.expected.size}, or build the module with "
            f"{clash.expected.label or clash.name}={clash.got.size}."
        )
    return (
        f'{callee} binds "{_spec_name(clash)}" to {_size(clash.expected)} from {clash.first} and to '
        f"{_size(clash.got)} from {axis} of {p}: a dimension name has one size in a call "
        f'("{clash.spec.text}"). Make the two sizes agree.'
    )


def _spec_name(clash: Clash) -> str:
    return clash.name or clash.expected.label


def _origin_of(clash: Clash) -> str:
    return f" ({clash.got.origin})" if clash.got.origin else ""


# --- the interpreter --------------------------------------------------------------------

Env = dict[Var, Value]


class _Scope:
    """One function's (or the top level's) walk: its variables and what it reports."""

    def __init__(
        self,
        rule: _Run,
        func: FuncItem | None,
        report: bool,
    ) -> None:
        self.run = rule
        self.func = func
        self.report = report
        self.signature: Signature | None = None
        self.own: Binding = Binding({})  # the names of this function's annotations
        self.fields: dict[str, Value] | None = None  # `self.x = ...` in `__init__`
        self.assigned: set[str] = set()
        self.self_var: Var | None = None

    # statements

    def block(self, body: list[Statement], env: Env, depth: int) -> Env | None:
        for statement in body:
            result = self.statement(statement, env, depth)
            if result is None:
                return None
            env = result
        return env

    def statement(self, s: Statement, env: Env, depth: int) -> Env | None:
        if isinstance(s, ExpressionStmt):
            self.eval(s.expr, env)
            return env
        if isinstance(s, AssignmentStmt):
            return self.assign(s, env, depth)
        if isinstance(s, OperatorAssignmentStmt):
            value = self.eval(s.rvalue, env)
            if s.op in _ARITHMETIC and isinstance(s.lvalue, NameExpr):
                current = self.eval(s.lvalue, env)
                result = self.binary(s.op, current, value, s, s.lvalue, s.rvalue)
                self.bind(s.lvalue, result, env)
            else:
                self.forget_targets([s.lvalue], env)
            return env
        if isinstance(s, ReturnStmt):
            if s.expr is not None:
                value = self.eval(s.expr, env)
                self.check_return(s, value)
            return None
        if isinstance(s, IfStmt):
            for expr in s.expr:
                self.eval(expr, env)
            outcomes = [self.block(b.body, dict(env), depth + 1) for b in s.body]
            outcomes.append(
                self.block(s.else_body.body, dict(env), depth + 1)
                if s.else_body is not None
                else dict(env)
            )
            return _join_envs(outcomes)
        if isinstance(s, (ForStmt, WhileStmt)):
            self.eval(s.expr, env)
            bound = _bound(s)
            inner = {k: v for k, v in env.items() if k not in bound}
            self.block(s.body.body, inner, depth + 1)
            after = {k: v for k, v in env.items() if k not in bound}
            if s.else_body is not None:
                self.block(s.else_body.body, dict(after), depth + 1)
            return (
                {k: v for k, v in after.items() if k not in _bound(s.else_body)}
                if s.else_body
                else after
            )
        if isinstance(s, (WithStmt, TryStmt)):
            bound = _bound(s)
            if isinstance(s, WithStmt):
                for expr in s.expr:
                    self.eval(expr, env)
            inner = {k: v for k, v in env.items() if k not in bound}
            report = self.report
            # a test's `with pytest.raises(...)`: the failure is what it asserts
            self.report = report and not (isinstance(s, WithStmt) and _expects_error(s))
            try:
                for block in _blocks(s):
                    self.block(block.body, dict(inner), depth + 1)
            finally:
                self.report = report
            return inner
        if isinstance(s, Block):
            return self.block(s.body, env, depth)
        if isinstance(s, _INERT):
            return env
        if isinstance(s, DelStmt):
            self.forget_targets([s.expr], env)
            return env
        return {}  # a statement this walk does not follow: forget everything

    def assign(self, s: AssignmentStmt, env: Env, depth: int) -> Env:
        value = self.eval(s.rvalue, env)
        spec_text = None
        if s.unanalyzed_type is not None and len(s.lvalues) == 1:
            spec_text = dims_text(s.unanalyzed_type, self.run.tree)
        if spec_text is not None:
            spec = parse(spec_text)
            if spec is not None:
                value = self.check_annotated(s, spec, value)
        for lvalue in s.lvalues:
            self.bind(lvalue, value, env, depth)
        return env

    def bind(self, target: Expression, value: Value, env: Env, depth: int = 0) -> None:
        if isinstance(target, NameExpr) and isinstance(target.node, Var):
            if self.func is None and target.node in self.run.once and value is not None:
                self.run.globals[target.node] = value
            if value is None:
                env.pop(target.node, None)
            else:
                env[target.node] = value
        elif isinstance(target, (TupleExpr, ListExpr)):
            items = value.items if isinstance(value, Tup) else None
            if items is not None and len(items) == len(target.items):
                for item, part in zip(target.items, items):
                    self.bind(item, part, env, depth)
            else:
                self.forget_targets(target.items, env)
        elif (
            isinstance(target, MemberExpr)
            and self.fields is not None
            and isinstance(target.expr, NameExpr)
            and target.expr.node is self.self_var
        ):
            name = target.name
            if name in self.assigned or depth > 0:
                self.fields[name] = None
            else:
                self.fields[name] = value
            self.assigned.add(name)
        else:
            self.forget_targets([target], env)

    def forget_targets(self, targets: list[Expression], env: Env) -> None:
        for target in targets:
            for node in walk(target):
                if isinstance(node, NameExpr) and isinstance(node.node, Var):
                    env.pop(node.node, None)

    # expressions

    def eval(self, expr: Expression, env: Env) -> Value:
        if isinstance(expr, NameExpr):
            node = expr.node
            if isinstance(node, Var):
                return env.get(node)
            return self.reference(expr)
        if isinstance(expr, IntExpr):
            return IntValue(Dim(expr.value))
        if isinstance(expr, FloatExpr):
            return SCALAR
        if isinstance(expr, CallExpr):
            return self.call(expr, env)
        if isinstance(expr, OpExpr):
            left = self.eval(expr.left, env)
            right = self.eval(expr.right, env)
            if expr.op == "@":
                return self.matmul(left, right, expr, "@")
            if expr.op in _ARITHMETIC:
                return self.binary(expr.op, left, right, expr, expr.left, expr.right)
            return None
        if isinstance(expr, UnaryExpr):
            value = self.eval(expr.expr, env)
            if (
                expr.op == "-"
                and isinstance(value, IntValue)
                and value.dim.size is not None
            ):
                return IntValue(Dim(-value.dim.size))
            return value if expr.op in ("-", "+") and isinstance(value, Shape) else None
        if isinstance(expr, MemberExpr):
            if isinstance(expr.expr, RefExpr) and isinstance(expr.expr.node, MypyFile):
                return self.reference(expr)
            owner = self.eval(expr.expr, env)
            if isinstance(owner, Shape):
                return owner.reversed() if expr.name == "T" else None
            if isinstance(owner, Mod):
                return self.attribute(owner, expr.name)
            return None
        if isinstance(expr, TupleExpr):
            return Tup(tuple(self.eval(item, env) for item in expr.items))
        if isinstance(expr, ConditionalExpr):
            self.eval(expr.cond, env)
            a = self.eval(expr.if_expr, env)
            b = self.eval(expr.else_expr, env)
            return _join(a, b)
        if isinstance(expr, AssignmentExpr):
            value = self.eval(expr.value, env)
            self.bind(expr.target, value, env)
            return value
        if isinstance(expr, LambdaExpr) or not self.run.simple(expr):
            return None  # comprehensions bind their own names: not followed
        for child in children(expr):
            if isinstance(child, Expression):
                self.eval(child, env)
        return None

    def reference(self, expr: RefExpr) -> Value:
        node = expr.node
        if isinstance(node, (FuncDef, Decorator, TypeInfo, OverloadedFuncDef)) or (
            expr.fullname.startswith("jax.") and not isinstance(node, MypyFile)
        ):
            return Fn(expr.fullname, node, dotted(expr))
        if (
            isinstance(node, Var)
            and node.is_final
            and isinstance(node.final_value, int)
        ):
            return IntValue(Dim(node.final_value))
        return None

    def attribute(self, owner: Mod, name: str) -> Value:
        spec = self.run.sources.fields(owner.info).get(name)
        if spec is not None:
            return Binding(owner.ints).instantiate(spec, owner.origin)
        template = self.run.templates(owner.info).get(name)
        if template is None:
            method = owner.info.get_method(name)
            if method is not None and not (
                isinstance(method, FuncDef) and method.is_property
            ):
                return Fn(method.fullname, method, f"{owner.info.name}.{name}", owner)
            return None
        return _substitute(template, owner.info, owner.ints)

    def call(self, call: CallExpr, env: Env) -> Value:
        callee = call.callee
        method: tuple[Shape, str] | None = None
        if isinstance(callee, MemberExpr) and not (
            isinstance(callee.expr, RefExpr)
            and isinstance(callee.expr.node, (MypyFile, TypeInfo))
        ):
            owner = self.eval(callee.expr, env)
            if isinstance(owner, Shape):
                method = (owner, callee.name)
                target: Value = None
            elif isinstance(owner, Mod):
                target = self.attribute(owner, callee.name)
            else:
                target = None
        else:
            target = self.eval(callee, env)
        actuals = [
            Actual(arg, kind, name, self.eval(arg, env))
            for arg, kind, name in zip(call.args, call.arg_kinds, call.arg_names)
        ]
        if method is not None:
            return self.array_method(method[0], method[1], call, actuals)
        return self.apply(target, call, actuals)

    def apply(self, target: Value, call: CallExpr, actuals: list[Actual]) -> Value:
        callee = call.callee
        if (
            isinstance(target, Fn)
            and isinstance(callee, RefExpr)
            and target.fullname == callee.fullname
        ):
            transform = transform_of(callee)
            if transform is not None and transform.last == "jit":
                first = (
                    actuals[0].value if actuals and actuals[0].kind == ARG_POS else None
                )
                return first if isinstance(first, (Fn, Mod)) else None
            if is_purecall(callee):
                if not actuals or actuals[0].kind != ARG_POS:
                    return None
                module = actuals[0].value
                out = self.apply(module, call, actuals[1:])
                return Tup((module if isinstance(module, Mod) else None, out))
        if isinstance(target, Mod):
            if target.layers is not None:
                return self.chain(target, call, actuals)
            if target.trailing is not None:
                return self.normalise(target, call, actuals)
            method = target.info.get_method("__call__")
            if method is None:
                return None
            target = Fn(method.fullname, method, f"{target.info.name}.__call__", target)
        if not isinstance(target, Fn):
            return None
        node = target.node
        if isinstance(node, TypeInfo):
            return self.construct(node, call, actuals)
        jax = _jax_name(target.fullname)
        if jax is not None and not isinstance(node, TypeInfo):
            return self.library(jax, target.shown, call, actuals)
        func = _function(node)
        if func is None:
            return None
        signature = self.run.sources.signature(func)
        if signature is None:
            return None
        params = signature.params
        bound = target.bound
        if _is_method(func) and not func.is_static:
            if bound is None:
                return None  # `Class.method(obj, x)`: not followed
            params = params[1:]
        scoped = bound.ints if bound is not None and signature.owner is not None else {}
        binding = Binding(scoped)
        for param, actual in _map(params, actuals):
            if param.spec is None or not isinstance(actual.value, Shape):
                continue
            clash = binding.match(
                param.spec, actual.value, param.name or "the argument"
            )
            if clash is not None:
                self.clash(call, _call_message(signature.name, clash), clash.strict)
                return None
        if signature.ret is None:
            return None
        return binding.instantiate(
            signature.ret, f"returned by {signature.name} on line {call.line}"
        )

    def construct(self, info: TypeInfo, call: CallExpr, actuals: list[Actual]) -> Value:
        if not is_module_class(info):
            return None
        line = call.line
        if info.fullname.startswith("purepax.") and info.name == "Sequential":
            if any(a.kind != ARG_POS for a in actuals):
                return None
            return Mod(
                info,
                {},
                f"nn.Sequential built on line {line}",
                tuple(a.value for a in actuals),
            )
        if info.fullname.startswith("purepax.") and info.name in _NORMS:
            return self.norm(info, call, actuals)
        params = self.run.sources.int_params(info)
        if params is None:
            return None
        ints: dict[str, Dim] = {}
        given = {id(p): a for p, a in _map(params[1:], actuals)}
        for param in params[1:]:
            if not is_int_param(param) or param.name is None:
                continue
            actual = given.get(id(param))
            value: Value = actual.value if actual is not None else None
            if actual is None and param.default is not None:
                value = self.eval(param.default, {})
                how = f"{info.name} built with its default {param.name}="
            else:
                how = f"{info.name} built with {param.name}="
            if isinstance(value, IntValue) and value.dim.size is not None:
                size = value.dim.size
                ints[param.name] = Dim(
                    size, None, param.name, f"{how}{size} on line {line}"
                )
            elif isinstance(value, IntValue):
                ints[param.name] = value.dim
            else:
                ints[param.name] = UNKNOWN
        model = Mod(info, ints, f"{info.name} built on line {line}")
        self.check_fields(model, call, actuals)
        return model

    def check_fields(self, model: Mod, call: CallExpr, actuals: list[Actual]) -> None:
        """The arrays given to a dataclass-generated `__init__` against their fields'
        annotations, whose class-scoped names are this instance's ints (the construction
        check binds them so at run time)."""
        info = model.info
        symbol = info.get("__init__")
        init = symbol.node if symbol is not None else None
        if not isinstance(init, FuncDef) or not symbol or not symbol.plugin_generated:
            return
        params = self.run.sources.int_params(info)
        fields = self.run.sources.fields(info)
        if params is None or not fields:
            return
        binding = Binding(model.ints)
        for param, actual in _map(params[1:], actuals):
            spec = fields.get(param.name or "")
            if spec is None or not isinstance(actual.value, Shape):
                continue
            clash = binding.match(spec, actual.value, param.name or "the argument")
            if clash is not None:
                self.clash(call, _call_message(info.name, clash), clash.strict)
                return

    def norm(self, info: TypeInfo, call: CallExpr, actuals: list[Actual]) -> Value:
        """`nn.LayerNorm(16)`, `nn.RMSNorm((4, 8))`: a literal shape fixes the trailing dims."""
        given = [a for a in actuals if a.kind == ARG_POS][:1] or [
            a for a in actuals if a.kind == ARG_NAMED and a.name == "shape"
        ]
        origin = f"{info.name} built on line {call.line}"
        if not given:
            return Mod(info, {}, origin)
        shape = _literal_shape(given[0].value, "")
        if shape is None or any(d.size is None for d in shape.front):
            return Mod(info, {}, origin)
        shown = _shown_shape(given[0].value)
        dims = tuple(
            Dim(
                d.size,
                None,
                "",
                f"{info.name} built with shape {shown} on line {call.line}",
            )
            for d in shape.front
        )
        return Mod(info, {}, origin, trailing=dims)

    def normalise(
        self,
        model: Mod,
        call: CallExpr,
        actuals: list[Actual],
        chain: tuple[str, str, str] | None = None,
    ) -> Value:
        """A norm with a known shape, called: the input's trailing dims must be that shape
        (`chain`: the layer before it in a Sequential and its own name there)."""
        if len(actuals) != 1 or actuals[0].kind != ARG_POS or model.trailing is None:
            return None
        value = actuals[0].value
        if not isinstance(value, Shape):
            return None
        trailing = model.trailing
        name = f"{model.info.name}.__call__"
        if value.rank is not None and value.rank < len(trailing):
            if chain is None:
                self.clash(
                    call,
                    f"{name} normalises the last {len(trailing)} axes ({trailing[0].origin}), "
                    f"but its input has only {value.rank}. Pass an array whose trailing axes are "
                    f"{_shown_dims(trailing)}.",
                    False,
                )
            return None
        for j in range(1, len(trailing) + 1):
            got = value.from_end(j)
            want = trailing[-j]
            if got is not None and got.size is not None and got.size != want.size:
                axis = axis_name(j, None if value.rank is None else value.rank - j)
                if chain is not None:
                    previous, here, sequential = chain
                    message = (
                        f"{sequential} breaks between {previous} and {here}: "
                        f"{here} expects {axis} of its input to be {want.size} ({want.origin}), "
                        f"but {previous} gives {_size(got)} there. Make the two sizes agree."
                    )
                else:
                    message = (
                        f"{name} expects {axis} of x to be {want.size} ({want.origin}), but x has "
                        f"{_size(got)} there. Pass an array whose trailing axes are "
                        f"{_shown_dims(trailing)}, or build the norm with that shape."
                    )
                self.clash(call, message, False)
                return None
        return value

    def chain(self, model: Mod, call: CallExpr, actuals: list[Actual]) -> Value:
        """`Sequential(a, b, c)(x)`: each layer's output is the next one's input."""
        if len(actuals) != 1 or actuals[0].kind != ARG_POS or model.layers is None:
            return None
        value = actuals[0].value
        if not isinstance(value, Shape):
            return None
        previous = ""
        for index, layer in enumerate(model.layers):
            here = _layer_name(index, layer)
            single = [Actual(actuals[0].expr, ARG_POS, None, value)]
            if index == 0:
                value = self.apply(layer, call, single)
            else:
                value = self.layer(layer, call, single, previous, here, model)
            if not isinstance(value, Shape):
                return None
            previous = here
        return value

    def layer(
        self,
        layer: Value,
        call: CallExpr,
        actuals: list[Actual],
        previous: str,
        here: str,
        model: Mod,
    ) -> Value:
        """Layer `here` of a Sequential on what the layer before gives it."""
        if isinstance(layer, Mod) and layer.trailing is not None:
            return self.normalise(layer, call, actuals, (previous, here, model.origin))
        if isinstance(layer, Mod) and layer.layers is None:
            method = layer.info.get_method("__call__")
            func = _function(method)
            signature = self.run.sources.signature(func) if func is not None else None
            if signature is None or signature.owner is None:
                return None
            binding = Binding(layer.ints)
            for param, actual in _map(signature.params[1:], actuals):
                if param.spec is None or not isinstance(actual.value, Shape):
                    continue
                clash = binding.match(param.spec, actual.value, "its input")
                if clash is not None:
                    if clash.kind in ("scoped", "literal") and not clash.strict:
                        self.clash(
                            call,
                            f"{model.origin} "
                            f"breaks between {previous} and {here}: {here} expects "
                            f"{clash.axis} of its input to be {clash.expected.shown()} "
                            f"({clash.expected.origin}), but {previous} gives "
                            f"{_size(clash.got)} there. Make the two sizes agree.",
                            False,
                        )
                    elif not clash.strict:
                        self.clash(
                            call,
                            f"{model.origin} breaks between {previous} and {here}: "
                            + _call_message(here, clash),
                            False,
                        )
                    else:
                        self.clash(
                            call,
                            _call_message(f"{here} of {model.origin}", clash),
                            True,
                        )
                    return None
            if signature.ret is None:
                return None
            return binding.instantiate(signature.ret, f"returned by {here}")
        return self.apply(layer, call, actuals)

    def library(
        self, jax: tuple[str, str], shown: str, call: CallExpr, actuals: list[Actual]
    ) -> Value:
        package, name = jax
        positional = [a for a in actuals if a.kind == ARG_POS]
        named = {a.name: a for a in actuals if a.kind == ARG_NAMED}
        if any(a.kind not in (ARG_POS, ARG_NAMED) for a in actuals):
            return None
        if package == "random":
            index = _SAMPLERS.get(name)
            if index is None:
                return None
            given = named.get("shape") or (
                positional[index] if len(positional) > index else None
            )
            if given is None or not isinstance(given.expr, (TupleExpr, ListExpr)):
                return None
            return _literal_shape(
                given.value,
                f"{shown}(..., {_shown_shape(given.value)}) on line {call.line}",
            )
        if name in _CONSTRUCTORS and package == "numpy":
            given = named.get("shape") or (positional[0] if positional else None)
            if given is None:
                return None
            return _literal_shape(
                given.value, f"{shown}({_shown_shape(given.value)}) on line {call.line}"
            )
        if name in _LIKE and package == "numpy" and "shape" not in named and positional:
            value = positional[0].value
            return value if isinstance(value, Shape) else None
        if name in _PRESERVING and len(positional) == 1 and "shape" not in named:
            value = positional[0].value
            return value if isinstance(value, Shape) else None
        if package != "numpy" and name not in ("logsumexp",):
            return None
        if name in _BINARY and len(positional) == 2 and not named:
            return self.binary(
                shown,
                positional[0].value,
                positional[1].value,
                call,
                positional[0].expr,
                positional[1].expr,
            )
        if name in ("matmul", "dot") and len(positional) == 2 and not named:
            return self.matmul(
                positional[0].value, positional[1].value, call, shown, dot=name == "dot"
            )
        if name == "transpose" and len(positional) == 1 and not named:
            value = positional[0].value
            return value.reversed() if isinstance(value, Shape) else None
        if name in _REDUCTIONS and positional:
            value = positional[0].value
            if not isinstance(value, Shape):
                return None
            return _reduce(value, positional[1:], named)
        return None

    def array_method(
        self, shape: Shape, name: str, call: CallExpr, actuals: list[Actual]
    ) -> Value:
        positional = [a for a in actuals if a.kind == ARG_POS]
        named = {a.name: a for a in actuals if a.kind == ARG_NAMED}
        if any(a.kind not in (ARG_POS, ARG_NAMED) for a in actuals):
            return None
        if name in _REDUCTIONS and name != "logsumexp":
            return _reduce(shape, positional, named)
        if name == "astype":
            return shape
        if name == "transpose" and not actuals:
            return shape.reversed()
        return None

    # operations

    def binary(
        self,
        op: str,
        left: Value,
        right: Value,
        context: Node,
        lexpr: Expression,
        rexpr: Expression,
    ) -> Value:
        if isinstance(left, Shape) and self.scalar(right, rexpr):
            return left
        if isinstance(right, Shape) and self.scalar(left, lexpr):
            return right
        if not isinstance(left, Shape) or not isinstance(right, Shape):
            return None
        result: list[Dim] = []
        # aligned from the right: all of both, or (past a variadic run) as far as both are known
        lt = left.back if left.variadic else left.front
        rt = right.back if right.variadic else right.front
        variadic = left.variadic or right.variadic
        count = min(len(lt), len(rt)) if variadic else max(len(lt), len(rt))
        for j in range(1, count + 1):
            a = lt[-j] if j <= len(lt) else None
            b = rt[-j] if j <= len(rt) else None
            if a is None or b is None:
                result.append(a or b or UNKNOWN)
                continue
            if (
                a.size is not None
                and b.size is not None
                and a.size != b.size
                and 1 not in (a.size, b.size)
            ):
                where = axis_name(j, None)
                self.clash(
                    context,
                    f'"{op}" cannot broadcast {_described(lexpr)} with {_described(rexpr)}: '
                    f"{where} is {_size(a)} on the left and {_size(b)} on the right, and neither is 1. "
                    "Make the two sizes agree (or one of them 1).",
                    False,
                )
                return None
            if _names_differ(a, b):
                self.clash(
                    context,
                    f'"{op}" broadcasts {_described(lexpr)} with {_described(rexpr)}: {axis_name(j, None)} '
                    f"is {a.label} on the left and {b.label} on the right, equal only if "
                    f"{a.label} == {b.label} (or one is 1). Use one name for both, or check them.",
                    True,
                )
                return None
            result.append(_broadcast_dim(a, b))
        result.reverse()
        if variadic:
            return Shape((), tuple(result), True)
        return Shape(tuple(result))

    def scalar(self, value: Value, expr: Expression) -> bool:
        if isinstance(value, (IntValue, _Scalar)):
            return True
        if value is not None:
            return False
        typ = (
            get_proper_type(self.run.types.of(expr))
            if self.run.types is not None
            else None
        )
        return isinstance(typ, Instance) and typ.type.fullname in _SCALARS

    def matmul(
        self, left: Value, right: Value, context: Node, op: str, dot: bool = False
    ) -> Value:
        if not isinstance(left, Shape) or not isinstance(right, Shape):
            return None
        if left.least_rank < 1 or right.least_rank < 1:
            return None
        a = left.from_end(1)
        right_rank = right.rank
        if right_rank == 1:
            b = right.from_end(1)
        elif right.least_rank >= 2:
            b = right.from_end(2)
        else:
            return None
        if a is None or b is None:
            return None
        if a.size is not None and b.size is not None and a.size != b.size:
            self.clash(
                context,
                f'"{op}" contracts the last axis of the left operand, {_size(a)}, with the '
                f"{'last' if right_rank == 1 else 'second-to-last'} axis of the right one, {_size(b)}: "
                "they must be equal. Make the two sizes agree (or transpose an operand).",
                False,
            )
            return None
        if _names_differ(a, b):
            self.clash(
                context,
                f'"{op}" contracts the last axis of the left operand, {a.label}, with the '
                f"{'last' if right_rank == 1 else 'second-to-last'} axis of the right one, {b.label}: "
                f"equal only if {a.label} == {b.label}. Use one name for both, or check them.",
                True,
            )
            return None
        if (
            left.rank is not None
            and right.rank is not None
            and left.rank >= 2
            and right.rank >= 2
        ):
            if dot:
                return Shape(left.front[:-1] + right.front[:-2] + right.front[-1:])
            lb, rb = left.front[:-2], right.front[:-2]
            batch = self.binary("@", Shape(lb), Shape(rb), context, _NOWHERE, _NOWHERE)
            if not isinstance(batch, Shape):
                return None
            return Shape(batch.front + (left.front[-2], right.front[-1]))
        if left.rank is not None and right_rank == 1 and left.rank >= 1:
            return Shape(left.front[:-1])
        if left.rank == 1 and right.rank is not None and right.rank >= 2 and not dot:
            return Shape(right.front[:-2] + right.front[-1:])
        if not dot and left.variadic and right.rank == 2 and len(left.back) >= 1:
            return Shape(left.front, left.back[:-1] + (right.front[1],), True)
        return None

    # checks of annotations

    def check_return(self, s: ReturnStmt, value: Value) -> None:
        signature = self.signature
        if signature is None or signature.ret is None or not isinstance(value, Shape):
            return
        clash = self.own.match(signature.ret, value, "the returned value")
        if clash is not None:
            self.clash(s, _return_message(signature.name, clash), clash.strict)

    def check_annotated(self, s: AssignmentStmt, spec: Spec, value: Value) -> Value:
        target = dotted(s.lvalues[0])
        local = Binding(self.own.scoped, dict(self.own.names), dict(self.own.stars))
        if isinstance(value, Shape):
            clash = local.match(spec, value, target)
            if clash is not None:
                self.clash(s, _assigned_message(target, clash), clash.strict)
                return None
            return value
        return (
            local.instantiate(spec, f"{target}'s annotation on line {s.line}")
            if value is None
            else value
        )

    def clash(self, context: Node, message: str, strict: bool) -> None:
        if not self.report:
            return
        if strict:
            if self.run.mode == "strict":
                self.run.report.error(context, SHAPE_STRICT, message)
            return
        self.run.report.error(context, SHAPE, message)


_NOWHERE = NameExpr("")


def _return_message(name: str, clash: Clash) -> str:
    if clash.kind == "rank":
        return (
            f"{name} returns an array of {clash.first}{clash.got.size} axes, but its return annotation "
            f'"{clash.spec.text}" has {clash.expected.size}. Return an array of that rank, or fix the annotation.'
        )
    if clash.strict:
        return (
            f"{name} returns {clash.got.label} in {clash.axis}, where its return annotation "
            f'"{clash.spec.text}" says {clash.expected.label}: equal only if '
            f"{clash.expected.label} == {clash.got.label}."
        )
    return (
        f"{name} returns an array whose {clash.axis} is {_size(clash.got)}, but its return annotation "
        f'"{clash.spec.text}" makes it {clash.expected.shown()} ({clash.expected.origin}). '
        "Return an array of that shape, or fix the annotation."
    )


def _assigned_message(target: str, clash: Clash) -> str:
    if clash.kind == "rank":
        return (
            f'{target} is annotated "{clash.spec.text}" ({clash.expected.size} axes), but it is given an '
            f"array of {clash.first}{clash.got.size}{_origin_of(clash)}. Fix the value or the annotation."
        )
    if clash.strict:
        return (
            f'{target} is annotated "{clash.spec.text}": {clash.axis} is {clash.expected.label} there, '
            f"but the value has {clash.got.label}: equal only if {clash.expected.label} == {clash.got.label}."
        )
    return (
        f'{target} is annotated "{clash.spec.text}": {clash.axis} should be {clash.expected.shown()} '
        f"({clash.expected.origin}), but the value has {_size(clash.got)} there. "
        "Fix the value or the annotation."
    )


def _described(expr: Expression) -> str:
    text = dotted(expr)
    return text if text != "<expression>" else "the operand"


def _names_differ(a: Dim, b: Dim) -> bool:
    """Two symbolic sizes of different names (equal only if the names are)."""
    return (
        a.size is None
        and b.size is None
        and a.key is not None
        and b.key is not None
        and a.key != b.key
    )


def _broadcast_dim(a: Dim, b: Dim) -> Dim:
    if a.size == 1:
        return b
    if b.size == 1:
        return a
    if a.size is not None:
        return a
    if b.size is not None:
        return b
    if a.key is not None and a.key == b.key:
        return a
    return UNKNOWN


def _reduce(
    shape: Shape, positional: list[Actual], named: dict[str | None, Actual]
) -> Value:
    axis_arg = named.get("axis") or (positional[0] if positional else None)
    keep_arg = named.get("keepdims")
    keepdims = False
    if keep_arg is not None:
        if not isinstance(keep_arg.expr, NameExpr) or keep_arg.expr.fullname not in (
            "builtins.True",
            "builtins.False",
        ):
            return None
        keepdims = keep_arg.expr.fullname == "builtins.True"
    if len(positional) > 1:
        return None
    if axis_arg is None:
        if shape.variadic:
            return None if keepdims else Shape(())
        return Shape(tuple(Dim(1) for _ in shape.front)) if keepdims else Shape(())
    value = axis_arg.value
    if isinstance(value, IntValue):
        axes_values: tuple[Value, ...] = (value,)
    elif isinstance(value, Tup):
        axes_values = value.items
    else:
        return None
    axes: list[int] = []
    for item in axes_values:
        if (
            not isinstance(item, IntValue)
            or item.dim.size is None
            or item.dim.key is not None
        ):
            return None
        axes.append(item.dim.size)
    if shape.variadic:
        if any(a >= 0 for a in axes) or any(-a > len(shape.back) for a in axes):
            return None
        n = len(shape.back)
        drop = {n + a for a in axes}
        back = tuple(
            Dim(1) if i in drop else d
            for i, d in enumerate(shape.back)
            if keepdims or i not in drop
        )
        return Shape(shape.front, back, True)
    n = len(shape.front)
    if any(a >= n or a < -n for a in axes):
        return None
    drop = {a % n for a in axes}
    return Shape(
        tuple(
            Dim(1) if i in drop else d
            for i, d in enumerate(shape.front)
            if keepdims or i not in drop
        )
    )


def _literal_shape(value: Value, origin: str) -> Shape | None:
    items: tuple[Value, ...]
    if isinstance(value, IntValue):
        items = (value,)
    elif isinstance(value, Tup):
        items = value.items
    else:
        return None
    dims: list[Dim] = []
    for item in items:
        if not isinstance(item, IntValue):
            return None
        dim = item.dim
        dims.append(Dim(dim.size, None, "", origin) if dim.size is not None else dim)
    return Shape(tuple(dims))


def _shown_shape(value: Value) -> str:
    if isinstance(value, IntValue):
        return value.dim.shown() if value.dim.size is None else str(value.dim.size)
    if isinstance(value, Tup):
        parts = [_shown_shape(item) for item in value.items]
        return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
    return "..."


def _shown_dims(dims: tuple[Dim, ...]) -> str:
    return (
        "("
        + ", ".join(
            str(d.size) if d.size is not None else (d.label or "?") for d in dims
        )
        + ("," if len(dims) == 1 else "")
        + ")"
    )


_NORMS = frozenset({"LayerNorm", "RMSNorm"})


def _layer_name(index: int, layer: Value) -> str:
    if isinstance(layer, Mod):
        return f"layer {index} ({layer.origin})"
    if isinstance(layer, Fn):
        return f"layer {index} ({layer.shown})"
    return f"layer {index}"


def _join(a: Value, b: Value) -> Value:
    if a is b:
        return a
    if isinstance(a, Shape) and isinstance(b, Shape):
        return join(a, b)
    if isinstance(a, IntValue) and isinstance(b, IntValue) and a == b:
        return a
    return None


def _join_envs(envs: list[Env | None]) -> Env | None:
    live = [e for e in envs if e is not None]
    if not live:
        return None
    first = live[0]
    joined: Env = {}
    for var, value in first.items():
        for other in live[1:]:
            if var not in other:
                value = None
                break
            value = _join(value, other[var])
            if value is None:
                break
        if value is not None:
            joined[var] = value
    return joined


def _substitute(value: Value, info: TypeInfo, ints: dict[str, Dim]) -> Value:
    """A value `__init__` gave a field, for an instance whose class-scoped names are `ints`."""

    def dim(d: Dim) -> Dim:
        if (
            isinstance(d.key, tuple)
            and len(d.key) == 3
            and d.key[0] == "self"
            and d.key[1] == info.fullname
        ):
            return ints.get(d.key[2], UNKNOWN)
        return d

    if isinstance(value, Shape):
        return value.map(dim)
    if isinstance(value, Mod):
        return Mod(
            value.info,
            {k: dim(v) for k, v in value.ints.items()},
            value.origin,
            tuple(_substitute(layer, info, ints) for layer in value.layers)
            if value.layers is not None
            else None,
        )
    if isinstance(value, Tup):
        return Tup(tuple(_substitute(item, info, ints) for item in value.items))
    return value


def _function(node: object) -> FuncDef | None:
    """The function a call runs when `node` is named, if its decorators leave its
    signature as written (none, a runtime type checker, `jax.jit`, `px.jit`)."""
    if isinstance(node, FuncDef):
        return node
    if isinstance(node, Decorator):
        for decorator in node.original_decorators:
            transform = transform_of(decorator)
            if not is_transparent(decorator) and (
                transform is None or transform.last != "jit"
            ):
                return None
        return node.func
    return None


def _is_method(func: FuncDef) -> bool:
    return type(func.info).__name__ != "FakeInfo"


def _bound(node: Node | None) -> set[Var]:
    """Variables bound anywhere in `node`."""
    if node is None:
        return set()
    return {var for n in walk(node) for var in _bound_here(n)}


def _expects_error(s: WithStmt) -> bool:
    """`with pytest.raises(...)` or `with self.assertRaises(...)`."""
    for expr in s.expr:
        callee = expr.callee if isinstance(expr, CallExpr) else None
        if isinstance(callee, MemberExpr) and callee.name.startswith("assertRaises"):
            return True
        if isinstance(callee, RefExpr) and callee.fullname:
            parts = callee.fullname.split(".")
            if parts[0] in ("pytest", "_pytest") and parts[-1] == "raises":
                return True
    return False


def _blocks(s: WithStmt | TryStmt) -> list[Block]:
    if isinstance(s, WithStmt):
        return [s.body]
    blocks = [s.body, *s.handlers]
    for extra in (s.else_body, s.finally_body):
        if extra is not None:
            blocks.append(extra)
    return blocks


# --- the rule ---------------------------------------------------------------------------


class _Run:
    """The rule on one file."""

    def __init__(self, file: FileContext, sources: Sources, mode: str) -> None:
        self.tree = file.tree
        self.types: Types | None = file.types
        self.report: Reporter = file.report
        self.sources = sources
        self.mode = mode
        self._templates: dict[TypeInfo, dict[str, Value]] = {}
        self.once = _assigned_once(file.tree, file.nodes)
        # what the top level gives the variables it assigns once: functions see them too
        self.globals: Env = {}

    def simple(self, expr: Expression) -> bool:
        return not isinstance(expr, _OPAQUE)

    def templates(self, info: TypeInfo) -> dict[str, Value]:
        """What `__init__` of a module class gives its fields, in terms of its class-scoped names."""
        known = self._templates.get(info)
        if known is not None:
            return known
        self._templates[info] = {}
        method = info.names.get("__init__")
        func = _function(method.node) if method is not None else None
        if func is None or not func.body.body or not is_module_class(info):
            return {}
        scope = _Scope(self, func, report=False)
        scope.fields = {}
        env = self.start(scope, func)
        scope.block(func.body.body, env, 0)
        found: dict[str, Value] = {
            k: v for k, v in scope.fields.items() if v is not None
        }
        self._templates[info] = found
        return found

    def start(self, scope: _Scope, func: FuncItem) -> Env:
        """The variables of `func` at its start: its annotated parameters' shapes, `self`,
        and the file's variables that the top level assigns once."""
        env: Env = dict(self.globals)
        if not isinstance(func, FuncDef):
            return env
        signature = self.sources.signature(func)
        scope.signature = signature
        owner = func.info if _is_method(func) and is_module_class(func.info) else None
        ints: dict[str, Dim] = {}
        if owner is not None:
            params = self.sources.int_params(owner) or ()
            ints = {
                p.name: Dim(
                    None,
                    ("self", owner.fullname, p.name),
                    p.name,
                    f"{owner.name}.{p.name}",
                )
                for p in params
                if is_int_param(p) and p.name is not None
            }
        if (
            _is_method(func)
            and not func.is_static
            and not func.is_class
            and func.arguments
        ):
            scope.self_var = func.arguments[0].variable
            if owner is not None:
                env[scope.self_var] = Mod(owner, ints, f"{owner.name} (self)")
        if owner is not None and func.name == "__init__":
            for arg in func.arguments[1:]:
                if arg.variable.name in ints:
                    env[arg.variable] = IntValue(ints[arg.variable.name])
        if signature is None:
            return env
        scope.own = Binding(ints if signature.owner is not None else {})

        def dim(d: SpecDim) -> Dim:
            if d.broadcast:
                return UNKNOWN
            if d.size is not None:
                return Dim(d.size, origin=f"{signature.name}'s annotation")
            if d.name is None:
                return UNKNOWN
            if d.name in scope.own.scoped:
                return scope.own.scoped[d.name]
            known = scope.own.names.get(d.name)
            if known is None:
                made = Dim(
                    None,
                    ("call", id(func), d.name),
                    d.name,
                    f"{d.name} of {signature.name}",
                )
                scope.own.names[d.name] = (made, f"{signature.name}'s parameters")
                return made
            return known[0]

        for arg, param in zip(func.arguments, signature.params):
            if param.spec is None or param.kind not in (
                ARG_POS,
                ARG_OPT,
                ARG_NAMED,
                ARG_NAMED_OPT,
            ):
                continue
            spec = param.spec
            shape = Shape(
                tuple(dim(d) for d in spec.front),
                tuple(dim(d) for d in spec.back),
                spec.variadic,
            )
            env[arg.variable] = shape
        return env

    def function(self, func: FuncItem) -> None:
        scope = _Scope(self, func, report=True)
        env = self.start(scope, func)
        scope.block(func.body.body, env, 0)

    def top(self) -> None:
        scope = _Scope(self, None, report=True)
        scope.block(self.tree.defs, {}, 0)


# comprehensions bind their own variables, lambdas run later: their values stay unknown
_OPAQUE = (
    GeneratorExpr,
    ListComprehension,
    SetComprehension,
    DictionaryComprehension,
    LambdaExpr,
)


class ShapeRule:
    code = SHAPE

    def __init__(self) -> None:
        self.mode = "on"
        self._modules: Modules = dict
        self.sources = Sources(self._modules)

    def configure(self, mode: str, modules: Modules) -> None:
        """The plugin's setting (`shapes = off|on|strict`) and its loaded modules."""
        self.mode = mode
        self._modules = modules
        self.sources = Sources(modules)
        forget_stored()

    def watches(self, fullname: str) -> bool:
        return False

    def check(self, file: FileContext) -> None:
        if self.mode == "off" or not _may_hold_shapes(file.tree):
            return
        run = _Run(file, self.sources, self.mode)
        run.top()
        for node in file.nodes:
            if isinstance(node, FuncDef) and node.body.body:
                run.function(node)


def _assigned_once(tree: MypyFile, nodes: list[Node]) -> set[Var]:
    """Module variables bound by one assignment of the top level and nowhere else (no
    `global` statement names them): every function that reads one sees that value."""
    top = {
        target.node
        for statement in tree.defs
        if isinstance(statement, AssignmentStmt)
        for lvalue in statement.lvalues
        for target in walk(lvalue)
        if isinstance(target, NameExpr) and isinstance(target.node, Var)
    }
    if not top:
        return top
    counts: dict[Var, int] = {}
    declared: set[str] = set()
    for node in nodes:
        kind = type(node)
        if kind is GlobalDecl:
            assert isinstance(node, GlobalDecl)
            declared.update(node.names)
        elif kind in _BINDERS:
            for var in _bound_here(node):
                counts[var] = counts.get(var, 0) + 1
    return {var for var in top if counts.get(var) == 1 and var.name not in declared}


_BINDERS = frozenset(
    {
        AssignmentStmt,
        OperatorAssignmentStmt,
        ForStmt,
        WithStmt,
        TryStmt,
        DelStmt,
        AssignmentExpr,
    }
)


def _bound_here(node: Node) -> list[Var]:
    targets: list[Node] = []
    if isinstance(node, AssignmentStmt):
        targets = list(node.lvalues)
    elif isinstance(node, OperatorAssignmentStmt):
        targets = [node.lvalue]
    elif isinstance(node, AssignmentExpr):
        targets = [node.target]
    elif isinstance(node, ForStmt):
        targets = [node.index]
    elif isinstance(node, WithStmt):
        targets = [t for t in node.target if t is not None]
    elif isinstance(node, TryStmt):
        targets = [v for v in node.vars if v is not None]
    elif isinstance(node, DelStmt):
        targets = [node.expr]
    return [
        m.node
        for target in targets
        for m in walk(target)
        if isinstance(m, NameExpr) and isinstance(m.node, Var)
    ]


def _may_hold_shapes(tree: MypyFile) -> bool:
    """A file that imports neither JAX, jaxtyping nor purepax builds no array the rule knows."""
    for imp in tree.imports:
        names = (
            [imp.id]
            if isinstance(imp, (ImportFrom, ImportAll))
            else [n for n, _ in imp.ids]
            if isinstance(imp, Import)
            else []
        )
        if any(n.partition(".")[0] in ("jax", "jaxtyping", "purepax") for n in names):
            return True
    return tree.fullname.partition(".")[0] == "purepax"


SHAPES = ShapeRule()
