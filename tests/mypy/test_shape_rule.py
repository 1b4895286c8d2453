"""`purepax-shape` beyond its corpus (`shape_corpus/`, checked by test_shapes.py): how it
reads jaxtyping's dimension strings, what its messages say, the plugin setting that
switches it, and the dimension strings of a file loaded from mypy's cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from _checkers import CACHED, MYPY_INI, assert_mypy_ran, run_mypy
from mypy.options import Options
from test_plugin import warm_cache

from purepax.mypy_plugin._shape_config import shape_setting
from purepax.mypy_plugin._shape_dims import SpecDim
from purepax.mypy_plugin._shape_dims import parse as parse_dims

CODES = ("purepax-shape", "purepax-shape-strict")

AFFINE = """\
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Affine(px.Module):
    weight: Float[Array, "din dout"]

    def __init__(self, din: int, dout: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (din, dout))

    def __call__(self, x: Float[Array, "*batch din"]) -> Float[Array, "*batch dout"]:
        return x @ self.weight
"""

PROGRAMS = {
    # a module built in view, called on rows of the wrong width (line 20)
    "sr_width.py": AFFINE
    + """

layer = Affine(3, 5, key=jax.random.key(0))
x = jnp.ones((2, 4))
y = layer(x)
""",
    # one call-scoped name given two sizes (line 8)
    "sr_twice.py": """\
import jax.numpy as jnp
from jaxtyping import Array, Float

def add(x: Float[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
    return x + y


print(add(jnp.ones(3), jnp.ones(4)))
""",
    # a chain that breaks between its two layers (line 22)
    "sr_chain.py": AFFINE
    + """

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
model = nn.Sequential(Affine(4, 8, key=k1), jax.nn.relu, Affine(16, 2, key=k2))
print(model(jnp.ones((5, 4))))
""",
    # a module whose layers are built in __init__ from its own ints: consistent inside,
    # and its input checked against them from outside (line 30)
    "sr_fields.py": AFFINE
    + """

class Block(px.Module):
    def __init__(self, d: int, h: int, *, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.up = Affine(d, h, key=k1)
        self.down = Affine(h, d, key=k2)

    def __call__(self, x: Float[Array, "b d"]) -> Float[Array, "b d"]:
        return self.down(jax.nn.gelu(self.up(x)))


block = Block(3, 8, key=jax.random.key(0))
print(block(jnp.ones((2, 3))))
print(block.up(jnp.ones((2, 8))))
""",
    # two names that may be equal: strict only (line 5)
    "sr_names.py": """\
import jax.numpy as jnp
from jaxtyping import Array, Float

def residual(x: Float[Array, "n"], update: Float[Array, "m"]) -> Float[Array, "n"]:
    return x + update


print(residual(jnp.ones(3), jnp.ones(3)))
""",
    # what the rule cannot follow stays silent
    "sr_silent.py": """\
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

def f(x: Float[Array, "b 3"]) -> Float[Array, "b 3"]:
    return x


def helper(x):
    return jnp.concatenate([x, x], axis=-1)


x = jnp.ones((2, 4))
for _ in range(2):
    x = jnp.ones((2, 3))
print(f(x))
y = jnp.ones((2, 4)).reshape(2, 2, 2).reshape(2, 4)[:, :3]
print(f(y))
print(f(helper(jnp.ones((2, 3)))[:, :3]))
try:
    z = jnp.ones((2, 3))
except ValueError:
    z = jnp.ones((2, 4))
print(f(z if z.shape[1] == 3 else z[:, :3]))
w = jnp.ones((2, 3)) if jax.devices() else jnp.ones((2, 4))
print(f(w[:, :3]))
""",
}


def shape_reports(output: str, path: Path) -> dict[int, tuple[str, str]]:
    return {
        line: (code, message)
        for line, _, code, message in parse_all(output).get(path.resolve(), [])
        if code in CODES
    }


def parse_all(output: str) -> dict[Path, list[tuple[int, str, str, str]]]:
    """Like test_plugin.parse, with the shape codes (that parse knows the others only)."""
    from _checkers import mypy_findings

    found: dict[Path, list[tuple[int, str, str, str]]] = {}
    for finding in mypy_findings(output):
        entry = (finding.line, finding.severity, finding.code, finding.message)
        found.setdefault(finding.file, []).append(entry)
    return found


def config(work: Path, setting: str) -> Path:
    path = work / f"mypy-{setting}.ini"
    path.write_text(MYPY_INI.read_text() + f"\n[purepax-mypy]\nshapes = {setting}\n")
    return path


@pytest.fixture(scope="module")
def checked() -> dict[str, dict[str, dict[int, tuple[str, str]]]]:
    """setting -> program -> line -> (code, message), for `on`, `strict` and `off`."""
    work, cache = warm_cache("shape-rule")
    files = []
    for name, text in PROGRAMS.items():
        path = work / name
        path.write_text(text)
        files.append(path)
    found: dict[str, dict[str, dict[int, tuple[str, str]]]] = {}
    for setting in ("on", "strict", "off"):
        stdout, stderr, status = run_mypy(files, cache, config=config(work, setting))
        assert_mypy_ran(stdout, stderr, status)
        assert "purepax plugin" not in stdout, stdout
        found[setting] = {f.name: shape_reports(stdout, f) for f in files}
    return found


def test_a_layer_of_another_width_names_the_dimension_both_sizes_and_their_origins(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    code, message = checked["on"]["sr_width.py"][20]
    assert code == "purepax-shape"
    assert "Affine.__call__ expects the last axis of x to be din=3" in message, message
    assert "(Affine built with din=3 on line 18)" in message, message
    assert "x has 4 (jnp.ones((2, 4)) on line 19) there" in message, message
    assert "build the module with din=4" in message, message


def test_a_name_given_two_sizes_in_one_call_is_reported_with_both(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    code, message = checked["on"]["sr_twice.py"][8]
    assert code == "purepax-shape"
    assert 'add binds "n" to 3 (jnp.ones(3) on line 8)' in message, message
    assert "to 4 (jnp.ones(4) on line 8) from the last axis of y" in message, message


def test_a_broken_sequential_names_the_two_layers(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    (line, (code, message)), *others = checked["on"]["sr_chain.py"].items()
    assert (line, code, others) == (22, "purepax-shape", []), message
    assert (
        "breaks between layer 1 (jax.nn.relu) and layer 2 (Affine built on line 21)"
        in (message)
    ), message
    assert "din=16" in message and "Affine built with dout=8 on line 21" in message, (
        message
    )


def test_fields_built_in_init_carry_the_instance_sizes(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    """`self.up = Affine(d, h)`: silent inside the class (the same names), and
    `block.up` of a `Block(3, 8)` is an Affine with din=3."""
    reports = checked["on"]["sr_fields.py"]
    assert list(reports) == [30], reports
    assert "din=3 (Block built with d=3 on line 28)" in reports[30][1], reports


def test_names_that_may_be_equal_are_reported_only_in_strict_mode(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    assert checked["on"]["sr_names.py"] == {}
    code, message = checked["strict"]["sr_names.py"][5]
    assert code == "purepax-shape-strict" and "n == m" in message, message


def test_what_the_rule_cannot_follow_stays_silent(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    assert checked["on"]["sr_silent.py"] == {}
    assert checked["strict"]["sr_silent.py"] == {}


def test_shapes_off_reports_nothing(
    checked: dict[str, dict[str, dict[int, tuple[str, str]]]],
) -> None:
    assert all(not reports for reports in checked["off"].values()), checked["off"]
    assert checked["on"]["sr_width.py"]  # the same programs, reported when on


@pytest.mark.parametrize(
    ("name", "text", "setting"),
    [
        ("mypy.ini", "[mypy]\n", "on"),
        ("mypy.ini", "[mypy]\n[purepax-mypy]\nshapes = strict\n", "strict"),
        ("setup.cfg", "[purepax-mypy]\nshapes = OFF\n", "off"),
        ("pyproject.toml", '[tool.purepax-mypy]\nshapes = "strict"\n', "strict"),
        ("pyproject.toml", "[tool.mypy]\n", "on"),
    ],
)
def test_the_setting_is_read_from_the_plugins_own_section(
    tmp_path: Path, name: str, text: str, setting: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    options = Options()
    options.config_file = str(path)
    assert shape_setting(options) == setting


def test_an_unknown_setting_refuses_to_load_naming_the_values(tmp_path: Path) -> None:
    path = tmp_path / "mypy.ini"
    path.write_text("[purepax-mypy]\nshapes = loud\n")
    options = Options()
    options.config_file = str(path)
    with pytest.raises(ValueError, match=r"`shapes`.*'loud'.*off, on, strict"):
        shape_setting(options)


def test_dimension_strings_parse_as_jaxtyping_reads_them() -> None:
    spec = parse_dims("*batch in_features")
    assert spec is not None and spec.variadic and spec.star == "batch"
    assert spec.front == () and spec.back == (SpecDim(name="in_features"),)
    spec = parse_dims("#d 3 _ n+1 ... k")
    assert spec is not None and spec.variadic and spec.star is None
    assert spec.front == (
        SpecDim(name="d", broadcast=True),
        SpecDim(size=3),
        SpecDim(),
        SpecDim(),
    )
    assert spec.back == (SpecDim(name="k"),)
    assert parse_dims("") is not None and parse_dims("").front == ()  # type: ignore[union-attr]
    assert parse_dims("*a *b") is None  # two variadics: jaxtyping refuses it


LIB = """\
import jax
from jaxtyping import Array, Float

import purepax as px


def project(x: Float[Array, "b 3"]) -> Float[Array, "b 2"]:
    return x[:, :2]


class Scale(px.Module):
    features: int
    gain: Float[Array, "features"]

    def __call__(self, x: Float[Array, "*batch features"]) -> Float[Array, "*batch features"]:
        return x * self.gain
"""
MAIN = """\
import jax.numpy as jnp

from sr_lib import Scale, project

scale = Scale(features=4, gain=jnp.ones(4))
print(project(jnp.ones((2, 5))))
print(scale(project(jnp.ones((2, 3)))))
print(scale.gain + jnp.ones(3))
"""


def test_dimension_strings_survive_a_warm_cache() -> None:
    """A caller checked against a callee loaded from mypy's cache (its annotations gone)
    is reported as when both were checked together."""
    work, cache = warm_cache("shape-xfile")
    lib, main = work / "sr_lib.py", work / "sr_main.py"
    lib.write_text(LIB)
    main.write_text(MAIN)
    cfg = config(work, "on")
    want = [6, 7, 8]
    first, _, _ = run_mypy([lib, main], cache, *CACHED, config=cfg)
    assert sorted(shape_reports(first, main)) == want, first
    main.write_text(MAIN + "print(scale)\n")
    second, log, _ = run_mypy([lib, main], cache, "-v", *CACHED, config=cfg)
    assert "Metadata fresh for sr_lib" in log, "sr_lib was checked again"
    assert shape_reports(second, main) == shape_reports(first, main), second
