"""The main job runs end to end (briefly) and learns: its loss falls."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_train_charlm_learns(tmp_path: Path) -> None:
    text = tmp_path / "text.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 400)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "train_charlm.py"), "--data", str(text), "--steps", "250",
         "--hidden", "64", "--dim", "8", "--context", "8"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    before = float(re.search(r"loss before training: ([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    after = float(re.search(r"loss after training: ([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    assert after < before / 2, result.stdout
    assert "sample:" in result.stdout
