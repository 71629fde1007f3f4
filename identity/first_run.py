"""Whether the server may listen where it was asked to, while demo passwords remain.

The demo users' one-time passwords sit in a file on this machine; as long as any account
still has one, the server stays on the loopback interface. Listening anywhere else (``0.0.0.0``,
a LAN address, a host name) is refused until every enabled account has chosen its password.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol

from identity.errors import IdentityError


class FirstRunPasswordsRemain(IdentityError):
    """A non-loopback listening address while some account still has a one-time password."""

    code = "first_run_passwords_remain"


class HasFirstRunPasswords(Protocol):
    """What the check needs of the user directory."""

    def any_first_run_passwords(self) -> bool: ...


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (``localhost``, 127.0.0.0/8,
    ``::1``); any other name counts as public, since it may resolve anywhere."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen_address(host: str, users: HasFirstRunPasswords) -> None:
    """Raise :class:`FirstRunPasswordsRemain` when ``host`` is not loopback and an enabled
    account still has its first-run password."""
    if not is_loopback(host) and users.any_first_run_passwords():
        raise FirstRunPasswordsRemain(
            f"refusing to listen on {host}: some accounts still have their first-run password"
            " (see crm-agents auth list); give each its own with crm-agents auth set-password,"
            " or listen on 127.0.0.1"
        )
