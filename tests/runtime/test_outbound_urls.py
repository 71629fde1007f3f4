"""The outbound URL check: public addresses only, after resolution, in every spelling of an
address, without credentials in the URL, unless the allow-list names the host or network.
DNS is replaced by a table, so nothing here reaches the network."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from runtime.outbound_urls import OutboundPolicy, OutboundUrlRefused, literal_address

_DNS = {
    "public.example": ["93.184.215.14"],
    "metadata.example": ["169.254.169.254"],
    "office.example": ["10.1.2.3"],
    # One public and one private answer: every answer must pass.
    "split.example": ["93.184.215.14", "192.168.1.10"],
    "v6.example": ["2606:4700::6810:85e5"],
    "v6-local.example": ["fe80::1"],
}


def _fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
    if host not in _DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [
        (socket.AF_INET6 if ":" in a else socket.AF_INET, 1, 6, "", (a, port)) for a in _DNS[host]
    ]


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo)
    return _fake_getaddrinfo


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://localhost/hook", "does not resolve"),  # no such name in the table
        ("http://2130706433/hook", "loopback"),
        ("http://0x7f000001/hook", "loopback"),
        ("http://0177.0.0.1/hook", "loopback"),
        ("http://127.1/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[::ffff:7f00:1]/hook", "loopback"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://[::]/hook", "unspecified"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://metadata.example/latest", "link-local"),
        ("http://v6-local.example/", "link-local"),
        ("http://10.0.0.1/hook", "private"),
        ("http://172.16.5.4/hook", "private"),
        ("http://192.168.0.1/hook", "private"),
        ("http://[fd00::1]/hook", "private"),
        ("http://office.example/hook", "private"),
        ("http://split.example/hook", "private"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://100.64.0.1/hook", "not globally routable"),
        ("http://240.0.0.1/hook", "reserved"),
        ("http://nowhere.example/hook", "does not resolve"),
    ],
)
def test_internal_addresses_are_refused_in_every_spelling(url: str, reason: str) -> None:
    with pytest.raises(OutboundUrlRefused, match=reason):
        OutboundPolicy().check(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@public.example/hook",
        "https://token@public.example/hook",
        "http://:secret@public.example/hook",
    ],
)
def test_credentials_in_the_url_are_refused_not_forwarded(url: str) -> None:
    with pytest.raises(OutboundUrlRefused, match="user name or password"):
        OutboundPolicy().check(url)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://public.example/x", "http:// or https://"),
        ("/relative/hook", "http:// or https://"),
        ("http:///no-host", "http:// or https://"),
        ("http://public.example:http/x", "not a valid URL"),
        ("http://[::1/x", "not a valid URL"),
    ],
)
def test_malformed_urls_say_what_is_wrong(url: str, problem: str) -> None:
    with pytest.raises(OutboundUrlRefused, match=problem):
        OutboundPolicy().check(url)


def test_public_hosts_pass_with_the_address_to_connect_to() -> None:
    approved = OutboundPolicy().check("https://public.example/hook?secret=1")
    assert str(approved.address) == "93.184.215.14" and approved.host == "public.example"
    assert str(OutboundPolicy().check("https://v6.example/").address) == "2606:4700::6810:85e5"
    assert str(OutboundPolicy().check("http://93.184.215.14:8080/").address) == "93.184.215.14"


def test_the_allow_list_names_hosts_addresses_and_networks() -> None:
    policy = OutboundPolicy(["127.0.0.1", "10.0.0.0/8", "Metadata.Example.", " ", "::1"])
    assert str(policy.check("http://127.0.0.1:9/h").address) == "127.0.0.1"
    # The allowed address in its other spellings too.
    assert str(policy.check("http://2130706433/h").address) == "127.0.0.1"
    assert str(policy.check("http://[::ffff:127.0.0.1]/h").address) == "::ffff:7f00:1"
    assert str(policy.check("http://[::1]/h").address) == "::1"
    assert str(policy.check("http://office.example/h").address) == "10.1.2.3"
    assert str(policy.check("http://metadata.example/h").address) == "169.254.169.254"
    # What the list does not name stays refused.
    for refused in ("http://127.0.0.2/h", "http://192.168.1.1/h", "http://split.example/h"):
        with pytest.raises(OutboundUrlRefused):
            policy.check(refused)
    with pytest.raises(OutboundUrlRefused, match="user name or password"):
        policy.check("http://user:pw@127.0.0.1/h")


def test_numeric_hosts_are_read_as_the_resolver_reads_them() -> None:
    assert str(literal_address("2130706433")) == "127.0.0.1"
    assert str(literal_address("0x7f.1")) == "127.0.0.1"
    assert str(literal_address("fe80::1%eth0")) == "fe80::1"
    assert literal_address("public.example") is None
