"""Precise exceptions of the runtime; translated to HTTP statuses or SSE events at the edges."""

from __future__ import annotations


class RuntimeLayerError(Exception):
    """Base class of every error the runtime raises on purpose."""

    code = "runtime_error"


class ThreadNotFound(RuntimeLayerError, LookupError):
    """No thread has this id."""

    code = "thread_not_found"

    def __init__(self, thread_id: str) -> None:
        super().__init__(f"thread {thread_id!r} not found")
        self.thread_id = thread_id


class RunNotFound(RuntimeLayerError, LookupError):
    """No run of this thread has this id."""

    code = "run_not_found"

    def __init__(self, run_id: str, thread_id: str | None = None) -> None:
        where = f" on thread {thread_id!r}" if thread_id else ""
        super().__init__(f"run {run_id!r} not found{where}")
        self.run_id = run_id
        self.thread_id = thread_id


class ThreadExists(RuntimeLayerError):
    """A thread with this id exists already and the caller asked to fail on conflict."""

    code = "thread_exists"

    def __init__(self, thread_id: str) -> None:
        super().__init__(f"thread {thread_id!r} already exists")
        self.thread_id = thread_id


class ThreadBusy(RuntimeLayerError):
    """The thread is running another run and the multitask strategy is ``reject``."""

    code = "thread_busy"

    def __init__(self, thread_id: str) -> None:
        super().__init__(
            f"thread {thread_id!r} is busy with another run; wait for it to finish or cancel it"
        )
        self.thread_id = thread_id


class UnsupportedRunOption(RuntimeLayerError, ValueError):
    """A run option the LangGraph API defines but this server does not implement yet."""

    code = "unsupported_option"

    def __init__(self, option: str, value: object) -> None:
        super().__init__(f"{option}={value!r} is not supported by this server yet")
        self.option = option
        self.value = value


class ServicesUnavailable(RuntimeLayerError):
    """The agent services (CRM store, memory, model) failed to load, so no graph can run."""

    code = "services_unavailable"
