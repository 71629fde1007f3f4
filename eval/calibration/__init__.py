"""The monthly human calibration cycle: sampling, review, metrics, drift, maps, report, export."""

__all__: list[str] = []
