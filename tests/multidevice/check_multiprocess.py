"""A real 2-process run (2 x 2 CPU devices, jax.distributed over 127.0.0.1) trains, saves and
loads as one process does."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

WORKER = Path(__file__).resolve().parent / "train_worker.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(num_processes: int, out: Path) -> list[dict]:
    """The report of each process, in process order."""
    port = str(free_port())
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(i), str(num_processes), port, str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(num_processes)
    ]
    try:
        logs = [w.communicate(timeout=240)[0] for w in workers]
    finally:
        for w in workers:  # never leave a worker behind, whatever happened
            if w.poll() is None:
                w.kill()
                w.wait()
    for w, log in zip(workers, logs):
        assert w.returncode == 0, log[-4000:]
    return [json.loads(Path(f"{out}.{i}").read_text()) for i in range(num_processes)]


def test_two_processes_match_one(tmp_path: Path) -> None:
    [one] = run(1, tmp_path / "one")
    both = run(2, tmp_path / "two")
    assert one["devices"] == 4 and one["processes"] == 1
    assert one["restored_exactly"]
    assert len(one["saved"]) == 3
    assert one["losses"][-1] < one["losses"][0] / 2
    for process, two in enumerate(both):
        assert (two["devices"], two["processes"]) == (4, 2), process
        np.testing.assert_allclose(
            two["losses"],
            one["losses"],
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"process {process}",
        )
        # px.save gathered the shards of both processes into whole arrays; px.load put back
        # each process's own shards, and reads the whole arrays back in each.
        assert two["restored_exactly"], (
            f"process {process} restored other shards than it saved"
        )
        assert len(two["saved"]) == 3, process
        for a, b in zip(two["saved"], one["saved"]):
            np.testing.assert_allclose(
                a, b, rtol=1e-5, atol=1e-6, err_msg=f"process {process}"
            )
