# Typed overlay of `jax/__init__.py` for JAX 0.10.x (see stubs/README.md).
#
# mypy and pyright read this file instead of JAX's own `jax/__init__.py`, so it re-exports
# every name JAX's `__init__` exports, from the same defining modules (the list below
# mirrors JAX 0.10.2; tests/test_stubs.py fails when the installed JAX's list differs).
# Only the transforms at the end are typed here: `jit`, `grad`, `value_and_grad`,
# `checkpoint`, `remat`. `vmap` keeps JAX's own type, which already preserves the
# function's type.

# A re-export marked `# type: ignore[attr-defined, import-not-found, unused-ignore]` is one
# that the oldest supported JAX (0.4.36) does not define at that place: with that JAX, mypy
# types the name `Any` instead of failing in this file (pyright honours the comment too, and
# types it Unknown). A stub cannot test JAX's version.

# A submodule is bound as `import jax.random as _random` then `random = _random`, where
# JAX's `__init__` writes `from jax import random as random`. The overlay has no
# `jax/random.pyi`, and in a stub pyright resolves that `from jax import random` to this
# module itself (`jax.random.PRNGKey` would be "not a known attribute of module jax"),
# and does not re-export `import jax.random as random`. The assignment is an alias of the
# installed submodule for both mypy and pyright.

from collections.abc import Callable, Hashable, Iterable, Sequence
from types import SimpleNamespace as _SimpleNamespace
from typing import Any, Generic, Literal, Protocol, TypeVar, overload

from typing_extensions import Concatenate, ParamSpec, Self, override

from jax._src.pjit import JitWrapped as _JitWrapped
from jax._src.typing import ArrayLike as _ArrayLike
from jax.stages import Lowered as _Lowered
from jax.stages import Traced as _Traced

from jax.version import __version__ as __version__
from jax.version import __version_info__ as __version_info__
# As in JAX: makes `jax.core` usable after `import jax`.
import jax.core as _core
from jax._src.basearray import Array as Array
import jax.tree as _tree
tree = _tree
import jax.typing as _typing
typing = _typing
from jax._src.config import (
    config as config,
    enable_checks as enable_checks,
    enable_x64 as enable_x64,
    debug_key_reuse as debug_key_reuse,
    check_tracer_leaks as check_tracer_leaks,
    checking_leaks as checking_leaks,
    enable_custom_prng as enable_custom_prng,
    softmax_custom_jvp as softmax_custom_jvp,
    debug_nans as debug_nans,
    debug_infs as debug_infs,
    log_compiles as log_compiles,
    no_tracing as no_tracing,
    explain_cache_misses as explain_cache_misses,
    default_device as default_device,
    default_matmul_precision as default_matmul_precision,
    default_prng_impl as default_prng_impl,
    numpy_dtype_promotion as numpy_dtype_promotion,
    numpy_rank_promotion as numpy_rank_promotion,
    jax2tf_associative_scan_reductions as jax2tf_associative_scan_reductions,
    legacy_prng_key as legacy_prng_key,
    threefry_partitionable as threefry_partitionable,
    array_garbage_collection_guard as array_garbage_collection_guard,
    transfer_guard as transfer_guard,
    transfer_guard_host_to_device as transfer_guard_host_to_device,
    transfer_guard_device_to_device as transfer_guard_device_to_device,
    transfer_guard_device_to_host as transfer_guard_device_to_host,
)
from jax._src.config import no_execution as no_execution  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.config import allow_f16_reductions as allow_f16_reductions  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.config import make_user_context as make_user_context  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.config import remove_size_one_mesh_axis_from_type as remove_size_one_mesh_axis_from_type  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.config import thread_guard as thread_guard  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.config import auto_pcast as auto_pcast  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.core import ensure_compile_time_eval as ensure_compile_time_eval
from jax._src.environment_info import print_environment_info as print_environment_info
import jaxlib.xla_client as _xc
Device = _xc.Device
from jax._src.core import typeof as typeof  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.api import effects_barrier as effects_barrier
from jax._src.api import block_until_ready as block_until_ready
from jax._src.ad_checkpoint import checkpoint_policies as checkpoint_policies
from jax._src.api import clear_caches as clear_caches
from jax._src.api import copy_to_host_async as copy_to_host_async  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.custom_derivatives import closure_convert as closure_convert
from jax._src.custom_derivatives import custom_gradient as custom_gradient
from jax._src.custom_derivatives import custom_jvp as custom_jvp
from jax._src.custom_derivatives import custom_vjp as custom_vjp
from jax._src.xla_bridge import default_backend as default_backend
from jax._src.xla_bridge import device_count as device_count
from jax._src.api import device_get as device_get
from jax._src.api import device_put as device_put
from jax._src.api import device_put_sharded as device_put_sharded
from jax._src.api import device_put_replicated as device_put_replicated
from jax._src.xla_bridge import devices as devices
from jax._src.api import disable_jit as disable_jit
from jax._src.api import eval_shape as eval_shape
from jax._src.dtypes import float0 as float0
from jax._src.api import fwd_and_bwd as fwd_and_bwd  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.api import hessian as hessian
from jax._src.xla_bridge import host_count as host_count
from jax._src.xla_bridge import host_id as host_id
from jax._src.xla_bridge import host_ids as host_ids
from jax._src.api import jacobian as jacobian
from jax._src.api import jacfwd as jacfwd
from jax._src.api import jacrev as jacrev
from jax._src.api import jvp as jvp
from jax._src.xla_bridge import local_device_count as local_device_count
from jax._src.xla_bridge import local_devices as local_devices
from jax._src.api import linearize as linearize
from jax._src.api import linear_transpose as linear_transpose
from jax._src.api import live_arrays as live_arrays
from jax._src.api import make_jaxpr as make_jaxpr
from jax._src.api import named_call as named_call
from jax._src.api import named_scope as named_scope
from jax._src.pmap import pmap as pmap  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.xla_bridge import process_count as process_count
from jax._src.xla_bridge import process_index as process_index
from jax._src.xla_bridge import process_indices as process_indices
from jax._src.callback import pure_callback as pure_callback
from jax._src.core import ShapeDtypeStruct as ShapeDtypeStruct  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.api import vjp as vjp
from jax._src.api import vmap as vmap
from jax._src.indexing import ds as ds  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.named_sharding import NamedSharding as NamedSharding  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.sharding_impls import make_mesh as make_mesh
from jax._src.sharding_impls import set_mesh as set_mesh  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.partition_spec import P as P  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.pjit import reshard as reshard  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.shard_map import shard_map as shard_map  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax._src.shard_map import smap as smap
from jax.ref import new_ref as new_ref  # type: ignore[attr-defined, import-not-found, unused-ignore]
from jax.ref import empty_ref as empty_ref
from jax.ref import free_ref as free_ref
from jax.ref import freeze as freeze
from jax.ref import Ref as Ref
# As in JAX: makes `jax.interpreters.*` usable after `import jax`.
from jax.interpreters import ad as _ad
from jax.interpreters import batching as _batching
from jax.interpreters import mlir as _mlir
from jax.interpreters import partial_eval as _partial_eval
from jax.interpreters import pxla as _pxla
from jax.interpreters import xla as _xla
from jax._src.array import (
    make_array_from_single_device_arrays as make_array_from_single_device_arrays,
    make_array_from_callback as make_array_from_callback,
    make_array_from_process_local_data as make_array_from_process_local_data,
)
import jax.custom_derivatives as _custom_derivatives
custom_derivatives = _custom_derivatives
import jax.custom_batching as _custom_batching
custom_batching = _custom_batching
import jax.api_util as _api_util
api_util = _api_util
import jax.distributed as _distributed
distributed = _distributed
import jax.debug as _debug
debug = _debug
import jax.dlpack as _dlpack
dlpack = _dlpack
import jax.dtypes as _dtypes
dtypes = _dtypes
import jax.errors as _errors
errors = _errors
import jax.export as _export
export = _export
import jax.ffi as _ffi  # type: ignore[attr-defined, import-not-found, unused-ignore]
ffi = _ffi
import jax.image as _image
image = _image
import jax.lax as _lax
lax = _lax
import jax.lib as _lib
lib = _lib
import jax.monitoring as _monitoring
monitoring = _monitoring
import jax.nn as _nn
nn = _nn
import jax.numpy as _numpy
numpy = _numpy
import jax.ops as _ops
ops = _ops
import jax.profiler as _profiler
profiler = _profiler
import jax.random as _random
random = _random
import jax.scipy as _scipy
scipy = _scipy
import jax.sharding as _sharding
sharding = _sharding
import jax.stages as _stages
stages = _stages
import jax.tree_util as _tree_util
tree_util = _tree_util
from jax._src.array import Shard as Shard
# As in JAX (which imports it for its side effects): makes `jax.experimental` usable.
import jax.experimental.compilation_cache.compilation_cache as _ccache

# Set by JAX's `__init__` as namespaces of a few internal names.
ad: _SimpleNamespace
memory: _SimpleNamespace

# --- Typed transforms -------------------------------------------------------------------

_P = ParamSpec("_P")
_Q = ParamSpec("_Q")
_R = TypeVar("_R")
_R_co = TypeVar("_R_co", covariant=True)
_T = TypeVar("_T")
_S = TypeVar("_S")
_Aux = TypeVar("_Aux")
# A leaf differentiated as an array: its gradient is a `jax.Array` (also for a Python float).
_Leaf = TypeVar("_Leaf", bound=_ArrayLike)

class _Jitted(_JitWrapped, Generic[_P, _R_co]):
    """What `jax.jit(fun)` returns: called like `fun`, returns what `fun` returns."""

    @override
    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R_co: ...
    # As in JAX: lowering also takes `jax.ShapeDtypeStruct`s in place of arrays.
    @override
    def trace(self, *args: Any, **kwargs: Any) -> _Traced: ...
    @override
    def lower(self, *args: Any, **kwargs: Any) -> _Lowered: ...
    @override
    def eval_shape(self, *args: Any, **kwargs: Any) -> Any: ...
    # A jitted method binds `self` as a plain function does. The second overload catches a
    # signature mypy no longer knows (`...`, e.g. from `functools.partial(jax.jit, ...)`),
    # which mypy 2.4 would otherwise bind wrongly (to `[**Any]`) in the third.
    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None, /) -> Self: ...
    @overload
    def __get__(
        self: _Jitted[[], _R], instance: object, owner: type[Any] | None = None, /
    ) -> _Jitted[..., _R]: ...
    @overload
    def __get__(
        self: _Jitted[Concatenate[_S, _Q], _R], instance: _S, owner: type[Any] | None = None, /
    ) -> _Jitted[_Q, _R]: ...
    # An instance that the first parameter does not take: a `@staticmethod` over `@jax.jit`,
    # which pyright (unlike Python) hands to `__get__`; the function is called unbound.
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None, /) -> Self: ...

class _JitDecorator(Protocol):
    """What `jax.jit(static_argnums=...)` (no function) returns."""

    def __call__(self, fun: Callable[_P, _R], /) -> _Jitted[_P, _R]: ...

@overload
def jit(
    fun: Callable[_P, _R],
    /,
    *,
    in_shardings: Any = ...,
    out_shardings: Any = ...,
    static_argnums: int | Sequence[int] | None = ...,
    static_argnames: str | Iterable[str] | None = ...,
    donate_argnums: int | Sequence[int] | None = ...,
    donate_argnames: str | Iterable[str] | None = ...,
    keep_unused: bool = ...,
    device: _xc.Device | None = ...,
    backend: str | None = ...,
    inline: bool = ...,
    compiler_options: dict[str, Any] | None = ...,
) -> _Jitted[_P, _R]: ...
@overload
def jit(
    *,
    in_shardings: Any = ...,
    out_shardings: Any = ...,
    static_argnums: int | Sequence[int] | None = ...,
    static_argnames: str | Iterable[str] | None = ...,
    donate_argnums: int | Sequence[int] | None = ...,
    donate_argnames: str | Iterable[str] | None = ...,
    keep_unused: bool = ...,
    device: _xc.Device | None = ...,
    backend: str | None = ...,
    inline: bool = ...,
    compiler_options: dict[str, Any] | None = ...,
) -> _JitDecorator: ...

class _Untyped(Protocol):
    """A function whose first parameter takes any object: unannotated, `Any`, or a lambda.

    Only the first overload matters: a function annotated `x: jax.Array` (or any narrower
    type) does not match it. The second makes `__call__` overloaded, and from an overloaded
    `__call__` pyright takes no parameter types for a lambda, which keeps them unknown (as
    mypy does) instead of typing them `_Leaf` and rejecting `lambda x: loss(model(x))`.
    """

    @overload
    def __call__(self, x: object, /, *args: Any, **kwargs: Any) -> Any: ...
    @overload
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

# `grad` and `value_and_grad`: with the default `argnums=0` the gradient has the type of
# the first argument (a pytree keeps its structure), or `jax.Array` where that argument is
# an array-like leaf. Other `argnums`, or a `has_aux` that is not a literal, give `Any`,
# and so does a function whose first parameter has no type (an unannotated function, a
# lambda): the first overloads catch it before `_Leaf` would, for mypy and pyright alike.
@overload
def grad(
    fun: _Untyped,
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[..., Any]: ...
@overload
def grad(
    fun: Callable[Concatenate[_Leaf, _P], Any],
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_Leaf, _P], Array]: ...
@overload
def grad(
    fun: Callable[Concatenate[_T, _P], Any],
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_T, _P], _T]: ...
@overload
def grad(
    fun: Callable[Concatenate[_Leaf, _P], tuple[Any, _Aux]],
    argnums: Literal[0] = 0,
    *,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_Leaf, _P], tuple[Array, _Aux]]: ...
@overload
def grad(
    fun: Callable[Concatenate[_T, _P], tuple[Any, _Aux]],
    argnums: Literal[0] = 0,
    *,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_T, _P], tuple[_T, _Aux]]: ...
@overload
def grad(
    fun: Callable[_P, Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[_P, Any]: ...
@overload
def value_and_grad(
    fun: _Untyped,
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[..., Any]: ...
@overload
def value_and_grad(
    fun: Callable[Concatenate[_Leaf, _P], _R],
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_Leaf, _P], tuple[_R, Array]]: ...
@overload
def value_and_grad(
    fun: Callable[Concatenate[_T, _P], _R],
    argnums: Literal[0] = 0,
    has_aux: Literal[False] = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_T, _P], tuple[_R, _T]]: ...
@overload
def value_and_grad(
    fun: Callable[Concatenate[_Leaf, _P], tuple[_R, _Aux]],
    argnums: Literal[0] = 0,
    *,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_Leaf, _P], tuple[tuple[_R, _Aux], Array]]: ...
@overload
def value_and_grad(
    fun: Callable[Concatenate[_T, _P], tuple[_R, _Aux]],
    argnums: Literal[0] = 0,
    *,
    has_aux: Literal[True],
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[Concatenate[_T, _P], tuple[tuple[_R, _Aux], _T]]: ...
@overload
def value_and_grad(
    fun: Callable[_P, Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    reduce_axes: Sequence[Hashable] = (),
) -> Callable[_P, tuple[Any, Any]]: ...
def checkpoint(
    fun: Callable[_P, _R],
    *,
    prevent_cse: bool | Sequence[bool] = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
    static_argnames: str | Iterable[str] = (),
) -> Callable[_P, _R]: ...
def remat(
    fun: Callable[_P, _R],
    *,
    prevent_cse: bool = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
) -> Callable[_P, _R]: ...
