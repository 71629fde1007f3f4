"""The feedback loop: a refit on the simulated panel's reviews lowers held-out ECE by a third."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from crm.calibration_maps import CalibrationMaps
from eval.calibration.panel import DEFAULT_PANEL, review_batch
from eval.calibration.refit import MIN_FIT, fold_of, out_of_fold, refit_batch
from eval.calibration.store import CalibrationStore
from eval.calibration.summary import observations
from tests.support.panel_world import NOVEMBER, OCTOBER, fill_month, truth_for


@pytest.fixture
def reviewed(engine: Engine) -> tuple[CalibrationStore, str]:
    """A batch of half of October's recommendations, reviewed by the simulated panel."""
    truth = truth_for(120)
    fill_month(engine, truth)
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER, period_end=NOVEMBER, rate=0.5, seed=5)
    review_batch(store, batch_id=batch.id, truth=truth, seed=5)
    return store, batch.id


def test_one_refit_lowers_heldout_ece_by_at_least_a_third(
    reviewed: tuple[CalibrationStore, str], engine: Engine
) -> None:
    store, batch_id = reviewed
    result = refit_batch(batch_id, store.items_with_reviews(batch_id=batch_id),
                         maps=CalibrationMaps(engine))  # fmt: skip
    assert set(result.agents) == {"lead_scoring", "budget", "relationships"}
    assert result.heldout.n == sum(a.n_train for a in result.agents.values())
    assert result.ece_drop is not None and result.ece_drop >= 1 / 3, result.heldout
    for agent in result.agents.values():
        assert agent.map_id is not None
        assert agent.heldout.ece_calibrated < agent.heldout.ece_raw, agent  # type: ignore[operator]
        assert agent.candidates[agent.method] == agent.heldout.brier_calibrated  # type: ignore[index]


def test_each_refit_is_a_new_current_version(
    reviewed: tuple[CalibrationStore, str], engine: Engine
) -> None:
    store, batch_id = reviewed
    maps = CalibrationMaps(engine)
    items = store.items_with_reviews(batch_id=batch_id)
    first = refit_batch(batch_id, items, maps=maps)
    second = refit_batch(batch_id, items, maps=maps)
    budget = maps.history(agent="budget")
    assert [m.id for m in budget] == [second.agents["budget"].map_id, first.agents["budget"].map_id]
    assert maps.current("budget").training_batch_id == batch_id  # type: ignore[union-attr]
    # The same reviews and seed fit the same parameters.
    assert budget[0].parameters == budget[1].parameters
    assert budget[0].metrics["heldout"] == first.agents["budget"].heldout.model_dump()


def test_the_overconfident_agent_is_pulled_down_and_the_underconfident_up(
    reviewed: tuple[CalibrationStore, str], engine: Engine
) -> None:
    store, batch_id = reviewed
    maps = CalibrationMaps(engine)
    refit_batch(batch_id, store.items_with_reviews(batch_id=batch_id), maps=maps)
    calibrated_budget, _ = maps.apply("budget", 0.95)  # type: ignore[misc]
    calibrated_lead, _ = maps.apply("lead_scoring", 0.6)  # type: ignore[misc]
    assert calibrated_budget < 0.8
    assert calibrated_lead > 0.75


def test_heldout_predictions_never_see_their_own_item(
    reviewed: tuple[CalibrationStore, str],
) -> None:
    store, batch_id = reviewed
    obs = [
        o for o in observations(store.items_with_reviews(batch_id=batch_id)) if o.agent == "budget"
    ]
    keys = {o.item_id: f"rec-of-{o.item_id}" for o in obs}
    predicted = out_of_fold(obs, "isotonic", keys=keys)
    # Changing the outcomes of one fold leaves that fold's own predictions unchanged.
    fold = fold_of(keys[obs[0].item_id])
    flipped = [o if fold_of(keys[o.item_id]) == fold else type(o)(**{**o.__dict__, "correct": not o.correct})
               for o in obs]  # fmt: skip
    again = out_of_fold(flipped, "isotonic", keys=keys)
    mine = [i for i, o in enumerate(obs) if fold_of(keys[o.item_id]) == fold]
    assert mine and all(predicted[i] != again[i] for i in mine)


def test_too_few_reviews_give_no_map_and_small_samples_get_platt(engine: Engine) -> None:
    truth = truth_for(12)
    fill_month(engine, truth, per_account=1, agents=("budget", "relationships"))
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER, period_end=NOVEMBER, rate=0.25, seed=1,
                             min_per_stratum=0)  # fmt: skip
    review_batch(store, batch_id=batch.id, truth=truth, panel=DEFAULT_PANEL[:2], seed=1)
    items = store.items_with_reviews(batch_id=batch.id)
    result = refit_batch(batch.id, items, maps=CalibrationMaps(engine))
    for agent in result.agents.values():
        if agent.n_train < MIN_FIT:
            assert agent.map_id is None and agent.note
        else:
            assert agent.method == "platt"


def test_a_batch_without_scores_fits_nothing(engine: Engine) -> None:
    truth = truth_for(6)
    fill_month(engine, truth, per_account=1)
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER, period_end=NOVEMBER, rate=1.0, seed=1)
    result = refit_batch(batch.id, store.items_with_reviews(batch_id=batch.id),
                         maps=CalibrationMaps(engine))  # fmt: skip
    assert result.agents == {}
    assert result.heldout.n == 0 and result.ece_drop is None
    assert CalibrationMaps(engine).history() == []
