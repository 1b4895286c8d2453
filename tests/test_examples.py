"""The examples run end to end as scripts, with tiny settings: they learn, save, resume and plot."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAR_LM = ROOT / "examples" / "char_lm.py"
TINY = [
    "--context",
    "16",
    "--dim",
    "32",
    "--heads",
    "2",
    "--layers",
    "2",
    "--batch",
    "16",
    "--lr",
    "3e-3",
    "--warmup",
    "5",
    "--decay-steps",
    "60",
    "--sample-length",
    "20",
]


# The scripts import the purepax of this checkout, whatever else is installed.
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
    ),
}


def call(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=ENV,
    )


def run(*args: str | Path, timeout: float = 300) -> str:
    result = call(*args, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], status: int, says: str) -> str:
    """`result` exited with `status` after one line on stderr (no traceback) that says `says`."""
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("char_lm.py: error: "), result.stderr
    assert re.search(says, lines[0]), lines[0]
    return lines[0]


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} in metrics.jsonl is not JSON")


def metrics(out: Path) -> list[dict[str, float]]:
    """The lines of OUT/metrics.jsonl, read as strict JSON (no NaN or Infinity)."""
    return [
        json.loads(line, parse_constant=_no_constant)
        for line in (out / "metrics.jsonl").read_text().splitlines()
    ]


def checkpoint_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a checkpoint by path, read as docs/checkpointing.md describes the format."""
    data = path.read_bytes()
    assert data[:8] == b"PUREPAX\x00"
    length = int.from_bytes(data[8:16], "little")
    start = 16 + length
    return {
        entry["path"]: np.frombuffer(
            data, entry["dtype"], int(np.prod(entry["shape"])), start + entry["offset"]
        )
        for entry in json.loads(data[16:start])["arrays"]
    }


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "text.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 300)
    return path


@pytest.fixture(scope="module")
def full_run(text: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """40 uninterrupted steps (checkpoints every 10)."""
    out = tmp_path_factory.mktemp("full")
    stdout = run(
        CHAR_LM,
        "--data",
        text,
        "--out",
        out,
        "--steps",
        "40",
        "--save-every",
        "10",
        "--log-every",
        "5",
        "--eval-every",
        "20",
        *TINY,
    )
    return out, stdout


def test_char_lm_learns_and_plots(full_run: tuple[Path, str]) -> None:
    out, stdout = full_run
    rows = metrics(out)
    assert [r["step"] for r in rows] == list(range(5, 41, 5))
    assert rows[-1]["loss"] < rows[0]["loss"] - 1.0, rows
    assert all(r["tokens_per_s"] > 0 for r in rows)
    assert [r["step"] for r in rows if "held_out_loss" in r] == [20, 40]
    held_out = float(
        re.search(r"held-out loss: ([\d.]+) .*unigram baseline ([\d.]+)", stdout).group(
            1
        )
    )  # type: ignore[union-attr]
    unigram = float(re.search(r"unigram baseline ([\d.]+)", stdout).group(1))  # type: ignore[union-attr]
    assert held_out < unigram, stdout
    assert re.search(r" 1/40 \[[^\]]*loss=\d+\.\d{3}", stdout), (
        stdout
    )  # the bar shows the loss from step 1
    printed = stdout.split("sample:\n", 1)[1].split("\nplot: ", 1)[0]
    assert (out / "sample.txt").read_text() == printed + "\n"
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_char_lm_eval_only_loads_the_checkpoint(full_run: tuple[Path, str]) -> None:
    out, stdout = full_run
    evaluated = run(CHAR_LM, "--out", out, "--eval-only", "--sample-length", "20")
    assert "checkpoint at step 40" in evaluated
    final = re.search(r"held-out loss: [\d.]+", stdout).group(0)  # type: ignore[union-attr]
    assert final in evaluated  # the same model, so the same held-out loss


def test_char_lm_resume_equals_uninterrupted(
    full_run: tuple[Path, str], text: Path, tmp_path: Path
) -> None:
    out, _ = full_run
    common = [
        "--data",
        text,
        "--out",
        tmp_path,
        "--save-every",
        "10",
        "--log-every",
        "5",
        "--eval-every",
        "20",
        *TINY,
    ]
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
    args = [
        "--data",
        text,
        "--out",
        tmp_path,
        "--steps",
        "3000",
        "--save-every",
        "5",
        "--log-every",
        "1",
        "--eval-every",
        "1000",
        *TINY,
    ]
    process = subprocess.Popen(
        [sys.executable, str(CHAR_LM), *map(str, args)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not (tmp_path / "checkpoint.px").exists():
            assert process.poll() is None and time.monotonic() < deadline, (
                "no checkpoint was written"
            )
            time.sleep(0.05)
        time.sleep(0.3)  # mid-way: between, or during, later checkpoints
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    logged = max(
        json.loads(line)["step"] for line in lines if line.endswith("}")
    )  # the kill may cut a line
    resumed = run(
        CHAR_LM,
        "--data",
        text,
        "--out",
        tmp_path,
        "--steps",
        str(logged + 6),
        "--save-every",
        "5",
        "--log-every",
        "1",
        "--eval-every",
        "1000",
        "--resume",
        "--sample-length",
        "20",
    )
    at = int(re.search(r"resumed at step (\d+)", resumed).group(1))  # type: ignore[union-attr]
    assert 0 < at <= logged and at % 5 == 0
    steps = [r["step"] for r in metrics(tmp_path)]
    assert steps == list(
        range(1, logged + 7)
    )  # lines after the checkpoint replaced, none twice
    assert (tmp_path / "loss.png").exists()


def test_char_lm_on_a_mesh_of_two_processes_matches_one_device(
    full_run: tuple[Path, str], text: Path, tmp_path: Path
) -> None:
    """`--mesh data=2,model=2 --devices 4 --processes 2`: two jax.distributed workers, each
    feeding its half of every batch to a data- and tensor-parallel step; resumed there, and
    read back on one device. The losses are the single-device run's (float tolerance)."""
    out, _ = full_run
    common = [
        "--data",
        text,
        "--out",
        tmp_path,
        "--save-every",
        "10",
        "--log-every",
        "5",
        "--eval-every",
        "20",
        *TINY,
    ]
    distributed = ["--mesh", "data=2,model=2", "--devices", "4", "--processes", "2"]
    first = run(CHAR_LM, "--steps", "10", *common, *distributed, timeout=400)
    assert "mesh {'data': 2, 'model': 2} over 4 cpu devices, 2 process(es)" in first, (
        first
    )
    resumed = run(
        CHAR_LM, "--steps", "20", "--resume", *common, *distributed, timeout=400
    )
    assert "resumed at step 10" in resumed
    expected, got = metrics(out)[:4], metrics(tmp_path)
    assert [r["step"] for r in got] == [5, 10, 15, 20]
    for a, b in zip(expected, got):
        assert b["loss"] == pytest.approx(a["loss"], abs=1e-4)
    evaluated = run(
        CHAR_LM, "--out", tmp_path, "--eval-only", "--sample-length", "20"
    )  # one device
    assert "checkpoint at step 20" in evaluated
    held_out = re.search(r"held-out loss: ([\d.]+)", evaluated).group(1)  # type: ignore[union-attr]
    assert float(held_out) == pytest.approx(got[-1]["held_out_loss"], abs=2e-3)


def test_char_lm_help_shows_every_option_with_a_text_and_its_default() -> None:
    help_text = run(CHAR_LM, "--help")
    entries = [
        " ".join(entry.split("\n\n")[0].split())
        for entry in re.split(r"\n  (?=--)", help_text)[1:]
    ]
    options = {entry.split()[0] for entry in entries}
    assert {
        "--steps",
        "--batch",
        "--seed",
        "--save-every",
        "--sample-length",
        "--temperature",
        "--top-k",
        "--overwrite",
        "--dim",
        "--heads",
        "--rotary",
        "--lr",
        "--warmup",
        "--mesh",
        "--processes",
    } <= options, help_text
    for entry in entries:
        assert re.fullmatch(r"--[\w-]+( [A-Z]+)? \w.* \(default: [^)]+\)", entry), entry


@pytest.fixture(scope="module")
def bad_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad_texts")
    contents = {
        "empty": b"",
        "short": b"too short for a context of 16. " * 5,
        "binary": b"\x7fELF\x00\x01" * 2000,
    }
    for name, content in contents.items():
        (folder / name).write_bytes(content)
    return {name: folder / name for name in contents}


# A command that cannot work, as a new user might type it: {run} is a folder that holds a
# run (40 steps of TINY), {new} a folder that does not exist. Each is refused with exit
# status 2 and one line naming the problem and the fix; nothing is written.
USAGE_ERRORS = [
    (
        ["--steps", "0"],
        r"argument --steps: 0 is out of range: give a whole number of 1 or more",
    ),
    (["--steps", "-5"], r"argument --steps: -5 is out of range"),
    (["--steps", "many"], r"argument --steps: 'many' is not a whole number"),
    (["--batch", "0"], r"argument --batch: 0 is out of range"),
    (["--save-every", "0"], r"argument --save-every: 0 is out of range"),
    (["--eval-every", "-1"], r"argument --eval-every: -1 is out of range"),
    (
        ["--sample-length", "-1"],
        r"argument --sample-length: -1 is out of range: give a whole number of 0 or more",
    ),
    (
        ["--seed", "-1"],
        r"argument --seed: -1 is out of range: give a whole number from 0 to",
    ),
    (
        ["--temperature", "-0.5"],
        r"argument --temperature: -0.5 is out of range: give a number of 0 or more",
    ),
    (["--temperature", "inf"], r"argument --temperature: 'inf' is not a finite number"),
    (
        ["--top-k", "0"],
        r"argument --top-k: 0 is out of range: give a whole number from 1 to 256",
    ),
    (["--top-k", "300"], r"argument --top-k: 300 is out of range"),
    (
        ["--rotary", "--dim", "6", "--heads", "2"],
        r"--rotary turns pairs of features, but --dim 6 / --heads 2 gives "
        r"each head 3, an odd number",
    ),
    (
        ["--out", "{run}", "--resume", "--steps", "80", "--rotary"],
        r"--rotary True differs from the run's False",
    ),
    (["--lr", "nan"], r"argument --lr: 'nan' is not a finite number"),
    (["--lr", "0"], r"argument --lr: 0.0 is out of range: give a number above 0"),
    (
        ["--dropout", "1"],
        r"argument --dropout: 1.0 is out of range: give a number from 0 up to \(not including\) 1",
    ),
    (["--heads", "5"], r"--heads 5 must divide --dim 128 .*; e.g. --heads 4\."),
    (["--processes", "0"], r"argument --processes: 0 is out of range"),
    (
        ["--devices", "3", "--processes", "2"],
        r"--devices 3 must be a multiple of --processes 2",
    ),
    (
        ["--resume", "--overwrite"],
        r"argument --overwrite: not allowed with argument --resume",
    ),
    (
        ["--stpes", "10"],
        r"unrecognized arguments: --stpes 10 \(--help lists the options\)",
    ),
    (
        ["--data", "/nonexistent/text.txt"],
        r"--data /nonexistent/text.txt: no such file; pass a text file",
    ),
    (
        ["--data", "{empty}"],
        r"--data .*empty is too short: 0 bytes, but a context of 64 needs 660 .*--context",
    ),
    (
        ["--data", "{short}", *TINY],
        r"--data .*short is too short: 155 bytes, but a context of 16 needs 180",
    ),
    (
        ["--data", "{binary}"],
        r"--data .*binary holds NUL bytes, so it is not text; pass a text file",
    ),
    (
        ["--out", "{binary}"],
        r"--out .*binary: .*binary is a file, not a folder; pass --out DIR",
    ),
    (
        ["--out", "{run}", *TINY],
        r"holds a run \(checkpoint.px, .*\): pass --resume to continue it, --overwrite to "
        r"start afresh there, or --out DIR for a new folder",
    ),
    (
        ["--out", "{run}", "--resume", "--steps", "80", "--dim", "64"],
        r"--dim 64 differs from the run's 32 .*config.json\): --resume keeps the run's settings; drop --dim",
    ),
    (
        ["--out", "{run}", "--eval-only", "--data", "{short}"],
        r"--data .*short differs from the run's",
    ),
    (
        ["--out", "{new}", "--resume"],
        r"--resume: .*new holds no run; train one first \(without --resume\)",
    ),
    (["--out", "{new}", "--eval-only"], r"--eval-only: .*new holds no run"),
    # Refused once JAX has started: the mesh against the devices, the steps against the checkpoint.
    (
        ["--out", "{run}", "--resume", "--steps", "40"],
        r"--steps 40: the run in .* is at step 40 already; pass a larger --steps .* or --eval-only",
    ),
    (
        ["--mesh", "data=2,model", *TINY],
        r'--mesh data=2,model: give axes as name=size, e.g. "data=2,model=4"',
    ),
    (
        ["--mesh", "data=3,model=2", "--devices", "4", *TINY],
        r"--mesh data=3,model=2 needs 6 devices, but there are 4",
    ),
    (
        ["--mesh", "data=-2,model=-2", "--devices", "4", *TINY],
        r"--mesh data=-2,model=-2: the sizes must be positive",
    ),
    (
        [
            "--mesh",
            "data=3",
            "--devices",
            "2",
            "--processes",
            "2",
            *TINY,
        ],  # every worker refuses: one line
        r"--mesh data=3 needs 3 devices, but there are 2",
    ),
]


def _command(args: list[str]) -> str:
    return " ".join(args[: -len(TINY)] if args[-len(TINY) :] == TINY else args)


@pytest.mark.parametrize(
    ("args", "says"), USAGE_ERRORS, ids=[_command(args) for args, _ in USAGE_ERRORS]
)
def test_char_lm_refuses_a_command_that_cannot_work_in_one_line_and_writes_nothing(
    full_run: tuple[Path, str],
    text: Path,
    bad_texts: dict[str, Path],
    tmp_path: Path,
    args: list[str],
    says: str,
) -> None:
    run_folder, new = full_run[0], tmp_path / "new"
    before = files(run_folder)
    names = {"run": run_folder, "new": new, **bad_texts}
    filled = [arg.format(**names) for arg in args]
    refused(call(CHAR_LM, "--data", text, "--out", new, *filled, timeout=400), 2, says)
    assert files(run_folder) == before
    assert not new.exists()


def test_char_lm_refuses_a_folder_it_cannot_write_to(
    text: Path, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    if os.access(locked, os.W_OK):
        pytest.skip("this user may write in any folder (root)")
    refused(
        call(CHAR_LM, "--data", text, "--out", locked / "run", *TINY),
        2,
        r"--out .*run: .*locked cannot be written to; pass --out DIR in a folder you can write to",
    )
    assert not any(locked.iterdir())


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))


def _cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


@pytest.mark.parametrize(
    ("damage", "command", "says"),
    [
        (
            _flip_a_byte,
            ["--resume", "--steps", "80"],
            r"checkpoint.px is damaged: the bytes of .* do not match",
        ),
        (_cut_short, ["--eval-only"], r"checkpoint.px is cut short"),
    ],
    ids=["a flipped byte, --resume", "cut short, --eval-only"],
)
def test_char_lm_refuses_a_damaged_checkpoint_in_one_line(
    full_run: tuple[Path, str],
    tmp_path: Path,
    damage: Callable[[Path], None],
    command: list[str],
    says: str,
) -> None:
    out = tmp_path / "run"
    shutil.copytree(full_run[0], out)
    damage(out / "checkpoint.px")
    before = files(out)
    message = refused(call(CHAR_LM, "--out", out, *command), 1, says)
    assert (
        "restore a copy of checkpoint.px, or start afresh with --overwrite" in message
    )
    assert files(out) == before


def test_char_lm_refuses_a_damaged_config_in_one_line(
    full_run: tuple[Path, str], tmp_path: Path
) -> None:
    out = tmp_path / "run"
    shutil.copytree(full_run[0], out)
    (out / "config.json").write_text('{"context": 16, "dim": ')
    before = files(out)
    refused(
        call(CHAR_LM, "--out", out, "--resume", "--steps", "80"),
        1,
        r"config.json is damaged .*; restore it, or start afresh with --overwrite",
    )
    assert files(out) == before


def test_char_lm_stops_on_a_non_finite_loss_and_keeps_the_last_checkpoint(
    text: Path, tmp_path: Path
) -> None:
    # A learning rate of 1e30 (no warm-up) throws the parameters to 1e30 in the first step.
    args = [
        "--data",
        text,
        "--out",
        tmp_path,
        *TINY,
        "--lr",
        "1e30",
        "--warmup",
        "0",
        "--steps",
        "10",
        "--save-every",
        "1",
        "--log-every",
        "1",
    ]
    message = refused(
        call(CHAR_LM, *args), 1, r"training stopped: the loss at step 2 is (nan|inf)"
    )
    assert (
        "the checkpoint of step 1 is kept" in message
        and "a lower --lr (this run's: 1e+30)" in message
    )
    assert [row["step"] for row in metrics(tmp_path)] == [
        1
    ]  # strict JSON, nothing after the last good step
    assert not (tmp_path / "sample.txt").exists()
    arrays = checkpoint_arrays(tmp_path / "checkpoint.px")
    assert arrays["step"].item() == 1
    assert all(np.isfinite(array).all() for array in arrays.values())


def test_char_lm_overwrite_starts_afresh_in_a_folder_that_holds_a_run(
    full_run: tuple[Path, str], text: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    shutil.copytree(full_run[0], out)
    stdout = run(
        CHAR_LM,
        "--data",
        text,
        "--out",
        out,
        "--overwrite",
        "--steps",
        "5",
        "--log-every",
        "5",
        *TINY,
    )
    assert "resumed" not in stdout
    assert [row["step"] for row in metrics(out)] == [
        5
    ]  # the old run's 8 lines are gone
    assert (out / "sample.txt").read_text() == stdout.split("sample:\n", 1)[1].split(
        "\nplot: ", 1
    )[0] + "\n"
    assert (out / "checkpoint.px").read_bytes() != (
        full_run[0] / "checkpoint.px"
    ).read_bytes()


def test_char_lm_trains_with_rotary_positions_and_samples_greedily(
    text: Path, tmp_path: Path
) -> None:
    stdout = run(
        CHAR_LM,
        "--data",
        text,
        "--out",
        tmp_path,
        "--steps",
        "20",
        "--log-every",
        "5",
        "--rotary",
        *TINY,
    )
    assert json.loads((tmp_path / "config.json").read_text())["rotary"] is True
    assert not any(
        "position_embedding" in path
        for path in checkpoint_arrays(tmp_path / "checkpoint.px")
    )
    assert metrics(tmp_path)[-1]["loss"] < metrics(tmp_path)[0]["loss"]
    greedy = [
        "--out",
        tmp_path,
        "--eval-only",
        "--sample-length",
        "40",
        "--temperature",
        "0",
    ]
    first, again = run(CHAR_LM, *greedy), run(CHAR_LM, *greedy, "--top-k", "1")
    assert (
        first.split("sample:\n", 1)[1] == again.split("sample:\n", 1)[1]
    )  # the likeliest byte, both ways
    assert "sample:\n" in stdout


def test_char_lm_evaluates_a_run_saved_before_the_rotary_option(
    full_run: tuple[Path, str], tmp_path: Path
) -> None:
    out = tmp_path / "run"
    shutil.copytree(full_run[0], out)
    config = json.loads((out / "config.json").read_text())
    del config["rotary"]
    (out / "config.json").write_text(json.dumps(config))
    evaluated = run(CHAR_LM, "--out", out, "--eval-only", "--sample-length", "20")
    final = re.search(r"held-out loss: [\d.]+", full_run[1]).group(0)  # type: ignore[union-attr]
    assert final in evaluated


@functools.cache  # once: beartype remembers the classes that the script's annotations name
def load_char_lm() -> object:
    spec = importlib.util.spec_from_file_location("char_lm_under_test", CHAR_LM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its modules' classes are looked up by module name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("rotary", [False, True], ids=["learned positions", "rotary"])
def test_char_lm_samples_through_the_caches_what_the_full_model_picks(
    rotary: bool,
) -> None:
    """Greedy sampling through the caches, past the context (the caches refilled from the
    last half of it), picks the byte that the model run on the same bytes picks."""
    char_lm: Any = load_char_lm()
    import jax
    import jax.numpy as jnp

    import purepax as px

    context, keep = 8, 4
    model = px.eval_mode(
        char_lm.CharLM(
            context=context,
            dim=16,
            heads=2,
            layers=2,
            dropout=0.0,
            rotary=rotary,
            key=jax.random.key(3),
        )
    )
    prompt = b"the quick"
    sampled = char_lm.sample(model, prompt, 20, context, seed=0, temperature=0.0)
    full = px.jit(lambda model, ids: model(ids[None])[0, -1])
    fed, picked = list(prompt[-context:]), []
    for _ in range(20):
        token = int(jnp.argmax(full(model, jnp.array(fed, jnp.int32))))
        picked.append(token)
        fed = (fed + [token])[-keep:] if len(fed) == context else fed + [token]
    assert sampled == bytes(picked).decode("utf-8", errors="replace")


def test_cnn_classifier_beats_chance() -> None:
    stdout = run(
        ROOT / "examples" / "cnn_classifier.py",
        "--steps",
        "150",
        "--train-size",
        "1500",
        "--test-size",
        "400",
    )
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", stdout).group(1))  # type: ignore[union-attr]
    first, last = map(
        float, re.search(r"train loss: first ([\d.]+), last ([\d.]+)", stdout).groups()
    )  # type: ignore[union-attr]
    assert last < first / 2, stdout
    assert accuracy > 0.8, stdout  # chance is 0.25
