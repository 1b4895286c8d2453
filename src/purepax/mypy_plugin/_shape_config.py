"""The plugin's own setting for `purepax-shape`: `shapes = off|on|strict`.

Read from the plugin's section of the user's mypy configuration file, as the pydantic
plugin reads its own (`[purepax-mypy]` in `mypy.ini`/`setup.cfg`, `[tool.purepax-mypy]`
in `pyproject.toml`): mypy before 2.4 refuses plugin error codes in
`disable_error_code`, so the switch cannot be mypy's.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

from mypy.errorcodes import ErrorCode
from mypy.options import Options

SECTION = "purepax-mypy"
MODES = ("off", "on", "strict")
# Here, not with the rule, so that loading the plugin can turn it on without importing
# the rule (`_plugin.py`); off by default, on with `shapes = strict`.
SHAPE_STRICT = ErrorCode(
    "purepax-shape-strict",
    "Two dimension names that must be equal may differ",
    "purepax",
    default_enabled=False,
)


def shape_setting(options: Options) -> str:
    """`off`, `on` (the default) or `strict`; any other value refuses to load the plugin."""
    value = _read(options.config_file)
    if value is None:
        return "on"
    value = value.strip().strip("\"'").lower()
    if value not in MODES:
        raise ValueError(
            f"purepax.mypy_plugin: the setting `shapes` of [{SECTION}] in {options.config_file} "
            f"is {value!r}; it takes one of {', '.join(MODES)} (`purepax-shape` off, on, or on "
            "with `purepax-shape-strict`)."
        )
    return value


def _read(path: str | None) -> str | None:
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        return None
    if file.suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - mypy depends on tomli there
            import tomli as tomllib
        with file.open("rb") as stream:
            data = tomllib.load(stream)
        section = data.get("tool", {}).get(SECTION, {})
        found = section.get("shapes") if isinstance(section, dict) else None
        return str(found) if found is not None else None
    parser = configparser.ConfigParser()
    try:
        parser.read(file)
    except configparser.Error:
        return None
    return parser.get(SECTION, "shapes", fallback=None)
