"""Suite-wide set-up: offline switches before any third-party import, a network guard, and the
demo agent services the agent and graph tests share."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from core.offline import apply_offline_defaults

apply_offline_defaults()
# Servers built by tests do not warm the agents in the background (it would load models no
# test asked for); the tests of the warm-up turn it on themselves.
os.environ.setdefault("CRM_AGENTS_WARM_UP", "false")
# The in-process clients use made-up host names (httpx's "testserver" and shorter ones), which
# the host check must accept; and no suite's burst of requests should meet the rate limit,
# which tests/api/test_api_hardening.py sets low where it tests it.
os.environ.setdefault("CRM_AGENTS_ALLOWED_HOSTS", "localhost,127.0.0.1,::1,testserver,test,t")
os.environ.setdefault("CRM_AGENTS_RATE_LIMIT", "1000000/minute")
# The browser tests sign the same user in on every page they open, several modules a minute
# against one server: the per-name sign-in limit (tested in test_api_authentication.py, where it
# is set low) would refuse them.
os.environ.setdefault("CRM_AGENTS_SIGN_IN_RATE_LIMIT", "1000000/minute")

import pytest

# Helpers' asserts report their values like the tests' own (register before they are imported).
pytest.register_assert_rewrite("tests.support")

from core.settings import Settings

if TYPE_CHECKING:
    from tools.agent_services import AgentServices

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(RuntimeError):
    """A test tried to reach a host that is not this machine."""


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # unix sockets
    host = str(address[0])
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need DNS, i.e. the network


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise NetworkBlocked(f"tests may not reach the network (tried {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise NetworkBlocked(f"tests may not reach the network (tried {address!r})")
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    """The network guard; and one folder for this run's demo templates
    (tests/support/demo_template.py), named before pytest-xdist starts its workers, which
    inherit it and so share one build of each."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]

    from tests.support import demo_template

    if not hasattr(config, "workerinput"):  # the controller, or a run without workers
        folder = tempfile.mkdtemp(prefix="crm-demo-templates-")
        os.environ[demo_template.TEMPLATES_VARIABLE] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


# The demo agent services, for tests/agents and tests/graphs (module-scoped: seeding and indexing
# take seconds). Their builder is imported when first used, so that a run of other tests does
# not import the agents, Chroma and the embedding model.


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tests.support.demo_agents import demo_settings_in

    return demo_settings_in(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def services(demo_settings: Settings) -> Iterator[AgentServices]:
    """The agent services over the demo CRM (documentation indexed, everyone consenting)."""
    from tests.support.demo_agents import open_demo_services

    with open_demo_services(demo_settings) as bundle:
        yield bundle


@pytest.fixture(scope="module")
def data_dir(demo_settings: Settings) -> Path:
    return demo_settings.data_dir
