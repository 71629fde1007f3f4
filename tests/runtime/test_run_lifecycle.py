"""The run lifecycle: its legal transitions, the illegal ones, and cancels racing the run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.run_lifecycle import (
    CancelAction,
    CancelDelivery,
    CancelIntent,
    IllegalRunTransition,
    RunLifecycle,
    RunPhase,
)


def _in_phase(phase: RunPhase, *, through_running: bool = True) -> RunLifecycle:
    """A lifecycle moved to ``phase`` by its transitions (through ``running`` unless not)."""
    lifecycle = RunLifecycle()
    steps: list[tuple[RunPhase, Callable[[], None]]] = [
        (RunPhase.WAITING, lifecycle.start),
        (RunPhase.RUNNING, lifecycle.begin_running),
        (RunPhase.FINISHING, lifecycle.begin_finishing),
        (RunPhase.DONE, lifecycle.finish),
    ]
    for reached, step in steps:
        if lifecycle.phase is phase:
            break
        if reached is RunPhase.RUNNING and not through_running:
            continue
        step()
    assert lifecycle.phase is phase
    return lifecycle


def test_a_new_run_is_queued_with_nothing_asked_of_it() -> None:
    lifecycle = RunLifecycle()
    assert lifecycle.phase is RunPhase.QUEUED
    assert lifecycle.cancel_intent is CancelIntent.NONE
    assert not (lifecycle.started or lifecycle.running or lifecycle.finishing)
    assert not (lifecycle.cancel_requested or lifecycle.rolls_back)


def test_a_run_that_runs_its_graph_goes_through_every_phase() -> None:
    lifecycle = RunLifecycle()
    seen = []
    for step in (
        lifecycle.start,
        lifecycle.begin_running,
        lifecycle.begin_finishing,
        lifecycle.finish,
    ):
        step()
        seen.append((lifecycle.phase, lifecycle.started, lifecycle.running, lifecycle.finishing))
    assert seen == [
        (RunPhase.WAITING, True, False, False),
        (RunPhase.RUNNING, True, True, False),
        (RunPhase.FINISHING, True, True, True),
        (RunPhase.DONE, True, True, True),
    ]


def test_a_run_stopped_while_waiting_finishes_without_ever_counting_as_running() -> None:
    lifecycle = _in_phase(RunPhase.DONE, through_running=False)
    assert lifecycle.finishing
    assert not lifecycle.running  # bulk cancels filtered on "pending" still find it


@pytest.mark.parametrize(
    ("phase", "transition"),
    [
        (RunPhase.QUEUED, "begin_running"),
        (RunPhase.QUEUED, "begin_finishing"),
        (RunPhase.QUEUED, "finish"),
        (RunPhase.WAITING, "start"),
        (RunPhase.WAITING, "finish"),
        (RunPhase.RUNNING, "start"),
        (RunPhase.RUNNING, "begin_running"),
        (RunPhase.RUNNING, "finish"),
        (RunPhase.FINISHING, "start"),
        (RunPhase.FINISHING, "begin_running"),
        (RunPhase.FINISHING, "begin_finishing"),
        (RunPhase.DONE, "start"),
        (RunPhase.DONE, "begin_running"),
        (RunPhase.DONE, "begin_finishing"),
        (RunPhase.DONE, "finish"),
    ],
)
def test_an_illegal_transition_raises_and_leaves_the_phase_alone(
    phase: RunPhase, transition: str
) -> None:
    lifecycle = _in_phase(phase)
    with pytest.raises(IllegalRunTransition, match=f"while {phase.value}") as raised:
        getattr(lifecycle, transition)()
    assert raised.value.phase is phase
    assert lifecycle.phase is phase


def test_a_cancel_before_the_task_starts_is_kept_for_the_start() -> None:
    lifecycle = RunLifecycle()
    assert lifecycle.request_cancel("interrupt") is CancelDelivery.AT_START
    lifecycle.start()  # the task's first step sees it and ends the run interrupted
    assert lifecycle.cancel_requested
    assert lifecycle.cancel_intent is CancelIntent.INTERRUPT
    lifecycle.begin_finishing()
    assert not lifecycle.running


@pytest.mark.parametrize("phase", [RunPhase.WAITING, RunPhase.RUNNING])
def test_a_cancel_once_the_task_has_started_cancels_the_task(phase: RunPhase) -> None:
    lifecycle = _in_phase(phase)
    assert lifecycle.request_cancel("interrupt") is CancelDelivery.CANCEL_TASK
    assert lifecycle.cancel_intent is CancelIntent.INTERRUPT


@pytest.mark.parametrize("phase", [RunPhase.FINISHING, RunPhase.DONE])
@pytest.mark.parametrize("action", ["interrupt", "rollback"])
def test_a_cancel_after_the_graph_stopped_is_too_late_and_changes_nothing(
    phase: RunPhase, action: CancelAction
) -> None:
    lifecycle = _in_phase(phase)
    assert lifecycle.request_cancel(action) is CancelDelivery.TOO_LATE
    assert lifecycle.cancel_intent is CancelIntent.NONE
    assert lifecycle.phase is phase


def test_a_rollback_asked_before_finishing_stays_a_rollback_afterwards() -> None:
    lifecycle = _in_phase(RunPhase.RUNNING)
    lifecycle.request_cancel("rollback")
    lifecycle.begin_finishing()
    assert lifecycle.request_cancel("interrupt") is CancelDelivery.TOO_LATE
    assert lifecycle.rolls_back


@pytest.mark.parametrize("phase", [RunPhase.QUEUED, RunPhase.WAITING, RunPhase.RUNNING])
@pytest.mark.parametrize(
    "actions", [("rollback", "interrupt"), ("interrupt", "rollback"), ("rollback", "rollback")]
)
def test_a_rollback_wins_over_an_interrupt_whichever_came_first(
    phase: RunPhase, actions: tuple[CancelAction, CancelAction]
) -> None:
    lifecycle = _in_phase(phase)
    for action in actions:
        lifecycle.request_cancel(action)
    assert lifecycle.cancel_intent is CancelIntent.ROLLBACK
    assert lifecycle.rolls_back


def test_interrupts_alone_keep_the_progress() -> None:
    lifecycle = _in_phase(RunPhase.RUNNING)
    lifecycle.request_cancel("interrupt")
    lifecycle.request_cancel("interrupt")
    assert lifecycle.cancel_intent is CancelIntent.INTERRUPT
    assert not lifecycle.rolls_back


def test_the_flags_are_read_only() -> None:
    lifecycle = RunLifecycle()
    for flag in ("phase", "cancel_intent", "started", "running", "finishing", "rolls_back"):
        with pytest.raises(AttributeError):
            setattr(lifecycle, flag, True)
