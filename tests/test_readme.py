"""Generated parts of the README stay in step with the code (regenerate with `make docs`)."""

from __future__ import annotations

from pathlib import Path

from core.settings import settings_markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def generated_readme(text: str) -> str:
    """The README with its settings table regenerated."""
    start, end = "<!-- settings:start -->", "<!-- settings:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{settings_markdown_table()}\n{end}{tail}"


def test_settings_table_matches_settings() -> None:
    text = README.read_text(encoding="utf-8")
    assert text == generated_readme(text), "README settings table is stale: run `make docs`"


if __name__ == "__main__":
    README.write_text(generated_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
