"""What signing a request in costs with SSO tokens and with a LangGraph Auth module.

Per call, in this process, no HTTP: verifying an RS256 and an ES256 token against a JWKS file
(signature, claims, mapping to a principal), the example LangGraph auth module's authenticate
and its thread-read authorization, and matching a filter against metadata. The baseline,
measured in the same run, is building the same principal from the same claims without any
check, so the difference is what the checks add to a request (the bar is under 1 ms p50).

    .venv/bin/python bench/sign_in_costs.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identity.langgraph_auth import LangGraphAuth, RequestInfo, filter_matches
from identity.sso import (
    ClaimMapping,
    JWKSFileKeys,
    SSOVerifier,
    principal_from_claims,
)

ISSUER, AUDIENCE = "https://sso.example.com/realms/sales", "crm-agents"


def _timings(call: Callable[[], object], calls: int) -> list[float]:
    for _ in range(min(calls, 200)):
        call()
    spent = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        spent.append(time.perf_counter() - start)
    return spent


def _row(name: str, spent: list[float], baseline: float) -> str:
    p50 = statistics.median(spent)
    p95 = statistics.quantiles(spent, n=20)[-1]
    return (
        f"| {name} | {p50 * 1e3:.3f} | {p95 * 1e3:.3f} | {(p50 - baseline) * 1e3:.3f} "
        f"| {p50 / baseline:.0f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    calls = parser.parse_args().calls

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    jwks = {
        "keys": [
            json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key())) | {"kid": "r", "alg": "RS256"},
            json.loads(ECAlgorithm.to_jwk(ec_key.public_key())) | {"kid": "e", "alg": "ES256"},
        ]
    }
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1042",
        "preferred_username": "li.na",
        "roles": ["rep"],
        "team": "east-1",
        "territories": ["East"],
        "exp": now + 3600,
    }
    rs256 = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "r"})
    es256 = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "e"})

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "jwks.json"
        path.write_text(json.dumps(jwks))
        verifier = SSOVerifier(keys=JWKSFileKeys(path), issuer=ISSUER, audience=AUDIENCE)
        mapping = ClaimMapping()
        custom = LangGraphAuth.load("tests.support.custom_langgraph_auth:auth")
        info = RequestInfo(method="GET", path="/threads/t1", headers={"x-api-key": "key-alice"})
        loop = asyncio.new_event_loop()
        alice = loop.run_until_complete(custom.authenticate(info))

        baseline = _timings(lambda: principal_from_claims(claims, mapping), calls)
        base = statistics.median(baseline)
        measured = {
            "SSO token, RS256, verified and mapped": _timings(
                lambda: verifier.verify(rs256), calls
            ),
            "SSO token, ES256, verified and mapped": _timings(
                lambda: verifier.verify(es256), calls
            ),
            "LangGraph auth: authenticate (x-api-key)": _timings(
                lambda: loop.run_until_complete(custom.authenticate(info)), calls
            ),
            "LangGraph auth: authorize threads.read": _timings(
                lambda: loop.run_until_complete(
                    custom.authorize(alice, "threads", "read", {"thread_id": "t1"})
                ),
                calls,
            ),
            "filter_matches, 2 conditions": _timings(
                lambda: filter_matches(
                    {"owner": "alice", "tags": {"$contains": "east"}},
                    {"owner": "alice", "tags": ["east", "vip"]},
                ),
                calls,
            ),
        }
        loop.close()

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {platform.python_version()}, PyJWT {jwt.__version__}, load average {load}")
    print(f"{calls} calls each, one process, no HTTP; baseline: principal from claims unchecked")
    print("| step | p50 ms | p95 ms | p50 added ms | p50 / baseline |")
    print("|---|---|---|---|---|")
    print(_row("baseline: principal from claims, no checks", baseline, base))
    for name, spent in measured.items():
        print(_row(name, spent, base))


if __name__ == "__main__":
    main()
