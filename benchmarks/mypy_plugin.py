"""What the purepax mypy plugin costs: mypy with and without it, cold and warm cache.

mypy checks the project's tests (the plugin's corpus included), examples and the code
blocks of docs/, once with `mypy.ini` as it is (the plugin on) and once with the
`plugins` line taken out. Each configuration runs from an empty cache (cold) and then
again on the cache it left (warm, nothing changed), and once more after one test file
changed (warm-edit). The goal: the plugin adds at most 20 %.

Every run must have checked every file: mypy must exit with 0 or 1 (1: it reported
errors, as the corpus's bad programs make it), write nothing to stderr, and say it checked
as many source files as it was given; anything else stops the benchmark (a mypy that stops
at once on a duplicate module takes a tenth of a second and would measure nothing). The
two configurations are run one after the other within each measurement, so that a load
on the machine weighs on both alike.

    .venv/bin/python benchmarks/mypy_plugin.py [--repeat 3] [--shapes]

`--shapes` adds the plugin with `shapes = off` and prints what `purepax-shape` costs
over it (the goal: at most 5 %).
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def docs_code(into: Path) -> list[Path]:
    """One module per docs page, made of the page's python blocks."""
    files = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        blocks = [
            m.group(2)
            for m in FENCE.finditer(page.read_text())
            if m.group(1).split()[:1] == ["python"]
        ]
        if blocks:
            name = re.sub(r"\W", "_", page.stem)
            path = into / f"docs_{name}.py"
            path.write_text("\n".join(blocks))
            files.append(path)
    return files


def config(into: Path, plugin: bool, shapes: str | None = None) -> Path:
    """mypy.ini with the plugin on or off; `shapes`: the plugin's `shapes` setting."""
    text = (ROOT / "mypy.ini").read_text()
    if not plugin:
        text = re.sub(r"^plugins\s*=.*$", "", text, flags=re.MULTILINE)
    text = re.sub(
        r"^mypy_path\s*=.*$", f"mypy_path = {ROOT / 'stubs'}", text, flags=re.MULTILINE
    )
    name = "with_plugin" if plugin else "without_plugin"
    if shapes is not None:
        text += f"\n[purepax-mypy]\nshapes = {shapes}\n"
        name += f"_shapes_{shapes}"
    path = into / f"{name}.ini"
    path.write_text(text)
    return path


CHECKED = re.compile(r"(?:checked|no issues found in) (\d+) source files?")


def run(cfg: Path, cache: Path, files: list[Path]) -> tuple[float, float]:
    """Seconds mypy takes on `files`, wall-clock and CPU (user + system, what a load on the
    machine changes least); raises unless it checked every one of them."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(cfg),
            "--cache-dir",
            str(cache),
            *map(str, files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    checked = CHECKED.search(
        done.stdout.splitlines()[-1] if done.stdout.strip() else ""
    )
    if (
        done.returncode not in (0, 1)
        or done.stderr.strip()
        or checked is None
        or int(checked.group(1)) != len(files)
    ):
        summary = done.stdout.strip().splitlines()[-5:]
        raise SystemExit(
            f"mypy ({cfg.name}) did not check the {len(files)} files: exit status {done.returncode}, "
            f"stderr {done.stderr.strip()[-2000:]!r}, last lines of its output {summary}"
        )
    return elapsed, cpu


Times = dict[Path, dict[str, tuple[float, float]]]


def measure(
    cfgs: list[Path], work: Path, files: list[Path], edit: Path, repeat: int
) -> Times:
    """Median (wall, CPU) seconds per configuration and kind of run, the configurations interleaved."""
    times: dict[Path, dict[str, list[tuple[float, float]]]] = {
        cfg: {"cold": [], "warm": [], "warm-edit": []} for cfg in cfgs
    }
    original = edit.read_text()
    for i in range(repeat):
        caches = {cfg: work / f"cache-{cfg.stem}-{i}" for cfg in cfgs}
        for kind in ("cold", "warm"):
            for cfg in cfgs:
                times[cfg][kind].append(run(cfg, caches[cfg], files))
        edit.write_text(original + f"\n_benchmark_edit = {i}\n")
        try:
            for cfg in cfgs:
                times[cfg]["warm-edit"].append(run(cfg, caches[cfg], files))
        finally:
            edit.write_text(original)
    return {
        cfg: {
            kind: (
                statistics.median(w for w, _ in runs),
                statistics.median(c for _, c in runs),
            )
            for kind, runs in kinds.items()
        }
        for cfg, kinds in times.items()
    }


def project_files() -> list[Path]:
    """The tests and examples mypy checks; pytest's `conftest.py` files are left out, since
    mypy refuses two top-level modules of one name (`tests/conftest.py`, `tests/nn/conftest.py`)."""
    found = sorted((ROOT / "tests").rglob("*.py")) + sorted(
        (ROOT / "examples").rglob("*.py")
    )
    return [path for path in found if path.name != "conftest.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement (median)"
    )
    parser.add_argument(
        "--shapes",
        action="store_true",
        help="also the plugin with `shapes = off`: what purepax-shape costs (goal: +5 %%)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        edited = work / "edited"
        edited.mkdir()
        edit = edited / "benchmark_edited.py"
        edit.write_text(
            (ROOT / "tests" / "mypy" / "corpus" / "good_seed_rnn.py").read_text()
        )
        files = project_files() + docs_code(work) + [edit]
        print(
            f"mypy on {len(files)} files (tests, examples, docs' code), median of {args.repeat}"
        )
        cfgs = [config(work, plugin) for plugin in (False, True)]
        if args.shapes:
            cfgs.append(config(work, True, "off"))
        results = measure(cfgs, work, files, edit, args.repeat)
    print(
        f"{'':10} {'no plugin':>10} {'plugin':>10} {'overhead':>9}   {'CPU: no plugin':>14} {'plugin':>9} {'overhead':>9}"
    )
    for kind in ("cold", "warm", "warm-edit"):
        (wall0, cpu0), (wall1, cpu1) = results[cfgs[0]][kind], results[cfgs[1]][kind]
        print(
            f"{kind:10} {wall0:9.2f}s {wall1:9.2f}s {100 * (wall1 / wall0 - 1):8.1f}%   "
            f"{cpu0:13.2f}s {cpu1:8.2f}s {100 * (cpu1 / cpu0 - 1):8.1f}%"
        )
    if args.shapes:
        print("purepax-shape: the plugin (shapes on, the default) against shapes = off")
        for kind in ("cold", "warm", "warm-edit"):
            (wall0, cpu0), (wall1, cpu1) = (
                results[cfgs[2]][kind],
                results[cfgs[1]][kind],
            )
            print(
                f"{kind:10} {wall0:9.2f}s {wall1:9.2f}s {100 * (wall1 / wall0 - 1):8.1f}%   "
                f"{cpu0:13.2f}s {cpu1:8.2f}s {100 * (cpu1 / cpu0 - 1):8.1f}%"
            )
    imported = import_time()
    print(
        f"Of that, {imported:.2f}s is Python importing the `purepax` package (and JAX) before "
        "its `mypy_plugin` subpackage: a fixed cost per mypy run, not the plugin's checks."
    )


def import_time() -> float:
    """Seconds a fresh interpreter spends importing `purepax` (what loading the plugin implies)."""
    code = "import time; t = time.perf_counter(); import purepax; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(runs)


if __name__ == "__main__":
    main()
