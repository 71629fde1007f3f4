"""Which URLs a user may make this server call: public addresses only, unless allowed.

A webhook URL is chosen by whoever creates a run, but the server makes the call, from inside
the network it runs in. Without a check, a run could make the server POST to its own admin
ports, a cloud metadata service (169.254.169.254) or any machine on the office network. So a
URL is refused when any address its host resolves to is loopback, link-local, private,
unspecified, multicast or reserved, unless the ``outbound_allow`` setting names the host or
a network holding the address. Numeric hosts in the forms the C resolver accepts
(``2130706433``, ``0x7f000001``, ``127.1``) and IPv4-mapped IPv6 addresses are read as the
address they stand for. Credentials in the URL (``user:pass@``) are refused rather than sent
on as Basic auth to wherever the host turns out to be.

The check returns the addresses it approved; the caller connects to one of them, so a DNS
answer that changes between the check and the call (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

OUTBOUND_SCHEMES = ("http", "https")


class OutboundUrlRefused(ValueError):
    """A URL this server will not call; the message names the reason."""

    code = "outbound_url_refused"


@dataclass(frozen=True)
class ApprovedUrl:
    """A URL that passed the check, with the address to connect to."""

    url: str
    host: str
    address: IPAddress


def literal_address(host: str) -> IPAddress | None:
    """The address a numeric host stands for, as the C resolver reads it, or None for a name.

    ``inet_aton`` accepts the short, decimal, octal and hexadecimal IPv4 forms that
    ``getaddrinfo`` (and so every HTTP client) would connect to.
    """
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _non_public_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _non_public_reason(address.ipv4_mapped)
    for reason, flagged in (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    ):
        if flagged:
            return reason
    return None


class OutboundPolicy:
    """The outbound URL check, with the allow-list of hosts and networks it lets through."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self._hosts: set[str] = set()
        self._networks: list[IPNetwork] = []
        for entry in (item.strip() for item in allow):
            if not entry:
                continue
            try:
                self._networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self._hosts.add(entry.lower().rstrip("."))

    def parse(self, url: str) -> SplitResult:
        """The parts of ``url`` when its form may be called (no DNS); raises
        :class:`OutboundUrlRefused` naming what is wrong."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise OutboundUrlRefused(f"{url!r} is not a valid URL ({exc})") from None
        if parts.scheme not in OUTBOUND_SCHEMES or not parts.hostname:
            raise OutboundUrlRefused(f"{url!r} is not an absolute http:// or https:// URL")
        if parts.username is not None or parts.password is not None:
            raise OutboundUrlRefused(
                "URLs with a user name or password (user:pass@host) are refused: credentials "
                "are not forwarded; give the receiver a secret in its path or query instead"
            )
        return parts

    def check(self, url: str) -> ApprovedUrl:
        """Resolve ``url``'s host and approve it, or raise :class:`OutboundUrlRefused`.

        Blocking (DNS): call it from a worker thread on the server.
        """
        parts = self.parse(url)
        host = (parts.hostname or "").rstrip(".")
        if host in self._hosts:
            return ApprovedUrl(url=url, host=host, address=self._resolve(host, parts.port)[0])
        addresses = self._resolve(host, parts.port)
        for address in addresses:
            reason = None if self._allowed(address) else _non_public_reason(address)
            if reason is not None:
                resolved = "" if str(address) == host else f" resolves to {address}, which"
                raise OutboundUrlRefused(
                    f"host {host!r}{resolved} is a {reason} address; this server only calls "
                    "public addresses unless CRM_AGENTS_OUTBOUND_ALLOW names the host or its "
                    "network"
                )
        return ApprovedUrl(url=url, host=host, address=addresses[0])

    def _allowed(self, address: IPAddress) -> bool:
        mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        return any(
            candidate in network
            for network in self._networks
            for candidate in (address, mapped)
            if candidate is not None and candidate.version == network.version
        )

    @staticmethod
    def _resolve(host: str, port: int | None) -> Sequence[IPAddress]:
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        try:
            infos = socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OutboundUrlRefused(f"host {host!r} does not resolve ({exc})") from None
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos)
        )
        if not addresses:
            raise OutboundUrlRefused(f"host {host!r} does not resolve")
        return addresses
