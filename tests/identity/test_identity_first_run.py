"""The server stays on loopback while any account still has its first-run password."""

from __future__ import annotations

import pytest

from identity.first_run import FirstRunPasswordsRemain, check_listen_address, is_loopback


class _Users:
    def __init__(self, remaining: bool) -> None:
        self.remaining = remaining

    def any_first_run_passwords(self) -> bool:
        return self.remaining


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("localhost", True), ("LocalHost", True),
     ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
     ("crm.example.com", False), ("localhost.example.com", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_public_addresses_wait_for_every_first_run_password() -> None:
    check_listen_address("127.0.0.1", _Users(remaining=True))
    check_listen_address("0.0.0.0", _Users(remaining=False))
    with pytest.raises(FirstRunPasswordsRemain, match="refusing to listen on 0.0.0.0"):
        check_listen_address("0.0.0.0", _Users(remaining=True))
