"""Everything the overlays do not type keeps JAX's own types (the same as without stubs/)."""

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jax import lax

key = jax.random.key(0)
x = jnp.ones((2, 3))

reveal_type(jax.Array)
# N: Revealed type is "def (shape: Any, dtype: Any =, buffer: Any =, offset: Any =, strides: Any =, order: Any =) -> jax._src.basearray.Array"
reveal_type(jax.typing.ArrayLike)  # N: Revealed type is "typing._SpecialForm"
reveal_type(jnp.zeros)
# N: Revealed type is "def (shape: Any, dtype: str | type[Any] | numpy.dtype[Any] | jax._src.typing.SupportsDType | None =, *, device: _Device? | jax._src.sharding.Sharding | None =, out_sharding: jax._src.named_sharding.NamedSharding | jax._src.partition_spec.P | None =) -> jax._src.basearray.Array"
reveal_type(jnp.dot(x, x.T))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(jax.numpy.ones(3))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(jax.random.split(key))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(jr.normal(key, (3,)))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(jax.random.PRNGKey(0))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(jax.tree.map)
# N: Revealed type is "def (f: def (*Any, **Any) -> Any, tree: Any, *rest: Any, is_leaf: (def (Any) -> bool) | None =) -> Any"
reveal_type(jax.tree.map(lambda a: a * 2, {"a": x}))  # N: Revealed type is "Any"
reveal_type(jax.tree.leaves({"a": x}))  # N: Revealed type is "list[Any]"
reveal_type(jax.tree_util.tree_map)
# N: Revealed type is "def (f: def (*Any, **Any) -> Any, tree: Any, *rest: Any, is_leaf: (def (Any) -> bool) | None =) -> Any"
reveal_type(jax.tree_util.register_pytree_node_class)
# N: Revealed type is "def [Typ <: type[Any]] (cls: Typ) -> Typ"
reveal_type(jax.nn.relu)
# N: Revealed type is "def (x: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex) -> jax._src.basearray.Array"
reveal_type(jax.nn.softmax(x))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(jax.scipy.special.logsumexp)
# N: Revealed type is "Overload(def (a: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex, axis: int | typing.Sequence[int] | None =, b: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex | None =, keepdims: bool =, return_sign: Literal[False] =, where: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex | None =) -> jax._src.basearray.Array, def (a: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex, axis: int | typing.Sequence[int] | None =, b: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex | None =, keepdims: bool =, *, return_sign: Literal[True], where: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex | None =) -> tuple[jax._src.basearray.Array, jax._src.basearray.Array], def (a: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex, axis: int | typing.Sequence[int] | None =, b: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex | None =, keepdims: bool =, return_sign: bool =, where: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex | None =) -> jax._src.basearray.Array | tuple[jax._src.basearray.Array, jax._src.basearray.Array])"
reveal_type(lax.add)
# N: Revealed type is "def (x: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex, y: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex) -> jax._src.basearray.Array"
reveal_type(lax.stop_gradient(x))  # N: Revealed type is "jax._src.basearray.Array"
reveal_type(lax.linalg.cholesky)
# N: Revealed type is "def (x: jax._src.basearray.Array, *, symmetrize_input: bool =) -> jax._src.basearray.Array"
reveal_type(lax.associative_scan)
# N: Revealed type is "def (fn: def (*Any, **Any) -> Any, elems: Any, reverse: bool =, axis: int =) -> Any"
reveal_type(lax.map)
# N: Revealed type is "def (f: Any, xs: Any, *, batch_size: int | None =) -> Any"
reveal_type(jax.jvp)
# N: Revealed type is "def (fun: def (*Any, **Any) -> Any, primals: Any, tangents: Any, has_aux: bool =) -> tuple[Any, ...]"
reveal_type(jax.vjp)
# N: Revealed type is "Overload(def [T] (fun: def (*Any, **Any) -> T, *primals: Any, has_aux: Literal[False] =, reduce_axes: typing.Sequence[typing.Hashable] =) -> tuple[T, def (*Any, **Any) -> Any], def [T, U] (fun: def (*Any, **Any) -> tuple[T, U], *primals: Any, has_aux: Literal[True], reduce_axes: typing.Sequence[typing.Hashable] =) -> tuple[T, def (*Any, **Any) -> Any, U])"
reveal_type(jax.jacrev)
# N: Revealed type is "def (fun: def (*Any, **Any) -> Any, argnums: int | typing.Sequence[int] =, has_aux: bool =, holomorphic: bool =, allow_int: bool =) -> def (*Any, **Any) -> Any"
reveal_type(jax.hessian)
# N: Revealed type is "def (fun: def (*Any, **Any) -> Any, argnums: int | typing.Sequence[int] =, has_aux: bool =, holomorphic: bool =) -> def (*Any, **Any) -> Any"
reveal_type(jax.eval_shape)
# N: Revealed type is "def (fun: def (*Any, **Any) -> Any, *args: Any, **kwargs: Any) -> Any"
reveal_type(jax.make_jaxpr)
# N: Revealed type is "Overload(def (fun: def (*Any, **Any) -> Any, static_argnums: int | typing.Sequence[int] =, axis_env: typing.Sequence[tuple[typing.Hashable, int]] | None =, return_shape: Literal[False] =) -> def (*Any, **Any) -> jax._src.core.ClosedJaxpr, def (fun: def (*Any, **Any) -> Any, static_argnums: int | typing.Sequence[int] =, axis_env: typing.Sequence[tuple[typing.Hashable, int]] | None =, return_shape: Literal[True] =) -> def (*Any, **Any) -> tuple[jax._src.core.ClosedJaxpr, Any])"
reveal_type(jax.pmap)
# N: Revealed type is "def (fun: def (*Any, **Any) -> Any, axis_name: typing.Hashable | None =, *, in_axes: int | None | typing.Sequence[Any] =, out_axes: Any =, static_broadcasted_argnums: int | typing.Iterable[int] =, devices: typing.Sequence[Any] | None =, backend: str | None =, axis_size: int | None =, donate_argnums: int | typing.Iterable[int] =) -> Any"
reveal_type(jax.shard_map)
# N: Revealed type is "Overload(def [F <: def (*Any, **Any) -> Any] (F, *, out_specs: Any, in_specs: Any | None | jax._src.shard_map.InferFromArgs =, mesh: jax._src.mesh.Mesh | jax._src.mesh.AbstractMesh | None =, axis_names: typing.AbstractSet[typing.Hashable] =, check_vma: bool =) -> F, def (None =, *, out_specs: Any, in_specs: Any | None | jax._src.shard_map.InferFromArgs =, mesh: jax._src.mesh.Mesh | jax._src.mesh.AbstractMesh | None =, axis_names: typing.AbstractSet[typing.Hashable] =, check_vma: bool =) -> def [G <: def (*Any, **Any) -> Any] (G) -> G)"
reveal_type(jax.custom_vjp)
# N: Revealed type is "def [ReturnValue] (fun: def (*Any, **Any) -> ReturnValue, nondiff_argnums: typing.Sequence[int] =, nondiff_argnames: typing.Sequence[str] =) -> jax._src.custom_derivatives.custom_vjp[ReturnValue]"
reveal_type(jax.device_put(x))  # N: Revealed type is "Any"
reveal_type(jax.devices())  # N: Revealed type is "list[Any]"
reveal_type(jax.block_until_ready(x))  # N: Revealed type is "Any"
reveal_type(jax.ShapeDtypeStruct((3,), np.float32))
# N: Revealed type is "jax._src.core.ShapeDtypeStruct"
reveal_type(jax.config)  # N: Revealed type is "jax._src.config.Config"
reveal_type(jax.sharding.NamedSharding)
# N: Revealed type is "def (mesh: jax._src.mesh.Mesh | jax._src.mesh.AbstractMesh, spec: jax._src.partition_spec.P, *, memory_kind: str | None =, _logical_device_ids: Any =) -> jax._src.named_sharding.NamedSharding"
reveal_type(jax.NamedSharding)
# N: Revealed type is "def (mesh: jax._src.mesh.Mesh | jax._src.mesh.AbstractMesh, spec: jax._src.partition_spec.P, *, memory_kind: str | None =, _logical_device_ids: Any =) -> jax._src.named_sharding.NamedSharding"
reveal_type(jax.P)
# N: Revealed type is "def (*partitions: Any, unreduced: Any =, reduced: Any =) -> jax._src.partition_spec.P"
reveal_type(jax.core.Tracer)
# N: Revealed type is "def [TraceType <: jax._src.core.Trace] (trace: TraceType, aval: jax._src.core.AbstractValue) -> jax._src.core.Tracer[TraceType]"
reveal_type(jax.interpreters.ad)  # N: Revealed type is "types.ModuleType"
reveal_type(jax.stages.Wrapped)  # N: Revealed type is "def () -> jax._src.stages.Wrapped"
reveal_type(jax.Device)  # N: Revealed type is "Any"
reveal_type(jax.debug.print)
# N: Revealed type is "Overload(def (fmt: str, *args: Any, ordered: bool =, partitioned: bool =, skip_format_check: bool =, _use_logging: bool =, **kwargs: Any), def (*, ordered: bool =, partitioned: bool =, skip_format_check: bool =, _use_logging: bool =) -> def (*Any, **Any))"
reveal_type(jax.__version__)  # N: Revealed type is "str"
reveal_type(jax.lax.dynamic_slice)
# N: Revealed type is "def (operand: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]], start_indices: jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | typing.Sequence[jax._src.basearray.Array | numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | numpy.bool[bool] | numpy.number[Any, int | float | complex] | bool | int | float | complex], slice_sizes: typing.Sequence[int | Any], *, allow_negative_indices: bool | typing.Sequence[bool] =) -> jax._src.basearray.Array"
reveal_type(jax.lax.Precision)
# N: Revealed type is "def (value: object) -> jax._src.lax.lax.Precision"
