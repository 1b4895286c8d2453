"""The checkpoint file format (version 1): building the header, and reading and checking it.

Layout (all integers little-endian; see docs/checkpointing.md):

    bytes 0..7     magic b"PUREPAX\\x00"
    bytes 8..15    uint64: length H of the JSON header
    bytes 16..16+H the header (UTF-8 JSON, padded with spaces so the data starts at a
                   multiple of 64)
    then           each array's raw bytes (C order, little-endian), at the offsets the
                   header gives, relative to the start of the data

The header lists every leaf with its path in the tree (`blocks[1].attn.q_proj.weight`),
shape, dtype, byte offset and length, and the CRC-32 of its bytes.
"""

from __future__ import annotations

import json
import math
import os
from typing import IO, Any

import jax
import numpy as np

from ._errors import CheckpointError

MAGIC = b"PUREPAX\x00"
FORMAT_VERSION = 1
ALIGNMENT = 64


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


def _entry(path: str, leaf: Any, function: str = "px.save") -> dict[str, Any]:
    """The header entry of one leaf (without offset and checksum); `function` names the caller in errors."""
    entry: dict[str, Any] = {"path": path}
    if isinstance(leaf, (bool, int, float)) and not isinstance(leaf, np.generic):
        entry["python"] = type(leaf).__name__
        dtype = np.dtype(
            {"bool": np.bool_, "int": np.int64, "float": np.float64}[
                type(leaf).__name__
            ]
        )
        shape: tuple[int, ...] = ()
    elif _is_key(leaf):
        entry["key_impl"] = _key_impl(leaf)
        data = jax.eval_shape(jax.random.key_data, leaf)
        dtype, shape = np.dtype(data.dtype), tuple(data.shape)
    elif hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
        dtype, shape = np.dtype(leaf.dtype), tuple(leaf.shape)
    else:
        raise CheckpointError(
            f"{function}: {path} is a {type(leaf).__name__}, which is not an array or a number. "
            "A checkpoint stores arrays and Python numbers; keep other values in static fields."
        )
    if not _storable(dtype):
        raise CheckpointError(
            f"{function}: {path} has dtype {dtype}, which a checkpoint does not store (only numeric "
            "and bool arrays: object arrays would need pickle). Convert it to a numeric array."
        )
    entry["dtype"] = dtype.name
    entry["shape"] = list(shape)
    entry["nbytes"] = math.prod(shape) * dtype.itemsize
    return entry


def _header(entries: list[dict[str, Any]]) -> bytes:
    body = json.dumps(
        {"format": "purepax-checkpoint", "version": FORMAT_VERSION, "arrays": entries},
        separators=(",", ":"),
    ).encode()
    padding = -(len(MAGIC) + 8 + len(body)) % ALIGNMENT
    return body + b" " * padding


def _fail(path: Any, why: str) -> CheckpointError:
    return CheckpointError(f"px.load: {os.fspath(path)} {why}")


def read_header(f: IO[bytes], path: Any) -> tuple[list[dict[str, Any]], int]:
    """The header's entries of an open checkpoint file and where its data starts."""
    size = os.fstat(f.fileno()).st_size
    start = f.read(len(MAGIC) + 8)
    if len(start) < len(MAGIC) + 8 or start[: len(MAGIC)] != MAGIC:
        raise _fail(
            path,
            "is not a purepax checkpoint (it does not start with the magic "
            f"{MAGIC!r}). Load it with the tool that wrote it, or save it with px.save.",
        )
    length = int.from_bytes(start[len(MAGIC) :], "little")
    if length > size - len(start):
        raise _fail(
            path,
            f"is cut short: its header needs {length} bytes but the file has "
            f"{size} in all. Save the checkpoint again.",
        )
    try:
        header = json.loads(f.read(length))
        if header.get("format") != "purepax-checkpoint":
            raise ValueError("not a purepax header")
        version = header["version"]
        entries = header["arrays"]
        if not isinstance(entries, list) or not isinstance(version, int):
            raise ValueError("bad header")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _fail(
            path, f"has a damaged header ({error}). Save the checkpoint again."
        ) from None
    if version > FORMAT_VERSION:
        raise _fail(
            path,
            f"has format version {version}, newer than this purepax reads "
            f"({FORMAT_VERSION}). Upgrade purepax.",
        )
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
            raise _fail(
                path,
                f"has a damaged header entry {str(entry)[:200]} ({error}). "
                "Save the checkpoint again.",
            ) from None
        if (
            not _storable(dtype)
            or any(n < 0 for n in shape)
            or offset < 0
            or (nbytes != math.prod(shape) * dtype.itemsize)
        ):
            raise _fail(
                path,
                f"has a damaged header entry for {entry['path']}. Save the "
                "checkpoint again.",
            )
        if data_start + offset + nbytes > size:
            raise _fail(
                path,
                f"is cut short: {entry['path']} ends at byte "
                f"{data_start + offset + nbytes} but the file has {size}. Save the "
                "checkpoint again.",
            )
        end = max(end, data_start + offset + nbytes)
    if size != end:
        raise _fail(
            path,
            f"is damaged: it has {size - end} bytes after its last array. Save "
            "the checkpoint again.",
        )
    return entries, data_start


def _dtype(name: Any) -> Any:
    if not isinstance(name, str):
        raise ValueError(f"dtype {name!r}")
    return jax.numpy.dtype(name)


def _check_structure(
    path: Any, entries: list[dict[str, Any]], wanted: list[tuple[str, Any]]
) -> None:
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
        raise _fail(
            path,
            f"does not match `like`: the file {why} ({len(saved)} arrays in the "
            f"file, {len(names)} in `like`). Pass a `like` built as the saved tree was.",
        )
    for entry, (name, leaf) in zip(entries, wanted):
        expected = _entry(name, leaf)
        for key, what in (
            ("key_impl", "PRNG key"),
            ("python", "Python type"),
            ("shape", "shape"),
            ("dtype", "dtype"),
        ):
            if entry.get(key) != expected.get(key):
                raise _fail(
                    path,
                    f"does not match `like` at {name}: {what} "
                    f"{_show(entry.get(key), key)} in the file, {_show(expected.get(key), key)} "
                    "in `like`. Build `like` with the saved configuration.",
                )


def _show(value: Any, key: str) -> str:
    if value is None:
        return (
            "none (a plain array)"
            if key == "key_impl"
            else "none (an array)"
            if key == "python"
            else "none"
        )
    return str(tuple(value)) if key == "shape" else str(value)
