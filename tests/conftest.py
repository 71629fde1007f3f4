"""Suite-wide set-up: offline switches before any third-party import, and a network guard."""

from __future__ import annotations

import ipaddress
import os
import socket

from core.offline import apply_offline_defaults

apply_offline_defaults()
# Servers built by tests do not warm the agents in the background (it would load models no
# test asked for); the tests of the warm-up turn it on themselves.
os.environ.setdefault("CRM_AGENTS_WARM_UP", "false")

import pytest

# The demo CRM and agent services the agent and graph tests share (module-scoped fixtures).
pytest_plugins = ["_demo_agents"]

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
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
