"""The one place that reports to mypy (each rule declares its own error code)."""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.errors import Errors
from mypy.nodes import Context


class Reporter:
    """Reports each error once, on the file mypy is finishing."""

    def __init__(self, errors: Errors) -> None:
        self.errors = errors
        self._seen: set[tuple[int, int, str]] = set()

    def error(self, context: Context, code: ErrorCode, message: str) -> None:
        key = (context.line, context.column, code.code)
        if key in self._seen:
            return
        self._seen.add(key)
        self.errors.report(
            context.line,
            context.column,
            message,
            code=code,
            end_line=context.end_line,
            end_column=context.end_column,
        )


def internal_error_note(errors: Errors, problem: BaseException) -> None:
    errors.report(
        1,
        None,
        f"purepax plugin: internal error ({type(problem).__name__}: {problem}); this file was "
        "not fully checked by the plugin. Please report it.",
        severity="note",
        only_once=True,
    )
