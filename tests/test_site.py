"""The docs site builds in strict mode: no broken link or reference, every page in the nav."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import purepax as px
from purepax._errors import DOCS_SITE, docs_pointer

ROOT = Path(__file__).resolve().parent.parent


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = shutil.which(
        "mkdocs", path=str(Path(sys.executable).parent)
    ) or shutil.which("mkdocs")
    if mkdocs is None:
        pytest.fail("mkdocs is not installed: `pip install -e '.[dev]'` installs it")
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    api = (tmp_path / "site" / "api" / "index.html").read_text()
    assert (
        "Wrap <code>fn</code> so that it runs on mutable copies" in api
    )  # docstrings rendered
    for page in ("index.html", "errors/index.html", "jax_transformations/index.html"):
        assert (tmp_path / "site" / page).exists()
    for error in (getattr(px, name) for name in px.__all__ if name.endswith("Error")):
        address = docs_pointer(error).split(" or ")[
            -1
        ]  # what an error's message points to
        page, anchor = address.removeprefix(DOCS_SITE).split("#")
        assert (
            f'id="{anchor}"' in (tmp_path / "site" / page / "index.html").read_text()
        ), address
