"""Calibration harness: samples recommendations for human review and measures agreement."""

__all__: list[str] = []
