"""Comparisons with Equinox and Flax NNX load the same weights through those libraries' own
APIs, as they are in the newest releases; the oldest supported environment (noxfile.py's
`tests(oldest)`) resolves older Equinox and Flax, whose weight-setting APIs differ. There
only the comparisons are left out, through the `peers` fixture: a test that is nothing but
a comparison calls `peers.require(name)` (skipped), a test that also checks a formula or
`jax.lax` guards its comparison with `if peers.current(name):` (that part is left out, the
rest runs, and the summary lists what was left out)."""

from __future__ import annotations

import importlib
import re

import pytest

MINIMUM = {"equinox": (0, 13), "flax": (0, 11)}
_LEFT_OUT: list[str] = []


class Peers:
    def __init__(self, nodeid: str) -> None:
        self._nodeid = nodeid

    @staticmethod
    def _installed(name: str) -> str:
        return str(
            importlib.import_module(name).__version__
        )  # the dev extra installs both

    def current(self, name: str) -> bool:
        """Whether this test can compare with `name`: its installed release is new enough."""
        installed = self._installed(name)
        if tuple(int(p) for p in re.findall(r"\d+", installed)[:2]) >= MINIMUM[name]:
            return True
        _LEFT_OUT.append(f"{self._nodeid}: {name} {installed}")
        return False

    def require(self, *names: str) -> None:
        """Skip this test (a comparison and nothing else) unless every one of `names` is new enough."""
        old = [
            f"{name} {self._installed(name)}"
            for name in names
            if not self.current(name)
        ]
        if old:
            del _LEFT_OUT[-len(old) :]  # the skip says it
            wanted = ", ".join(
                f"{name}>={'.'.join(map(str, MINIMUM[name]))}" for name in names
            )
            pytest.skip(f"compares with {wanted}; installed: {', '.join(old)}")


@pytest.fixture
def peers(request: pytest.FixtureRequest) -> Peers:
    return Peers(request.node.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _LEFT_OUT:
        terminalreporter.section(
            "comparisons left out (a peer library older than the newest APIs)"
        )
        for line in _LEFT_OUT:
            terminalreporter.write_line(line)
