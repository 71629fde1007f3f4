"""Precise exceptions of the calibration harness; the API and CLI translate them at the edges."""

from __future__ import annotations

from crm.errors import RowError


class CalibrationError(Exception):
    """Base class of every error raised by the calibration harness."""

    code = "calibration_error"


class BatchNotFound(CalibrationError):
    """A batch id that names no batch."""

    code = "batch_not_found"

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"calibration batch {batch_id!r} not found")
        self.batch_id = batch_id


class BatchClosed(CalibrationError):
    """The batch was closed: its scores are final and it takes no more reviews."""

    code = "batch_closed"

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"calibration batch {batch_id!r} is closed; it takes no more reviews")
        self.batch_id = batch_id


class ItemNotFound(CalibrationError):
    """An item id that names no item (of that batch, when a batch is given)."""

    code = "item_not_found"

    def __init__(self, item_id: str) -> None:
        super().__init__(f"calibration item {item_id!r} not found")
        self.item_id = item_id


class ReviewExists(CalibrationError):
    """The reviewer has already scored this item; a score is given once per reviewer."""

    code = "review_exists"

    def __init__(self, item_id: str, reviewer: str) -> None:
        super().__init__(f"reviewer {reviewer!r} has already scored item {item_id!r}")
        self.item_id = item_id
        self.reviewer = reviewer


class InvalidSampleSpec(CalibrationError, ValueError):
    """A period, rate or minimum per stratum out of range."""

    code = "invalid_sample"


class EmptyPeriod(CalibrationError):
    """The period holds no recommendations, so there is nothing to sample."""

    code = "empty_period"


class ScoresRejected(CalibrationError):
    """A scores file had bad rows; nothing was written. ``errors`` lists every one of them."""

    code = "scores_rejected"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        shown = "; ".join(str(error) for error in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} bad row(s), nothing imported: {shown}{more}")
