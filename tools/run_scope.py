"""How a user's account scope travels in a run, and how the agents' CRM reader finds it.

The API puts the signed-in user's scope into each run's config, beside the LangGraph server's
``configurable["langgraph_auth_user"]``::

    config["configurable"].update(scope_configurable(scope))

and every CRM read the run's agents make (``AgentServices.crm``) reads the run's config back
with ``langgraph.config.get_config()``, LangGraph's own way to reach it from a node or a tool
(subgraphs the supervisor invokes inherit it). The rule, which fails closed:

- inside a run, the scope is the one in its config; a run whose config has none reads nothing
  (no account is found, so the agents answer as for an unknown account);
- code that runs graphs for no user (the evaluation harness, the CLI's ``ask``) says so: it
  passes ``scope_configurable(AccountScope.unrestricted())``, or builds its services with
  ``crm_scope_unscoped_runs=AccountScope.unrestricted()`` (the test fixtures over graphs);
- outside any run (a plain service call, such as event intake scoring an account), the reader
  uses the scope its builder gave for that case, or the one a caller set around its calls
  with :func:`acting_for`; nothing is unrestricted unless someone said so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langgraph.config import get_config

from crm.scope import AccountScope

__all__ = [
    "CRM_SCOPE",
    "NO_USER",
    "RunScope",
    "acting_for",
    "run_scope_of",
    "scope_configurable",
]

# The key of a run's ``configurable`` that carries its account scope (as ``to_dict`` data).
CRM_SCOPE = "crm_scope"

# No account: what a reader gets when nobody said for whom it reads.
NOTHING = AccountScope.nothing()

_acting_for: ContextVar[AccountScope | None] = ContextVar("crm_acting_for", default=None)


def scope_configurable(scope: AccountScope) -> dict[str, Any]:
    """The ``configurable`` entries that make a run read within ``scope`` (JSON-ready, so
    the run's stored config and its checkpoints keep it)."""
    return {CRM_SCOPE: scope.to_dict()}


def run_scope_of(config: Mapping[str, Any], *, default: AccountScope = NOTHING) -> AccountScope:
    """The account scope a run with ``config`` reads in: ``default`` (nothing unless the
    caller says otherwise) when it carries none; ValueError when it carries a malformed one."""
    configurable = config.get("configurable") or {}
    data = configurable.get(CRM_SCOPE)
    if data is None:
        return default
    if isinstance(data, AccountScope):
        return data
    return AccountScope.from_dict(data)


# The config of a run made for no user (evaluation, the CLI's ``ask``): every account.
NO_USER: dict[str, Any] = {"configurable": scope_configurable(AccountScope.unrestricted())}


@contextmanager
def acting_for(scope: AccountScope) -> Iterator[AccountScope]:
    """Read within ``scope`` in plain service calls made inside this block (outside runs).

    Runs are not affected: a run's scope comes from its config only.
    """
    token = _acting_for.set(scope)
    try:
        yield scope
    finally:
        _acting_for.reset(token)


class RunScope:
    """The scope source of the agents' CRM reader (``CRMStore(engine, scope=RunScope(...))``):
    asked on every read, it answers with the scope of the run being served (``unscoped_runs``
    when its config carries none), or, outside any run, with the one :func:`acting_for` set,
    else ``outside_runs``."""

    def __init__(
        self,
        *,
        outside_runs: AccountScope = NOTHING,
        unscoped_runs: AccountScope = NOTHING,
    ) -> None:
        self.outside_runs = outside_runs
        self.unscoped_runs = unscoped_runs

    def __call__(self) -> AccountScope:
        try:
            config = get_config()
        except RuntimeError:  # LangGraph's way of saying: not inside a run
            return _acting_for.get() or self.outside_runs
        return run_scope_of(config, default=self.unscoped_runs)
