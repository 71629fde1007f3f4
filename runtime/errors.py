"""Precise exceptions of the runtime; translated to HTTP statuses or SSE events at the edges."""

from __future__ import annotations

from graphs.errors import UnknownGraph


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


class RunActive(RuntimeLayerError):
    """The run is pending or running, and the operation needs it ended."""

    code = "run_active"

    def __init__(self, run_id: str, action: str) -> None:
        super().__init__(f"run {run_id!r} is still active; cancel it before you {action} it")
        self.run_id = run_id


class RunNotActive(RuntimeLayerError):
    """The run has ended (or runs in another process), so it cannot be cancelled here."""

    code = "run_not_active"

    def __init__(self, run_id: str, status: str) -> None:
        if status in ("pending", "running"):
            why = f"is {status} in another server process, so it cannot be cancelled here"
        else:
            why = f"is {status}, not running"
        super().__init__(f"run {run_id!r} {why}")
        self.run_id = run_id
        self.status = status


class RollbackUnsupported(RuntimeLayerError):
    """The checkpointer has no way to delete the checkpoints of one run."""

    code = "rollback_unsupported"


class ServicesUnavailable(RuntimeLayerError):
    """The agent services (CRM store, memory, model) failed to load, so no graph can run."""

    code = "services_unavailable"


class AssistantNotFound(RuntimeLayerError, UnknownGraph):
    """No assistant (and no graph) has this id; an :class:`UnknownGraph` for callers that
    only know graphs."""

    code = "assistant_not_found"

    def __init__(self, assistant_id: str) -> None:
        # UnknownGraph's own __init__ words the message for graphs; this one is about assistants.
        Exception.__init__(self, f"assistant {assistant_id!r} not found")
        self.assistant_id = self.graph_id = assistant_id


class AssistantExists(RuntimeLayerError):
    """An assistant with this id exists already and the caller asked to fail on conflict."""

    code = "assistant_exists"

    def __init__(self, assistant_id: str) -> None:
        super().__init__(f"assistant {assistant_id!r} already exists")
        self.assistant_id = assistant_id


class AssistantReadOnly(RuntimeLayerError):
    """The default assistant of a registered graph mirrors the registry and cannot change."""

    code = "assistant_read_only"

    def __init__(self, assistant_id: str, graph_id: str) -> None:
        super().__init__(
            f"assistant {assistant_id!r} is the default assistant of graph {graph_id!r} and "
            "cannot be changed or deleted; create an assistant for the graph instead"
        )
        self.assistant_id = assistant_id


class AssistantVersionNotFound(RuntimeLayerError, LookupError):
    """The assistant has no such version."""

    code = "assistant_version_not_found"

    def __init__(self, assistant_id: str, version: int) -> None:
        super().__init__(f"assistant {assistant_id!r} has no version {version}")
        self.assistant_id = assistant_id
        self.version = version


class GraphNotFound(RuntimeLayerError, LookupError):
    """An assistant names a graph this server does not register."""

    code = "graph_not_found"

    def __init__(self, graph_id: str, known: list[str]) -> None:
        super().__init__(
            f"graph {graph_id!r} is not registered on this server "
            f"(registered: {', '.join(known) or 'none'})"
        )
        self.graph_id = graph_id


class InvalidAssistantConfig(RuntimeLayerError, ValueError):
    """An assistant's config and context contradict each other."""

    code = "invalid_assistant"


class ThreadHasNoGraph(RuntimeLayerError):
    """A state operation needs the thread's graph, and no run (or metadata) has set one yet."""

    code = "thread_has_no_graph"

    def __init__(self, thread_id: str) -> None:
        super().__init__(
            f"thread {thread_id!r} has no graph yet: run an assistant on it first, or create "
            "it with metadata.graph_id"
        )
        self.thread_id = thread_id


class CheckpointNotFound(RuntimeLayerError, LookupError):
    """The thread has no checkpoint with this id (in this namespace)."""

    code = "checkpoint_not_found"

    def __init__(self, thread_id: str, checkpoint_id: str) -> None:
        super().__init__(f"thread {thread_id!r} has no checkpoint {checkpoint_id!r}")
        self.thread_id = thread_id
        self.checkpoint_id = checkpoint_id


class InvalidStateUpdate(RuntimeLayerError, ValueError):
    """The graph refused a state update (unknown node, ambiguous writer, bad value)."""

    code = "invalid_state_update"


class WebhookRefused(RuntimeLayerError, ValueError):
    """A run's webhook URL this server will not call (a private address, credentials...)."""

    code = "webhook_refused"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"webhook {url!r} refused: {reason}")
        self.url = url
        self.reason = reason
