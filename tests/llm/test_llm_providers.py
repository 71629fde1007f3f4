"""Provider registration and the thread bridge behind the async streams."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import litellm
import pytest

from llm._provider_base import iterate_in_thread
from llm.providers import is_local_model, provider_of, register_providers


def test_the_package_exports_resolve() -> None:
    import llm

    assert all(getattr(llm, name) is not None for name in llm.__all__)
    with pytest.raises(AttributeError):
        _ = llm.no_such_name


def test_registration_is_idempotent() -> None:
    register_providers()
    register_providers()
    providers = [item["provider"] for item in litellm.custom_provider_map]
    assert providers.count("local") == 1
    assert providers.count("scripted") == 1


def test_registration_survives_a_replaced_provider_map() -> None:
    saved = litellm.custom_provider_map
    litellm.custom_provider_map = []
    try:
        register_providers()
        assert {item["provider"] for item in litellm.custom_provider_map} == {"local", "scripted"}
    finally:
        litellm.custom_provider_map = saved


def test_model_strings() -> None:
    assert provider_of("local/smollm2") == "local"
    assert provider_of("gpt-4o") is None
    assert is_local_model("local/anything")
    assert not is_local_model("scripted/local")


class _Source:
    """A blocking iterator that records whether it was closed and in which thread it ran."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.closed = threading.Event()
        self.threads: set[str] = set()

    def __call__(self) -> Iterator[int]:
        try:
            for index in range(self.count):
                self.threads.add(threading.current_thread().name)
                if index == self.fail_at:
                    raise ValueError("source failed")
                time.sleep(0.001)  # blocking work, as a model's next token is
                yield index
        finally:
            self.closed.set()


@pytest.mark.anyio
async def test_the_bridge_yields_everything_off_the_event_loop() -> None:
    source = _Source(5)
    assert [item async for item in iterate_in_thread(source)] == [0, 1, 2, 3, 4]
    assert source.threads == {"llm-stream"}
    assert source.closed.wait(1)


@pytest.mark.anyio
async def test_stopping_early_closes_the_source() -> None:
    source = _Source(10_000)
    items = iterate_in_thread(source)
    async for item in items:
        if item == 2:
            break
    await items.aclose()
    assert source.closed.wait(5)


@pytest.mark.anyio
async def test_the_bridge_reraises_the_source_error() -> None:
    received: list[int] = []
    with pytest.raises(ValueError, match="source failed"):
        async for item in iterate_in_thread(_Source(5, fail_at=3)):
            received.append(item)
    assert received == [0, 1, 2]


@pytest.mark.anyio
async def test_the_bridge_reraises_an_error_opening_the_source() -> None:
    def refuse() -> Iterator[int]:
        raise ValueError("cannot open")

    with pytest.raises(ValueError, match="cannot open"):
        async for _ in iterate_in_thread(refuse):
            pass
