"""The phases one run goes through in this process, and the cancellation asked of it.

A run is ``queued`` until its task takes its first step, ``waiting`` while the task waits for
the thread's earlier runs (and the run's delay), ``running`` while its graph executes,
``finishing`` once the graph has stopped and its outcome is being stored, and ``done`` once the
outcome is given to whoever waits for it::

    queued --start--> waiting --begin_running--> running
                         \\                          |
                          +----begin_finishing------+--> finishing --finish--> done

A cancel may arrive in any phase, from another task: before ``start`` it is kept for the run to
honour when it starts (cancelling a task before its first step would skip the code that stores
its outcome); while ``waiting`` or ``running`` the caller cancels the run's task; from
``finishing`` on it is too late and ignored. A rollback asked at any time before ``finishing``
wins over an interrupt, whichever came first.

:class:`RunLifecycle` is the only owner of this state: the executor and the run's task call its
transitions, and everyone else reads its properties.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Literal

CancelAction = Literal["interrupt", "rollback"]

__all__ = [
    "CancelAction",
    "CancelDelivery",
    "CancelIntent",
    "IllegalRunTransition",
    "RunLifecycle",
    "RunPhase",
]


class RunPhase(StrEnum):
    """Where a run is in its life in this process."""

    QUEUED = "queued"
    WAITING = "waiting"
    RUNNING = "running"
    FINISHING = "finishing"
    DONE = "done"


class CancelIntent(StrEnum):
    """What the run is to do with its progress if it is cancelled: keep it or roll it back."""

    NONE = "none"
    INTERRUPT = "interrupt"
    ROLLBACK = "rollback"


class CancelDelivery(Enum):
    """What :meth:`RunLifecycle.request_cancel` asks of its caller."""

    AT_START = "at_start"  # kept: the run ends interrupted as soon as its task starts
    CANCEL_TASK = "cancel_task"  # the caller must cancel the run's task now
    TOO_LATE = "too_late"  # the graph has stopped already: nothing to do


class IllegalRunTransition(RuntimeError):
    """A transition asked in a phase it cannot leave from: a bug in the caller."""

    def __init__(self, transition: str, phase: RunPhase) -> None:
        super().__init__(f"a run cannot {transition} while {phase.value}")
        self.transition = transition
        self.phase = phase


class RunLifecycle:
    """The phase and cancellation intent of one run, changed only through named transitions."""

    def __init__(self) -> None:
        self._phase = RunPhase.QUEUED
        self._intent = CancelIntent.NONE
        # Kept past ``running``: a run counts as running, not pending, to the end once its graph
        # has begun, while one cancelled as it waited stays pending while it finishes.
        self._graph_began = False

    def __repr__(self) -> str:
        return f"RunLifecycle(phase={self._phase.value}, cancel={self._intent.value})"

    @property
    def phase(self) -> RunPhase:
        """The run's current phase."""
        return self._phase

    @property
    def cancel_intent(self) -> CancelIntent:
        """The strongest cancellation asked so far (frozen once the run is finishing)."""
        return self._intent

    @property
    def started(self) -> bool:
        """Whether the run's task has taken its first step."""
        return self._phase is not RunPhase.QUEUED

    @property
    def running(self) -> bool:
        """Whether the run's graph has begun executing (it is no longer pending)."""
        return self._graph_began

    @property
    def finishing(self) -> bool:
        """Whether the graph has stopped: its outcome is being stored or has been."""
        return self._phase in (RunPhase.FINISHING, RunPhase.DONE)

    @property
    def cancel_requested(self) -> bool:
        """Whether anyone asked the run to stop before it finished."""
        return self._intent is not CancelIntent.NONE

    @property
    def rolls_back(self) -> bool:
        """Whether the run is to be deleted with its checkpoints when it ends."""
        return self._intent is CancelIntent.ROLLBACK

    def start(self) -> None:
        """queued -> waiting: the run's task has taken its first step. The task must then end
        the run interrupted, without running it, if :attr:`cancel_requested` already."""
        self._move("start", frm=(RunPhase.QUEUED,), to=RunPhase.WAITING)

    def begin_running(self) -> None:
        """waiting -> running: the run's turn has come and its graph starts executing."""
        self._move("begin running", frm=(RunPhase.WAITING,), to=RunPhase.RUNNING)
        self._graph_began = True

    def begin_finishing(self) -> None:
        """waiting or running -> finishing: the graph has stopped (or never ran); from now on
        a cancel could only cut the storing of the outcome short, so it is ignored."""
        self._move(
            "begin finishing", frm=(RunPhase.WAITING, RunPhase.RUNNING), to=RunPhase.FINISHING
        )

    def finish(self) -> None:
        """finishing -> done: the outcome is stored and given to whoever waits for it."""
        self._move("finish", frm=(RunPhase.FINISHING,), to=RunPhase.DONE)

    def request_cancel(self, action: CancelAction) -> CancelDelivery:
        """Ask the run to stop, keeping its progress (``interrupt``) or not (``rollback``);
        what the caller must do about it. Callable in any phase: cancels race with the run's
        own progress, so one arriving once the graph has stopped is a no-op (``TOO_LATE``).
        A rollback is never downgraded to an interrupt by a later cancel."""
        if self.finishing:
            return CancelDelivery.TOO_LATE
        if action == "rollback":
            self._intent = CancelIntent.ROLLBACK
        elif self._intent is CancelIntent.NONE:
            self._intent = CancelIntent.INTERRUPT
        if self._phase is RunPhase.QUEUED:
            return CancelDelivery.AT_START
        return CancelDelivery.CANCEL_TASK

    def _move(self, transition: str, *, frm: tuple[RunPhase, ...], to: RunPhase) -> None:
        if self._phase not in frm:
            raise IllegalRunTransition(transition, self._phase)
        self._phase = to
