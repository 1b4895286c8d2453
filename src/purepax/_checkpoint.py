"""`px.save` and `px.load`: a documented, versioned checkpoint format that needs no code to read.

Layout (all integers little-endian; see docs/checkpointing.md):

    bytes 0..7     magic b"PUREPAX\\x00"
    bytes 8..15    uint64: length H of the JSON header
    bytes 16..16+H the header (UTF-8 JSON, padded with spaces so the data starts at a
                   multiple of 64)
    then           each array's raw bytes (C order, little-endian), at the offsets the
                   header gives, relative to the start of the data

The header lists every leaf with its path in the tree (`blocks[1].attn.q_proj.weight`),
shape, dtype, byte offset and length, and the CRC-32 of its bytes. Arrays are written one
at a time, each checksummed on a second thread while it is written, and the header goes
in last: saving never holds more than one array on the host. Loading reads each array
into a 64-byte-aligned buffer that JAX on CPU adopts without a copy, checksumming it on
the second thread while the next one is read. Nothing is ever pickled, and loading never
unpickles. The file itself is written atomically (`_atomic_file.py`).
"""

from __future__ import annotations

import io
import json
import math
import os
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any, TypeVar, cast


import jax
import numpy as np

from ._atomic_file import atomic_file
from ._errors import CheckpointError

_T = TypeVar("_T")

MAGIC = b"PUREPAX\x00"
FORMAT_VERSION = 1
ALIGNMENT = 64
_THREADED = 1 << 20  # arrays this large are checksummed on a second thread
_CHUNK = 64 << 20  # bytes written or read per call, so no whole-array copy is ever made
_PYTHON_SCALARS = {"bool": bool, "int": int, "float": float}


def _storable(dtype: np.dtype[Any]) -> bool:
    """Numeric dtypes only (bfloat16 and float8 included): never object, string or structured."""
    return dtype.kind in "biufc" or bool(jax.numpy.issubdtype(dtype, jax.numpy.inexact))


def _path(keys: tuple[Any, ...]) -> str:
    return jax.tree_util.keystr(keys).lstrip(".") or "(root)"


def _leaves(tree: Any) -> list[tuple[str, Any]]:
    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return [(_path(keys), leaf) for keys, leaf in leaves]


def _is_key(x: Any) -> bool:
    return jax.dtypes.issubdtype(getattr(x, "dtype", None), jax.dtypes.prng_key)


def _key_impl(leaf: Any) -> str:
    """The name of a key array's PRNG implementation; `leaf` may be a `ShapeDtypeStruct`."""
    found: list[str] = []
    # key_impl refuses a ShapeDtypeStruct but accepts the tracer that eval_shape makes of it.
    jax.eval_shape(lambda key: found.append(str(jax.random.key_impl(key))), leaf)
    return found[0]


def _entry(path: str, leaf: Any) -> dict[str, Any]:
    """The header entry of one leaf (without offset and checksum)."""
    entry: dict[str, Any] = {"path": path}
    if isinstance(leaf, (bool, int, float)) and not isinstance(leaf, np.generic):
        entry["python"] = type(leaf).__name__
        dtype = np.dtype({"bool": np.bool_, "int": np.int64, "float": np.float64}[type(leaf).__name__])
        shape: tuple[int, ...] = ()
    elif _is_key(leaf):
        entry["key_impl"] = _key_impl(leaf)
        data = jax.eval_shape(jax.random.key_data, leaf)
        dtype, shape = np.dtype(data.dtype), tuple(data.shape)
    elif hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
        dtype, shape = np.dtype(leaf.dtype), tuple(leaf.shape)
    else:
        raise CheckpointError(
            f"px.save: {path} is a {type(leaf).__name__}, which is not an array or a number. "
            "A checkpoint stores arrays and Python numbers; keep other values in static fields."
        )
    if not _storable(dtype):
        raise CheckpointError(
            f"px.save: {path} has dtype {dtype}, which a checkpoint does not store (only numeric "
            "and bool arrays: object arrays would need pickle). Convert it to a numeric array."
        )
    entry["dtype"] = dtype.name
    entry["shape"] = list(shape)
    entry["nbytes"] = math.prod(shape) * dtype.itemsize
    return entry


def _host_array(leaf: Any) -> np.ndarray[Any, Any]:
    if isinstance(leaf, (bool, int, float)) and not isinstance(leaf, np.generic):
        return np.asarray(leaf, dtype={bool: np.bool_, int: np.int64, float: np.float64}[type(leaf)])
    if _is_key(leaf):
        leaf = jax.random.key_data(leaf)
    array = np.asarray(leaf)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return np.ascontiguousarray(array)


def _bytes_of(array: np.ndarray[Any, Any]) -> Iterator[memoryview]:
    flat = memoryview(cast(Any, array.reshape(-1).view(np.uint8)))
    for start in range(0, len(flat), _CHUNK):
        yield flat[start : start + _CHUNK]


class _Done:
    def __init__(self, value: str) -> None:
        self.value = value

    def result(self) -> str:
        return self.value


class _Checksums:
    """CRC-32s computed on a second thread while the array is written, read or transferred.

    `zlib.crc32` releases the GIL, so checksumming costs no time where a second core is
    free; small arrays are checksummed in line.
    """

    def __enter__(self) -> _Checksums:
        self.pool: ThreadPoolExecutor | None = None
        return self

    def start(self, array: np.ndarray[Any, Any]) -> Future[str] | _Done:
        if array.nbytes < _THREADED:
            return _Done(_crc32(array))
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="purepax-checksum")
        return self.pool.submit(_crc32, array)

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _crc32(array: np.ndarray[Any, Any]) -> str:
    crc = 0
    for chunk in _bytes_of(array):
        crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def _header(entries: list[dict[str, Any]]) -> bytes:
    body = json.dumps(
        {"format": "purepax-checkpoint", "version": FORMAT_VERSION, "arrays": entries},
        separators=(",", ":"),
    ).encode()
    padding = -(len(MAGIC) + 8 + len(body)) % ALIGNMENT
    return body + b" " * padding


def save(path: str | os.PathLike[str], tree: Any) -> None:
    """Save a module (or any pytree of modules, arrays and Python numbers) to `path`.

    The write is atomic: the checkpoint goes to a temporary file in the same directory,
    which is flushed, synced to disk and then renamed over `path`, so a crash mid-save
    leaves the previous checkpoint intact. Arrays are written one at a time (at most one
    array is copied to the host at once). Static fields (configuration) are not stored:
    `px.load` takes them from `like`. The format is described in docs/checkpointing.md.

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
        entry = _entry(leaf_path, leaf)
        offset += -offset % ALIGNMENT
        entry["offset"] = offset
        entry["crc32"] = "00000000"
        offset = end = offset + entry["nbytes"]
        entries.append(entry)
    data_start = len(MAGIC) + 8 + len(_header(entries))
    with atomic_file(path) as file, _Checksums() as checksums:
        for entry, (_, leaf) in zip(entries, leaves):
            array = _host_array(leaf)
            crc = checksums.start(array)
            position = data_start + entry["offset"]
            for chunk in _bytes_of(array):
                file.write_at(chunk, position)
                position += len(chunk)
            entry["crc32"] = crc.result()
            del array
        header = _header(entries)
        assert len(MAGIC) + 8 + len(header) == data_start  # fixed-width checksums: same length
        file.write_at(memoryview(MAGIC + len(header).to_bytes(8, "little") + header), 0)
        os.ftruncate(file.fd, data_start + end)  # an empty last array ends past the last byte


def _fail(path: Any, why: str) -> CheckpointError:
    return CheckpointError(f"px.load: {os.fspath(path)} {why}")


def read_header(f: IO[bytes], path: Any) -> tuple[list[dict[str, Any]], int]:
    """The header's entries of an open checkpoint file and where its data starts."""
    size = os.fstat(f.fileno()).st_size
    start = f.read(len(MAGIC) + 8)
    if len(start) < len(MAGIC) + 8 or start[: len(MAGIC)] != MAGIC:
        raise _fail(path, "is not a purepax checkpoint (it does not start with the magic "
                    f"{MAGIC!r}). Load it with the tool that wrote it, or save it with px.save.")
    length = int.from_bytes(start[len(MAGIC) :], "little")
    if length > size - len(start):
        raise _fail(path, f"is cut short: its header needs {length} bytes but the file has "
                    f"{size} in all. Save the checkpoint again.")
    try:
        header = json.loads(f.read(length))
        if header.get("format") != "purepax-checkpoint":
            raise ValueError("not a purepax header")
        version = header["version"]
        entries = header["arrays"]
        if not isinstance(entries, list) or not isinstance(version, int):
            raise ValueError("bad header")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _fail(path, f"has a damaged header ({error}). Save the checkpoint again.") from None
    if version > FORMAT_VERSION:
        raise _fail(path, f"has format version {version}, newer than this purepax reads "
                    f"({FORMAT_VERSION}). Upgrade purepax.")
    data_start = len(MAGIC) + 8 + length
    end = data_start
    for entry in entries:
        try:
            dtype = np.dtype(_dtype(entry["dtype"]))
            shape = tuple(int(n) for n in entry["shape"])
            nbytes, offset = int(entry["nbytes"]), int(entry["offset"])
            int(entry["crc32"], 16)
            str(entry["path"])
        except (KeyError, TypeError, ValueError) as error:
            raise _fail(path, f"has a damaged header entry {str(entry)[:200]} ({error}). "
                        "Save the checkpoint again.") from None
        if not _storable(dtype) or any(n < 0 for n in shape) or offset < 0 or (
            nbytes != math.prod(shape) * dtype.itemsize
        ):
            raise _fail(path, f"has a damaged header entry for {entry['path']}. Save the "
                        "checkpoint again.")
        if data_start + offset + nbytes > size:
            raise _fail(path, f"is cut short: {entry['path']} ends at byte "
                        f"{data_start + offset + nbytes} but the file has {size}. Save the "
                        "checkpoint again.")
        end = max(end, data_start + offset + nbytes)
    if size != end:
        raise _fail(path, f"is damaged: it has {size - end} bytes after its last array. Save "
                    "the checkpoint again.")
    return entries, data_start


def _dtype(name: Any) -> Any:
    if not isinstance(name, str):
        raise ValueError(f"dtype {name!r}")
    return jax.numpy.dtype(name)


def load(path: str | os.PathLike[str], *, like: _T) -> _T:
    """Load a checkpoint written by `px.save` into the structure of `like`.

    Every leaf of `like` must be in the file with the same path, shape and dtype; a
    mismatch, or a file that is cut short, altered or not a purepax checkpoint, raises
    `px.CheckpointError` naming the field path (nothing is half loaded). `like` may be
    abstract: `jax.eval_shape(lambda: Model(key=key))` gives `ShapeDtypeStruct` leaves,
    so a large model is never initialised only to be overwritten. Static fields come
    from `like`. Each array gets the sharding of the matching leaf of `like`, if any.

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
    try:
        f = open(path, "rb")
    except OSError as error:
        raise CheckpointError(f"px.load: cannot open {os.fspath(path)}: {error}.") from None
    with f, _Checksums() as checksums:
        entries, data_start = read_header(f, path)
        _check_structure(path, entries, wanted)
        loaded, checking = [], None
        for entry, (_, leaf) in zip(entries, wanted):
            array = _read_array(f, path, data_start, entry, aligned=not isinstance(leaf, np.ndarray))
            crc = checksums.start(array)  # checksummed while the next array is read
            loaded.append(_leaf_value(array, entry, leaf))
            if checking is not None:
                _verify(path, *checking)
            checking = (entry, crc)
        if checking is not None:
            _verify(path, *checking)
    return cast(_T, jax.tree_util.tree_unflatten(treedef, loaded))


def _check_structure(path: Any, entries: list[dict[str, Any]], wanted: list[tuple[str, Any]]) -> None:
    saved = [entry["path"] for entry in entries]
    names = [name for name, _ in wanted]
    if saved != names:
        missing = [n for n in names if n not in set(saved)]
        extra = [n for n in saved if n not in set(names)]
        if missing:
            why = f"has no {missing[0]}, which `like` has"
        elif extra:
            why = f"has {extra[0]}, which `like` does not have"
        else:
            why = "holds the same fields as `like` in another order"
        raise _fail(path, f"does not match `like`: the file {why} ({len(saved)} arrays in the "
                    f"file, {len(names)} in `like`). Pass a `like` built as the saved tree was.")
    for entry, (name, leaf) in zip(entries, wanted):
        expected = _entry(name, leaf)
        for key, what in (("key_impl", "PRNG key"), ("python", "Python type"), ("shape", "shape"), ("dtype", "dtype")):
            if entry.get(key) != expected.get(key):
                raise _fail(path, f"does not match `like` at {name}: {what} "
                            f"{_show(entry.get(key), key)} in the file, {_show(expected.get(key), key)} "
                            "in `like`. Build `like` with the saved configuration.")


def _show(value: Any, key: str) -> str:
    if value is None:
        return "none (a plain array)" if key == "key_impl" else "none (an array)" if key == "python" else "none"
    return str(tuple(value)) if key == "shape" else str(value)


def _empty(shape: tuple[int, ...], dtype: np.dtype[Any], aligned: bool) -> np.ndarray[Any, Any]:
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


def _read_array(f: io.BufferedReader, path: Any, data_start: int, entry: dict[str, Any], aligned: bool) -> np.ndarray[Any, Any]:
    array = _empty(tuple(entry["shape"]), np.dtype(_dtype(entry["dtype"])), aligned)
    f.seek(data_start + int(entry["offset"]))
    for chunk in _bytes_of(array):
        if f.readinto(chunk) != len(chunk):
            raise _fail(path, f"is cut short inside {entry['path']}. Save the checkpoint again.")
    return array


def _leaf_value(array: np.ndarray[Any, Any], entry: dict[str, Any], like: Any) -> Any:
    """The loaded leaf: a Python number, a numpy array (if `like` has one), or a JAX array."""
    if "python" in entry:
        return _PYTHON_SCALARS[entry["python"]](array[()])
    if isinstance(like, np.ndarray):
        return array
    value = jax.device_put(array, getattr(like, "sharding", None))
    if "key_impl" in entry:
        value = jax.random.wrap_key_data(value, impl=entry["key_impl"])
    return value


def _verify(path: Any, entry: dict[str, Any], crc: Future[str] | _Done) -> None:
    if crc.result() != entry["crc32"]:
        raise _fail(path, f"is damaged: the bytes of {entry['path']} do not match their "
                    "checksum. Save the checkpoint again (or restore a copy).")
