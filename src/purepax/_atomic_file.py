"""Writing a file so that a crash leaves either the previous file or the whole new one.

The data goes to a temporary file in the destination's directory, which is synced to disk
and then renamed over the destination; the directory is synced after the rename, so the
rename itself survives a power cut. Two things keep that durability cheap:

- the file is synced in the background while it is still being written (every
  `_SYNC_EVERY` bytes), so the disk writes overlap the copying and the final `fsync` waits
  only for the last stretch;
- the replaced file is closed on a background thread: freeing its blocks is work the
  kernel does when the last reference goes (0.1 to 0.25 s per 400 MB on ext4), and nothing
  needs to wait for it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

_SYNC_EVERY = 64 << 20  # bytes written between background syncs; 0 turns them off


class AtomicFile:
    """The temporary file behind `atomic_file`: positioned writes, synced as they go."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._position = 0
        self._unsynced = 0
        self._syncing: Future[None] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def write_at(self, data: memoryview, offset: int) -> None:
        """Write all of `data` at byte `offset` (the gap before it, if any, reads as zeros)."""
        if offset != self._position:
            os.lseek(self.fd, offset, os.SEEK_SET)
        while (
            data
        ):  # a write may take less than asked (on Linux, at most ~2 GiB a call)
            written = os.write(self.fd, data)
            data = data[written:]
            offset += written
            self._unsynced += written
        self._position = offset
        if (
            _SYNC_EVERY
            and self._unsynced >= _SYNC_EVERY
            and (self._syncing is None or self._syncing.done())
        ):
            self._start_sync()

    def _start_sync(self) -> None:
        if self._syncing is not None:
            self._syncing.result()  # raises what the last background sync raised
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="purepax-sync")
        # fdatasync (data, not timestamps) is enough here: the final fsync syncs the rest.
        self._syncing = self._pool.submit(getattr(os, "fdatasync", os.fsync), self.fd)
        self._unsynced = 0

    def sync(self) -> None:
        """Wait until everything written is on disk."""
        self.stop()
        os.fsync(self.fd)

    def stop(self) -> None:
        """Wait for the background sync, if any, and end its thread."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self._syncing is not None:
            syncing, self._syncing = self._syncing, None
            syncing.result()


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[AtomicFile]:
    """A temporary file that replaces `path`, synced, when the `with` block ends normally.

    If the block raises (or the process dies), `path` is left as it was and the temporary
    file is removed (after a kill, a stray `.NAME.*.tmp` file may remain).
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
    )
    file = AtomicFile(fd)
    try:
        try:
            yield file
            file.sync()
        finally:
            with contextlib.suppress(
                OSError
            ):  # on success, sync() has already stopped it
                file.stop()
            os.close(fd)
        old = _open_regular_file(path)
        try:
            os.replace(tmp, path)
        except BaseException:
            if old is not None:
                os.close(old)
            raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
    if old is not None:
        threading.Thread(
            target=os.close, args=(old,), name="purepax-release", daemon=True
        ).start()


def _open_regular_file(path: str) -> int | None:
    """A descriptor of the file at `path` if it is a regular file we may open, else None.

    Holding it across the rename moves the freeing of the replaced file's blocks to the
    moment it is closed. Windows refuses to replace an open file: there it is freed in line.
    """
    if os.name == "nt":
        return None
    try:
        fd = os.open(
            path, os.O_RDONLY | os.O_NONBLOCK
        )  # O_NONBLOCK: never wait on a FIFO
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows, where directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
