"""The examples run end to end as scripts, with tiny settings: they learn, save, resume and plot."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAR_LM = ROOT / "examples" / "char_lm.py"
TINY = ["--context", "16", "--dim", "32", "--heads", "2", "--layers", "2", "--batch", "16",
        "--lr", "3e-3", "--warmup", "5", "--decay-steps", "60", "--sample-length", "20"]


# The scripts import the purepax of this checkout, whatever else is installed.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}


def run(*args: str | Path, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def metrics(out: Path) -> list[dict[str, float]]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "text.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 300)
    return path


@pytest.fixture(scope="module")
def full_run(text: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """40 uninterrupted steps (checkpoints every 10)."""
    out = tmp_path_factory.mktemp("full")
    stdout = run(CHAR_LM, "--data", text, "--out", out, "--steps", "40", "--save-every", "10",
                 "--log-every", "5", "--eval-every", "20", *TINY)
    return out, stdout


def test_char_lm_learns_and_plots(full_run: tuple[Path, str]) -> None:
    out, stdout = full_run
    rows = metrics(out)
    assert [r["step"] for r in rows] == list(range(5, 41, 5))
    assert rows[-1]["loss"] < rows[0]["loss"] - 1.0, rows
    assert all(r["tokens_per_s"] > 0 for r in rows)
    assert [r["step"] for r in rows if "held_out_loss" in r] == [20, 40]
    held_out = float(re.search(r"held-out loss: ([\d.]+) .*unigram baseline ([\d.]+)", stdout).group(1))  # type: ignore[union-attr]
    unigram = float(re.search(r"unigram baseline ([\d.]+)", stdout).group(1))  # type: ignore[union-attr]
    assert held_out < unigram, stdout
    assert "sample:" in stdout
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_char_lm_eval_only_loads_the_checkpoint(full_run: tuple[Path, str]) -> None:
    out, stdout = full_run
    evaluated = run(CHAR_LM, "--out", out, "--eval-only", "--sample-length", "20")
    assert "checkpoint at step 40" in evaluated
    final = re.search(r"held-out loss: [\d.]+", stdout).group(0)  # type: ignore[union-attr]
    assert final in evaluated  # the same model, so the same held-out loss


def test_char_lm_resume_equals_uninterrupted(full_run: tuple[Path, str], text: Path, tmp_path: Path) -> None:
    out, _ = full_run
    common = ["--data", text, "--out", tmp_path, "--save-every", "10", "--log-every", "5", "--eval-every", "20", *TINY]
    run(CHAR_LM, "--steps", "20", *common)
    resumed = run(CHAR_LM, "--steps", "40", "--resume", *common)
    assert "resumed at step 20" in resumed
    expected, got = metrics(out), metrics(tmp_path)
    assert [r["step"] for r in got] == [r["step"] for r in expected]
    for a, b in zip(expected, got):
        assert b["loss"] == pytest.approx(a["loss"], abs=1e-5)
        if "held_out_loss" in a:
            assert b["held_out_loss"] == pytest.approx(a["held_out_loss"], abs=1e-5)


def test_char_lm_survives_sigkill(text: Path, tmp_path: Path) -> None:
    args = ["--data", text, "--out", tmp_path, "--steps", "3000", "--save-every", "5", "--log-every", "1",
            "--eval-every", "1000", *TINY]
    process = subprocess.Popen([sys.executable, str(CHAR_LM), *map(str, args)], cwd=ROOT, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not (tmp_path / "checkpoint.px").exists():
            assert process.poll() is None and time.monotonic() < deadline, "no checkpoint was written"
            time.sleep(0.05)
        time.sleep(0.3)  # mid-way: between, or during, later checkpoints
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    logged = max(json.loads(line)["step"] for line in lines if line.endswith("}"))  # the kill may cut a line
    resumed = run(CHAR_LM, "--data", text, "--out", tmp_path, "--steps", str(logged + 6), "--save-every", "5",
                  "--log-every", "1", "--eval-every", "1000", "--resume", "--sample-length", "20")
    at = int(re.search(r"resumed at step (\d+)", resumed).group(1))  # type: ignore[union-attr]
    assert 0 < at <= logged and at % 5 == 0
    steps = [r["step"] for r in metrics(tmp_path)]
    assert steps == list(range(1, logged + 7))  # lines after the checkpoint replaced, none twice
    assert (tmp_path / "loss.png").exists()


def test_char_lm_on_a_mesh_of_two_processes_matches_one_device(full_run: tuple[Path, str], text: Path, tmp_path: Path) -> None:
    """`--mesh data=2,model=2 --devices 4 --processes 2`: two jax.distributed workers, each
    feeding its half of every batch to a data- and tensor-parallel step; resumed there, and
    read back on one device. The losses are the single-device run's (float tolerance)."""
    out, _ = full_run
    common = ["--data", text, "--out", tmp_path, "--save-every", "10", "--log-every", "5", "--eval-every", "20", *TINY]
    distributed = ["--mesh", "data=2,model=2", "--devices", "4", "--processes", "2"]
    first = run(CHAR_LM, "--steps", "10", *common, *distributed, timeout=400)
    assert "mesh {'data': 2, 'model': 2} over 4 cpu devices, 2 process(es)" in first, first
    resumed = run(CHAR_LM, "--steps", "20", "--resume", *common, *distributed, timeout=400)
    assert "resumed at step 10" in resumed
    expected, got = metrics(out)[:4], metrics(tmp_path)
    assert [r["step"] for r in got] == [5, 10, 15, 20]
    for a, b in zip(expected, got):
        assert b["loss"] == pytest.approx(a["loss"], abs=1e-4)
    evaluated = run(CHAR_LM, "--out", tmp_path, "--eval-only", "--sample-length", "20")  # one device
    assert "checkpoint at step 20" in evaluated
    held_out = re.search(r"held-out loss: ([\d.]+)", evaluated).group(1)  # type: ignore[union-attr]
    assert float(held_out) == pytest.approx(got[-1]["held_out_loss"], abs=2e-3)


def test_char_lm_refuses_a_mesh_that_does_not_fit(text: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(CHAR_LM), "--data", str(text), "--out", str(tmp_path), *TINY, "--mesh", "data=3,model=2",
         "--devices", "4"], capture_output=True, text=True, timeout=120, cwd=ROOT, env=ENV,
    )
    assert result.returncode != 0
    assert "--mesh data=3,model=2 needs 6 devices, but there are 4" in result.stderr, result.stderr


def test_cnn_classifier_beats_chance() -> None:
    stdout = run(ROOT / "examples" / "cnn_classifier.py", "--steps", "150", "--train-size", "1500",
                 "--test-size", "400")
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", stdout).group(1))  # type: ignore[union-attr]
    first, last = map(float, re.search(r"train loss: first ([\d.]+), last ([\d.]+)", stdout).groups())  # type: ignore[union-attr]
    assert last < first / 2, stdout
    assert accuracy > 0.8, stdout  # chance is 0.25
