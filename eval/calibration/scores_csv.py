"""Reading reviewers' scores from CSV: every row checked before anything is written.

Columns (header row required, any order; see docs/calibration.md):
``item_id`` or ``recommendation_id`` or ``position`` (which item), ``reviewer``, ``score``
(1-5), ``correct`` (true/false, yes/no, 1/0), and optionally ``corrected_answer``, ``comment``,
``relevant_sources`` (record ids separated by ``;``) and ``skipped`` (true/false).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from crm.errors import RowError
from eval.calibration.errors import ScoresRejected
from eval.calibration.schemas import ReviewInput, SkipInput

ITEM_COLUMNS = ("item_id", "recommendation_id", "position")
COLUMNS = (
    *ITEM_COLUMNS,
    "reviewer",
    "score",
    "correct",
    "corrected_answer",
    "comment",
    "relevant_sources",
    "skipped",
)
_TRUE = {"true", "yes", "y", "1", "correct"}
_FALSE = {"false", "no", "n", "0", "incorrect"}


@dataclass(frozen=True)
class ScoreRow:
    """One valid row: the item it scores and the review (or skip) to write."""

    line: int
    item_id: str
    reviewer: str
    skipped: bool
    review: ReviewInput | SkipInput

    def values(self) -> dict[str, Any]:
        """Column values of the review row."""
        return {"skipped": self.skipped, **self.review.model_dump()}


def _boolean(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


class _RowReader:
    """Checks one batch's rows; collects every problem instead of stopping at the first."""

    def __init__(
        self,
        *,
        items: Iterable[Any],
        existing: Mapping[tuple[str, str], bool],
        file_name: str,
    ) -> None:
        self.by_column: dict[str, dict[str, str]] = {
            "item_id": {row.id: row.id for row in items},
        }
        self.by_column["recommendation_id"] = {}
        self.by_column["position"] = {}
        for row in items:
            self.by_column["recommendation_id"][row.recommendation_id] = row.id
            self.by_column["position"][str(row.position)] = row.id
        self.existing = existing
        self.file_name = file_name
        self.errors: list[RowError] = []
        self.seen: dict[tuple[str, str], int] = {}

    def error(self, line: int, field: str | None, reason: str) -> None:
        self.errors.append(RowError(self.file_name, line, field, reason))

    def item_id(self, line: int, fields: dict[str, str]) -> str | None:
        given = [(column, fields[column]) for column in ITEM_COLUMNS if fields.get(column)]
        if not given:
            self.error(line, None, "no item named: give item_id, recommendation_id or position")
            return None
        found = {self.by_column[column].get(value) for column, value in given}
        if None in found:
            column, value = next((c, v) for c, v in given if self.by_column[c].get(v) is None)
            self.error(line, column, f"{value!r} names no item of this batch")
            return None
        if len(found) > 1:
            self.error(line, None, "item_id, recommendation_id and position name different items")
            return None
        return found.pop()

    def read(self, line: int, fields: dict[str, str]) -> ScoreRow | None:
        before = len(self.errors)
        item_id = self.item_id(line, fields)
        skipped = False
        if fields.get("skipped"):
            flag = _boolean(fields["skipped"])
            if flag is None:
                self.error(line, "skipped", f"expected true or false, got {fields['skipped']!r}")
            skipped = bool(flag)
        review = self.review(line, fields, skipped=skipped)
        if review is None or item_id is None or len(self.errors) > before:
            return None
        if review.reviewer is None:  # a file's scores name who gave them, row by row
            self.error(line, "reviewer", "the row names no reviewer")
            return None
        key = (item_id, review.reviewer)
        if key in self.seen:
            self.error(
                line,
                "reviewer",
                f"{review.reviewer!r} already scores this item on line {self.seen[key]}",
            )
            return None
        if self.existing.get(key) is False:
            self.error(line, "reviewer", f"{review.reviewer!r} has already scored this item")
            return None
        self.seen[key] = line
        return ScoreRow(line, item_id, review.reviewer, skipped, review)

    def review(
        self, line: int, fields: dict[str, str], *, skipped: bool
    ) -> ReviewInput | SkipInput | None:
        before = len(self.errors)
        values: dict[str, Any] = {
            key: fields[key] for key in ("reviewer", "comment") if fields.get(key)
        }
        model: type[ReviewInput] | type[SkipInput] = SkipInput
        if not skipped:
            model = ReviewInput
            values.update(
                {key: fields[key] for key in ("score", "corrected_answer") if fields.get(key)}
            )
            if fields.get("correct"):
                flag = _boolean(fields["correct"])
                if flag is None:
                    self.error(
                        line, "correct", f"expected true or false, got {fields['correct']!r}"
                    )
                # A stand-in keeps the check below from also calling the column missing.
                values["correct"] = bool(flag)
            if fields.get("relevant_sources"):
                values["relevant_sources"] = [
                    part.strip() for part in fields["relevant_sources"].split(";") if part.strip()
                ]
        try:
            review = model.model_validate(values)
        except ValidationError as exc:
            for problem in exc.errors():
                field = ".".join(str(part) for part in problem["loc"]) or None
                self.error(line, field, str(problem["msg"]).removeprefix("Value error, ").lower())
            return None
        return review if len(self.errors) == before else None


def parse_scores(
    text: str,
    *,
    items: Iterable[Any],
    existing: Mapping[tuple[str, str], bool],
    file_name: str = "scores.csv",
) -> list[ScoreRow]:
    """Every row of ``text`` as a :class:`ScoreRow`, or :class:`ScoresRejected` listing each bad one.

    ``items`` are the batch's items (``id``, ``recommendation_id``, ``position``);
    ``existing`` maps (item id, reviewer) to whether that reviewer's stored row is a skip.
    """
    reader_state = _RowReader(items=list(items), existing=existing, file_name=file_name)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ScoresRejected([RowError(file_name, line, None, "contains a NUL character")])
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] = []
    try:
        while not any(header):  # blank lines before the header are allowed
            cells = next(reader, None)
            if cells is None:
                break
            header = [name.strip().lower() for name in cells]
    except csv.Error as exc:
        raise ScoresRejected([RowError(file_name, 1, None, f"unreadable CSV: {exc}")]) from None
    header_line = max(reader.line_num, 1)
    unknown = sorted(set(header) - set(COLUMNS) - {""})
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    problems = []
    if not any(header):
        problems.append("the file is empty; the first line must name the columns")
    if repeated:
        problems.append(f"column(s) named twice: {', '.join(repeated)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
    if header and not set(header) & set(ITEM_COLUMNS):
        problems.append("no item column: give item_id, recommendation_id or position")
    if header and "reviewer" not in header:
        problems.append("no reviewer column")
    if problems:
        raise ScoresRejected([RowError(file_name, header_line, None, p) for p in problems])
    rows: list[ScoreRow] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            reader_state.error(line, None, f"unreadable CSV: {exc}")
            break
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            reader_state.error(
                line, None, f"{len(cells)} fields, but the header names {len(header)}"
            )
            continue
        fields = {name: cell.strip() for name, cell in zip(header, cells, strict=True) if name}
        row = reader_state.read(line, fields)
        if row is not None:
            rows.append(row)
    if reader_state.errors:
        raise ScoresRejected(reader_state.errors)
    if not rows:
        raise ScoresRejected(
            [RowError(file_name, header_line, None, "the file holds no score rows")]
        )
    return rows
