"""Errors of behaviour-event intake."""


class InvalidEvents(ValueError):
    """Behaviour events that cannot be stored; ``problems`` names each one by its place."""

    code = "invalid_event"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class EventConflict(Exception):
    """Event ids already stored with a different body."""

    code = "event_conflict"

    def __init__(self, ids: list[str]) -> None:
        super().__init__(f"event id(s) already stored with a different body: {', '.join(ids)}")
        self.ids = list(ids)
