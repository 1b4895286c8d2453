"""Every list on the docs pages and in the README renders as a list on the site too.

GitHub (CommonMark) starts a list right under a paragraph line and nests an item indented
by two spaces; Python-Markdown, which renders the MkDocs site, needs a blank line before
the list and four spaces to nest, and otherwise runs the items into the paragraph as text.
The check renders each page with the site's own Markdown extensions (from mkdocs.yml),
after tagging every line that starts a list item outside code blocks, and names each item
that did not come out as the start of an `<li>`, or came out at another depth than the one
GitHub nests it at.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
ITEM = re.compile(r"^(?P<marker>\s*(?:[-*+]|\d+[.)])[ \t]+)(?=\S)")
FENCE = re.compile(r"^\s*(```|~~~)")


def _site_markdown() -> markdown.Markdown:
    """Python-Markdown with the extensions and options of mkdocs.yml."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    extensions: list[str] = []
    options: dict[str, dict[str, object]] = {}
    for entry in config["markdown_extensions"]:
        name, settings = (
            next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        )
        extensions.append(name)
        if settings:
            options[name] = settings
    return markdown.Markdown(extensions=extensions, extension_configs=options)


def unrendered_items(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each list item in `text` that Python-Markdown does not render
    as GitHub does: not as a list item at all, or at another nesting depth."""
    lines = text.splitlines()
    expected: dict[int, int] = {}  # line number -> depth, 0 for a top-level item
    open_items: list[int] = []  # the content columns of the items a line may nest in
    fence: str | None = None
    previous_blank = True
    for number, line in enumerate(lines, start=1):
        opening = FENCE.match(line)
        indent = len(line) - len(line.lstrip())
        if fence is not None:
            if opening is not None and opening.group(1) == fence:
                fence = None
            continue
        if opening is not None:
            fence = opening.group(1)
            if indent == 0:
                open_items.clear()
        elif (item := ITEM.match(line)) is not None:
            # CommonMark nests an item indented at least as far as its parent's text.
            while open_items and indent < open_items[-1]:
                open_items.pop()
            expected[number] = len(open_items)
            open_items.append(len(item["marker"]))
            lines[number - 1] = (
                f"{item['marker']}LISTITEM{number}X {line[item.end() :]}"
            )
        elif line.strip() and indent == 0 and (previous_blank or line.startswith("#")):
            open_items.clear()  # a paragraph or heading after the list ends it
        previous_blank = not line.strip()
    html = _site_markdown().convert("\n".join(lines))
    rendered: dict[int, int] = {}
    depth = 0
    for token in re.finditer(r"<(/?)[ou]l\b[^>]*>|<li>\s*(?:<p>)?LISTITEM(\d+)X", html):
        if token.group(2) is not None:
            rendered[int(token.group(2))] = depth - 1
        else:
            depth += -1 if token.group(1) else 1
    original = text.splitlines()
    return [
        (n, original[n - 1]) for n, want in expected.items() if rendered.get(n) != want
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_list_renders_as_a_list_on_the_site(page: Path) -> None:
    missed = unrendered_items(page.read_text())
    assert not missed, (
        f"{page.relative_to(ROOT)}: the site (Python-Markdown) does not render these lines as the list items "
        "GitHub shows; put a blank line between a paragraph and its list, and indent a nested list by four "
        "spaces:\n" + "\n".join(f"  line {number}: {line}" for number, line in missed)
    )


def test_the_check_finds_a_list_glued_to_its_paragraph_and_a_two_space_nested_list() -> (
    None
):
    glued = "Pages:\n- one\n- two\n"
    assert [n for n, _ in unrendered_items(glued)] == [2, 3]
    assert unrendered_items("Pages:\n\n- one\n- two\n") == []
    nested = "- one\n  - inner\n- two\n"
    assert [n for n, _ in unrendered_items(nested)] == [2]
    assert unrendered_items("- one\n    - inner\n- two\n") == []
    assert unrendered_items("Steps:\n\n1. one\n2. two\n") == []
    assert [n for n, _ in unrendered_items("Steps:\n1. one\n")] == [2]
    assert unrendered_items("```python\nx = [\n- 1\n]\n```\n") == []
