"""`px.save` and `px.load`: a documented, versioned checkpoint format that needs no code to read.

The format itself is in `_checkpoint_format.py` (and docs/checkpointing.md). Arrays are
written one at a time, each checksummed on a second thread while it is written, and the
header goes in last: saving never holds more than one array on the host. Loading reads
each array into a 64-byte-aligned buffer that JAX on CPU adopts without a copy,
checksumming it on the second thread while the next one is read. Nothing is ever
pickled, and loading never unpickles. The file is written atomically (`_atomic_file.py`).
"""

from __future__ import annotations

import collections
import io
import math
import os
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, cast

import jax
import numpy as np

from ._atomic_file import AtomicFile, atomic_file
from ._checkpoint_format import (
    ALIGNMENT,
    MAGIC,
    _check_structure,
    _dtype,
    _entry,
    _fail,
    _header,
    _is_key,
    _leaves,
    _path,
)
from ._checkpoint_format import (
    FORMAT_VERSION as FORMAT_VERSION,
)
from ._checkpoint_format import (
    read_header as read_header,
)
from ._distributed import host_value, is_writer, place, wait_for_all
from ._errors import CheckpointError
from ._trace import Tracer

_T = TypeVar("_T")

_THREADED = 1 << 20  # arrays this large are checksummed on a second thread
_CHUNK = 64 << 20  # bytes written or read per call, so no whole-array copy is ever made
_PYTHON_SCALARS = {"bool": bool, "int": int, "float": float}


def _host_array(leaf: Any) -> np.ndarray[Any, Any]:
    """The leaf's bytes as a C-ordered little-endian numpy array; a view where possible."""
    if isinstance(leaf, (bool, int, float)) and not isinstance(leaf, np.generic):
        return np.asarray(
            leaf, dtype={bool: np.bool_, int: np.int64, float: np.float64}[type(leaf)]
        )
    if _is_key(leaf):
        leaf = jax.random.key_data(leaf)
    host = None
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        array = np.asarray(
            host_value(leaf)
        )  # sharded across processes: gathered (a collective)
    else:
        if isinstance(leaf, jax.Array) and not _on_one_cpu_device(leaf):
            host = _cpu_device()
        array = np.asarray(leaf) if host is None else _host_copy(leaf, host)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return np.ascontiguousarray(array)


def _host_copy(leaf: jax.Array, host: jax.Device) -> np.ndarray[Any, Any]:
    """The whole array in host memory, copied shard by shard.

    `numpy.asarray` of an array on an accelerator, or sharded over several devices, keeps
    the copy it makes attached to the array (JAX caches it there, and on the shards), so a
    save would end holding a copy of the whole model. Each shard is copied to the host's
    CPU device instead (one device-to-device copy, not cached), and that copy is freed
    once written.
    """
    if leaf.is_fully_replicated:
        return np.asarray(jax.device_put(leaf.addressable_shards[0].data, host))
    whole = np.empty(leaf.shape, leaf.dtype)
    for shard in leaf.addressable_shards:
        if shard.replica_id == 0:
            whole[shard.index] = np.asarray(jax.device_put(shard.data, host))
    return whole


def _on_one_cpu_device(leaf: jax.Array) -> bool:
    devices = leaf.devices()
    return len(devices) == 1 and next(iter(devices)).platform == "cpu"


def _cpu_device() -> jax.Device | None:
    try:
        return jax.local_devices(backend="cpu")[0]
    except (
        RuntimeError
    ):  # JAX started without its CPU backend (JAX_PLATFORMS=cuda, say)
        return None


def _is_view_of(array: np.ndarray[Any, Any], leaf: Any) -> bool:
    """Whether `array` is the leaf's own memory, so holding on to it costs nothing."""
    if isinstance(leaf, np.ndarray):
        return bool(np.may_share_memory(array, leaf))
    return (
        isinstance(leaf, jax.Array) and not _is_key(leaf) and _on_one_cpu_device(leaf)
    )


def _bytes_of(array: np.ndarray[Any, Any]) -> Iterator[memoryview]:
    flat = memoryview(cast(Any, array.reshape(-1).view(np.uint8)))
    for start in range(0, len(flat), _CHUNK):
        yield flat[start : start + _CHUNK]


class _Done:
    def __init__(self, value: str) -> None:
        self.value = value

    def result(self) -> str:
        return self.value


class _Pending:
    """An array's checksum: under way on the second thread, or done."""

    def __init__(
        self,
        entry: dict[str, Any],
        crc: Future[str] | _Done,
        holder: list[np.ndarray[Any, Any]],
    ) -> None:
        self.entry, self.crc, self.holder = entry, crc, holder


class _Checksums:
    """CRC-32s of arrays, computed on a second thread while the next bytes are written or read.

    `zlib.crc32` releases the GIL, so checksumming costs no time where a second core is
    free; small arrays are checksummed in line. Each result goes, in order, to
    `done(entry, crc)` when `wait` collects it. The thread may fall behind by any number
    of arrays that cost no memory to hold (views of the arrays being saved, or buffers
    the loaded arrays keep); where holding an array would keep a copy alive, the caller
    waits for it: so no thread hands over to the other after every array, which on a
    busy machine costs a scheduling delay each time. A caller that waits does not idle:
    it checksums, latest first, the arrays the second thread has not started.
    """

    def __init__(self, done: Callable[[dict[str, Any], str], None]) -> None:
        self.done = done
        self.pool: ThreadPoolExecutor | None = None
        self.pending: collections.deque[_Pending] = collections.deque()

    def __enter__(self) -> _Checksums:
        return self

    def add(self, entry: dict[str, Any], array: np.ndarray[Any, Any]) -> None:
        if array.nbytes < _THREADED:
            self.pending.append(_Pending(entry, _Done(_crc32(array)), []))
            return
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="purepax-checksum")
        holder = [array]
        self.pending.append(
            _Pending(entry, self.pool.submit(_crc32_of_taken, holder), holder)
        )

    def wait(self, keep: int = 0) -> None:
        """Collect the checksums of all but the `keep` latest arrays, waiting for them."""
        for pending in reversed(list(self.pending)[: len(self.pending) - keep]):
            if (
                isinstance(pending.crc, Future) and pending.crc.cancel()
            ):  # not started yet
                pending.crc = _Done(_crc32_of_taken(pending.holder))
        while len(self.pending) > keep:
            pending = self.pending.popleft()
            self.done(pending.entry, pending.crc.result())

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _crc32(array: np.ndarray[Any, Any]) -> str:
    crc = 0
    for chunk in _bytes_of(array):
        crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def _crc32_of_taken(holder: list[np.ndarray[Any, Any]]) -> str:
    """`_crc32` of the array in `holder`, which it empties.

    The thread pool keeps a task's arguments a moment after its result is out; an array
    passed directly could then still be alive when the next one is made.
    """
    return _crc32(holder.pop())


def save(path: str | os.PathLike[str], tree: Any) -> None:
    """Save a module (or any pytree of modules, arrays and Python numbers) to `path`.

    The write is atomic: the checkpoint goes to a temporary file in the same directory,
    which is flushed, synced to disk and then renamed over `path`, so a crash mid-save
    leaves the previous checkpoint intact. Arrays are written one at a time (at most one
    array is copied to the host at once). Static fields (configuration) are not stored:
    `px.load` takes them from `like`. The format is described in docs/checkpointing.md.
    A leaf that cannot be stored (one without values, such as `jax.eval_shape`'s
    `ShapeDtypeStruct` or a tracer inside `jax.jit`; an object array) raises
    `px.CheckpointError` naming its path before anything is written.

    A sharded array is written whole. In a multi-process run (`jax.distributed`), call
    `px.save` on every process: arrays sharded across processes are gathered (one at a
    time), process 0 writes the file, and every process returns once it is in place.

    **Arguments:**

    - `path`: the file to write (replaced if it exists).
    - `tree`: a module, or a pytree of modules, arrays and numbers, e.g. `(model, opt)`.

    **Returns:** nothing.

    ```python
    px.save("model.ckpt", model)
    px.save("train.ckpt", (model, opt))
    ```
    """
    leaves = _leaves(tree)
    entries, offset, end = [], 0, 0
    for leaf_path, leaf in leaves:
        _check_concrete(leaf_path, leaf)
        entry = _entry(leaf_path, leaf)
        offset += -offset % ALIGNMENT
        entry["offset"] = offset
        entry["crc32"] = "00000000"
        offset = end = offset + entry["nbytes"]
        entries.append(entry)
    everyone = f"purepax.save {os.fspath(path)}"
    if not is_writer():  # a multi-process run: process 0 writes what all of them gather
        for _, leaf in leaves:
            _host_array(leaf)
        wait_for_all(everyone)
        return
    try:
        _write(path, entries, leaves, end)
    finally:
        wait_for_all(everyone)


def _check_concrete(path: str, leaf: Any, function: str = "px.save") -> None:
    """Refuse, before anything is written, a leaf that has a shape and dtype but no values.

    `_entry` accepts such leaves (`px.load`'s `like` may be abstract); a save would only
    fail on them once the file is under way, with an error that names no field.
    """
    if isinstance(leaf, jax.ShapeDtypeStruct):
        raise CheckpointError(
            f"{function}: {path} is a jax.ShapeDtypeStruct (an abstract array, as jax.eval_shape "
            "gives), which has no values to store. Save the concrete model, not the result of "
            "jax.eval_shape."
        )
    if isinstance(leaf, Tracer):
        raise CheckpointError(
            f"{function}: {path} is a traced value ({function} was called inside jax.jit or "
            f"another transformation), which has no values to store. Call {function} outside "
            "the transformation, on the model it returns."
        )
    if isinstance(leaf, jax.Array) and leaf.is_deleted():
        raise CheckpointError(
            f"{function}: {path} is a deleted array (donated to a jitted function, or deleted), "
            "which has no values to store. Save the model that function returned."
        )
    if (
        hasattr(leaf, "shape")
        and hasattr(leaf, "dtype")
        and not isinstance(leaf, (jax.Array, np.ndarray, np.generic))
    ):
        raise CheckpointError(
            f"{function}: {path} is a {type(leaf).__name__}, which is not a concrete array. A "
            "checkpoint stores JAX and numpy arrays and Python numbers; convert it to one."
        )


def _write(
    path: str | os.PathLike[str],
    entries: list[dict[str, Any]],
    leaves: list[tuple[str, Any]],
    end: int,
) -> None:
    data_start = len(MAGIC) + 8 + len(_header(entries))
    with atomic_file(path) as file, _Checksums(_set_checksum) as checksums:
        for entry, (_, leaf) in zip(entries, leaves):
            array = _host_array(leaf)
            checksums.add(entry, array)
            _write_array(file, array, data_start + entry["offset"])
            if not _is_view_of(array, leaf):
                checksums.wait()  # then let the copy go: one array on the host at a time
            del array
        checksums.wait()
        header = _header(entries)
        assert (
            len(MAGIC) + 8 + len(header) == data_start
        )  # fixed-width checksums: same length
        file.write_at(memoryview(MAGIC + len(header).to_bytes(8, "little") + header), 0)
        os.ftruncate(
            file.fd, data_start + end
        )  # an empty last array ends past the last byte


def _write_array(file: AtomicFile, array: np.ndarray[Any, Any], position: int) -> None:
    for chunk in _bytes_of(array):
        file.write_at(chunk, position)
        position += len(chunk)


def load(path: str | os.PathLike[str], *, like: _T) -> _T:
    """Load a checkpoint written by `px.save` into the structure of `like`.

    Every leaf of `like` must be in the file with the same path, shape and dtype; a
    mismatch, or a file that is cut short, altered or not a purepax checkpoint, raises
    `px.CheckpointError` naming the field path (nothing is half loaded). `like` may be
    abstract: `jax.eval_shape(lambda: Model(key=key))` gives `ShapeDtypeStruct` leaves,
    so a large model is never initialised only to be overwritten. Static fields come
    from `like`. Each array gets the sharding of the matching leaf of `like`, if any (in a
    multi-process run, each process reads the file and fills in the shards it owns).

    **Arguments:**

    - `path`: a file written by `px.save`.
    - `like`: a tree of the same structure: a module, `(model, opt)`, or their
      `jax.eval_shape` versions.

    **Returns:** a tree like `like` holding the saved arrays.

    ```python
    model = px.load("model.ckpt", like=model)
    model, opt = px.load("train.ckpt", like=(model, opt))
    abstract = jax.eval_shape(lambda: Model(key=jax.random.key(0)))
    model = px.load("model.ckpt", like=abstract)
    ```
    """
    leaves, treedef = jax.tree_util.tree_flatten_with_path(like)
    wanted = [(_path(keys), leaf) for keys, leaf in leaves]
    shardings = [_target_sharding(where, leaf) for where, leaf in wanted]
    try:
        f = open(path, "rb")
    except OSError as error:
        raise CheckpointError(
            f"px.load: cannot open {os.fspath(path)}: {error}."
        ) from None

    def verify(entry: dict[str, Any], crc: str) -> None:
        if crc != entry["crc32"]:
            raise _fail(
                path,
                f"is damaged: the bytes of {entry['path']} do not match their "
                "checksum. Save the checkpoint again (or restore a copy).",
            )

    with f, _Checksums(verify) as checksums:
        entries, data_start = read_header(f, path)
        _check_structure(path, entries, wanted)
        loaded = []
        for entry, (_, leaf), sharding in zip(entries, wanted, shardings):
            array = _read_array(
                f, path, data_start, entry, aligned=not isinstance(leaf, np.ndarray)
            )
            checksums.add(entry, array)
            value = _leaf_value(array, entry, leaf, sharding)
            if not _keeps(value, array):
                checksums.wait(
                    keep=1
                )  # at most this buffer and the previous one on the host
            loaded.append(value)
        checksums.wait()
    return cast(_T, jax.tree_util.tree_unflatten(treedef, loaded))


def _empty(
    shape: tuple[int, ...], dtype: np.dtype[Any], aligned: bool
) -> np.ndarray[Any, Any]:
    """An uninitialised array; `aligned`: its data starts at a multiple of 64 bytes.

    JAX on CPU adopts an aligned numpy buffer without copying it (`jax.device_put` makes
    a view); numpy's own allocations are only 16-byte aligned, which would cost a copy.
    """
    if not aligned:
        return np.empty(shape, dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def _read_array(
    f: io.BufferedReader,
    path: Any,
    data_start: int,
    entry: dict[str, Any],
    aligned: bool,
) -> np.ndarray[Any, Any]:
    array = _empty(tuple(entry["shape"]), np.dtype(_dtype(entry["dtype"])), aligned)
    f.seek(data_start + int(entry["offset"]))
    for chunk in _bytes_of(array):
        if f.readinto(chunk) != len(chunk):
            raise _fail(
                path, f"is cut short inside {entry['path']}. Save the checkpoint again."
            )
    return array


def _target_sharding(where: str, like: Any, function: str = "px.load") -> Any:
    """The sharding a leaf is loaded with: `like`'s, on devices.

    `jax.eval_shape` of arrays sharded over `Explicit` mesh axes gives shardings on an
    `AbstractMesh`, which names no devices: the current mesh (`jax.set_mesh`) stands in for
    it when it is the same mesh; otherwise there is nowhere to put the array, said before
    anything is read.
    """
    sharding: Any = getattr(like, "sharding", None)
    abstract = getattr(jax.sharding, "AbstractMesh", None)
    mesh = getattr(sharding, "mesh", None)
    if abstract is None or not isinstance(mesh, abstract):
        return sharding
    get_mesh = getattr(jax.sharding, "get_mesh", None)  # JAX 0.7 and newer
    current = get_mesh() if get_mesh is not None else None
    if current is not None and not current.empty and current.abstract_mesh == mesh:
        return jax.sharding.NamedSharding(current, sharding.spec)
    raise CheckpointError(
        f"{function}: `like` gives {where} a sharding on an abstract mesh ({mesh}), as "
        "jax.eval_shape does for arrays on Explicit mesh axes: it names no devices to load "
        "onto. Load under that mesh (`with jax.set_mesh(mesh): px.load(path, like=...)`), or "
        "load with an unsharded `like` and place the result with `px.shard(model, mesh)`."
    )


def _leaf_value(
    array: np.ndarray[Any, Any], entry: dict[str, Any], like: Any, sharding: Any
) -> Any:
    """The loaded leaf: a Python number, a numpy array (if `like` has one), or a JAX array
    placed with `sharding` (None: the default device)."""
    if "python" in entry:
        return _PYTHON_SCALARS[entry["python"]](array[()])
    if isinstance(like, np.ndarray):
        return array
    # Where the sharding spans other processes' devices, each process fills in its shards.
    value = jax.device_put(array) if sharding is None else place(array, sharding)
    if "key_impl" in entry:
        value = jax.random.wrap_key_data(value, impl=entry["key_impl"])
    return value


def _keeps(value: Any, array: np.ndarray[Any, Any]) -> bool:
    """Whether the loaded leaf holds `array`'s memory itself (so holding `array` is free)."""
    if value is array:
        return True
    return (
        isinstance(value, jax.Array)
        and not _is_key(value)
        and _on_one_cpu_device(value)
        and value.unsafe_buffer_pointer() == array.ctypes.data
    )


def _set_checksum(entry: dict[str, Any], crc: str) -> None:
    entry["crc32"] = crc
