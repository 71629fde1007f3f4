"""Readers of import files: rows as (physical line, dict), plus file-level problems.

Line numbers are 1-based physical lines: the CSV header is line 1; a JSON array element is
numbered by the line its opening brace is on; a JSON Lines record by its own line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm.errors import RowError

_WHITESPACE = " \t\r\n"


@dataclass
class ParsedFile:
    """What a reader found: rows to validate and problems that are not about one row."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Columns named in a CSV header but unknown to the entity (reported once, on line 1).
    header: list[str] | None = None


def read_rows(path: Path) -> ParsedFile:
    """Parse ``path`` by its suffix: .csv, .json (array or JSON Lines), .jsonl / .ndjson."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return ParsedFile(errors=[RowError(name, 1, None, f"not UTF-8 text: {exc.reason}")])
    if not text.strip():
        return ParsedFile(errors=[RowError(name, 1, None, "empty file")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        parsed = _read_csv(name, text)
    elif suffix in (".jsonl", ".ndjson"):
        parsed = _read_json_lines(name, text)
    elif suffix == ".json":
        stripped = text.lstrip(_WHITESPACE)
        parsed = (
            _read_json_array(name, text)
            if stripped.startswith("[")
            else _read_json_lines(name, text)
        )
    else:
        return ParsedFile(errors=[RowError(name, 1, None, f"unsupported file type {suffix!r}")])
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(name, 1, None, "file has no rows"))
    return parsed


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    # An empty cell or a null means "not given": optional fields take their default and
    # required ones are reported missing rather than as a type error.
    return {key: value for key, value in values.items() if value is not None and value != ""}


def _read_csv(name: str, text: str) -> ParsedFile:
    parsed = ParsedFile()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        parsed.errors.append(RowError(name, 1, None, f"malformed CSV: {exc}"))
        return parsed
    header = [column.strip() for column in header]
    parsed.header = header
    seen: set[str] = set()
    for column in header:
        if not column:
            parsed.errors.append(RowError(name, 1, None, "empty column name in header"))
        elif column in seen:
            parsed.errors.append(RowError(name, 1, column, f"duplicate column {column!r}"))
        seen.add(column)
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.errors.append(RowError(name, start, None, f"malformed CSV: {exc}"))
            break
        last_line = reader.line_num
        if not cells or all(not cell.strip() for cell in cells):
            continue  # blank line
        if len(cells) != len(header):
            parsed.errors.append(
                RowError(name, start, None, f"{len(cells)} fields, header has {len(header)}")
            )
            continue
        parsed.rows.append((start, _drop_empty(dict(zip(header, cells, strict=True)))))
    return parsed


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_ws(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _add_object(parsed: ParsedFile, name: str, line: int, value: Any) -> None:
    if isinstance(value, dict):
        parsed.rows.append((line, _drop_empty(value)))
    else:
        parsed.errors.append(
            RowError(name, line, None, f"expected a JSON object, got {type(value).__name__}")
        )


def _read_json_array(name: str, text: str) -> ParsedFile:
    """Walk the array element by element so each row knows the line it starts on."""
    parsed = ParsedFile()
    decoder = json.JSONDecoder()
    position = _skip_ws(text, 0) + 1  # past '['
    position = _skip_ws(text, position)
    if position < len(text) and text[position] == "]":
        return _expect_end(parsed, name, text, position + 1)
    while True:
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            parsed.errors.append(RowError(name, exc.lineno, None, f"malformed JSON: {exc.msg}"))
            return parsed
        _add_object(parsed, name, _line_of(text, position), value)
        position = _skip_ws(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_ws(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            return _expect_end(parsed, name, text, position + 1)
        parsed.errors.append(
            RowError(name, _line_of(text, position), None, "malformed JSON: expected ',' or ']'")
        )
        return parsed


def _expect_end(parsed: ParsedFile, name: str, text: str, position: int) -> ParsedFile:
    position = _skip_ws(text, position)
    if position < len(text):
        parsed.errors.append(
            RowError(name, _line_of(text, position), None, "malformed JSON: extra data")
        )
    return parsed


def _read_json_lines(name: str, text: str) -> ParsedFile:
    parsed = ParsedFile()
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.errors.append(RowError(name, line_number, None, f"malformed JSON: {exc.msg}"))
            continue
        _add_object(parsed, name, line_number, value)
    return parsed
